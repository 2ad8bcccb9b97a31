import { hashNormals } from '../math/hash-normals.js';
import { createNormalRng } from '../math/normal-rng.js';
import type { ReportingModel } from '../sampler/types.js';
import { helmertMatrix } from './geometry/nested-basis.js';

/**
 * The budget-curve model: each method's score as a smooth curve over log cache budget that
 * approaches the full cache from below, fitted jointly over methods, tasks and backbones.
 *
 * For task t on backbone m (a "cell"), the full-cache score is F[t,m]; a method h at budget b
 * scores F[t,m] - gap, with the loss against the full cache
 *
 *   gap(h, t, m, u) = exp(la[h,t,m]) * s(u),            u = log2(b) - u0,
 *   log s(u)        = softplus(lc) - softplus(k u + lc),  k = exp(lb) (1 + e^{-lc}),
 *
 * a logistic decay in log budget (the Hill / log-logistic dose-response curve; Gelman et al. 2013,
 * BDA3 section 3.7 for the bioassay analogue): s(0) = 1, log s is concave and strictly decreasing,
 * so the loss is positive, levels off at exp(la) (1 + e^{lc}) at small budgets, decays like 2^{-k u}
 * at large ones and tends to 0 (the full cache) as the budget grows. u0 is the mean observed log2
 * budget. The three parts are what the data identify best: la the log loss at the centre budget,
 * exp(lb) the slope of the log loss there (per doubling), and logistic(lc) = exp(lb) / k in (0, 1)
 * the curvature (near 1: a pure power law in the budget; near 0: the decay starts above the data).
 * A parameterization by midpoint and steepness instead had ridges (a midpoint outside the observed
 * budgets is unidentified) that kept NUTS at tree depth 10. The parts are hierarchical, a shared
 * shape with method-specific shifts and slopes:
 *
 *   la[h,t,m] = L[h,t] + (Q e_t)[m] + (Q d_h)[m]             (log loss)
 *   L[h,t]    ~ N(a0 + a_h + a_t, sd_L)                       (method x task, backbone average)
 *   lb[h,t]   = b0 + b_h + b_t                                (log slope)
 *   lc        = c0                                            (logit curvature, shared)
 *
 * with Q the M x (M - 1) Helmert contrasts (orthonormal, columns orthogonal to the ones vector), so
 * the backbone effects of a task (e_t ~ N(0, sd_tm^2 I)) and of a method (d_h ~ N(0, sd_hm^2 I))
 * sum to zero over backbones and L is the average log loss over backbones (the sum-to-zero
 * parameterization of Stan's `sum_to_zero_vector`, Stan Reference Manual, "Zero sum vector").
 * The task terms a_t, b_t ~ N(0, sd); the method terms a_h, b_h ~ N(0, sd) with sd ~ Gamma(2, 2):
 * 5-6 methods say little about their sd, and a prior with zero density at sd = 0 keeps the
 * sampler out of the funnel's neck where a half-normal let it go (Chung et al. 2013, "A
 * nondegenerate penalized likelihood estimator for variance parameters in multilevel models";
 * Gelman 2006 on priors for few groups). The curvature is shared: per method it was barely
 * identified by 5 budgets (posterior sd of the method spread ~0.1) and its funnel made the
 * divergences on the Ada-KV tables (BENCHMARKS.md §9.3).
 *
 * The method x backbone term d_h: with 2-3 backbones each method has only 1-2 backbone contrasts,
 * so the spread sd_hm of the (H - 1)(M - 1) contrasts is barely identified, and where the data pin
 * every contrast near 0 (the Ada-KV tables: posterior median of sd_hm 0.013) a pooled sd is a
 * funnel: half-normal prior non-centred, the divergences sat at the top of sd_hm; centred with a
 * zero-avoiding Gamma(2, 2) prior (Chung et al. 2013), at its bottom (BENCHMARKS.md §9.4). The rule
 * (the one for 2-3 level factors: fixed offsets with a proper prior; Gelman 2006, Gelman & Hill
 * 2007 section 12.9): with M <= 3 backbones d_h ~ N(0, 0.5^2 I) with that sd fixed, a method's loss
 * on one backbone within a factor ~e^{+-1} of the other's beyond the task's own backbone contrast
 * (log-loss units are scale-free: a ratio of losses); with 4+ backbones sd_hm is sampled
 * (half-normal). No sd, no funnel (BENCHMARKS.md §9.5).
 *
 * How it is sampled (BENCHMARKS.md §9.3 for the screens): the full-cache scores F[t,m] enter
 * linearly with gaussian noise and are integrated out exactly (`likelihood`); the task level a_t
 * of the log loss is integrated out too (only the task's mean log loss sees it). Each task's
 * method x task log losses are sampled as the cell means C[t,m] (log loss of task t on backbone m
 * averaged over methods) plus H - 1 method contrasts (centred: each is informed by 10+ rows);
 * the method terms as sum-to-zero contrasts with their mean absorbed into the intercept: those of
 * the log slope centred, those of the log loss (w_gm) integrated out exactly, since they enter only
 * as the prior mean of the per-task contrasts delta_t (gaussian in gaussian; sampled centred, the
 * bottom of sd_gap_method was a funnel neck: 52 divergences in one chain, BENCHMARKS.md §9.5).
 * Scores y ~ N(mu, sigma). Sampling is on the standardized scale (y - center) / scale, where the
 * priors below are unit-scale; the reported variables are in the scores' units (full[] and sigma
 * times scale, log losses plus log scale).
 */

/** The data of the budget-curve model: one row per score, plain arrays (structured-cloneable). */
export interface BudgetCurveData {
  /** Scores on the fitted scale. */
  y: Float64Array;
  /** Method index of each row, -1 for a full-cache row. */
  method: Int32Array;
  task: Int32Array;
  /** Backbone index of each row (all 0 without a backbone column). */
  backbone: Int32Array;
  /** log2 budget of each row (NaN for full-cache rows). */
  logBudget: Float64Array;
  methods: string[];
  tasks: string[];
  backbones: string[];
  /**
   * The standardization (y - center) / scale under which the unit-scale priors hold; default the
   * scores' mean and sd (a scale-free fit). Simulation-based calibration fixes them (0 and 1) so
   * the priors do not depend on the simulated data.
   */
  center?: number;
  scale?: number;
}

/**
 * Priors on the standardized scale: a0 ~ N(0, 1.5) (a loss between 0.05 and 20 sd at the centre
 * budget), b0 ~ N(-1, 1) (the log loss falls by 0.05-2.7 per doubling there), c0 ~ N(0, 1.5),
 * F ~ N(0, 2.5), sigma ~ half-N(0, 1), the sds of the method terms ~ Gamma(2, 2) (mean 1, mode
 * 0.5, zero density at 0), the method x backbone effects with 2-3 backbones ~ N(0, 0.5) (fixed
 * sd), every other sd ~ half-N(0, 1).
 */
export const BUDGET_CURVE_PRIORS = {
  a0: { mean: 0, sd: 1.5 },
  b0: { mean: -1, sd: 1 },
  c0: { mean: 0, sd: 1.5 },
  full: 2.5,
  sigma: 1,
  sd: 1,
  methodSd: { shape: 2, rate: 2 },
  /**
   * The method x backbone term of the log loss with at most `maxLevels` backbones: fixed offsets,
   * r ~ N(0, sd^2) with this sd, not a pooled spread (the rule in the model's comment above).
   */
  fewBackbones: { maxLevels: 3, sd: 0.5 },
} as const;

