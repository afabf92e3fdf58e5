/**
 * What the logger says about itself: `health()` for readiness (/readyz),
 * `progress()` for the completeness report. Plain numbers and flags, read
 * without I/O, so a probe can ask as often as it likes.
 */
export interface LoggerHealth {
  /** Whether the Redis connection is up now (a batch may still fail on it). */
  readonly redis: 'up' | 'down';
  /** False after the disk refused the latest journal write; true again once one succeeds. Always false without a journal. */
  readonly journalWritable: boolean;
  /** Bytes waiting for Redis on disk: this instance's backlog and the journals it adopted. */
  readonly backlogBytes: number;
  /** SPOOL_MAX_BYTES: what this instance may keep on disk (0 without a journal). */
  readonly maxBytes: number;
  /** The journal cannot keep another record (always true without a journal): an answer given now would not be kept. */
  readonly full: boolean;
}

export interface LoggerProgress {
  readonly instanceId: string;
  /** The last `seq` handed out: records logged by this instance so far. */
  readonly served: number;
  /** This instance's records in the journal's backlog, waiting to be replayed into Redis (adopted records are other instances'). */
  readonly backlogRecords: number;
  /** Records in the batcher, not yet handed to Redis (they are in the journal's open segment). */
  readonly bufferedRecords: number;
  /** Records in batches being added to Redis right now. */
  readonly inFlightRecords: number;
}
