import { expect } from 'chai';
import { estimateQuality, IsotonicCalibrator, realizedQuality } from '@vigil/quality';
import { cellsFromRows } from './support/cells-from-rows';
import { CASES, loadVectors } from './support/vectors';

describe('estimateQuality (CBPE) against the estimate computed row by row from sklearn', function () {
  for (const name of CASES) {
    describe(name, function () {
      const v = loadVectors(name);
      const calibrator = IsotonicCalibrator.fit(v.reference.probability, v.reference.label);
      const estimate = estimateQuality(cellsFromRows(v.current.probability), calibrator);

      it('expected confusion matrix within 0.5% of the per-row sums (cells are calibrated at their mean)', function () {
        expect(estimate.rows).to.equal(v.current.probability.length);
        for (const key of ['tp', 'fp', 'fn', 'tn'] as const) {
          expect(Math.abs(estimate[key] - v.cbpe[key]), key).to.be.at.most(0.005 * v.cbpe[key] + 1e-9);
        }
        expect(estimate.tp + estimate.fp + estimate.fn + estimate.tn).to.be.closeTo(estimate.rows, 1e-6);
      });

      it('precision, recall, F1 and ROC AUC within 0.002', function () {
        for (const key of ['precision', 'recall', 'f1', 'roc_auc'] as const) {
          expect(Math.abs(estimate[key]! - v.cbpe[key]), key).to.be.below(0.002);
        }
      });

      it('sampling errors within 20% of the Monte Carlo spread of the realized figure', function () {
        for (const key of ['precision', 'recall', 'f1', 'roc_auc'] as const) {
          const expected = v.cbpe.monte_carlo_std[key];
          expect(Math.abs(estimate.sampling_error[key]! - expected) / expected, `${key}: ${estimate.sampling_error[key]} vs ${expected}`).to.be.below(0.2);
        }
      });

      it(v.drift ? 'parts way with the realized precision under concept drift' : 'lands within 3 sampling errors of the realized precision', function () {
        const realized = realizedQuality(cellsFromRows(v.current.probability, v.current.label));
        const gap = Math.abs(estimate.precision! - realized.precision!);
        if (v.drift) expect(gap).to.be.above(5 * estimate.sampling_error.precision!);
        else expect(gap).to.be.below(3 * estimate.sampling_error.precision!);
      });
    });
  }

  it('skips labeled cells and answers null with no unlabeled rows', function () {
    const calibrator = IsotonicCalibrator.fit([0.1, 0.9], [0, 1]);
    const estimate = estimateQuality(cellsFromRows([0.3, 0.7], [0, 1]), calibrator);
    expect(estimate).to.include({ rows: 0, tp: 0, precision: null, recall: null, f1: null, roc_auc: null });
    expect(estimate.sampling_error).to.deep.equal({ precision: null, recall: null, f1: null, roc_auc: null });
  });

  it("rows: 'labeled' estimates the labeled cells as if unlabeled, and only them", function () {
    const v = loadVectors(CASES[0]!);
    const calibrator = IsotonicCalibrator.fit(v.reference.probability, v.reference.label);
    const labeled = cellsFromRows(v.current.probability, v.current.label);
    const cells = [...labeled, ...cellsFromRows([0.02, 0.4, 0.97])];
    const relabeled = labeled.map((cell) => ({ ...cell, label: 'unlabeled' as const }));
    for (const threshold of [undefined, 0.3]) {
      const options = threshold === undefined ? {} : { threshold };
      expect(estimateQuality(cells, calibrator, { ...options, rows: 'labeled' })).to.deep.equal(estimateQuality(relabeled, calibrator, options));
    }
    expect(estimateQuality(cells, calibrator).rows).to.equal(3);
  });
});
