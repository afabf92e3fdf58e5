import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('a traceparent header links the stored prediction to its trace (SQLite and the Postgres audit)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let db: Database.Database;

  before(async function () {
    stack = await startStack(testConfig({ SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-trace-spool-')) }));
    db = new Database(stack.config.sqlitePath, { readonly: true });
  });
  after(async function () {
    db?.close();
    await stack?.close();
  });

  it('stores the trace id of a valid traceparent, null for an invalid one or none, in both stores, and returns the request id', async () => {
    const send = async (headers: Record<string, string>) => {
      const answer = await request<{ predictions: { prediction_id: string }[] }>(
        stack.api.port,
        'POST',
        '/predict',
        { instances: referenceInstances(2) },
        headers,
      );
      expect(answer.status).to.equal(200);
      return { ids: answer.body.predictions.map((p) => p.prediction_id), requestId: answer.headers.get('x-request-id') };
    };
    const traced = await send({ traceparent: `00-${TRACE}-b7ad6b7169203331-01`, 'x-request-id': 'client-42' });
    expect(traced.requestId).to.equal('client-42');
    const invalid = await send({ traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` });
    const none = await send({});
    const stored = (id: string) => db.prepare('SELECT trace_id FROM predictions WHERE prediction_id = ?').get(id) as { trace_id: string | null } | undefined;
    const all = [...traced.ids, ...invalid.ids, ...none.ids];
    await waitFor('rows stored', () => (all.every((id) => stored(id) !== undefined) ? true : undefined));
    expect(traced.ids.map((id) => stored(id)?.trace_id)).to.deep.equal([TRACE, TRACE]);
    expect([...invalid.ids, ...none.ids].map((id) => stored(id)?.trace_id)).to.deep.equal([null, null, null, null]);
    const audited = () =>
      queryPostgres<{ prediction_id: string; trace_id: string | null }>(
        `SELECT prediction_id::text, trace_id FROM "${stack.config.auditSchema}".predictions WHERE prediction_id::text = ANY($1)`,
        [all],
      );
    await waitFor('rows audited', async () => ((await audited()).length === all.length ? true : undefined), 30_000);
    const byId = new Map((await audited()).map((row) => [row.prediction_id, row.trace_id]));
    expect(all.map((id) => byId.get(id))).to.deep.equal([TRACE, TRACE, null, null, null, null]);
    // And the recent predictions say it too.
    const recent = await request<{ predictions: { prediction_id: string; trace_id?: string }[] }>(stack.api.port, 'GET', '/monitoring/predictions?limit=10');
    expect(recent.body.predictions.find((p) => p.prediction_id === traced.ids[0])?.trace_id).to.equal(TRACE);
  });
});