/**
 * A method-level term (H levels, effects a_h ~ N(0, sd^2)) in the orthonormal basis
 * (1 / sqrt(H), Q) with Q the H x (H - 1) Helmert contrasts: a = (sd z~_0 / sqrt(H)) 1 + Q w, so
 * z~_0 ~ N(0, 1) (non-centred: only the prior informs it) and w ~ N(0, sd^2 I) (centred: each
 * method is informed by every task, backbone and budget; non-centred, the sd-w ridge had posterior
 * correlations of 0.94 on the Ada-KV tables; the log loss's w is integrated out instead, see
 * `logLossPriors`). Only the contrasts Q w move the curves; the mean is
 * absorbed into the part's sampled intercept* (intercept* = intercept + sd z~_0 / sqrt(H), unit
 * Jacobian), because the data identify only the sum of an intercept and its terms' means (the
 * overall level mu* of src/model/nested-model.ts).
 */
interface MethodTerm {
  name: string;
  /** The part's intercept coordinate: 0 (log loss), 1 (log slope). */
  part: 0 | 1;
  sdOff: number;
  /** z~_0 at zOff, w at zOff + 1 .. zOff + H - 1 (when sampled). */
  zOff: number;
  /** Variable index of its sd; the H effects follow. */
  vOff: number;
  /** Q w (scratch). */
  cz: Float64Array;
  /**
   * Whether w is sampled (slope_method) or integrated out exactly (gap_method: it enters only as
   * the prior mean of the per-task method contrasts delta_t, see `logLossPriors`); then only z~_0
   * is a coordinate and the reported effects are exact conditional draws.
   */
  sampled: boolean;
}

/** Everything the density needs, computed once from the data. */
export interface BudgetCurveState {
  data: BudgetCurveData;
  N: number;
  H: number;
  T: number;
  M: number;
  /** Distinct observed log2 budgets (B of them), centred: uB[j] = log2 budget - u0. */
  B: number;
  uB: Float64Array;
  /** uB[j + 1] - uB[j] when the budgets are evenly spaced in log2 (a doubling series), else 0. */
  uStep: number;
  /** Per row: its cell t * M + m; its curve point (h * T + t) * B + budget, -1 for a full-cache row. */
  rowCell: Int32Array;
  rowPoint: Int32Array;
  /** Per row: its amplitude (h * T + t) * M + m, -1 for a full-cache row. */
  rowAmp: Int32Array;
  /** Rows per cell. */
  cellN: Float64Array;
  /**
   * The method rows sorted by cell (then amplitude, point): those of cell c at
   * cellStart[c] .. cellStart[c + 1] - 1, with their standardized score, amplitude and point; the
   * full-cache rows, which carry no gap, only as their cell's sums fS1, fS2 (of y, y^2).
   */
  cellStart: Int32Array;
  qY: Float64Array;
  qAmp: Int32Array;
  qPoint: Int32Array;
  fS1: Float64Array;
  fS2: Float64Array;
  /** Standardized scores. */
  ys: Float64Array;
  center: number;
  scale: number;
  /** Mean observed log2 budget (u = logBudget - u0). */
  u0: number;
  /** Helmert contrasts of the backbones (qM[m * (M - 1) + j]) and of the methods. */
  qM: Float64Array;
  qH: Float64Array;
  // coordinates
  /** Cell log losses C[t * M + m]: the method-average log loss of task t on backbone m. */
  cOff: number;
  /** Method contrasts of the log loss within a task, delta[t * (H - 1) + k]. */
  dOff: number;
  /** log sds: method x task (sd_L), task, task x backbone, method x backbone. */
  lSdOff: number;
  gtSdOff: number;
  tmSdOff: number;
  hmSdOff: number;
  /** The fixed sd of the method x backbone term (M <= 3 backbones), 0 when it is sampled. */
  hmFixedSd: number;
  /** Method x backbone: per backbone contrast j, H coordinates hmOff + j H + (z~_0, w). */
  hmOff: number;
  /** Task slopes v[t] (centred, ~ N(b0*, sd)) and their log sd. */
  stOff: number;
  stSdOff: number;
  /** The method terms: gap_method (log loss), slope_method (log slope). */
  terms: MethodTerm[];
  /** The method term of each part with one (0 log loss, 1 log slope). */
  byPart: readonly [MethodTerm, MethodTerm];
  dim: number;
  parameterNames: string[];
  // variables
  variableNames: string[];
  /** Variable index of full[0], gap[0], sd_gap_method:task; r_gap_task:backbone[0], r_gap_method:backbone[0] (M >= 2). */
  vFull: number;
  vGap: number;
  vLSd: number;
  vTm: number;
  vHm: number;
  /** Variable index of sd_gap_task (the task effects follow) and of sd_slope_task. */
  vGt: number;
  vSt: number;
  // scratch
  L: Float64Array;
  lb: Float64Array;
  lc: Float64Array;
  dL: Float64Array;
  dLb: Float64Array;
  dLc: Float64Array;
  dH: Float64Array;
  /** Per task: the method-average log loss and the backbone contrasts e[t * (M - 1) + j]. */
  Lbar: Float64Array;
  e: Float64Array;
  dLbar: Float64Array;
  dE: Float64Array;
  /** Method x backbone contrasts (Q w_j)[h * J + j] and d lp / d effect. */
  cHm: Float64Array;
  dHm: Float64Array;
  /** Per curve point: s(u), d s / d lb, d s / d lc, d lp / d s. */
  pS: Float64Array;
  pSb: Float64Array;
  pSc: Float64Array;
  pG: Float64Array;
  /** Per amplitude: exp(la), d lp / d la. */
  aE: Float64Array;
  aG: Float64Array;
  /** Per cell: sum and sum of squares of y + gap, the full-cache score's conditional mean. */
  cS1: Float64Array;
  cS2: Float64Array;
  cF: Float64Array;
}

/** out[l * stride + at] = (Q w)[l], n levels, w = theta[off + 1 .. off + n - 1]. */
function helmertApply(
  q: Float64Array,
  n: number,
  theta: Float64Array,
  off: number,
  out: Float64Array,
  stride = 1,
  at = 0,
): void {
  for (let l = 0; l < n; l++) {
    let v = 0;
    for (let j = 0; j < n - 1; j++) v += q[l * (n - 1) + j] * theta[off + 1 + j];
    out[l * stride + at] = v;
  }
}

/** grad[off + 1 + j] += f sum_l Q[l, j] d[l * stride + at] (the transpose of helmertApply). */
function helmertBack(
  q: Float64Array,
  n: number,
  d: Float64Array,
  f: number,
  grad: Float64Array,
  off: number,
  stride = 1,
  at = 0,
): void {
  for (let l = 0; l < n; l++) {
    const x = f * d[l * stride + at];
    for (let j = 0; j < n - 1; j++) grad[off + 1 + j] += q[l * (n - 1) + j] * x;
  }
}

