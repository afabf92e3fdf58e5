import { readFileSync } from 'node:fs';
import { batchInference, loadModel, type FeatureRecord, type ModelRunner } from '@vigil/model';
import { ResultBuilder, type Benchmark, type BenchContext } from '../harness/context';
import { round } from '../harness/stats';

const METHOD = [
  'In one process, the committed model is scored one instance per call by N concurrent callers (1 and 50), for a fixed number of',
  'calls, two ways in the same run: one `session.run` per call (what the API does), and through a dynamic batcher in the style of',
  "Triton's (`batchInference` in @vigil/model: calls arriving within 1 ms share one `session.run`, up to 256 instances). The figure is",
  'scores per second; the API itself answers a few thousand requests a second, so inference is far from its bottleneck either way.',
].join(' ');

async function measure(runner: ModelRunner, rows: readonly FeatureRecord[], concurrency: number, total: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await runner.score([rows[next++ % rows.length]!]);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

export const inferenceBatching: Benchmark = {
  name: 'inference-batching',
  async run(ctx: BenchContext) {
    const result = new ResultBuilder(ctx, 'inference-batching', 'inference-batching: one session.run per request vs a dynamic batcher', METHOD);
    const rows = (JSON.parse(readFileSync('artifacts/reference.json', 'utf8')) as { rows: FeatureRecord[] }).rows;
    const model = await loadModel({ modelPath: 'artifacts/model.onnx', specPath: 'artifacts/model.spec.json' });
    const batched = batchInference(model, { maxWaitMs: 1, maxInstances: 256 });
    const total = ctx.quick ? 20_000 : 100_000;
    const ratios: number[] = [];
    try {
      for (const concurrency of [1, 50]) {
        const calls = concurrency === 1 ? Math.min(total, 2_000) : total;
        await measure(model, rows, concurrency, 1000); // warm-up
        const direct = await measure(model, rows, concurrency, calls);
        const viaBatcher = await measure(batched, rows, concurrency, calls);
        result.figure({
          figure: `scores/s with ${concurrency} concurrent caller(s): dynamic batcher vs one session.run per call`,
          unit: 'scores/s',
          vigil: Math.round(viaBatcher),
          baselineName: 'one run per call',
          baseline: Math.round(direct),
          ratio: round(viaBatcher / direct, 2),
        });
        ratios.push(viaBatcher / direct);
      }
      result.note(
        ratios.every((r) => r < 1)
          ? 'In this run the batcher lost at every concurrency measured, so the API keeps one session.run per request.'
          : `In this run the batcher won at some concurrency (ratios ${ratios.map((r) => round(r, 2)).join(', ')}): ` +
              'worth wiring into the API behind a setting.',
      );
      return result.build();
    } finally {
      await model.close();
    }
  },
};
