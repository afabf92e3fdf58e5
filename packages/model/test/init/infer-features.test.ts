import { expect } from 'chai';
import { inferFeatures, MAX_CATEGORIES, ModelInitError, parseSampleCsv, sampleRecords, type TypeHint } from '@vigil/model';

const CRAFTED = [
  'id,amount,count,present,subscribed,kind,delta,label',
  '1,12.5,3,true,yes,b,-4,1',
  '2,0.25,0,FALSE,No,a,2.5,0',
  '3,400,12,True,yes,c,1,0',
  '4,7,1,false,no,b,-0.5,1',
].join('\n');

const table = () => parseSampleCsv(CRAFTED, 'crafted.csv');
const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(ModelInitError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('model init: sample CSV and feature inference', function () {
  it('types each column by its values: numbers, integers, true/false and yes/no booleans, the rest categorical', function () {
    const features = inferFeatures(table(), { skip: new Set(['id', 'label']) });
    const typed = features.map(({ spec }) => [spec.name, spec.type]);
    expect(typed).to.deep.equal([
      ['amount', 'number'],
      ['count', 'integer'],
      ['present', 'boolean'],
      ['subscribed', 'boolean'],
      ['kind', 'categorical'],
      ['delta', 'number'],
    ]);
  });

  it('widens the ranges: from 0 without negatives, min - span with them, up to max + span or 10 x max for a long tail', function () {
    const byName = Object.fromEntries(inferFeatures(table(), { skip: new Set(['id', 'label']) }).map(({ spec }) => [spec.name, spec]));
    // amount 0.25..400, median 9.75: a long upper tail, so 10 x 400.
    expect(byName.amount).to.include({ min: 0, max: 4000 });
    // count 0..12, median 2: long tail too (10 > 3 x 2), integers.
    expect(byName.count).to.include({ min: 0, max: 120 });
    // delta -4..2.5, span 6.5, median 0.25: min - span = -10.5, max + span = 9.
    expect(byName.delta).to.include({ min: -11, max: 9 });
  });

  it('sorts the categories, as scikit-learn and pandas order one-hot columns, unless --categories gives the order', function () {
    const [sorted] = inferFeatures(table(), { skip: new Set(['id', 'amount', 'count', 'present', 'subscribed', 'delta', 'label']) });
    expect(sorted!.spec).to.include({ type: 'categorical' });
    expect(sorted!.spec.type === 'categorical' && sorted!.spec.categories).to.deep.equal(['a', 'b', 'c']);
    const given = inferFeatures(table(), { skip: new Set(['id', 'label']), categories: new Map([['kind', ['c', 'b', 'a', 'd']]]) });
    const kind = given.find(({ spec }) => spec.name === 'kind')!.spec;
    expect(kind.type === 'categorical' && kind.categories).to.deep.equal(['c', 'b', 'a', 'd']);
    // A numeric column named in --categories becomes categorical.
    const idCategories = inferFeatures(table(), { skip: new Set(['label']), categories: new Map([['id', ['1', '2', '3', '4']]]) });
    expect(idCategories[0]!.spec).to.include({ name: 'id', type: 'categorical' });
  });

  it('turns the rows into the records a client sends: numbers, true/false, category strings', function () {
    const t = table();
    const records = sampleRecords(t, inferFeatures(t, { skip: new Set(['id', 'label']) }));
    expect(records[1]).to.deep.equal({ amount: 0.25, count: 0, present: false, subscribed: false, kind: 'a', delta: 2.5 });
  });

  it("follows the model's per-feature input types: a string input's digits are categories, a bool input's 0/1 is boolean", function () {
    const t = parseSampleCsv('zip,flag\n02134,1\n10001,0\n02134,1', 'hinted.csv');
    const hints = new Map<string, TypeHint>([
      ['zip', 'categorical'],
      ['flag', 'boolean'],
    ]);
    const [zip, flag] = inferFeatures(t, { hints });
    expect(zip!.spec.type === 'categorical' && zip!.spec.categories).to.deep.equal(['02134', '10001']);
    expect(flag!.spec.type).to.equal('boolean');
    expect(sampleRecords(t, [zip!, flag!])[0]).to.deep.equal({ zip: '02134', flag: true });
    // Without the hints 0/1 stays an integer.
    expect(inferFeatures(t)[1]!.spec.type).to.equal('integer');
    expect(refusal(() => inferFeatures(parseSampleCsv('flag\nmaybe\n1', 'x.csv'), { hints: new Map([['flag', 'boolean']]) }))).to.match(
      /column "flag" feeds the model's bool input, but line 2 holds "maybe"/,
    );
  });

  it(`refuses a column of more than ${MAX_CATEGORIES} distinct values, suggesting a numeric encoding or --exclude`, function () {
    const rows = Array.from({ length: MAX_CATEGORIES + 1 }, (_, i) => `user-${i},${i % 7}`);
    const message = refusal(() => inferFeatures(parseSampleCsv(['user,n', ...rows].join('\n'), 'many.csv')));
    expect(message).to.match(/column "user" holds 101 distinct values .* at most 100\. Give the model a numeric encoding .* --exclude user/);
    // Exactly the limit is accepted.
    const fine = Array.from({ length: MAX_CATEGORIES }, (_, i) => `user-${i}`);
    expect(inferFeatures(parseSampleCsv(['user', ...fine].join('\n'), 'ok.csv'))[0]!.spec.type).to.equal('categorical');
  });

  it('refuses an empty cell, naming the column and the line', function () {
    expect(refusal(() => inferFeatures(parseSampleCsv('a,b\n1,2\n3,\n4,', 'gaps.csv')))).to.match(
      /column "b" is empty on line 3 and 1 more line\(s\) of gaps\.csv: .*--exclude b/,
    );
  });

  it('refuses sample values that --categories does not list', function () {
    expect(refusal(() => inferFeatures(table(), { skip: new Set(['id', 'label']), categories: new Map([['kind', ['a', 'b']]]) }))).to.match(
      /column "kind" holds "c" on line 4 of crafted\.csv, which --categories kind does not list/,
    );
  });

  it('reads quoted fields, CRLF line ends and a BOM, and refuses malformed files with the line', function () {
    const quoted = parseSampleCsv('\uFEFFname,note\r\n"Smith, J","said ""hi"""\r\n\r\nx,y\r\n', 'q.csv');
    expect(quoted.columns).to.deep.equal(['name', 'note']);
    expect(quoted.rows).to.deep.equal([
      ['Smith, J', 'said "hi"'],
      ['x', 'y'],
    ]);
    expect(quoted.lines).to.deep.equal([2, 4]);
    expect(refusal(() => parseSampleCsv('a,b\n1,2,3', 'wide.csv'))).to.equal('wide.csv line 2: 3 field(s), the header names 2');
    expect(refusal(() => parseSampleCsv('a,a\n1,2', 'twice.csv'))).to.match(/column "a" appears twice/);
    expect(refusal(() => parseSampleCsv('a,\n1,2', 'unnamed.csv'))).to.match(/column 2 has no name/);
    expect(refusal(() => parseSampleCsv('a\n"open', 'open.csv'))).to.match(/open\.csv line 2: a quote is left open/);
    expect(refusal(() => parseSampleCsv('a,b\n', 'header-only.csv'))).to.match(/has a header but no rows/);
    expect(refusal(() => parseSampleCsv('\n\n', 'empty.csv'))).to.match(/empty\.csv is empty/);
  });

  it('refuses a sample with no feature left', function () {
    expect(refusal(() => inferFeatures(parseSampleCsv('label\n1', 'l.csv'), { skip: new Set(['label']) }))).to.match(/no feature column left/);
  });
});
