import { join } from 'node:path';
import { expect } from 'chai';
import type { LabelRecord } from '@vigil/records';
import { replacesLabel, SqliteLabelReader, SqliteWriter, type LabelJoin } from '@vigil/stores';
import { predictionRecord } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';

const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
const label = (prediction_id: string, value: 0 | 1, labeledDay: number, receivedHour = 0): LabelRecord => ({
  prediction_id,
  label: value,
  labeled_at: at(labeledDay),
  received_at: at(20, receivedHour),
});

describe('SQLite labels', function () {
  const tempDir = useTempDirs();
  let joins: LabelJoin[];
  let writer: SqliteWriter;
  let path: string;
  beforeEach(function () {
    joins = [];
    path = join(tempDir('vigil-labels-'), 'monitoring.db');
    writer = SqliteWriter.open(path, { onLabelsJoined: (changes) => joins.push(...changes) });
  });
  afterEach(() => writer.close());

  const rows = (sql: string) => (writer as unknown as { db: { prepare(s: string): { all(): unknown[] } } }).db.prepare(sql).all();
  const current = () => rows('SELECT prediction_id, label, labeled_at, version FROM labels ORDER BY prediction_id');

  it('orders versions by labeled_at, ties to the later arrival; an older decision arriving late is kept in history only', function () {
    expect(replacesLabel(undefined, { labeled_at: at(1) })).to.equal(true);
    expect(replacesLabel({ labeled_at: at(2) }, { labeled_at: at(1) })).to.equal(false);
    expect(replacesLabel({ labeled_at: at(2) }, { labeled_at: at(2) })).to.equal(true);
    expect(writer.insertLabels([label('p', 1, 2)])).to.equal(1);
    expect(writer.insertLabels([label('p', 0, 1, 1)])).to.equal(1); // decided earlier, arrived later: not current
    expect(current()).to.deep.equal([{ prediction_id: 'p', label: 1, labeled_at: at(2), version: 1 }]);
    expect(writer.insertLabels([label('p', 0, 2, 2)])).to.equal(1); // same labeled_at, arrived later: replaces
    expect(current()).to.deep.equal([{ prediction_id: 'p', label: 0, labeled_at: at(2), version: 3 }]);
    expect(rows('SELECT label, labeled_at, version FROM label_history ORDER BY id')).to.deep.equal([
      { label: 1, labeled_at: at(2), version: 1 },
      { label: 0, labeled_at: at(1), version: 2 },
      { label: 0, labeled_at: at(2), version: 3 },
    ]);
  });

  it('keeps a resent label once (same id, label, labeled_at), however often it comes', function () {
    expect(writer.insertLabels([label('p', 1, 1), label('p', 1, 1, 3)])).to.equal(1);
    expect(writer.insertLabels([label('p', 1, 1, 5)])).to.equal(0);
    expect(rows('SELECT count(*) AS n FROM label_history')).to.deep.equal([{ n: 1 }]);
  });

  it('joins a label to a stored prediction at once, and one that came first when its prediction arrives', async function () {
    const early = predictionRecord({ prediction_id: '11111111-1111-4111-8111-111111111111', probability: 0.9, prediction: 1 });
    const late = predictionRecord({ prediction_id: '22222222-2222-4222-8222-222222222222', probability: 0.2, prediction: 0 });
    writer.insertBatch([early]);
    writer.insertLabels([label(early.prediction_id, 1, 1), label(late.prediction_id, 1, 1), label('never-seen', 0, 1)]);
    expect(joins).to.deep.equal([
      {
        prediction_id: early.prediction_id,
        previous: null,
        label: 1,
        prediction: { timestamp: early.timestamp, model_version: early.model_version, probability: 0.9, prediction: 1 },
      },
    ]);
    const reader = SqliteLabelReader.open(path);
    expect((await reader.unmatchedLabels(10)).count).to.equal(2);

    writer.insertBatch([late]);
    expect(joins[1]).to.deep.equal({
      prediction_id: late.prediction_id,
      previous: null,
      label: 1,
      prediction: { timestamp: late.timestamp, model_version: late.model_version, probability: 0.2, prediction: 0 },
    });
    // A redelivered prediction batch adds no row and so joins nothing again.
    writer.insertBatch([late]);
    expect(joins).to.have.length(2);
    expect(await reader.unmatchedLabels(10)).to.deep.equal({
      count: 1,
      labels: [{ prediction_id: 'never-seen', label: 0, labeled_at: at(1), received_at: at(20) }],
    });

    writer.insertLabels([label(early.prediction_id, 0, 3)]);
    expect(joins[2]).to.include({ prediction_id: early.prediction_id, previous: 1, label: 0 });
    reader.close();
  });

  it('hands the audit every version in outbox order, and none again once shipped', function () {
    writer.insertLabels([label('a', 1, 1), label('a', 0, 2), label('b', 1, 1)]);
    const page = writer.labelsForAudit(10);
    expect(page.map((r) => [r.prediction_id, r.label, r.version])).to.deep.equal([
      ['a', 1, 1],
      ['a', 0, 2],
      ['b', 1, 1],
    ]);
    writer.markLabelsShippedThrough(page[1]!.id);
    expect(writer.labelsForAudit(10).map((r) => r.prediction_id)).to.deep.equal(['b']);
  });
});
