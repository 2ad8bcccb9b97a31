import type { NormalRng } from '../math/normal-rng.js';
import { BUDGET_CURVE_PRIORS, type BudgetCurveData, curveGap } from './budget-curve.js';

/**
 * Data simulated from the budget-curve model's own prior (src/model/budget-curve.ts), for
 * simulation-based calibration (Talts et al. 2018, arXiv:1804.06788): every parameter drawn from
 * its prior, the scores from the likelihood, with the standardization fixed (center 0, scale 1)
 * so that the fitted model's priors are the ones simulated from.
 */

/** Shape of a simulated budget table. */
export interface CurveSimDesign {
  methods: number;
  tasks: number;
  backbones: number;
  /** Observed budgets (tokens); every method is run at each. */
  budgets: number[];
}

/** 3 methods x 4 tasks x 2 backbones at 4 budgets, one row each, plus the full cache (104 rows). */
export const CURVE_SIM_DESIGN: CurveSimDesign = {
  methods: 3,
  tasks: 4,
  backbones: 2,
  budgets: [128, 256, 512, 1024],
};

/** One simulated table: the model's data, the true top-level parameters and curves. */
export interface CurveSimulation {
  data: BudgetCurveData;
  /** True values of the reported top-level variables (b_gap, b_slope, b_curv, sigma, sd_*). */
  params: Record<string, number>;
  /**
   * True expected score of method h at budget j averaged over tasks and backbones:
   * curve[h * budgets.length + j].
   */
  curve: Float64Array;
}

/**
 * Simulate one table from the prior.
 * @example simulateBudgetCurve(CURVE_SIM_DESIGN, createNormalRng(1)).data.y.length // 104
 */
export function simulateBudgetCurve(d: CurveSimDesign, rng: NormalRng): CurveSimulation {
  const P = BUDGET_CURVE_PRIORS;
  const H = d.methods;
  const T = d.tasks;
  const M = d.backbones;
  const J = M - 1;
  const n = () => rng.normal();
  const half = (s: number) => Math.abs(s * n());
  // Gamma(2, rate): the sum of two exponentials
  const gamma2 = (rate: number) => -(Math.log(rng.uniform()) + Math.log(rng.uniform())) / rate;
  const params: Record<string, number> = {
    b_gap: P.a0.mean + P.a0.sd * n(),
    b_slope: P.b0.mean + P.b0.sd * n(),
    b_curv: P.c0.mean + P.c0.sd * n(),
    sigma: half(P.sigma),
  };
  // with M <= 3 backbones the method x backbone sd is fixed (no parameter to calibrate)
  const hmFixed = M <= P.fewBackbones.maxLevels;
  for (const name of [
    'gap_method:task',
    'gap_task:backbone',
    ...(hmFixed ? [] : ['gap_method:backbone']),
    'gap_task',
    'slope_task',
  ]) {
    params[`sd_${name}`] = half(P.sd);
  }
  for (const name of ['gap_method', 'slope_method']) {
    // BUDGET_CURVE_PRIORS.methodSd is Gamma(2, rate): shape 2 is what gamma2 draws
    params[`sd_${name}`] = gamma2(P.methodSd.rate);
  }
  const sd = (name: string) => params[`sd_${name}`];
  const full = Array.from({ length: T * M }, () => P.full * n());
  const At = Array.from({ length: T }, () => params.b_gap + sd('gap_task') * n());
  const ah = Array.from({ length: H }, () => sd('gap_method') * n());
  const L = Array.from({ length: H * T }, (_, c) => {
    return At[c % T] + ah[Math.floor(c / T)] + sd('gap_method:task') * n();
  });
  const e = Array.from({ length: T * J }, () => sd('gap_task:backbone') * n());
  const sdHm = hmFixed ? P.fewBackbones.sd : sd('gap_method:backbone');
  const dh = Array.from({ length: H * J }, () => sdHm * n());
  const Bt = Array.from({ length: T }, () => params.b_slope + sd('slope_task') * n());
  const bh = Array.from({ length: H }, () => sd('slope_method') * n());
  const ch = Array.from({ length: H }, () => params.b_curv);
  // Helmert contrasts, as the model's
  const q = (m: number, j: number) => {
    const c = 1 / Math.sqrt((j + 1) * (j + 2));
    return m < j + 1 ? c : m === j + 1 ? -(j + 1) * c : 0;
  };
  const logB = d.budgets.map((b) => Math.log2(b));
  const u0 = logB.reduce((a, b) => a + b, 0) / logB.length;
  const mean = (h: number, t: number, m: number, j: number) => {
    let la = L[h * T + t];
    for (let k = 0; k < J; k++) la += q(m, k) * (e[t * J + k] + dh[h * J + k]);
    return full[t * M + m] - curveGap(la, Bt[t] + bh[h], ch[h], logB[j] - u0).gap;
  };
  const y: number[] = [];
  const method: number[] = [];
  const task: number[] = [];
  const backbone: number[] = [];
  const logBudget: number[] = [];
  const push = (h: number, t: number, m: number, mu: number, lb: number) => {
    y.push(mu + params.sigma * n());
    method.push(h);
    task.push(t);
    backbone.push(m);
    logBudget.push(lb);
  };
  for (let t = 0; t < T; t++) {
    for (let m = 0; m < M; m++) {
      push(-1, t, m, full[t * M + m], Number.NaN);
      for (let h = 0; h < H; h++) {
        for (let j = 0; j < logB.length; j++) push(h, t, m, mean(h, t, m, j), logB[j]);
      }
    }
  }
  const curve = new Float64Array(H * logB.length);
  for (let h = 0; h < H; h++) {
    for (let j = 0; j < logB.length; j++) {
      for (let t = 0; t < T; t++) {
        for (let m = 0; m < M; m++) curve[h * logB.length + j] += mean(h, t, m, j) / (T * M);
      }
    }
  }
  const names = (p: string, k: number) => Array.from({ length: k }, (_, i) => `${p}${i + 1}`);
  return {
    data: {
      y: Float64Array.from(y),
      method: Int32Array.from(method),
      task: Int32Array.from(task),
      backbone: Int32Array.from(backbone),
      logBudget: Float64Array.from(logBudget),
      methods: names('h', H),
      tasks: names('t', T),
      backbones: names('m', M),
      center: 0,
      scale: 1,
    },
    params,
    curve,
  };
}
