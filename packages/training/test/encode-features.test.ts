import { expect } from 'chai';
import { buildModelSpec, encodedWidth, encodeFeatures, MERCHANT_CATEGORIES, type TransactionFeatures } from '../src/index';

describe('training: encodeFeatures', () => {
  const spec = buildModelSpec();
  const features: TransactionFeatures = {
    amount: 12.5,
    velocity: 3,
    hour_of_day: 22,
    is_weekend: true,
    merchant_category: 'fuel',
    distance_from_home_km: 4.25,
    card_present: false,
    amount_to_avg_ratio_7d: 0.5,
    customer_tx_count_7d: 9,
    terminal_risk_28d: 0.125,
  };

  it('lays out numbers, booleans as 1/0 and one-hot categories in spec order', () => {
    const oneHot = MERCHANT_CATEGORIES.map((c) => (c === 'fuel' ? 1 : 0));
    const expected = [12.5, 3, 22, 1, ...oneHot, 4.25, 0, 0.5, 9, 0.125];
    expect(encodedWidth(spec)).to.equal(expected.length);
    expect(Array.from(encodeFeatures(spec, features))).to.deep.equal(expected);
  });

  it('rejects an unknown category, a missing feature or a wrong type', () => {
    expect(() => encodeFeatures(spec, { ...features, merchant_category: 'casino' as 'fuel' })).to.throw(/merchant_category/);
    const { amount: _amount, ...withoutAmount } = features;
    expect(() => encodeFeatures(spec, withoutAmount)).to.throw(/amount/);
    expect(() => encodeFeatures(spec, { ...features, card_present: 1 as unknown as boolean })).to.throw(/card_present/);
  });

  it('describes exactly the spec fields the serving code reads', () => {
    expect(Object.keys(spec)).to.deep.equal(['model_version', 'input_name', 'output_name', 'threshold', 'features']);
    expect(spec).to.include({ model_version: 'fraud-detection-model@1.0.0', input_name: 'features', output_name: 'probability', threshold: 0.5 });
    for (const feature of spec.features) {
      expect(['number', 'integer', 'boolean', 'categorical']).to.include(feature.type);
      if (feature.type === 'number' || feature.type === 'integer') {
        expect(Number.isFinite(feature.min) && Number.isFinite(feature.max) && feature.min <= feature.max, feature.name).to.equal(true);
      }
    }
  });
});
