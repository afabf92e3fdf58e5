import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadQualityCalibrator } from '@vigil/monitoring';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { referenceInstances, testConfig, waitFor } from '../support/test-env';
import { seededUniform as random } from '../support/prng';

interface Figures {
  predictions: number;
  labeled: number;
  label_coverage: number | null;
  label_delay_seconds: { p50: number | null; p95: number | null };
  realized: {
    rows: number;
    tp: number;
    fp: number;
    tn: number;
    fn: number;
    precision: number | null;
    recall: number | null;
    f1: number | null;
    accuracy: number | null;
  };
  estimated: { rows: number; precision: number | null; recall: number | null; sampling_error: { precision: number | null; recall: number | null } };
  gap: { rows: number; precision: number | null; recall: number | null };
}

describe('GET /monitoring/performance through a real API and worker', function () {
  this.timeout(120_000);
  let stack: Stack;

  before(async function () {
    stack = await startStack(testConfig({ SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-performance-spool-')) }));
  });
  after(async function () {
    await stack?.close();
  });

  const performance = async (query = 'window=1h') => {
    const { status, body } = await request<Figures>(stack.api.port, 'GET', `/monitoring/performance?${query}`);
    expect(status, JSON.stringify(body)).to.equal(200);
    return body;
  };

  it('realized counts equal the exact ones over the rows sent, and the CBPE estimate made before the labels lands near them', async function () {
    // 5,000 real predictions from the served model.
    const instances = referenceInstances(5000);
    const rows: { prediction_id: string; probability: number; prediction: 0 | 1 }[] = [];
    for (let i = 0; i < instances.length; i += 1000) {
      const { status, body } = await request<{ predictions: { prediction_id: string; probability: number; prediction: 0 | 1 }[] }>(
        stack.api.port,
        'POST',
        '/predict',
        { instances: instances.slice(i, i + 1000) },
      );
      expect(status).to.equal(200);
      rows.push(...body.predictions);
    }
    await waitFor('predictions stored', async () => ((await performance()).predictions === rows.length ? true : undefined), 30_000);

    const before = await performance();
    expect(before.labeled).to.equal(0);
    expect(before.realized.tp + before.realized.fp + before.realized.tn + before.realized.fn).to.equal(0);
    expect(before.realized.precision).to.equal(null);
    expect(before.estimated.rows).to.equal(rows.length);

    // Labels drawn from the calibrated probabilities: the case where the estimate must hold.
    const { calibrator } = loadQualityCalibrator(stack.config.qualityReferencePath);
    const next = random(7);
    const labels = rows.map((r) => ({ prediction_id: r.prediction_id, label: next() < calibrator.calibrate(r.probability) ? 1 : 0 }));
    const labeledAt = new Date(Date.now() + 3_600_000).toISOString();
    for (let i = 0; i < labels.length; i += 1000) {
      const { status, body } = await request(stack.api.port, 'POST', '/feedback', {
        labels: labels.slice(i, i + 1000).map((l) => ({ ...l, labeled_at: labeledAt })),
      });
      expect(status, JSON.stringify(body)).to.equal(202);
    }
    await waitFor('labels joined', async () => ((await performance()).labeled === rows.length ? true : undefined), 30_000);

    const after = await performance();
    // Exact counts, computed here from the rows sent and the labels drawn.
    const exact = { tp: 0, fp: 0, tn: 0, fn: 0 };
    rows.forEach((r, i) => {
      const label = labels[i]!.label;
      if (r.prediction === 1) exact[label === 1 ? 'tp' : 'fp'] += 1;
      else exact[label === 1 ? 'fn' : 'tn'] += 1;
    });
    expect({ tp: after.realized.tp, fp: after.realized.fp, tn: after.realized.tn, fn: after.realized.fn }).to.deep.equal(exact);
    expect(exact.tp, 'the test needs fraud caught').to.be.greaterThan(20);
    expect(after.realized.precision).to.equal(exact.tp / (exact.tp + exact.fp));
    expect(after.realized.recall).to.equal(exact.tp / (exact.tp + exact.fn));
    expect(after.realized.accuracy).to.equal((exact.tp + exact.tn) / rows.length);
    expect(after.label_coverage).to.equal(1);
    expect(after.estimated.rows).to.equal(0);
    // Every label is an hour after its prediction (less the seconds the test took): p50 and p95 within the buckets' 4.4%.
    expect(after.label_delay_seconds.p50).to.be.within(3600 * 0.9, 3600 * 1.05);

    // The estimate made before any label arrived, against what the labels showed: within a few points,
    // and within three of its own sampling errors (labels drawn at random scatter that much).
    const { precision: estimated, sampling_error } = before.estimated;
    const realized = after.realized.precision!;
    expect(Math.abs(realized - estimated!), `estimated ${estimated} realized ${realized} ± ${sampling_error.precision}`).to.be.below(
      Math.max(0.05, 3 * sampling_error.precision!),
    );
    expect(Math.abs(after.realized.recall! - before.estimated.recall!)).to.be.below(Math.max(0.05, 3 * before.estimated.sampling_error.recall!));
    // The like-for-like gap stays small while the calibration holds.
    expect(Math.abs(after.gap.precision!)).to.be.below(Math.max(0.05, 3 * sampling_error.precision!));

    // A custom threshold and the timeline answer too; bad parameters are 400s naming the parameter.
    const custom = await performance('window=1h&threshold=0.3');
    expect(custom.realized.tp + custom.realized.fn).to.equal(exact.tp + exact.fn);
    const timeline = await request<{ buckets: Figures[] }>(stack.api.port, 'GET', '/monitoring/performance/timeline?window=1d&bucket=1h');
    expect(timeline.status).to.equal(200);
    expect(timeline.body.buckets.reduce((n, b) => n + b.predictions, 0)).to.equal(rows.length);
    for (const bad of ['threshold=1', 'threshold=abc', 'window=90d', 'bogus=1']) {
      const answer = await request<{ error: { code: string } }>(stack.api.port, 'GET', `/monitoring/performance?${bad}`);
      expect(answer.status, bad).to.equal(400);
      expect(answer.body.error.code, bad).to.equal('INVALID_QUERY_PARAMETER');
    }
    const badBucket = await request(stack.api.port, 'GET', '/monitoring/performance/timeline?window=30d&bucket=1m');
    expect(badBucket.status).to.equal(400);

    // Concept drift: later decisions replace every label, now drawn with three times the fraud the model sees.
    // The rows move from their old label to the new one, and realized parts from the estimate of the same rows.
    const shifted = rows.map((r) => ({ prediction_id: r.prediction_id, label: next() < Math.min(1, 3 * calibrator.calibrate(r.probability)) ? 1 : 0 }));
    const laterAt = new Date(Date.now() + 7_200_000).toISOString();
    for (let i = 0; i < shifted.length; i += 1000) {
      const { status } = await request(stack.api.port, 'POST', '/feedback', { labels: shifted.slice(i, i + 1000).map((l) => ({ ...l, labeled_at: laterAt })) });
      expect(status).to.equal(202);
    }
    const positives = shifted.filter((l) => l.label === 1).length;
    const drifted = await waitFor(
      'shifted labels joined',
      async () => {
        const body = await performance();
        return body.realized.tp + body.realized.fn === positives ? body : undefined;
      },
      30_000,
    );
    expect(drifted.labeled).to.equal(rows.length);
    const shiftedTp = rows.filter((r, i) => r.prediction === 1 && shifted[i]!.label === 1).length;
    expect(drifted.realized.tp).to.equal(shiftedTp);
    expect(drifted.gap.recall!, JSON.stringify(drifted.gap)).to.be.below(-3 * before.estimated.sampling_error.recall!);
    // The delay is to the first label: replacing labels does not move it.
    expect(drifted.label_delay_seconds.p50).to.equal(after.label_delay_seconds.p50);
  });
});
