import { randomBytes } from 'node:crypto';

/**
 * What an instance id may be: the record field's rule (1-64 of [A-Za-z0-9_.-]),
 * minus a leading dot, because the id is also a directory name under SPOOL_DIR.
 */
const INSTANCE_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

/** Throws a RangeError naming the rule unless `id` can name an instance (and its journal directory). */
export function checkInstanceId(id: string): string {
  if (!INSTANCE_ID.test(id)) throw new RangeError(`instanceId must be 1-64 characters of [A-Za-z0-9_.-], not starting with '.' (got ${JSON.stringify(id)})`);
  return id;
}

/**
 * A fresh id for one process start: `api-` + the start time in base 36 + 48
 * random bits. The time first makes ids (and journal directories) sort by
 * start; the random part makes two starts in one millisecond differ. A new
 * id per start is what keeps `seq` unique: a restarted process begins at 1
 * again, under another id.
 */
export function newInstanceId(): string {
  return `api-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}
