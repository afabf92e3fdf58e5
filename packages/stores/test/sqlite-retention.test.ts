import { expect } from 'chai';
import { startRetention, type SqliteWriter } from '@vigil/stores';

const DAY = 86_400_000;

/** A writer whose pruneBefore deletes from a pretend backlog of `rows`, recording every call. */
function fakeWriter(rows: number): Pick<SqliteWriter, 'pruneBefore'> & { calls: [string, boolean, number][] } {
  let left = rows;
  const calls: [string, boolean, number][] = [];
  return {
    calls,
    pruneBefore(beforeIso, keepUnaudited, limit) {
      calls.push([beforeIso, keepUnaudited, limit]);
      const deleted = Math.min(left, limit);
      left -= deleted;
      return deleted;
    },
  };
}

function recordingLogger() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (message: string, fields?: Record<string, unknown>) => lines.push({ level: 'info', message, fields }),
    warn: (message: string, fields?: Record<string, unknown>) => lines.push({ level: 'warn', message, fields }),
  };
}

describe('startRetention (the SQLite retention scheduler)', function () {
  it('prunes in batches until a short one, with the cutoff RETENTION_DAYS back, and logs the total', async function () {
    const sqlite = fakeWriter(2500);
    const logger = recordingLogger();
    const retention = startRetention({ sqlite, retentionDays: 7, keepUnaudited: true, logger, batchSize: 1000, intervalMs: 3_600_000 });
    await new Promise((resolve) => setTimeout(resolve, 50)); // the round started at once, yielding between batches
    await retention.stop();
    expect(sqlite.calls.map(([, keep, limit]) => [keep, limit])).to.deep.equal([
      [true, 1000],
      [true, 1000],
      [true, 1000],
    ]);
    const cutoff = Date.parse(sqlite.calls[0]![0]);
    expect(cutoff).to.be.closeTo(Date.now() - 7 * DAY, 5000);
    expect(logger.lines).to.deep.equal([{ level: 'info', message: 'retention pruned old rows', fields: { rows: 2500, before: sqlite.calls[0]![0] } }]);
  });

  it('stops between two batches when asked to', async function () {
    const sqlite = fakeWriter(10_000);
    const retention = startRetention({ sqlite, retentionDays: 7, keepUnaudited: false, logger: recordingLogger(), batchSize: 1000, intervalMs: 3_600_000 });
    await retention.stop(); // the first batch ran at start; the round ends at its first yield
    expect(sqlite.calls).to.have.length(1);
  });

  it('says nothing when there is nothing to prune, and reports a failure without stopping', async function () {
    const logger = recordingLogger();
    const quiet = startRetention({ sqlite: fakeWriter(0), retentionDays: 1, keepUnaudited: false, logger, intervalMs: 3_600_000 });
    await quiet.stop();
    expect(logger.lines).to.deep.equal([]);

    const broken: Pick<SqliteWriter, 'pruneBefore'> = {
      pruneBefore() {
        throw new Error('database is locked');
      },
    };
    const failing = startRetention({ sqlite: broken, retentionDays: 1, keepUnaudited: false, logger, intervalMs: 3_600_000 });
    await failing.stop();
    expect(logger.lines).to.deep.equal([{ level: 'warn', message: 'retention failed; will try again', fields: { error: 'database is locked' } }]);
  });
});
