import type { ShadowPairRow } from '@vigil/stores';
import type { TimeWindow } from '../window';
import { ComparisonAccumulator, type ModelComparison, type ModelReferences } from './model-comparison';

/** Where the pairs come from: shadow_predictions joined to predictions and labels, in SQLite or the Postgres audit. */
export interface ShadowPairSource {
  pairs(sinceIso: string): Iterable<ShadowPairRow> | AsyncIterable<ShadowPairRow>;
  championPredictions(sinceIso: string): number | Promise<number>;
  close?(): void | Promise<void>;
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
    private readonly source: ShadowPairSource,
    private readonly references: CompareReferences,
  ) {}

  async compare(window: TimeWindow, shadowVersion?: string): Promise<Comparison> {
    const since = new Date(Date.now() - window.ms).toISOString();
    const groups = new Map<string, ComparisonAccumulator>();
    for await (const pair of this.source.pairs(since)) {
      if (shadowVersion !== undefined && pair.shadow_version !== shadowVersion) continue;
      const key = JSON.stringify([pair.champion_version, pair.shadow_version]);
      let group = groups.get(key);
      if (group === undefined) {
        group = new ComparisonAccumulator(pair.champion_version, pair.shadow_version);
        groups.set(key, group);
      }
      group.add(pair);
    }
    return {
      window: window.label,
      since,
      champion_predictions: await this.source.championPredictions(since),
      comparisons: [...groups.values()].map((group) => ({
        champion_version: group.championVersion,
        shadow_version: group.shadowVersion,
        ...group.result(this.references.champion, this.references.shadows.get(group.shadowVersion) ?? {}),
      })),
    };
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }
}
