import { close, closeSync, existsSync, fsync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PredictionRecord } from '@vigil/records';
import { adoptedSegments, pruneReplayed, sizeOf } from './adopted-tree';
import { scanInstances, type ScanResult } from './adoption';
import type { JournalDestination } from './destination';
import { ADOPTED_DIR, createInstanceDirectory, refreshLease, releaseLease, removeInstanceDirectory } from './instance-directory';
import { adoptLegacySegments } from './legacy-spool';
import { fsyncDirectory, readSegment, segmentFileName } from './segment-file';

/**
 * When the journal asks the disk to keep what the kernel holds (see the
 * README's "Durability"): `off` never (a process crash loses nothing, a
 * machine crash can), `interval` every `fsyncIntervalMs`, `always` before
 * each `log()` returns.
 */
export type JournalFsync = 'off' | 'interval' | 'always';

/** Options for the journal of {@link createPredictionLogger}. */
export interface JournalOptions {
  /** SPOOL_DIR: the volume the journals live on. Replicas may share it, on one host or many (one filesystem). */
  readonly dir: string;
  /** SPOOL_MAX_BYTES: what this instance may keep on disk (its adoptions included); past it records are not journaled. */
  readonly maxBytes: number;
  /** @defaultValue 'off' */
  readonly fsync?: JournalFsync;
  /** @defaultValue 1000 */
  readonly fsyncIntervalMs?: number;
  /** A directory whose lease is older than this is a dead instance's, to be adopted. @defaultValue 10000 */
  readonly leaseMs?: number;
}

/** The records of one batch, on disk. */
export interface Segment {
  readonly number: number;
  readonly path: string;
  /** Open while records may still be appended or fsynced; closed once it is acknowledged or waits in the backlog. */
  fd: number | undefined;
  records: number;
  bytes: number;
  /** Everything written is on the disk (fsynced). */
  synced: boolean;
}

/**
 * The write-ahead journal of one logger instance. Every record is appended
 * to the open segment with one write(2) before `log()` returns; when the
 * batcher hands a batch on, the open segment is sealed, so one segment holds
 * one batch. A segment is deleted once Redis holds its batch; until then it
 * is the backlog that is replayed, and what another instance replays if this
 * one dies. The journal keeps no record in memory: the batcher does that.
 */
export class Journal<T = PredictionRecord> {
  /** This instance's directory: SPOOL_DIR/instances/<instance id>. */
  readonly dir: string;
  private readonly adoptedDir: string;
  private readonly maxBytes: number;
  private readonly mode: JournalFsync;
  private open: Segment | undefined;
  private readonly inFlight = new Set<Segment>();
  /** Sealed segments that Redis has not taken, in write order. */
  private readonly waiting: Segment[] = [];
  private nextNumber = 1;
  private ownBytes = 0;
  private waitingBytes = 0;
  private waitingRecords = 0;
  private adoptedBytes = 0;
  private adoptedFiles = 0;
  /** The size of the latest line, to tell whether another record would fit. */
  private lineBytes = 0;
  private lastError: Error | undefined;
  private directoryDirty = false;

  constructor(
    private readonly options: JournalOptions,
    private readonly instanceId: string,
    private readonly destination: JournalDestination,
  ) {
    if (!(options.maxBytes > 0)) throw new RangeError('journal: maxBytes must be > 0');
    this.maxBytes = options.maxBytes;
    this.mode = options.fsync ?? 'off';
    this.dir = createInstanceDirectory(options.dir, instanceId, destination);
    this.adoptedDir = join(this.dir, ADOPTED_DIR);
  }

  /**
   * Appends one record to the open segment; false when it was not kept (the
   * journal is full, or the disk refused), and the record then lives only in
   * memory until Redis takes it.
   */
  append(record: T): boolean {
    const line = JSON.stringify(record) + '\n';
    const size = Buffer.byteLength(line);
    this.lineBytes = size;
    if (this.bytes + size > this.maxBytes) return false;
    return this.write(line, size, 1);
  }

  /**
   * Appends several records in one write(2) (a batch request's instances): the same
   * guarantee as {@link append} for each, at one system call instead of one per record.
   * False when they were not all kept; those that fitted before a full journal were.
   */
  appendAll(records: readonly T[]): boolean {
    if (records.length <= 1) return records.length === 0 || this.append(records[0] as T);
    let text = '';
    for (const record of records) text += JSON.stringify(record) + '\n';
    const size = Buffer.byteLength(text);
    // Near the limit, record by record: as many as fit are kept, as append would keep them.
    if (this.bytes + size > this.maxBytes) return records.map((record) => this.append(record)).every(Boolean);
    this.lineBytes = Math.ceil(size / records.length);
    return this.write(text, size, records.length);
  }

