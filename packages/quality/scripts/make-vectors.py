#!/usr/bin/env python3
"""Reference values for @vigil/quality, computed with scikit-learn.

Writes ../test/vectors/*.json from fixed seeds, so running it again gives the
same files (for the same numpy/scikit-learn versions, recorded in each file).
Run with Debian's interpreter, which has python3-sklearn:

    /usr/bin/python3 packages/quality/scripts/make-vectors.py

Scores are shaped like a fraud model's: most rows have a logit near -5
(probability well under 1%), a few percent near +2; probabilities are rounded
to 7 significant digits (about float32's precision, and a smaller file).
Labels are drawn from a "true" probability: the score itself (calibrated), or
another rule (concept drift), so CBPE's estimate and the realized figures
agree in the first case and part ways in the second.

Each case holds a labeled reference (for calibration), the current rows with
their labels, and sklearn's figures on them:
  - realized: confusion_matrix, precision/recall/f1/accuracy, roc_auc_score,
    average_precision_score, brier_score_loss, log_loss (sklearn 1.2: eps=1e-15,
    rows renormalised), calibration_curve(n_bins=10, strategy="uniform") with
    the per-bin counts, at the model's 0.5 and at other thresholds;
  - isotonic: IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1) fitted
    on the reference, predicted at every current probability and on a grid;
  - cbpe: NannyML's confidence-based estimate computed directly from the
    calibrated probabilities c of the current rows (E[tp] = sum c over predicted
    1, ...), the estimated ROC AUC as roc_auc_score over each row counted as a
    positive with weight c and a negative with weight 1 - c, and the sampling
    error measured by Monte Carlo: the standard deviation of the realized
    metric over 2000 draws of labels ~ Bernoulli(c).
"""

import json
import os

import numpy as np
import sklearn
from sklearn.isotonic import IsotonicRegression
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "vectors")
THRESHOLDS = [0.5, 0.2, 0.8]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def fraud_scores(rng, n, fraud_share):
    """Logits of a fraud model: a big bump of clear non-fraud, a small bump of likely fraud."""
    fraud = rng.random(n) < fraud_share
    z = np.where(fraud, rng.normal(2.0, 1.6, n), rng.normal(-5.0, 1.5, n))
    return np.array([float(f"{p:.7g}") for p in sigmoid(z)])


def realized(p, y, threshold):
    pred = (p >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "threshold": threshold,
        "tp": int(tp), "fp": int(fp), "tn": int(tn), "fn": int(fn),
        "precision": float(precision_score(y, pred, zero_division=0)),
        "recall": float(recall_score(y, pred, zero_division=0)),
        "f1": float(f1_score(y, pred, zero_division=0)),
        "accuracy": float(accuracy_score(y, pred)),
    }


def calibration(p, y):
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    binids = np.searchsorted(np.linspace(0.0, 1.0, 11)[1:-1], p)
    counts = np.bincount(binids, minlength=10)
    return {"observed_rate": prob_true.tolist(), "mean_probability": prob_pred.tolist(), "counts": counts.tolist()}


def cbpe(calibrated, p, threshold, rng, draws=2000):
    pred = p >= threshold
    c = calibrated
    etp, efp = float(c[pred].sum()), float((1 - c[pred]).sum())
    efn, etn = float(c[~pred].sum()), float((1 - c[~pred]).sum())
    n = len(p)
    auc = roc_auc_score(np.r_[np.ones(n), np.zeros(n)], np.r_[p, p], sample_weight=np.r_[c, 1 - c])
    sims = {"precision": [], "recall": [], "f1": [], "roc_auc": []}
    for _ in range(draws):
        y = (rng.random(n) < c).astype(int)
        predi = pred.astype(int)
        sims["precision"].append(precision_score(y, predi, zero_division=0))
        sims["recall"].append(recall_score(y, predi, zero_division=0))
        sims["f1"].append(f1_score(y, predi, zero_division=0))
        sims["roc_auc"].append(roc_auc_score(y, p))
    return {
        "threshold": threshold,
        "tp": etp, "fp": efp, "fn": efn, "tn": etn,
        "precision": etp / (etp + efp), "recall": etp / (etp + efn), "f1": 2 * etp / (2 * etp + efp + efn),
        "roc_auc": float(auc),
        "monte_carlo_std": {k: float(np.std(v)) for k, v in sims.items()},
    }


def case(name, seed, n_ref, n_cur, fraud_share, drift):
    rng = np.random.default_rng(seed)
    p_ref = fraud_scores(rng, n_ref, fraud_share)
    y_ref = (rng.random(n_ref) < p_ref).astype(int)
    p = fraud_scores(rng, n_cur, fraud_share)
    # Concept drift: the same scores, but fraud now follows a flatter, shifted rule.
    truth = p if not drift else sigmoid(0.6 * np.log(p / (1 - p)) - 1.0)
    y = (rng.random(n_cur) < truth).astype(int)

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(p_ref, y_ref)
    grid = np.r_[0.0, np.geomspace(1e-6, 0.5, 60), 1 - np.geomspace(0.5, 1e-6, 60)[1:], 1.0]
    calibrated = iso.predict(p)

    out = {
        "generator": {"numpy": np.__version__, "sklearn": sklearn.__version__, "seed": seed},
        "name": name,
        "drift": drift,
        "reference": {"probability": p_ref.tolist(), "label": y_ref.tolist()},
        "current": {"probability": p.tolist(), "label": y.tolist()},
        "realized": [realized(p, y, t) for t in THRESHOLDS],
        "roc_auc": float(roc_auc_score(y, p)),
        "average_precision": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, p)),
        "calibration": calibration(p, y),
        "isotonic": {
            "grid": grid.tolist(),
            "grid_predictions": iso.predict(grid).tolist(),
            "current_predictions": calibrated.tolist(),
        },
        "cbpe": cbpe(calibrated, p, 0.5, rng),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


os.makedirs(OUT, exist_ok=True)
case("calibrated", 20261201, 6000, 5000, 0.03, False)
case("concept-drift", 20261202, 6000, 4000, 0.03, True)
case("rare-fraud", 20261203, 8000, 3000, 0.008, False)
