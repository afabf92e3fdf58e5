import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PACKED_CELL_DOUBLES } from '@vigil/quality';
import { MAX_FEEDBACK_LABELS, type LabelRecord } from '@vigil/records';
import { spanPlan } from '@vigil/rollups';
import { openSqlite, type SqliteWriter } from '@vigil/stores';

const HOUR_MS = 3_600_000;

/** A 32-bit integer hash (murmur3's finalizer). */
function hash32(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The i-th draw in [0, 1) of stream `stream`: the same every time it is asked for, so nothing has to be kept per row. */
function draw(i: number, stream: number): number {
  return hash32(hash32(i) ^ Math.imul(stream + 1, 0x9e3779b9)) / 4_294_967_296;
}

/**
 * Synthetic scored predictions for the model-quality benchmark, row i the
 * same every time: probabilities drawn from the model's own held-out scores
 * (artifacts/quality-reference.json), so the rows fill the probability bins
 * as the real model does (most near 0, a tail near 1), the stored prediction
 * at the model's threshold, and a label drawn from the probability (so the
 * scores are calibrated). Timestamps are spread evenly over [fromMs, toMs).
 */
export class ScoredPredictions {
  readonly modelVersion: string;
  private readonly probabilities: readonly number[];
  private readonly threshold: number;
  private readonly features: readonly string[];
  private readonly stepMs: number;

  constructor(
    readonly rows: number,
    private readonly fromMs: number,
    toMs: number,
  ) {
    const reference = JSON.parse(readFileSync('artifacts/quality-reference.json', 'utf8')) as { model_version: string; probability: number[] };
    const spec = JSON.parse(readFileSync('artifacts/model.spec.json', 'utf8')) as { threshold: number };
    this.modelVersion = reference.model_version;
    this.probabilities = reference.probability;
    this.threshold = spec.threshold;
    this.features = (JSON.parse(readFileSync('artifacts/reference.json', 'utf8')) as { rows: unknown[] }).rows.map((r) => JSON.stringify(r));
    this.stepMs = (toMs - fromMs) / rows;
  }

  id(i: number): string {
    return `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`;
  }

  timestampMs(i: number): number {
    return Math.floor(this.fromMs + i * this.stepMs);
  }

  probability(i: number): number {
    return this.probabilities[Math.floor(draw(i, 0) * this.probabilities.length)]!;
  }

  prediction(i: number): 0 | 1 {
    return this.probability(i) >= this.threshold ? 1 : 0;
  }

  label(i: number): 0 | 1 {
    return draw(i, 1) < this.probability(i) ? 1 : 0;
  }

  /**
   * Writes every row into a new SQLite file: the product's schema and
   * migrations, then one prepared INSERT, 50,000 rows a transaction (as
   * monitoring-queries seeds). No rollups: `SqliteWriter.open` builds them.
   */
  fill(path: string): void {
    openSqlite(path).close();
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(
      'INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const timestamp = new Date(this.timestampMs(i)).toISOString();
        insert.run(
          this.id(i),
          timestamp,
          this.modelVersion,
          this.features[i % this.features.length],
          this.prediction(i),
          this.probability(i),
          0.3 + draw(i, 2) * 2,
        );
      }
    });
    for (let i = 0; i < this.rows; i += 50_000) batch(i, Math.min(this.rows, i + 50_000));
    db.close();
  }

  /** A labels CSV as an operator would export one (`prediction_id,label`), one row per prediction whose index is a multiple of `every`. */
  writeLabelsCsv(path: string, every: number): number {
    const fd = openSync(path, 'w');
    let written = 0;
    try {
      writeSync(fd, 'prediction_id,label\n');
      let chunk: string[] = [];
      for (let i = 0; i < this.rows; i += every) {
        chunk.push(`${this.id(i)},${this.label(i)}\n`);
        written += 1;
        if (chunk.length === 10_000) {
          writeSync(fd, chunk.join(''));
          chunk = [];
        }
      }
      writeSync(fd, chunk.join(''));
    } finally {
      closeSync(fd);
    }
    return written;
  }

  /**
   * Labels every `every`-th prediction through the real writer (so the
   * quality cells move as the worker moves them), in batches of the size a
   * label job carries. Each label is decided 1 hour to 7 days after its
   * prediction, never after `nowMs`. Returns the labels written.
   */
  insertLabels(writer: SqliteWriter, every: number, nowMs: number): number {
    const receivedAt = new Date(nowMs).toISOString();
    let batch: LabelRecord[] = [];
    let written = 0;
    for (let i = 0; i < this.rows; i += every) {
      const labeledAt = Math.min(nowMs, this.timestampMs(i) + HOUR_MS + draw(i, 3) * 167 * HOUR_MS);
      batch.push({ prediction_id: this.id(i), label: this.label(i), labeled_at: new Date(labeledAt).toISOString(), received_at: receivedAt });
      if (batch.length === MAX_FEEDBACK_LABELS) {
        written += writer.insertLabels(batch);
        batch = [];
      }
    }
    if (batch.length > 0) written += writer.insertLabels(batch);
    return written;
  }
}