/** The standardization, the budget centring and the distinct budgets of the data. */
function scales(data: BudgetCurveData) {
  const N = data.y.length;
  let sum = 0;
  for (const v of data.y) sum += v;
  const center = data.center ?? sum / N;
  let ss = 0;
  for (const v of data.y) ss += (v - center) ** 2;
  const scale = data.scale ?? (Math.sqrt(ss / Math.max(1, N - 1)) || 1);
  let uSum = 0;
  let nu = 0;
  const distinct = new Set<number>();
  for (let i = 0; i < N; i++) {
    if (data.method[i] >= 0) {
      uSum += data.logBudget[i];
      nu++;
      distinct.add(data.logBudget[i]);
    }
  }
  const u0 = nu > 0 ? uSum / nu : 0;
  return { center, scale, u0, budgets: [...distinct].sort((a, b) => a - b) };
}

/** The method rows sorted by (cell, amplitude, point), and the full-cache rows' sums per cell. */
function cellRows(
  ys: Float64Array,
  rowCell: Int32Array,
  rowAmp: Int32Array,
  rowPoint: Int32Array,
  cells: number,
) {
  const fS1 = new Float64Array(cells);
  const fS2 = new Float64Array(cells);
  const order: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (rowAmp[i] >= 0) {
      order.push(i);
    } else {
      fS1[rowCell[i]] += ys[i];
      fS2[rowCell[i]] += ys[i] * ys[i];
    }
  }
  order.sort(
    (a, b) =>
      rowCell[a] - rowCell[b] || rowAmp[a] - rowAmp[b] || rowPoint[a] - rowPoint[b] || a - b,
  );
  const cellStart = new Int32Array(cells + 1);
  for (const i of order) cellStart[rowCell[i] + 1]++;
  for (let c = 0; c < cells; c++) cellStart[c + 1] += cellStart[c];
  return {
    cellStart,
    qY: Float64Array.from(order, (i) => ys[i]),
    qAmp: Int32Array.from(order, (i) => rowAmp[i]),
    qPoint: Int32Array.from(order, (i) => rowPoint[i]),
    fS1,
    fS2,
  };
}

/** The common difference of sorted log2 budgets when they are evenly spaced (2+ of them), else 0. */
export function evenStep(budgets: ArrayLike<number>): number {
  if (budgets.length < 2) return 0;
  const d = budgets[1] - budgets[0];
  // within 1e-9 of a doubling step: log2 of whole budgets such as 128..2048 is exact
  for (let j = 2; j < budgets.length; j++)
    if (Math.abs(budgets[j] - budgets[j - 1] - d) > 1e-9) return 0;
  return d;
}

/** Coordinate and variable names with their offsets, in order. */
function layout(data: BudgetCurveData) {
  const { methods, tasks, backbones } = data;
  const H = methods.length;
  const M = backbones.length;
  const par = ['a0*', 'b0*', 'c0*', 'log_sigma'];
  const vars = ['b_gap', 'b_slope', 'b_curv', 'sigma'];
  const p = (name: string) => par.push(name) - 1;
  const v = (name: string) => vars.push(name) - 1;
  const cOff = par.length;
  for (const t of tasks) for (const m of backbones) p(`cell_gap[${t},${m}]`);
  const dOff = par.length;
  for (const t of tasks) for (let k = 1; k < H; k++) p(`w_gap_method:task[${t},w${k}]`);
  const lSdOff = p('log_sd_gap_method:task');
  const gtSdOff = p('log_sd_gap_task');
  const vFull = vars.length;
  for (const t of tasks) for (const m of backbones) v(`full[${t},${m}]`);
  const vGap = vars.length;
  for (const h of methods) for (const t of tasks) v(`gap[${h},${t}]`);
  const vLSd = v('sd_gap_method:task');
  let tmSdOff = -1;
  let hmSdOff = -1;
  let hmOff = -1;
  let vTm = -1;
  let vHm = -1;
  const hmFixed = M <= BUDGET_CURVE_PRIORS.fewBackbones.maxLevels;
  if (M >= 2) {
    tmSdOff = p('log_sd_gap_task:backbone');
    if (!hmFixed) hmSdOff = p('log_sd_gap_method:backbone');
    hmOff = par.length;
    for (let j = 1; j < M; j++) {
      for (let k = 0; k < H; k++) p(`z_gap_method:backbone[${k === 0 ? 'mean' : `w${k}`},c${j}]`);
    }
    v('sd_gap_task:backbone');
    vTm = vars.length;
    for (const t of tasks) for (let j = 1; j < M; j++) v(`r_gap_task:backbone[${t},c${j}]`);
    if (!hmFixed) v('sd_gap_method:backbone');
    vHm = vars.length;
    for (let j = 1; j < M; j++) for (const h of methods) v(`r_gap_method:backbone[${h},c${j}]`);
  }
  const vGt = v('sd_gap_task');
  for (const t of tasks) v(`r_gap_task[${t}]`);
  const term = (name: string, part: 0 | 1, sampled: boolean): MethodTerm => {
    const sdOff = p(`log_sd_${name}`);
    const zOff = par.length;
    for (let k = 0; k < (sampled ? H : 1); k++) {
      p(k === 0 ? `z_${name}[mean]` : `w_${name}[c${k}]`);
    }
    const vOff = v(`sd_${name}`);
    for (const h of methods) v(`r_${name}[${h}]`);
    return { name, part, sdOff, zOff, vOff, cz: new Float64Array(H), sampled };
  };
  const gapMethod = term('gap_method', 0, false);
  const stSdOff = p('log_sd_slope_task');
  const stOff = par.length;
  for (const t of tasks) p(`v_slope_task[${t}]`);
  const vSt = v('sd_slope_task');
  for (const t of tasks) v(`r_slope_task[${t}]`);
  const slopeMethod = term('slope_method', 1, true);
  const terms = [gapMethod, slopeMethod];
  return {
    par,
    vars,
    cOff,
    dOff,
    lSdOff,
    gtSdOff,
    tmSdOff,
    hmSdOff,
    hmFixedSd: hmFixed ? BUDGET_CURVE_PRIORS.fewBackbones.sd : 0,
    hmOff,
    stOff,
    stSdOff,
    terms,
    byPart: [gapMethod, slopeMethod] as const,
    vFull,
    vGap,
    vLSd,
    vTm,
    vHm,
    vGt,
    vSt,
  };
}

/**
 * The model's layout on its data: coordinates, names, standardization.
 * @example budgetCurveState(data).dim
 */
