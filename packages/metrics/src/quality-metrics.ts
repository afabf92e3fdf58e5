import { Gauge, type Registry } from 'prom-client';

/** The figures the quality gauges export, as the `metric` label names them. */
export const QUALITY_METRICS = ['precision', 'recall', 'f1', 'roc_auc'] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/** One model version's quality over the window; a null figure is undefined for the data (no labels, no positives). */
export interface ModelQualitySnapshot {
  readonly modelVersion: string;
  readonly realized: Readonly<Record<QualityMetric, number | null>>;
  readonly estimated: Readonly<Record<QualityMetric, number | null>>;
  readonly labelCoverage: number | null;
  readonly labeled: number;
}

/** Model quality per version over one window (the figures of GET /monitoring/performance). */
export interface QualitySnapshot {
  /** The window the figures cover, e.g. `7d`: the `window` label. */
  readonly window: string;
  readonly models: readonly ModelQualitySnapshot[];
}

/**
 * vigil_quality_*: realized and estimated quality, label coverage and labeled
 * rows per model version, read at scrape time. A figure that is null gets no
 * sample (never NaN: "no labels yet" is not a number), and no source (the
 * Postgres monitoring store keeps no quality rollups yet) means no samples.
 */
export function qualityGauges(registry: Registry, read: () => Promise<QualitySnapshot | undefined> | undefined) {
  const perMetric = (name: string, help: string, side: 'realized' | 'estimated') =>
    new Gauge({
      name,
      help,
      labelNames: ['model_version', 'metric', 'window'] as const,
      registers: [registry],
      async collect() {
        const snapshot = await read();
        this.reset();
        if (snapshot === undefined) return;
        for (const model of snapshot.models) {
          for (const metric of QUALITY_METRICS) {
            const value = model[side][metric];
            if (value !== null) this.set({ model_version: model.modelVersion, metric, window: snapshot.window }, value);
          }
        }
      },
    });
  const perModel = (name: string, help: string, value: (model: ModelQualitySnapshot) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['model_version', 'window'] as const,
      registers: [registry],
      async collect() {
        const snapshot = await read();
        this.reset();
        if (snapshot === undefined) return;
        for (const model of snapshot.models) {
          const figure = value(model);
          if (figure !== null) this.set({ model_version: model.modelVersion, window: snapshot.window }, figure);
        }
      },
    });
  return {
    qualityRealized: perMetric(
      'vigil_quality_realized',
      'Realized model quality (precision, recall, f1, roc_auc) over the labeled predictions of the window, per model version ' +
        '(cached 30 s; no sample while undefined).',
      'realized',
    ),
    qualityEstimated: perMetric(
      'vigil_quality_estimated',
      'CBPE-estimated model quality (precision, recall, f1, roc_auc) over the predictions of the window still without a label, ' +
        'per model version (cached 30 s).',
      'estimated',
    ),
    qualityLabelCoverage: perModel(
      'vigil_quality_label_coverage',
      'Share of the predictions of the window that have a label, per model version (cached 30 s).',
      (model) => model.labelCoverage,
    ),
    qualityLabeled: perModel(
      'vigil_quality_labeled',
      'Predictions of the window that have a label, per model version (cached 30 s).',
      (model) => model.labeled,
    ),
  };
}
