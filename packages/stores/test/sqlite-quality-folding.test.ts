import { join } from 'node:path';
import { expect } from 'chai';
import type { PredictionRecord } from '@vigil/records';
import { openSqlite, SqliteQualityReader, SqliteWriter, startQualityFolding } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);

describe('startQualityFolding: the worker folds pending quality cells on a timer', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  it('folds every pending key in rounds of a few keys, the answers unchanged, and stops', async function () {
    const path = join(tempDir('quality-folding'), 'monitoring.db');
    // 40 hours of predictions, one every 4 minutes: one pending list per minute, marked to reach its hour and day when folded.
    const rows: PredictionRecord[] = predictionRecords(600, { fromMs: NOW - 2 * 86_400_000, stepMs: 240_000 });
    const writer = SqliteWriter.open(path, { now: () => NOW });
    writer.insertBatch(rows);
    const db = openSqlite(path);
    const pendingKeys = () => db.prepare<[], number>('SELECT count(*) FROM (SELECT DISTINCT level, key, model_version FROM quality_pending)').pluck().get()!;
    const keys = pendingKeys();
    expect(keys).to.equal(600);
    const reader = SqliteQualityReader.open(path);
    const since = Math.floor((NOW - 3 * 86_400_000) / 60_000);
    const before = await reader.span(since, undefined);

    const warnings: string[] = [];
    const folding = startQualityFolding({ sqlite: writer, logger: { warn: (m) => warnings.push(m) }, intervalMs: 10, keysPerTransaction: 4, budgetMs: 5 });
    // One round stops at its budget, not at the end of the backlog.
    const first = await folding.runOnce();
    expect(first).to.be.greaterThan(0).and.below(keys);
    for (let waited = 0; pendingKeys() > 0 && waited < 20_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await folding.stop();
    expect(pendingKeys()).to.equal(0);
    expect(warnings).to.deep.equal([]);
    // The minutes' lists reached their hours and days: 600 minutes, 40 hours, over 3 UTC days.
    const packedPerLevel = db.prepare<[], { level: string; n: number }>('SELECT level, count(*) AS n FROM quality_packed GROUP BY level ORDER BY level').all();
    expect(packedPerLevel).to.deep.equal([
      { level: 'day', n: 3 },
      { level: 'hour', n: 40 },
      { level: 'minute', n: 600 },
    ]);

    const after = await reader.span(since, undefined);
    expect(after.cells.map((c) => [c.bin, c.prediction, c.label, c.count])).to.deep.equal(before.cells.map((c) => [c.bin, c.prediction, c.label, c.count]));
    after.cells.forEach((c, i) => expect(c.sum_log_p).to.be.closeTo(before.cells[i]!.sum_log_p, 1e-9));
    // Stopped: new pending cells stay pending.
    writer.insertBatch(predictionRecords(5, { start: 600, fromMs: NOW - 86_400_000, stepMs: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pendingKeys()).to.be.greaterThan(0);
    reader.close();
    db.close();
    writer.close();
  });
});
