import { Queue, type QueueOptions } from 'bullmq';
import { QueueError } from './errors';
import { bullConnection, keepsOfflineQueue, type RedisConnection } from './redis-connection';

/**
 * A BullMQ Queue built on first use, once it is safe to build. BullMQ sends
 * INFO the moment a Queue is built, and on a connection with the offline
 * queue off (the API's: it fails fast while Redis is away) that fails, and
 * poisons the Queue for good, unless the connection is already up. So on
 * such a connection the Queue is built only once the connection is ready,
 * and until then {@link ReadyQueue.get} throws `NOT_READY` (a caller spools,
 * or answers 503). A connection that keeps an offline queue (the worker's,
 * the CLI's) holds the INFO until it connects, so there it is built at once.
 *
 * The Queue's 'error' event is swallowed: connection trouble also fails each
 * call, where the caller sees and counts it; an 'error' event without a
 * listener would kill the process.
 */
export class ReadyQueue<Data = unknown> {
  private queue: Queue<Data> | undefined;

  constructor(
    private readonly connection: RedisConnection,
    readonly name: string,
    private readonly options: Omit<QueueOptions, 'connection'> = {},
  ) {}

  /** The Queue; throws a {@link QueueError} `NOT_READY` while it cannot be built yet. */
  get(): Queue<Data> {
    if (this.queue !== undefined) return this.queue;
    const { status } = this.connection;
    if (status !== 'ready' && !keepsOfflineQueue(this.connection)) {
      throw new QueueError('NOT_READY', `Redis is not connected (${status}): the queue cannot be used`, { dependency: 'redis', queue: this.name });
    }
    const queue = new Queue<Data>(this.name, { ...this.options, ...bullConnection(this.connection, this.name) });
    queue.on('error', () => undefined);
    this.queue = queue;
    return queue;
  }

  /** Closes the Queue if it was built, not the connection (its owner closes that). */
  async close(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    await queue?.close();
  }
}
