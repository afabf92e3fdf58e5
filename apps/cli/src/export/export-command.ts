import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, isExportFormat, type ExportFormat } from '@vigil/export';
import { parseWindow } from '@vigil/monitoring';
import type { CliContext } from '../program/cli-context';
import { exitCodesHelp } from '../program/exit-codes';
import { modelVersion, timeWindow } from '../program/option-values';
import { runExport, type ExportCommandOptions } from './run-export';

const EXPORT_HELP = `
Columns: prediction_id, timestamp, model_version, prediction, probability,
latency_ms, instance_id, seq, (trace_id,) label, labeled_at, then one per
feature of the served model (MODEL_PATH's spec); JSON lines keep the features
object. Read from MONITORING_STORE (SQLITE_PATH or the Postgres audit) in one
snapshot, streamed: memory stays flat however many rows. The window starts at a
whole minute, as /monitoring counts.`;

/** The format a file name ends in (`x.parquet`), else csv (as GET /monitoring/export defaults). */
function formatOf(out: string): ExportFormat {
  const extension = out.slice(out.lastIndexOf('.') + 1).toLowerCase();
  return isExportFormat(extension) ? extension : 'csv';
}

/** `vigil export`. */
export function registerExportCommand(program: Command, context: CliContext): void {
  program
    .command('export')
    .summary('predictions and labels as CSV, JSON lines or Parquet')
    .description('the stored predictions of a window with their labels, as a CSV, JSON lines or Parquet file')
    .addOption(new Option('--window <duration>', 'the predictions exported: 1m to 30d').argParser(timeWindow).default(parseWindow('7d'), '7d'))
    .addOption(new Option('--format <format>', 'the file format (default: the one --out ends in, else csv)').choices(EXPORT_FORMATS))
    .addOption(new Option('--model-version <version>', 'only this model version’s predictions').argParser(modelVersion))
    .requiredOption('--out <file>', 'the file to write (replaced once the export is whole)')
    .addHelpText('after', `${EXPORT_HELP}\n${exitCodesHelp('written', 'the store or the model spec could not be read, or the file not written')}`)
    .action(
      context.action(async (options: Omit<ExportCommandOptions, 'format'> & { format?: ExportFormat }) =>
        runExport(context, { ...options, format: options.format ?? formatOf(options.out) }),
      ),
    );
}
