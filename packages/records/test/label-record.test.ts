import { expect } from 'chai';
import { labelProblem, MAX_FEEDBACK_LABELS, normaliseIsoDateTime, readFeedback } from '@vigil/records';

const NOW = '2026-03-01T12:00:00.000Z';
const ID = '0b6f1b2e-6f7c-4c55-9a3e-1d2a3b4c5d6e';

describe('readFeedback', function () {
  it('reads one label, defaulting labeled_at to now, and normalises a given one to UTC', function () {
    expect(readFeedback({ prediction_id: ID, label: 1 }, NOW)).to.deep.equal({
      labels: [{ prediction_id: ID, label: 1, labeled_at: NOW, received_at: NOW }],
      problems: [],
    });
    const { labels } = readFeedback({ prediction_id: ID, label: 0, labeled_at: '2026-02-01T10:00:00+02:00' }, NOW);
    expect(labels[0]?.labeled_at).to.equal('2026-02-01T08:00:00.000Z');
  });

  it('names every bad field of a batch by its path, and keeps none of its good labels', function () {
    const { labels, problems } = readFeedback(
      {
        labels: [
          { prediction_id: ID, label: 1 },
          { prediction_id: ID, label: 2 },
          { label: 0 },
          { prediction_id: 'has space', label: 1, labeled_at: 'yesterday' },
          { prediction_id: ID, label: true, extra: 1 },
          'not an object',
        ],
      },
      NOW,
    );
    expect(labels).to.deep.equal([]);
    expect(problems.map((p) => p.path)).to.deep.equal([
      'labels[1].label',
      'labels[2].prediction_id',
      'labels[3].prediction_id',
      'labels[3].labeled_at',
      'labels[4].extra',
      'labels[4].label',
      'labels[5]',
    ]);
  });

  it('refuses a body of the wrong shape, an empty batch, and more than the limit', function () {
    for (const body of [null, [], 'x', 7, { labels: [] }, { labels: {} }, { labels: [{ prediction_id: ID, label: 1 }], other: 1 }]) {
      expect(readFeedback(body, NOW).shape?.kind, JSON.stringify(body)).to.equal('shape');
    }
    const many = Array.from({ length: MAX_FEEDBACK_LABELS + 1 }, () => ({ prediction_id: ID, label: 1 }));
    expect(readFeedback({ labels: many }, NOW).shape).to.deep.equal({ kind: 'too-many', received: MAX_FEEDBACK_LABELS + 1 });
    expect(readFeedback({ labels: many.slice(1) }, NOW).labels).to.have.length(MAX_FEEDBACK_LABELS);
  });

  it('takes only real ISO 8601 date-times with a zone', function () {
    expect(normaliseIsoDateTime('2026-03-01T12:00:00Z')).to.equal('2026-03-01T12:00:00.000Z');
    for (const bad of ['2026-03-01', '2026-03-01T12:00:00', '2026-02-30T00:00:00Z', 'Sun, 01 Mar 2026 12:00:00 GMT', 1772366400000, '']) {
      expect(normaliseIsoDateTime(bad), String(bad)).to.equal(undefined);
    }
  });
});

describe('labelProblem', function () {
  it('accepts a label as the API writes it and refuses anything else the worker might be handed', function () {
    expect(labelProblem({ prediction_id: ID, label: 1, labeled_at: NOW, received_at: NOW })).to.equal(undefined);
    expect(labelProblem({ prediction_id: ID, label: 1, labeled_at: '2026-03-01T12:00:00Z', received_at: NOW })).to.match(/labeled_at/);
    expect(labelProblem({ prediction_id: ID, label: '1', labeled_at: NOW, received_at: NOW })).to.match(/label/);
    expect(labelProblem({ prediction_id: '', label: 1, labeled_at: NOW, received_at: NOW })).to.match(/prediction_id/);
    expect(labelProblem([ID, 1, NOW, NOW])).to.match(/prediction_id/);
  });
});
