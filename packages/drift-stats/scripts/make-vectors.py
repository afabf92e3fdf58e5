#!/usr/bin/env python3
"""Reference values for @vigil/drift-stats, computed with numpy and scipy.

Writes ../test/vectors.json. Every sample comes from a fixed seed, so running
this again gives the same file (for the same numpy/scipy versions, recorded
in the output). Run with: python3 packages/drift-stats/scripts/make-vectors.py

Samples are stored either as explicit arrays (rounded to a few decimals to
keep the file small; the rounding also creates ties) or, for long regular
ones, as {"arange": [n, start, step]} meaning start + step * arange(n), which
the tests rebuild bit-for-bit.
"""

import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance
from scipy.stats._stats_py import _compute_prob_outside_square
from scipy.stats._stats_pythran import _compute_outer_prob_inside_method

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "vectors.json")

samples = {}


def add_sample(name, values):
    samples[name] = [float(v) for v in values]
    return name


def add_arange(name, n, start, step):
    samples[name] = {"arange": [n, start, step]}
    return name


def materialise(name):
    spec = samples[name]
    if isinstance(spec, dict):
        n, start, step = spec["arange"]
        return np.arange(n, dtype=np.float64) * step + start
    return np.asarray(spec, dtype=np.float64)


# ---------------------------------------------------------------- KS two-sample

ks_cases = []


def ks_case(label, ref, cur, method):
    a, b = materialise(ref), materialise(cur)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(a, b, method=method)
    fell_back = any("Switching to" in str(w.message) for w in caught)
    n1, n2 = len(a), len(b)
    if method == "auto":
        used = "exact" if max(n1, n2) <= 10000 else "asymp"
    else:
        used = method
    if fell_back:
        used = "asymp"
    ks_cases.append({
        "label": label, "reference": ref, "current": cur, "method": method,
        "statistic": float(res.statistic), "pvalue": float(res.pvalue), "methodUsed": used,
    })


rng = np.random.default_rng(20240601)

# Small samples (exact): continuous, and integer-valued with many ties; shifted and not.
for n1, n2 in [(5, 5), (5, 7), (6, 9), (8, 12), (10, 10), (13, 29), (20, 50), (37, 41), (50, 50), (17, 3), (1, 9)]:
    for shift in (0.0, 0.8):
        tag = f"{n1}x{n2}{'-shift' if shift else ''}"
        ref = add_sample(f"small-ref-{tag}", np.round(rng.normal(size=n1), 6))
        cur = add_sample(f"small-cur-{tag}", np.round(rng.normal(loc=shift, size=n2), 6))
        for method in ("exact", "asymp", "auto"):
            ks_case(f"normal {tag} {method}", ref, cur, method)
        tref = add_sample(f"ties-ref-{tag}", rng.integers(0, 6, size=n1))
        tcur = add_sample(f"ties-cur-{tag}", rng.integers(0, 6, size=n2) + (1 if shift else 0))
        for method in ("exact", "asymp"):
            ks_case(f"ties {tag} {method}", tref, tcur, method)

# Equal sizes interleaved so D = h/n exactly: the exact sum can round above 1
# (scipy then falls back to asymp) and h is tiny, so every edge of the lattice code runs.
for n in (5, 7, 13, 30, 64, 101, 500):
    for h in (1, 2, 3):
        if h > n:
            continue
        ref = add_arange(f"grid-ref-{n}", n, 0.0, 2.0)
        cur = add_arange(f"grid-cur-{n}-h{h}", n, 2.0 * h - 1.0, 2.0)
        ks_case(f"interleaved n={n} h={h} exact", ref, cur, "exact")

# Medium ('auto' is exact up to 10,000 values per sample).
for n1, n2, shift, scale in [(500, 800, 0.0, 1.0), (1000, 1000, 0.1, 1.0), (2000, 3000, 0.0, 1.2),
                             (5000, 4000, 0.05, 1.0), (1200, 5000, 0.3, 1.0), (3000, 3000, 0.0, 1.0)]:
    tag = f"{n1}x{n2}-s{shift}-c{scale}"
    ref = add_sample(f"medium-ref-{tag}", np.round(rng.normal(size=n1), 5))
    cur = add_sample(f"medium-cur-{tag}", np.round(rng.normal(loc=shift, scale=scale, size=n2), 5))
    ks_case(f"medium {tag} auto", ref, cur, "auto")
    ks_case(f"medium {tag} asymp", ref, cur, "asymp")

