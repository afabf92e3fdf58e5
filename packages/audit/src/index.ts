export { AuditShipper } from './audit-shipper';
export type { AuditOutbox, AuditShipperEvents, AuditShipperOptions, AuditTarget } from './audit-shipper';
