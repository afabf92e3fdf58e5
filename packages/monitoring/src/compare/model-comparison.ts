import { ks2Samp, psi, ReservoirSampler } from '@vigil/drift-stats';
import type { ShadowPairRow } from '@vigil/stores';
import { CellAccumulator, estimateQuality, realizedQuality, type EstimatedQuality, type IsotonicCalibrator, type RealizedQuality } from '@vigil/quality';

/** One request instance as both models scored it, with its current label if one has arrived (the stores' row shape). */
export type ScoredPair = ShadowPairRow;

/** A model's output against its training reference: KS and PSI on the probabilities. */
export interface OutputDrift {
  readonly reference_rows: number;
  readonly ks_statistic: number;
  readonly ks_p_value: number;
  readonly psi: number;
}

export interface ModelSide {
  readonly model_version: string;
  readonly fraud_rate: number;
  readonly mean_probability: number;
  /** null without a reference sample for this model (reference.json beside it). */
  readonly output_drift: OutputDrift | null;
  /** On the labeled pairs; null when none is labeled. */
  readonly realized: RealizedQuality | null;
  /** CBPE on the unlabeled pairs; null without a quality reference for this model, or when every pair is labeled. */
  readonly estimated: EstimatedQuality | null;
}

export interface ProbabilityDifference {
  /** shadow − champion, averaged. */
  readonly mean: number;
  readonly mean_absolute: number;
  readonly max_absolute: number;
  /** Quantiles of shadow − champion (from a uniform sample of up to SAMPLE_SIZE pairs). */
  readonly p05: number;
  readonly p50: number;
  readonly p95: number;
  /** Counts of shadow − champion in 20 equal bins over [-1, 1]. */
  readonly histogram: readonly { readonly lower: number; readonly upper: number; readonly count: number }[];
}

export interface ModelComparison {
  /** Instances both models scored. */
  readonly paired: number;
  readonly labeled: number;
  /** Share of pairs where both predicted the same class. */
  readonly agreement_rate: number;
  readonly probability_difference: ProbabilityDifference;
  readonly champion: ModelSide;
  readonly shadow: ModelSide;
}

/** What each model brings to a comparison: its training reference's probabilities and its CBPE calibration. */
export interface ModelReferences {
  readonly probabilities?: readonly number[] | undefined;
  readonly calibrator?: IsotonicCalibrator | undefined;
}

/** Quantiles, drift and the histogram come from a uniform sample this big: memory stays flat over any window. */
export const SAMPLE_SIZE = 10_000;
const HISTOGRAM_BINS = 20;

class SideAccumulator {
  private predicted = 0;
  private probabilitySum = 0;
  readonly cells = new CellAccumulator();
  readonly sample = new ReservoirSampler<number>({ capacity: SAMPLE_SIZE, seed: 7 });

  add(probability: number, prediction: 0 | 1, label: 0 | 1 | null): void {
    this.predicted += prediction;
    this.probabilitySum += probability;
    this.cells.add({ probability, prediction, label: label ?? 'unlabeled' });
    this.sample.add(probability);
  }

  result(version: string, count: number, labeled: number, references: ModelReferences): ModelSide {
    const cells = this.cells.toArray();
    const reference = references.probabilities;
    let output_drift: OutputDrift | null = null;
    if (reference !== undefined && reference.length > 0 && count > 0) {
      const current = this.sample.sample();
      const ks = ks2Samp(reference, current);
      output_drift = { reference_rows: reference.length, ks_statistic: ks.statistic, ks_p_value: ks.pvalue, psi: psi(reference, current).value };
    }
    return {
      model_version: version,
      fraud_rate: count === 0 ? 0 : this.predicted / count,
      mean_probability: count === 0 ? 0 : this.probabilitySum / count,
      output_drift,
      realized: labeled === 0 ? null : realizedQuality(cells),
      estimated: references.calibrator === undefined || labeled === count ? null : estimateQuality(cells, references.calibrator),
    };
  }
}

/** Sorted-sample quantile, linear between neighbours (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low);
}

/**
 * Champion against one challenger over the same requests, built one pair at
 * a time: counts, agreement, means and quality cells are exact over every
 * pair; quantiles and output drift come from uniform samples.
 */
export class ComparisonAccumulator {
  private paired = 0;
  private labeled = 0;
  private agreements = 0;
  private differenceSum = 0;
  private absoluteSum = 0;
  private maxAbsolute = 0;
  private readonly histogram = new Array<number>(HISTOGRAM_BINS).fill(0);
  private readonly differences = new ReservoirSampler<number>({ capacity: SAMPLE_SIZE, seed: 11 });
  private readonly champion = new SideAccumulator();
  private readonly shadow = new SideAccumulator();

  constructor(
    readonly championVersion: string,
    readonly shadowVersion: string,
  ) {}

  add(pair: ScoredPair): void {
    this.paired += 1;
    if (pair.label !== null) this.labeled += 1;
    if (pair.champion_prediction === pair.shadow_prediction) this.agreements += 1;
    const difference = pair.shadow_probability - pair.champion_probability;
    this.differenceSum += difference;
    this.absoluteSum += Math.abs(difference);
    this.maxAbsolute = Math.max(this.maxAbsolute, Math.abs(difference));
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor(((difference + 1) / 2) * HISTOGRAM_BINS));
    this.histogram[bin] = (this.histogram[bin] as number) + 1;
    this.differences.add(difference);
    this.champion.add(pair.champion_probability, pair.champion_prediction, pair.label);
    this.shadow.add(pair.shadow_probability, pair.shadow_prediction, pair.label);
  }

  result(champion: ModelReferences, shadow: ModelReferences): ModelComparison {
    const n = this.paired;
    const sorted = this.differences.sample().sort((a, b) => a - b);
    const width = 2 / HISTOGRAM_BINS;
    return {
      paired: n,
      labeled: this.labeled,
      agreement_rate: n === 0 ? 0 : this.agreements / n,
      probability_difference: {
        mean: n === 0 ? 0 : this.differenceSum / n,
        mean_absolute: n === 0 ? 0 : this.absoluteSum / n,
        max_absolute: this.maxAbsolute,
        p05: quantile(sorted, 0.05),
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        histogram: this.histogram.map((count, i) => ({ lower: -1 + i * width, upper: -1 + (i + 1) * width, count })),
      },
      champion: this.champion.result(this.championVersion, n, this.labeled, champion),
      shadow: this.shadow.result(this.shadowVersion, n, this.labeled, shadow),
    };
  }
}
