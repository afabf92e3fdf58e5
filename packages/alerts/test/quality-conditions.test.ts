import { expect } from 'chai';
import { checkAlertRules, type AlertKind, type AlertRule } from '@vigil/alerts';
import type { PerformanceFigures } from '@vigil/monitoring';
import { ALERT_KIND_DESCRIPTIONS, ALERT_KINDS } from '../src/alert-rules';
import { breaches, evaluateCondition, type AlertSources } from '../src/conditions';

/** Figures as PerformanceService reports them; only the fields the quality kinds read matter. */
function figures(over: { labeled?: number; estimatedRows?: number; realized?: object; estimated?: object; gap?: object } = {}): PerformanceFigures {
  const labeled = over.labeled ?? 1000;
  const estimatedRows = over.estimatedRows ?? 3000;
  const quality = { tp: 0, fp: 0, tn: 0, fn: 0, precision: 0.8, recall: 0.6, f1: 0.69, roc_auc: 0.93 };
  return {
    predictions: labeled + estimatedRows,
    labeled,
    label_coverage: labeled + estimatedRows > 0 ? labeled / (labeled + estimatedRows) : null,
    label_delay_seconds: { p50: null, p95: null },
    realized: { rows: labeled, ...quality, accuracy: 0.98, average_precision: 0.7, brier: 0.02, log_loss: 0.08, calibration: [], ...over.realized },
    estimated: { rows: estimatedRows, ...quality, sampling_error: { precision: 0.01, recall: 0.01, f1: 0.01, roc_auc: 0.01 }, ...over.estimated },
    gap: { rows: labeled, precision: 0.02, recall: -0.01, f1: 0, roc_auc: 0, ...over.gap },
  } as PerformanceFigures;
}

interface World {
  performance?: PerformanceFigures;
  secondsSinceLastLabel?: number | undefined;
  predictions?: number;
}

/** Sources where only the quality reads matter; the rest would fail the test if read. `undefined` world: no quality store. */
function sources(world: World | undefined): AlertSources {
  const unused = () => Promise.reject(new Error('not read by quality kinds'));
  const base: AlertSources = {
    latency: unused,
    distribution: async () => ({ total: world?.predictions ?? 0, fraud_rate: null }),
    referenceFraudRate: 0,
    drift: unused,
    requests: unused,
    queueWaiting: unused,
    auditLagSeconds: unused,
    deadLetters: unused,
  };
  if (world === undefined) return base;
  return {
    ...base,
    performance: async () => world.performance ?? figures(),
    secondsSinceLastLabel: async () => world.secondsSinceLastLabel,
  };
}

function rule(kind: AlertKind, threshold: number, extra: Record<string, unknown> = {}): AlertRule {
  return checkAlertRules({ rules: [{ name: 'r', kind, threshold, window: '7d', ...extra }] }).rules[0]!;
}

