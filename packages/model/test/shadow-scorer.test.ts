import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createShadowScorer, loadModel, type FeatureRecord, type ModelRunner, type Scored, type ShadowSkipReason } from '../src/index';

const rows = (JSON.parse(readFileSync('artifacts/reference.json', 'utf8')) as { rows: FeatureRecord[] }).rows;

describe('the shadow scorer: after the answer, bounded, never fed what its spec refuses', function () {
  this.timeout(20_000);
  let runner: ModelRunner;
  before(async () => {
    runner = await loadModel({ modelPath: 'artifacts/model.onnx', specPath: 'artifacts/model.spec.json' });
  });
  after(() => runner.close());

  function scorer(maxPending: number) {
    const scored: { context: number; scores: readonly Scored[] }[] = [];
    const skipped: Record<ShadowSkipReason, number> = { behind: 0, invalid: 0, failed: 0 };
    const shadow = createShadowScorer<number>({
      runner: { ...runner, close: async () => undefined },
      maxPending,
      onScored: (context, scores) => scored.push({ context, scores }),
      onSkipped: (instances, reason) => (skipped[reason] += instances),
    });
    return { shadow, scored, skipped };
  }

  it('scores nothing during submit (only after the current turn), then each request in order with the direct scores', async () => {
    const { shadow, scored } = scorer(1000);
    shadow.submit(rows.slice(0, 3), 1);
    shadow.submit(rows.slice(3, 4), 2);
    expect(scored).to.have.length(0);
    await shadow.drain();
    expect(scored.map((entry) => [entry.context, entry.scores.length])).to.deep.equal([
      [1, 3],
      [2, 1],
    ]);
    const direct = await runner.score(rows.slice(0, 4));
    expect([...(scored[0]?.scores ?? []), ...(scored[1]?.scores ?? [])]).to.deep.equal(direct);
  });

  it('skips requests as "behind" past maxPending, and counts them', async () => {
    const { shadow, scored, skipped } = scorer(5);
    shadow.submit(rows.slice(0, 4), 1);
    shadow.submit(rows.slice(4, 6), 2); // 4 + 2 > 5
    shadow.submit(rows.slice(6, 7), 3); // 4 + 1 fits
    await shadow.drain();
    expect(scored.map((entry) => entry.context)).to.deep.equal([1, 3]);
    expect(skipped.behind).to.equal(2);
  });

  it("skips as invalid a request the challenger's spec refuses (here: a value past its range), scoring the others", async () => {
    const { shadow, scored, skipped } = scorer(1000);
    shadow.submit([{ ...rows[0], hour_of_day: 99 } as FeatureRecord], 1);
    shadow.submit(rows.slice(1, 2), 2);
    await shadow.drain();
    expect(scored.map((entry) => entry.context)).to.deep.equal([2]);
    expect(skipped.invalid).to.equal(1);
  });
});
