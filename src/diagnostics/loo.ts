/**
 * Approximate leave-one-out cross-validation by PSIS (PSIS-LOO; Vehtari, Gelman & Gabry 2017,
 * "Practical Bayesian model evaluation using leave-one-out cross-validation and WAIC", Statistics and
 * Computing 27) from an S x N pointwise log-likelihood matrix, as the R package loo 2.5.1 computes
 * it (`loo.matrix`, `relative_eff`, `loo_compare`; docs/ALGORITHMS.md §12). Knows only the matrix.
 */

import { variance } from '../math/moments.js';
import { normalQuantile } from '../math/normal-quantile.js';
import { essCore } from './ess.js';
import { normalizeLogWeights, paretoKThreshold, psis } from './psis.js';

/**
 * Pointwise log-likelihood: log p(y_n | theta_s) for S = nDraws x nChains draws and N
 * observations, one contiguous draws x chains block per observation (the Draws layout):
 * values[d + nDraws * (c + nChains * n)].
 */
export interface LogLikMatrix {
  readonly nDraws: number;
  readonly nChains: number;
  readonly nObs: number;
  readonly values: Float64Array;
}

/** The pointwise PSIS-LOO quantities of one observation set (loo's `pointwise` columns). */
export interface LooPointwise {
  elpd_loo: Float64Array;
  mcse_elpd_loo: Float64Array;
  p_loo: Float64Array;
  looic: Float64Array;
  pareto_k: Float64Array;
  /** PSIS effective sample size r_eff / sum(w^2) of the normalized weights (loo 2.5.1). */
  n_eff: Float64Array;
  /** Relative efficiency of exp(log-lik) used for the tail length and the MCSE. */
  r_eff: Float64Array;
}

/** One row of the Pareto k table. */
export interface ParetoKBin {
  /** 'good' (k <= threshold), 'bad' (threshold < k <= 1), 'very bad' (k > 1). */
  label: 'good' | 'bad' | 'very bad';
  /** Interval of k, e.g. '(-Inf, 0.7]'. */
  range: string;
  count: number;
  proportion: number;
  /** Smallest PSIS n_eff in the bin (null when empty). */
  min_n_eff: number | null;
}

/** The PSIS-LOO estimates with their standard errors and the k table (no pointwise values). */
export interface LooEstimates {
  elpd_loo: number;
  se_elpd_loo: number;
  p_loo: number;
  se_p_loo: number;
  looic: number;
  se_looic: number;
  /** Monte Carlo SE of elpd_loo: sqrt(sum(mcse_i^2)) (loo's print method). */
  mcse_elpd_loo: number;
  /** Number of draws S and of observations N. */
  draws: number;
  observations: number;
  /** Sample-size dependent k threshold min(1 - 1/log10(S), 0.7). */
  pareto_k_threshold: number;
  pareto_k_table: ParetoKBin[];
}

/** The PSIS-LOO estimates with their standard errors, the pointwise values and the k table. */
export interface LooResult extends LooEstimates {
  pointwise: LooPointwise;
}

/** loo 2.5.1's `mcse_elpd` uses 1000 normal quantiles at (r - 3/8) / (1000 + 1/4) (Blom scores). */
const MCSE_POINTS = 1000;
let blom: Float64Array | null = null;

function blomScores(): Float64Array {
  if (blom) return blom;
  const c = 3 / 8;
  blom = new Float64Array(MCSE_POINTS);
  for (let r = 1; r <= MCSE_POINTS; r++) {
    blom[r - 1] = normalQuantile((r - c) / (MCSE_POINTS - 2 * c + 1));
  }
  return blom;
}

function checkMatrix(ll: LogLikMatrix): void {
  const { nDraws, nChains, nObs, values } = ll;
  if (values.length !== nDraws * nChains * nObs) {
    throw new RangeError(
      `log-likelihood matrix: ${values.length} values, expected ${nDraws} x ${nChains} x ${nObs}`,
    );
  }
}

