import { PermanentError } from '@vigil/errors';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { NO_LABELS_JOINED_HOOK, type LabelsJoinedHook } from '../labels-joined';
import type { AuditRow } from '../postgres/copy-rows';
import { runsByInstance } from '../seq-ranges';
import { predictionColumns, sequenceRunsOf, storedRow, type PredictionColumns, type StoredRow } from './prediction-columns';
import type { StoredPrediction } from '../types';
import type { ShadowAuditRow } from '../postgres/insert-shadow-rows';
import { openSqlite, type SqliteDatabase } from './open-sqlite';
import { SqliteLabels } from './sqlite-labels';
import { SqliteQualityRollups } from './sqlite-quality-rollups';
import { SqliteRollups } from './sqlite-rollups';
import { SqliteSeqRanges, type UnshippedSeqRanges } from './sqlite-seq-ranges';
import { fromSqliteRow, SQLITE_PREDICTION_COLUMNS, type SqlitePredictionRow } from './row-mapping';

/**
 * SQLite refused the data itself (a constraint, a type, a size), as opposed
 * to the database being busy, full or gone: retrying the same rows cannot help.
 */
const REFUSED_DATA = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

/**
 * A refusal of the data becomes the named never-retry outcome (its message
 * kept, the driver's error as its cause); anything else is returned as it was.
 */
function asPermanentIfRefused(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !REFUSED_DATA.test(code)) return error;
  return new PermanentError('STORE_REJECTED_DATA', (error as Error).message, { store: 'sqlite', sqlite_code: code }, { cause: error });
}

export interface SqliteWriterOptions {
  /** Called in the writing transaction with the label joins, after the writer has moved them in its own quality rollups. @defaultValue a no-op */
  readonly onLabelsJoined?: LabelsJoinedHook;
  /** The clock that decides which minutes are closed, for the quality rollups' compaction (tests move it). @defaultValue Date.now */
  readonly now?: () => number;
}

/** A label version as the audit takes it, with its outbox id. */
export interface LabelAuditRow extends LabelRecord {
  readonly id: number;
  readonly label_id: string;
  readonly version: number;
}

