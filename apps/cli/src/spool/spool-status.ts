import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  directorySegments,
  INSTANCES_DIR,
  LABEL_JOURNAL_SUBDIR,
  LABEL_STREAM,
  leaseAgeMs,
  readOwner,
  sameDestination,
  SHADOW_JOURNAL_SUBDIR,
  SHADOW_STREAM,
  type JournalDestination,
  type OwnerFile,
} from '@vigil/prediction-log';

/** The three journals under SPOOL_DIR: each logger keeps its instances under its own subtree. */
const STREAMS = [
  { stream: 'predictions', subdir: '', ownerStream: undefined },
  { stream: LABEL_STREAM, subdir: LABEL_JOURNAL_SUBDIR, ownerStream: LABEL_STREAM },
  { stream: SHADOW_STREAM, subdir: SHADOW_JOURNAL_SUBDIR, ownerStream: SHADOW_STREAM },
] as const;

/** One logger instance's directory, as `vigil spool status` reports it. */
export interface InstanceStatus {
  /** predictions, labels or shadow: whose journal it is. */
  readonly stream: string;
  readonly instance_id: string;
  readonly dir: string;
  /** From owner.json; null when it is missing or unreadable (such a directory is never adopted). */
  readonly owner: Pick<OwnerFile, 'destination' | 'host' | 'pid' | 'started_at'> | null;
  /** Milliseconds since the owner's last heartbeat; null when the lease file is missing. */
  readonly lease_age_ms: number | null;
  /** `live`: its owner refreshed the lease within JOURNAL_LEASE_MS; `dead`: a live logger of the same destination adopts it. */
  readonly state: 'live' | 'dead';
  /** Its records go to another queue or Redis than this deployment's (QUEUE_NAME, REDIS_URL): no logger here replays it. */
  readonly foreign: boolean;
  /** Journal segment files, those of the instances it adopted included, and their size. */
  readonly segments: number;
  readonly bytes: number;
  /** One record a line; null when a segment is in the old spool's format (a batch a line). */
  readonly records: number | null;
}

export interface SpoolStatus {
  readonly spool_dir: string;
  /** This deployment's destination, what `foreign` is judged against. */
  readonly destination: JournalDestination;
  readonly lease_ms: number;
  readonly instances: readonly InstanceStatus[];
  readonly totals: {
    readonly instances: number;
    readonly live: number;
    readonly dead: number;
    readonly foreign: number;
    readonly segments: number;
    readonly bytes: number;
  };
}

export interface SpoolSettings {
  readonly spoolDir: string;
  readonly destination: JournalDestination;
  readonly leaseMs: number;
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Lines of a file, read in chunks (a segment can be large; it is never parsed). */
async function lineCount(path: string): Promise<number> {
  let lines = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
    }
  } catch {
    // adopted and replayed while we read: it holds nothing any more
  }
  return lines;
}

async function instanceStatus(settings: SpoolSettings, stream: (typeof STREAMS)[number], dir: string, id: string, now: number): Promise<InstanceStatus> {
  const owner = readOwner(dir);
  const age = leaseAgeMs(dir, now);
  const segments = directorySegments(dir);
  let bytes = 0;
  let records: number | null = 0;
  for (const path of segments) {
    try {
      bytes += statSync(path).size;
    } catch {
      continue;
    }
    // Journal segments (<n>.jsonl) hold one record a line; the old DiskSpool's files a batch a line.
    if (records !== null && path.endsWith('.jsonl')) records += await lineCount(path);
    else records = null;
  }
  const expected: JournalDestination = { ...settings.destination, ...(stream.ownerStream === undefined ? {} : { stream: stream.ownerStream }) };
  return {
    stream: stream.stream,
    instance_id: id,
    dir,
    owner: owner === undefined ? null : { destination: owner.destination, host: owner.host, pid: owner.pid, started_at: owner.started_at },
    lease_age_ms: age === undefined || !Number.isFinite(age) ? null : Math.max(0, Math.round(age)),
    state: age !== undefined && age < settings.leaseMs ? 'live' : 'dead',
    foreign: owner === undefined || !sameDestination(owner.destination, expected),
    segments: segments.length,
    bytes,
    records,
  };
}

/**
 * Every logger instance directory under SPOOL_DIR (predictions, labels/ and
 * shadow/), read without touching anything: a live logger may be writing,
 * and adoption goes by these very files. Undefined when SPOOL_DIR is absent.
 */
export async function readSpoolStatus(settings: SpoolSettings, now = Date.now()): Promise<SpoolStatus | undefined> {
  if (!existsSync(settings.spoolDir)) return undefined;
  const instances: InstanceStatus[] = [];
  for (const stream of STREAMS) {
    const root = join(settings.spoolDir, stream.subdir, INSTANCES_DIR);
    for (const id of entries(root)) instances.push(await instanceStatus(settings, stream, join(root, id), id, now));
  }
  const sum = (pick: (instance: InstanceStatus) => number) => instances.reduce((total, instance) => total + pick(instance), 0);
  return {
    spool_dir: settings.spoolDir,
    destination: settings.destination,
    lease_ms: settings.leaseMs,
    instances,
    totals: {
      instances: instances.length,
      live: instances.filter((instance) => instance.state === 'live').length,
      dead: instances.filter((instance) => instance.state === 'dead').length,
      foreign: instances.filter((instance) => instance.foreign).length,
      segments: sum((instance) => instance.segments),
      bytes: sum((instance) => instance.bytes),
    },
  };
}