export function budgetCurveState(data: BudgetCurveData): BudgetCurveState {
  const N = data.y.length;
  const H = data.methods.length;
  const T = data.tasks.length;
  const M = data.backbones.length;
  const J = Math.max(0, M - 1);
  const { center, scale, u0, budgets } = scales(data);
  const B = budgets.length;
  const budgetIndex = new Map(budgets.map((b, j) => [b, j]));
  const rowCell = new Int32Array(N);
  const rowPoint = new Int32Array(N).fill(-1);
  const rowAmp = new Int32Array(N).fill(-1);
  const cellN = new Float64Array(T * M);
  for (let i = 0; i < N; i++) {
    rowCell[i] = data.task[i] * M + data.backbone[i];
    cellN[rowCell[i]]++;
    const h = data.method[i];
    if (h < 0) continue;
    const ht = h * T + data.task[i];
    rowPoint[i] = ht * B + (budgetIndex.get(data.logBudget[i]) as number);
    rowAmp[i] = ht * M + data.backbone[i];
  }
  const { par, vars, ...offsets } = layout(data);
  const ys = data.y.map((v) => (v - center) / scale);
  const rows = cellRows(ys, rowCell, rowAmp, rowPoint, T * M);
  return {
    data,
    N,
    H,
    T,
    M,
    B,
    uB: Float64Array.from(budgets, (b) => b - u0),
    uStep: evenStep(budgets),
    rowCell,
    rowPoint,
    rowAmp,
    cellN,
    ...rows,
    ys,
    center,
    scale,
    u0,
    qM: helmertMatrix(M),
    qH: helmertMatrix(H),
    ...offsets,
    dim: par.length,
    parameterNames: par,
    variableNames: vars,
    L: new Float64Array(H * T),
    lb: new Float64Array(H * T),
    lc: new Float64Array(H),
    dL: new Float64Array(H * T),
    dLb: new Float64Array(H * T),
    dLc: new Float64Array(H),
    dH: new Float64Array(H),
    Lbar: new Float64Array(T),
    e: new Float64Array(T * J),
    dLbar: new Float64Array(T),
    dE: new Float64Array(T * J),
    cHm: new Float64Array(H * J),
    dHm: new Float64Array(H * J),
    pS: new Float64Array(H * T * B),
    pSb: new Float64Array(H * T * B),
    pSc: new Float64Array(H * T * B),
    pG: new Float64Array(H * T * B),
    aE: new Float64Array(H * T * M),
    aG: new Float64Array(H * T * M),
    cS1: new Float64Array(T * M),
    cS2: new Float64Array(T * M),
    cF: new Float64Array(T * M),
  };
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The logistic function. */
function logistic(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * The loss of a curve at centred log2 budget u, and its derivatives to lb and lc
 * (d gap / d la = gap): log s(u) = softplus(lc) - softplus(k u + lc), k = exp(lb) (1 + e^{-lc}).
 * @example curveGap(0, -1, 0, 0).gap // 1 (s(0) = 1)
 */
export function curveGap(
  la: number,
  lb: number,
  lc: number,
  u: number,
): { gap: number; dLb: number; dLc: number } {
  const beta = Math.exp(lb);
  const k = beta * (1 + Math.exp(-lc));
  const A = k * u + lc;
  const gap = Math.exp(la + softplus(lc) - softplus(A));
  const sA = logistic(A);
  // d log s / d lb = -sA k u; d log s / d lc = logistic(lc) - sA (1 - u (k - beta))
  return { gap, dLb: -gap * sA * k * u, dLc: gap * (logistic(lc) - sA * (1 - u * (k - beta))) };
}

/** lp of a half-normal(0, scale) sd sampled as log sd (Jacobian included); adds to grad. */
function sdPrior(theta: Float64Array, off: number, scale: number, grad: Float64Array): number {
  const w = Math.exp(theta[off]) / scale;
  grad[off] += 1 - w * w;
  return -0.5 * w * w + theta[off];
}

/**
 * The prior of a method term's coordinates: z~_0 standard normal; the contrasts w ~ N(0, sd^2 I)
 * centred, standard normal non-centred; and the sd's prior. Adds gradients, returns lp.
 */
function methodPrior(
  s: BudgetCurveState,
  t: MethodTerm,
  theta: Float64Array,
  grad: Float64Array,
): number {
  let lp = stdNormal(theta, t.zOff, 1, grad);
  if (t.sampled) lp += centredZero(theta, t.zOff + 1, s.H - 1, t.sdOff, grad);
  // sd ~ Gamma(shape, rate), sampled as log sd: shape log sd - rate sd (Jacobian included)
  const { shape, rate } = BUDGET_CURVE_PRIORS.methodSd;
  const sd = Math.exp(theta[t.sdOff]);
  grad[t.sdOff] += shape - rate * sd;
  return lp + shape * theta[t.sdOff] - rate * sd;
}

/** theta[off .. off + n - 1] ~ N(0, sd^2), sd = exp(theta[sdOff]); adds gradients, returns lp. */
function centredZero(
  theta: Float64Array,
  off: number,
  n: number,
  sdOff: number,
  grad: Float64Array,
): number {
  const prec = Math.exp(-2 * theta[sdOff]);
  let ss = 0;
  for (let k = off; k < off + n; k++) {
    ss += theta[k] * theta[k] * prec;
    grad[k] -= theta[k] * prec;
  }
  grad[sdOff] += ss - n;
  return -0.5 * ss - n * theta[sdOff];
}

/** The sd of the method x backbone term: fixed with M <= 3 backbones, else exp(log sd). */
function hmSd(s: BudgetCurveState, theta: Float64Array): number {
  return s.hmSdOff < 0 ? s.hmFixedSd : Math.exp(theta[s.hmSdOff]);
}

/** The intercept of part p (0: a0, 1: b0, 2: c0): the sampled intercept* minus its term's mean. */
function interceptOf(s: BudgetCurveState, theta: Float64Array, p: number): number {
  if (p > 1) return theta[p];
  const t = s.byPart[p];
  return theta[p] - (Math.exp(theta[t.sdOff]) * theta[t.zOff]) / Math.sqrt(s.H);
}

/**
 * The curves at every row (forward pass). Parts: the log slope lb[h,t] = v[t] + (Q_H w)[h]
 * (task level centred around b0*, method contrasts), the logit curvature lc = c0 (shared, kept
 * per method in lc[h] for the reporting helpers), the log loss
 * la[h,t,m] = C[t,m] + (Q_H delta_t)[h] + sd_hm (Q_M d_h)[m]. Then s(u) and its derivatives per
 * curve point (method x task x observed budget), exp(la) per amplitude (method x task x backbone),
 * and per row y + gap, per cell its sums: only points and amplitudes cost a transcendental
 * function (one exp each, s = (1 + e^lc) / (1 + e^A)); a row is a product.
 */
function curveForward(s: BudgetCurveState, theta: Float64Array): void {
  const { H, T, M, B, uB, qM, qH, L, lb, lc, pS, pSb, pSc, aE, terms, Lbar, e } = s;
  for (const t of terms) if (t.sampled) helmertApply(qH, H, theta, t.zOff, t.cz);
  const sm = s.byPart[1];
  for (let h = 0; h < H; h++) {
    lc[h] = theta[2];
    for (let t = 0; t < T; t++) lb[h * T + t] = theta[s.stOff + t] + sm.cz[h];
  }
  const step = s.uStep;
  for (let h = 0; h < H; h++) {
    const c = lc[h];
    const sC = logistic(c);
    const E = Math.exp(softplus(c)); // 1 + e^c
    const f = 1 + Math.exp(-c);
    for (let t = 0; t < T; t++) {
      const beta = Math.exp(lb[h * T + t]);
      const k = beta * f;
      const p0 = (h * T + t) * B;
      const A0 = k * uB[0] + c;
      const A1 = k * uB[B - 1] + c;
      if (step > 0 && A0 > -700 && A1 < 700 && Number.isFinite(E)) {
        // evenly spaced budgets (a doubling series): e^{A_j} = e^{A_0} (e^{k step})^j, two exp
        // per curve instead of one per point; every e^{A_j} is within (e^-700, e^700)
        const r = Math.exp(k * step);
        let x = Math.exp(A0);
        for (let j = 0; j < B; j++) {
          const u = uB[j];
          const inv = 1 / (1 + x);
          const sv = E * inv; // s = (1 + e^c) / (1 + e^A)
          const sA = x * inv; // logistic(A)
          pS[p0 + j] = sv;
          pSb[p0 + j] = -sv * sA * k * u;
          pSc[p0 + j] = sv * (sC - sA * (1 - u * (k - beta)));
          x *= r;
        }
        continue;
      }
      for (let j = 0; j < B; j++) {
        const p = p0 + j;
        const u = uB[j];
        const A = k * u + c;
        const ea = Math.exp(-Math.abs(A));
        const sA = A >= 0 ? 1 / (1 + ea) : ea / (1 + ea);
        // s = (1 + e^c) / (1 + e^A); for A > 0 as (1 + e^c) e^-A / (1 + e^-A)
        let sv = A > 0 ? E * (ea / (1 + ea)) : E / (1 + ea);
        if (!Number.isFinite(E)) sv = Math.exp(softplus(c) - softplus(A));
        pS[p] = sv;
        pSb[p] = -sv * sA * k * u;
        pSc[p] = sv * (sC - sA * (1 - u * (k - beta)));
      }
    }
  }
  const J = M - 1;
  const { dOff, cOff } = s;
  for (let t = 0; t < T; t++) {
    let m0 = 0;
    for (let m = 0; m < M; m++) m0 += theta[cOff + t * M + m] / M;
    Lbar[t] = m0;
    for (let j = 0; j < J; j++) {
      let v = 0;
      for (let m = 0; m < M; m++) v += qM[m * J + j] * theta[cOff + t * M + m];
      e[t * J + j] = v;
    }
    // L[., t] = Lbar_t + Q_H delta_t (stride T: L[h * T + t])
    helmertApply(qH, H, theta, dOff + t * (H - 1) - 1, L, T, t);
    for (let h = 0; h < H; h++) L[h * T + t] += m0;
  }
  const sdHm = J > 0 ? hmSd(s, theta) : 0;
  const { cHm } = s;
  for (let j = 0; j < J; j++) helmertApply(qH, H, theta, s.hmOff + j * H, cHm, J, j);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const dev = L[h * T + t] - Lbar[t];
      for (let m = 0; m < M; m++) {
        let la = theta[cOff + t * M + m] + dev;
        for (let j = 0; j < J; j++) la += qM[m * J + j] * sdHm * cHm[h * J + j];
        aE[(h * T + t) * M + m] = Math.exp(la);
      }
    }
  }
  // per cell the sums of r = y + gap (a full-cache row: y), over its rows in cell order
  const { cS1, cS2, cellStart, qY, qAmp, qPoint, fS1, fS2 } = s;
  for (let c = 0; c < T * M; c++) {
    let s1 = fS1[c];
    let s2 = fS2[c];
    for (let i = cellStart[c]; i < cellStart[c + 1]; i++) {
      const v = qY[i] + aE[qAmp[i]] * pS[qPoint[i]];
      s1 += v;
      s2 += v * v;
    }
    cS1[c] = s1;
    cS2[c] = s2;
  }
}