export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** Read-only SQL straight over a quality store's tables, independent of the rollups, to check Vigil's figures against. */
export class QualityStoreProbe {
  private readonly db: Database.Database;
  private readonly versions;

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 10000');
    // Versions get increasing ids and are never deleted, so max(id) counts them in O(log n).
    this.versions = this.db.prepare<[], number | null>('SELECT max(id) FROM label_history').pluck();
  }

  /** Label versions stored so far. */
  labelVersions(): number {
    return this.versions.get() ?? 0;
  }

  /** The model-threshold confusion matrix of the predictions made at or after `sinceIso` that have a label, by a join over the rows. */
  confusionSince(sinceIso: string): Confusion {
    // CROSS JOIN keeps labels as the outer loop: one index lookup per label, not a pass over every prediction.
    const row = this.db
      .prepare<[string], Confusion>(
        `SELECT coalesce(sum(p.prediction = 1 AND l.label = 1), 0) AS tp, coalesce(sum(p.prediction = 1 AND l.label = 0), 0) AS fp,
                coalesce(sum(p.prediction = 0 AND l.label = 0), 0) AS tn, coalesce(sum(p.prediction = 0 AND l.label = 1), 0) AS fn
         FROM labels l CROSS JOIN predictions p ON p.prediction_id = l.prediction_id WHERE p.timestamp >= ?`,
      )
      .get(sinceIso);
    return row!;
  }

  /** Stored cells per level: the cells of the packed and the pending lists. */
  cellsPerLevel(): Record<string, number> {
    const rows = this.db
      .prepare<[], { level: string; n: number }>(
        `SELECT level, sum(n) AS n FROM (
           SELECT level, sum(length(cells)) / ${8 * PACKED_CELL_DOUBLES} AS n FROM quality_packed GROUP BY level
           UNION ALL SELECT level, sum(length(cells)) / ${8 * PACKED_CELL_DOUBLES} FROM quality_pending GROUP BY level
         ) GROUP BY level`,
      )
      .all();
    return Object.fromEntries(rows.map((r) => [r.level, r.n]));
  }

  /**
   * How many stored cells a window starting at `sinceMinute` covers
   * (spanPlan's ranges: minutes up to the first whole hour, then hours, then
   * days; each key the cells of its packed and pending lists), for the
   * report: it is what a read that keeps nothing grows with.
   */
  cellsInSpan(sinceMinute: number): number {
    const [minutes, hours, days] = spanPlan(sinceMinute);
    const span = `(level = 'minute' AND key >= @minutes AND key < @minutesTo)
       OR (level = 'hour' AND key >= @hours AND key < @hoursTo) OR (level = 'day' AND key >= @days)`;
    const cellsIn = (table: string) => `(SELECT coalesce(sum(length(cells)), 0) / ${8 * PACKED_CELL_DOUBLES} FROM ${table} WHERE ${span})`;
    return (
      this.db
        .prepare<[Record<string, number>], number>(`SELECT ${cellsIn('quality_packed')} + ${cellsIn('quality_pending')}`)
        .pluck()
        .get({ minutes: minutes!.from, minutesTo: minutes!.to!, hours: hours!.from, hoursTo: hours!.to!, days: days!.from }) ?? 0
    );
  }

  close(): void {
    this.db.close();
  }
}