# At the 'auto' limit: 10,000 vs 9,000 values.
ref = add_sample("edge-ref-10000", np.round(rng.normal(size=10000), 4))
cur = add_sample("edge-cur-9000", np.round(rng.normal(loc=0.04, size=9000), 4))
ks_case("10000x9000 shifted auto", ref, cur, "auto")
# Worst case for the exact band recursion: n1 != n2, both near 10,000, a large D.
ref = add_arange("far-ref-10000", 10000, 0.0, 1.0)
cur = add_arange("far-cur-9999", 9999, 3000.0, 1.0)
ks_case("10000x9999 arithmetic, D≈0.3 auto", ref, cur, "auto")
cur = add_arange("near-cur-9999", 9999, 20.5, 1.0)
ks_case("10000x9999 arithmetic, small D auto", ref, cur, "auto")

# 'exact' requested but lcm(n1, n2) beyond int32: scipy switches to asymp.
ref = add_arange("huge-ref-46343", 46343, 0.0, 1.0)
cur = add_arange("huge-cur-46342", 46342, 300.0, 1.0)
ks_case("46343x46342 exact->asymp (lcm beyond int32)", ref, cur, "exact")

# Large (asymp): 20,000 reference values against 3,000, and against small
# windows, which makes kstwo's n small enough for its exact branches.
ref = add_sample("large-ref-20000", np.round(rng.normal(size=20000), 4))
for shift in (0.0, 0.05, 0.3):
    cur = add_sample(f"large-cur-3000-s{shift}", np.round(rng.normal(loc=shift, size=3000), 4))
    ks_case(f"20000x3000 shift={shift} auto", ref, cur, "auto")
for n2, shift in [(3, 0.0), (20, 0.5), (50, 0.0), (100, 0.4), (140, 0.25), (141, 0.2), (400, 0.1), (1000, 0.0)]:
    cur = add_sample(f"large-cur-{n2}-s{shift}", np.round(rng.normal(loc=shift, size=n2), 4))
    ks_case(f"20000x{n2} shift={shift} auto", ref, cur, "auto")

# ------------------------------------------------ distributions used by KS

kstwo_cases = []
for n in [1, 2, 3, 5, 10, 31, 64, 100, 139, 140, 141, 500, 2609, 10000, 100000, 150000]:
    xs = set()
    for x in [0.5 / n, 0.75 / n, 1.0 / n, 1.5 / n, 0.5, 0.6, 0.9, 1 - 1.0 / n, 1 - 0.5 / n]:
        xs.add(x)
    for nx2 in [0.05, 0.3, 0.754, 0.76, 1.0, 2.0, 2.19, 2.21, 3.9, 4.1, 8.0, 17.9, 18.1, 50.0, 369.0, 371.0]:
        xs.add(math.sqrt(nx2 / n))
    for x in sorted(xs):
        if 0 < x <= 1:
            kstwo_cases.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})

smirnov_cases = []
for n in [1, 2, 5, 10, 11, 50, 100, 1000, 10000, 100000, 2000000]:
    for x in [0.0, 0.3 / n, 1.0 / n, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1 - 1.0 / n, 0.5 / math.sqrt(n), 2 / math.sqrt(n), 1.0]:
        if 0 <= x <= 1:
            smirnov_cases.append({"n": n, "x": x, "sf": float(special.smirnov(n, x))})

exact_cases = []
for n, h in [(1, 1), (5, 1), (5, 2), (10, 3), (100, 7), (1000, 60), (10000, 150), (10000, 3000)]:
    exact_cases.append({"m": n, "n": n, "h": h, "p": float(_compute_prob_outside_square(n, h))})
for m, n, h in [(2, 1, 1), (7, 3, 10), (12, 8, 9), (300, 200, 150), (1000, 999, 60000), (5000, 3000, 1200), (9999, 10000, 5000000)]:
    g = math.gcd(m, n)
    exact_cases.append({"m": m, "n": n, "h": h, "p": float(_compute_outer_prob_inside_method(m, n, g, h))})

# ---------------------------------------------------------------- gammaincc

gamma_cases = []
for a in [1e-3, 0.05, 0.5, 1.0, 1.5, 2.5, 4.5, 10.0, 19.5, 25.0, 49.5, 120.0, 250.0, 1000.0, 5000.0]:
    for x in [1e-6, 0.01, 0.3, 0.6, 1.0, 1.2, 3.0, 10.0, 50.0, 200.0, 1200.0, 6000.0, a * 0.5, a * 0.95, a, a * 1.05, a * 2.0]:
        q = float(special.gammaincc(a, x))
        gamma_cases.append({"a": a, "x": x, "q": q})

