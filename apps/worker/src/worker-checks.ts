import type { RedisConnection } from '@vigil/queue';
import type { SqliteWriter } from '@vigil/stores';
import type { WorkerCheck } from './health-server';

/** SQLite answers: a one-row read of the outbox position (throws once the file is closed or unreadable). */
export function sqliteCheck(sqlite: SqliteWriter): WorkerCheck {
  return () => {
    sqlite.shippedThrough();
    return true;
  };
}

/**
 * Redis answers a PING. The worker's connection queues commands while it is
 * away (BullMQ needs that), so a probe during an outage is answered from the
 * connection's state instead of adding a PING that waits for the reconnect.
 */
export function redisCheck(connection: RedisConnection): WorkerCheck {
  return async () => connection.status === 'ready' && (await connection.ping()) === 'PONG';
}
