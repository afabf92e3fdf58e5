import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { PredictionRecord } from '@vigil/records';

/** Options for {@link DiskSpool}. */
export interface DiskSpoolOptions {
  readonly dir: string;
  /** Appends past this many bytes on disk are refused (append returns false). */
  readonly maxBytes: number;
  /**
   * A segment is closed and a new one started past this size, so replayed
   * segments can be deleted while the spool keeps growing.
   * @defaultValue 16 MiB
   */
  readonly segmentBytes?: number;
}

/** One spooled batch, read back for replay. */
export interface SpooledBatch {
  readonly records: PredictionRecord[];
}

const OPEN = '.open';
const HOST = hostname().replace(/[^A-Za-z0-9_]/g, '_') || 'host';
const READY = '.ready';

/** Whether a process with this pid runs on this host. */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An append-only, bounded log of batches on local disk, one JSON line per
 * batch. The API writes here what it cannot hand to Redis, and replays it in
 * order once Redis is back. Segments carry their writer's pid, so replicas
 * sharing the directory never touch each other's live files, and segments
 * left by a process that died are adopted at start-up and replayed.
 *
 * Lines are written with one write(2) each, so a process crash never leaves
 * half a line; the segment is fsynced when it is closed and once a second by
 * the owner (see {@link DiskSpool.sync}).
 */
export class DiskSpool {
  private fd: number | undefined;
  private activePath: string | undefined;
  private activeBytes = 0;
  private sequence = 0;
  private totalBytes = 0;
  private readonly segmentBytes: number;

  constructor(private readonly options: DiskSpoolOptions) {
    if (!(options.maxBytes > 0)) throw new RangeError('DiskSpool: maxBytes must be > 0');
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    mkdirSync(options.dir, { recursive: true });
    this.adoptOrphans();
    this.totalBytes = this.segments().reduce((sum, name) => sum + statSync(join(options.dir, name)).size, 0);
  }

  /**
   * Takes over segments whose writer is gone (an API that crashed, or a
   * replica that was stopped for good), so their records are replayed too.
   * Called at start-up and then now and again by the owner.
   */
  adoptOrphans(): void {
    for (const name of readdirSync(this.options.dir)) {
      const match = /^(\d+-\d+)-([A-Za-z0-9_]+)\.(\d+)\.(open|ready)$/.exec(name);
      // Only this host can tell whether a pid is alive; another host's segments are its own to replay.
      if (match === null || match[2] !== HOST || alive(Number(match[3]))) continue;
      const adopted = join(this.options.dir, `${match[1]}${this.ownTag()}${READY}`);
      try {
        // rename is atomic: when two replicas race for one orphan, one wins and the other gets ENOENT.
        renameSync(join(this.options.dir, name), adopted);
        this.totalBytes += statSync(adopted).size;
      } catch {
        // another process adopted it first
      }
    }
  }

  /** Bytes on disk across every segment this process owns. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** True while anything waits to be replayed. */
  get hasBacklog(): boolean {
    return this.totalBytes > 0;
  }

  /** Appends one batch; false (nothing written) when the spool is full or the disk refuses. */
  append(records: readonly PredictionRecord[]): boolean {
    const line = Buffer.from(JSON.stringify({ records }) + '\n');
    if (this.totalBytes + line.length > this.options.maxBytes) return false;
    try {
      if (this.fd === undefined || this.activeBytes >= this.segmentBytes) this.rotate();
      writeSync(this.fd as number, line);
    } catch {
      return false;
    }
    this.activeBytes += line.length;
    this.totalBytes += line.length;
    return true;
  }

  /** Flushes the open segment to disk; the owner calls it on a timer. */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  /**
   * Closes the open segment so it can be replayed, and returns the segments
   * to replay, oldest first.
   */
  sealForReplay(): string[] {
    this.closeActive();
    return this.segments().filter((name) => name.endsWith(READY));
  }

  /** The batches of one sealed segment, in the order they were written. */
  read(segment: string): SpooledBatch[] {
    const text = readFileSync(join(this.options.dir, segment), 'utf8');
    const batches: SpooledBatch[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        batches.push(JSON.parse(line) as SpooledBatch);
      } catch {
        // Only a power cut can tear a line (see class comment); the rest of the segment is still good.
      }
    }
    return batches;
  }

  /** Deletes a segment whose every batch reached Redis. */
  remove(segment: string): void {
    const path = join(this.options.dir, segment);
    const size = statSync(path).size;
    unlinkSync(path);
    this.totalBytes = Math.max(0, this.totalBytes - size);
  }

  close(): void {
    this.closeActive();
  }

  /** Host and pid: containers sharing a volume can all be pid 1, so the pid alone does not name a writer. */
  private ownTag(): string {
    return `-${HOST}.${process.pid}`;
  }

  /** This process's segments, oldest first (names start with a sortable time). */
  private segments(): string[] {
    return readdirSync(this.options.dir)
      .filter((name) => (name.endsWith(OPEN) || name.endsWith(READY)) && name.slice(0, -(name.endsWith(OPEN) ? OPEN : READY).length).endsWith(this.ownTag()))
      .sort();
  }

  private rotate(): void {
    this.closeActive();
    // time (fixed width) then sequence: lexical order is write order.
    const name = `${Date.now().toString().padStart(15, '0')}-${String(this.sequence++).padStart(6, '0')}${this.ownTag()}${OPEN}`;
    this.activePath = join(this.options.dir, name);
    this.fd = openSync(this.activePath, 'a');
    this.activeBytes = 0;
  }

  private closeActive(): void {
    if (this.fd === undefined || this.activePath === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.activePath, this.activePath.slice(0, -OPEN.length) + READY);
    this.fd = undefined;
    this.activePath = undefined;
  }
}
