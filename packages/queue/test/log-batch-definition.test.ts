import { expect } from 'chai';
import { encodeLogBatch, LOG_BATCH_COLUMNS_V2, LOG_BATCH_JOB, logBatchRecords, parseLogBatch, type LogBatchPayloadV4 } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecord as good } from '../../../test/support/fixtures/prediction-records';

/** What an API before trace ids wrote: the version 4 table without its last column. */
function asVersion3(payload: LogBatchPayloadV4): unknown {
  return { ...payload, v: 3, columns: payload.columns.slice(0, 9), rows: payload.rows.map((row) => row.slice(0, 9)) };
}

describe('parseLogBatch', function () {
  it('keeps good records and reports each bad one by index', function () {
    const records = [good(), { ...good(), probability: 2 }, good(), { ...good(), prediction_id: 'x' }, null];
    const parsed = parseLogBatch({ v: 1, records });
    expect(parsed.records).to.have.length(2);
    expect(parsed.problems.map((p) => [p.index, p.problem])).to.deep.equal([
      [1, 'probability is not in [0, 1]'],
      [3, 'prediction_id is not a UUID'],
      [4, 'not an object'],
    ]);
  });

  it('rejects an unknown payload version whole', function () {
    expect(parseLogBatch({ v: 99, records: [good()] }).problems[0]?.problem).to.match(/unsupported payload version/);
    expect(parseLogBatch('junk').records).to.deep.equal([]);
  });

  it('round-trips a batch through the version 3 table, features in their original order', function () {
    const features = (i: number) => ({ amount: i * 1.5, is_weekend: i === 2, merchant_category: `c"${i}`, velocity: -i });
    const records: PredictionRecord[] = [1, 2, 3].map((i) => ({ ...good(), features: features(i) }));
    const payload = JSON.parse(JSON.stringify(encodeLogBatch(records))) as unknown;
    expect(payload).to.include({ v: LOG_BATCH_JOB.version });
    expect((payload as { feature_names: string[] }).feature_names).to.deep.equal(['amount', 'is_weekend', 'merchant_category', 'velocity']);
    expect((payload as { rows: unknown[][] }).rows[1]![6]).to.deep.equal([3, true, 'c"2', -2]);
    const parsed = parseLogBatch(payload);
    expect(parsed.problems).to.deep.equal([]);
    expect(parsed.records).to.deep.equal(records);
    // The stores keep JSON.stringify(features): the text must be the same as before the trip.
    expect(parsed.records.map((r) => JSON.stringify(r.features))).to.deep.equal(records.map((r) => JSON.stringify(r.features)));
  });

  it('keeps the features object of a record whose names or order differ from the first record', function () {
    const first = { ...good(), features: { a: 1, b: 2 } };
    const reordered = { ...good(), features: { b: 2, a: 1 } };
    const extra = { ...good(), features: { a: 1, b: 2, c: 3 } };
    const fewer = { ...good(), features: { a: 1 } };
    const protoNamed = { ...good(), features: JSON.parse('{"__proto__":1,"a":2}') as Record<string, number> };
    const payload = JSON.parse(JSON.stringify(encodeLogBatch([first, reordered, extra, fewer, protoNamed]))) as { rows: unknown[][] };
    expect(payload.rows.map((row) => Array.isArray(row[6]))).to.deep.equal([true, false, false, false, false]);
    const parsed = parseLogBatch(payload);
    expect(parsed.problems).to.deep.equal([]);
    expect(parsed.records.map((r) => JSON.stringify(r.features))).to.deep.equal([
      '{"a":1,"b":2}',
      '{"b":2,"a":1}',
      '{"a":1,"b":2,"c":3}',
      '{"a":1}',
      '{"__proto__":1,"a":2}',
    ]);
    expect(Object.getPrototypeOf(parsed.records[4]!.features)).to.equal(Object.prototype);
  });

  it('keeps the object form for a record with an undefined feature value, which JSON leaves out', function () {
    const withUndefined = { ...good(), features: { amount: 1, velocity: undefined } as unknown as PredictionRecord['features'] };
    const payload = JSON.parse(JSON.stringify(encodeLogBatch([withUndefined]))) as { rows: unknown[][] };
    expect(payload.rows[0]![6]).to.deep.equal({ amount: 1 });
    expect(JSON.stringify(parseLogBatch(payload).records[0]?.features)).to.equal(JSON.stringify(withUndefined.features));
  });

  it('never turns a malformed version 3 row into a good record', function () {
    const notObject = { ...good(), features: [1, 2] as unknown as PredictionRecord['features'] };
    const encoded = JSON.parse(JSON.stringify(asVersion3(encodeLogBatch([good(), notObject])))) as { v: 3; feature_names: string[]; rows: unknown[] };
    expect(encoded.rows[1]).to.have.property('6', null);
    const first = encoded.rows[0] as unknown[];
    const rows = [...encoded.rows, 'junk', [1, 2], [...first.slice(0, 6), [1, 2, 3], null, null]];
    const parsed = parseLogBatch({ ...encoded, rows });
    expect(parsed.records).to.have.length(1);
    expect(parsed.problems.map((p) => [p.index, p.problem])).to.deep.equal([
      [1, 'features is not an object'],
      [2, 'not an object'],
      [3, 'not a record (an array)'],
      [4, 'features is not an object'],
    ]);
    // What a dead letter keeps is the row in record shape, named, as it arrived.
    expect(parsed.problems[3]?.received).to.include({ prediction_id: first[0] });
    expect(parseLogBatch({ ...encoded, feature_names: [1] }).problems[0]).to.include({ index: -1, problem: 'version 3 payload is malformed' });
    expect(parseLogBatch({ ...encoded, feature_names: ['__proto__'] }).problems[0]).to.include({ index: -1 });
    // A version 2 row (seven columns) in a version 3 payload is not read as a record without an instance.
    expect(parseLogBatch({ ...encoded, rows: [first.slice(0, 7)] }).problems[0]).to.include({ index: 0, problem: 'not a record (an array)' });
  });

  it('round-trips instance ids and sequence numbers through version 3, each id written once per batch', function () {
    const records: PredictionRecord[] = [
      { ...good(), instance_id: 'api-a', seq: 7 },
      { ...good(), instance_id: 'api-b', seq: 1 },
      { ...good(), instance_id: 'api-a', seq: 8 },
      good(), // logged before instances numbered theirs: neither field
    ];
    const payload = JSON.parse(JSON.stringify(asVersion3(encodeLogBatch(records)))) as { v: number; columns: string[]; instances: string[]; rows: unknown[][] };
    expect(payload.v).to.equal(3);
    expect(payload.columns.slice(-2)).to.deep.equal(['instance', 'seq']);
    expect(payload.instances).to.deep.equal(['api-a', 'api-b']);
    expect(payload.rows.map((row) => row.slice(7))).to.deep.equal([
      [0, 7],
      [1, 1],
      [0, 8],
      [null, null],
    ]);
    const parsed = parseLogBatch(payload);
    expect(parsed.problems).to.deep.equal([]);
    expect(parsed.records).to.deep.equal(records);
    expect(parsed.records[3]).to.not.have.any.keys('instance_id', 'seq');
  });

  it('refuses a version 3 row whose instance index points nowhere or whose seq is not a positive whole number', function () {
    const encoded = JSON.parse(JSON.stringify(asVersion3(encodeLogBatch([{ ...good(), instance_id: 'api-a', seq: 1 }])))) as {
      instances: string[];
      rows: unknown[][];
    };
    const row = encoded.rows[0]!;
    const withTail = (instance: unknown, seq: unknown) => [...row.slice(0, 7), instance, seq];
    const rows = [withTail(1, 2), withTail(-1, 2), withTail('api-a', 2), withTail(0, 0), withTail(0, 2.5), withTail(0, '3'), withTail(null, 4)];
    const parsed = parseLogBatch({ ...encoded, rows });
    expect(parsed.problems.map((p) => [p.index, p.problem])).to.deep.equal([
      [0, 'not a record (an array)'],
      [1, 'not a record (an array)'],
      [2, 'not a record (an array)'],
      [3, 'seq is not a positive safe integer'],
      [4, 'seq is not a positive safe integer'],
      [5, 'seq is not a positive safe integer'],
    ]);
    // An instance is optional (and so is the seq): a seq without an instance is a valid, older-style record.
    expect(parsed.records).to.have.length(1);
    expect(parsed.records[0]).to.include({ seq: 4 }).and.not.have.property('instance_id');
    expect(parseLogBatch({ ...encoded, instances: [1] }).problems[0]).to.include({ index: -1, problem: 'version 3 payload is malformed' });
    expect(parseLogBatch({ ...encoded, instances: undefined }).problems[0]).to.include({ index: -1 });
  });

  it('writes version 4: the trace id in the last column, null without one; a bad one is refused, never stored', function () {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const records: PredictionRecord[] = [{ ...good(), trace_id: trace }, good()];
    const payload = JSON.parse(JSON.stringify(encodeLogBatch(records))) as { v: number; columns: string[]; rows: unknown[][] };
    expect(payload.v).to.equal(4);
    expect(payload.columns.at(-1)).to.equal('trace_id');
    expect(payload.rows.map((row) => row[9])).to.deep.equal([trace, null]);
    expect(parseLogBatch(payload)).to.deep.equal({ records, problems: [] });
    const bad = { ...payload, rows: [[...(payload.rows[0] ?? []).slice(0, 9), 'NOT-A-TRACE']] };
    expect(parseLogBatch(bad).problems.map((p) => p.problem)).to.deep.equal(['trace_id is not 32 lowercase hex digits']);
    // A version 3 row (nine columns) in a version 4 payload is not half-read.
    expect(parseLogBatch({ ...payload, rows: [(payload.rows[0] ?? []).slice(0, 9)] }).problems.map((p) => p.problem)).to.deep.equal([
      'not a record (an array)',
    ]);
  });

  it('still reads version 2 payloads (queued by an older API), whose records have no instance', function () {
    const records = [good(), good()];
    const v3 = JSON.parse(JSON.stringify(asVersion3(encodeLogBatch(records)))) as { feature_names: string[]; rows: unknown[][] };
    const v2 = { v: 2, columns: [...LOG_BATCH_COLUMNS_V2], feature_names: v3.feature_names, rows: v3.rows.map((row) => row.slice(0, 7)) };
    const parsed = parseLogBatch(v2);
    expect(parsed.problems).to.deep.equal([]);
    expect(parsed.records).to.deep.equal(records);
    // A version 3 row (nine columns) in a version 2 payload is not half-read either.
    expect(parseLogBatch({ ...v2, rows: v3.rows }).problems.map((p) => p.problem)).to.deep.equal(['not a record (an array)', 'not a record (an array)']);
  });

  it('still reads version 1 payloads, and gives either version back in record shape', function () {
    const records = [good(), good()];
    expect(parseLogBatch({ v: 1, records }).records).to.deep.equal(records);
    expect(logBatchRecords(JSON.parse(JSON.stringify(encodeLogBatch(records))))).to.deep.equal(records);
    expect(logBatchRecords({ v: 1, records })).to.deep.equal(records);
    // Dead-letter replays write version 1: a record there keeps its instance and seq.
    const numbered = [{ ...good(), instance_id: 'api-a', seq: 3 }];
    expect(parseLogBatch({ v: 1, records: numbered })).to.deep.equal({ records: numbered, problems: [] });
    expect(logBatchRecords({ v: 3 })).to.equal(undefined);
    expect(logBatchRecords({ v: 4, rows: [] })).to.equal(undefined);
  });
});