/**
 * The likelihood with the full-cache scores integrated out, and d lp / d la, d lp / d s into
 * s.aG, s.pG; adds d lp / d log sigma to grad[3]. The full-cache score F of a cell enters every
 * row of the cell linearly, y_i = F - gap_i + eps_i. With r_i = y_i + gap_i, n rows, S1 = sum r_i,
 * S2 = sum r_i^2 and F ~ N(0, tau^2), F integrates out exactly (BDA3 section 5.4; the
 * Rao-Blackwellization of src/model/nested-model.ts):
 *
 *   log p(r | sigma) = -n log sigma - 1/2 log(1 + n tau^2 / sigma^2) - (S2 - Fhat S1) / (2 sigma^2),
 *   Fhat = tau^2 S1 / (sigma^2 + n tau^2)      (the conditional mean of F),
 *
 * with d/d gap_i = -(r_i - Fhat) / sigma^2 and d/d log sigma = -n + SSR / sigma^2
 * + n tau^2 / (sigma^2 + n tau^2), SSR = sum (r_i - Fhat)^2.
 */
function likelihood(s: BudgetCurveState, theta: Float64Array, grad: Float64Array): number {
  const { N, T, M, cS1, cS2, cF, cellN, pS, pG, aE, aG, cellStart, qY, qAmp, qPoint } = s;
  const lsig = theta[3];
  const sig2 = Math.exp(2 * lsig);
  const tau2 = BUDGET_CURVE_PRIORS.full ** 2;
  let lp = -N * lsig;
  let gSig = -N;
  for (let c = 0; c < T * M; c++) {
    const n = cellN[c];
    const D = sig2 + n * tau2;
    const F = (tau2 * cS1[c]) / D;
    cF[c] = F;
    const ssr = cS2[c] - 2 * F * cS1[c] + n * F * F;
    lp += -0.5 * Math.log(D / sig2) - (0.5 * (cS2[c] - F * cS1[c])) / sig2;
    gSig += ssr / sig2 + (n * tau2) / D;
  }
  grad[3] += gSig;
  pG.fill(0);
  aG.fill(0);
  const inv = 1 / sig2;
  for (let c = 0; c < T * M; c++) {
    const F = cF[c];
    for (let i = cellStart[c]; i < cellStart[c + 1]; i++) {
      const a = qAmp[i];
      const p = qPoint[i];
      const e = aE[a];
      const sv = pS[p];
      const g = (F - (qY[i] + e * sv)) * inv; // d lp / d gap_i = -(r_i - Fhat) / sigma^2
      aG[a] += g * e * sv;
      pG[p] += g * e;
    }
  }
  return lp;
}

/**
 * log p(theta | y) up to a constant, with its gradient (the LogDensity contract: never throws; a
 * non-finite value is returned as is and the sampler counts it as a divergence).
 */
export function budgetCurveLogDensity(
  s: BudgetCurveState,
  theta: Float64Array,
  grad: Float64Array,
): number {
  const { H, T, M, B, qM, qH, dL, dLb, dLc, dH, pG, pSb, pSc, aG } = s;
  grad.fill(0);
  curveForward(s, theta);
  let lp = likelihood(s, theta, grad);
  // curve points -> log slope and logit curvature
  dLb.fill(0);
  dLc.fill(0);
  for (let ht = 0; ht < H * T; ht++) {
    let gb = 0;
    let gc = 0;
    for (let j = 0; j < B; j++) {
      gb += pG[ht * B + j] * pSb[ht * B + j];
      gc += pG[ht * B + j] * pSc[ht * B + j];
    }
    dLb[ht] = gb;
    dLc[Math.floor(ht / T)] += gc;
  }
  // amplitudes -> cells C, method contrasts delta, method x backbone contrasts
  const J = M - 1;
  const { dHm, cOff } = s;
  dL.fill(0);
  dHm.fill(0);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      for (let m = 0; m < M; m++) {
        const g = aG[(h * T + t) * M + m];
        grad[cOff + t * M + m] += g;
        dL[h * T + t] += g;
        for (let j = 0; j < J; j++) dHm[h * J + j] += qM[m * J + j] * g;
      }
    }
  }
  for (let t = 0; t < T; t++) {
    // la moves with L - Lbar = Q_H delta_t
    helmertBack(qH, H, dL, 1, grad, s.dOff + t * (H - 1) - 1, T, t);
  }
  lp += logLossPriors(s, theta, grad);
  // log slope: task levels (centred) and the method term; logit curvature: the method term
  for (let h = 0; h < H; h++) {
    let v = 0;
    for (let t = 0; t < T; t++) {
      grad[s.stOff + t] += dLb[h * T + t];
      v += dLb[h * T + t];
    }
    dH[h] = v;
    grad[2] += dLc[h];
  }
  lp += methodTermBack(s, s.byPart[1], theta, dH, grad);
  lp += centredPrior(theta, s.stOff, T, 1, s.stSdOff, grad);
  lp += interceptPriors(s, theta, grad);
  lp += sdPrior(theta, 3, BUDGET_CURVE_PRIORS.sigma, grad);
  return lp;
}

