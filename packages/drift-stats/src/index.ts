export { ks2Samp } from './ks-2samp';
export type { KsMethod, KsOptions, KsResult } from './ks-2samp';
export { chiSquare } from './chi-square';
export type { ChiSquareResult } from './chi-square';
export { gammaincc } from './gamma';
export { normalizedWassersteinDistance, wassersteinDistance } from './wasserstein';
export { EMPTY_BIN_SHARE, psi, psiFromCounts } from './psi';
export type { NumericPsiResult, PsiOptions, PsiResult } from './psi';
export { jensenShannonDistance } from './jensen-shannon';
export type { JensenShannonOptions } from './jensen-shannon';
export { benjaminiHochberg, bonferroni } from './multiple-testing';
export type { MultipleTestResult } from './multiple-testing';
export { ReservoirSampler } from './reservoir-sampler';
export type { ReservoirSamplerOptions } from './reservoir-sampler';
export { DriftStatsError } from './errors';
export type { DriftStatsErrorCode } from './errors';
// Internal on purpose: the Kolmogorov/Smirnov distributions, exact lattice-path
// counts, double-double arithmetic and the quantile helper are implementation
// details of the tests above; their unit tests import them from src directly.
