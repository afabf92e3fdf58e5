import {
  estimateQuality,
  labelDelayQuantile,
  realizedQuality,
  snapThreshold,
  type EstimatedQuality,
  type IsotonicCalibrator,
  type QualityCell,
  type RealizedQuality,
} from '@vigil/quality';
import { StampedCache, type QualityReader, type QualitySpan } from '@vigil/stores';
import { MonitoringError } from './errors';
import type { EstimatesUnavailable } from './load-quality-calibrator';
import type { TimeWindow } from './window';

/** Realized minus estimated, both over the labeled rows: near 0 while the calibration holds (see PerformanceService). */
export interface QualityGap {
  readonly rows: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  readonly roc_auc: number | null;
}

/**
 * The estimated part without a quality reference to calibrate on: the rows
 * an estimate would cover, every figure null, and why (`unavailable`).
 */
export interface UnavailableEstimate {
  readonly rows: number;
  readonly tp: null;
  readonly fp: null;
  readonly tn: null;
  readonly fn: null;
  readonly precision: null;
  readonly recall: null;
  readonly f1: null;
  readonly roc_auc: null;
  readonly sampling_error: { readonly precision: null; readonly recall: null; readonly f1: null; readonly roc_auc: null };
  readonly unavailable: string;
}

/** The figures of one span of predictions, the fields of GET /monitoring/performance. */
export interface PerformanceFigures {
  readonly predictions: number;
  readonly labeled: number;
  readonly label_coverage: number | null;
  /** From prediction to its first label (labeled_at - timestamp), within ±4.4% (log buckets); null with no labels. */
  readonly label_delay_seconds: { readonly p50: number | null; readonly p95: number | null };
  readonly realized: Omit<RealizedQuality, 'threshold'>;
  readonly estimated: Omit<EstimatedQuality, 'threshold'> | UnavailableEstimate;
  readonly gap: QualityGap;
}

export interface Performance extends PerformanceFigures {
  readonly window: string;
  readonly model_version: string | null;
  /** The threshold the counts are at: null for the model's own (each row's stored prediction), else the bin edge nearest the one asked for. */
  readonly threshold: number | null;
  readonly threshold_requested: number | null;
}

export interface PerformanceTimeline {
  readonly window: string;
  readonly bucket: string;
  readonly model_version: string | null;
  readonly threshold: number | null;
  /** Oldest first; only buckets holding predictions. */
  readonly buckets: readonly (PerformanceFigures & { readonly start: string })[];
}

/** The timeline's bucket sizes: the rollups' levels, so a bucket is whole stored keys. */
const BUCKETS = { '1m': 'minute', '1h': 'hour', '1d': 'day' } as const;
type BucketName = keyof typeof BUCKETS;
/** Most buckets one timeline may have (a day of minutes, 30 days of hours). */
const MAX_BUCKETS = 1440;

export function parseBucket(raw: unknown, window: TimeWindow): BucketName {
  const text = raw === undefined ? '1d' : raw;
  if (typeof text !== 'string' || !(text in BUCKETS)) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', 'bucket must be 1m, 1h or 1d', {
      parameter: 'bucket',
      received: typeof text === 'string' ? text.slice(0, 64) : typeof text,
    });
  }
  const minutes = { '1m': 1, '1h': 60, '1d': 1440 }[text as BucketName];
  if (window.ms / 60_000 / minutes > MAX_BUCKETS) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', `window / bucket must be at most ${MAX_BUCKETS} buckets`, { parameter: 'bucket', received: text });
  }
  return text as BucketName;
}

/** An optional custom threshold, strictly between 0 and 1. */
export function parseThreshold(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && /^(0(\.\d{1,12})?|\.\d{1,12})$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value > 0 && value < 1)) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', 'threshold must be a decimal number strictly between 0 and 1 (e.g. 0.3)', {
      parameter: 'threshold',
      received: typeof raw === 'string' ? raw.slice(0, 64) : typeof raw,
    });
  }
  return value;
}

function unavailableEstimate(cells: readonly QualityCell[], unavailable: string): UnavailableEstimate {
  let rows = 0;
  for (const cell of cells) if (cell.label === 'unlabeled') rows += cell.count;
  const none = { precision: null, recall: null, f1: null, roc_auc: null } as const;
  return { rows, tp: null, fp: null, tn: null, fn: null, ...none, sampling_error: none, unavailable };
}

/** A bucket's figures but its label delays, which are read apart from its cells. */
type CellFigures = Omit<PerformanceFigures, 'label_delay_seconds'>;

/** Spans and timeline buckets whose figures are kept: 30 days of hours for a few model versions and thresholds, a few MB. */
const KEPT_FIGURES = 4096;

const keptKey = (stamp: string, threshold: number | undefined) => `${stamp}|${threshold ?? ''}`;

