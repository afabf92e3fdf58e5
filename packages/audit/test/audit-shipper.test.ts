import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditShipper, type AuditTarget } from '@vigil/audit';
import { SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';

function outboxWith(count: number): SqliteWriter {
  const writer = SqliteWriter.open(join(mkdtempSync(join(tmpdir(), 'shipper-')), 'm.db'));
  writer.insertBatch(predictionRecords(count));
  return writer;
}

/** Stands in for the Postgres audit: `answer` decides how each page (numbered from 0 per call) settles. */
function fakeTarget(answer: (page: number) => { delayMs: number; fail?: boolean }) {
  const received: string[][] = [];
  const target: AuditTarget = {
    async insertAuditRows(rows) {
      const { delayMs, fail } = answer(received.length);
      received.push(rows.map((r) => r.prediction_id));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (fail === true) throw new Error('audit unreachable');
      return rows.length;
    },
  };
  return { target, received };
}

// With a real Postgres: test/integration/audit-shipper.test.ts.
describe('AuditShipper (the copy loop, against a stand-in audit)', function () {
  it('ships every row in id-ordered pages, pages committing out of order, and moves the progress to the last id', async function () {
    const writer = outboxWith(2500);
    // The first page of each pair is the slow one: the second commits first.
    const { target, received } = fakeTarget((page) => ({ delayMs: page % 2 === 0 ? 30 : 0 }));
    await new AuditShipper(writer, target, { batchSize: 1000, parallelPages: 2 }).drain();
    expect(received.map((page) => page.length)).to.deep.equal([1000, 1000, 500]);
    expect(received.flat()).to.deep.equal(predictionRecords(2500).map((r) => r.prediction_id));
    expect(writer.shippedThrough()).to.equal(2500);
    expect(writer.auditBacklog().count).to.equal(0);
    writer.close();
  });

  it('never moves the progress past a page that failed, and ships from it again next time', async function () {
    const writer = outboxWith(2500);
    let failing = true;
    // Page 2 fails at once while page 1 is still in flight; page 1 commits after it.
    const { target, received } = fakeTarget((page) => ({ delayMs: page === 0 ? 30 : 0, fail: failing && page === 1 }));
    const shipper = new AuditShipper(writer, target, { batchSize: 1000, parallelPages: 2 });
    let error: unknown;
    await shipper.drain().catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('audit unreachable');
    expect(writer.shippedThrough()).to.equal(1000);
    failing = false;
    received.length = 0;
    await shipper.drain();
    expect(received.flat()).to.deep.equal(
      predictionRecords(2500)
        .slice(1000)
        .map((r) => r.prediction_id),
    );
    expect(writer.shippedThrough()).to.equal(2500);
    writer.close();
  });

  it('copies the dead-lettered sequence runs that changed since the last copy, and only those, once each change', async function () {
    const writer = outboxWith(0);
    const merged: { kind: string; entries: unknown[] }[] = [];
    let failing = false;
    const target: AuditTarget = {
      insertAuditRows: async (rows) => rows.length,
      async mergeSeqRanges(kind, entries) {
        if (failing) throw new Error('audit unreachable');
        merged.push({ kind, entries: entries.map((e) => ({ instance_id: e.instance_id, ranges: e.ranges })) });
      },
    };
    const shipper = new AuditShipper(writer, target);
    writer.recordDeadLettered([
      { instance_id: 'api-a', seq: 3 },
      { instance_id: 'api-b', seq: 9 },
    ]);
    await shipper.drain();
    await shipper.drain(); // nothing changed: nothing copied
    expect(merged).to.deep.equal([
      {
        kind: 'dead_lettered',
        entries: [
          { instance_id: 'api-a', ranges: [[3, 3]] },
          { instance_id: 'api-b', ranges: [[9, 9]] },
        ],
      },
    ]);
    // A failed copy is tried again: the runs stay unshipped until the audit has them.
    writer.recordDeadLettered([{ instance_id: 'api-a', seq: 4 }]);
    failing = true;
    let error: unknown;
    await shipper.drain().catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('audit unreachable');
    failing = false;
    await shipper.drain();
    expect(merged[1]).to.deep.equal({ kind: 'dead_lettered', entries: [{ instance_id: 'api-a', ranges: [[3, 4]] }] });
    expect(writer.unshippedDeadLettered()).to.deep.equal([]);
    writer.close();
  });

  it('ships label versions page by page, and never moves their progress past a page that failed', async function () {
    const writer = outboxWith(0);
    const at = (day: number) => new Date(Date.UTC(2026, 2, day)).toISOString();
    writer.insertLabels(Array.from({ length: 25 }, (_, i) => ({ prediction_id: `p-${i}`, label: 1 as const, labeled_at: at(1), received_at: at(2) })));
    const received: string[][] = [];
    let failOn: number | undefined = 1;
    const target: AuditTarget = {
      insertAuditRows: async (rows) => rows.length,
      async insertLabelVersions(rows) {
        received.push(rows.map((r) => r.prediction_id));
        if (received.length - 1 === failOn) throw new Error('audit unreachable');
        return rows.length;
      },
    };
    const shipper = new AuditShipper(writer, target, { batchSize: 10 });
    let error: unknown;
    await shipper.drain().catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('audit unreachable');
    // The first page is in; the failed one and everything after it are still to ship.
    expect(writer.labelsForAudit(100).map((r) => r.prediction_id)).to.deep.equal(Array.from({ length: 15 }, (_, i) => `p-${i + 10}`));
    failOn = undefined;
    await shipper.drain();
    expect(received.map((page) => page.length)).to.deep.equal([10, 10, 10, 5]);
    expect(received.slice(1, 2)).to.deep.equal(received.slice(2, 3)); // the failed page, again
    expect(writer.labelsForAudit(100)).to.deep.equal([]);
    writer.close();
  });
});
