import { Option, type Command } from 'commander';
import type { InitModelOptions } from '@vigil/model';
import { parseWindow } from '@vigil/monitoring';
import type { CliContext } from '../program/cli-context';
import { commandGroup, refuse } from '../program/create-program';
import { exitCodesHelp } from '../program/exit-codes';
import { columnPair, commaList, repeatable, threshold, timeWindow } from '../program/option-values';
import { runModelInit } from './run-init';
import { runModelReplay, type ReplayOptions } from './run-replay';

interface InitFlags {
  readonly sample: string;
  readonly threshold?: number;
  readonly version?: string;
  readonly label?: string;
  readonly exclude?: string[][];
  readonly input?: [string, string][];
  readonly categories?: [string, string[]][];
  readonly output?: string;
  readonly force?: boolean;
}

const INIT_HELP = `
Infers the spec of an ONNX binary classifier from its inputs and outputs and a
CSV sample of the data it takes (a header, then rows), loads the model with it
and scores the sample, then writes beside the model: <model>.spec.json,
reference.json (for drift) and, with --label, quality-reference.json (for CBPE).`;

const REPLAY_HELP = `
Scores the features of the predictions stored in SQLITE_PATH over the window
through a candidate model (its spec beside it) and compares it with the champion
that served them: agreement, probability differences, fraud rates, output drift
against each model's reference, realized quality on the labeled rows and CBPE
estimates where a quality reference exists. Writes an HTML report and prints the
figures as JSON. No live traffic needed.`;

/** `column=a,b,c` → [column, [a, b, c]]. */
function categoriesOfColumn(raw: string): [string, string[]] {
  const [column, categories] = columnPair(raw);
  return [column, commaList(categories)];
}

/** Repeated `--flag column=value` into a map; a column given twice is refused. */
function columnMap<T>(command: Command, flag: string, pairs: readonly [string, T][] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  for (const [column, value] of pairs ?? []) {
    if (map.has(column)) refuse(command, `${flag}: column ${column} is given twice`);
    map.set(column, value);
  }
  return map;
}

function initOptions(modelPath: string, flags: InitFlags, command: Command): InitModelOptions {
  const version = flags.version?.trim();
  if (version === '') refuse(command, '--version: expected a name such as fraud-model@1.0.0');
  return {
    modelPath,
    samplePath: flags.sample,
    threshold: flags.threshold,
    version,
    label: flags.label,
    exclude: (flags.exclude ?? []).flat(),
    inputs: columnMap(command, '--input', flags.input),
    categories: columnMap(command, '--categories', flags.categories),
    output: flags.output,
    force: flags.force === true,
  };
}

/** `vigil model init|replay`. */
export function registerModelCommands(program: Command, context: CliContext): void {
  const model = commandGroup(program, 'model', 'serving another model: its spec and references, and replaying a candidate on stored traffic');

  model
    .command('init')
    .summary('a spec and references for another ONNX model')
    .description('write the spec and references of an ONNX binary classifier from the model and a sample of its data')
    .argument('<model.onnx>', 'the model; the files are written beside it')
    .requiredOption('--sample <sample.csv>', 'a CSV sample of the data the model takes: the spec is inferred from it')
    .addOption(new Option('--threshold <p>', 'probability at and above which the prediction is 1 (default 0.5)').argParser(threshold))
    .option('--version <name@x.y.z>', 'model_version (default <file stem>@1.0.0)')
    .option('--label <column>', 'the sample’s label column (1/0, true/false, yes/no): not a feature; with the scores it makes quality-reference.json')
    .addOption(new Option('--exclude <a,b>', 'columns that are not features (ids, timestamps); repeatable').argParser(repeatable(commaList)))
    .addOption(
      new Option('--input <column=input>', 'per-feature models: the model input a column feeds, when not named like the column; repeatable').argParser(
        repeatable(columnPair),
      ),
    )
    .addOption(
      new Option(
        '--categories <column=a,b,c>',
        'a categorical column’s categories in the model’s one-hot order (default: sorted, as scikit-learn and pandas do); repeatable',
      ).argParser(repeatable(categoriesOfColumn)),
    )
    .option('--output <name>', 'the output holding the probability, when it is neither a ZipMap nor named like prob*')
    .option('--force', 'replace a spec or references already beside the model')
    .addHelpText('after', `${INIT_HELP}\n${exitCodesHelp('written', 'no spec could be made from this model and sample (the message says why)')}`)
    .action(context.action(async (modelPath: string, flags: InitFlags, command: Command) => runModelInit(context, initOptions(modelPath, flags, command))));

  model
    .command('replay')
    .summary('rescore stored traffic through a candidate model')
    .description('rescore the stored predictions of a window through a candidate model and compare it with the champion')
    .argument('<candidate.onnx>', 'the candidate; its spec beside it (<candidate>.spec.json)')
    .addOption(new Option('--window <duration>', 'the stored predictions rescored: 1m to 30d').argParser(timeWindow).default(parseWindow('7d'), '7d'))
    .option('--out <file>', 'the HTML report', 'replay-report.html')
    .addHelpText('after', `${REPLAY_HELP}\n${exitCodesHelp('report written', 'the candidate cannot be loaded (the message says why)')}`)
    .action(context.action(async (candidate: string, options: ReplayOptions) => runModelReplay(context, candidate, options)));
}
