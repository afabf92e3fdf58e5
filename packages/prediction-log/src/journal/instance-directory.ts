import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JournalDestination } from './destination';

/**
 * The layout under SPOOL_DIR. Each logger instance owns one directory:
 *
 *   instances/<instance id>/owner.json   who wrote it and where its records go
 *   instances/<instance id>/lease        mtime = the owner's last heartbeat
 *   instances/<instance id>/<n>.jsonl    journal segments, one record a line
 *   instances/<instance id>/adopted/…    directories of dead instances this one took over
 *   staging/                             directories being created or removed, never adopted
 */
export const INSTANCES_DIR = 'instances';
const STAGING_DIR = 'staging';
const OWNER_FILE = 'owner.json';
const LEASE_FILE = 'lease';
export const ADOPTED_DIR = 'adopted';

/** What owner.json holds. Host and pid are for the people reading the volume; adoption goes by lease and destination only. */
export interface OwnerFile {
  readonly format: 1;
  readonly instance_id: string;
  readonly destination: JournalDestination;
  readonly host: string;
  readonly pid: number;
  readonly started_at: string;
}

/**
 * Creates this instance's directory with its owner.json and a fresh lease.
 * It is built in staging/ and renamed into instances/ whole, so a scanning
 * logger never sees a directory without its owner and lease.
 */
export function createInstanceDirectory(root: string, instanceId: string, destination: JournalDestination): string {
  const dir = join(root, INSTANCES_DIR, instanceId);
  // Each process start has its own id: a directory under the same id would mix two sequences of `seq`.
  if (existsSync(dir)) throw new Error(`journal directory ${dir} already exists: each logger instance needs an id of its own`);
  const staging = join(root, STAGING_DIR, instanceId);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, ADOPTED_DIR), { recursive: true });
  const owner: OwnerFile = { format: 1, instance_id: instanceId, destination, host: hostname(), pid: process.pid, started_at: new Date().toISOString() };
  writeFileSync(join(staging, OWNER_FILE), JSON.stringify(owner) + '\n');
  writeFileSync(join(staging, LEASE_FILE), '');
  mkdirSync(join(root, INSTANCES_DIR), { recursive: true });
  renameSync(staging, dir);
  return dir;
}

/** The owner of an instance directory, or undefined when owner.json is missing or not one. */
export function readOwner(dir: string): OwnerFile | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<OwnerFile>;
    const destination = owner.destination;
    if (typeof owner.instance_id !== 'string' || typeof destination?.queue !== 'string' || typeof destination.redis !== 'string') return undefined;
    if (destination.stream !== undefined && typeof destination.stream !== 'string') return undefined;
    return owner as OwnerFile;
  } catch {
    return undefined;
  }
}

/** The owner's heartbeat; false when the directory is gone (another instance adopted it). */
export function refreshLease(dir: string, now = new Date()): boolean {
  try {
    utimesSync(join(dir, LEASE_FILE), now, now);
    return true;
  } catch {
    return false;
  }
}

/** Marks the lease expired, so the next logger on the volume adopts what is left at once instead of after the lease. */
export function releaseLease(dir: string): void {
  try {
    utimesSync(join(dir, LEASE_FILE), new Date(0), new Date(0));
  } catch {
    // already adopted: nothing to release
  }
}

/**
 * Milliseconds since the owner's last heartbeat; Infinity when the lease
 * file is missing (a damaged directory has no owner to wait for), undefined
 * when the directory itself is gone (adopted by someone else meanwhile).
 */
export function leaseAgeMs(dir: string, now = Date.now()): number | undefined {
  try {
    return now - statSync(join(dir, LEASE_FILE)).mtimeMs;
  } catch {
    return existsSync(dir) ? Number.POSITIVE_INFINITY : undefined;
  }
}

/** Removes an instance directory that holds nothing more, moving it out of instances/ first so no scanner sees it half gone. */
export function removeInstanceDirectory(root: string, dir: string, instanceId: string): void {
  const doomed = join(root, STAGING_DIR, `removed-${instanceId}`);
  try {
    rmSync(doomed, { recursive: true, force: true });
    renameSync(dir, doomed);
    rmSync(doomed, { recursive: true, force: true });
  } catch {
    // adopted meanwhile, or the volume is gone: nothing of ours left to remove
  }
}