# ---------------------------------------------------------------- chi-squared


def chi2_case(label, ref_counts, cur_counts):
    table = np.array([ref_counts, cur_counts], dtype=np.float64)
    keep = table.sum(axis=0) > 0
    res = stats.chi2_contingency(table[:, keep], correction=False)
    return {"label": label, "referenceCounts": list(map(int, ref_counts)), "currentCounts": list(map(int, cur_counts)),
            "statistic": float(res.statistic), "dof": int(res.dof), "pvalue": float(res.pvalue)}


chi_cases = [
    chi2_case("4 categories, no drift", [120, 340, 95, 45], [118, 332, 101, 49]),
    chi2_case("4 categories, drift", [120, 340, 95, 45], [60, 300, 180, 60]),
    chi2_case("zero category dropped", [500, 0, 250, 250], [480, 0, 260, 260]),
    chi2_case("category new in current", [500, 0, 250, 250], [480, 40, 260, 260]),
    chi2_case("2 categories (dof 1)", [900, 100], [850, 150]),
    chi2_case("strong drift, tiny p", [10000, 10000, 10000], [2000, 14000, 14000]),
]
for k in (3, 12, 45, 120):
    probs = rng.dirichlet(np.ones(k))
    ref_counts = rng.multinomial(20000, probs)
    cur_counts = rng.multinomial(5000, np.roll(probs, 1) * 0.1 + probs * 0.9)
    chi_cases.append(chi2_case(f"{k} random categories", ref_counts, cur_counts))

# ---------------------------------------------------------------- Wasserstein


def np_std(values):
    return float(np.std(values))


wass_cases = []
for ref, cur in [("small-ref-5x7", "small-cur-5x7"), ("ties-ref-13x29-shift", "ties-cur-13x29-shift"),
                 ("medium-ref-2000x3000-s0.0-c1.2", "medium-cur-2000x3000-s0.0-c1.2"),
                 ("large-ref-20000", "large-cur-3000-s0.3"), ("grid-ref-30", "grid-cur-30-h2")]:
    a, b = materialise(ref), materialise(cur)
    wd = stats.wasserstein_distance(a, b)
    wass_cases.append({"reference": ref, "current": cur, "distance": float(wd),
                       "normalized": float(wd / max(np_std(a), 0.001))})
const_ref = add_sample("constant-ref", [3.0] * 50)
wd = stats.wasserstein_distance(materialise(const_ref), materialise("small-cur-50x50"))
wass_cases.append({"reference": const_ref, "current": "small-cur-50x50", "distance": float(wd),
                   "normalized": float(wd / max(np_std(materialise(const_ref)), 0.001))})

# ---------------------------------------------------------------- PSI

EMPTY = 0.0001


def psi_numpy(reference, current, bins):
    cuts = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    inner = cuts[1:-1]
    edges = np.concatenate(([-np.inf], inner, [np.inf]))
    ref_counts = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=len(inner) + 1)
    cur_counts = np.bincount(np.searchsorted(inner, current, side="right"), minlength=len(inner) + 1)
    # Same bins as numpy.histogram on the open-ended edges.
    assert np.array_equal(ref_counts, np.histogram(reference, edges)[0])
    assert np.array_equal(cur_counts, np.histogram(current, edges)[0])
    p_ref = ref_counts / len(reference)
    p_cur = cur_counts / len(current)
    p_ref = np.where(p_ref == 0, EMPTY, p_ref)
    p_cur = np.where(p_cur == 0, EMPTY, p_cur)
    value = 0.0
    for r, c in zip(p_ref, p_cur):
        value += (c - r) * np.log(c / r)
    return float(value), [float(e) for e in inner], [float(x) for x in p_ref], [float(x) for x in p_cur]


psi_cases = []
for ref, cur, bins in [("medium-ref-500x800-s0.0-c1.0", "medium-cur-500x800-s0.0-c1.0", 10),
                       ("medium-ref-1200x5000-s0.3-c1.0", "medium-cur-1200x5000-s0.3-c1.0", 10),
                       ("large-ref-20000", "large-cur-3000-s0.3", 20),
                       ("large-ref-20000", "large-cur-20-s0.5", 10),
                       ("ties-ref-50x50", "ties-cur-50x50-shift", 10),
                       ("small-ref-13x29", "small-cur-13x29", 7),
                       ("constant-ref", "small-cur-50x50", 10)]:
    value, edges, p_ref, p_cur = psi_numpy(materialise(ref), materialise(cur), bins)
    psi_cases.append({"reference": ref, "current": cur, "bins": bins, "value": value, "edges": edges,
                      "referenceProportions": p_ref, "currentProportions": p_cur})

