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
  min_labeled: 100,
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
      'realized_recall',
      'realized_precision',
      'realized_roc_auc',
      'estimated_recall',
      'estimated_precision',
      'quality_gap',
      'label_coverage',
      'labels_stopped',
    ]);
    expect(rules.evaluation_interval_ms).to.equal(15_000);
    expect(rules.rules.find((r) => r.kind === 'realized_recall')).to.include({ threshold: 0.4, window: '7d', min_labeled: 2000 });
  });

  it('gives min_labeled its default of 100, and takes one where the kind reads it', function () {
    const { rules } = checkAlertRules({
      rules: [
        { name: 'recall', kind: 'realized_recall', threshold: 0.5, window: '7d' },
        { name: 'gap', kind: 'quality_gap', threshold: 0.1, window: '7d', min_labeled: 500 },
      ],
    });
    expect(rules.map((r) => r.min_labeled)).to.deep.equal([100, 500]);
  });

  it('refuses a bad min_labeled, one on a kind that ignores it, and a ratio threshold above 1, naming rule and field', function () {
    const problems = (rules: unknown[]): string[] => {
      try {
        checkAlertRules({ rules }, 'alerts.json');
      } catch (error) {
        return (error as { details: { problems: string[] } }).details.problems;
      }
      return [];
    };
    expect(
      problems([
        { name: 'a', kind: 'realized_recall', threshold: 0.5, min_labeled: 'many' },
        { name: 'b', kind: 'realized_precision', threshold: 0.5, min_labeled: 0 },
        { name: 'c', kind: 'realized_roc_auc', threshold: 0.5, min_labeled: 12.5 },
        { name: 'd', kind: 'estimated_recall', threshold: 0.5, min_labeled: 200 },
        { name: 'e', kind: 'label_coverage', threshold: 5 },
        { name: 'f', kind: 'labels_stopped', threshold: 86400 },
      ]),
    ).to.deep.equal([
      'alerts.json.rules[0] (a).min_labeled: expected a whole number >= 1',
      'alerts.json.rules[1] (b).min_labeled: expected a whole number >= 1',
      'alerts.json.rules[2] (c).min_labeled: expected a whole number >= 1',
      'alerts.json.rules[3] (d).min_labeled: only realized_precision, realized_recall, realized_roc_auc, quality_gap rules read it',
      'alerts.json.rules[4] (e).threshold: expected a number from 0 to 1 for label_coverage (a share, not a percentage)',
    ]);
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

  it('keeps a firing quality alert firing through a round without a figure, where a pipeline kind resolves', function () {
    const recall = rule({ kind: 'realized_recall', threshold: 0.5 });
    const held = nextState(recall, state('firing', t0), { value: null, breached: false }, at(t0 + 1), t0 + 1);
    expect(held.change).to.equal(undefined);
    expect(held.next).to.include({ state: 'firing', since: at(t0), value: null });
    // A figure that is good again resolves it.
    expect(nextState(recall, state('firing', t0), { value: 0.8, breached: false }, at(t0 + 2), t0 + 2).change).to.include({ to_state: 'resolved' });
    // No figure never fires, and a pending quality alert drops back quietly: `for` needs the breach to hold.
    expect(nextState(recall, state('pending', t0), { value: null, breached: false }, at(t0 + 1), t0 + 1).change).to.include({
      to_state: 'inactive',
      notify: 0,
    });
    expect(nextState(recall, undefined, { value: null, breached: false }, at(t0), t0).change).to.equal(undefined);
    // The pipeline kinds keep their behaviour: too little data is no breach.
    expect(nextState(rule(), state('firing', t0), { value: null, breached: false }, at(t0 + 1), t0 + 1).change).to.include({ to_state: 'resolved' });
  });

  it('fires at once when `for` is 0', function () {
    expect(nextState(rule({ forMs: 0 }), undefined, { value: 20, breached: true }, at(t0), t0).change).to.include({ to_state: 'firing', notify: 1 });
  });
});
