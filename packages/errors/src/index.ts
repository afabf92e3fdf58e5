export { VigilError, isVigilError } from './vigil-error';
export { PermanentError, isPermanentError } from './permanent-error';
export type { PermanentErrorCode } from './permanent-error';
