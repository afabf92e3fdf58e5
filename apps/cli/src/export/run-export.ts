import { once } from 'node:events';
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { openExportSource, windowStartIso, writeExport, type ExportFormat, type ExportSource } from '@vigil/export';
import { loadModelSpec } from '@vigil/model';
import type { TimeWindow } from '@vigil/monitoring';
import { createProgress } from '@vigil/progress';
import type { CliContext } from '../program/cli-context';
import { EXIT } from '../program/exit-codes';
import { formatBytes } from '../format/bytes';

export interface ExportCommandOptions {
  readonly window: TimeWindow;
  readonly format: ExportFormat;
  readonly modelVersion: string | undefined;
  readonly out: string;
}

/** Writes the export beside `out` and renames it into place once whole: a failed export never leaves a short file under the name asked for. */
async function writeFileExport(source: ExportSource, context: CliContext, options: ExportCommandOptions, featureNames: readonly string[]) {
  const query = { sinceIso: windowStartIso(options.window.ms), modelVersion: options.modelVersion };
  const total = await source.count(query);
  const progress = createProgress(context.stderr, total, context.out, 'export');
  const partial = `${options.out}.partial-${process.pid}`;
  const file = createWriteStream(partial);
  try {
    await once(file, 'open');
    const result = await writeExport(
      source,
      {
        format: options.format,
        query,
        featureNames,
        onProgress: (rows) => progress.update(rows, `${rows.toLocaleString('en')} of ${total.toLocaleString('en')} rows`),
      },
      file,
    );
    if (!file.closed) await once(file, 'close');
    renameSync(partial, options.out);
    progress.finish(`${result.rows.toLocaleString('en')} rows`);
    return { ...result, sinceIso: query.sinceIso };
  } catch (error) {
    file.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * `export`: the stored predictions of the window, each with its current
 * label, from the store /monitoring reads (MONITORING_STORE), streamed into
 * a CSV, JSON lines or Parquet file; one column per feature of the served
 * model's spec (JSON lines keep the features object).
 */
export async function runExport(context: CliContext, options: ExportCommandOptions): Promise<number> {
  const config = context.config();
  // Opening a missing file would create an empty store and export nothing: say where we looked instead.
  if (config.monitoringStore === 'sqlite' && !existsSync(config.sqlitePath)) {
    context.out(`export: no monitoring store at ${config.sqlitePath} (SQLITE_PATH)`);
    return EXIT.failed;
  }
  let source: ExportSource | undefined;
  try {
    const featureNames = loadModelSpec(config.modelSpecPath).features.map((feature) => feature.name);
    source = openExportSource(config);
    const result = await writeFileExport(source, context, options, featureNames);
    const version = options.modelVersion === undefined ? '' : `, model version ${options.modelVersion}`;
    context.out(
      `wrote ${options.out}: ${result.rows.toLocaleString('en')} rows, ${result.bytes.toLocaleString('en')} bytes (${formatBytes(result.bytes)}); ` +
        `${options.format}, predictions since ${result.sinceIso}${version}`,
    );
    return EXIT.ok;
  } catch (error) {
    context.out(`export: ${(error as Error).message}`);
    return EXIT.failed;
  } finally {
    await source?.close();
  }
}
