import { parseArgs } from 'node:util';
import { createProgress, type Progress, type ProgressStream } from '@vigil/progress';
import { SIZE_PRESETS, type SizePreset } from './simulator';
import { DEFAULT_SEED, trainModel, type TrainingProgress } from './train-model';
import { writeArtifacts } from './write-artifacts';

const USAGE = `Usage: npm run train-model -- [--seed N] [--out DIR] [--size ${Object.keys(SIZE_PRESETS).join('|')}]
  --seed N     seed for the simulation and training (default ${DEFAULT_SEED})
  --out DIR    where to write the artifacts (default artifacts)
  --size NAME  data size preset (default "default", about 20 s on one core)`;

const PHASES: Readonly<Record<Exclude<TrainingProgress['phase'], 'train'>, string>> = {
  simulate: 'simulating the transactions',
  evaluate: 'scoring the train and test sets, building the artifacts',
};

/**
 * What training is doing, on stderr (stdout keeps the summary): a line as
 * each phase starts, and the optimizer steps as a bar on a terminal, or a
 * line a tenth of the way in a log.
 */
function showProgress(stream: ProgressStream): (progress: TrainingProgress) => void {
  const line = (text: string) => stream.write(`${text}\n`);
  let bar: Progress | undefined;
  return (progress) => {
    if (progress.phase !== 'train') {
      line(`${PHASES[progress.phase]}…`);
      return;
    }
    bar ??= createProgress(stream, progress.total, line, 'training');
    const note = `epoch ${progress.epoch} of ${progress.epochs}, step ${progress.done.toLocaleString('en')} of ${progress.total.toLocaleString('en')}`;
    if (progress.done === progress.total) bar.finish(note);
    else bar.update(progress.done, note);
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      out: { type: 'string', default: 'artifacts' },
      size: { type: 'string', default: 'default' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`--seed must be an integer from 0 to ${0xffffffff}, got ${values.seed}`);
  if (!Object.hasOwn(SIZE_PRESETS, values.size)) fail(`--size must be one of ${Object.keys(SIZE_PRESETS).join(', ')}, got ${values.size}`);

  const started = performance.now();
  const model = trainModel({ seed, size: values.size as SizePreset, onProgress: showProgress(process.stderr) });
  process.stderr.write(`writing the artifacts to ${values.out}…\n`);
  const paths = writeArtifacts(model, values.out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);

  const { card } = model;
  console.log(`Trained ${card.model_version} (seed ${seed}, size ${values.size}) in ${seconds} s`);
  console.log(`  rows: ${card.data.rows.train} train, ${card.data.rows.test} test; fraud rate ${card.data.fraud_rate.train} / ${card.data.fraud_rate.test}`);
  console.log(`  test ROC AUC ${card.metrics.test.roc_auc}, average precision ${card.metrics.test.average_precision}`);
  for (const path of paths) console.log(`  wrote ${path}`);
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

main();
