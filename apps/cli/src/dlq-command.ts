import { Redis } from 'ioredis';
import type { Config } from '@vigil/config';
import { DeadLetterQueue, queueNames } from '@vigil/queue';

const USAGE = `usage: npm run cli -- dlq list [--limit N]
       npm run cli -- dlq show <id>
       npm run cli -- dlq replay <id>... | --all`;

/** `dlq list|show|replay`: the operator's view of the dead-letter queue. Returns the exit code. */
export async function dlqCommand(config: Config, args: readonly string[], out: (line: string) => void): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'list' && verb !== 'show' && verb !== 'replay') {
    out(USAGE);
    return 2;
  }
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  const dlq = new DeadLetterQueue(connection, config.queueName);
  try {
    if (verb === 'list') {
      const limitAt = rest.indexOf('--limit');
      const limit = limitAt >= 0 ? Number(rest[limitAt + 1]) : 100;
      if (!Number.isInteger(limit) || limit < 1) {
        out('--limit takes a whole number >= 1');
        return 2;
      }
      const letters = await dlq.list(limit);
      out(`${await dlq.count()} dead letter(s) in ${queueNames(config.queueName).deadLetter}`);
      for (const letter of letters) {
        out(`${letter.id}\t${letter.kind}\t${letter.records} record(s)\t${letter.dead_lettered_at}\t${letter.reason}`);
      }
      return 0;
    }
    if (verb === 'show') {
      if (rest[0] === undefined) {
        out(USAGE);
        return 2;
      }
      out(JSON.stringify(await dlq.get(rest[0]), null, 2));
      return 0;
    }
    const ids = rest[0] === '--all' ? (await dlq.list(100_000)).map((letter) => letter.id) : [...rest];
    if (ids.length === 0) {
      out(rest[0] === '--all' ? 'nothing to replay' : USAGE);
      return rest[0] === '--all' ? 0 : 2;
    }
    for (const id of ids) {
      const result = await dlq.replay(id);
      out(`replayed ${result.id}: ${result.records} record(s) as job ${result.job_id}`);
    }
    return 0;
  } catch (error) {
    out(`dlq ${verb}: ${(error as Error).message}`);
    return 1;
  } finally {
    await dlq.close();
    connection.disconnect();
  }
}