/**
 * Relative efficiency of each observation's likelihood, ESS(exp(log_lik_n)) / S, with the ESS of the
 * chains without splitting or rank normalization (loo's `relative_eff` and `ess_rfun`: the core of
 * src/diagnostics/ess.ts on the unsplit chains). A constant or non-finite likelihood gives 1.
 * loo's FFT autocovariance is scaled by M/N when the draws per chain N are not of the form
 * 2^a 3^b 5^c (its padding M); this computes the unscaled autocovariance, so the two agree exactly
 * for such N (1000, 2000, ...) and differ slightly otherwise.
 * @example relativeEff(ll)[0]
 */
export function relativeEff(ll: LogLikMatrix): Float64Array {
  checkMatrix(ll);
  const { nDraws, nChains, nObs, values } = ll;
  const S = nDraws * nChains;
  const out = new Float64Array(nObs);
  const lik = new Float64Array(S);
  for (let n = 0; n < nObs; n++) {
    for (let s = 0; s < S; s++) lik[s] = Math.exp(values[n * S + s]);
    const ess = essCore(lik, nDraws, nChains);
    out[n] = Number.isFinite(ess) ? ess / S : 1;
  }
  return out;
}

function mcseElpd(ll: Float64Array, lw: Float64Array, elpd: number, rEff: number): number {
  const zn = blomScores();
  const E = Math.exp(elpd);
  let v = 0;
  for (let s = 0; s < ll.length; s++) {
    const w = Math.exp(lw[s]);
    const d = Math.exp(ll[s]) - E;
    v += w * w * d * d;
  }
  const sd = Math.sqrt(v);
  const logs: number[] = [];
  for (let r = 0; r < zn.length; r++) {
    const z = E + sd * zn[r];
    if (z > 0) logs.push(Math.log(z));
  }
  return Math.sqrt(variance(logs) / rEff);
}

function kTable(k: Float64Array, nEff: Float64Array, threshold: number): ParetoKBin[] {
  const t = Number(threshold.toFixed(2));
  const bins: ParetoKBin[] = [
    { label: 'good', range: `(-Inf, ${t}]`, count: 0, proportion: 0, min_n_eff: null },
    { label: 'bad', range: `(${t}, 1]`, count: 0, proportion: 0, min_n_eff: null },
    { label: 'very bad', range: '(1, Inf)', count: 0, proportion: 0, min_n_eff: null },
  ];
  for (let n = 0; n < k.length; n++) {
    const b = k[n] <= threshold ? bins[0] : k[n] <= 1 ? bins[1] : bins[2];
    b.count++;
    if (b.min_n_eff === null || nEff[n] < b.min_n_eff) b.min_n_eff = nEff[n];
  }
  for (const b of bins) b.proportion = k.length > 0 ? b.count / k.length : 0;
  return bins;
}

/** Sum and its standard error sqrt(N var(x)) (loo's `table_of_estimates`). */
function estimate(x: Float64Array): [number, number] {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  return [sum, Math.sqrt(x.length * variance(x))];
}

/**
 * PSIS-LOO of a pointwise log-likelihood matrix (loo's `loo.matrix` with r_eff given, default:
 * `relativeEff(ll)`): PSIS of the ratios 1 / p(y_n | theta_s) per observation, elpd_loo_n =
 * log sum_s w_s p(y_n | theta_s), p_loo_n = lpd_n - elpd_loo_n, looic = -2 elpd_loo, sums with
 * SE sqrt(N var), and the Pareto k table. Every value must be finite (as loo requires).
 * @example loo(ll).elpd_loo
 */
