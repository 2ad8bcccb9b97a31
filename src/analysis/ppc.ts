import type { NormalRng } from './random.js';
import { quantileSorted, sd } from './stats.js';

/**
 * Posterior predictive check of each task's spread (Gelman et al. 2013, BDA3 section 6.3, test
 * quantity T(y) = sd of the task's scores): the observed sd against the sd of replicated data sets
 * drawn from the fitted model, with the posterior predictive p-value P(T(y_rep) >= T(y)).
 */
export interface TaskPpc {
  observed_sd: number;
  replicated_sd_q5: number;
  replicated_sd_q95: number;
  p_value: number;
}

/**
 * Per-task PPC of the spread from K replicated data sets (yrep[k * nRows + i]).
 * Tasks with fewer than 2 rows get NaN throughout.
 * @example ppcByTask(y, rowTask, 5, yrep, 200)[0].p_value
 */
export function ppcByTask(
  y: ArrayLike<number>,
  rowTask: ArrayLike<number>,
  nTasks: number,
  yrep: Float64Array,
  nReplicates: number,
): TaskPpc[] {
  const N = y.length;
  const rows: number[][] = Array.from({ length: nTasks }, () => []);
  for (let i = 0; i < N; i++) if (rowTask[i] >= 0) rows[rowTask[i]].push(i);
  return rows.map((r) => {
    if (r.length < 2) {
      return {
        observed_sd: Number.NaN,
        replicated_sd_q5: Number.NaN,
        replicated_sd_q95: Number.NaN,
        p_value: Number.NaN,
      };
    }
    const observed = sd(r.map((i) => y[i]));
    const rep = new Float64Array(nReplicates);
    const buf = new Float64Array(r.length);
    let above = 0;
    for (let k = 0; k < nReplicates; k++) {
      for (let j = 0; j < r.length; j++) buf[j] = yrep[k * N + r[j]];
      rep[k] = sd(buf);
      if (rep[k] >= observed) above++;
    }
    rep.sort();
    return {
      observed_sd: observed,
      replicated_sd_q5: quantileSorted(rep, 0.05),
      replicated_sd_q95: quantileSorted(rep, 0.95),
      p_value: above / nReplicates,
    };
  });
}

/**
 * Gaussian replicates: yrep = eta + e with e ~ N(0, sqrt(sigma^2 + se_i^2)) (brms: with `se(se)` and
 * no sigma the known se alone). eta is K x nRows (row predictors); sigma has one value per replicate
 * or is omitted; se has one value per row or is omitted.
 * @example replicateGaussian(eta, 2, Float64Array.of(1, 1), undefined, rng)
 */
export function replicateGaussian(
  eta: Float64Array,
  nReplicates: number,
  sigma: ArrayLike<number> | undefined,
  se: ArrayLike<number> | undefined,
  rng: NormalRng,
): Float64Array {
  const N = eta.length / nReplicates;
  const out = new Float64Array(eta.length);
  for (let k = 0; k < nReplicates; k++) {
    const sg = sigma ? sigma[k] : 0;
    for (let i = 0; i < N; i++) {
      const s2 = sg * sg + (se ? se[i] * se[i] : 0);
      out[k * N + i] = eta[k * N + i] + Math.sqrt(s2) * rng.normal();
    }
  }
  return out;
}
