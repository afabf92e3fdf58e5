import { expect } from 'chai';
import { Batcher } from '@vigil/prediction-log';

describe('Batcher', function () {
  it('flushes as soon as maxItems are buffered', async function () {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxItems: 3, maxWaitMs: 10_000, sink: async (b) => void batches.push(b) });
    for (let i = 0; i < 7; i++) batcher.add(i);
    expect(batches).to.deep.equal([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(batcher.buffered).to.equal(1);
    await batcher.flush();
    expect(batches).to.deep.equal([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('flushes a partial batch after maxWaitMs', async function () {
    const batches: string[][] = [];
    const batcher = new Batcher<string>({ maxItems: 100, maxWaitMs: 20, sink: async (b) => void batches.push(b) });
    batcher.add('a');
    batcher.add('b');
    expect(batches).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(batches).to.deep.equal([['a', 'b']]);
  });

  it('add() returns before a slow sink finishes, and flush() waits for it', async function () {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let done = false;
    const batcher = new Batcher<number>({
      maxItems: 1,
      maxWaitMs: 5,
      sink: async () => {
        await gate;
        done = true;
      },
    });
    batcher.add(1);
    expect(done).to.equal(false);
    const flushed = batcher.flush();
    release();
    await flushed;
    expect(done).to.equal(true);
  });

  it('rejects nonsense options, naming them', function () {
    expect(() => new Batcher({ maxItems: 0, maxWaitMs: 5, sink: async () => undefined })).to.throw(/maxItems/);
  });
});
