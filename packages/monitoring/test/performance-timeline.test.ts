import { join } from 'node:path';
import { expect } from 'chai';
import { loadQualityCalibrator, parseWindow, PerformanceService } from '@vigil/monitoring';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { SqliteQualityReader, SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';

const DAY = 86_400_000;
/** The services' clock: five days after the first prediction. */
const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);
const START = NOW - 5 * DAY;

/**
 * PerformanceService keeps the figures of timeline buckets that are stored
 * packed lists as they are; these check a kept figure is never served once
 * its day changed (a label, pending or folded), against a service that keeps
 * nothing yet.
 */
describe('PerformanceService: kept figures (windows and timeline buckets) follow every change', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();
  const { calibrator } = loadQualityCalibrator('artifacts/quality-reference.json');

  it('answers as a fresh service does after labels arrive, before and after they are folded', async function () {
    const path = join(tempDir('performance-timeline'), 'monitoring.db');
    // 4 days of rows, one every 2 minutes; the writer's clock is now, so every minute is compacted as it is stored.
    const rows: PredictionRecord[] = predictionRecords(2880, { fromMs: START, stepMs: 120_000 });
    const writer = SqliteWriter.open(path, { now: () => NOW });
    writer.insertBatch(rows);
    const label = (p: PredictionRecord, n: number): LabelRecord => ({
      prediction_id: p.prediction_id,
      label: n % 3 === 0 ? 1 : 0,
      labeled_at: new Date(NOW - DAY).toISOString(),
      received_at: new Date(NOW).toISOString(),
    });
    writer.insertLabels(rows.filter((_, n) => n % 4 === 0).map(label));
    while (writer.foldQualityRollups(8) > 0);

    const reader = SqliteQualityReader.open(path);
    const service = new PerformanceService(reader, calibrator, () => NOW);
    const window = parseWindow('7d');
    const freshService = async <T>(read: (service: PerformanceService) => Promise<T>) => {
      const freshReader = SqliteQualityReader.open(path);
      try {
        return await read(new PerformanceService(freshReader, calibrator, () => NOW));
      } finally {
        freshReader.close();
      }
    };
    const fresh = () => freshService((s) => s.timeline(window, '1d', undefined, undefined));
    // The window's figures too: kept while its lists are unchanged, made afresh once they change.
    const expectSpanAsFresh = async () => {
      for (const w of ['1d', '7d'].map((label) => parseWindow(label))) {
        for (const threshold of [undefined, 0.3]) {
          expect(await service.performance(w, undefined, threshold)).to.deep.equal(await freshService((s) => s.performance(w, undefined, threshold)));
        }
      }
    };
    const first = await service.timeline(window, '1d', undefined, undefined);
    expect(first.buckets.length).to.equal(5);
    expect(first).to.deep.equal(await fresh());
    expect(await service.timeline(window, '1d', undefined, undefined)).to.deep.equal(first);
    await expectSpanAsFresh();
    const before = await service.performance(window, undefined, undefined);

    // Labels for day 2's rows (a third of them replaced): pending, then folded. Each answer is a fresh one.
    const day2 = rows.filter((p) => Date.parse(p.timestamp) >= START + 2 * DAY && Date.parse(p.timestamp) < START + 3 * DAY);
    writer.insertLabels(day2.filter((_, n) => n % 5 === 0).map((p, n) => ({ ...label(p, n + 1), labeled_at: new Date(NOW).toISOString() })));
    const pending = await service.timeline(window, '1d', undefined, undefined);
    expect(pending).to.deep.equal(await fresh());
    expect(pending).to.not.deep.equal(first);
    await expectSpanAsFresh();
    expect((await service.performance(window, undefined, undefined)).labeled).to.be.greaterThan(before.labeled);
    while (writer.foldQualityRollups(1) > 0);
    const folded = await service.timeline(window, '1d', undefined, undefined);
    expect(folded).to.deep.equal(await fresh());
    await expectSpanAsFresh();
    expect(folded.buckets.map((b) => b.labeled)).to.deep.equal(pending.buckets.map((b) => b.labeled));
    // The other days' kept figures are still right: the same as the first answer.
    for (const [i, bucket] of folded.buckets.entries()) if (i !== 2 && i !== 3) expect(bucket).to.deep.equal(first.buckets[i]);

    reader.close();
    writer.close();
  });
});