/** The fields in the order the API has always answered them. */
function withDelays(figures: CellFigures, delays: PerformanceFigures['label_delay_seconds']): PerformanceFigures {
  const { predictions, labeled, label_coverage, ...rest } = figures;
  return { predictions, labeled, label_coverage, label_delay_seconds: delays, ...rest };
}

const omitThreshold = <T extends { threshold: number | null }>({ threshold: _threshold, ...rest }: T): Omit<T, 'threshold'> => rest;
const difference = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/**
 * Realized and estimated quality over the quality rollups. realized: the
 * labeled rows. estimated: CBPE over the rows still without a label. gap:
 * realized minus the CBPE estimate of the same labeled rows (estimated as if
 * their labels were not there): the two populations of realized and
 * estimated differ (older predictions have more labels), so only this
 * like-for-like gap says whether the calibration still holds; under
 * concept drift it leaves 0 by more than the sampling error.
 */
export class PerformanceService {
  /** Figures of stamped spans and timeline buckets (see keptOrMade). */
  private readonly keptFigures = new StampedCache<PerformanceFigures>(KEPT_FIGURES);

  constructor(
    private readonly reader: QualityReader,
    /** Without a quality reference (see loadQualityCalibration), the estimates and the gap answer null, saying why. */
    private readonly calibrator: IsotonicCalibrator | EstimatesUnavailable,
    private readonly now: () => number = Date.now,
  ) {}

  async performance(window: TimeWindow, modelVersion: string | undefined, threshold: number | undefined): Promise<Performance> {
    const span = await this.reader.span(this.sinceMinute(window), modelVersion);
    return {
      window: window.label,
      model_version: modelVersion ?? null,
      threshold: threshold === undefined ? null : snapThreshold(threshold).threshold,
      threshold_requested: threshold ?? null,
      ...this.keptOrMade(span, threshold),
    };
  }

  async timeline(window: TimeWindow, bucket: BucketName, modelVersion: string | undefined, threshold: number | undefined): Promise<PerformanceTimeline> {
    const buckets = await this.reader.timeline(this.sinceMinute(window), BUCKETS[bucket], modelVersion);
    return {
      window: window.label,
      bucket,
      model_version: modelVersion ?? null,
      threshold: threshold === undefined ? null : snapThreshold(threshold).threshold,
      buckets: buckets.map((bucket) => ({
        start: new Date(bucket.minute * 60_000).toISOString(),
        ...this.keptOrMade(bucket, threshold),
      })),
    };
  }

  /** The model versions with predictions in the window, sorted: what per-version figures (the /metrics gauges) are computed for. */
  modelVersions(window: TimeWindow): Promise<string[]> {
    return this.reader.modelVersions(this.sinceMinute(window));
  }

  /**
   * The figures of a span or a timeline bucket, label delays included; those
   * of a stamped one (stored packed lists, unchanged while the stamp is, and
   * so are its delays: see QualitySpan.stamp) are kept, so a dashboard
   * polling the same windows, or a chart of 30 past days, estimates only
   * what changed since it was drawn.
   */
  private keptOrMade(span: QualitySpan, threshold: number | undefined): PerformanceFigures {
    const kept = span.stamp === undefined ? undefined : this.keptFigures.get(keptKey(span.stamp, threshold));
    if (kept !== undefined) return kept;
    const figures = this.cellFigures(span.cells, threshold);
    const delays = { p50: labelDelayQuantile(span.labelDelays, 0.5), p95: labelDelayQuantile(span.labelDelays, 0.95) };
    const made = withDelays(figures, delays);
    // Read after the cells and delays: a bucket that changed meanwhile has no stamp, and is not kept.
    if (span.stamp !== undefined) this.keptFigures.set(keptKey(span.stamp, threshold), made);
    return made;
  }

  private cellFigures(cells: readonly QualityCell[], threshold: number | undefined): CellFigures {
    const options = threshold === undefined ? {} : { threshold };
    const realized = realizedQuality(cells, options);
    const calibrator = this.calibrator;
    const estimated = 'unavailable' in calibrator ? unavailableEstimate(cells, calibrator.unavailable) : estimateQuality(cells, calibrator, options);
    const onLabeled = 'unavailable' in calibrator ? undefined : estimateQuality(cells, calibrator, { ...options, rows: 'labeled' });
    const predictions = realized.rows + estimated.rows;
    return {
      predictions,
      labeled: realized.rows,
      label_coverage: predictions > 0 ? realized.rows / predictions : null,
      realized: omitThreshold(realized),
      estimated: 'unavailable' in estimated ? estimated : omitThreshold(estimated),
      gap: {
        rows: realized.rows,
        precision: difference(realized.precision, onLabeled?.precision ?? null),
        recall: difference(realized.recall, onLabeled?.recall ?? null),
        f1: difference(realized.f1, onLabeled?.f1 ?? null),
        roc_auc: difference(realized.roc_auc, onLabeled?.roc_auc ?? null),
      },
    };
  }

  private sinceMinute(window: TimeWindow): number {
    return Math.floor((this.now() - window.ms) / 60_000);
  }
}
