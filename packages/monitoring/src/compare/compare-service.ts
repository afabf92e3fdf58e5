import type { ShadowPairRow } from '@vigil/stores';
import type { TimeWindow } from '../window';
import { comparePairs, type ModelComparison, type ModelReferences } from './model-comparison';

/** Where the pairs come from: the SQLite file's shadow_predictions joined to predictions and labels. */
export interface ShadowPairSource {
  pairs(sinceIso: string): Iterable<ShadowPairRow>;
  championPredictions(sinceIso: string): number;
}

/** GET /monitoring/compare: one comparison per (champion version, shadow version) that ran in the window. */
export interface Comparison {
  readonly window: string;
  readonly since: string;
  /** Champion predictions in the window; those not in any `paired` were not shadowed (skipped, or before the shadow ran). */
  readonly champion_predictions: number;
  readonly comparisons: readonly (ModelComparison & { readonly champion_version: string; readonly shadow_version: string })[];
}

export interface CompareReferences {
  /** The champion's (and any model without its own): REFERENCE_PATH's probabilities and the CBPE calibrator. */
  readonly champion: ModelReferences;
  /** Per shadow model version: the reference and quality reference beside SHADOW_MODEL_PATH, where they exist. */
  readonly shadows: ReadonlyMap<string, ModelReferences>;
}

/** Champion against challenger on the same requests, from the stored rows (exact counts; sampled quantiles and drift). */
export class CompareService {
  constructor(
    private readonly source: ShadowPairSource & { close?(): void },
    private readonly references: CompareReferences,
  ) {}

  compare(window: TimeWindow, shadowVersion?: string): Comparison {
    const since = new Date(Date.now() - window.ms).toISOString();
    const pairs = this.source.pairs(since);
    const groups = comparePairs(shadowVersion === undefined ? pairs : filter(pairs, (pair) => pair.shadow_version === shadowVersion));
    return {
      window: window.label,
      since,
      champion_predictions: this.source.championPredictions(since),
      comparisons: groups.map((group) => ({
        champion_version: group.championVersion,
        shadow_version: group.shadowVersion,
        ...group.result(this.references.champion, this.references.shadows.get(group.shadowVersion) ?? {}),
      })),
    };
  }

  close(): void {
    this.source.close?.();
  }
}

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Iterable<T> {
  for (const item of items) if (keep(item)) yield item;
}
