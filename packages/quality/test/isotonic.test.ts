import { expect } from 'chai';
import { IsotonicCalibrator, QualityError } from '@vigil/quality';
import { CASES, loadVectors } from './support/vectors';

describe('IsotonicCalibrator against sklearn IsotonicRegression(out_of_bounds="clip")', function () {
  for (const name of CASES) {
    it(`${name}: predicts what sklearn predicts, on a grid and at every current probability`, function () {
      const v = loadVectors(name);
      const calibrator = IsotonicCalibrator.fit(v.reference.probability, v.reference.label);
      v.isotonic.grid.forEach((p, i) => expect(calibrator.calibrate(p), `grid ${p}`).to.be.closeTo(v.isotonic.grid_predictions[i]!, 1e-12));
      v.current.probability.forEach((p, i) => expect(calibrator.calibrate(p), `current ${p}`).to.be.closeTo(v.isotonic.current_predictions[i]!, 1e-12));
    });
  }

  it('pools tied probabilities and violators, and clips outside the reference', function () {
    const calibrator = IsotonicCalibrator.fit([0.2, 0.2, 0.4, 0.6, 0.8], [1, 0, 1, 0, 1]);
    // 0.2 → mean 0.5; 0.4 (1) and 0.6 (0) pool to 0.5 as well; 0.8 → 1.
    const calibrated = [0, 0.2, 0.5, 0.7, 0.8, 1].map((p) => calibrator.calibrate(p));
    [0.5, 0.5, 0.5, 0.75, 1, 1].forEach((expected, i) => expect(calibrated[i]).to.be.closeTo(expected, 1e-15));
  });

  it('refuses an empty or mismatched reference and values outside the domain', function () {
    expect(() => IsotonicCalibrator.fit([], []))
      .to.throw(QualityError)
      .with.property('code', 'INVALID_REFERENCE');
    expect(() => IsotonicCalibrator.fit([0.1], [1, 0]))
      .to.throw(QualityError)
      .with.property('code', 'INVALID_REFERENCE');
    expect(() => IsotonicCalibrator.fit([1.5], [1]))
      .to.throw(QualityError)
      .with.property('code', 'INVALID_VALUE');
    expect(() => IsotonicCalibrator.fit([0.5], [2]))
      .to.throw(QualityError)
      .with.property('code', 'INVALID_VALUE');
  });
});
