import { Option, type Command } from 'commander';
import { parseWindow } from '@vigil/monitoring';
import type { CliContext } from '../program/cli-context';
import { commandGroup } from '../program/create-program';
import { exitCodesHelp } from '../program/exit-codes';
import { modelVersion, timeWindow } from '../program/option-values';
import { writeDriftReport, type DriftReportOptions } from './drift-report';

/** `vigil drift report`. */
export function registerDriftCommands(program: Command, context: CliContext): void {
  commandGroup(program, 'drift', 'data drift of the served traffic against the training reference')
    .command('report')
    .summary('an HTML drift report of the stored traffic')
    .description('a self-contained HTML drift report (per feature and for the outputs) from the store the API reads (MONITORING_STORE)')
    .addOption(new Option('--window <duration>', 'the traffic compared: 1m to 30d').argParser(timeWindow).default(parseWindow('24h'), '24h'))
    .addOption(new Option('--model-version <version>', 'only this model version’s predictions').argParser(modelVersion))
    .requiredOption('--out <file>', 'the HTML file to write')
    .addHelpText('after', exitCodesHelp('report written (drift or not: the line printed says)', 'the store, the reference or the output file failed'))
    .action(context.action(async (options: DriftReportOptions) => writeDriftReport(context, options)));
}
