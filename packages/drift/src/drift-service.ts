import type { ModelSpec } from '@vigil/model';
import type { MonitoringReader, SampledPrediction } from '@vigil/stores';
import type { DriftConfig } from './drift-config';
import { detectDrift, detectDriftYielding } from './drift-detector';
import type { DriftReport } from './drift-report';
import type { Reference } from './reference';

export interface DriftWindow {
  readonly label: string;
  readonly ms: number;
}

export interface DriftTimelinePoint {
  readonly start: string;
  readonly rows_compared: number;
  readonly dataset_drift: boolean;
  readonly drift_share: number;
  /** feature (and output) → [statistic, drift] */
  readonly features: Readonly<Record<string, { statistic: number; drift: boolean; test: string }>>;
}

export interface DriftServiceOptions {
  readonly reader: MonitoringReader;
  readonly spec: ModelSpec;
  readonly config: DriftConfig;
  readonly reference: Reference;
  readonly redacted?: ReadonlySet<string>;
  readonly now?: () => number;
}

/**
 * Drift over a window of stored predictions. The window's size comes from
 * the rollups (free), and rows are read as an even sample of at most
 * max_sample, so a window of a million rows costs what one of ten thousand does.
 */
export class DriftService {
  private readonly now: () => number;

  constructor(private readonly options: DriftServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The training sample drift is measured against (the HTML report and the fraud-rate alert read it too). */
  get reference(): Reference {
    return this.options.reference;
  }

  private async sample(window: DriftWindow, modelVersion: string | undefined, maxRows: number) {
    const sinceMinute = Math.floor((this.now() - window.ms) / 60_000);
    const summary = await this.options.reader.summarySince(sinceMinute, modelVersion, { latency: false });
    const rowsInWindow = summary.fraud + summary.non_fraud;
    const stride = Math.max(1, Math.ceil(rowsInWindow / maxRows));
    const rows = await this.options.reader.windowSample(new Date(sinceMinute * 60_000).toISOString(), { modelVersion, stride });
    return { sinceMinute, rowsInWindow, stride, rows };
  }

  async report(window: DriftWindow, modelVersion?: string): Promise<DriftReport> {
    return (await this.analyse(window, modelVersion)).report;
  }

  /** The report and the rows it compared (the HTML report draws their histograms). */
  async analyse(window: DriftWindow, modelVersion?: string): Promise<{ report: DriftReport; current: SampledPrediction[] }> {
    const { rowsInWindow, stride, rows } = await this.sample(window, modelVersion, this.options.config.max_sample);
    const report = await detectDriftYielding({
      ...this.common(),
      current: rows,
      window: window.label,
      modelVersion: modelVersion ?? null,
      rowsInWindow,
      stride,
    });
    return { report, current: rows };
  }

  /** The same verdicts per bucket (hourly over 24h, say), for plots. */
  async timeline(window: DriftWindow, bucket: DriftWindow, modelVersion?: string): Promise<{ window: string; bucket: string; points: DriftTimelinePoint[] }> {
    const buckets = Math.ceil(window.ms / bucket.ms);
    const { sinceMinute, stride, rows } = await this.sample(window, modelVersion, this.options.config.max_sample * Math.min(buckets, 4));
    const start = sinceMinute * 60_000;
    const groups: SampledPrediction[][] = Array.from({ length: buckets + 1 }, () => []);
    for (const row of rows) groups[Math.min(buckets, Math.floor((Date.parse(row.timestamp) - start) / bucket.ms))]!.push(row);
    const points = groups.map((group, i): DriftTimelinePoint => {
      const report = detectDrift({
        ...this.common(),
        current: group,
        window: bucket.label,
        modelVersion: modelVersion ?? null,
        rowsInWindow: group.length * stride,
        stride,
      });
      const features: Record<string, { statistic: number; drift: boolean; test: string }> = {};
      for (const f of [...report.features, ...report.outputs])
        if (f.skipped === undefined) features[f.feature] = { statistic: f.statistic, drift: f.drift, test: f.test };
      return {
        start: new Date(start + i * bucket.ms).toISOString(),
        rows_compared: group.length,
        dataset_drift: report.dataset.drift,
        drift_share: report.dataset.share,
        features,
      };
    });
    return { window: window.label, bucket: bucket.label, points: points.filter((p) => Date.parse(p.start) <= this.now()) };
  }

  private common() {
    return { spec: this.options.spec, config: this.options.config, reference: this.options.reference, redacted: this.options.redacted };
  }
}
