import { expect } from 'chai';
import { minuteOf, rollUp, type RollupInput } from '@vigil/rollups';

/** The same grouping done the slow, obvious way: parse every timestamp. */
function naiveCounts(records: readonly RollupInput[]): Record<string, { fraud: number; non_fraud: number; count: number }> {
  const out: Record<string, { fraud: number; non_fraud: number; count: number }> = {};
  for (const r of records) {
    const key = `${Math.floor(Date.parse(r.timestamp) / 60_000)}|${r.model_version}`;
    out[key] ??= { fraud: 0, non_fraud: 0, count: 0 };
    out[key]![r.prediction === 1 ? 'fraud' : 'non_fraud'] += 1;
    out[key]!.count += 1;
  }
  return out;
}

describe('rollUp', function () {
  it('groups by UTC minute and model version, whatever the order and form of the timestamps', function () {
    const records: RollupInput[] = [
      { timestamp: '2026-11-27T12:28:59.999Z', model_version: 'a', prediction: 1, latency_ms: 1 },
      { timestamp: '2026-11-27T12:28:00.000Z', model_version: 'a', prediction: 0, latency_ms: 2 },
      // Same first 16 characters, but an offset: 10:28 UTC, another minute.
      { timestamp: '2026-11-27T12:28:30.000+02:00', model_version: 'a', prediction: 0, latency_ms: 3 },
      { timestamp: '2026-11-27T12:28:30.000Z', model_version: 'a', prediction: 0, latency_ms: 4 },
      // Same minute, another model version, then back.
      { timestamp: '2026-11-27T12:28:31.000Z', model_version: 'b', prediction: 1, latency_ms: 5 },
      { timestamp: '2026-11-27T12:28:32.000Z', model_version: 'a', prediction: 1, latency_ms: 6 },
      { timestamp: '2026-11-27T12:29:00.000Z', model_version: 'a', prediction: 0, latency_ms: 7 },
      { timestamp: '2026-11-27T12:28:33.000Z', model_version: 'a', prediction: 0, latency_ms: 8 },
    ];
    const got: Record<string, { fraud: number; non_fraud: number; count: number }> = {};
    for (const r of rollUp(records)) got[`${r.minute}|${r.model_version}`] = { fraud: r.fraud, non_fraud: r.non_fraud, count: r.latency.count };
    expect(got).to.deep.equal(naiveCounts(records));
    expect(Object.keys(got)).to.have.length(4);
  });
});

describe('minuteOf', function () {
  it('equals Date.parse for every string, however the one before it started', function () {
    const strings = [
      '2026-11-27T12:28:59.999Z',
      '2026-11-27T12:28:00.000Z',
      // The same first 16 characters and not that minute, or not a time at all.
      '2026-11-27T12:28:30.000+02:00',
      '2026-11-27T12:28:60.000Z',
      '2026-11-27T12:28:99.999Z',
      '2026-11-27T12:28:3x.000Z',
      '2026-11-27T12:28:30.0000Z',
      '2026-11-27T12:28:30,000Z',
      '2026-11-27T12:28:30.000z',
      '2026-11-27T12:28',
      '2026-11-27T12:28:30.000Z',
      // A prefix that does not parse names no minute for the strings after it.
      '2026-02-30T12:28:30.000Z',
      '2026-02-30T12:28:31.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-13-01T00:00:01.000Z',
      '2026-11-27T23:59:59.999Z',
      '2026-11-28T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '',
      'not a time',
    ];
    // Every order of a shuffle, so each string follows each other one at some point.
    const order = [...strings, ...strings.slice().reverse(), ...strings.filter((_, i) => i % 2 === 0), ...strings.filter((_, i) => i % 3 === 1)];
    for (const value of order) {
      expect(minuteOf(value), value).to.deep.equal(Math.floor(Date.parse(value) / 60_000));
    }
  });
});
