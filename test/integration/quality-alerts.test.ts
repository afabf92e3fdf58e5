import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openAlertStore, startAlerting, type RunningAlerting } from '@vigil/alerts';
import type { Config } from '@vigil/config';
import type { Logger } from '@vigil/metrics';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { AuditShipper } from '@vigil/audit';
import { PostgresStore, SqliteWriter } from '@vigil/stores';
import { predictionRecord } from '../support/fixtures/prediction-records';
import { dropSchema, testConfig } from '../support/test-env';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The quality rules under test; each fires at once (for 0s), so one round decides. */
function rulesFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-quality-alerts-')), 'alerts.json');
  const rules = [
    { name: 'realized_recall', kind: 'realized_recall', threshold: 0.5, window: '6h', for: '0s', min_labeled: 200, severity: 'critical' },
    { name: 'label_coverage', kind: 'label_coverage', threshold: 0.5, window: '6h', for: '0s', min_count: 100 },
    { name: 'labels_stopped', kind: 'labels_stopped', threshold: 3600, window: '1h', for: '0s', min_count: 10 },
  ];
  // A long interval: the scheduler's own rounds stay out of the way of evaluateNow.
  writeFileSync(path, JSON.stringify({ evaluation_interval: '1h', rules }));
  return path;
}

/** A logger that keeps its warnings: a rule the evaluator could not evaluate is logged as one. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
    error: (message, fields) => warnings.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
}

/**
 * 400 predictions made 5 to 4 hours ago, 100 of them fraud by the labels;
 * the model flags `caught` of those 100 (probability 0.9) and calls the rest
 * 0.1, so realized recall is caught / 100. Plus 50 fresh unlabeled
 * predictions: traffic keeps arriving.
 */
function world(now: number, caught: number, labelsReceivedAt: number): { predictions: PredictionRecord[]; labels: LabelRecord[] } {
  const labeled = Array.from({ length: 400 }, (_, i) => {
    const fraud = i < 100;
    const flagged = fraud && i < caught;
    return { record: predictionRecord({ timestamp: iso(now - 5 * HOUR + i * 9000), prediction: flagged ? 1 : 0, probability: flagged ? 0.9 : 0.1 }), fraud };
  });
  const fresh = Array.from({ length: 50 }, (_, i) => predictionRecord({ timestamp: iso(now - 10 * 60_000 + i * 1000) }));
  const labels = labeled.map(({ record, fraud }) => ({
    prediction_id: record.prediction_id,
    label: fraud ? (1 as const) : (0 as const),
    labeled_at: iso(labelsReceivedAt - 60_000),
    received_at: iso(labelsReceivedAt),
  }));
  return { predictions: [...labeled.map((l) => l.record), ...fresh], labels };
}

describe('model-quality alert rules over a real SQLite store or the Postgres audit, evaluated by the worker’s alerting', function () {
  this.timeout(60_000);
  const running: { alerting: RunningAlerting; connection: Redis; writer?: SqliteWriter; schema?: string }[] = [];
  afterEach(async function () {
    for (const { alerting, connection, writer, schema } of running.splice(0)) {
      await alerting.close();
      connection.disconnect();
      writer?.close();
      if (schema !== undefined) await dropSchema(schema);
    }
  });

  async function start(config: Config, writer: SqliteWriter | undefined, logger: Logger): Promise<RunningAlerting> {
    const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    const alerting = await startAlerting({
      settings: config,
      connection,
      outbox: writer ?? { auditBacklog: () => ({ oldestTimestamp: undefined }) },
      deadLetters: { count: async () => 0 },
      logger,
    });
    running.push({
      alerting,
      connection,
      ...(writer === undefined ? {} : { writer }),
      ...(config.auditDatabaseUrl === undefined ? {} : { schema: config.auditSchema }),
    });
    return alerting;
  }

  async function states(config: Config): Promise<Record<string, { state: string; value: number | null }>> {
    const store = openAlertStore(config);
    try {
      return Object.fromEntries((await store.states()).map((s) => [s.rule, { state: s.state, value: s.value }]));
    } finally {
      await store.close();
    }
  }

  /** Predictions and labels through the real writer (labels first for some: they wait unmatched, then join), then one round. */
  async function evaluate(caught: number, labelsReceivedAt: (now: number) => number) {
    const config = testConfig({ AUDIT_DATABASE_URL: '', ALERT_RULES_PATH: rulesFile() });
    const writer = SqliteWriter.open(config.sqlitePath);
    const now = Date.now();
    const { predictions, labels } = world(now, caught, labelsReceivedAt(now));
    writer.insertLabels(labels.slice(0, 50));
    writer.insertBatch(predictions);
    writer.insertLabels(labels.slice(50));
    const logger = recordingLogger();
    const alerting = await start(config, writer, logger);
    await alerting.evaluateNow();
    expect(logger.warnings).to.deep.equal([]);
    return states(config);
  }

  it('fires realized_recall when the labels show the model missing fraud, and labels_stopped when they stopped coming', async function () {
    const result = await evaluate(20, (now) => now - 3 * HOUR);
    expect(result.realized_recall).to.deep.equal({ state: 'firing', value: 0.2 });
    expect(result.labels_stopped!.state).to.equal('firing');
    expect(result.labels_stopped!.value).to.be.closeTo(3 * 3600, 60);
    // 400 of 450 labeled: coverage is fine.
    expect(result.label_coverage!.state).to.equal('inactive');
    expect(result.label_coverage!.value).to.be.closeTo(400 / 450, 1e-12);
  });

  it('stays quiet when the labels agree with the model and keep arriving', async function () {
    const result = await evaluate(90, (now) => now - 60_000);
    expect(result.realized_recall).to.deep.equal({ state: 'inactive', value: 0.9 });
    expect(result.labels_stopped!.state).to.equal('inactive');
    expect(result.labels_stopped!.value).to.be.closeTo(60, 30);
  });

  it('reads the Postgres audit with MONITORING_STORE=postgres: the labels another host wrote fire the same rules', async function () {
    const config = testConfig({ MONITORING_STORE: 'postgres', ALERT_RULES_PATH: rulesFile() });
    // Another host: its own SQLite file, shipped to the audit; this worker's SQLite file holds none of it.
    const host = SqliteWriter.open(join(mkdtempSync(join(tmpdir(), 'vigil-quality-alerts-host-')), 'monitoring.db'));
    const now = Date.now();
    const { predictions, labels } = world(now, 20, now - 3 * HOUR);
    host.insertLabels(labels.slice(0, 50));
    host.insertBatch(predictions);
    host.insertLabels(labels.slice(50));
    const audit = await PostgresStore.open({ connectionString: config.auditDatabaseUrl!, schema: config.auditSchema });
    try {
      await new AuditShipper(host, audit).drain();
    } finally {
      await audit.close();
    }
    const logger = recordingLogger();
    const alerting = await start(config, host, logger);
    await alerting.evaluateNow();
    expect(logger.warnings).to.deep.equal([]);
    const result = await states(config);
    expect(result.realized_recall).to.deep.equal({ state: 'firing', value: 0.2 });
    expect(result.labels_stopped!.state).to.equal('firing');
    expect(result.labels_stopped!.value).to.be.closeTo(3 * 3600, 60);
    expect(result.label_coverage!.state).to.equal('inactive');
    expect(result.label_coverage!.value).to.be.closeTo(400 / 450, 1e-12);
  });
});
