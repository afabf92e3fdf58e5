import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { startApi } from '../../apps/api/src/start-api';
import { request } from '../support/http';
import { PrivateRedis } from '../support/private-redis';
import { startStack, type Stack } from '../support/stack';
import { useTempDirs } from '../support/temp-dirs';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

/** The lines of every label journal segment under SPOOL_DIR (SPOOL_DIR/labels/instances/<id>/<n>.jsonl). */
function journaledLabelLines(spoolDir: string): string[] {
  const instances = join(spoolDir, 'labels', 'instances');
  let names: string[];
  try {
    names = readdirSync(instances);
  } catch {
    return [];
  }
  return names.flatMap((instance) =>
    readdirSync(join(instances, instance))
      .filter((file) => file.endsWith('.jsonl'))
      .flatMap((file) => readFileSync(join(instances, instance, file), 'utf8').split('\n'))
      .filter((line) => line !== ''),
  );
}

describe('Redis outage: feedback is journaled while Redis is down and replayed once it is back, none lost', function () {
  this.timeout(120_000);
  const tempDir = useTempDirs();
  let redis: PrivateRedis;
  let stack: Stack;
  let spoolDir: string;

  before(async function () {
    redis = await PrivateRedis.start();
  });
  beforeEach(async function () {
    spoolDir = tempDir('feedback-spool');
    stack = await startStack(testConfig({ REDIS_URL: redis.url, SPOOL_DIR: spoolDir }));
  });
  afterEach(async function () {
    await stack?.close();
  });
  after(async function () {
    await redis?.stop();
  });

  it('answers 202 while Redis is down, journals the labels (across an API restart), and stores and audits every one when it returns', async function () {
    const db = new Database(stack.config.sqlitePath, { readonly: true });
    try {
      const predicted = await request<{ prediction_id: string }>(stack.api.port, 'POST', '/predict', { features: referenceInstances(1)[0] });
      expect(predicted.status).to.equal(200);
      const id = predicted.body.prediction_id;
      await waitFor('the prediction stored', () => db.prepare('SELECT 1 FROM predictions WHERE prediction_id = ?').get(id));
      const first = await request(stack.api.port, 'POST', '/feedback', { prediction_id: id, label: 1, labeled_at: '2026-03-01T00:00:00Z' });
      expect(first.status).to.equal(202);
      // This Redis keeps nothing on disk: let the worker take the first label before the outage.
      await waitFor('the first label stored', () => db.prepare('SELECT 1 FROM labels WHERE prediction_id = ?').get(id));

      await redis.stop();
      const send = async (labels: { prediction_id: string; label: 0 | 1; labeled_at?: string }[]) => {
        const answer = await request<{ accepted: number }>(stack.api.port, 'POST', '/feedback', { labels });
        expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
        expect(answer.body.accepted).to.equal(labels.length);
      };
      const strangers = Array.from({ length: 40 }, (_, i) => ({ prediction_id: `outage-${i}`, label: (i % 2) as 0 | 1 }));
      await send([{ prediction_id: id, label: 0, labeled_at: '2026-03-02T00:00:00Z' }, ...strangers.slice(0, 20)]);
      await waitFor('the labels in the label journal', () => (journaledLabelLines(spoolDir).length >= 21 ? true : undefined));

      // A restart while Redis is still down: the new API adopts the old one's label journal.
      await stack.api.close();
      const restarted = await startApi(stack.config);
      (stack as { api: typeof stack.api }).api = restarted;
      await send(strangers.slice(20));

      await redis.start();
      const history = () => db.prepare('SELECT count(*) AS n, count(DISTINCT label_id) AS d FROM label_history').get() as { n: number; d: number };
      await waitFor('every label stored', () => (history().n === 42 ? true : undefined), 60_000);
      expect(history()).to.deep.equal({ n: 42, d: 42 });
      expect(db.prepare('SELECT label, version FROM labels WHERE prediction_id = ?').get(id)).to.deep.equal({ label: 0, version: 2 });
      expect(db.prepare('SELECT count(*) FROM labels_unmatched').pluck().get()).to.equal(40);
    } finally {
      db.close();
    }
    await stack.worker.shipper!.drain();
    const audited = await queryPostgres<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT label_id) AS d FROM "${stack.config.auditSchema}".labels`,
    );
    expect(audited[0]).to.deep.equal({ n: '42', d: '42' });
    // Replayed and acknowledged: the journal holds none of them any more.
    await waitFor('the label journal empty', () => (journaledLabelLines(spoolDir).length === 0 ? true : undefined));
  });
});