  /** Writes whole lines (`size` bytes, `records` of them) to the open segment; false when the disk refused. */
  private write(lines: string, size: number, records: number): boolean {
    try {
      const segment = this.open ?? this.startSegment();
      const written = writeSync(segment.fd as number, lines);
      segment.bytes += written;
      this.ownBytes += written;
      // Only a full disk writes part of a line: end it, so the next line is whole (the torn one is skipped on replay).
      if (written < size) {
        const ended = writeSync(segment.fd as number, '\n');
        segment.bytes += ended;
        this.ownBytes += ended;
        throw new Error(`journal: wrote ${written} of ${size} bytes (disk full?)`);
      }
      if (this.mode === 'always') fsyncSync(segment.fd as number);
      segment.synced = this.mode === 'always';
      segment.records += records;
      this.lastError = undefined;
      return true;
    } catch (error) {
      this.lastError = error as Error;
      return false;
    }
  }

  /** Closes the open segment to appends and returns it (undefined when nothing was journaled since the last seal). */
  seal(): Segment | undefined {
    const segment = this.open;
    this.open = undefined;
    if (segment !== undefined) this.inFlight.add(segment);
    return segment;
  }

  /** Redis holds the segment's batch: delete it. */
  acknowledge(segment: Segment): void {
    // Not in flight any more: the directory was adopted during a stall (see heartbeat), the file is the adopter's.
    if (!this.inFlight.delete(segment)) return;
    this.closeFd(segment);
    this.unlink(segment.path);
    this.ownBytes -= segment.bytes;
  }

  /**
   * Redis did not take the segment's batch: it joins the backlog, in write
   * order, to be replayed. It is fsynced once on the way (in every mode, off
   * the event loop), so what waits out a Redis outage survives a machine
   * crash too, and its file closed: the backlog may be long. False when the
   * segment is no longer ours (adopted during a stall): the adopter replays it.
   */
  defer(segment: Segment): boolean {
    if (!this.inFlight.delete(segment)) return false;
    let at = this.waiting.length;
    while (at > 0 && (this.waiting[at - 1] as Segment).number > segment.number) at -= 1;
    this.waiting.splice(at, 0, segment);
    this.waitingBytes += segment.bytes;
    this.waitingRecords += segment.records;
    const fd = segment.fd;
    segment.fd = undefined;
    if (fd !== undefined && segment.synced) closeSync(fd);
    else if (fd !== undefined) fsync(fd, () => close(fd, () => undefined));
    return true;
  }

  /** The oldest segment of this instance's own backlog. */
  get nextWaiting(): Segment | undefined {
    return this.waiting[0];
  }

  /** A replayed backlog segment: delete it. */
  acknowledgeWaiting(segment: Segment): void {
    const at = this.waiting.indexOf(segment);
    if (at < 0) return;
    this.waiting.splice(at, 1);
    this.waitingBytes -= segment.bytes;
    this.waitingRecords -= segment.records;
    this.ownBytes -= segment.bytes;
    this.unlink(segment.path);
  }

  /** The segments of adopted instances, in replay order (each instance's in the order they were written). */
  adoptedSegments(): string[] {
    if (this.adoptedFiles === 0) return [];
    const paths = adoptedSegments(this.adoptedDir);
    // Nothing left on disk whatever the count says: believe the disk, or replay would go round forever.
    if (paths.length === 0) this.adoptedFiles = this.adoptedBytes = 0;
    return paths;
  }

  /** An adopted segment whose every batch Redis now holds: delete it. */
  acknowledgeAdopted(path: string): void {
    const size = sizeOf(path);
    this.unlink(path);
    this.adoptedBytes = Math.max(0, this.adoptedBytes - size);
    this.adoptedFiles = Math.max(0, this.adoptedFiles - 1);
  }

  /** Removes the adopted directories that hold no segment any more (after a pass of replay, not per segment: a tree can be large). */
  pruneAdopted(): void {
    pruneReplayed(this.adoptedDir);
  }

