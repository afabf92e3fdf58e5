import { expect } from 'chai';
import { realizedQuality } from '@vigil/quality';
import { cellsFromRows } from './support/cells-from-rows';
import { CASES, loadVectors } from './support/vectors';

function expectRelative(actual: number | null, expected: number, tolerance: number, what: string): void {
  expect(actual, what).to.be.a('number');
  expect(Math.abs(actual! - expected) / Math.abs(expected), `${what}: ${actual} vs ${expected}`).to.be.at.most(tolerance);
}

describe('realizedQuality against scikit-learn', function () {
  let worstRanking = 0;
  after(function () {
    console.log(`    worst |binned − sklearn| for ROC AUC / average precision: ${worstRanking.toExponential(2)}`);
  });

  for (const name of CASES) {
    describe(name, function () {
      const v = loadVectors(name);
      const cells = cellsFromRows(v.current.probability, v.current.label);

      for (const expected of v.realized) {
        it(`counts and threshold metrics at ${expected.threshold} equal sklearn's exactly`, function () {
          // 0.5 is the model's threshold (the stored predictions); 0.2 and 0.8 are custom ones, on bin edges.
          const result = realizedQuality(cells, expected.threshold === 0.5 ? {} : { threshold: expected.threshold });
          expect(result.threshold).to.equal(expected.threshold === 0.5 ? null : expected.threshold);
          const { tp, fp, tn, fn, precision, recall, f1, accuracy } = result;
          expect({ tp, fp, tn, fn }).to.deep.equal({ tp: expected.tp, fp: expected.fp, tn: expected.tn, fn: expected.fn });
          expect(precision).to.be.closeTo(expected.precision, 1e-15);
          expect(recall).to.be.closeTo(expected.recall, 1e-15);
          expect(f1).to.be.closeTo(expected.f1, 1e-15);
          expect(accuracy).to.be.closeTo(expected.accuracy, 1e-15);
        });
      }

      it('ROC AUC and average precision from the bins are within 0.002', function () {
        const result = realizedQuality(cells);
        const errors = [Math.abs(result.roc_auc! - v.roc_auc), Math.abs(result.average_precision! - v.average_precision)];
        worstRanking = Math.max(worstRanking, ...errors);
        expect(errors[0], 'roc_auc').to.be.below(0.002);
        expect(errors[1], 'average_precision').to.be.below(0.002);
      });

      it('Brier score and log loss are exact (1e-9 relative)', function () {
        const result = realizedQuality(cells);
        expectRelative(result.brier, v.brier, 1e-9, 'brier');
        expectRelative(result.log_loss, v.log_loss, 1e-9, 'log_loss');
      });

      it('the calibration curve matches calibration_curve(n_bins=10)', function () {
        const { calibration } = realizedQuality(cells);
        expect(calibration).to.have.length(10);
        expect(calibration.map((bin) => bin.count)).to.deep.equal(v.calibration.counts);
        const filled = calibration.filter((bin) => bin.count > 0);
        expect(filled.map((bin) => bin.observed_rate)).to.deep.equal(v.calibration.observed_rate);
        filled.forEach((bin, i) => expectRelative(bin.mean_probability, v.calibration.mean_probability[i]!, 1e-12, `mean_probability ${i}`));
        expect(calibration.map((bin) => [bin.bin_lower, bin.bin_upper])[3]).to.deep.equal([0.3, 0.4]);
      });
    });
  }
});

describe('realizedQuality without the data for a metric', function () {
  it('answers null, never NaN, when there are no labels', function () {
    const result = realizedQuality(cellsFromRows([0.1, 0.9]));
    expect(result).to.include({
      rows: 0,
      tp: 0,
      precision: null,
      recall: null,
      f1: null,
      accuracy: null,
      roc_auc: null,
      average_precision: null,
      brier: null,
      log_loss: null,
    });
    expect(result.calibration.every((bin) => bin.count === 0 && bin.mean_probability === null && bin.observed_rate === null)).to.equal(true);
  });

  it('answers null for the metrics that need positives when none are labeled 1', function () {
    const result = realizedQuality(cellsFromRows([0.01, 0.2, 0.7], [0, 0, 0]));
    expect(result).to.include({ rows: 3, tp: 0, fp: 1, tn: 2, fn: 0, precision: 0, recall: null, roc_auc: null, average_precision: null });
    expect(result.f1).to.equal(0);
    expect(result.accuracy).to.be.closeTo(2 / 3, 1e-15);
  });
});
