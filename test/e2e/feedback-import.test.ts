import { execFile } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LABEL_BATCH_JOB, queueNames } from '@vigil/queue';
import { request } from '../support/http';
import { freePort } from '../support/private-redis';
import { startStack, type Stack } from '../support/stack';
import { useTempDirs } from '../support/temp-dirs';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('cli feedback import through a real worker', function () {
  this.timeout(90_000);
  const tempDir = useTempDirs();
  let stack: Stack;
  let db: Database.Database;
  let dir: string;

  before(async function () {
    stack = await startStack(testConfig());
    db = new Database(stack.config.sqlitePath, { readonly: true });
  });
  beforeEach(() => (dir = tempDir('feedback-import')));
  after(async function () {
    db?.close();
    await stack?.close();
  });

  const cliWith = (redisUrl: string, ...args: string[]) =>
    new Promise<CliRun>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'apps/cli/src/main.ts', 'feedback', ...args],
        { env: { ...process.env, REDIS_URL: redisUrl, QUEUE_NAME: stack.config.queueName } },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: unknown }).code), stdout, stderr }),
      );
    });
  const cli = (...args: string[]) => cliWith(stack.config.redisUrl, ...args);
  const csv = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  };
  const historyCount = () => db.prepare('SELECT count(*) FROM label_history').pluck().get() as number;
  const current = (id: string) =>
    db.prepare('SELECT label, labeled_at FROM labels WHERE prediction_id = ?').get(id) as { label: number; labeled_at: string } | undefined;
  const isUnmatched = (id: string) => db.prepare('SELECT 1 FROM labels_unmatched WHERE prediction_id = ?').get(id) !== undefined;

  it('stores the good rows (joined, or listed unmatched), reports the bad ones by line, exits 1 for them, and a re-run adds nothing', async function () {
    const ids: string[] = [];
    for (const features of referenceInstances(2)) {
      const { status, body } = await request<{ prediction_id: string }>(stack.api.port, 'POST', '/predict', { features });
      expect(status).to.equal(200);
      ids.push(body.prediction_id);
    }
    await waitFor('predictions stored', () => (db.prepare('SELECT count(*) FROM predictions').pluck().get() === 2 ? true : undefined));
    const file = csv('labels.csv', [
      'prediction_id,label,labeled_at',
      `${ids[0]},1,2026-03-01T12:00:00Z`,
      `${ids[1]},0,`,
      `${ids[1]},7,`,
      'never-predicted-import,1,2026-03-02T00:00:00Z',
      'bad id,1,',
    ]);
    // Rows without labeled_at take the file's modification time: the same on a re-run.
    utimesSync(file, new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));

    const first = await cli('import', file, '--batch-size', '2');
    expect(first.code, first.stdout + first.stderr).to.equal(1);
    expect(first.stdout).to.include('line 4: label must be 0 or 1 (skipped)');
    expect(first.stdout).to.include('line 6: prediction_id must be a string of 1-128 printable characters, no spaces (skipped)');
    expect(first.stdout).to.match(/imported 3 label\(s\) in 2 job\(s\) .*; skipped 2 bad row\(s\)/);
    // Not a terminal: plain progress lines on stderr, not a bar.
    expect(first.stderr).to.match(/^import: 100% 5 rows, 3 labels enqueued$/m);
    expect(first.stderr).not.to.include('\x1b[K');

    await waitFor('the imported labels stored', () => (historyCount() === 3 ? true : undefined));
    expect(current(ids[0]!)).to.deep.equal({ label: 1, labeled_at: '2026-03-01T12:00:00.000Z' });
    expect(current(ids[1]!)).to.deep.equal({ label: 0, labeled_at: '2026-02-01T00:00:00.000Z' });
    expect(current('never-predicted-import')).to.deep.include({ label: 1 });
    expect(current('bad id')).to.equal(undefined);
    expect(ids.map(isUnmatched)).to.deep.equal([false, false]);
    expect(isUnmatched('never-predicted-import')).to.equal(true);

    // The same file again: the same jobs and labels. A file after it that lands proves the re-run had its turn.
    const again = await cli('import', file, '--batch-size', '2');
    expect(again.code).to.equal(1);
    const later = await cli('import', csv('later.csv', ['label,prediction_id', `1,${ids[1]}`]), '--labeled-at', '2026-04-01T00:00:00Z');
    expect(later.code, later.stdout + later.stderr).to.equal(0);
    expect(later.stdout).to.include('imported 1 label(s) in 1 job(s)');
    await waitFor('the later label stored', () => (current(ids[1]!)?.label === 1 ? true : undefined));
    expect(historyCount()).to.equal(4);
    // BullMQ took the re-run's jobs as the ones it had (ids from content): two from the first run, one from the later file.
    const connection = new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(queueNames(stack.config.queueName).log, { connection });
    try {
      const labelJobs = (await queue.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed'])).filter((job) => job.name === LABEL_BATCH_JOB.name);
      expect(labelJobs).to.have.length(3);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    // And the audit keeps every version once.
    await waitFor('the label versions audited', async () => {
      const rows = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${stack.config.auditSchema}".labels`);
      return Number(rows[0]!.n) === 4 ? true : undefined;
    });
  });

  it('exits 1 without importing anything when the header is wrong or Redis is unreachable, and 2 on a usage error', async function () {
    const before = historyCount();
    const noHeader = await cli('import', csv('no-header.csv', ['p-1,1']));
    expect(noHeader.code).to.equal(1);
    expect(noHeader.stdout).to.include('unknown column "p-1"');
    expect(noHeader.stdout).to.include('nothing imported');
    const missing = await cli('import', join(dir, 'not-there.csv'));
    expect(missing.code).to.equal(1);
    expect(missing.stdout).to.include('cannot read');
    // Nothing listens there: a failure said at once, not a hang.
    const noRedis = await cliWith(`redis://127.0.0.1:${await freePort()}`, 'import', csv('fine.csv', ['prediction_id,label', 'r-1,1']));
    expect(noRedis.code, noRedis.stdout).to.equal(1);
    expect(noRedis.stdout).to.include('ECONNREFUSED');
    expect(noRedis.stdout).to.include('0 label(s) were enqueued before the failure');
    for (const args of [[], ['import', 'a.csv', '--batch-size', '0'], ['import', 'a.csv', '--labeled-at', 'soon']]) {
      const usage = await cli(...args);
      expect(usage.code, args.join(' ')).to.equal(2);
      expect(usage.stderr).to.match(/Usage: vigil feedback|^ {2}feedback import \[options\] <labels\.csv>/m);
    }
    expect(historyCount()).to.equal(before);
  });
});
