import type { Config } from '@vigil/config';
import type { ProcessLogger } from '@vigil/metrics';
import { startPartitionMaintenance, type PostgresStore, type RunningPartitionMaintenance } from '@vigil/stores';

/**
 * The audit's day partitions, kept by the worker that ships to it: ahead of time, and dropped past
 * AUDIT_RETENTION_DAYS. None without an audit. Several workers may all run it: creating a partition
 * that exists, or dropping one that is gone, does nothing.
 */
export function startAuditPartitions(config: Config, postgres: PostgresStore | undefined, logger: ProcessLogger): RunningPartitionMaintenance | undefined {
  if (postgres === undefined) return undefined;
  return startPartitionMaintenance({ store: postgres, retentionDays: config.auditRetentionDays, logger: logger.child({ component: 'audit-partitions' }) });
}
