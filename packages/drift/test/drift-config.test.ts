import { expect } from 'chai';
import { checkDriftConfig } from '@vigil/drift';

const features = [
  { name: 'amount', type: 'number' },
  { name: 'merchant_category', type: 'categorical' },
] as const;

describe('checkDriftConfig', function () {
  it('fills the defaults the reference tools use', function () {
    const config = checkDriftConfig({}, features);
    expect(config).to.include({ alpha: 0.05, correction: 'bonferroni', dataset_drift_share: 0.5 });
    expect(config.numeric).to.include({ test: 'auto', psi_threshold: 0.2, psi_moderate: 0.1, wasserstein_threshold: 0.1 });
    expect(config.categorical).to.include({ test: 'auto', jensen_shannon_threshold: 0.1 });
  });

  it('takes per-feature tests and thresholds', function () {
    const config = checkDriftConfig({ correction: 'benjamini-hochberg', features: { amount: { test: 'psi', psi_threshold: 0.25 } } }, features);
    expect(config.correction).to.equal('benjamini-hochberg');
    expect(config.features.amount).to.include({ test: 'psi', psi_threshold: 0.25 });
  });

  it('names every problem by its path', function () {
    expect(() =>
      checkDriftConfig({ alpha: 2, correction: 'holm', features: { amount: { test: 'chi2' }, colour: {} }, numeric: { psi_bins: 1 } }, features, 'drift.json'),
    ).to.throw(
      /drift\.json\.alpha: expected a number[\s\S]*drift\.json\.numeric\.psi_bins[\s\S]*drift\.json\.features\.amount\.test: amount is number; expected one of auto, ks, psi, wasserstein[\s\S]*drift\.json\.features\.colour: the model has no such feature[\s\S]*drift\.json\.correction/,
    );
  });

  it('accepts the shipped config', async function () {
    const { readFileSync } = await import('node:fs');
    const spec = JSON.parse(readFileSync('artifacts/model.spec.json', 'utf8')) as { features: { name: string; type: 'number' }[] };
    expect(() => checkDriftConfig(JSON.parse(readFileSync('artifacts/drift.config.json', 'utf8')), spec.features)).not.to.throw();
  });
});
