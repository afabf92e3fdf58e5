/**
 * Exact two-sided p-values of the two-sample Kolmogorov–Smirnov statistic,
 * P(D_{m,n} >= h/lcm(m,n)), counted over the lattice paths from (0,0) to
 * (m,n) (Hodges 1958). Ports of scipy.stats._stats_py._compute_prob_outside_square
 * and scipy's pythran _compute_outer_prob_inside_method, in the same
 * operation order so the doubles come out the same.
 */

/**
 * m = n: the reflection formula 2·Σ_k (-1)^(k+1) C(2n, n-kh)/C(2n, n),
 * evaluated as 2·A0·(1 - A1·(1 - A2·(…))) so nothing cancels. O(n).
 */
export function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    // Each A_k is a ratio of two products of h terms.
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * m ≠ n: Viehmann's (2021) form of Hodges' "inside" recursion, which carries
 * the proportion of paths that have already left the band |x/m - y/n| < h/lcm
 * instead of counting those that stay in, so every entry is a probability in
 * [0, 1] and nothing over- or underflows. One lattice column per step, only
 * its band: O(m · band) with the band about 2·D·n wide, so up to ~10^8 cells
 * at n1 ≈ n2 ≈ 10,000 with a large D.
 *
 * Each cell is (left·i + below·j)/(i + j): a chain of dependent divisions,
 * so the loop waits on division latency, not throughput. To hide it, four
 * consecutive columns are swept together as a wavefront, each a few cells
 * behind the one before (it needs that column's cell at the same j). Every
 * cell still gets exactly scipy's operations in scipy's order, so the result
 * is the same double; it is only scheduled differently (2–2.5× faster).
 */
export function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  // Symmetric in m and n; the columns run over the larger.
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;

  const firstMax = Math.min(Math.ceil(h / mg), n + 1);
  const lenA = Math.min(2 * firstMax + 2, n + 1);
  // Column 0: inside the band (0) up to firstMax, outside (1) beyond. Invariant after
  // every column: cells past its band hold 1, i.e. "already outside".
  const a = new Float64Array(lenA).fill(1);
  a.fill(0, 0, firstMax);
  const sweep: Sweep = {
    a,
    lenA,
    first: 0,
    count: 0,
    lo: new Int32Array(WIDTH),
    len: new Int32Array(WIDTH),
    shift: new Int32Array(WIDTH),
    lag: new Int32Array(WIDTH),
    val: new Float64Array(WIDTH),
  };

  let lastMin = 0;
  let lastLen = firstMax;
  for (let first = 1; first <= m; first += WIDTH) {
    sweep.first = first;
    sweep.count = Math.min(WIDTH, m - first + 1);
    let dirty = lastLen;
    for (let k = 0; k < sweep.count; k++) {
      const i = first + k;
      // The band of column i, exactly as scipy bounds it.
      const minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
      const maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
      if (maxj <= minj) return 1;
      sweep.lo[k] = minj;
      sweep.len[k] = maxj - minj;
      sweep.shift[k] = minj - lastMin;
      // A column reads the previous one shift cells ahead of where it writes, so it trails by shift + 1.
      sweep.lag[k] = k === 0 ? 0 : sweep.lag[k - 1]! + sweep.shift[k]! + 1;
      sweep.val[k] = minj === 0 ? 0 : 1;
      dirty = Math.max(dirty, maxj - minj);
      lastMin = minj;
    }
    runSweep(sweep);
    lastLen = sweep.len[sweep.count - 1]!;
    // Restore the invariant: everything past the last column's band is outside.
    if (dirty > lastLen) a.fill(1, lastLen, dirty);
  }
  return a[lastLen - 1]!;
}

/** Columns swept together; four keep enough divisions in flight on current CPUs. */
const WIDTH = 4;

interface Sweep {
  readonly a: Float64Array;
  readonly lenA: number;
  /** Lattice index i of the sweep's first column, and how many columns (<= WIDTH). */
  first: number;
  count: number;
  /** Per column: first j of the band, band length, band start minus the previous column's, delay in cells, running value. */
  readonly lo: Int32Array;
  readonly len: Int32Array;
  readonly shift: Int32Array;
  readonly lag: Int32Array;
  readonly val: Float64Array;
}

