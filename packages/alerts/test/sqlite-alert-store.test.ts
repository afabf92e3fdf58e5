import { expect } from 'chai';
import { join } from 'node:path';
import { AlertEvaluator, checkAlertRules, openAlertStore, SqliteAlertStore, type AlertNotification, type AlertSources, type AlertStore } from '@vigil/alerts';
import { useTempDirs } from '../../../test/support/temp-dirs';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

/** Only dead_letters is read; the test sets it. */
function sources(deadLetters: () => number): AlertSources {
  const unused = () => Promise.reject(new Error('not read by a dead_letters rule'));
  return {
    latency: unused,
    distribution: unused,
    referenceFraudRate: 0,
    drift: unused,
    requests: unused,
    queueWaiting: unused,
    auditLagSeconds: unused,
    deadLetters: async () => deadLetters(),
  };
}

const RULES = checkAlertRules({ evaluation_interval: '1s', rules: [{ name: 'dead_letters', kind: 'dead_letters', threshold: 0, for: '2m' }] });

// The single-host store, through the evaluator; the Postgres one (shared by hosts): test/integration/postgres-alert-store.test.ts.
describe('SqliteAlertStore through the evaluator', function () {
  const tempDir = useTempDirs();
  const opened: AlertStore[] = [];
  afterEach(async function () {
    for (const store of opened.splice(0)) await store.close();
  });

  function evaluator(path: string, world: { now: number; breached: boolean; notified: AlertNotification[]; failNext: number }) {
    const store = SqliteAlertStore.open(path);
    opened.push(store);
    const evaluate = new AlertEvaluator({
      rules: RULES,
      store,
      sources: sources(() => (world.breached ? 2 : 0)),
      publicUrl: 'http://vigil.example/',
      notify: async (notification) => {
        if (world.failNext-- > 0) throw new Error('Redis is away');
        world.notified.push(notification);
      },
      now: () => world.now,
    });
    return { store, evaluate };
  }

  it('goes pending, fires after `for`, resolves; notifies firing and resolved once each, retrying a failed hand-over in order', async function () {
    const path = join(tempDir('sqlite-alert-store'), 'm.db');
    const world = { now: T0, breached: true, notified: [] as AlertNotification[], failNext: 0 };
    const { store, evaluate } = evaluator(path, world);

    await evaluate.evaluateAll();
    expect((await store.states()).map((s) => s.state)).to.deep.equal(['pending']);
    world.now = T0 + 180_000;
    world.failNext = 1;
    await evaluate.evaluateAll();
    expect(world.notified).to.deep.equal([]);
    expect((await store.unnotified('dead_letters')).map((c) => c.to_state)).to.deep.equal(['firing']);
    await evaluate.evaluateAll();
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing']);
    expect(world.notified[0]!.links).to.deep.equal({ alerts: 'http://vigil.example/monitoring/alerts', monitoring: 'http://vigil.example/admin/dead-letters' });

    world.breached = false;
    await evaluate.evaluateAll();
    await evaluate.evaluateAll();
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing', 'resolved']);
    expect((await store.history(10)).map((c) => `${c.from_state}->${c.to_state}`)).to.deep.equal(['firing->resolved', 'pending->firing', 'inactive->pending']);
    expect(await store.history(1)).to.have.length(1);
  });

  it('keeps the state in the file: a reopened store neither forgets a firing alert nor notifies it again', async function () {
    const path = join(tempDir('sqlite-alert-store'), 'm.db');
    const world = { now: T0, breached: true, notified: [] as AlertNotification[], failNext: 0 };
    await evaluator(path, world).evaluate.evaluateAll();
    world.now = T0 + 180_000;
    await evaluator(path, world).evaluate.evaluateAll();
    world.now = T0 + 240_000;
    const { store, evaluate } = evaluator(path, world);
    await evaluate.evaluateAll();
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing']);
    expect((await store.states())[0]).to.include({ state: 'firing', since: new Date(T0 + 180_000).toISOString() });
  });

  it('openAlertStore keeps state in the SQLite file when no audit database is configured', async function () {
    const path = join(tempDir('sqlite-alert-store'), 'm.db');
    const store = openAlertStore({ sqlitePath: path, auditDatabaseUrl: undefined, auditSchema: 'public' });
    opened.push(store);
    expect(store).to.be.instanceOf(SqliteAlertStore);
    await store.transition('r', () => ({
      next: { rule: 'r', state: 'pending', since: new Date(T0).toISOString(), value: 1, threshold: 0, evaluated_at: new Date(T0).toISOString() },
    }));
    const reopened = SqliteAlertStore.open(path);
    opened.push(reopened);
    expect((await reopened.states()).map((s) => [s.rule, s.state])).to.deep.equal([['r', 'pending']]);
  });
});
