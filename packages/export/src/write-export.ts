import { ByteSink } from './byte-sink';
import type { ExportFormat, ExportOptions, ExportResult, ExportSource } from './export-types';
import { CsvWriter } from './formats/csv-writer';
import type { FormatWriter } from './formats/format-writer';
import { JsonlWriter } from './formats/jsonl-writer';
import { ParquetExportWriter } from './formats/parquet-writer';
import { exportLayout, type ExportLayout } from './layout';

function formatWriter(format: ExportFormat, layout: ExportLayout, sink: ByteSink): FormatWriter {
  switch (format) {
    case 'csv':
      return new CsvWriter(layout, sink);
    case 'jsonl':
      return new JsonlWriter(layout, sink);
    case 'parquet':
      return new ParquetExportWriter(layout, sink);
  }
}

/**
 * Streams every matching row to `out` (a file or an HTTP response) in the
 * format asked for, batch by batch with the destination's backpressure, so
 * memory stays flat however many rows there are; ends `out` and resolves,
 * once it has taken every byte, to the rows and bytes written.
 *
 * Nothing is written before the source has answered its first batch, so a
 * store that cannot be read fails the export before a byte is sent, leaving
 * `out` as it was (an HTTP answer can still be an error). A failure after
 * the first byte destroys `out` instead of ending it: a reader sees a broken
 * transfer, never a short file that looks whole (a caller writing a file
 * removes it).
 */
export async function writeExport(source: ExportSource, options: ExportOptions, out: NodeJS.WritableStream): Promise<ExportResult> {
  const sink = new ByteSink(out);
  const batches = source.batches(options.query);
  let rows = 0;
  try {
    const layout = exportLayout(options.featureNames, await source.hasTraceId());
    const writer = formatWriter(options.format, layout, sink);
    let next = await batches.next();
    await writer.start();
    while (next.done !== true) {
      await writer.write(next.value);
      rows += next.value.length;
      options.onProgress?.(rows);
      next = await batches.next();
    }
    await writer.finish();
    await sink.end();
    return { rows, bytes: sink.bytes };
  } catch (error) {
    if (sink.bytes > 0) sink.abort();
    throw error;
  } finally {
    // Releases the store's read (its connection, its snapshot) whether the export finished or not.
    await batches.return(undefined);
  }
}
