import { expect } from 'chai';
import { scrapeCache } from '@vigil/metrics';

/** A source whose reads the test resolves by hand. */
function controlledSource() {
  const pending: { resolve: (value: number) => void; reject: (error: Error) => void }[] = [];
  let reads = 0;
  const load = () =>
    new Promise<number>((resolve, reject) => {
      reads += 1;
      pending.push({ resolve, reject });
    });
  return { load, pending, reads: () => reads };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('scrapeCache: scrape-time reads that never make a scrape slow', function () {
  it('shares one read among concurrent scrapes and reuses it for ttlMs', async function () {
    let now = 1000;
    const source = controlledSource();
    const read = scrapeCache(source.load, { ttlMs: 1000, waitMs: 1000, now: () => now });
    const a = read();
    const b = read();
    await tick();
    expect(source.reads()).to.equal(1);
    source.pending[0]!.resolve(7);
    expect(await a).to.equal(7);
    expect(await b).to.equal(7);
    now += 999;
    expect(await read()).to.equal(7);
    expect(source.reads()).to.equal(1);
    now += 1;
    const c = read();
    await tick();
    expect(source.reads()).to.equal(2);
    source.pending[1]!.resolve(8);
    expect(await c).to.equal(8);
  });

  it('gives the previous value when a read takes longer than waitMs, and the new one once it lands', async function () {
    let now = 0;
    const source = controlledSource();
    const read = scrapeCache(source.load, { ttlMs: 10, waitMs: 20, now: () => now });
    const first = read();
    await tick();
    source.pending[0]!.resolve(1);
    expect(await first).to.equal(1);
    now = 100;
    const started = performance.now();
    expect(await read()).to.equal(1); // the slow read is still going
    expect(performance.now() - started).to.be.below(500);
    source.pending[1]!.resolve(2);
    await tick();
    expect(await read()).to.equal(2);
  });

  it('resolves undefined when the first read is slow, rather than waiting', async function () {
    const source = controlledSource();
    const read = scrapeCache(source.load, { ttlMs: 10, waitMs: 10 });
    expect(await read()).to.equal(undefined);
    source.pending[0]!.resolve(3);
    await tick();
    expect(await read()).to.equal(3);
  });

  it('drops the value of a failed read, reports the error, and reads again after ttlMs', async function () {
    let now = 0;
    const errors: string[] = [];
    const source = controlledSource();
    const read = scrapeCache(source.load, { ttlMs: 10, waitMs: 100, now: () => now, onError: (e) => errors.push(e.message) });
    const first = read();
    await tick();
    source.pending[0]!.resolve(5);
    expect(await first).to.equal(5);
    now = 20;
    const failing = read();
    await tick();
    source.pending[1]!.reject(new Error('redis away'));
    expect(await failing).to.equal(undefined);
    expect(errors).to.deep.equal(['redis away']);
    expect(await read()).to.equal(undefined); // within ttl of the failure: not stale data, and no new read
    expect(source.reads()).to.equal(2);
    now = 40;
    const again = read();
    await tick();
    source.pending[2]!.resolve(6);
    expect(await again).to.equal(6);
  });

  it('refuses negative durations', function () {
    expect(() => scrapeCache(async () => 1, { ttlMs: -1, waitMs: 0 })).to.throw(RangeError);
  });
});