/**
 * A method term's gradient from d lp / d effect (d[h]) through its contrasts, its coordinates'
 * standard-normal prior and its sd's prior; returns the priors' lp.
 */
function methodTermBack(
  s: BudgetCurveState,
  t: MethodTerm,
  theta: Float64Array,
  d: Float64Array,
  grad: Float64Array,
): number {
  helmertBack(s.qH, s.H, d, 1, grad, t.zOff);
  return methodPrior(s, t, theta, grad);
}

/** Standard-normal prior of theta[off .. off + n - 1]. */
function stdNormal(theta: Float64Array, off: number, n: number, grad: Float64Array): number {
  let lp = 0;
  for (let k = off; k < off + n; k++) {
    lp -= 0.5 * theta[k] * theta[k];
    grad[k] -= theta[k];
  }
  return lp;
}

/**
 * Centred levels theta[off + l] ~ N(theta[meanOff], sd) with sd = exp(theta[sdOff]) and its
 * half-normal prior; adds the gradients, returns lp.
 */
function centredPrior(
  theta: Float64Array,
  off: number,
  n: number,
  meanOff: number,
  sdOff: number,
  grad: Float64Array,
): number {
  const sd = Math.exp(theta[sdOff]);
  let ss = 0;
  for (let l = 0; l < n; l++) {
    const x = (theta[off + l] - theta[meanOff]) / sd;
    ss += x * x;
    grad[off + l] -= x / sd;
    grad[meanOff] += x / sd;
  }
  grad[sdOff] += ss - n;
  return -0.5 * ss - n * theta[sdOff] + sdPrior(theta, sdOff, BUDGET_CURVE_PRIORS.sd, grad);
}

/**
 * The priors of the log-loss parts, with their gradients (the data's already in grad, s.dHm):
 *
 *   delta_t ~ N(w_gm, sd_L^2 I)                (method contrasts within task t: Q_H^T L[., t];
 *                                               w_gm ~ N(0, sd_gm^2 I) integrated out)
 *   Lbar_t  ~ N(a0*, sd_gt^2 + sd_L^2 / H)      (the task level v_t ~ N(a0*, sd_gt) integrated out)
 *   e_t     ~ N(sd_hm z~_0 / sqrt(H), sd_tm^2)  (backbone contrasts of the cells, Q_M^T C[t, .])
 *
 * The method x task log losses L[h,t] ~ N(v_t + sd_gm z_h, sd_L) of the model, written in the
 * orthonormal basis (1 / sqrt(H), Q_H) of each task's H values: the task's mean log loss Lbar_t
 * and H - 1 contrasts, independent given the sds. Sampled as L[h,t] they were correlated at 0.9
 * within a task (a task's common level is what the data pin down least well, through its cells'
 * full-cache scores), and v_t against Lbar_t near 1.
 */
function logLossPriors(s: BudgetCurveState, theta: Float64Array, grad: Float64Array): number {
  const { H, T, M, qM, Lbar, dLbar, dE, cOff, dOff } = s;
  const J = M - 1;
  const gm = s.byPart[0];

  const sdL = Math.exp(theta[s.lSdOff]);
  let lp = 0;
  // delta_t ~ N(w, sd_L^2 I), w ~ N(0, sd_gm^2 I) integrated out: per contrast k the T values
  // x_k = (delta_1k .. delta_Tk) ~ N(0, a I + b 1 1^T), a = sd_L^2, b = sd_gm^2; with S = sum x,
  // Q = sum x^2, D = a + T b (Sherman-Morrison, determinant a^{T-1} D):
  //   log p(x_k) = -Q / (2a) + b S^2 / (2 a D) - (T - 1) log(a) / 2 - log(D) / 2
  const a = sdL * sdL;
  const b = Math.exp(2 * theta[gm.sdOff]);
  const D = a + T * b;
  let dA = 0;
  let dB = 0;
  for (let k = 0; k < H - 1; k++) {
    let S = 0;
    let Q = 0;
    for (let t = 0; t < T; t++) {
      const x = theta[dOff + t * (H - 1) + k];
      S += x;
      Q += x * x;
    }
    const f = b / D;
    for (let t = 0; t < T; t++) {
      const x = theta[dOff + t * (H - 1) + k];
      grad[dOff + t * (H - 1) + k] -= (x - f * S) / a;
    }
    lp +=
      -Q / (2 * a) + (b * S * S) / (2 * a * D) - 0.5 * (T - 1) * Math.log(a) - 0.5 * Math.log(D);
    dA +=
      Q / (2 * a * a) -
      (b * S * S * (D + a)) / (2 * a * a * D * D) -
      (T - 1) / (2 * a) -
      1 / (2 * D);
    dB += (S * S) / (2 * D * D) - T / (2 * D);
  }
  grad[s.lSdOff] += 2 * a * dA;
  grad[gm.sdOff] += 2 * b * dB;
  // Lbar_t ~ N(a0*, V)
  const sdGt = Math.exp(theta[s.gtSdOff]);
  const V = sdGt * sdGt + (sdL * sdL) / H;
  let dV = 0;
  for (let t = 0; t < T; t++) {
    const x = Lbar[t] - theta[0];
    lp -= (0.5 * x * x) / V;
    dLbar[t] = -x / V;
    grad[0] += x / V;
    dV += (0.5 * x * x) / (V * V) - 0.5 / V;
  }
  lp -= 0.5 * T * Math.log(V);
  grad[s.gtSdOff] += dV * 2 * sdGt * sdGt;
  grad[s.lSdOff] += (dV * 2 * sdL * sdL) / H;
  lp += sdPrior(theta, s.lSdOff, BUDGET_CURVE_PRIORS.sd, grad);
  lp += sdPrior(theta, s.gtSdOff, BUDGET_CURVE_PRIORS.sd, grad);
  // the method term of the log loss: its mean coordinate's prior and sd prior (its contrasts are
  // integrated out in the delta prior above)
  lp += methodPrior(s, gm, theta, grad);
  if (J > 0) lp += backbonePriors(s, theta, grad);
  // d lp / d C[t, m] from Lbar_t (= mean_m C[t, m]) and e_t (= Q_M^T C[t, .])
  for (let t = 0; t < T; t++) {
    for (let m = 0; m < M; m++) {
      let g = dLbar[t] / M;
      for (let j = 0; j < J; j++) g += qM[m * J + j] * dE[t * J + j];
      grad[cOff + t * M + m] += g;
    }
  }
  return lp;
}

/**
 * The backbone contrasts: e_t ~ N(sd_hm z~_0j / sqrt(H), sd_tm) into s.dE (d lp / d e), the
 * method x backbone term's gradient from s.dHm through its contrasts, their coordinates' prior,
 * both sds' priors.
 */