  /** A segment's records as batches of at most `maxRecords`. */
  read(path: string, maxRecords: number): T[][] {
    try {
      return readSegment<T>(path, maxRecords);
    } catch (error) {
      // Gone: another instance adopted it while this one stalled (see heartbeat). Any other error is retried later.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /**
   * The owner's heartbeat, then a look for dead instances to adopt. False
   * when this instance's own directory has gone: a stall longer than the
   * lease let another instance adopt it (and it replays what was there).
   * The directory is then made anew, so journaling goes on.
   */
  heartbeat(leaseMs: number): { readonly scan: ScanResult; readonly kept: boolean } {
    // Only a directory that is gone was adopted; one whose lease cannot be touched is a disk failing under us.
    const kept = refreshLease(this.dir) || existsSync(this.dir);
    if (!kept) this.restart();
    const scan = scanInstances({ root: this.options.dir, instanceId: this.instanceId, destination: this.destination, leaseMs, adoptedDir: this.adoptedDir });
    for (const claimed of scan.claimed) {
      this.adoptedBytes += claimed.bytes;
      this.adoptedFiles += claimed.segments;
    }
    const legacy = adoptLegacySegments(this.options.dir, join(this.adoptedDir, 'legacy'));
    this.adoptedBytes += legacy.bytes;
    this.adoptedFiles += legacy.files;
    // A dead instance that left no segment needs no replay, only removing.
    if (scan.claimed.some((claimed) => claimed.segments === 0)) pruneReplayed(this.adoptedDir);
    if (legacy.files === 0) return { scan, kept };
    return { scan: { ...scan, claimed: [...scan.claimed, { instanceId: 'legacy-spool', segments: legacy.files, bytes: legacy.bytes }] }, kept };
  }

  /** Flushes to the disk what was written and not yet synced (`interval` mode calls it on a timer). */
  sync(): void {
    try {
      for (const segment of [...this.inFlight, ...(this.open ? [this.open] : [])]) {
        if (segment.synced || segment.fd === undefined) continue;
        fsyncSync(segment.fd);
        segment.synced = true;
      }
      if (this.directoryDirty) {
        this.directoryDirty = false;
        fsyncDirectory(this.dir);
      }
    } catch (error) {
      this.lastError = error as Error;
    }
  }

  /** Bytes this instance keeps on disk: the open segment, batches in flight, the backlog and its adoptions. */
  get bytes(): number {
    return this.ownBytes + this.adoptedBytes;
  }

  /** Bytes waiting for Redis: this instance's backlog and what it adopted (not the open segment or batches in flight). */
  get backlogBytes(): number {
    return this.waitingBytes + this.adoptedBytes;
  }

  /** Records of this instance in its backlog (adopted ones belong to other instances). */
  get backlogRecords(): number {
    return this.waitingRecords;
  }

  get hasOwnBacklog(): boolean {
    return this.waiting.length > 0;
  }

  get hasBacklog(): boolean {
    return this.waiting.length > 0 || this.adoptedFiles > 0;
  }

  get limit(): number {
    return this.maxBytes;
  }

  /** False after the disk refused the latest append or fsync (true again once one succeeds). */
  get writable(): boolean {
    return this.lastError === undefined;
  }

  get error(): Error | undefined {
    return this.lastError;
  }

  /** The journal cannot keep another record of the latest one's size. */
  get full(): boolean {
    return this.bytes + Math.max(this.lineBytes, 1) > this.maxBytes;
  }

  /**
   * After the logger's last batch: removes the directory when nothing waits
   * in it, and otherwise expires the lease, so the next logger on the volume
   * (a restart, a replica) adopts the backlog at once.
   */
  close(): void {
    const open = this.seal();
    if (open !== undefined) this.defer(open);
    for (const segment of this.inFlight) this.defer(segment);
    if (this.hasBacklog) releaseLease(this.dir);
    else removeInstanceDirectory(this.options.dir, this.dir, this.instanceId);
  }

  private startSegment(): Segment {
    const path = join(this.dir, segmentFileName(this.nextNumber));
    const segment: Segment = { number: this.nextNumber, path, fd: openSync(path, 'ax'), records: 0, bytes: 0, synced: false };
    this.nextNumber += 1;
    this.open = segment;
    // A new file's name is in the directory, which needs an fsync of its own to survive a machine crash.
    if (this.mode === 'always') fsyncDirectory(this.dir);
    else this.directoryDirty = true;
    return segment;
  }

  /** Our directory was adopted: what it held is the adopter's to replay now; start again with an empty one. */
  private restart(): void {
    for (const segment of [...this.inFlight, ...this.waiting, ...(this.open ? [this.open] : [])]) this.closeFd(segment);
    this.open = undefined;
    this.inFlight.clear();
    this.waiting.length = 0;
    this.ownBytes = this.waitingBytes = this.waitingRecords = this.adoptedBytes = this.adoptedFiles = 0;
    try {
      createInstanceDirectory(this.options.dir, this.instanceId, this.destination);
    } catch (error) {
      this.lastError = error as Error;
    }
  }

  private closeFd(segment: Segment): void {
    const fd = segment.fd;
    segment.fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }

  private unlink(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // adopted by another instance after a stall: it is theirs to delete
    }
  }
}
