/**
 * `npm run simulate -- --rate 200 --duration 60 [--drift amount:x3] [--url http://localhost:8000] [--seed 7]`
 * Sends realistic transactions from the model's simulator to a running API,
 * optionally shifted, so you can watch drift appear on /monitoring/drift.
 * PREDICT_API_KEY is sent when set.
 */
import { parseArgs } from 'node:util';
import { createTrafficSource, parseDriftSpec, sendTraffic } from '@vigil/traffic';

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
    },
    strict: true,
  });
  const rate = Number(values.rate);
  const duration = Number(values.duration);
  const seed = Number(values.seed);
  if (!(rate > 0 && rate <= 100_000)) throw new Error('--rate takes requests per second, 1 to 100000');
  if (!(duration > 0 && duration <= 86_400)) throw new Error('--duration takes seconds, 1 to 86400');
  if (!Number.isInteger(seed)) throw new Error('--seed takes a whole number');
  options = { url: values.url.replace(/\/$/, ''), rate, duration, seed, shifts: parseDriftSpec(values.drift) };
} catch (error) {
  say((error as Error).message);
  process.exit(2);
}

say(`simulating transactions (seed ${options.seed})…`);
const next = createTrafficSource({ seed: options.seed, shifts: options.shifts });
say(`sending ${options.rate}/s for ${options.duration}s to ${options.url}${options.shifts.length ? ` with drift ${JSON.stringify(options.shifts)}` : ''}`);
const report = await sendTraffic({
  url: options.url,
  rate: options.rate,
  durationSeconds: options.duration,
  next,
  apiKey: process.env.PREDICT_API_KEY,
  onProgress: (r) => say(`sent ${r.sent}, ok ${r.ok}, failed ${r.failed}`),
});
say(`done: sent ${report.sent}, ok ${report.ok}, failed ${report.failed}${report.failed ? ` ${JSON.stringify(report.failures)}` : ''}`);
process.exit(report.ok === 0 ? 1 : 0);