describe('model-quality alert conditions', function () {
  it('fires the realized kinds when the figure is below the threshold, each reading its own figure', async function () {
    const world = { performance: figures({ realized: { precision: 0.55, recall: 0.3, roc_auc: 0.9 } }), secondsSinceLastLabel: 60 };
    expect(await evaluateCondition(rule('realized_recall', 0.5), sources(world))).to.deep.equal({ value: 0.3, breached: true });
    expect(await evaluateCondition(rule('realized_precision', 0.5), sources(world))).to.deep.equal({ value: 0.55, breached: false });
    expect(await evaluateCondition(rule('realized_roc_auc', 0.95), sources(world))).to.deep.equal({ value: 0.9, breached: true });
    // Exactly at the threshold is not below it.
    expect((await evaluateCondition(rule('realized_recall', 0.3), sources(world))).breached).to.equal(false);
  });

  it('gives no verdict under min_labeled labeled rows, or when the figure is undefined for the data', async function () {
    const bad = figures({ labeled: 150, realized: { recall: 0.1 } });
    expect(await evaluateCondition(rule('realized_recall', 0.5, { min_labeled: 200 }), sources({ performance: bad }))).to.deep.equal({
      value: null,
      breached: false,
    });
    expect((await evaluateCondition(rule('realized_recall', 0.5, { min_labeled: 150 }), sources({ performance: bad }))).breached).to.equal(true);
    // Default min_labeled (100): 50 labeled rows are too few.
    expect((await evaluateCondition(rule('realized_recall', 0.5), sources({ performance: figures({ labeled: 50, realized: { recall: 0 } }) }))).value).to.equal(
      null,
    );
    // No positives among the labels: recall is null, which neither fires nor counts as good.
    const noPositives = figures({ realized: { recall: null, roc_auc: null } });
    expect(await evaluateCondition(rule('realized_recall', 0.5), sources({ performance: noPositives }))).to.deep.equal({ value: null, breached: false });
    expect(await evaluateCondition(rule('realized_roc_auc', 0.5), sources({ performance: noPositives }))).to.deep.equal({ value: null, breached: false });
  });

  it('fires the estimated kinds on the CBPE estimate, with min_count counting the estimated (unlabeled) rows', async function () {
    const world = { performance: figures({ estimatedRows: 500, estimated: { precision: 0.4, recall: 0.7 } }) };
    expect(await evaluateCondition(rule('estimated_precision', 0.6), sources(world))).to.deep.equal({ value: 0.4, breached: true });
    expect(await evaluateCondition(rule('estimated_recall', 0.6), sources(world))).to.deep.equal({ value: 0.7, breached: false });
    expect((await evaluateCondition(rule('estimated_precision', 0.6, { min_count: 501 }), sources(world))).value).to.equal(null);
    const allLabeled = { performance: figures({ estimatedRows: 0, estimated: { precision: null, recall: null } }) };
    expect((await evaluateCondition(rule('estimated_precision', 0.6, { min_count: 0 }), sources(allLabeled))).value).to.equal(null);
  });

  it('fires quality_gap on the size of the precision gap PerformanceService reports, either sign', async function () {
    const under = { performance: figures({ gap: { precision: -0.15 } }) };
    expect(await evaluateCondition(rule('quality_gap', 0.1), sources(under))).to.deep.equal({ value: 0.15, breached: true });
    expect((await evaluateCondition(rule('quality_gap', 0.1), sources({ performance: figures({ gap: { precision: 0.05 } }) }))).breached).to.equal(false);
    expect((await evaluateCondition(rule('quality_gap', 0.1, { min_labeled: 1001 }), sources(under))).value).to.equal(null);
    expect((await evaluateCondition(rule('quality_gap', 0.1), sources({ performance: figures({ gap: { precision: null } }) }))).value).to.equal(null);
  });

  it('fires label_coverage below the threshold, once any label has ever arrived', async function () {
    const thin = figures({ labeled: 100, estimatedRows: 9900 });
    expect(await evaluateCondition(rule('label_coverage', 0.05), sources({ performance: thin, secondsSinceLastLabel: 30 }))).to.deep.equal({
      value: 0.01,
      breached: true,
    });
    expect(
      (await evaluateCondition(rule('label_coverage', 0.05, { min_count: 20_000 }), sources({ performance: thin, secondsSinceLastLabel: 30 }))).value,
    ).to.equal(null);
    // Never a label: no label feed to watch.
    const never = figures({ labeled: 0, estimatedRows: 5000 });
    expect(await evaluateCondition(rule('label_coverage', 0.05), sources({ performance: never, secondsSinceLastLabel: undefined }))).to.deep.equal({
      value: null,
      breached: false,
    });
  });

  it('fires labels_stopped when the newest label is older than the threshold while predictions keep arriving', async function () {
    const stopped = rule('labels_stopped', 86_400, { window: '1h', min_count: 10 });
    expect(await evaluateCondition(stopped, sources({ secondsSinceLastLabel: 90_000, predictions: 50 }))).to.deep.equal({ value: 90_000, breached: true });
    expect(await evaluateCondition(stopped, sources({ secondsSinceLastLabel: 600, predictions: 50 }))).to.deep.equal({ value: 600, breached: false });
    // Predictions stopped too (no_predictions says so), or no label ever: no verdict.
    expect(await evaluateCondition(stopped, sources({ secondsSinceLastLabel: 90_000, predictions: 5 }))).to.deep.equal({ value: null, breached: false });
    expect(await evaluateCondition(stopped, sources({ secondsSinceLastLabel: undefined, predictions: 50 }))).to.deep.equal({ value: null, breached: false });
  });

  it('gives every quality kind no verdict without a quality source (no rule reads quality), without throwing', async function () {
    const kinds = ALERT_KINDS.filter((kind) => ALERT_KIND_DESCRIPTIONS[kind].readsQuality);
    expect(kinds).to.have.length(8);
    for (const kind of kinds) {
      expect(await evaluateCondition(rule(kind, kind === 'labels_stopped' ? 60 : 0.5), sources(undefined)), kind).to.deep.equal({
        value: null,
        breached: false,
      });
    }
  });

  it('takes each kind’s direction from its description alone', function () {
    expect(breaches({ kind: 'realized_recall', threshold: 0.5 }, 0.49)).to.equal(true);
    expect(breaches({ kind: 'realized_recall', threshold: 0.5 }, 0.51)).to.equal(false);
    expect(breaches({ kind: 'quality_gap', threshold: 0.1 }, 0.11)).to.equal(true);
    expect(breaches({ kind: 'no_predictions', threshold: 0 }, 0)).to.equal(true);
    expect(breaches({ kind: 'latency_p95', threshold: 50 }, 50)).to.equal(false);
    expect(breaches({ kind: 'label_coverage', threshold: 0.05 }, null)).to.equal(false);
    const below = ALERT_KINDS.filter((kind) => ALERT_KIND_DESCRIPTIONS[kind].fires === 'below');
    expect(below).to.have.members(['realized_precision', 'realized_recall', 'realized_roc_auc', 'estimated_precision', 'estimated_recall', 'label_coverage']);
  });
});
