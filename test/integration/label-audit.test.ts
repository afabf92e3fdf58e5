import { join } from 'node:path';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { AuditShipper } from '@vigil/audit';
import type { LabelRecord } from '@vigil/records';
import { PostgresStore, SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../support/fixtures/prediction-records';
import { useTempDirs } from '../support/temp-dirs';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
const label = (prediction_id: string, value: 0 | 1, labeledDay: number, receivedHour = 0): LabelRecord => ({
  prediction_id,
  label: value,
  labeled_at: at(labeledDay),
  received_at: at(20, receivedHour),
});

// The label side of the audit: SQLite's label_history (outbox) through the shipper into Postgres' append-only labels table.
describe('label audit (SQLite label_history to Postgres labels)', function () {
  this.timeout(30_000);
  const schema = `test_label_audit_${process.pid}`;
  const tempDir = useTempDirs();
  let path: string;
  let writer: SqliteWriter;
  let store: PostgresStore;
  beforeEach(async function () {
    await dropSchema(schema);
    path = join(tempDir('label-audit'), 'monitoring.db');
    writer = SqliteWriter.open(path);
    store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
  });
  afterEach(async function () {
    writer.close();
    await store.close();
  });
  after(() => dropSchema(schema));

  const auditCount = async () => Number((await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".labels`))[0]!.n);
  const labelProgress = () => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT shipped_through FROM label_audit_progress').get() as { shipped_through: number }).shipped_through;
    } finally {
      db.close();
    }
  };

  it('keeps every version of a replaced label in Postgres while SQLite keeps the current one, predictions shipping beside them', async function () {
    const [prediction] = predictionRecords(1);
    writer.insertBatch([prediction!]);
    const id = prediction!.prediction_id;
    writer.insertLabels([label(id, 1, 1)]);
    writer.insertLabels([label(id, 0, 3, 1)]); // a chargeback reversed: replaces
    writer.insertLabels([label(id, 1, 2, 2)]); // decided before the reversal, arriving after it: history only
    writer.insertLabels([label('never-predicted', 1, 1)]);
    const pages: { rows: number; inserted: number }[] = [];
    await new AuditShipper(writer, store, { events: { labelsShipped: (rows, inserted) => pages.push({ rows, inserted }) } }).drain();

    expect(pages).to.deep.equal([{ rows: 4, inserted: 4 }]);
    const versions = await store.labelVersions(id);
    // In replacement order (labeled_at, then arrival), with the version each had in SQLite's history.
    expect(versions.map((v) => [v.label, v.labeled_at, v.version])).to.deep.equal([
      [1, at(1), 1],
      [1, at(2), 3],
      [0, at(3), 2],
    ]);
    expect(versions.every((v) => v.received_at === at(20, v.version - 1))).to.equal(true);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT label, version FROM labels WHERE prediction_id = ?').get(id)).to.deep.equal({ label: 0, version: 2 });
    db.close();
    expect((await store.labelVersions('never-predicted')).map((v) => v.label)).to.deep.equal([1]);
    const [predictions] = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".predictions`);
    expect(Number(predictions!.n)).to.equal(1);
    expect(labelProgress()).to.equal(4);
    expect(writer.labelsForAudit(10)).to.deep.equal([]);
  });

  it('adds nothing when pages ship again (a crash between the insert and the progress write), then ships only what is new', async function () {
    writer.insertLabels(Array.from({ length: 25 }, (_, i) => label(`p-${i}`, (i % 2) as 0 | 1, 1)));
    const pages: { rows: number; inserted: number }[] = [];
    const shipper = new AuditShipper(writer, store, { batchSize: 10, events: { labelsShipped: (rows, inserted) => pages.push({ rows, inserted }) } });
    await shipper.drain();
    expect(pages).to.deep.equal([
      { rows: 10, inserted: 10 },
      { rows: 10, inserted: 10 },
      { rows: 5, inserted: 5 },
    ]);
    expect(await auditCount()).to.equal(25);

    // The progress write lost: every page goes again, and the audit keeps one row per label version.
    const db = new Database(path);
    db.prepare('UPDATE label_audit_progress SET shipped_through = 0').run();
    db.close();
    pages.length = 0;
    await shipper.drain();
    expect(pages.map((p) => p.inserted)).to.deep.equal([0, 0, 0]);
    expect(await auditCount()).to.equal(25);

    writer.insertLabels([label('p-0', 1, 2), label('p-0', 1, 2, 5)]); // a new version, and the same decision resent: one row
    pages.length = 0;
    await shipper.drain();
    expect(pages).to.deep.equal([{ rows: 1, inserted: 1 }]);
    expect((await store.labelVersions('p-0')).map((v) => [v.label, v.version])).to.deep.equal([
      [0, 1],
      [1, 2],
    ]);
    expect(await auditCount()).to.equal(26);
  });
});
