import { expect } from 'chai';
import { encodeLabelBatch, labelBatchJobId, labelId, parseLabelBatch } from '@vigil/queue';
import type { LabelRecord } from '@vigil/records';
import { storedLabelId } from '@vigil/stores';

const T = '2026-03-01T12:00:00.000Z';
const labels: LabelRecord[] = [
  { prediction_id: 'p-1', label: 1, labeled_at: T, received_at: T },
  { prediction_id: 'p-2', label: 0, labeled_at: '2026-03-02T00:00:00.000Z', received_at: T },
];

describe('label-batch job', function () {
  it('decodes what it encodes, as rows of four columns', function () {
    const payload = encodeLabelBatch(labels);
    expect(payload.rows[0]).to.deep.equal(['p-1', 1, T, T]);
    expect(parseLabelBatch(JSON.parse(JSON.stringify(payload)))).to.deep.equal({ labels, problems: [] });
  });

  it('separates bad rows from good ones, and refuses an unreadable payload whole', function () {
    const payload = { v: 1, columns: [], rows: [['p-1', 1, T, T], ['p-2', 5, T, T], ['short']] };
    const { labels: good, problems } = parseLabelBatch(payload);
    expect(good.map((l) => l.prediction_id)).to.deep.equal(['p-1']);
    expect(problems.map((p) => [p.index, p.problem])).to.deep.equal([
      [1, 'label is not 0 or 1'],
      [2, 'prediction_id is missing or malformed'],
    ]);
    expect(parseLabelBatch({ v: 9, rows: [] }).problems[0]).to.include({ index: -1, problem: 'unsupported label payload version 9' });
  });

  it('names a label and a batch by content: received_at plays no part, any other field does', function () {
    const later = { ...labels[0]!, received_at: '2026-03-05T00:00:00.000Z' };
    expect(labelId(later)).to.equal(labelId(labels[0]!));
    expect(labelId({ ...labels[0]!, label: 0 })).not.to.equal(labelId(labels[0]!));
    expect(labelBatchJobId([later, labels[1]!])).to.equal(labelBatchJobId(labels));
    expect(labelBatchJobId([labels[1]!, labels[0]!])).not.to.equal(labelBatchJobId(labels));
    expect(labelBatchJobId(labels)).to.match(/^label-[0-9a-f]{40}$/);
  });

  it('gives the same label id as the stores compute (they may not import each other)', function () {
    for (const label of labels) expect(storedLabelId(label)).to.equal(labelId(label));
  });
});
