/**
 * `npm run simulate -- --rate 200 --duration 60 [--drift amount:x3] [--url http://localhost:8000] [--seed 7]
 *   [--labels calibrated|shifted|off] [--label-delay 30s] [--label-fraction 1]`
 * Sends realistic transactions from the model's simulator to a running API,
 * optionally shifted, so you can watch drift appear on /monitoring/drift;
 * with --labels, also their labels through POST /feedback a while after each
 * answer, so you can watch realized and estimated quality (and the alerts on
 * them) move on /monitoring/performance. PREDICT_API_KEY is sent to
 * /predict when set, FEEDBACK_API_KEY (else PREDICT_API_KEY) to /feedback.
 * Exit: 0 done, 1 no prediction answered or a label request failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import { loadQualityCalibrator } from '@vigil/monitoring';
import { createTrafficSource, parseDriftSpec, sendTraffic } from '@vigil/traffic';
import { DelayedLabels } from './simulate/delayed-labels';
import { parseLabelOptions } from './simulate/label-options';
import { labelRule, seededRandom } from './simulate/label-rules';

const say = (line: string) => process.stderr.write(`simulate: ${line}\n`);

let options;
try {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: process.env.VIGIL_URL ?? 'http://localhost:8000' },
      rate: { type: 'string', default: '50' },
      duration: { type: 'string', default: '30' },
      drift: { type: 'string', default: '' },
      seed: { type: 'string', default: '7' },
      labels: { type: 'string' },
      'label-delay': { type: 'string' },
      'label-fraction': { type: 'string' },
    },
    strict: true,
  });
  const rate = Number(values.rate);
  const duration = Number(values.duration);
  const seed = Number(values.seed);
  if (!(rate > 0 && rate <= 100_000)) throw new Error('--rate takes requests per second, 1 to 100000');
  if (!(duration > 0 && duration <= 86_400)) throw new Error('--duration takes seconds, 1 to 86400');
  if (!Number.isInteger(seed)) throw new Error('--seed takes a whole number');
  const labels = parseLabelOptions(values);
  options = { url: values.url.replace(/\/$/, ''), rate, duration, seed, shifts: parseDriftSpec(values.drift), labels };
} catch (error) {
  say((error as Error).message);
  process.exit(2);
}

let labels: DelayedLabels | undefined;
if (options.labels.rule !== 'off') {
  // The calibration CBPE uses, from the same reference the API reads (see simulate/label-rules.ts for why not the raw probability).
  const referencePath = process.env.QUALITY_REFERENCE_PATH ?? 'artifacts/quality-reference.json';
  let calibrate: (probability: number) => number;
  try {
    const { calibrator } = loadQualityCalibrator(referencePath);
    calibrate = (p) => calibrator.calibrate(p);
  } catch (error) {
    say(`--labels ${options.labels.rule} needs the quality reference: ${(error as Error).message}`);
    process.exit(2);
  }
  labels = new DelayedLabels({
    url: options.url,
    apiKey: process.env.FEEDBACK_API_KEY ?? process.env.PREDICT_API_KEY,
    delayMs: options.labels.delayMs,
    fraction: options.labels.fraction,
    rule: labelRule(options.labels.rule, calibrate),
    random: seededRandom(options.seed + 2),
  });
  const share = options.labels.fraction === 1 ? 'every' : `${(options.labels.fraction * 100).toFixed(0)}% of the`;
  say(`${options.labels.rule} labels for ${share} answered prediction(s), each ${options.labels.delayMs / 1000}s after its answer`);
}

say(`simulating transactions (seed ${options.seed})…`);
const next = createTrafficSource({ seed: options.seed, shifts: options.shifts });
say(`sending ${options.rate}/s for ${options.duration}s to ${options.url}${options.shifts.length ? ` with drift ${JSON.stringify(options.shifts)}` : ''}`);
const labelsOf = labels;
const labelProgress = () => (labelsOf ? `; labels sent ${labelsOf.report.sent}, waiting ${labelsOf.report.pending}, failed ${labelsOf.report.failed}` : '');
const report = await sendTraffic({
  url: options.url,
  rate: options.rate,
  durationSeconds: options.duration,
  next,
  apiKey: process.env.PREDICT_API_KEY,
  onProgress: (r) => say(`sent ${r.sent}, ok ${r.ok}, failed ${r.failed}${labelProgress()}`),
  ...(labelsOf ? { onPrediction: (p) => labelsOf.add(p) } : {}),
});
say(`done: sent ${report.sent}, ok ${report.ok}, failed ${report.failed}${report.failed ? ` ${JSON.stringify(report.failures)}` : ''}`);
let labelsFailed = false;
if (labelsOf) {
  const wait = labelsOf.remainingMs();
  if (wait > 0) say(`waiting ${(wait / 1000).toFixed(1)}s for the last labels to fall due…`);
  const sent = await labelsOf.finish();
  say(`labels: sent ${sent.sent}, accepted ${sent.accepted}, failed ${sent.failed}${sent.failed ? ` ${JSON.stringify(sent.failures)}` : ''}`);
  labelsFailed = sent.failed > 0;
}
process.exit(report.ok === 0 || labelsFailed ? 1 : 0);
