// Run as a child process by streaming.test.ts (`node --import tsx export-child.ts <sqlite path> <format> <mode>`), so its
// memory is its own: exports the file to a slow destination and prints one JSON line with what it measured.
//   mode stream:  writeExport straight from the file (what Vigil does);
//   mode collect: every row read into memory first, then written (what a non-streaming export would do), for comparison.
import { Writable } from 'node:stream';
import { SqliteExportSource, writeExport, type ExportFormat, type ExportRow, type ExportSource } from '@vigil/export';
import { FEATURE_NAMES } from './fixture';

const [path, format, mode] = process.argv.slice(2) as [string, ExportFormat, 'stream' | 'collect'];
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Takes each chunk a moment later, as a slow client or disk does: its buffer fills unless the export waits for 'drain'. */
let maxBuffered = 0;
const destination = new Writable({
  highWaterMark: 64 * 1024,
  write(_chunk, _encoding, done) {
    maxBuffered = Math.max(maxBuffered, destination.writableLength);
    setTimeout(done, 0);
  },
});

async function collected(from: ExportSource): Promise<ExportSource> {
  const all: ExportRow[] = [];
  for await (const batch of from.batches({ sinceIso: '2000-01-01T00:00:00.000Z' })) all.push(...batch);
  return {
    count: async () => all.length,
    hasTraceId: () => from.hasTraceId(),
    async *batches() {
      yield all;
    },
    close: () => undefined,
  };
}

const sqlite = new SqliteExportSource(path);
await sqlite.hasTraceId(); // the shared connection opened before the baseline
const rssStart = process.memoryUsage().rss;
let rssPeak = rssStart;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
const source = mode === 'collect' ? await collected(sqlite) : sqlite;
const result = await writeExport(
  source,
  {
    format,
    query: { sinceIso: '2000-01-01T00:00:00.000Z' },
    featureNames: FEATURE_NAMES,
    onProgress: () => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
  },
  destination,
);
clearInterval(sampler);
rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
sqlite.close();
process.stdout.write(`${JSON.stringify({ ...result, rssGrowthMb: mb(rssPeak - rssStart), maxBufferedMb: mb(maxBuffered) })}\n`);
