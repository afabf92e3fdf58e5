import { expect } from 'chai';
import { computeCompleteness, CompletenessService, parseGrace, servedBy, type InstanceCompleteness, type InstanceReportInput } from '@vigil/monitoring';
import type { SeqRange, SeqRangeRow } from '@vigil/stores';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const GRACE = 60_000;

function report(overrides: Partial<InstanceReportInput> = {}): InstanceReportInput {
  return { instance_id: 'api-a', served: 100, backlog: 0, buffered: 0, in_flight: 0, at: NOW - 500, history: [], ...overrides };
}

function stored(ranges: SeqRange[], instance = 'api-a'): SeqRangeRow {
  return { instance_id: instance, kind: 'stored', ranges };
}

function deadLettered(ranges: SeqRange[], instance = 'api-a'): SeqRangeRow {
  return { instance_id: instance, kind: 'dead_lettered', ranges };
}

function only(rows: SeqRangeRow[], reports: InstanceReportInput[], graceMs = GRACE): InstanceCompleteness {
  const answer = computeCompleteness(rows, reports, { now: NOW, graceMs });
  expect(answer.instances).to.have.length(1);
  const instance = answer.instances[0]!;
  // Every record served is somewhere, exactly once.
  expect(instance.stored + instance.dead_lettered + instance.spooled + instance.in_flight + instance.missing).to.equal(instance.served);
  return instance;
}

describe('completeness', function () {
  it('counts every record stored and none missing when the store holds 1..served', function () {
    expect(only([stored([[1, 100]])], [report({ history: [[NOW - 61_000, 90]] })])).to.deep.include({
      served: 100,
      stored: 100,
      in_flight: 0,
      spooled: 0,
      dead_lettered: 0,
      missing: 0,
      reporting: true,
      last_report_at: new Date(NOW - 500).toISOString(),
    });
  });

  it('calls a gap missing only once the instance served it at least the grace period ago', function () {
    const rows = [
      stored([
        [1, 49],
        [51, 95],
      ]),
    ];
    // 61 s ago it had served 40: seq 50 may still be on its way.
    const young = only(rows, [report({ history: [[NOW - 61_000, 40]] })]);
    expect(young).to.include({ stored: 94, missing: 0, in_flight: 6 });
    // 61 s ago it had served 60: seq 50 is missing; 96..100 are still in flight.
    const old = only(rows, [report({ history: [[NOW - 61_000, 60]] })]);
    expect(old).to.include({ stored: 94, missing: 1, in_flight: 5 });
    // With a shorter grace, the same history answers differently.
    expect(only(rows, [report({ history: [[NOW - 61_000, 40]] })], 0)).to.include({ missing: 6 });
  });

  it('does not count as missing what the instance still holds in its journal, batcher or enqueue', function () {
    // 1..60 served over a minute ago; 21..100 never reached Redis (a Redis outage): the journal has them.
    const spooling = only([stored([[1, 20]])], [report({ backlog: 75, buffered: 4, in_flight: 1, history: [[NOW - 61_000, 60]] })]);
    expect(spooling).to.include({ stored: 20, spooled: 75, in_flight: 5, missing: 0 });
  });

  it('counts dead-lettered records as held back, and once replayed and stored as stored', function () {
    const held = only([stored([[1, 97]]), deadLettered([[98, 100]])], [report({ history: [[NOW - 61_000, 100]] })]);
    expect(held).to.include({ stored: 97, dead_lettered: 3, missing: 0 });
    const replayed = only([stored([[1, 100]]), deadLettered([[98, 100]])], [report({ history: [[NOW - 61_000, 100]] })]);
    expect(replayed).to.include({ stored: 100, dead_lettered: 0, missing: 0 });
  });

  it('keeps a stopped instance on its last report: what it held is missing until another instance replays its journal', function () {
    // Killed two minutes ago after serving 100; a store holds 1..90 and, from the adopter's replay, 101..103 (served after the last report).
    const killed = report({ at: NOW - 120_000, backlog: 10 });
    const beforeReplay = only([stored([[1, 90]])], [killed]);
    expect(beforeReplay).to.include({ served: 100, stored: 90, spooled: 0, missing: 10, reporting: false });
    const afterReplay = only([stored([[1, 103]])], [killed]);
    expect(afterReplay).to.include({ served: 103, stored: 103, missing: 0 });
  });

  it('answers for an instance whose report is gone from what the store holds: its gaps are missing', function () {
    const answer = computeCompleteness(
      [
        stored(
          [
            [1, 10],
            [12, 20],
          ],
          'api-old',
        ),
        stored([[1, 5]], 'api-done'),
      ],
      [],
      { now: NOW, graceMs: GRACE },
    );
    // api-done: no report, nothing missing, nothing held: in the totals only, so the list stays short.
    expect(answer.instances.map((i) => i.instance_id)).to.deep.equal(['api-old']);
    expect(answer.instances[0]).to.include({ served: 20, stored: 19, missing: 1, last_report_at: null, reporting: false });
    expect(answer.totals).to.deep.equal({ instances: 2, served: 25, stored: 24, in_flight: 0, spooled: 0, dead_lettered: 0, missing: 1 });
    expect(answer).to.include({ grace_ms: GRACE, at: new Date(NOW).toISOString() });
  });

  it('reads how far an instance had got by a time from its sparse history, never later than it was', function () {
    const r = report({
      served: 500,
      at: NOW,
      history: [
        [NOW - 1000, 490],
        [NOW - 60_000, 300],
        [NOW - 90_000, 200],
      ],
    });
    expect(servedBy(r, NOW)).to.equal(500);
    expect(servedBy(r, NOW - 500)).to.equal(490); // the 1 s old value
    expect(servedBy(r, NOW - 60_000)).to.equal(300);
    expect(servedBy(r, NOW - 70_000)).to.equal(200);
    expect(servedBy(r, NOW - 100_000)).to.equal(0);
  });

  it('parses grace as a whole number of ms, s, m or h up to 1h, and falls back when absent', function () {
    expect(parseGrace(undefined, 60_000)).to.equal(60_000);
    expect(parseGrace('0s', 60_000)).to.equal(0);
    expect(parseGrace('1500ms', 0)).to.equal(1500);
    expect(parseGrace('90s', 0)).to.equal(90_000);
    expect(parseGrace('5m', 0)).to.equal(300_000);
    expect(parseGrace('1h', 0)).to.equal(3_600_000);
    for (const bad of ['61m', '2h', '-1s', '1.5s', '10', 's', '', ['1s']]) {
      expect(() => parseGrace(bad, 0), String(bad))
        .to.throw()
        .with.property('code', 'INVALID_QUERY_PARAMETER');
    }
  });

  it('reads the reports before the store, so a record stored in between is never counted missing', async function () {
    const order: string[] = [];
    const service = new CompletenessService(
      {
        reports: async () => (order.push('reports'), [report({ history: [[NOW - 61_000, 100]] })]),
        ranges: async () => (order.push('ranges'), [stored([[1, 100]])]),
      },
      GRACE,
      () => NOW,
    );
    expect((await service.report()).totals).to.include({ served: 100, stored: 100, missing: 0 });
    expect(order).to.deep.equal(['reports', 'ranges']);
  });
});
