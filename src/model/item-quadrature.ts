/**
 * The one-dimensional integral of the bernoulli item model (item-model.ts): for an item with
 * cells i (linear predictors eta_i, k_i rows each, n = sum k_i rows) and sum score s,
 *
 *   G(s) = integral over z of exp(h(z)) dz / sqrt(2 pi),
 *   h(z) = tau z s - sum_i k_i log(1 + exp(eta_i + tau z)) - z^2 / 2,
 *
 * the item effect u = tau z integrated out; the item's likelihood is exp(sum_r y_r eta_r) G(s).
 * h is concave. One grid serves every sum score s of a pattern (the integrands differ only by
 * the factor exp(tau z s)): the trapezoid rule on a uniform grid, step STEP / sqrt(tau^2 n / 4 +
 * 1), a bound on the width s* = (-h'')^-1/2 of every integrand and below 1/tau for n >= 4, over
 * an interval outside which every integrand is below e^-DROP of its peak. Its ends come from
 * parabolas that bound h from above (softplus(x) >= max(x, 0)): h_s(z) <= tau s z - z^2/2 on the
 * left of the smallest s, h_s(z) <= -tau (n - s) z - sum_i k_i eta_i - z^2/2 on the right of the
 * largest, each set equal to h at (nearly) the integrand's mode minus DROP: a closed form, tight
 * in the tails where the bound becomes exact, and safe whatever the mode's accuracy (h anywhere
 * is at most its maximum). The sum over cells of log(1 + exp(.)), exp(tau z) and the ratios
 * exp(L_{q+1} - L_q) of neighbouring points are computed once per grid point; an integrand's
 * values on its own window (where its h is within DROP of its maximum) then follow by two
 * multiplications per point from its peak (exp(h_s) at the next point = this one's times
 * exp(L_{q+1} - L_q) exp(tau s step)), one exp per s: rounding grows by ~1e-16 per point, ~1e-14
 * over a window.
 *
 * Why the trapezoid rule and not Gauss-Hermite around the mode (Liu & Pierce 1994; lme4's nAGQ):
 * items every heuristic gets right (s = n) or wrong (s = 0) are common when the heuristics are
 * variants of one model, and their integrand is far from gaussian when tau is large (steep on one
 * side, the normal's tail on the other); measured against brute force, 20 adaptive Gauss-Hermite
 * nodes were off by 2e-5 (tau = 4) to 3e-3 (tau = 8) in log G, 48 nodes still by 4e-5 at tau = 8.
 * The trapezoid rule converges geometrically for integrands analytic in a strip |Im z| < a
 * (Trefethen & Weideman 2014, "The exponentially convergent trapezoidal rule", SIAM Review 56,
 * Theorem 5.1: error ~ exp(-2 pi a / step)); the logistic terms have poles at distance pi / tau
 * and a gaussian-shaped integrand of width w has error ~ exp(-2 pi^2 w^2 / step^2), so a step of
 * 0.7 min(1/tau, s*) keeps the rule's error near exp(-28) ~ 1e-12 whatever tau, s and n are.
 *
 * The gradient is the same sum over the points of the integrand's gradient (posterior weights of
 * the points times d h / d eta_i and d h / d log tau); it differs from the derivative of the rule
 * only through the points' dependence on the parameters, i.e. by the rule's error (checked in
 * test/model/item-model.test.ts against finite differences and brute force).
 */

/** The interval ends: where h is this far below its maximum (e^-30 ~ 1e-13 of the peak). */
const DROP = 30;
/** Step as a fraction of the narrowest integrand's width (see above). */
const STEP = 0.7;
/** At most this many grid points per pattern (tau up to ~100 with 20 rows per item). */
export const MAX_POINTS = 8192;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Scratch space for `patternIntegrals`, sized for items of up to `maxCells` cells. */
export interface QuadratureScratch {
  eta: Float64Array;
  k: Float64Array;
  /** exp(eta_i). */
  E: Float64Array;
  /** Per cell: -d lp / d eta_i accumulated over the grid (divided by k_i). */
  gAcc: Float64Array;
  /** Per grid point: z, -z^2/2 - sum_i k_i log(1 + exp(eta_i + tau z)), and the weights W, V. */
  z: Float64Array;
  L: Float64Array;
  W: Float64Array;
  V: Float64Array;
  f: Float64Array;
  /** Per grid point: exp(tau z); exp(L_{q+1} - L_q) and its inverse. */
  T: Float64Array;
  up: Float64Array;
  down: Float64Array;
}

/** @example const scr = quadratureScratch(20); */
export function quadratureScratch(maxCells: number): QuadratureScratch {
  const m = Math.max(1, maxCells);
  const P = MAX_POINTS + 1;
  return {
    eta: new Float64Array(m),
    k: new Float64Array(m),
    E: new Float64Array(m),
    gAcc: new Float64Array(m),
    z: new Float64Array(P),
    L: new Float64Array(P),
    W: new Float64Array(P),
    V: new Float64Array(P),
    f: new Float64Array(P),
    T: new Float64Array(P),
    up: new Float64Array(P),
    down: new Float64Array(P),
  };
}

