import { createRedisConnection, DeadLetterQueue, queueNames } from '@vigil/queue';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';

/** Runs `use` on the dead-letter queue of QUEUE_NAME; a failure (Redis, an unknown id) is printed and exits 1. */
async function withDeadLetters(context: CliContext, verb: string, use: (dlq: DeadLetterQueue) => Promise<number>): Promise<number> {
  const config = context.config();
  const connection = createRedisConnection(config.redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  const dlq = new DeadLetterQueue(connection, config.queueName);
  try {
    return await use(dlq);
  } catch (error) {
    context.out(`dlq ${verb}: ${(error as Error).message}`);
    return EXIT.failed;
  } finally {
    await dlq.close();
    connection.disconnect();
  }
}

/** `dlq list`: the count, then one line per dead letter, newest first. */
export function listDeadLetters(context: CliContext, limit: number): Promise<number> {
  return withDeadLetters(context, 'list', async (dlq) => {
    const letters = await dlq.list(limit);
    context.out(`${await dlq.count()} dead letter(s) in ${queueNames(context.config().queueName).deadLetter}`);
    for (const letter of letters) {
      context.out(`${letter.id}\t${letter.kind}\t${letter.records} record(s)\t${letter.dead_lettered_at}\t${letter.reason}`);
    }
    return EXIT.ok;
  });
}

/** `dlq show <id>`: the whole entry, records included, as JSON. */
export function showDeadLetter(context: CliContext, id: string): Promise<number> {
  return withDeadLetters(context, 'show', async (dlq) => {
    context.out(JSON.stringify(await dlq.get(id), null, 2));
    return EXIT.ok;
  });
}

/** Every entry `dlq replay --all` takes: far more than one operator would page through. */
const REPLAY_ALL_LIMIT = 100_000;

/** `dlq replay <id>... | --all`: each entry back onto the log queue as a new job. */
export function replayDeadLetters(context: CliContext, which: readonly string[] | 'all'): Promise<number> {
  return withDeadLetters(context, 'replay', async (dlq) => {
    const ids = which === 'all' ? (await dlq.list(REPLAY_ALL_LIMIT)).map((letter) => letter.id) : which;
    if (ids.length === 0) context.out('nothing to replay');
    for (const id of ids) {
      const result = await dlq.replay(id);
      context.out(`replayed ${result.id}: ${result.records} record(s) as job ${result.job_id}`);
    }
    return EXIT.ok;
  });
}
