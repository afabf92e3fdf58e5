import { queueNames, ReadyQueue, type RedisConnection } from '@vigil/queue';
import { Batcher } from './batcher';
import { LOG_BATCH_DEFAULTS } from './log-batch-defaults';
import type { ForeignJournal } from './journal/adoption';
import { connectionRedisAddress, type JournalDestination } from './journal/destination';
import { checkInstanceId } from './journal/instance-id';
import { Journal, type JournalOptions, type Segment } from './journal/journal';
import type { LoggerHealth, LoggerProgress } from './logger-health';

/**
 * What makes one stream of records (predictions, labels) its own: the job
 * it becomes on the log queue, and how a record is stamped as it is logged.
 */
export interface JournaledStream<T> {
  readonly jobName: string;
  readonly jobOptions: Readonly<Record<string, unknown>>;
  /** The job payload of a batch. */
  encode(records: readonly T[]): unknown;
  /** The job id of a batch: the same batch must get the same id, so a replay of a batch Redis took is a no-op. */
  jobId(records: readonly T[]): string | undefined;
  /** The record as journaled and enqueued, given the logger's instance id and the record's number there. */
  stamp(record: T, instanceId: string, seq: number): T;
  /** The instance id when none is given. */
  newInstanceId(): string;
}

/** What the logger reports, so the app can count it in its metrics without this package knowing prom-client. */
export interface JournaledLoggerEvents {
  enqueued?(records: number, seconds: number): void;
  enqueueFailed?(records: number, error: Error): void;
  /** Records of a batch Redis did not take (failed, or queued behind older ones): they wait in the journal's backlog. */
  spooled?(records: number): void;
  replayed?(records: number): void;
  /** The bytes waiting for Redis on disk changed (the journal's backlog and its adoptions). */
  spoolBytes?(bytes: number): void;
  /** Records neither enqueued nor kept in the journal (no journal, or it is full or unwritable): the only way a record is lost. */
  dropped?(records: number, reason: string): void;
  /** Segments on the volume left by dead instances of another destination (queue or Redis), which this logger leaves alone. */
  foreignSegments?(segments: number): void;
  /** A dead instance's journal of another destination, reported once per directory. */
  foreignJournal?(journal: ForeignJournal): void;
  /** A dead instance's journal was taken over; its segments are replayed as Redis allows. */
  adopted?(instanceId: string, segments: number): void;
  /** The disk refused a journal write (reported once until a write succeeds again). */
  journalFailed?(error: Error): void;
  /** This instance's own journal directory was adopted by another during a stall longer than the lease; a new one was started. */
  journalLost?(): void;
}

/** Options for {@link createJournaledLogger} (and so the prediction and label loggers). */
export interface JournaledLoggerOptions {
  /** A constructed ioredis client; the logger does not close it. Use `enableOfflineQueue: false` so a dead Redis fails fast. */
  readonly connection: RedisConnection;
  readonly queueName: string;
  /**
   * Names this process in every record (`instance_id`) and its journal directory: 1-64 of [A-Za-z0-9_.-].
   * One per process start, since `seq` starts again at 1. @defaultValue a fresh `api-<time>-<random>`
   */
  readonly instanceId?: string;
  /** @defaultValue 500 ({@link LOG_BATCH_DEFAULTS}) */
  readonly maxBatchRecords?: number;
  /** @defaultValue 100 ({@link LOG_BATCH_DEFAULTS}) */
  readonly maxBatchWaitMs?: number;
  /**
   * An enqueue that has not finished after this long is treated as failed (its batch waits in the journal).
   * @defaultValue 2000
   */
  readonly enqueueTimeoutMs?: number;
  /**
   * Batches being added to Redis at once; past this (a slow Redis) new
   * batches wait in the journal, so memory stays bounded.
   * @defaultValue 16
   */
  readonly maxInFlightBatches?: number;
  /** The write-ahead journal. Without one, records live only in memory until Redis takes them, and are dropped if it does not. */
  readonly journal?: JournalOptions;
  /**
   * Where the records go, written beside the journal so only a logger of the same deployment replays it.
   * @defaultValue `queueName` and the connection's `host:port/db`
   */
  readonly destination?: JournalDestination;
  /** How often to try replaying the backlog. @defaultValue 250 */
  readonly replayIntervalMs?: number;
  readonly events?: JournaledLoggerEvents;
}

