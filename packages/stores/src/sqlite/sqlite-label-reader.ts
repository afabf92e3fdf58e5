import type { LabelReader, UnmatchedLabel, UnmatchedLabels } from '../labels-joined';
import { openSqlite, type SqliteDatabase } from './open-sqlite';

/** The labels the API reports, from the SQLite file the worker writes. */
export class SqliteLabelReader implements LabelReader {
  private readonly count;
  private readonly oldest;

  constructor(private readonly db: SqliteDatabase) {
    this.count = db.prepare<[], number>('SELECT count(*) FROM labels_unmatched').pluck();
    this.oldest = db.prepare<[number], UnmatchedLabel>(
      `SELECT u.prediction_id, l.label, l.labeled_at, u.received_at FROM labels_unmatched u
       JOIN labels l ON l.prediction_id = u.prediction_id ORDER BY u.received_at, u.prediction_id LIMIT ?`,
    );
  }

  static open(path: string): SqliteLabelReader {
    return new SqliteLabelReader(openSqlite(path));
  }

  async unmatchedLabels(limit: number): Promise<UnmatchedLabels> {
    // One read transaction would need the db handle; two statements may disagree by a batch, which a listing tolerates.
    return { count: this.count.get() ?? 0, labels: this.oldest.all(limit) };
  }

  close(): void {
    this.db.close();
  }
}