psi_count_cases = []
for ref_counts, cur_counts in [([120, 340, 95, 45], [60, 300, 180, 60]), ([500, 0, 250, 250], [480, 40, 260, 260]),
                               ([10, 20, 30], [10, 20, 30]), ([7, 0, 3], [0, 9, 1])]:
    r = np.asarray(ref_counts, dtype=np.float64) / sum(ref_counts)
    c = np.asarray(cur_counts, dtype=np.float64) / sum(cur_counts)
    r = np.where(r == 0, EMPTY, r)
    c = np.where(c == 0, EMPTY, c)
    value = 0.0
    for a, b in zip(r, c):
        value += (b - a) * np.log(b / a)
    psi_count_cases.append({"referenceCounts": ref_counts, "currentCounts": cur_counts, "value": float(value)})

# ---------------------------------------------------------------- Jensen–Shannon

js_cases = []
for p, q in [([120, 340, 95, 45], [60, 300, 180, 60]), ([0.1, 0.4, 0.5], [0.1, 0.4, 0.5]),
             ([1, 0, 0], [0, 1, 0]), ([5, 0, 3, 2], [4, 1, 0, 5]),
             (list(rng.multinomial(5000, np.ones(30) / 30)), list(rng.multinomial(800, np.ones(30) / 30)))]:
    for base in (None, 2.0):
        js_cases.append({"p": [float(v) for v in p], "q": [float(v) for v in q], "base": base,
                         "distance": float(distance.jensenshannon(np.asarray(p, float), np.asarray(q, float), base=base))})

# ---------------------------------------------------------------- multiple testing


def bonferroni_np(p, alpha):
    m = len(p)
    adjusted = np.minimum(p * float(m), 1.0)
    return (p <= alpha / float(m)).tolist(), adjusted.tolist()


def bh_np(p, alpha):
    """statsmodels.stats.multitest.multipletests(method='fdr_bh'), re-implemented in numpy."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    ecdf = np.arange(1, m + 1) / float(m)
    reject = ps <= ecdf * alpha
    if reject.any():
        reject[: np.nonzero(reject)[0].max()] = True
    adjusted = np.minimum.accumulate((ps / ecdf)[::-1])[::-1]
    adjusted[adjusted > 1] = 1
    out_reject = np.empty(m, dtype=bool)
    out_adjusted = np.empty(m)
    out_reject[order] = reject
    out_adjusted[order] = adjusted
    return out_reject.tolist(), out_adjusted.tolist()


mt_cases = []
for label, p, alpha in [
    ("mixed", np.array([0.01, 0.04, 0.03, 0.005, 0.2, 0.8, 0.049, 0.0001]), 0.05),
    ("ties", np.array([0.02, 0.02, 0.02, 0.5, 0.5, 0.001]), 0.05),
    ("none rejected", np.array([0.3, 0.6, 0.9]), 0.05),
    ("step-up rescues a larger p", np.array([0.009, 0.011, 0.012, 0.04, 0.9]), 0.05),
    ("random 200", np.concatenate([rng.uniform(size=180), rng.uniform(0, 0.001, size=20)]), 0.1),
]:
    b_rej, b_adj = bonferroni_np(p, alpha)
    h_rej, h_adj = bh_np(p, alpha)
    mt_cases.append({"label": label, "pvalues": p.tolist(), "alpha": alpha,
                     "bonferroni": {"reject": b_rej, "adjusted": b_adj},
                     "benjaminiHochberg": {"reject": h_rej, "adjusted": h_adj}})

out = {
    "generator": {"numpy": np.__version__, "scipy": scipy.__version__, "script": "scripts/make-vectors.py"},
    "samples": samples,
    "ks": ks_cases,
    "kstwo": kstwo_cases,
    "smirnov": smirnov_cases,
    "ksExact": exact_cases,
    "gammaincc": gamma_cases,
    "chiSquare": chi_cases,
    "wasserstein": wass_cases,
    "psi": psi_cases,
    "psiFromCounts": psi_count_cases,
    "jensenShannon": js_cases,
    "multipleTesting": mt_cases,
}
with open(OUT, "w") as f:
    # repr-precision floats: json uses float.__repr__, the shortest string that round-trips.
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {OUT}: {os.path.getsize(OUT) / 1e6:.2f} MB, {len(ks_cases)} KS cases")
