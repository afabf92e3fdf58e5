import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '@vigil/config';
import type { FeatureRecord } from '@vigil/model';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Every queue name testConfig handed out in this process, for the clean-up after the run (cleanup-hooks.ts). */
export const testQueueNames = new Set<string>();

/**
 * A config of the test's own: its own queue, SQLite file and Postgres schema,
 * so tests never see each other's data.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  testQueueNames.add(`test-${id}`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL,
    QUEUE_NAME: `test-${id}`,
    SQLITE_PATH: join(dir, 'monitoring.db'),
    AUDIT_DATABASE_URL: POSTGRES_URL,
    AUDIT_SCHEMA: `test_${id}`,
    LOG_LEVEL: 'error',
    LOG_BATCH_MAX_WAIT_MS: '5',
    ...overrides,
  });
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function queryPostgres<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Polls until `check` returns a value other than undefined, or fails after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Realistic valid instances: rows of the training reference sample shipped in artifacts/. */
export function referenceInstances(count: number, offset = 0): FeatureRecord[] {
  const reference = JSON.parse(readFileSync('artifacts/reference.json', 'utf8')) as { rows: FeatureRecord[] };
  return reference.rows.slice(offset, offset + count);
}
