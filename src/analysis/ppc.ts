import { gammaVariate } from '../math/gamma-variate.js';
import { variance } from '../math/moments.js';
import { quantileSorted } from '../math/quantile.js';
import type { NormalRng } from './random.js';

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
    const observed = Math.sqrt(variance(r.map((i) => y[i])));
    const rep = new Float64Array(nReplicates);
    const buf = new Float64Array(r.length);
    let above = 0;
    for (let k = 0; k < nReplicates; k++) {
      for (let j = 0; j < r.length; j++) buf[j] = yrep[k * N + r[j]];
      rep[k] = Math.sqrt(variance(buf));
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

/**
 * One chi-square draw with `df` >= 1 degrees of freedom: z^2 for df = 1, else 2 Gamma(df / 2)
 * (gammaVariate: Marsaglia & Tsang 2000).
 * @example chiSquare(createNormalRng(1), 10) // one draw with mean 10
 */
export function chiSquare(rng: NormalRng, df: number): number {
  if (df === 1) {
    const z = rng.normal();
    return z * z;
  }
  return 2 * gammaVariate(df / 2, rng);
}

/** Inputs of `ppcByTaskStreaming`. */
export interface StreamingPpcInput {
  /** Scores, one per row. */
  y: ArrayLike<number>;
  /** Task of each row (-1 = none). */
  rowTask: ArrayLike<number>;
  nTasks: number;
  /**
   * Rows whose replicates share one distribution: the same linear predictor (every group level
   * equal) and no per-row se. Atom of each row; atoms in first-row order.
   */
  rowAtom: Int32Array;
  nAtoms: number;
  /** Linear predictor of each atom for replicate k: writes eta[0 .. nAtoms). */
  atomEta: (k: number, eta: Float64Array) => void;
  nReplicates: number;
  /** sigma of each replicate (omitted: known se only). */
  sigma?: ArrayLike<number>;
  /** se of each row (then every row must be its own atom). */
  se?: ArrayLike<number>;
}

/**
 * The per-task PPC of `ppcByTask` without materializing replicates: O(atoms) memory and work per
 * replicate. The n rows of an atom are iid N(eta, s^2) in a replicate, so their sum of squares
 * about their mean is s^2 chi^2_(n - 1), independent of their mean ~ N(eta, s^2 / n) (Cochran's
 * theorem); the task's sd follows from the atoms' means and sums of squares. With one row per atom
 * it draws the same normals in the same order as `replicateGaussian` + `ppcByTask`, so the results
 * are the same bit for bit (tested).
 * @example ppcByTaskStreaming({ y, rowTask, nTasks, rowAtom, nAtoms, atomEta, nReplicates: 400, sigma }, rng)
 */
export function ppcByTaskStreaming(input: StreamingPpcInput, rng: NormalRng): TaskPpc[] {
  const { y, rowTask, nTasks, rowAtom, nAtoms, nReplicates: K, sigma, se } = input;
  const N = y.length;
  const n = new Float64Array(nAtoms);
  const atomTask = new Int32Array(nAtoms).fill(-1);
  const atomSe = se ? new Float64Array(nAtoms) : null;
  const rowsOfTask = new Float64Array(nTasks);
  const sum = new Float64Array(nTasks);
  for (let i = 0; i < N; i++) {
    const a = rowAtom[i];
    n[a]++;
    atomTask[a] = rowTask[i];
    if (atomSe && se) atomSe[a] = se[i];
    const t = rowTask[i];
    if (t < 0) continue;
    rowsOfTask[t]++;
    sum[t] += y[i];
  }
  // observed sd per task in row order, as `sd` computes it over the task's rows
  const mean = new Float64Array(nTasks);
  const ss = new Float64Array(nTasks);
  for (let t = 0; t < nTasks; t++) mean[t] = sum[t] / rowsOfTask[t];
  for (let i = 0; i < N; i++) {
    const t = rowTask[i];
    if (t >= 0) ss[t] += (y[i] - mean[t]) ** 2;
  }
  const observed = Float64Array.from(ss, (x, t) => Math.sqrt(x / (rowsOfTask[t] - 1)));
  const eta = new Float64Array(nAtoms);
  const repMean = new Float64Array(nAtoms);
  const repSs = new Float64Array(nAtoms);
  const rep = Array.from({ length: nTasks }, () => new Float64Array(K));
  const above = new Float64Array(nTasks);
  for (let k = 0; k < K; k++) {
    input.atomEta(k, eta);
    const sg = sigma ? sigma[k] : 0;
    for (let a = 0; a < nAtoms; a++) {
      const s = Math.sqrt(sg * sg + (atomSe ? atomSe[a] * atomSe[a] : 0));
      if (n[a] === 1) {
        repMean[a] = eta[a] + s * rng.normal();
        repSs[a] = 0;
      } else {
        repMean[a] = eta[a] + (s / Math.sqrt(n[a])) * rng.normal();
        repSs[a] = s * s * chiSquare(rng, n[a] - 1);
      }
    }
    sum.fill(0);
    ss.fill(0);
    for (let a = 0; a < nAtoms; a++) if (atomTask[a] >= 0) sum[atomTask[a]] += n[a] * repMean[a];
    for (let t = 0; t < nTasks; t++) mean[t] = sum[t] / rowsOfTask[t];
    for (let a = 0; a < nAtoms; a++) {
      const t = atomTask[a];
      if (t >= 0) ss[t] += repSs[a] + n[a] * (repMean[a] - mean[t]) ** 2;
    }
    for (let t = 0; t < nTasks; t++) {
      const v = Math.sqrt(ss[t] / (rowsOfTask[t] - 1));
      rep[t][k] = v;
      if (v >= observed[t]) above[t]++;
    }
  }
  return rep.map((r, t) => {
    if (rowsOfTask[t] < 2) {
      return {
        observed_sd: Number.NaN,
        replicated_sd_q5: Number.NaN,
        replicated_sd_q95: Number.NaN,
        p_value: Number.NaN,
      };
    }
    r.sort();
    return {
      observed_sd: observed[t],
      replicated_sd_q5: quantileSorted(r, 0.05),
      replicated_sd_q95: quantileSorted(r, 0.95),
      p_value: above[t] / K,
    };
  });
}
