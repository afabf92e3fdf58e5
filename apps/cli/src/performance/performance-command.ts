import { Option, type Command } from 'commander';
import { parseBucket, parseWindow, type TimeWindow } from '@vigil/monitoring';
import type { CliContext } from '../program/cli-context';
import { commandGroup, refuse } from '../program/create-program';
import { exitCodesHelp } from '../program/exit-codes';
import { modelVersion, threshold, timeWindow } from '../program/option-values';
import { writePerformanceReport } from './performance-report';

interface ReportFlags {
  readonly window: TimeWindow;
  readonly bucket?: string;
  readonly modelVersion?: string;
  readonly threshold?: number;
  readonly out: string;
}

/** Windows up to this long get hourly buckets by default; longer ones daily, so the timeline has a readable number of points. */
const HOURLY_UP_TO_MS = 2 * 86_400_000;

const REPORT_HELP = `
Reads the quality rollups of the store /monitoring reads (MONITORING_STORE:
SQLITE_PATH or the Postgres audit) and calibrates CBPE on
QUALITY_REFERENCE_PATH, as GET /monitoring/performance does: the report and the
endpoint show the same figures.`;

/** The bucket asked for, or the window's default; refused (exit 2) when the window would have more than 1,440 of them. */
function bucketOf(flags: ReportFlags, command: Command): ReturnType<typeof parseBucket> {
  try {
    return parseBucket(flags.bucket ?? (flags.window.ms <= HOURLY_UP_TO_MS ? '1h' : '1d'), flags.window);
  } catch (error) {
    return refuse(command, (error as Error).message);
  }
}

/** `vigil performance report`. */
export function registerPerformanceCommands(program: Command, context: CliContext): void {
  commandGroup(program, 'performance', 'model quality: realized from labels, estimated (CBPE) where labels are missing')
    .command('report')
    .summary('an HTML report of realized and estimated quality')
    .description('a self-contained HTML report of realized and estimated precision, recall, F1 and ROC AUC, with its timeline')
    .addOption(new Option('--window <duration>', 'the predictions reported on: 1m to 30d').argParser(timeWindow).default(parseWindow('7d'), '7d'))
    .addOption(new Option('--model-version <version>', 'only this model version’s predictions').argParser(modelVersion))
    .addOption(
      new Option('--threshold <p>', 'strictly between 0 and 1, applied at the nearest probability-bin edge (default: the model’s own)').argParser(threshold),
    )
    .addOption(
      new Option('--bucket <size>', 'the timeline’s bucket (default 1h for windows up to 2d, else 1d; at most 1,440 buckets)').choices(['1m', '1h', '1d']),
    )
    .requiredOption('--out <file>', 'the HTML file to write')
    .addHelpText('after', `${REPORT_HELP}\n${exitCodesHelp('report written', 'the store, the reference or the output file failed')}`)
    .action(
      context.action(async (flags: ReportFlags, command: Command) =>
        writePerformanceReport(context, {
          window: flags.window,
          bucket: bucketOf(flags, command),
          modelVersion: flags.modelVersion,
          threshold: flags.threshold,
          out: flags.out,
        }),
      ),
    );
}