/** The logistic function without overflow. */
function logistic(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** h(z) and h'(z) (into out[1]); h without the sqrt(2 pi). */
function hAt(
  scr: QuadratureScratch,
  m: number,
  s: number,
  tau: number,
  z: number,
  out: Float64Array,
): number {
  const { eta, k } = scr;
  const tz = tau * z;
  let a = tz * s - 0.5 * z * z;
  let sp = 0;
  for (let i = 0; i < m; i++) {
    const e = eta[i] + tz;
    const x = Math.exp(-Math.abs(e));
    const ki = k[i];
    // log(1 + exp(e)) = max(e, 0) + log1p(exp(-|e|))
    a -= ki * (Math.max(e, 0) + Math.log1p(x));
    sp += ki * (e > 0 ? 1 / (1 + x) : x / (1 + x));
  }
  out[1] = tau * (s - sp) - z;
  return a;
}

/**
 * Near the mode of h for sum score s (safeguarded Newton inside [tau (s - n), tau s], from 0
 * clamped into it): stops once the Newton step is below 0.3 of the integrand's width, where h is
 * within ~0.05 of its maximum. The interval's ends only need h there as a lower bound on the
 * maximum: 0.05 nats short moves an end outward by 0.05 / |h'| there, |h'| ~ sqrt(2 DROP) ~ 8,
 * i.e. by under a thirtieth of a grid step.
 */
function modeOf(scr: QuadratureScratch, m: number, nRows: number, s: number, tau: number): number {
  const { eta, k } = scr;
  let lo = tau * (s - nRows);
  let hi = tau * s;
  let z = Math.min(hi, Math.max(lo, 0));
  for (let it = 0; it < 100; it++) {
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < m; i++) {
      const p = logistic(eta[i] + tau * z);
      s1 += k[i] * p;
      s2 += k[i] * p * (1 - p);
    }
    const g = tau * (s - s1) - z;
    if (g > 0) lo = z;
    else hi = z;
    const curv = tau * tau * s2 + 1;
    let next = z + g / curv;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const done = Math.abs(next - z) * Math.sqrt(curv) <= 0.3;
    z = next;
    if (done || hi - lo <= 1e-12 * (1 + Math.abs(z))) break;
  }
  return z;
}

const tmp = new Float64Array(2);

/** Fill the grid: z and L = -z^2/2 - sum_i k_i log(1 + exp(eta_i + tau z)) per point. */
function fillGrid(
  scr: QuadratureScratch,
  m: number,
  tau: number,
  z0: number,
  step: number,
  nPts: number,
): void {
  const { eta, k, E, z: zs, L, T: Ts, up, down } = scr;
  for (let q = 0; q < nPts; q++) {
    const z = z0 + (q + 0.5) * step;
    zs[q] = z;
    const tz = tau * z;
    const T = Math.exp(tz);
    Ts[q] = T;
    // sum_i k_i log(1 + exp(a_i)) = log prod_i (1 + exp(a_i))^k_i, exp(a_i) = exp(eta_i) exp(tau z):
    // one exp and one log per point; a factor past 1e100 is taken as exp(a_i) (1 + exp(-a_i)) with
    // a_i moved into the sum, and the product (of factors up to 1e100) is folded into the sum
    // once past 1e200, before it could overflow
    let a = -0.5 * z * z;
    let prod = 1;
    for (let i = 0; i < m; i++) {
      let x = E[i] * T;
      if (x > 1e100) {
        a -= k[i] * (eta[i] + tz);
        x = 1 / x;
      }
      // (several rows of one cell per item: their term goes straight into the sum)
      if (k[i] === 1) prod *= 1 + x;
      else a -= k[i] * Math.log1p(x);
      if (prod > 1e200) {
        a -= Math.log(prod);
        prod = 1;
      }
    }
    L[q] = a - Math.log(prod);
  }
  for (let q = 0; q + 1 < nPts; q++) {
    up[q] = Math.exp(L[q + 1] - L[q]);
    down[q] = 1 / up[q];
  }
}

const win = new Float64Array(5);

/**
 * Set up the grid of one pattern for sum scores sLo..sHi (`eta` and `k` of the scratch hold its
 * m cells): E, z, L, T, up, down filled; returns the number of points and writes the step into
 * out[0].
 */