/** The worker's side of SQLite: batch inserts and the audit outbox. */
export class SqliteWriter {
  private readonly labels: SqliteLabels;
  private readonly quality: SqliteQualityRollups;
  private readonly insertLabelsTransaction;
  private readonly selectLabelsForAudit;
  private readonly advanceLabelAudit;
  private readonly insert;
  private readonly selectUnaudited;
  private readonly selectForAudit;
  private readonly advanceAuditStatement;
  private readonly shippedThroughStatement;
  private readonly backlogStatement;
  private readonly insertMany;
  private readonly pruneAudited;
  private readonly pruneAny;
  private readonly insertShadow;
  private readonly pruneShadows;
  private readonly pruneShippedShadows;
  private readonly selectShadowsForAudit;
  private readonly advanceShadowAudit;
  private readonly rollups: SqliteRollups;
  private readonly seqRanges: SqliteSeqRanges;
  private readonly addDeadLettered;
  private readonly foldTransaction;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteWriterOptions = {},
  ) {
    // The quality rollups move each joined row first, then any hook the caller added sees the same joins.
    this.quality = new SqliteQualityRollups(db, options.now);
    const onLabelsJoined = options.onLabelsJoined ?? NO_LABELS_JOINED_HOOK;
    this.labels = new SqliteLabels(db, (changes) => {
      this.quality.labelsJoined(changes);
      onLabelsJoined(changes);
    });
    this.foldTransaction = db.transaction((maxKeys: number) => this.quality.fold(maxKeys));
    this.insertLabelsTransaction = db.transaction((batches: readonly (readonly LabelRecord[])[]) => batches.map((labels) => this.labels.add(labels)));
    this.selectLabelsForAudit = db.prepare<[number, number], LabelAuditRow>(
      `SELECT id, label_id, prediction_id, label, labeled_at, received_at, version FROM label_history
       WHERE id > max(?, (SELECT shipped_through FROM label_audit_progress)) ORDER BY id LIMIT ?`,
    );
    this.advanceLabelAudit = db.prepare('UPDATE label_audit_progress SET shipped_through = max(shipped_through, ?)');
    // ON CONFLICT DO NOTHING, not INSERT OR IGNORE: the latter would also
    // swallow CHECK and NOT NULL failures and hide a bad record.
    // created_at comes from here, once per transaction: the column's strftime() default,
    // evaluated for every row, was a fifth of the insert's time.
    this.insert = db.prepare(
      `INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at, instance_id, seq, trace_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prediction_id) DO NOTHING`,
    );
    // The outbox is every row above audit_progress.shipped_through (see migration 6).
    const outbox = `FROM predictions WHERE id > max(?, (SELECT shipped_through FROM audit_progress)) ORDER BY id LIMIT ?`;
    this.selectUnaudited = db.prepare<[number, number], SqlitePredictionRow>(`SELECT ${SQLITE_PREDICTION_COLUMNS} ${outbox}`);
    // Shaped for the audit by SQLite itself: features stay JSON text, and no second object per row.
    this.selectForAudit = db.prepare<[number, number], AuditRow & { id: number }>(
      `SELECT id, prediction_id, timestamp, model_version, features AS features_json, prediction, probability, latency_ms, instance_id, seq, trace_id
       ${outbox}`,
    );
    // max(): two workers sharing a file may report the same pages; progress never goes back.
    this.advanceAuditStatement = db.prepare('UPDATE audit_progress SET shipped_through = max(shipped_through, ?)');
    this.shippedThroughStatement = db.prepare<[], number>('SELECT shipped_through FROM audit_progress').pluck();
    this.backlogStatement = db.prepare<[], { count: number; oldest: string | null }>(
      `SELECT (SELECT count(*) FROM predictions WHERE id > (SELECT shipped_through FROM audit_progress)) AS count,
              (SELECT timestamp FROM predictions WHERE id > (SELECT shipped_through FROM audit_progress) ORDER BY id LIMIT 1) AS oldest`,
    );
    this.rollups = new SqliteRollups(db);
    this.seqRanges = new SqliteSeqRanges(db);
    this.addDeadLettered = db.transaction((values: readonly unknown[]) => this.seqRanges.add('dead_lettered', runsByInstance(values)));
    // Neither ever deletes the newest row: SQLite gives a new row max(id) + 1, and ids
    // must only grow, or a new row could land at or below the audit's progress and never ship.
    this.pruneAudited = db.prepare(
      `DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE timestamp < ?
         AND id <= (SELECT shipped_through FROM audit_progress) AND id < (SELECT max(id) FROM predictions) LIMIT ?)`,
    );
    this.pruneAny = db.prepare(
      'DELETE FROM predictions WHERE id IN (SELECT id FROM predictions WHERE timestamp < ? AND id < (SELECT max(id) FROM predictions) LIMIT ?)',
    );
    this.insertShadow = db.prepare(
      `INSERT INTO shadow_predictions (prediction_id, model_version, timestamp, prediction, probability, latency_ms, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (prediction_id, model_version) DO NOTHING`,
    );
    this.pruneShadows = db.prepare('DELETE FROM shadow_predictions WHERE id IN (SELECT id FROM shadow_predictions WHERE timestamp < ? LIMIT ?)');
    this.pruneShippedShadows = db.prepare(
      `DELETE FROM shadow_predictions WHERE id IN (SELECT id FROM shadow_predictions WHERE timestamp < ?
         AND id <= (SELECT shipped_through FROM shadow_audit_progress) AND id < (SELECT max(id) FROM shadow_predictions) LIMIT ?)`,
    );
    this.selectShadowsForAudit = db.prepare<[number, number], ShadowAuditRow>(
      `SELECT id, prediction_id, model_version, timestamp, prediction, probability, latency_ms FROM shadow_predictions
       WHERE id > max(?, (SELECT shipped_through FROM shadow_audit_progress)) ORDER BY id LIMIT ?`,
    );
    this.advanceShadowAudit = db.prepare('UPDATE shadow_audit_progress SET shipped_through = max(shipped_through, ?)');
    this.insertMany = db.transaction((batches: readonly PredictionColumns[]) => {
      const added: StoredRow[] = [];
      const createdAt = new Date().toISOString();
      const counts = batches.map((c) => {
        let rows = 0;
        for (let i = 0; i < c.length; i++) {
          if (c.shadow[i] === 1) {
            rows += this.insertShadow.run(
              c.prediction_id[i],
              c.model_version[i],
              c.timestamp[i],
              c.prediction[i],
              c.probability[i],
              c.latency_ms[i],
              createdAt,
            ).changes;
            continue;
          }
          const seq = c.seq[i]!;
          const { changes } = this.insert.run(
            c.prediction_id[i],
            c.timestamp[i],
            c.model_version[i],
            c.features_json[i],
            c.prediction[i],
            c.probability[i],
            c.latency_ms[i],
            createdAt,
            c.instance_id[i],
            Number.isNaN(seq) ? null : seq,
            c.trace_id[i],
          );
          if (changes === 1) {
            added.push(storedRow(c, i));
            rows += 1;
          }
        }
        return rows;
      });
      // Only rows this insert added count, so a redelivered batch leaves the rollups as they were.
      this.rollups.add(added);
      // Unlabeled first, so a label that came before its prediction (joined next) moves a row that is there.
      this.quality.predictionsAdded(added);
      // Labels that came before their predictions join now, in this transaction.
      this.labels.predictionsAdded(added);
      // Every record of the batches is stored now (added here or before): the runs are a union, so repeats change nothing.
      this.seqRanges.add('stored', sequenceRunsOf(batches));
      return counts;
    });
  }

  static open(path: string, options: SqliteWriterOptions = {}): SqliteWriter {
    const writer = new SqliteWriter(openSqlite(path), options);
    writer.rollups.rebuildIfMissing();
    writer.quality.rebuildIfMissing();
    // A store from before migration 14, or one a worker left with pending cells, starts packed.
    while (writer.foldQualityRollups(256) > 0);
    return writer;
  }

  /**
   * Folds the pending quality lists of at most `maxKeys` keys (minutes,
   * hours, days) into their packed lists, in one IMMEDIATE transaction; returns the keys
   * folded (0: none pending). Answers are the same before and after: it only
   * makes the next reads cheaper (see startQualityFolding).
   */
  foldQualityRollups(maxKeys: number): number {
    return this.foldTransaction.immediate(maxKeys);
  }

  /**
   * Writes a batch in one transaction; returns how many rows were new (a redelivered batch adds none).
   * Throws a PermanentError (STORE_REJECTED_DATA) when SQLite refuses a row itself.
   */
  insertBatch(records: readonly PredictionRecord[]): number {
    return this.insertBatches([records])[0]!;
  }

  /**
   * Writes several batches in one transaction (one commit, one rollup merge
   * for all); returns the new rows of each. All or none: a refused row
   * fails every batch, with a PermanentError (STORE_REJECTED_DATA); any
   * other failure (busy, full, closed) is thrown as it came, to be retried.
   */
  insertBatches(batches: readonly (readonly PredictionRecord[])[]): number[] {
    return this.insertColumnBatches(batches.map(predictionColumns));
  }

  /** insertBatches for batches already in columns: what the insert thread receives. */
  insertColumnBatches(batches: readonly PredictionColumns[]): number[] {
    try {
      // IMMEDIATE: take the write lock up front so a concurrent writer makes us
      // wait (busy_timeout) instead of failing mid-transaction with SQLITE_BUSY.
      return this.insertMany.immediate(batches);
    } catch (error) {
      throw asPermanentIfRefused(error);
    }
  }

  /**
   * Writes labels in one transaction: every new version into the history
   * (the audit's outbox), the current label per prediction (latest
   * labeled_at, ties to the later arrival), and the joins for the hook.
   * Returns the new versions; a redelivered batch adds none.
   */
  insertLabels(labels: readonly LabelRecord[]): number {
    return this.insertLabelBatches([labels])[0]!;
  }

  /**
   * Several label batches in one transaction, all or none (the worker's
   * coalescer hands over the batches it holds at once): labels land on random
   * pages of large tables, so the commit is most of their cost, and one
   * commit for many batches writes the shared pages once. Returns each
   * batch's new versions.
   */
  insertLabelBatches(batches: readonly (readonly LabelRecord[])[]): number[] {
    try {
      return this.insertLabelsTransaction.immediate(batches);
    } catch (error) {
      throw asPermanentIfRefused(error);
    }
  }

  /** Label versions not yet in the audit, oldest first; `afterId` skips pages in flight. */
  labelsForAudit(limit: number, afterId = 0): LabelAuditRow[] {
    return this.selectLabelsForAudit.all(afterId, limit);
  }

  /** Every label version with an id up to `id` is in the audit. */
  markLabelsShippedThrough(id: number): void {
    this.advanceLabelAudit.run(id);
  }

  /**
   * Accounts for records the worker dead-lettered, by instance and seq (the
   * ones that carry valid ones), so completeness counts them as held back,
   * not missing. Once a replay stores them they count as stored.
   */
  recordDeadLettered(records: readonly unknown[]): void {
    this.addDeadLettered.immediate(records);
  }

  /** Dead-lettered runs the Postgres audit does not have yet (the audit shipper copies them). */
  unshippedDeadLettered(): UnshippedSeqRanges[] {
    return this.seqRanges.unshippedDeadLettered();
  }

  /** The audit has these dead-lettered runs now. */
  markDeadLetteredShipped(shipped: readonly Pick<UnshippedSeqRanges, 'instance_id' | 'version'>[]): void {
    this.seqRanges.markShipped(shipped);
  }

  unaudited(limit: number): StoredPrediction[] {
    return this.selectUnaudited.all(0, limit).map(fromSqliteRow);
  }

  /**
   * The oldest rows not yet in the audit, shaped for it: features stay the
   * JSON text SQLite holds (parsing and re-serialising them was most of the
   * shipper's own cost). `afterId` skips rows up to that id: the pages
   * before it may be in flight to Postgres, not yet marked shipped.
   */
  unauditedForAudit(limit: number, afterId = 0): (AuditRow & { id: number })[] {
    // prediction is 0 or 1: the table's CHECK constraint guarantees it.
    return this.selectForAudit.all(afterId, limit);
  }

  /**
   * Records that every row with an id up to `id` is in the Postgres audit.
   * Pages are read in id order and new rows get larger ids, so one number
   * says it all: marking a page costs one write, not one per row.
   */
  markShippedThrough(id: number): void {
    this.advanceAuditStatement.run(id);
  }

  /** The largest id up to which every row is in the audit. */
  shippedThrough(): number {
    return this.shippedThroughStatement.get() ?? 0;
  }

  /** Rows not yet in the audit, and the oldest one's timestamp. */
  auditBacklog(): { count: number; oldestTimestamp: string | undefined } {
    const row = this.backlogStatement.get();
    return { count: row?.count ?? 0, oldestTimestamp: row?.oldest ?? undefined };
  }

  /**
   * Deletes at most `limit` rows older than `beforeIso`; with `keepUnaudited`
   * it never deletes a row the Postgres audit has not received. Small batches
   * keep each write lock short, so log batches are not stalled behind it.
   * Returns how many rows went.
   */
  pruneBefore(beforeIso: string, keepUnaudited: boolean, limit: number): number {
    const statement = keepUnaudited ? this.pruneAudited : this.pruneAny;
    const shadows = keepUnaudited ? this.pruneShippedShadows : this.pruneShadows;
    return statement.run(beforeIso, limit).changes + shadows.run(beforeIso, limit).changes;
  }

  /** The shadow scores not yet in the audit, oldest first (its outbox, like predictions' and labels'). */
  shadowsForAudit(limit: number, afterId = 0): ShadowAuditRow[] {
    return this.selectShadowsForAudit.all(afterId, limit);
  }

  markShadowsShippedThrough(id: number): void {
    this.advanceShadowAudit.run(id);
  }

  close(): void {
    this.db.close();
  }
}
