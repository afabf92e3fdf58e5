import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AlertEvaluator, checkAlertRules, PostgresAlertStore, type AlertNotification, type AlertSources, type AlertStore } from '@vigil/alerts';
import { PostgresStore } from '@vigil/stores';
import { TcpProxy } from '../support/tcp-proxy';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Alert sources of the test's own: only dead_letters is read, and the test sets it. */
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

/** One rule: fires once the dead-letter queue has held anything for `for`. */
function rules(forDuration: string) {
  return checkAlertRules({ evaluation_interval: '1s', rules: [{ name: 'dead_letters', kind: 'dead_letters', threshold: 0, for: forDuration }] });
}

/** What a host runs: an evaluator over its own store instance (its own pool), all of them on one schema. */
interface Host {
  readonly store: AlertStore;
  readonly evaluator: AlertEvaluator;
}

describe('PostgresAlertStore: alert state shared by every host', function () {
  this.timeout(60_000);
  let schema: string;
  const opened: AlertStore[] = [];
  const open = (connectionString = POSTGRES_URL) => {
    const store = new PostgresAlertStore({ connectionString, schema });
    opened.push(store);
    return store;
  };

  beforeEach(function () {
    schema = `test_alert_store_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  });
  afterEach(async function () {
    for (const store of opened.splice(0)) await store.close();
    await dropSchema(schema);
  });

  /** Hosts sharing one clock, one breach switch and one notification log: as two workers see one Postgres. */
  function hosts(count: number, forDuration: string, world: { now: number; breached: boolean; notified: AlertNotification[]; errors: Error[] }): Host[] {
    return Array.from({ length: count }, () => {
      const store = open();
      const evaluator = new AlertEvaluator({
        rules: rules(forDuration),
        store,
        sources: sources(() => (world.breached ? 3 : 0)),
        publicUrl: 'http://vigil.example',
        // Slow, as a hand-over to Redis is: the window for a second hand-over of the same change stays open.
        notify: async (notification) => {
          await sleep(20);
          world.notified.push(notification);
        },
        onError: (_rule, error) => world.errors.push(error),
        now: () => world.now,
      });
      return { store, evaluator };
    });
  }

  /** Every host runs `rounds` rounds at the very same time (one tick handed to all of them, as around a restart). */
  const together = (all: readonly Host[], rounds: number) =>
    Promise.all(all.flatMap(({ evaluator }) => Array.from({ length: rounds }, () => evaluator.evaluateAll())));

  const historyOf = async (store: AlertStore) => (await store.history(100)).map((c) => `${c.from_state}->${c.to_state}`);

  it('two evaluators evaluating at once record each change once and notify it once: pending, then firing after `for`, then resolved', async function () {
    const world = { now: T0, breached: true, notified: [] as AlertNotification[], errors: [] as Error[] };
    const all = hosts(2, '2m', world);

    await together(all, 4);
    expect(await historyOf(all[0]!.store)).to.deep.equal(['inactive->pending']);
    expect(world.notified).to.deep.equal([]);

    world.now = T0 + 60_000; // held for 1 of the 2 minutes: still pending
    await together(all, 4);
    expect(await historyOf(all[1]!.store)).to.deep.equal(['inactive->pending']);

    world.now = T0 + 180_000;
    await together(all, 4);
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing']);
    expect(world.notified[0]).to.include({ rule: 'dead_letters', value: 3, threshold: 0, at: new Date(T0 + 180_000).toISOString() });

    world.breached = false;
    world.now = T0 + 240_000;
    await together(all, 4);
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing', 'resolved']);
    expect(await historyOf(all[0]!.store)).to.deep.equal(['firing->resolved', 'pending->firing', 'inactive->pending']);
    expect(new Set(world.notified.map((n) => n.id)).size).to.equal(2);
    expect(world.errors).to.deep.equal([]);
    for (const host of all) expect(await host.store.unnotified('dead_letters')).to.deep.equal([]);
  });

  it('a rule that fires at once (for 0s) under eight evaluators at once: one change, one notification', async function () {
    const world = { now: T0, breached: true, notified: [] as AlertNotification[], errors: [] as Error[] };
    const all = hosts(8, '0s', world);
    await together(all, 2);
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing']);
    expect(await historyOf(all[7]!.store)).to.deep.equal(['inactive->firing']);
    const rows = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".alert_history`);
    expect(rows[0]!.n).to.equal('1');
  });

  it('keeps the state for a new store instance: a firing alert stays firing, is not notified again, and its history is there', async function () {
    const world = { now: T0, breached: true, notified: [] as AlertNotification[], errors: [] as Error[] };
    const [first] = hosts(1, '0s', world);
    await first!.evaluator.evaluateAll();
    const before = await first!.store.states();
    expect(before.map((s) => [s.rule, s.state, s.since])).to.deep.equal([['dead_letters', 'firing', new Date(T0).toISOString()]]);
    await first!.store.close();
    opened.splice(opened.indexOf(first!.store), 1);

    // A restarted worker (or another host): a new pool over the same schema.
    world.now = T0 + 60_000;
    const [again] = hosts(1, '0s', world);
    const after = await again!.store.states();
    expect(after).to.deep.equal(before);
    expect(after[0]!.notified_id).to.be.greaterThan(0);
    await again!.evaluator.evaluateAll();
    expect(world.notified.map((n) => n.state)).to.deep.equal(['firing']);
    expect(await historyOf(again!.store)).to.deep.equal(['inactive->firing']);
    const [state] = await again!.store.states();
    expect(state).to.include({ state: 'firing', since: new Date(T0).toISOString(), evaluated_at: new Date(T0 + 60_000).toISOString() });
  });

  it('a hand-over that fails is retried next round, before any later change, and then marked', async function () {
    const store = open();
    const change = (to: string, at: number) => ({
      next: {
        rule: 'r',
        state: to === 'firing' ? ('firing' as const) : ('inactive' as const),
        since: new Date(at).toISOString(),
        value: 1,
        threshold: 0,
        evaluated_at: new Date(at).toISOString(),
      },
      change: { from_state: to === 'firing' ? 'inactive' : 'firing', to_state: to, value: 1, threshold: 0, notify: 1 },
    });
    await store.transition('r', () => change('firing', T0));
    await store.transition('r', () => change('resolved', T0 + 1000));
    const seen: string[] = [];
    let failures = 1;
    const handOver = async (c: { to_state: string }) => {
      seen.push(c.to_state);
      if (failures-- > 0) throw new Error('Redis is away');
    };
    let failed: Error | undefined;
    await store.handOver('r', handOver).catch((error: Error) => (failed = error));
    expect(failed?.message).to.equal('Redis is away');
    expect((await store.unnotified('r')).map((c) => c.to_state)).to.deep.equal(['firing', 'resolved']);
    await store.handOver('r', handOver);
    expect(seen).to.deep.equal(['firing', 'firing', 'resolved']);
    expect(await store.unnotified('r')).to.deep.equal([]);
    await store.handOver('r', handOver);
    expect(seen).to.have.length(3);
  });

  it('creates its tables once however many processes start at once, beside the audit migration of the same schema', async function () {
    const stores = Array.from({ length: 6 }, () => open());
    const audit = PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    await Promise.all([...stores.map((store) => store.ready()), audit.then((s) => s.close())]);
    const tables = await queryPostgres<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'alert%' ORDER BY table_name`,
      [schema],
    );
    expect(tables.map((t) => t.table_name)).to.deep.equal(['alert_history', 'alert_state']);
    expect(await stores[5]!.states()).to.deep.equal([]);
  });

  it('starts while Postgres is away: calls fail until it is back, then the tables are made and state is kept', async function () {
    const proxy = await TcpProxy.start(5432);
    try {
      await proxy.down();
      const store = open(`postgres://postgres@127.0.0.1:${proxy.port}/test`);
      let failed = false;
      await store.states().catch(() => (failed = true));
      expect(failed).to.equal(true);
      await proxy.up();
      await store.transition('r', () => ({
        next: { rule: 'r', state: 'pending', since: new Date(T0).toISOString(), value: 1, threshold: 0, evaluated_at: new Date(T0).toISOString() },
        change: { from_state: 'inactive', to_state: 'pending', value: 1, threshold: 0, notify: 0 },
      }));
      expect((await store.states()).map((s) => s.state)).to.deep.equal(['pending']);
    } finally {
      await proxy.down();
    }
  });
});
