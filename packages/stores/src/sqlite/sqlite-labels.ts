import { createHash } from 'node:crypto';
import type { LabelRecord } from '@vigil/records';
import type { LabelJoin, LabelsJoinedHook } from '../labels-joined';
import type { SqliteDatabase } from './open-sqlite';
import type { StoredRow } from './prediction-columns';

/** The same identity as @vigil/queue's labelId (a test checks they agree); stores must not depend on the queue package. */
export function storedLabelId(label: Pick<LabelRecord, 'prediction_id' | 'label' | 'labeled_at'>): string {
  return createHash('sha256').update(`${label.prediction_id}\n${label.label}\n${label.labeled_at}`).digest('hex').slice(0, 32);
}

/** Whether `next` replaces `current` as a prediction's label: a later labeled_at, or the same one arriving later (it is written later). */
export function replacesLabel(current: Pick<LabelRecord, 'labeled_at'> | undefined, next: Pick<LabelRecord, 'labeled_at'>): boolean {
  return current === undefined || next.labeled_at >= current.labeled_at;
}

type PredictionSide = LabelJoin['prediction'];

/**
 * The label tables of migration 8, written inside the caller's transaction
 * (SqliteWriter's): the history once per label id, the current label by
 * {@link replacesLabel}, the unmatched set, and the joins for the hook.
 */
export class SqliteLabels {
  private readonly insertHistory;
  private readonly nextVersion;
  private readonly current;
  private readonly upsertCurrent;
  private readonly predictionOf;
  private readonly addUnmatched;
  private readonly removeUnmatched;
  private readonly anyUnmatched;
  private readonly labelOf;

  constructor(
    db: SqliteDatabase,
    private readonly onJoined: LabelsJoinedHook,
  ) {
    this.insertHistory = db.prepare(
      `INSERT INTO label_history (label_id, prediction_id, label, labeled_at, received_at, version) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (label_id) DO NOTHING`,
    );
    this.nextVersion = db.prepare<[string], number>('SELECT coalesce(max(version), 0) + 1 FROM label_history WHERE prediction_id = ?').pluck();
    this.current = db.prepare<[string], { label: 0 | 1; labeled_at: string }>('SELECT label, labeled_at FROM labels WHERE prediction_id = ?');
    this.upsertCurrent = db.prepare(
      `INSERT INTO labels (prediction_id, label, labeled_at, received_at, version) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (prediction_id) DO UPDATE SET label = excluded.label, labeled_at = excluded.labeled_at,
         received_at = excluded.received_at, version = excluded.version`,
    );
    this.predictionOf = db.prepare<[string], PredictionSide>(
      'SELECT timestamp, model_version, probability, prediction FROM predictions WHERE prediction_id = ?',
    );
    this.addUnmatched = db.prepare('INSERT INTO labels_unmatched (prediction_id, received_at) VALUES (?, ?) ON CONFLICT (prediction_id) DO NOTHING');
    this.removeUnmatched = db.prepare('DELETE FROM labels_unmatched WHERE prediction_id = ?');
    this.anyUnmatched = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM labels_unmatched)').pluck();
    this.labelOf = db.prepare<[string], { label: 0 | 1 }>('SELECT label FROM labels WHERE prediction_id = ?');
  }

  /** Writes the labels (inside a transaction); returns how many versions were new. Calls the hook with the joins. */
  add(labels: readonly LabelRecord[]): number {
    let added = 0;
    const joins: LabelJoin[] = [];
    for (const l of labels) {
      const version = this.nextVersion.get(l.prediction_id) ?? 1;
      const { changes } = this.insertHistory.run(storedLabelId(l), l.prediction_id, l.label, l.labeled_at, l.received_at, version);
      // Seen before (a redelivery, a resent request): the same decision changes nothing.
      if (changes === 0) continue;
      added += 1;
      const current = this.current.get(l.prediction_id);
      if (!replacesLabel(current, l)) continue;
      this.upsertCurrent.run(l.prediction_id, l.label, l.labeled_at, l.received_at, version);
      const prediction = this.predictionOf.get(l.prediction_id);
      if (prediction === undefined) this.addUnmatched.run(l.prediction_id, l.received_at);
      else joins.push({ prediction_id: l.prediction_id, previous: current?.label ?? null, label: l.label, prediction });
    }
    if (joins.length > 0) this.onJoined(joins);
    return added;
  }

  /**
   * Prediction rows just added (inside the writer's transaction): those
   * whose label came first are joined now. One EXISTS per batch while no
   * label waits, so the prediction path pays nothing for labels it lacks.
   */
  predictionsAdded(records: readonly StoredRow[]): void {
    if (records.length === 0 || this.anyUnmatched.get() !== 1) return;
    const joins: LabelJoin[] = [];
    for (const r of records) {
      if (this.removeUnmatched.run(r.prediction_id).changes === 0) continue;
      const current = this.labelOf.get(r.prediction_id);
      if (current === undefined) continue;
      joins.push({
        prediction_id: r.prediction_id,
        previous: null,
        label: current.label,
        prediction: { timestamp: r.timestamp, model_version: r.model_version, probability: r.probability, prediction: r.prediction },
      });
    }
    if (joins.length > 0) this.onJoined(joins);
  }
}
