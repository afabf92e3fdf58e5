import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority to WORKER_NICE (never raises it: an
 * unprivileged process may not, and a supervisor may have set it lower on
 * purpose). The worker's writes can wait a few milliseconds; an answer to
 * /predict should not wait for them on a host whose cores they share.
 * Returns the priority the process runs at, for the start-up log line.
 */
export function lowerPriority(nice: number): number {
  const current = getPriority();
  if (nice <= current) return current;
  try {
    setPriority(nice);
    return getPriority();
  } catch {
    // Not allowed here (a sandbox, a seccomp profile): run as we are.
    return current;
  }
}