export function loo(ll: LogLikMatrix, rEff: Float64Array = relativeEff(ll)): LooResult {
  checkMatrix(ll);
  const { nDraws, nChains, nObs, values } = ll;
  const S = nDraws * nChains;
  if (rEff.length !== nObs) throw new RangeError('r_eff must have one value per observation');
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const n = Math.floor(i / S);
      throw new RangeError(
        `log-likelihood of observation ${n + 1} is not finite at draw ${(i % S) + 1}`,
      );
    }
  }
  const pw: LooPointwise = {
    elpd_loo: new Float64Array(nObs),
    mcse_elpd_loo: new Float64Array(nObs),
    p_loo: new Float64Array(nObs),
    looic: new Float64Array(nObs),
    pareto_k: new Float64Array(nObs),
    n_eff: new Float64Array(nObs),
    r_eff: Float64Array.from(rEff),
  };
  const neg = new Float64Array(S);
  for (let n = 0; n < nObs; n++) {
    const col = values.subarray(n * S, (n + 1) * S);
    for (let s = 0; s < S; s++) neg[s] = -col[s];
    const res = psis(neg, rEff[n]);
    const lw = normalizeLogWeights(res.logWeights);
    let m1 = Number.NEGATIVE_INFINITY;
    let m2 = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < S; s++) {
      if (col[s] + lw[s] > m1) m1 = col[s] + lw[s];
      if (col[s] > m2) m2 = col[s];
    }
    let a = 0;
    let b = 0;
    let w2 = 0;
    for (let s = 0; s < S; s++) {
      a += Math.exp(col[s] + lw[s] - m1);
      b += Math.exp(col[s] - m2);
      const w = Math.exp(lw[s]);
      w2 += w * w;
    }
    const elpd = m1 + Math.log(a);
    const lpd = m2 + Math.log(b) - Math.log(S);
    pw.elpd_loo[n] = elpd;
    pw.p_loo[n] = lpd - elpd;
    pw.looic[n] = -2 * elpd;
    pw.pareto_k[n] = res.k;
    pw.n_eff[n] = rEff[n] / w2;
    pw.mcse_elpd_loo[n] = mcseElpd(col, lw, elpd, rEff[n]);
  }
  const [elpdLoo, seElpd] = estimate(pw.elpd_loo);
  const [pLoo, sePLoo] = estimate(pw.p_loo);
  const [looic, seLooic] = estimate(pw.looic);
  let mc = 0;
  for (let n = 0; n < nObs; n++) mc += pw.mcse_elpd_loo[n] ** 2;
  const threshold = paretoKThreshold(S);
  return {
    elpd_loo: elpdLoo,
    se_elpd_loo: seElpd,
    p_loo: pLoo,
    se_p_loo: sePLoo,
    looic,
    se_looic: seLooic,
    mcse_elpd_loo: Math.sqrt(mc),
    draws: S,
    observations: nObs,
    pareto_k_threshold: threshold,
    pareto_k_table: kTable(pw.pareto_k, pw.n_eff, threshold),
    pointwise: pw,
  };
}

/** One row of a loo_compare table. */
export interface LooCompareRow {
  model: string;
  /** elpd_loo of this model minus that of the best (0 for the best). */
  elpd_diff: number;
  /** sqrt(N) sd of the pointwise differences (0 for the best). */
  se_diff: number;
  elpd_loo: number;
  se_elpd_loo: number;
  p_loo: number;
  se_p_loo: number;
  looic: number;
  se_looic: number;
}

/**
 * loo's `loo_compare`: models ordered by elpd_loo (best first), each with the summed pointwise
 * difference to the best and its SE sqrt(N) sd(diff). All models must have the same observations.
 * @example looCompare([{ model: 'a', loo: la }, { model: 'b', loo: lb }])[1].elpd_diff
 */
export function looCompare(models: readonly { model: string; loo: LooResult }[]): LooCompareRow[] {
  if (models.length === 0) return [];
  const N = models[0].loo.observations;
  for (const m of models) {
    if (m.loo.observations !== N) {
      throw new RangeError(
        `loo_compare: ${m.model} has ${m.loo.observations} observations, ${models[0].model} has ${N}`,
      );
    }
  }
  // R's order(decreasing = TRUE) is stable: ties keep the input order
  const order = models
    .map((_, i) => i)
    .sort((a, b) => models[b].loo.elpd_loo - models[a].loo.elpd_loo || a - b);
  const best = models[order[0]].loo.pointwise.elpd_loo;
  const diff = new Float64Array(N);
  return order.map((i) => {
    const l = models[i].loo;
    let sum = 0;
    for (let n = 0; n < N; n++) {
      diff[n] = l.pointwise.elpd_loo[n] - best[n];
      sum += diff[n];
    }
    return {
      model: models[i].model,
      elpd_diff: sum,
      se_diff: N > 1 ? Math.sqrt(N * variance(diff)) : Number.NaN,
      elpd_loo: l.elpd_loo,
      se_elpd_loo: l.se_elpd_loo,
      p_loo: l.p_loo,
      se_p_loo: l.se_p_loo,
      looic: l.looic,
      se_looic: l.se_looic,
    };
  });
}
