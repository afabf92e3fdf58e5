import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SqliteWriter } from '@vigil/stores';
import { PARQUET_ROW_GROUP_ROWS, writeExport, type ExportRow, type ExportSource } from '@vigil/export';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { FEATURE_NAMES } from './support/fixture';

const CHILD = fileURLToPath(new URL('./support/export-child.ts', import.meta.url));
const ROWS = 200_000;

interface ChildReport {
  readonly rows: number;
  readonly bytes: number;
  readonly rssGrowthMb: number;
  readonly maxBufferedMb: number;
}

async function exportInChild(path: string, format: string, mode: 'stream' | 'collect'): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', CHILD, path, format, mode], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as ChildReport;
}

/** A source over rows in memory that fails after handing out `failAfter` batches, as a store going away mid-export does. */
function failingSource(batches: readonly (readonly ExportRow[])[], failAfter: number): ExportSource & { closedReads: number } {
  const source = {
    closedReads: 0,
    count: async () => batches.flat().length,
    hasTraceId: async () => false,
    async *batches() {
      try {
        for (let i = 0; i < batches.length; i++) {
          if (i === failAfter) throw new Error('the store went away');
          yield batches[i]!;
        }
      } finally {
        source.closedReads += 1;
      }
    },
    close: () => undefined,
  };
  return source;
}

function rowsOf(count: number, start = 0): ExportRow[] {
  return predictionRecords(count, { start }).map((r) => ({
    prediction_id: r.prediction_id,
    timestamp: r.timestamp,
    model_version: r.model_version,
    prediction: r.prediction,
    probability: r.probability,
    latency_ms: r.latency_ms,
    instance_id: null,
    seq: null,
    label: null,
    labeled_at: null,
    features: JSON.stringify(r.features),
  }));
}

describe('export streaming: flat memory, backpressure, failures', function () {
  this.timeout(180_000);
  const tempDir = useTempDirs();

  it(`exports ${ROWS.toLocaleString('en')} rows in each format in flat memory, far below what holding the rows takes`, async function () {
    const path = join(tempDir('export-memory'), 'monitoring.db');
    const writer = SqliteWriter.open(path);
    for (let start = 0; start < ROWS; start += 10_000) writer.insertBatch(predictionRecords(10_000, { start }));
    writer.close();
    const collect = await exportInChild(path, 'jsonl', 'collect');
    for (const format of ['csv', 'jsonl', 'parquet']) {
      const report = await exportInChild(path, format, 'stream');
      const what = `${format}: ${JSON.stringify(report)}`;
      expect(report.rows, what).to.equal(ROWS);
      // The destination never holds more than a batch or a row group: the export waited for 'drain'.
      expect(report.maxBufferedMb, what).to.be.at.most(8);
      // Bounded, and well below holding the rows (the collect run), which is what grows with the window.
      expect(report.rssGrowthMb, what).to.be.below(200);
      expect(report.rssGrowthMb, `${what} vs collecting first: ${JSON.stringify(collect)}`).to.be.below(collect.rssGrowthMb * 0.75);
    }
  });

  it('reads no further than a batch (a row group for Parquet) ahead of a stalled destination, then finishes once it drains', async function () {
    const batch = rowsOf(1000);
    for (const format of ['csv', 'jsonl', 'parquet'] as const) {
      let handedOut = 0;
      const source: ExportSource = {
        count: async () => 60 * batch.length,
        hasTraceId: async () => false,
        async *batches() {
          for (let i = 0; i < 60; i++) {
            handedOut += 1;
            yield batch;
          }
        },
        close: () => undefined,
      };
      // Takes nothing until released, as a client that stops reading or a full disk.
      let released = false;
      const held: (() => void)[] = [];
      const out = new Writable({
        highWaterMark: 16 * 1024,
        write(_chunk, _encoding, done) {
          if (released) done();
          else held.push(done);
        },
      });
      const exported = writeExport(source, { format, query: { sinceIso: '2000-01-01T00:00:00.000Z' }, featureNames: FEATURE_NAMES }, out);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const rowGroupBatches = format === 'parquet' ? PARQUET_ROW_GROUP_ROWS / batch.length : 1;
      expect(handedOut, `${format}: batches read while the destination took nothing`).to.be.at.most(rowGroupBatches + 2);
      released = true;
      for (const done of held.splice(0)) done();
      expect((await exported).rows, format).to.equal(60 * batch.length);
    }
  });

  it('destroys the destination when the source fails mid-export, never ending it, and releases the read', async function () {
    const source = failingSource([rowsOf(100), rowsOf(100, 100), rowsOf(100, 200)], 2);
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(out, 'end').then(() => true);
    const error = await writeExport(source, { format: 'csv', query: { sinceIso: '2000-01-01T00:00:00.000Z' }, featureNames: FEATURE_NAMES }, out).catch(
      (e: unknown) => e as Error,
    );
    expect((error as Error).message).to.equal('the store went away');
    expect(out.destroyed).to.equal(true);
    expect(await Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve(false), 50))])).to.equal(false);
    expect(Buffer.concat(chunks).toString().split('\r\n').length).to.be.greaterThan(100); // the first batches had gone out
    expect(source.closedReads).to.equal(1);
  });

  it('leaves the destination untouched when the source fails before its first batch (an HTTP answer can still be an error)', async function () {
    const source = failingSource([rowsOf(10)], 0);
    const out = new PassThrough();
    const error = await writeExport(source, { format: 'csv', query: { sinceIso: '2000-01-01T00:00:00.000Z' }, featureNames: FEATURE_NAMES }, out).catch(
      (e: unknown) => e as Error,
    );
    expect((error as Error).message).to.equal('the store went away');
    expect(out.destroyed).to.equal(false);
    expect(out.writableLength).to.equal(0);
  });

  it('stops reading when the destination goes away (a client that hangs up), releasing the read', async function () {
    const batches = Array.from({ length: 50 }, (_, i) => rowsOf(200, i * 200));
    const source = failingSource(batches, batches.length);
    // A real HTTP response whose client reads one chunk and hangs up.
    const server = createServer((_req, res) => {
      void writeExport(source, { format: 'jsonl', query: { sinceIso: '2000-01-01T00:00:00.000Z' }, featureNames: FEATURE_NAMES }, res).then(
        () => server.emit('export', undefined),
        (error: unknown) => server.emit('export', error),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const settled = once(server, 'export');
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      await once(res, 'data');
      req.destroy();
      const [error] = (await settled) as [Error | undefined];
      expect(error?.name).to.equal('DestinationClosedError');
      expect(source.closedReads).to.equal(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('waits for the destination to take every byte before resolving (a file is whole when the promise is)', async function () {
    let taken = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        setTimeout(() => {
          taken += chunk.length;
          done();
        }, 5);
      },
    });
    const source = failingSource([rowsOf(500), rowsOf(500, 500)], 2);
    const result = await writeExport(source, { format: 'parquet', query: { sinceIso: '2000-01-01T00:00:00.000Z' }, featureNames: FEATURE_NAMES }, out);
    expect(result.rows).to.equal(1000);
    expect(taken).to.equal(result.bytes);
  });
});
