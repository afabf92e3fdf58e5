import { expect } from 'chai';
import { join } from 'node:path';
import { SqliteExportSource, type ExportSource } from '@vigil/export';
import { SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { useTestApps, type ErrorBody, type TestApp } from './support/test-app';

const READ_KEY = 'read-key-0123456789abcdef';

// GET /monitoring/export over a real SQLite file, through createApp's real stack (the access guard included).
// Every value of every format is checked against the stored rows in packages/export/test.
describe('GET /monitoring/export', function () {
  this.timeout(30_000);
  const apps = useTestApps();
  const tempDir = useTempDirs();
  const sources: ExportSource[] = [];
  afterEach(async function () {
    for (const source of sources.splice(0)) await source.close();
  });

  /** 40 predictions of the last minutes, every 4th of another model version. */
  function storedSource(): ExportSource {
    const path = join(tempDir('export-route'), 'monitoring.db');
    const writer = SqliteWriter.open(path);
    writer.insertBatch(
      predictionRecords(40, { fromMs: Date.now() - 5 * 60_000, stepMs: 1000, each: (n) => (n % 4 === 0 ? { model_version: 'challenger@2' } : {}) }),
    );
    writer.close();
    const source = new SqliteExportSource(path);
    sources.push(source);
    return source;
  }

  const get = (app: TestApp, path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${app.port}${path}`, init);

  it('streams CSV as an attachment: the header, then a row per stored prediction of the window', async function () {
    const app = await apps.api({ exportSource: storedSource() });
    const answer = await get(app, '/monitoring/export?window=1h&format=csv');
    expect(answer.status).to.equal(200);
    expect(answer.headers.get('content-type')).to.equal('text/csv; charset=utf-8; header=present');
    expect(answer.headers.get('content-disposition')).to.match(/^attachment; filename="vigil-export-1h-\d{8}T\d{6}Z\.csv"$/);
    // Streamed: no length known up front, chunked with a final chunk once the export is whole.
    expect(answer.headers.get('content-length')).to.equal(null);
    const lines = (await answer.text()).split('\r\n');
    expect(lines[0]).to.match(/^prediction_id,timestamp,model_version,prediction,probability,latency_ms,instance_id,seq,(trace_id,)?label,labeled_at,amount,/);
    expect(lines.slice(1, -1)).to.have.length(40);
    expect(lines.at(-1)).to.equal('');
    expect(app.lines.some((line) => JSON.stringify(line).includes('export streamed'))).to.equal(true);
  });

  it('streams JSON lines and Parquet, and keeps to one model version when asked', async function () {
    const app = await apps.api({ exportSource: storedSource() });
    const jsonl = await get(app, '/monitoring/export?window=1h&format=jsonl&model_version=challenger%402');
    expect(jsonl.status).to.equal(200);
    expect(jsonl.headers.get('content-type')).to.equal('application/x-ndjson; charset=utf-8');
    const objects = (await jsonl.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { model_version: string; features: Record<string, unknown> });
    expect(objects.map((o) => o.model_version)).to.deep.equal(Array(10).fill('challenger@2'));
    expect(objects[0]?.features).to.have.property('amount');
    const parquet = await get(app, '/monitoring/export?format=parquet');
    expect(parquet.status).to.equal(200);
    expect(parquet.headers.get('content-type')).to.equal('application/vnd.apache.parquet');
    expect(parquet.headers.get('content-disposition')).to.match(/filename="vigil-export-7d-\d{8}T\d{6}Z\.parquet"$/);
    const bytes = Buffer.from(await parquet.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).to.equal('PAR1');
    expect(bytes.subarray(-4).toString()).to.equal('PAR1');
  });

  it('refuses a bad format, window or an unknown parameter with 400 INVALID_QUERY_PARAMETER, before reading a row', async function () {
    const app = await apps.api({ exportSource: storedSource() });
    for (const [path, parameter] of [
      ['/monitoring/export?format=xlsx', 'format'],
      ['/monitoring/export?window=31d', 'window'],
      ['/monitoring/export?model_version=', 'model_version'],
      ['/monitoring/export?format=csv&limit=10', 'limit'],
    ] as const) {
      const refused = await app.request<ErrorBody>('GET', path);
      expect(refused.status, path).to.equal(400);
      expect(refused.contentType, path).to.match(/^application\/json/);
      expect(refused.body.error.code, path).to.equal('INVALID_QUERY_PARAMETER');
      expect(refused.body.error.details.parameter, path).to.equal(parameter);
      expect(refused.headers.get('content-disposition'), path).to.equal(null);
    }
  });

  it('needs the monitoring key when one is set: 401 without it, the file with it', async function () {
    const app = await apps.api({ exportSource: storedSource(), security: { monitoringApiKey: READ_KEY } });
    const refused = await app.request<ErrorBody>('GET', '/monitoring/export?format=csv');
    expect(refused.status).to.equal(401);
    expect(refused.body.error.code).to.equal('UNAUTHORIZED');
    expect(refused.body.error.details.realm).to.equal('monitoring');
    const wrong = await get(app, '/monitoring/export?format=csv', { headers: { authorization: `Bearer ${READ_KEY}x` } });
    expect(wrong.status).to.equal(401);
    const allowed = await get(app, '/monitoring/export?format=csv', { headers: { authorization: `Bearer ${READ_KEY}` } });
    expect(allowed.status).to.equal(200);
    expect((await allowed.text()).split('\r\n')).to.have.length(42);
  });

  it('answers 503 NOT_READY in JSON without an export source', async function () {
    const app = await apps.api();
    const answer = await app.request<ErrorBody>('GET', '/monitoring/export?format=csv');
    expect(answer.status).to.equal(503);
    expect(answer.body.error.code).to.equal('NOT_READY');
    expect(answer.headers.get('content-disposition')).to.equal(null);
  });

  it('answers a store that fails before the first byte with a JSON error, and cuts the response of one that fails after it', async function () {
    const stored = storedSource();
    /** The stored rows ten at a time, failing once `batches` batches went out (a moment later, as a disk or a network fails). */
    const failingAfter = (batches: number): ExportSource => ({
      count: (query) => stored.count(query),
      hasTraceId: () => stored.hasTraceId(),
      async *batches(query) {
        let sent = 0;
        for await (const batch of stored.batches(query)) {
          for (let i = 0; i < batch.length; i += 10) {
            if (sent === batches) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              throw new Error('disk I/O error');
            }
            yield batch.slice(i, i + 10);
            sent += 1;
          }
        }
      },
      close: () => undefined,
    });
    const early = await (await apps.api({ exportSource: failingAfter(0) })).request<ErrorBody>('GET', '/monitoring/export?format=csv');
    expect(early.status).to.equal(500);
    expect(early.body.error.code).to.equal('INTERNAL');
    expect(early.headers.get('content-disposition')).to.equal(null);

    // The first batches went out before the store failed: the status was sent, so the transfer is cut, never ended.
    const app = await apps.api({ exportSource: failingAfter(2) });
    const cut = await get(app, '/monitoring/export?format=csv');
    expect(cut.status).to.equal(200);
    const failure = await cut.text().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure, 'the body must not end as if whole').to.be.instanceOf(Error);
    expect(app.lines.some((line) => JSON.stringify(line).includes('export failed mid-stream'))).to.equal(true);
  });

  it('answers HEAD with the headers of the file and reads no row', async function () {
    let reads = 0;
    const stored = storedSource();
    const counting: ExportSource = {
      count: (query) => stored.count(query),
      hasTraceId: () => stored.hasTraceId(),
      batches: (query) => {
        reads += 1;
        return stored.batches(query);
      },
      close: () => undefined,
    };
    const app = await apps.api({ exportSource: counting });
    const head = await get(app, '/monitoring/export?format=jsonl', { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-type')).to.equal('application/x-ndjson; charset=utf-8');
    expect(reads).to.equal(0);
  });
});