/** Hand a record over and return at once (once it is in the journal). */
export interface JournaledLogger<T> {
  readonly instanceId: string;
  /** Stamps the record with `instance_id` and the next `seq`, journals it, and batches it for Redis. */
  log(record: T): void;
  /** {@link log} for several records at once (a batch request's): one journal write for all of them. */
  logAll(records: readonly T[]): void;
  /** Resolves once everything logged so far has been enqueued or left in the journal's backlog. */
  flush(): Promise<void>;
  /** Resolves once the backlog is empty (or `timeoutMs` passed): for tests and shutdown. */
  drainSpool(timeoutMs: number): Promise<boolean>;
  health(): LoggerHealth;
  progress(): LoggerProgress;
  close(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`enqueue timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The write-ahead journal, batcher and enqueue of one stream, shared by the
 * prediction logger and the label logger. Everything about how records are
 * kept, replayed and adopted is here once; what differs is the stream.
 */
export function createJournaledLogger<T>(options: JournaledLoggerOptions, stream: JournaledStream<T>): JournaledLogger<T> {
  if (options.queueName === '') throw new RangeError('createJournaledLogger: queueName must not be empty');
  const instanceId = checkInstanceId(options.instanceId ?? stream.newInstanceId());
  const { connection, events } = options;
  const timeoutMs = options.enqueueTimeoutMs ?? 2000;
  const maxInFlight = options.maxInFlightBatches ?? 16;
  const maxRecords = options.maxBatchRecords ?? LOG_BATCH_DEFAULTS.maxRecords;
  const leaseMs = options.journal?.leaseMs ?? 10_000;
  const destination = options.destination ?? {
    queue: options.queueName,
    redis: connectionRedisAddress(connection),
  };
  const journal = options.journal === undefined ? undefined : new Journal<T>(options.journal, instanceId, destination);

  // The Queue is built on first use with a ready connection (see ReadyQueue);
  // until then an enqueue fails fast and its batch waits in the journal.
  const queue = new ReadyQueue<unknown>(connection, queueNames(options.queueName).log, { defaultJobOptions: stream.jobOptions });

  async function add(records: readonly T[]): Promise<void> {
    const started = performance.now();
    // Re-adding the same batch (a replay after a timeout that in fact succeeded) is a no-op in BullMQ: same job id.
    await withTimeout(queue.get().add(stream.jobName, stream.encode(records), { jobId: stream.jobId(records) }), timeoutMs);
    events?.enqueued?.(records.length, (performance.now() - started) / 1000);
  }

  /** A batch Redis did not take: its segment joins the backlog; records the journal could not keep are lost. */
  function leaveInJournal(segment: Segment | undefined, unkept: number, reason: string): void {
    if (journal !== undefined && segment !== undefined && journal.defer(segment)) {
      if (segment.records > 0) events?.spooled?.(segment.records);
      events?.spoolBytes?.(journal.backlogBytes);
    }
    if (unkept > 0) events?.dropped?.(unkept, journal ? `journal full or unwritable (${reason})` : `no journal (${reason})`);
  }

  let inFlight = 0;
  let inFlightRecords = 0;
  // Called by the batcher as it flushes, synchronously up to the first await:
  // the segment sealed here holds exactly the records of this batch.
  async function sink(records: T[]): Promise<void> {
    const segment = journal?.seal();
    const unkept = records.length - (segment?.records ?? 0);
    // While older batches wait in the backlog, new ones queue up behind them, so
    // replay keeps the order of predictions; unless the journal could not keep
    // them all, when reaching Redis out of order beats being lost.
    if (journal?.hasOwnBacklog && unkept === 0) return leaveInJournal(segment, unkept, 'journal backlog');
    if (inFlight >= maxInFlight) return leaveInJournal(segment, unkept, 'Redis is slow');
    inFlight += 1;
    inFlightRecords += records.length;
    try {
      await add(records);
      if (segment !== undefined) journal?.acknowledge(segment);
    } catch (error) {
      events?.enqueueFailed?.(records.length, error as Error);
      leaveInJournal(segment, unkept, (error as Error).message);
    } finally {
      inFlight -= 1;
      inFlightRecords -= records.length;
    }
  }

  async function replayFile(path: string): Promise<void> {
    // A throw leaves the file for the next attempt; batches added twice are de-duplicated by job id.
    for (const batch of (journal as Journal<T>).read(path, maxRecords)) {
      await add(batch);
      events?.replayed?.(batch.length);
    }
  }

  let replaying: Promise<void> | undefined;
  async function replay(journal: Journal<T>): Promise<void> {
    // Batches keep joining the backlog while it drains; go round until it is empty.
    while (journal.hasBacklog) {
      const adopted = journal.adoptedSegments();
      for (const path of adopted) {
        await replayFile(path);
        journal.acknowledgeAdopted(path);
        events?.spoolBytes?.(journal.backlogBytes);
      }
      if (adopted.length > 0) journal.pruneAdopted();
      for (let segment = journal.nextWaiting; segment !== undefined; segment = journal.nextWaiting) {
        await replayFile(segment.path);
        journal.acknowledgeWaiting(segment);
        events?.spoolBytes?.(journal.backlogBytes);
      }
    }
  }
  function tryReplay(): Promise<void> {
    if (replaying === undefined && journal?.hasBacklog && connection.status === 'ready') {
      replaying = replay(journal)
        .catch(() => undefined)
        .finally(() => {
          replaying = undefined;
        });
    }
    return replaying ?? Promise.resolve();
  }

  let foreignSegments = -1;
  const reportedForeign = new Set<string>();
  function heartbeat(journal: Journal<T>): void {
    const { scan, kept } = journal.heartbeat(leaseMs);
    if (!kept) events?.journalLost?.();
    for (const claimed of scan.claimed) events?.adopted?.(claimed.instanceId, claimed.segments);
    if (scan.claimed.length > 0) events?.spoolBytes?.(journal.backlogBytes);
    const segments = scan.foreign.reduce((sum, foreign) => sum + foreign.segments, 0);
    if (segments !== foreignSegments) events?.foreignSegments?.(segments);
    foreignSegments = segments;
    for (const foreign of scan.foreign) {
      if (reportedForeign.has(foreign.dir)) continue;
      reportedForeign.add(foreign.dir);
      events?.foreignJournal?.(foreign);
    }
  }

  const timers: NodeJS.Timeout[] = [];
  if (journal !== undefined) {
    // Journals left by dead instances of this deployment are adopted at once, and replayed as soon as Redis answers.
    heartbeat(journal);
    // Refreshed well inside the lease (a quarter of it at most), so a live instance is never taken for a dead one.
    const heartbeatMs = Math.min(1000, leaseMs / 4);
    let lastBeat = Date.now();
    timers.push(
      setInterval(
        () => {
          // A tick a little early still beats: waiting for the next one would stretch the gap by a whole tick.
          if (Date.now() - lastBeat >= heartbeatMs * 0.9) {
            lastBeat = Date.now();
            heartbeat(journal);
          }
          void tryReplay();
        },
        Math.min(options.replayIntervalMs ?? 250, heartbeatMs),
      ),
    );
    if (options.journal?.fsync === 'interval') timers.push(setInterval(() => journal.sync(), options.journal.fsyncIntervalMs ?? 1000));
  }
  for (const timer of timers) timer.unref();

  const batcher = new Batcher<T>({ maxItems: maxRecords, maxWaitMs: options.maxBatchWaitMs ?? LOG_BATCH_DEFAULTS.maxWaitMs, sink });

  let seq = 0;
  let failureReported = false;
  /** Reports the journal's first failure once, and again after it has recovered. `kept` is undefined without a journal. */
  function journaled(kept: boolean | undefined): void {
    if (journal === undefined) return;
    if (kept === false && journal.error !== undefined && !failureReported) {
      failureReported = true;
      events?.journalFailed?.(journal.error);
    } else if (failureReported && journal.writable) failureReported = false;
  }
  return {
    instanceId,
    log(record) {
      seq += 1;
      const stamped = stream.stamp(record, instanceId, seq);
      // Written to the kernel before the caller answers: a crash of this process from here on loses nothing.
      journaled(journal?.append(stamped));
      batcher.add(stamped);
    },
    logAll(records) {
      const stamped = records.map((record) => stream.stamp(record, instanceId, ++seq));
      journaled(journal?.appendAll(stamped));
      for (const record of stamped) batcher.add(record);
    },
    flush: () => batcher.flush(),
    async drainSpool(waitMs) {
      const deadline = Date.now() + waitMs;
      while (journal?.hasBacklog && Date.now() < deadline) {
        await tryReplay();
        if (journal.hasBacklog) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return !journal?.hasBacklog;
    },
    health: () => ({
      redis: connection.status === 'ready' ? 'up' : 'down',
      journalWritable: journal?.writable ?? false,
      backlogBytes: journal?.backlogBytes ?? 0,
      maxBytes: journal?.limit ?? 0,
      full: journal?.full ?? true,
    }),
    progress: () => ({
      instanceId,
      served: seq,
      backlogRecords: journal?.backlogRecords ?? 0,
      bufferedRecords: batcher.buffered,
      inFlightRecords,
    }),
    async close() {
      await batcher.flush();
      for (const timer of timers) clearInterval(timer);
      await replaying;
      journal?.close();
      await queue.close();
    },
  };
}
