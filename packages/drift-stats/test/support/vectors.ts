import { readFileSync } from 'node:fs';

/** Shape of test/vectors.json, written by scripts/make-vectors.py from numpy and scipy. */
export type SampleSpec = number[] | { arange: [n: number, start: number, step: number] };

export interface Vectors {
  generator: { numpy: string; scipy: string };
  samples: Record<string, SampleSpec>;
  ks: {
    label: string;
    reference: string;
    current: string;
    method: 'auto' | 'exact' | 'asymp';
    statistic: number;
    pvalue: number;
    methodUsed: 'exact' | 'asymp';
  }[];
  kstwo: { n: number; x: number; sf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  ksExact: { m: number; n: number; h: number; p: number }[];
  gammaincc: { a: number; x: number; q: number }[];
  chiSquare: { label: string; referenceCounts: number[]; currentCounts: number[]; statistic: number; dof: number; pvalue: number }[];
  wasserstein: { reference: string; current: string; distance: number; normalized: number }[];
  psi: {
    reference: string;
    current: string;
    bins: number;
    value: number;
    edges: number[];
    referenceProportions: number[];
    currentProportions: number[];
  }[];
  psiFromCounts: { referenceCounts: number[]; currentCounts: number[]; value: number }[];
  jensenShannon: { p: number[]; q: number[]; base: number | null; distance: number }[];
  multipleTesting: {
    label: string;
    pvalues: number[];
    alpha: number;
    bonferroni: { reject: boolean[]; adjusted: number[] };
    benjaminiHochberg: { reject: boolean[]; adjusted: number[] };
  }[];
}

export const vectors = JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8')) as Vectors;

const cache = new Map<string, Float64Array>();

/** A named sample, rebuilt exactly as numpy built it (start + step·i for arange specs). */
export function sample(name: string): Float64Array {
  const cached = cache.get(name);
  if (cached) return cached;
  const spec = vectors.samples[name];
  if (spec === undefined) throw new Error(`no sample ${name} in vectors.json`);
  let values: Float64Array;
  if (Array.isArray(spec)) {
    values = Float64Array.from(spec);
  } else {
    const [n, start, step] = spec.arange;
    values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = i * step + start;
  }
  cache.set(name, values);
  return values;
}