function backbonePriors(s: BudgetCurveState, theta: Float64Array, grad: Float64Array): number {
  const { H, T, e, dE, qH, dHm, cHm } = s;
  const J = s.M - 1;
  const P = BUDGET_CURVE_PRIORS;
  const sdHm = hmSd(s, theta);
  const sdTm = Math.exp(theta[s.tmSdOff]);
  const rootH = Math.sqrt(H);
  let gsd = 0;
  for (let j = 0; j < J; j++) {
    helmertBack(qH, H, dHm, sdHm, grad, s.hmOff + j * H, J, j);
    for (let h = 0; h < H; h++) gsd += sdHm * cHm[h * J + j] * dHm[h * J + j];
  }
  let ss = 0;
  for (let j = 0; j < J; j++) {
    const shift = (sdHm * theta[s.hmOff + j * H]) / rootH;
    let gShift = 0;
    for (let t = 0; t < T; t++) {
      const x = (e[t * J + j] - shift) / sdTm;
      ss += x * x;
      dE[t * J + j] = -x / sdTm;
      gShift += x / sdTm;
    }
    grad[s.hmOff + j * H] += (gShift * sdHm) / rootH;
    gsd += gShift * shift;
  }
  grad[s.tmSdOff] += ss - T * J;
  const lp =
    -0.5 * ss -
    T * J * theta[s.tmSdOff] +
    sdPrior(theta, s.tmSdOff, P.sd, grad) +
    stdNormal(theta, s.hmOff, H * J, grad);
  if (s.hmSdOff < 0) return lp; // fixed sd: no coordinate, no prior
  grad[s.hmSdOff] += gsd;
  return lp + sdPrior(theta, s.hmSdOff, P.sd, grad);
}

/**
 * The priors of the intercepts a0, b0, c0 (normal) at the intercept itself, the sampled
 * intercept* minus its method term's absorbed mean sd z~_0 / sqrt(H).
 */
function interceptPriors(s: BudgetCurveState, theta: Float64Array, grad: Float64Array): number {
  const P = BUDGET_CURVE_PRIORS;
  const top = [P.a0, P.b0, P.c0];
  const rootH = Math.sqrt(s.H);
  let lp = 0;
  for (let p = 0; p < 3; p++) {
    const x = (interceptOf(s, theta, p) - top[p].mean) / top[p].sd;
    lp -= 0.5 * x * x;
    const g = -x / top[p].sd; // d lp / d intercept
    grad[p] += g;
    if (p > 1) continue;
    const t = s.byPart[p];
    const sd = Math.exp(theta[t.sdOff]);
    grad[t.zOff] -= (g * sd) / rootH;
    grad[t.sdOff] -= (g * sd * theta[t.zOff]) / rootH;
  }
  return lp;
}

/**
 * The reported variables in the scores' units: b_gap (a0 + log scale, the log loss at the centre
 * budget 2^u0), b_slope (log slope of the log loss there), b_curv (logit curvature), sigma,
 * full[task,backbone], gap[method,task] (the backbone-average log loss at the centre budget),
 * then sds and effects (r_gap_* on the log-loss scale, which the score scale only shifts; the
 * backbone terms as Helmert contrasts c1..c(M-1)). The integrated-out full-cache scores and task
 * levels of the log loss are exact draws from their conditionals given theta, with normals keyed
 * by theta (math/hash-normals.ts, as src/model/nested-model.ts reports its integrated effects).
 */
export function budgetCurveVariables(
  s: BudgetCurveState,
  theta: Float64Array,
  out: Float64Array,
): void {
  const { H, T, M, terms } = s;
  const J = M - 1;
  const ls = Math.log(s.scale);
  curveForward(s, theta);
  out[0] = interceptOf(s, theta, 0) + ls;
  out[1] = interceptOf(s, theta, 1);
  out[2] = interceptOf(s, theta, 2);
  out[3] = Math.exp(theta[3]) * s.scale;
  const xi = new Float64Array(T * M + T + H - 1);
  hashNormals(theta, xi);
  const sig2 = Math.exp(2 * theta[3]);
  const tau2 = BUDGET_CURVE_PRIORS.full ** 2;
  for (let c = 0; c < T * M; c++) {
    const D = sig2 + s.cellN[c] * tau2;
    const F = (tau2 * s.cS1[c]) / D + Math.sqrt((sig2 * tau2) / D) * xi[c];
    out[s.vFull + c] = s.center + s.scale * F;
  }
  for (let c = 0; c < H * T; c++) out[s.vGap + c] = s.L[c] + ls;
  const sdL = Math.exp(theta[s.lSdOff]);
  out[s.vLSd] = sdL;
  if (J > 0) {
    out[s.vTm - 1] = Math.exp(theta[s.tmSdOff]);
    const sd = hmSd(s, theta);
    if (s.hmSdOff >= 0) out[s.vHm - 1] = sd;
    for (let j = 0; j < J; j++) {
      // the absorbed mean of the method contrasts back where it belongs
      const shift = (sd * theta[s.hmOff + j * H]) / Math.sqrt(H);
      for (let t = 0; t < T; t++) out[s.vTm + t * J + j] = s.e[t * J + j] - shift;
      for (let h = 0; h < H; h++) out[s.vHm + j * H + h] = shift + sd * s.cHm[h * J + j];
    }
  }
  // task levels of the log loss: v_t | Lbar_t ~ N(a0* + k (Lbar_t - a0*), k sd_L^2 / H)
  const sdGt = Math.exp(theta[s.gtSdOff]);
  const k = (sdGt * sdGt) / (sdGt * sdGt + (sdL * sdL) / H);
  out[s.vGt] = sdGt;
  for (let t = 0; t < T; t++) {
    const sdv = Math.sqrt((k * sdL * sdL) / H);
    out[s.vGt + 1 + t] = k * (s.Lbar[t] - theta[0]) + sdv * xi[T * M + t];
  }
  // the integrated-out contrasts of gap_method: w_k | delta ~ N(b S_k / D, a b / D) (logLossPriors)
  const gm = s.byPart[0];
  const a = sdL * sdL;
  const b = Math.exp(2 * theta[gm.sdOff]);
  const D = a + T * b;
  const wDraw = new Float64Array(H);
  for (let k = 0; k < H - 1; k++) {
    let S = 0;
    for (let t = 0; t < T; t++) S += theta[s.dOff + t * (H - 1) + k];
    wDraw[k + 1] = (b * S) / D + Math.sqrt((a * b) / D) * xi[T * M + T + k];
  }
  helmertApply(s.qH, H, wDraw, 0, gm.cz);
  for (const t of terms) {
    const sd = Math.exp(theta[t.sdOff]);
    out[t.vOff] = sd;
    const mean = (sd * theta[t.zOff]) / Math.sqrt(H);
    for (let h = 0; h < H; h++) out[t.vOff + 1 + h] = mean + t.cz[h];
  }
  out[s.vSt] = Math.exp(theta[s.stSdOff]);
  for (let t = 0; t < T; t++) out[s.vSt + 1 + t] = theta[s.stOff + t] - theta[1];
}

/** The budget-curve model: a ReportingModel rebuildable in sampler workers from its data. */
export interface BudgetCurveModel extends ReportingModel {
  readonly parameterNames: readonly string[];
  readonly state: BudgetCurveState;
  /**
   * Starting points for `chains` chains: each cell's log loss at the log of its mean observed
   * loss against the full-cache row, sigma at a third of the scores' sd, the other coordinates
   * uniform on (-0.5, 0.5) (seeded). Random inits on (-2, 2) can start a chain with losses of
   * e^6 sd, far out on the flat side of the likelihood.
   */
  inits(chains: number, seed: number): Float64Array[];
}

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/budget-curve\.([cm]?[jt]s)$/, '/rebuild.$1');

