import { expect } from 'chai';
import { encodeLogBatch, LOG_BATCH_JOB, logBatchRecords, parseLogBatch } from '@vigil/queue';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecord as good } from '../../../test/support/fixtures/prediction-records';

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

  it('round-trips a batch through the version 2 table, features in their original order', function () {
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

  it('never turns a malformed version 2 row into a good record', function () {
    const notObject = { ...good(), features: [1, 2] as unknown as PredictionRecord['features'] };
    const encoded = JSON.parse(JSON.stringify(encodeLogBatch([good(), notObject]))) as { v: 2; feature_names: string[]; rows: unknown[] };
    expect(encoded.rows[1]).to.have.property('6', null);
    const rows = [...encoded.rows, 'junk', [1, 2], [...(encoded.rows[0] as unknown[]).slice(0, 6), [1, 2, 3]]];
    const parsed = parseLogBatch({ ...encoded, rows });
    expect(parsed.records).to.have.length(1);
    expect(parsed.problems.map((p) => [p.index, p.problem])).to.deep.equal([
      [1, 'features is not an object'],
      [2, 'not an object'],
      [3, 'not a record (an array)'],
      [4, 'features is not an object'],
    ]);
    // What a dead letter keeps is the row in record shape, named, as it arrived.
    expect(parsed.problems[3]?.received).to.include({ prediction_id: (encoded.rows[0] as string[])[0] });
    expect(parseLogBatch({ ...encoded, feature_names: [1] }).problems[0]).to.include({ index: -1, problem: 'version 2 payload is malformed' });
    expect(parseLogBatch({ ...encoded, feature_names: ['__proto__'] }).problems[0]).to.include({ index: -1 });
  });

  it('still reads version 1 payloads, and gives either version back in record shape', function () {
    const records = [good(), good()];
    expect(parseLogBatch({ v: 1, records }).records).to.deep.equal(records);
    expect(logBatchRecords(JSON.parse(JSON.stringify(encodeLogBatch(records))))).to.deep.equal(records);
    expect(logBatchRecords({ v: 1, records })).to.deep.equal(records);
    expect(logBatchRecords({ v: 3 })).to.equal(undefined);
  });
});
