import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * What one benchmark owns: queue names, a temp directory (SQLite files, spool,
 * process logs) and a Postgres schema, so it never sees another run's data.
 * `cleanUp` deletes them all.
 */
export class BenchResources {
  /** Resources not cleaned up yet, so an interrupted run can delete them (see bench/run.ts). */
  static readonly live = new Set<BenchResources>();

  readonly id = randomUUID().replaceAll('-', '').slice(0, 10);
  readonly dir: string;
  readonly schema: string;
  private readonly queues: string[] = [];
  private readonly schemasUsed = new Set<string>();

  constructor(readonly benchmark: string) {
    this.dir = mkdtempSync(join(tmpdir(), `vigil-bench-${benchmark}-`));
    this.schema = `bench_${benchmark.replaceAll('-', '_')}_${this.id}`;
    BenchResources.live.add(this);
  }

  /** A queue name of this benchmark's own; its Redis keys are deleted by cleanUp. */
  queue(label: string): string {
    const name = `bench-${this.benchmark}-${label}-${this.id}`;
    this.queues.push(name);
    return name;
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** The schema (or `<schema>_<suffix>`), marked for dropping by cleanUp. */
  useSchema(suffix?: string): string {
    const name = suffix === undefined ? this.schema : `${this.schema}_${suffix}`;
    this.schemasUsed.add(name);
    return name;
  }

  async cleanUp(options: { keepDir?: boolean } = {}): Promise<void> {
    BenchResources.live.delete(this);
    if (this.queues.length > 0) {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      try {
        for (const queue of this.queues) {
          // BullMQ keys are bull:<queue>:*; the dead-letter queue is bull:<queue>-dead-letter:*.
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${queue}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) await redis.unlink(...keys);
          } while (cursor !== '0');
        }
      } finally {
        redis.disconnect();
      }
    }
    if (this.schemasUsed.size > 0) {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        for (const schema of this.schemasUsed) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    }
    if (!options.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