export function patternGrid(
  scr: QuadratureScratch,
  m: number,
  sLo: number,
  sHi: number,
  tau: number,
  out: Float64Array,
): number {
  const { eta, k, E } = scr;
  let nRows = 0;
  let kEta = 0;
  for (let i = 0; i < m; i++) {
    nRows += k[i];
    kEta += k[i] * eta[i];
    E[i] = Math.exp(eta[i]);
  }
  // the interval: the parabolas bounding h from above (see above) at h(mode) - DROP
  const tLo = hAt(scr, m, sLo, tau, modeOf(scr, m, nRows, sLo, tau), tmp) - DROP;
  const tHi = hAt(scr, m, sHi, tau, modeOf(scr, m, nRows, sHi, tau), tmp) - DROP;
  const aLo = tau * sLo;
  const aHi = tau * (nRows - sHi);
  const zLeft = aLo - Math.sqrt(aLo * aLo - 2 * tLo);
  const zRight = -aHi + Math.sqrt(aHi * aHi - 2 * (kEta + tHi));
  const step0 = STEP / Math.max(tau, Math.sqrt(0.25 * tau * tau * nRows + 1));
  const nPts = Math.min(MAX_POINTS, Math.max(8, Math.ceil((zRight - zLeft) / step0)));
  const step = (zRight - zLeft) / nPts;
  fillGrid(scr, m, tau, zLeft, step, nPts);
  out[0] = step;
  return nPts;
}

/**
 * The window of sum score s on the grid: hill-climb from qStart to the maximum of h_s (L + tau s
 * z), then exp(h_s - max) into f over the points within DROP of it. Writes out = [qMax, lo, hi,
 * sum of f over the window, max of h_s].
 */
export function windowOf(
  scr: QuadratureScratch,
  nPts: number,
  step: number,
  tau: number,
  s: number,
  qStart: number,
  out: Float64Array,
): void {
  const { z: zs, L, f, up, down } = scr;
  const ts = tau * s;
  let qMax = qStart;
  while (qMax + 1 < nPts && L[qMax + 1] + ts * zs[qMax + 1] >= L[qMax] + ts * zs[qMax]) qMax++;
  while (qMax > 0 && L[qMax - 1] + ts * zs[qMax - 1] > L[qMax] + ts * zs[qMax]) qMax--;
  // exp(h_s) relative to its peak, point to point: times up[q] r rightwards, down[q] / r leftwards
  const floor = Math.exp(-DROP);
  const r = Math.exp(ts * step);
  const rInv = 1 / r;
  let lo = qMax;
  let hi = qMax;
  let sum = 1;
  f[qMax] = 1;
  for (let q = qMax - 1, x = 1; q >= 0; q--) {
    x *= down[q] * rInv;
    if (x < floor) break;
    f[q] = x;
    sum += x;
    lo = q;
  }
  for (let q = qMax + 1, x = 1; q < nPts; q++) {
    x *= up[q - 1] * r;
    if (x < floor) break;
    f[q] = x;
    sum += x;
    hi = q;
  }
  out[0] = qMax;
  out[1] = lo;
  out[2] = hi;
  out[3] = sum;
  out[4] = L[qMax] + ts * zs[qMax];
}

/**
 * Sum over the sum scores s of one pattern of count_s log G(s), with the gradient: adds
 * -count_s k_i E_s[p_i] to gEta[cell_i] and writes out[0] = the sum, out[1] = d / d log tau.
 * `eta` and `k` of the scratch hold the pattern's cells (m of them), `cells[cellOff + i]` their
 * index in gEta; sVal[s0..s1) ascending.
 */
export function patternIntegrals(
  scr: QuadratureScratch,
  m: number,
  cells: Int32Array,
  cellOff: number,
  sVal: Float64Array,
  sCount: Float64Array,
  s0: number,
  s1: number,
  tau: number,
  gEta: Float64Array,
  out: Float64Array,
): void {
  const { k, E, gAcc, z: zs, W, V, f, T: Ts } = scr;
  const nPts = patternGrid(scr, m, sVal[s0], sVal[s1 - 1], tau, win);
  const step = win[0];
  for (let i = 0; i < m; i++) gAcc[i] = 0;
  W.fill(0, 0, nPts);
  V.fill(0, 0, nPts);
  // each s: its window on the grid (monotone in s), weights, log G
  let lp = 0;
  let qMax = 0;
  for (let j = s0; j < s1; j++) {
    const s = sVal[j];
    const cnt = sCount[j];
    windowOf(scr, nPts, step, tau, s, qMax, win);
    qMax = win[0];
    const lo = win[1];
    const hi = win[2];
    const sum = win[3];
    lp += cnt * (win[4] + Math.log(sum * step) - HALF_LOG_2PI);
    const c = cnt / sum;
    const cs = c * s;
    for (let q = lo; q <= hi; q++) {
      W[q] += c * f[q];
      V[q] += cs * f[q];
    }
  }
  // gradient: sum over points of the weights times p_i and tau z (s - sum_i k_i p_i), with
  // p_i = 1 - 1 / (1 + exp(eta_i + tau z)) (one division; 1 at overflow)
  let gLogTau = 0;
  for (let q = 0; q < nPts; q++) {
    const w = W[q];
    if (w === 0) continue;
    const T = Ts[q];
    let sp = 0;
    for (let i = 0; i < m; i++) {
      const p = 1 - 1 / (1 + E[i] * T);
      sp += k[i] * p;
      gAcc[i] += w * p;
    }
    gLogTau += tau * zs[q] * (V[q] - w * sp);
  }
  for (let i = 0; i < m; i++) gEta[cells[cellOff + i]] -= k[i] * gAcc[i];
  out[0] = lp;
  out[1] = gLogTau;
}
