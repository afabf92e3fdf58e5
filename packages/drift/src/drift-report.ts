/** The answer of GET /monitoring/drift, and what the HTML report and alerts read. */
export interface FeatureDrift {
  readonly feature: string;
  readonly kind: 'numeric' | 'categorical';
  /** The test that decided the verdict. */
  readonly test: 'ks' | 'psi' | 'wasserstein' | 'chi2' | 'jensen_shannon';
  readonly statistic: number;
  /** For ks and chi2; null for distance measures. */
  readonly p_value: number | null;
  /** What the statistic (or p-value, after correction) is compared with. */
  readonly threshold: number;
  readonly drift: boolean;
  /** Every measure computed for this feature, whichever decided. */
  readonly measures: Readonly<Record<string, number | null>>;
  /** Why there is no verdict (too few rows, a redacted feature); drift is then false. */
  readonly skipped?: string;
}

export interface DriftReport {
  readonly window: string;
  readonly model_version: string | null;
  readonly reference: { readonly model_version: string; readonly rows: number };
  readonly sample: { readonly rows_in_window: number; readonly rows_compared: number; readonly stride: number };
  readonly correction: 'bonferroni' | 'benjamini-hochberg';
  readonly features: readonly FeatureDrift[];
  readonly outputs: readonly FeatureDrift[];
  readonly dataset: {
    readonly drifted_features: number;
    readonly features: number;
    readonly share: number;
    readonly threshold: number;
    readonly drift: boolean;
  };
}
