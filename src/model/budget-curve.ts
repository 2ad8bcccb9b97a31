import { createNormalRng } from '../math/normal-rng.js';
import type { ReportingModel } from '../sampler/types.js';

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
 * budgets is unidentified) that kept NUTS at tree depth 10. The parts are hierarchical:
 *
 *   la[h,t,m] = L[h,t] + (Q e_t)[m] + (Q d_h)[m]             (log loss)
 *   L[h,t]    ~ N(a0 + a_h + a_t, sd_L)                       (method x task, backbone average)
 *   lb[h,t]   = b0 + b_h + b_t                                (log slope)
 *   lc[h]     = c0 + c_h                                      (logit curvature)
 *
 * with Q the M x (M - 1) Helmert contrasts (orthonormal, columns orthogonal to the ones vector), so
 * the backbone effects of a task (e_t ~ N(0, sd_tm^2 I)) and of a method (d_h ~ N(0, sd_hm^2 I))
 * sum to zero over backbones and L is the average log loss over backbones (the sum-to-zero
 * parameterization of Stan's `sum_to_zero_vector`, Stan Reference Manual, "Zero sum vector").
 * L and e are sampled centred: each is informed by 10-50 rows, and non-centred (sd x z) they made
 * the curved sd-z ridges of well-informed effects (Betancourt & Girolami 2015, section 4); the
 * method- and task-level shifts (5-16 levels, informed only through L) are non-centred.
 *
 * a shared shape with method-specific shifts and slopes. Scores y ~ N(mu, sigma). Sampling is on
 * the standardized scale (y - center) / scale, where the priors below are unit-scale; the reported
 * variables are in the scores' units (full[] and sigma times scale, log losses plus log scale).
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

/** The three curve parts: log loss, log slope, logit curvature. */
const LA = 0;
const LB = 1;
const LC = 2;

/**
 * A hierarchical term of a part (LA: the mean of L): non-centred (level = sd * z, the part's
 * intercept added separately) or centred (level = the coordinate, ~ N(intercept, sd), which then
 * carries the intercept).
 */
interface Term {
  name: string;
  part: typeof LA | typeof LB | typeof LC;
  factor: 'method' | 'task';
  centred: boolean;
  n: number;
  sdOff: number;
  zOff: number;
  /** Scale of the half-normal prior of its sd. */
  sdScale: number;
}

/**
 * Priors on the standardized scale: a0 ~ N(0, 1.5) (a loss between 0.05 and 20 sd at the centre
 * budget), b0 ~ N(-1, 1) (the log loss falls by 0.05-2.7 per doubling there), c0 ~ N(0, 1.5),
 * F ~ N(0, 2.5), sigma ~ half-N(0, 1), every sd ~ half-N(0, 1).
 */
export const BUDGET_CURVE_PRIORS = {
  a0: { mean: 0, sd: 1.5 },
  b0: { mean: -1, sd: 1 },
  c0: { mean: 0, sd: 1.5 },
  full: 2.5,
  sigma: 1,
  sd: 1,
} as const;

/** Everything the density needs, computed once from the data. */
export interface BudgetCurveState {
  data: BudgetCurveData;
  N: number;
  H: number;
  T: number;
  M: number;
  rowCell: Int32Array;
  /** Standardized scores. */
  ys: Float64Array;
  center: number;
  scale: number;
  /** Mean observed log2 budget (u = logBudget - u0). */
  u0: number;
  u: Float64Array;
  /** Helmert contrasts: q[m * (M - 1) + j]. */
  q: Float64Array;
  fullOff: number;
  /** L[h * T + t] (centred), then its log sd. */
  lOff: number;
  lSdOff: number;
  /** Task x backbone contrasts e[t * (M - 1) + j] (centred) and their log sd (M >= 2). */
  tmOff: number;
  tmSdOff: number;
  /** Method x backbone contrasts (non-centred z) and their log sd (M >= 2). */
  hmOff: number;
  hmSdOff: number;
  terms: Term[];
  dim: number;
  parameterNames: string[];
  variableNames: string[];
  // scratch
  mu: Float64Array;
  lb: Float64Array;
  lc: Float64Array;
  dL: Float64Array;
  dLb: Float64Array;
  dLc: Float64Array;
  /** Per method x task: exp(lb), k; per method: softplus(lc), logistic(lc). */
  cBeta: Float64Array;
  cK: Float64Array;
  hSp: Float64Array;
  hS: Float64Array;
}

/** Helmert contrasts of M levels: column j (< M - 1) is orthonormal and sums to 0. */
function helmert(M: number): Float64Array {
  const q = new Float64Array(M * Math.max(0, M - 1));
  for (let j = 1; j < M; j++) {
    const c = 1 / Math.sqrt(j * (j + 1));
    for (let m = 0; m < j; m++) q[m * (M - 1) + j - 1] = c;
    q[j * (M - 1) + j - 1] = -j * c;
  }
  return q;
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
  let sum = 0;
  for (const v of data.y) sum += v;
  const center = data.center ?? sum / N;
  let ss = 0;
  for (const v of data.y) ss += (v - center) ** 2;
  const scale = data.scale ?? (Math.sqrt(ss / Math.max(1, N - 1)) || 1);
  const ys = data.y.map((v) => (v - center) / scale);
  let uSum = 0;
  let nu = 0;
  for (let i = 0; i < N; i++) {
    if (data.method[i] >= 0) {
      uSum += data.logBudget[i];
      nu++;
    }
  }
  const u0 = nu > 0 ? uSum / nu : 0;
  const u = data.logBudget.map((b) => b - u0);
  const par = ['a0', 'b0', 'c0', 'log_sigma'];
  const vars = ['b_gap', 'b_slope', 'b_curv', 'sigma'];
  const add = (p: string, v: string) => {
    par.push(p);
    vars.push(v);
    return par.length - 1;
  };
  const rowCell = new Int32Array(N);
  for (let i = 0; i < N; i++) rowCell[i] = data.task[i] * M + data.backbone[i];
  const fullOff = par.length;
  for (let c = 0; c < T * M; c++) {
    const label = `${data.tasks[Math.floor(c / M)]},${data.backbones[c % M]}`;
    add(`full[${label}]`, `full[${label}]`);
  }
  const lOff = par.length;
  for (let c = 0; c < H * T; c++) {
    const label = `${data.methods[Math.floor(c / T)]},${data.tasks[c % T]}`;
    add(`gap[${label}]`, `gap[${label}]`);
  }
  const lSdOff = add('log_sd_gap_method:task', 'sd_gap_method:task');
  const contrasts = (name: string, levels: string[], centred: boolean) => {
    const sdOff = add(`log_sd_${name}`, `sd_${name}`);
    const off = par.length;
    for (const l of levels) {
      for (let j = 1; j < M; j++)
        add(`${centred ? 'e' : 'z'}_${name}[${l},c${j}]`, `r_${name}[${l},c${j}]`);
    }
    return { sdOff, off };
  };
  const tm = M >= 2 ? contrasts('gap_task:backbone', data.tasks, true) : { sdOff: -1, off: -1 };
  const hm =
    M >= 2 ? contrasts('gap_method:backbone', data.methods, false) : { sdOff: -1, off: -1 };
  // the task terms centred (each task's log loss and slope are informed by every method,
  // backbone and budget of the task); the method terms (5-6 levels) non-centred
  const specs = [
    ['gap_task', LA, 'task', true],
    ['gap_method', LA, 'method', false],
    ['slope_task', LB, 'task', true],
    ['slope_method', LB, 'method', false],
    ['curv_method', LC, 'method', false],
  ] as const;
  const terms: Term[] = specs.map(([name, part, factor, centred]) => {
    const levels = factor === 'method' ? data.methods : data.tasks;
    const sdOff = add(`log_sd_${name}`, `sd_${name}`);
    for (const l of levels) add(`${centred ? 'v' : 'z'}_${name}[${l}]`, `r_${name}[${l}]`);
    return {
      name,
      part,
      factor,
      centred,
      n: levels.length,
      sdOff,
      zOff: sdOff + 1,
      sdScale: BUDGET_CURVE_PRIORS.sd,
    };
  });
  return {
    data,
    N,
    H,
    T,
    M,
    rowCell,
    ys,
    center,
    scale,
    u0,
    u,
    q: helmert(M),
    fullOff,
    lOff,
    lSdOff,
    tmOff: tm.off,
    tmSdOff: tm.sdOff,
    hmOff: hm.off,
    hmSdOff: hm.sdOff,
    terms,
    dim: par.length,
    parameterNames: par,
    variableNames: vars,
    mu: new Float64Array(H * T),
    lb: new Float64Array(H * T),
    lc: new Float64Array(H),
    dL: new Float64Array(H * T),
    dLb: new Float64Array(H * T),
    dLc: new Float64Array(H),
    cBeta: new Float64Array(H * T),
    cK: new Float64Array(H * T),
    hSp: new Float64Array(H),
    hS: new Float64Array(H),
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
 * The parts per method x task from the terms: mu (the mean of L), lb, and lc per method. A part
 * with a centred term starts from that term's levels (which carry its intercept), else from the
 * intercept.
 */
function shifts(s: BudgetCurveState, theta: Float64Array): void {
  const { H, T, mu, lb, lc, terms } = s;
  mu.fill(theta[0]);
  lb.fill(theta[1]);
  lc.fill(theta[2]);
  for (const t of terms) {
    if (t.centred) {
      const into = t.part === LA ? mu : lb;
      for (let h = 0; h < H; h++) {
        for (let k = 0; k < T; k++) into[h * T + k] += theta[t.zOff + k] - theta[t.part];
      }
    }
  }
  for (const t of terms) {
    if (t.centred) continue;
    const sd = Math.exp(theta[t.sdOff]);
    for (let h = 0; h < H; h++) {
      if (t.part === LC) {
        lc[h] += sd * theta[t.zOff + h];
        continue;
      }
      const into = t.part === LA ? mu : lb;
      for (let k = 0; k < T; k++) {
        into[h * T + k] += sd * theta[t.zOff + (t.factor === 'method' ? h : k)];
      }
    }
  }
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
  const { N, H, T, M, ys, u, q, rowCell, mu, lb, lc, dL, dLb, dLc, fullOff, lOff, data } = s;
  const P = BUDGET_CURVE_PRIORS;
  grad.fill(0);
  dL.fill(0);
  dLb.fill(0);
  dLc.fill(0);
  shifts(s, theta);
  const J = M - 1;
  const sdHm = J > 0 ? Math.exp(theta[s.hmSdOff]) : 0;
  const { cBeta, cK, hSp, hS } = s;
  for (let h = 0; h < H; h++) {
    hSp[h] = softplus(lc[h]);
    hS[h] = logistic(lc[h]);
    const f = 1 + Math.exp(-lc[h]);
    for (let k = 0; k < T; k++) {
      cBeta[h * T + k] = Math.exp(lb[h * T + k]);
      cK[h * T + k] = cBeta[h * T + k] * f;
    }
  }
  const lsig = theta[3];
  const prec = Math.exp(-2 * lsig);
  let lp = 0;
  let sq = 0;
  for (let i = 0; i < N; i++) {
    let m = theta[fullOff + rowCell[i]];
    const h = data.method[i];
    let gap = 0;
    let gLb = 0;
    let gLc = 0;
    const t = data.task[i];
    const b = data.backbone[i];
    if (h >= 0) {
      const c = h * T + t;
      let la = theta[lOff + c];
      for (let j = 0; j < J; j++) {
        la += q[b * J + j] * (theta[s.tmOff + t * J + j] + sdHm * theta[s.hmOff + h * J + j]);
      }
      // curveGap inlined, with the per-cell and per-method factors computed once above (no
      // object per row on the hot path; 2 exp and 1 log1p per row)
      const beta = cBeta[c];
      const k = cK[c];
      const A = k * u[i] + lc[h];
      const ea = Math.exp(-Math.abs(A));
      const spA = A > 0 ? A + Math.log1p(ea) : Math.log1p(ea);
      const sA = A >= 0 ? 1 / (1 + ea) : ea / (1 + ea);
      gap = Math.exp(la + hSp[h] - spA);
      gLb = -gap * sA * k * u[i];
      gLc = gap * (hS[h] - sA * (1 - u[i] * (k - beta)));
      m -= gap;
    }
    const e = ys[i] - m;
    sq += e * e;
    const r = e * prec; // d lp / d mu_i
    grad[fullOff + rowCell[i]] += r;
    if (h >= 0) {
      const c = h * T + t;
      const gLa = -r * gap;
      dL[c] += gLa;
      dLb[c] -= r * gLb;
      dLc[h] -= r * gLc;
      for (let j = 0; j < J; j++) {
        const w = q[b * J + j] * gLa;
        grad[s.tmOff + t * J + j] += w;
        grad[s.hmOff + h * J + j] += sdHm * w;
        grad[s.hmSdOff] += sdHm * theta[s.hmOff + h * J + j] * w;
      }
    }
  }
  lp += -N * lsig - 0.5 * sq * prec;
  grad[3] += -N + sq * prec;
  // L ~ N(mu, sd_L), centred: the data's gradient plus the prior's, and d lp / d mu (into dMu = dL's reuse)
  const sdL = Math.exp(theta[s.lSdOff]);
  let ssL = 0;
  for (let c = 0; c < H * T; c++) {
    const d = (theta[lOff + c] - mu[c]) / sdL;
    ssL += d * d;
    grad[lOff + c] += dL[c] - d / sdL;
    dL[c] = d / sdL; // now d lp / d mu[c]
  }
  lp += -0.5 * ssL - H * T * theta[s.lSdOff];
  grad[s.lSdOff] += ssL - H * T;
  lp += sdPrior(theta, s.lSdOff, P.sd, grad);
  lp += contrastPriors(s, theta, grad);
  lp += termsBackward(s, theta, grad);
  // a0, b0, c0 normal; F normal; sigma half-normal (log-Jacobian log sigma)
  const top = [P.a0, P.b0, P.c0];
  for (let p = 0; p < 3; p++) {
    const x = (theta[p] - top[p].mean) / top[p].sd;
    lp -= 0.5 * x * x;
    grad[p] -= x / top[p].sd;
  }
  for (let c = 0; c < T * M; c++) {
    const x = theta[fullOff + c] / P.full;
    lp -= 0.5 * x * x;
    grad[fullOff + c] -= x / P.full;
  }
  lp += sdPrior(theta, 3, P.sigma, grad);
  return lp;
}

/** Priors of the backbone contrasts: e centred N(0, sd_tm), z standard normal; their sds. */
function contrastPriors(s: BudgetCurveState, theta: Float64Array, grad: Float64Array): number {
  const J = s.M - 1;
  if (J < 1) return 0;
  const P = BUDGET_CURVE_PRIORS;
  let lp = 0;
  const sdTm = Math.exp(theta[s.tmSdOff]);
  let ss = 0;
  for (let k = 0; k < s.T * J; k++) {
    const d = theta[s.tmOff + k] / sdTm;
    ss += d * d;
    grad[s.tmOff + k] -= d / sdTm;
  }
  lp += -0.5 * ss - s.T * J * theta[s.tmSdOff];
  grad[s.tmSdOff] += ss - s.T * J;
  lp += sdPrior(theta, s.tmSdOff, P.sd, grad);
  for (let k = 0; k < s.H * J; k++) {
    const z = theta[s.hmOff + k];
    lp -= 0.5 * z * z;
    grad[s.hmOff + k] -= z;
  }
  lp += sdPrior(theta, s.hmSdOff, P.sd, grad);
  return lp;
}

/**
 * The terms' gradients (from d lp / d mu in s.dL, d lp / d lb, d lp / d lc) with their priors,
 * and the intercepts' gradients; returns the priors' lp. A part's intercept enters the rows
 * directly, or only through the prior of the part's centred term.
 */
function termsBackward(s: BudgetCurveState, theta: Float64Array, grad: Float64Array): number {
  const { H, T, dL, dLb, dLc, terms } = s;
  let lp = 0;
  const centredPart = [false, false, false];
  for (const t of terms) if (t.centred) centredPart[t.part] = true;
  for (let c = 0; c < H * T; c++) {
    if (!centredPart[LA]) grad[0] += dL[c];
    if (!centredPart[LB]) grad[1] += dLb[c];
  }
  for (let h = 0; h < H; h++) grad[2] += dLc[h];
  for (const t of terms) {
    const sd = Math.exp(theta[t.sdOff]);
    const d = t.part === LA ? dL : t.part === LB ? dLb : dLc;
    if (t.centred) {
      // levels v ~ N(intercept, sd); the rows' gradient reaches v directly
      for (let h = 0; h < H; h++) for (let k = 0; k < T; k++) grad[t.zOff + k] += d[h * T + k];
      let ss = 0;
      for (let l = 0; l < t.n; l++) {
        const x = (theta[t.zOff + l] - theta[t.part]) / sd;
        ss += x * x;
        grad[t.zOff + l] -= x / sd;
        grad[t.part] += x / sd;
      }
      lp += -0.5 * ss - t.n * theta[t.sdOff];
      grad[t.sdOff] += ss - t.n;
      lp += sdPrior(theta, t.sdOff, t.sdScale, grad);
      continue;
    }
    let gsd = 0;
    for (let h = 0; h < H; h++) {
      if (t.part === LC) {
        grad[t.zOff + h] += sd * d[h];
        gsd += sd * theta[t.zOff + h] * d[h];
        continue;
      }
      for (let k = 0; k < T; k++) {
        const l = t.factor === 'method' ? h : k;
        grad[t.zOff + l] += sd * d[h * T + k];
        gsd += sd * theta[t.zOff + l] * d[h * T + k];
      }
    }
    for (let l = 0; l < t.n; l++) {
      const z = theta[t.zOff + l];
      lp -= 0.5 * z * z;
      grad[t.zOff + l] -= z;
    }
    grad[t.sdOff] += gsd;
    lp += sdPrior(theta, t.sdOff, t.sdScale, grad);
  }
  return lp;
}

/**
 * The reported variables in the scores' units: b_gap (a0 + log scale, the log loss at the centre
 * budget 2^u0), b_slope (log slope of the log loss there), b_curv (logit curvature), sigma,
 * full[task,backbone], gap[method,task] (the backbone-average log loss at the centre budget),
 * then sds and effects (r_gap_* on the log-loss scale, which the score scale only shifts; the
 * backbone terms as Helmert contrasts c1..c(M-1)). One variable per coordinate, same order.
 */
export function budgetCurveVariables(
  s: BudgetCurveState,
  theta: Float64Array,
  out: Float64Array,
): void {
  const ls = Math.log(s.scale);
  out[0] = theta[0] + ls;
  out[1] = theta[1];
  out[2] = theta[2];
  out[3] = Math.exp(theta[3]) * s.scale;
  for (let c = 0; c < s.T * s.M; c++)
    out[s.fullOff + c] = s.center + s.scale * theta[s.fullOff + c];
  for (let c = 0; c < s.H * s.T; c++) out[s.lOff + c] = theta[s.lOff + c] + ls;
  out[s.lSdOff] = Math.exp(theta[s.lSdOff]);
  const J = s.M - 1;
  if (J > 0) {
    out[s.tmSdOff] = Math.exp(theta[s.tmSdOff]);
    for (let k = 0; k < s.T * J; k++) out[s.tmOff + k] = theta[s.tmOff + k];
    const sd = Math.exp(theta[s.hmSdOff]);
    out[s.hmSdOff] = sd;
    for (let k = 0; k < s.H * J; k++) out[s.hmOff + k] = sd * theta[s.hmOff + k];
  }
  for (const t of s.terms) {
    const sd = Math.exp(theta[t.sdOff]);
    out[t.sdOff] = sd;
    for (let l = 0; l < t.n; l++) {
      // a centred level minus its intercept: the effect, as for the non-centred terms
      out[t.zOff + l] = t.centred ? theta[t.zOff + l] - theta[t.part] : sd * theta[t.zOff + l];
    }
  }
}

/** The budget-curve model: a ReportingModel rebuildable in sampler workers from its data. */
export interface BudgetCurveModel extends ReportingModel {
  readonly parameterNames: readonly string[];
  readonly state: BudgetCurveState;
  /**
   * Starting points for `chains` chains: each full-cache level at its cell's full-cache score,
   * each method x task log loss at the log of its mean observed loss, sigma at a third of the
   * scores' sd, the other coordinates uniform on (-0.5, 0.5) (seeded). Random inits on (-2, 2)
   * can start a chain with losses of e^6 sd, far out on the flat side of the likelihood.
   */
  inits(chains: number, seed: number): Float64Array[];
}

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/budget-curve\.([cm]?[jt]s)$/, '/rebuild.$1');

function inits(s: BudgetCurveState, chains: number, seed: number): Float64Array[] {
  const { N, data, ys, rowCell } = s;
  const full = new Float64Array(s.T * s.M);
  for (let i = 0; i < N; i++) if (data.method[i] < 0) full[rowCell[i]] = ys[i];
  const loss = new Float64Array(s.H * s.T);
  const n = new Float64Array(s.H * s.T);
  for (let i = 0; i < N; i++) {
    const h = data.method[i];
    if (h < 0) continue;
    loss[h * s.T + data.task[i]] += full[rowCell[i]] - ys[i];
    n[h * s.T + data.task[i]]++;
  }
  const la = loss.map((l, c) => Math.log(Math.max(0.05, n[c] > 0 ? l / n[c] : 0.5)));
  let a0 = 0;
  for (const v of la) a0 += v / la.length;
  const rng = createNormalRng(seed);
  const jitter = () => 0.2 * (rng.uniform() - 0.5);
  return Array.from({ length: chains }, () => {
    const th = new Float64Array(s.dim);
    for (let j = 0; j < s.dim; j++) th[j] = rng.uniform() - 0.5;
    th[0] = a0 + jitter();
    th[1] = BUDGET_CURVE_PRIORS.b0.mean + jitter();
    th[2] = jitter();
    th[3] = Math.log(1 / 3) + jitter();
    for (let c = 0; c < s.T * s.M; c++) th[s.fullOff + c] = full[c] + jitter();
    for (let c = 0; c < s.H * s.T; c++) th[s.lOff + c] = la[c] + jitter();
    th[s.lSdOff] = Math.log(0.5) + jitter();
    if (s.M > 1) {
      th[s.tmSdOff] = Math.log(0.3) + jitter();
      th[s.hmSdOff] = Math.log(0.3) + jitter();
      for (let k = 0; k < s.T * (s.M - 1); k++) th[s.tmOff + k] = jitter();
    }
    for (const t of s.terms) {
      th[t.sdOff] = Math.log(0.3) + jitter();
      for (let l = 0; l < t.n && t.centred; l++) th[t.zOff + l] = th[t.part] + jitter();
    }
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
  const { H, T, M, q } = s;
  const J = M - 1;
  const full = new Float64Array(T * M);
  for (let c = 0; c < T * M; c++) full[c] = vars(s.fullOff + c);
  const la = new Float64Array(H * T * M);
  const lb = new Float64Array(H * T).fill(vars(1));
  const lc = new Float64Array(H).fill(vars(2));
  for (const t of s.terms) {
    for (let h = 0; h < H; h++) {
      if (t.part === LC) lc[h] += vars(t.zOff + h);
      else if (t.part === LB) {
        for (let k = 0; k < T; k++) lb[h * T + k] += vars(t.zOff + (t.factor === 'method' ? h : k));
      }
    }
  }
  for (let h = 0; h < H; h++) {
    for (let k = 0; k < T; k++) {
      const L = vars(s.lOff + h * T + k);
      for (let m = 0; m < M; m++) {
        let v = L;
        for (let j = 0; j < J; j++) {
          v += q[m * J + j] * (vars(s.tmOff + k * J + j) + vars(s.hmOff + h * J + j));
        }
        la[(h * T + k) * M + m] = v;
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
  return curveGap(la, lb, lc, logBudget - s.u0).gap;
}