function inits(s: BudgetCurveState, chains: number, seed: number): Float64Array[] {
  const { N, data, ys, rowCell, T, M } = s;
  const full = new Float64Array(T * M);
  for (let i = 0; i < N; i++) if (data.method[i] < 0) full[rowCell[i]] = ys[i];
  const loss = new Float64Array(T * M);
  const n = new Float64Array(T * M);
  for (let i = 0; i < N; i++) {
    if (data.method[i] < 0) continue;
    loss[rowCell[i]] += full[rowCell[i]] - ys[i];
    n[rowCell[i]]++;
  }
  const cell = loss.map((l, c) => Math.log(Math.max(0.05, n[c] > 0 ? l / n[c] : 0.5)));
  let a0 = 0;
  for (const v of cell) a0 += v / cell.length;
  const rng = createNormalRng(seed);
  const jitter = () => 0.2 * (rng.uniform() - 0.5);
  return Array.from({ length: chains }, () => {
    const th = new Float64Array(s.dim);
    for (let j = 0; j < s.dim; j++) th[j] = rng.uniform() - 0.5;
    th[0] = a0 + jitter();
    th[1] = BUDGET_CURVE_PRIORS.b0.mean + jitter();
    th[2] = jitter();
    th[3] = Math.log(1 / 3) + jitter();
    for (let c = 0; c < T * M; c++) th[s.cOff + c] = cell[c] + jitter();
    for (let k = 0; k < T * (s.H - 1); k++) th[s.dOff + k] = jitter();
    th[s.lSdOff] = Math.log(0.5) + jitter();
    th[s.gtSdOff] = Math.log(0.5) + jitter();
    if (M > 1) {
      th[s.tmSdOff] = Math.log(0.3) + jitter();
      if (s.hmSdOff >= 0) th[s.hmSdOff] = Math.log(0.3) + jitter();
    }
    for (const t of s.terms) th[t.sdOff] = Math.log(0.3) + jitter();
    th[s.stSdOff] = Math.log(0.3) + jitter();
    for (let t = 0; t < T; t++) th[s.stOff + t] = th[1] + jitter();
    return th;
  });
}

/**
 * The budget-curve model from its data (in-process and in sampler workers alike, so both run the
 * same function on the same numbers: bit-identical draws).
 * @example const m = buildBudgetCurveModel(data); m.variableNames[0] // 'b_gap'
 */
export function buildBudgetCurveModel(data: BudgetCurveData): BudgetCurveModel {
  const s = budgetCurveState(data);
  return {
    dim: s.dim,
    parameterNames: s.parameterNames,
    variableNames: s.variableNames,
    state: s,
    inits: (chains: number, seed: number) => inits(s, chains, seed),
    logDensityGradient: (theta: Float64Array, grad: Float64Array) =>
      budgetCurveLogDensity(s, theta, grad),
    writeVariables: (theta: Float64Array, out: Float64Array) => budgetCurveVariables(s, theta, out),
    // deterministic from its data, so a sampler worker rebuilds it (same draws, bit for bit)
    source: {
      kind: 'module',
      path: REBUILD_MODULE,
      exportName: 'rebuildModel',
      args: { kind: 'budget-curve', data },
    },
  };
}

/**
 * The curve parts at one posterior draw, from its reported variables (`vars(v)` = variable v of
 * `budgetCurveVariables`): full[t * M + m] (score units), la[(h * T + t) * M + m] (log loss at
 * the centre budget, score units), lb[h * T + t] and lc[h].
 * @example const p = curveParts(model.state, vars); p.full[0]
 */
export function curveParts(
  s: BudgetCurveState,
  vars: (v: number) => number,
): { full: Float64Array; la: Float64Array; lb: Float64Array; lc: Float64Array } {
  const { H, T, M, qM } = s;
  const J = M - 1;
  const full = new Float64Array(T * M);
  for (let c = 0; c < T * M; c++) full[c] = vars(s.vFull + c);
  const la = new Float64Array(H * T * M);
  const lb = new Float64Array(H * T);
  const lc = new Float64Array(H);
  const sm = s.byPart[1].vOff + 1;
  for (let h = 0; h < H; h++) {
    lc[h] = vars(2);
    for (let t = 0; t < T; t++) lb[h * T + t] = vars(1) + vars(s.vSt + 1 + t) + vars(sm + h);
  }
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const L = vars(s.vGap + h * T + t);
      for (let m = 0; m < M; m++) {
        let v = L;
        for (let j = 0; j < J; j++) {
          v += qM[m * J + j] * (vars(s.vTm + t * J + j) + vars(s.vHm + j * H + h));
        }
        la[(h * T + t) * M + m] = v;
      }
    }
  }
  return { full, la, lb, lc };
}

/**
 * The loss against the full cache of a curve with parts (la, lb, lc) at log2 budget `logBudget`
 * (the model's centring u0 applied), in score units.
 * @example curveLoss(model.state, p.la[0], p.lb[0], p.lc[0], Math.log2(512))
 */
export function curveLoss(
  s: BudgetCurveState,
  la: number,
  lb: number,
  lc: number,
  logBudget: number,
): number {
  return Math.exp(la) * curveShape(s, lb, lc, logBudget);
}

/**
 * The curve's shape s(u) at log2 budget `logBudget` (u = logBudget - u0, s(0) = 1): the loss is
 * exp(la) s(u), so the backbones of a method x task share it (one evaluation for all of them).
 * @example curveShape(model.state, p.lb[0], p.lc[0], model.state.u0) // 1
 */
export function curveShape(s: BudgetCurveState, lb: number, lc: number, logBudget: number): number {
  const k = Math.exp(lb) * (1 + Math.exp(-lc));
  return Math.exp(softplus(lc) - softplus(k * (logBudget - s.u0) + lc));
}

/**
 * `curveShape` at each of the ascending log2 budgets `logBudgets` into `out`: s = (1 + e^lc) /
 * (1 + e^A), A = k u + lc, one exp per point, or two in all when the budgets are evenly spaced by
 * `step` > 0 (e^{A_j} = e^{A_0} (e^{k step})^j, every A_j within (-700, 700)); `curveShape` itself
 * where 1 + e^lc overflows.
 * @example curveShapes(model.state, lb, lc, Float64Array.of(7, 8, 9), 1, new Float64Array(3))
 */
export function curveShapes(
  s: BudgetCurveState,
  lb: number,
  lc: number,
  logBudgets: Float64Array,
  step: number,
  out: Float64Array,
): void {
  const n = logBudgets.length;
  const E = 1 + Math.exp(lc);
  const k = Math.exp(lb) * (1 + Math.exp(-lc));
  if (!Number.isFinite(E) || !Number.isFinite(k)) {
    for (let j = 0; j < n; j++) out[j] = curveShape(s, lb, lc, logBudgets[j]);
    return;
  }
  const A0 = k * (logBudgets[0] - s.u0) + lc;
  const A1 = k * (logBudgets[n - 1] - s.u0) + lc;
  if (step > 0 && A0 > -700 && A1 < 700) {
    const r = Math.exp(k * step);
    let x = Math.exp(A0);
    for (let j = 0; j < n; j++) {
      out[j] = E / (1 + x);
      x *= r;
    }
    return;
  }
  // 1 + e^A = Infinity only where s < e^-700: 0
  for (let j = 0; j < n; j++) out[j] = E / (1 + Math.exp(k * (logBudgets[j] - s.u0) + lc));
}
