import { expect } from 'chai';
import { checkAlertRules, loadAlertRules, nextState, type AlertRule, type AlertState } from '@vigil/alerts';

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  name: 'r',
  kind: 'latency_p95',
  threshold: 10,
  window: '5m',
  windowMs: 300_000,
  for: '2m',
  forMs: 120_000,
  severity: 'warning',
  min_count: 1,
  description: '',
  ...over,
});

const at = (ms: number) => new Date(ms).toISOString();

describe('alert rules', function () {
  it('ships valid defaults', function () {
    const rules = loadAlertRules('deploy/alerts.json');
    expect(rules.rules.map((r) => r.kind)).to.have.members([
      'latency_p95',
      'latency_p99',
      'error_rate',
      'fraud_rate_departure',
      'feature_drift',
      'dataset_drift',
      'queue_backlog',
      'audit_lag',
      'dead_letters',
      'no_predictions',
      'records_missing',
    ]);
    expect(rules.evaluation_interval_ms).to.equal(15_000);
  });

  it('names every problem by rule and field', function () {
    expect(() =>
      checkAlertRules(
        {
          evaluation_interval: '0s',
          rules: [
            { name: 'A B', kind: 'latency', threshold: -1, window: '10s', for: 'soon' },
            { name: 'x', kind: 'audit_lag', threshold: 1 },
            { name: 'x', kind: 'audit_lag', threshold: 1 },
          ],
        },
        'alerts.json',
      ),
    ).to.throw(
      /alerts\.json\.evaluation_interval[\s\S]*rules\[0\] \(A B\)\.name[\s\S]*\.kind[\s\S]*\.threshold[\s\S]*\.window[\s\S]*\.for[\s\S]*rules\[2\] \(x\)\.name: used twice/,
    );
  });
});

describe('nextState (pending → firing → resolved)', function () {
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  const state = (s: AlertState['state'], since: number): AlertState => ({
    rule: 'r',
    state: s,
    since: at(since),
    value: 1,
    threshold: 10,
    evaluated_at: at(since),
    notified_id: 0,
  });

  it('goes pending on a breach, firing once it held for `for`, and notifies only firing', function () {
    const r = rule();
    const first = nextState(r, undefined, { value: 20, breached: true }, at(t0), t0);
    expect(first.next.state).to.equal('pending');
    expect(first.change).to.include({ from_state: 'inactive', to_state: 'pending', notify: 0 });
    const early = nextState(r, state('pending', t0), { value: 20, breached: true }, at(t0 + 60_000), t0 + 60_000);
    expect(early.next.state).to.equal('pending');
    expect(early.change).to.equal(undefined);
    const fired = nextState(r, state('pending', t0), { value: 20, breached: true }, at(t0 + 120_000), t0 + 120_000);
    expect(fired.next.state).to.equal('firing');
    expect(fired.change).to.include({ from_state: 'pending', to_state: 'firing', notify: 1 });
    const still = nextState(r, state('firing', t0 + 120_000), { value: 25, breached: true }, at(t0 + 200_000), t0 + 200_000);
    expect(still.change).to.equal(undefined);
    expect(still.next).to.include({ state: 'firing', value: 25 });
  });

  it('resolves a firing alert (notified) and drops a pending one quietly', function () {
    const r = rule();
    expect(nextState(r, state('firing', t0), { value: 1, breached: false }, at(t0 + 1), t0 + 1).change).to.include({ to_state: 'resolved', notify: 1 });
    expect(nextState(r, state('pending', t0), { value: 1, breached: false }, at(t0 + 1), t0 + 1).change).to.include({ to_state: 'inactive', notify: 0 });
    expect(nextState(r, state('inactive', t0), { value: null, breached: false }, at(t0 + 1), t0 + 1).change).to.equal(undefined);
  });

  it('fires at once when `for` is 0', function () {
    expect(nextState(rule({ forMs: 0 }), undefined, { value: 20, breached: true }, at(t0), t0).change).to.include({ to_state: 'firing', notify: 1 });
  });
});
