import { readFileSync } from 'node:fs';

/** Shape of test/vectors/<case>.json, written by scripts/make-vectors.py from scikit-learn. */
export interface QualityVectors {
  generator: { numpy: string; sklearn: string; seed: number };
  name: string;
  drift: boolean;
  reference: { probability: number[]; label: (0 | 1)[] };
  current: { probability: number[]; label: (0 | 1)[] };
  realized: { threshold: number; tp: number; fp: number; tn: number; fn: number; precision: number; recall: number; f1: number; accuracy: number }[];
  roc_auc: number;
  average_precision: number;
  brier: number;
  log_loss: number;
  calibration: { observed_rate: number[]; mean_probability: number[]; counts: number[] };
  isotonic: { grid: number[]; grid_predictions: number[]; current_predictions: number[] };
  cbpe: {
    threshold: number;
    tp: number;
    fp: number;
    fn: number;
    tn: number;
    precision: number;
    recall: number;
    f1: number;
    roc_auc: number;
    monte_carlo_std: { precision: number; recall: number; f1: number; roc_auc: number };
  };
}

export const CASES = ['calibrated', 'concept-drift', 'rare-fraud'] as const;

export function loadVectors(name: (typeof CASES)[number]): QualityVectors {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8')) as QualityVectors;
}
