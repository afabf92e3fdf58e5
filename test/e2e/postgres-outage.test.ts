import { expect } from 'chai';
import Database from 'better-sqlite3';
import { request } from '../support/http';
import { metricValue } from '../support/metrics-text';
import { startStack, type Stack } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

describe('Postgres outage: SQLite keeps every record, the audit catches up with no loss and no duplicates', function () {
  this.timeout(120_000);
  let proxy: TcpProxy;
  let stack: Stack;

  before(async function () {
    proxy = await TcpProxy.start(5432);
    // The audit is down before the worker even starts.
    await proxy.down();
    stack = await startStack(
      testConfig({ AUDIT_DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`, AUDIT_RETRY_MAX_DELAY_MS: '500', WORKER_METRICS_PORT: '0' }),
    );
  });
  after(async function () {
    await proxy?.up();
    await stack?.close();
    await proxy?.down();
  });

  it('fills SQLite while Postgres is unreachable, reports the audit lag, then ships every row exactly once', async function () {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await request<{ predictions: { prediction_id: string }[] }>(stack.api.port, 'POST', '/predict', {
        instances: referenceInstances(10, i * 10),
      });
      expect(response.status).to.equal(200);
      ids.push(...response.body.predictions.map((p) => p.prediction_id));
    }
    const db = new Database(stack.config.sqlitePath, { readonly: true });
    try {
      await waitFor('300 rows in SQLite while Postgres is down', () =>
        db.prepare('SELECT count(*) FROM predictions').pluck().get() === 300 ? true : undefined,
      );
      expect(db.prepare('SELECT count(*) FROM predictions WHERE id > (SELECT shipped_through FROM audit_progress)').pluck().get()).to.equal(300);
    } finally {
      db.close();
    }
    const lagging = await waitFor('the audit lag metric', async () => {
      const text = await (await fetch(`http://127.0.0.1:${stack.worker.metricsPort}/metrics`)).text();
      return metricValue(text, 'vigil_audit_backlog_records') === 300 ? text : undefined;
    });
    expect(metricValue(lagging, 'vigil_audit_lag_seconds')).to.be.greaterThan(0);
    expect(metricValue(lagging, 'vigil_audit_write_failures_total')).to.be.greaterThan(0);

    await proxy.up();
    await waitFor(
      'the audit to catch up',
      async () => {
        const rows = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${stack.config.auditSchema}".predictions`).catch(() => [{ n: '0' }]);
        return rows[0]?.n === '300' ? true : undefined;
      },
      60_000,
    );
    const rows = await queryPostgres<{ prediction_id: string }>(`SELECT prediction_id FROM "${stack.config.auditSchema}".predictions`);
    expect(rows.map((r) => r.prediction_id).sort()).to.deep.equal([...ids].sort());
    const caughtUp = await waitFor('the lag to return to zero', async () => {
      const text = await (await fetch(`http://127.0.0.1:${stack.worker.metricsPort}/metrics`)).text();
      return metricValue(text, 'vigil_audit_backlog_records') === 0 ? text : undefined;
    });
    expect(metricValue(caughtUp, 'vigil_audit_lag_seconds')).to.equal(0);
  });
});
