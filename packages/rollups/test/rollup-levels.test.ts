import { expect } from 'chai';
import { cascade, ROLLUP_LEVELS, rollUp, spanPlan, type RollupInput } from '@vigil/rollups';

const plain = (ranges: ReturnType<typeof spanPlan>) => ranges.map(({ level, from, to }) => ({ key: level.key, from, to }));

describe('ROLLUP_LEVELS', function () {
  it('is minute, hour, day, finest first, each with its table', function () {
    expect(ROLLUP_LEVELS.map(({ table, key, perFiner }) => [table, key, perFiner])).to.deep.equal([
      ['rollup_minute', 'minute', undefined],
      ['rollup_hour', 'hour', 60],
      ['rollup_day', 'day', 24],
    ]);
  });
});

describe('cascade', function () {
  it('rolls rows up into minutes, the minutes into hours and the hours into days, counts kept at every level', function () {
    const day = Date.UTC(2026, 10, 27) / 60_000; // in minutes
    const at = (minute: number, model_version = 'a', prediction: 0 | 1 = 0): RollupInput => ({
      timestamp: new Date((day + minute) * 60_000 + 1234).toISOString(),
      model_version,
      prediction,
      latency_ms: 1 + minute,
    });
    const rows = [at(0), at(0, 'a', 1), at(59), at(60, 'b'), at(61), at(24 * 60 + 5, 'a', 1)];
    const levels = cascade(rows);
    expect(levels.map((l) => l.level)).to.deep.equal([...ROLLUP_LEVELS]);
    const keys = levels.map(({ rollups }) => rollups.map((r) => [r.minute, r.model_version, r.fraud, r.non_fraud, r.latency.count]));
    expect(keys[0]).to.deep.equal(rollUp(rows).map((r) => [r.minute, r.model_version, r.fraud, r.non_fraud, r.latency.count]));
    const hour = day / 60;
    expect(keys[1]).to.deep.equal([
      [hour, 'a', 1, 2, 3],
      [hour + 1, 'b', 0, 1, 1],
      [hour + 1, 'a', 0, 1, 1],
      [hour + 24, 'a', 1, 0, 1],
    ]);
    expect(keys[2]).to.deep.equal([
      [day / 1440, 'a', 1, 3, 4],
      [day / 1440, 'b', 0, 1, 1],
      [day / 1440 + 1, 'a', 1, 0, 1],
    ]);
    expect(levels[2]!.rollups[0]!.latency.max).to.equal(62);
  });

  it('rolls nothing up from no rows', function () {
    expect(cascade([]).map((l) => l.rollups)).to.deep.equal([[], [], []]);
  });
});

describe('spanPlan', function () {
  it('reads minutes up to the first whole hour, hours up to the first whole day, then whole days', function () {
    const since = 29_000_000 * 60 + 17; // 00:17 past an hour that is not a day's first (29,000,000 h = 1,208,333 d + 8 h)
    const firstHour = 29_000_001;
    const firstDay = 1_208_334;
    expect(plain(spanPlan(since))).to.deep.equal([
      { key: 'minute', from: since, to: firstHour * 60 },
      { key: 'hour', from: firstHour, to: firstDay * 24 },
      { key: 'day', from: firstDay, to: undefined },
    ]);
  });

  it('reads no minutes from the start of an hour, and no hours from the start of a day', function () {
    const day = 20_000;
    expect(plain(spanPlan(day * 1440))).to.deep.equal([
      { key: 'minute', from: day * 1440, to: day * 1440 },
      { key: 'hour', from: day * 24, to: day * 24 },
      { key: 'day', from: day, to: undefined },
    ]);
    expect(plain(spanPlan(day * 1440 + 60))).to.deep.equal([
      { key: 'minute', from: day * 1440 + 60, to: day * 1440 + 60 },
      { key: 'hour', from: day * 24 + 1, to: (day + 1) * 24 },
      { key: 'day', from: day + 1, to: undefined },
    ]);
  });

  it('covers every minute from the start on exactly once, whatever the start', function () {
    const start = 20_000 * 1440;
    for (let since = start; since < start + 3 * 1440; since += 7) {
      const ranges = spanPlan(since);
      expect(ranges.map((r) => r.level)).to.deep.equal([...ROLLUP_LEVELS]);
      // Each range's end, in minutes, is where the next one starts; the last is open.
      const perKey = [1, 60, 1440];
      let next = since;
      ranges.forEach(({ from, to }, i) => {
        expect(from * perKey[i]!, `since ${since}, level ${i}`).to.equal(next);
        if (i < ranges.length - 1) {
          expect(to).to.be.a('number');
          expect(to! * perKey[i]!).to.be.at.least(next);
          next = to! * perKey[i]!;
        } else expect(to).to.equal(undefined);
      });
      expect(ranges[0]!.to! - since, 'at most 59 minutes').to.be.lessThan(60);
      expect(ranges[1]!.to! - ranges[1]!.from, 'at most 23 hours').to.be.lessThan(24);
    }
  });
});
