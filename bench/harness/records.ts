import type { FeatureRecord } from '@vigil/model';
import type { PredictionRecord } from '@vigil/records';
import { referenceRows } from './load';

/**
 * The i-th record of a synthetic backlog, the same every time it is asked for,
 * so Vigil and each baseline write exactly the same rows without holding a
 * million of them in memory. Features are rows of the reference sample; ids
 * are UUIDv7-shaped (time-ordered, unique per i).
 */
export class RecordSource {
  private readonly rows: FeatureRecord[];
  private readonly baseMs = Date.now() - 3_600_000;

  constructor() {
    this.rows = referenceRows();
  }

  record(i: number): PredictionRecord {
    const ms = this.baseMs + Math.floor(i / 50);
    const time = ms.toString(16).padStart(12, '0');
    const unique = i.toString(16).padStart(15, '0');
    const features = this.rows[i % this.rows.length] as FeatureRecord;
    const probability = ((i * 7919) % 10_000) / 10_000;
    return {
      prediction_id: `${time.slice(0, 8)}-${time.slice(8, 12)}-7${(i % 4096).toString(16).padStart(3, '0')}-8${unique.slice(0, 3)}-${unique.slice(3)}`,
      timestamp: new Date(ms).toISOString(),
      model_version: 'fraud-detection-model@1.0.0',
      features,
      prediction: probability >= 0.5 ? 1 : 0,
      probability,
      latency_ms: 0.25 + (i % 100) / 50,
    };
  }

  *records(from: number, to: number): Generator<PredictionRecord> {
    for (let i = from; i < to; i++) yield this.record(i);
  }
}