/**
 * Runs the columns of a sweep over the shared array in place. At time t
 * column k computes its cell t - lag[k], reading cell t - lag[k] + shift[k]
 * of column k-1 (its left neighbour), which that column wrote at time t-1
 * and nobody has overwritten yet (column k+1 writes further back). Cells
 * beyond column k-1's band count as outside (1) without being read: memory
 * there may still hold an older column that column k-1 itself needs.
 */
function runSweep(s: Sweep): void {
  const { a, lag, len, count } = s;
  let end = 0;
  for (let k = 0; k < count; k++) end = Math.max(end, lag[k]! + len[k]!);
  if (count < WIDTH) {
    for (let t = 0; t < end; t++) for (let k = 0; k < count; k++) cell(s, k, t);
    return;
  }
  // Steady state: all four columns have a cell at time t.
  const steadyStart = lag[3]!;
  const steadyEnd = Math.min(lag[0]! + len[0]!, lag[1]! + len[1]!, lag[2]! + len[2]!, lag[3]! + len[3]!);
  const firstGeneric = steadyEnd > steadyStart ? steadyStart : end;
  for (let t = 0; t < firstGeneric; t++) for (let k = 0; k < WIDTH; k++) cell(s, k, t);
  if (steadyEnd <= steadyStart) return;

  const lenA = s.lenA;
  const i0 = s.first;
  const i1 = i0 + 1;
  const i2 = i0 + 2;
  const i3 = i0 + 3;
  const [lo0, lo1, lo2, lo3] = [s.lo[0]!, s.lo[1]!, s.lo[2]!, s.lo[3]!];
  const [s0, s1, s2, s3] = [s.shift[0]!, s.shift[1]!, s.shift[2]!, s.shift[3]!];
  const [lag1, lag2, lag3] = [lag[1]!, lag[2]!, lag[3]!];
  const [len0, len1, len2] = [len[0]!, len[1]!, len[2]!];
  let [v0, v1, v2, v3] = [s.val[0]!, s.val[1]!, s.val[2]!, s.val[3]!];
  for (let t = steadyStart; t < steadyEnd; t++) {
    // Written out four times so the four independent divisions overlap.
    const j0 = t + lo0;
    v0 = (a[t + s0]! * i0 + v0 * j0) / (i0 + j0);
    a[t] = v0;

    const jj1 = t - lag1;
    const x1 = jj1 + s1;
    const p1 = x1 < len0 ? a[x1]! : x1 < lenA ? 1 : Number.NaN;
    const j1 = jj1 + lo1;
    v1 = (p1 * i1 + v1 * j1) / (i1 + j1);
    a[jj1] = v1;

    const jj2 = t - lag2;
    const x2 = jj2 + s2;
    const p2 = x2 < len1 ? a[x2]! : x2 < lenA ? 1 : Number.NaN;
    const j2 = jj2 + lo2;
    v2 = (p2 * i2 + v2 * j2) / (i2 + j2);
    a[jj2] = v2;

    const jj3 = t - lag3;
    const x3 = jj3 + s3;
    const p3 = x3 < len2 ? a[x3]! : x3 < lenA ? 1 : Number.NaN;
    const j3 = jj3 + lo3;
    v3 = (p3 * i3 + v3 * j3) / (i3 + j3);
    a[jj3] = v3;
  }
  s.val.set([v0, v1, v2, v3]);
  for (let t = steadyEnd; t < end; t++) for (let k = 0; k < WIDTH; k++) cell(s, k, t);
}

/** Column k's cell at time t, if it has one. Reads past the array give NaN, which the caller treats as a failed computation. */
function cell(s: Sweep, k: number, t: number): void {
  const jj = t - s.lag[k]!;
  if (jj < 0 || jj >= s.len[k]!) return;
  const x = jj + s.shift[k]!;
  const above = k === 0 || x < s.len[k - 1]! ? s.a[x]! : x < s.lenA ? 1 : Number.NaN;
  const i = s.first + k;
  const j = jj + s.lo[k]!;
  const value = (above * i + s.val[k]! * j) / (i + j);
  s.val[k] = value;
  s.a[jj] = value;
}
