import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

interface Unmatched {
  count: number;
  labels: { prediction_id: string; label: number }[];
}

describe('POST /feedback through a real API and worker', function () {
  this.timeout(60_000);
  let stack: Stack;
  let db: Database.Database;

  before(async function () {
    stack = await startStack(testConfig({ SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-feedback-spool-')) }));
    db = new Database(stack.config.sqlitePath, { readonly: true });
  });
  after(async function () {
    db?.close();
    await stack?.close();
  });

  const currentLabel = (id: string) =>
    db.prepare('SELECT label, version FROM labels WHERE prediction_id = ?').get(id) as { label: number; version: number } | undefined;
  const historyCount = () => (db.prepare('SELECT count(*) AS n FROM label_history').get() as { n: number }).n;
  const unmatched = async () => {
    const { status, body } = await request<Unmatched>(stack.api.port, 'GET', '/monitoring/labels/unmatched?limit=10');
    expect(status, JSON.stringify(body)).to.equal(200);
    return body;
  };
  const predict = async () => {
    const { status, body } = await request<{ prediction_id: string }>(stack.api.port, 'POST', '/predict', { features: referenceInstances(1)[0] });
    expect(status).to.equal(200);
    return body.prediction_id;
  };

  it('stores a label for a stored prediction, joined (not unmatched), and a later one replaces it', async function () {
    const id = await predict();
    await waitFor('prediction stored', () => db.prepare('SELECT 1 FROM predictions WHERE prediction_id = ?').get(id));
    const first = await request<{ accepted: number }>(stack.api.port, 'POST', '/feedback', { prediction_id: id, label: 1, labeled_at: '2026-03-01T00:00:00Z' });
    expect(first.status, JSON.stringify(first.body)).to.equal(202);
    expect(first.body.accepted).to.equal(1);
    await waitFor('label stored', () => currentLabel(id));
    expect(currentLabel(id)).to.deep.equal({ label: 1, version: 1 });
    expect((await unmatched()).labels.map((l) => l.prediction_id)).not.to.include(id);

    const second = await request(stack.api.port, 'POST', '/feedback', { labels: [{ prediction_id: id, label: 0, labeled_at: '2026-03-02T00:00:00Z' }] });
    expect(second.status).to.equal(202);
    await waitFor('label replaced', () => (currentLabel(id)?.label === 0 ? true : undefined));
    expect(currentLabel(id)).to.deep.equal({ label: 0, version: 2 });

    // The audit keeps both versions, in replacement order, once each.
    const audited = () =>
      queryPostgres<{ label: number; version: number }>(
        `SELECT label, version FROM "${stack.config.auditSchema}".labels WHERE prediction_id = $1 ORDER BY labeled_at`,
        [id],
      );
    await waitFor('both versions audited', async () => ((await audited()).length === 2 ? true : undefined));
    expect(await audited()).to.deep.equal([
      { label: 1, version: 1 },
      { label: 0, version: 2 },
    ]);
  });

  it('keeps a label for an id never seen and lists it unmatched (the later join is tested in packages/stores)', async function () {
    const stranger = 'never-predicted-0001';
    expect((await request(stack.api.port, 'POST', '/feedback', { prediction_id: stranger, label: 1 })).status).to.equal(202);
    await waitFor('unmatched label listed', async () => ((await unmatched()).labels.some((l) => l.prediction_id === stranger) ? true : undefined));
    const body = await unmatched();
    expect(body.count).to.be.at.least(1);
    expect(body.labels.find((l) => l.prediction_id === stranger)).to.deep.include({ label: 1 });
  });

  it('answers bad feedback with a 4xx naming what and where, and stores nothing of it', async function () {
    const before = historyCount();
    const cases: [unknown, number, string, string?][] = [
      [
        {
          labels: [
            { prediction_id: 'ok-1', label: 1 },
            { prediction_id: 'ok-2', label: 2 },
          ],
        },
        422,
        'INVALID_LABELS',
        'labels[1].label',
      ],
      [{ label: 1 }, 422, 'INVALID_LABELS', 'prediction_id'],
      [{ prediction_id: 'x', label: 1, labeled_at: 'soon' }, 422, 'INVALID_LABELS', 'labeled_at'],
      [{ labels: 'nope' }, 400, 'INVALID_REQUEST'],
      ['{"prediction_id": ', 400, 'MALFORMED_JSON'],
      [{ labels: Array.from({ length: 1001 }, (_, i) => ({ prediction_id: `m-${i}`, label: 1 })) }, 413, 'TOO_MANY_LABELS'],
    ];
    for (const [body, status, code, path] of cases) {
      const answer = await request<{ error: { code: string; details: { problems?: { path: string }[] } } }>(stack.api.port, 'POST', '/feedback', body);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
      expect(answer.body.error.code).to.equal(code);
      if (path !== undefined) expect(answer.body.error.details.problems?.map((p) => p.path)).to.include(path);
    }
    const text = await request(stack.api.port, 'POST', '/feedback', 'prediction_id=x', { 'content-type': 'text/plain' });
    expect(text.status).to.equal(415);
    // A good label after them, so "nothing stored" is not just "nothing arrived yet".
    expect((await request(stack.api.port, 'POST', '/feedback', { prediction_id: 'after-the-bad-ones', label: 0 })).status).to.equal(202);
    await waitFor('the good label stored', () => currentLabel('after-the-bad-ones'));
    expect(historyCount()).to.equal(before + 1);
    expect(currentLabel('ok-1')).to.equal(undefined);
  });
});
