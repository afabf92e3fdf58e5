import { expect } from 'chai';
import { LabelCsvError, readLabelCsv } from '../src/feedback/label-csv';

const defaults = { labeledAt: '2026-03-01T00:00:00.000Z', receivedAt: '2026-03-05T00:00:00.000Z' };

async function* linesOf(text: string): AsyncGenerator<string> {
  yield* text.split('\n');
}

async function read(text: string) {
  const rows = [];
  for await (const row of readLabelCsv(linesOf(text), defaults)) rows.push(row);
  return rows;
}

describe('cli feedback import: reading a labels CSV', function () {
  it('reads rows in the header order, defaults labeled_at, and skips bad rows with their line numbers and why', async function () {
    const rows = await read(
      [
        '\uFEFFlabel,labeled_at,prediction_id',
        '1,2026-03-02T10:00:00+02:00,p-1',
        '0,,p-2',
        '',
        '2,,p-3',
        '1,yesterday,p-4',
        '1,,has space',
        '1,p-6',
        '"1,,p-7',
        '1,,p-8\r',
      ].join('\n'),
    );
    expect(rows).to.deep.equal([
      { line: 2, label: { prediction_id: 'p-1', label: 1, labeled_at: '2026-03-02T08:00:00.000Z', received_at: defaults.receivedAt } },
      { line: 3, label: { prediction_id: 'p-2', label: 0, labeled_at: defaults.labeledAt, received_at: defaults.receivedAt } },
      { line: 5, problem: 'label must be 0 or 1' },
      { line: 6, problem: 'labeled_at must be an ISO 8601 date-time with a zone, e.g. 2026-03-01T12:00:00Z' },
      { line: 7, problem: 'prediction_id must be a string of 1-128 printable characters, no spaces' },
      { line: 8, problem: 'has 2 field(s), the header has 3' },
      { line: 9, problem: 'unclosed quote' },
      { line: 10, label: { prediction_id: 'p-8', label: 1, labeled_at: defaults.labeledAt, received_at: defaults.receivedAt } },
    ]);
  });

  it('takes a file without a labeled_at column', async function () {
    expect(await read('prediction_id,label\nq,1\n')).to.deep.equal([
      { line: 2, label: { prediction_id: 'q', label: 1, labeled_at: defaults.labeledAt, received_at: defaults.receivedAt } },
    ]);
  });

  it('refuses the whole file when the header is missing, incomplete, unknown or repeated', async function () {
    const cases: [string, RegExp][] = [
      ['p-1,1\n', /unknown column "p-1"/],
      ['prediction_id\np,1\n', /must be a header naming the columns/],
      ['prediction_id,label,labelled_at\n', /unknown column "labelled_at"/],
      ['prediction_id,label,label\n', /"label" appears twice/],
      ['\nprediction_id,label\n', /line 1 must be a header/],
      ['', /the file is empty/],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      await read(text).catch((e: unknown) => (error = e));
      expect(error, text).to.be.instanceOf(LabelCsvError);
      expect((error as Error).message, text).to.match(message);
    }
  });
});
