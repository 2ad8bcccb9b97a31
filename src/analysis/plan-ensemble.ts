import { centred, crossCovariance } from '../math/moments.js';
import { candidateMoments } from './plan-decide.js';
import type { PlanSimulation, PlanValue } from './plan-types.js';
import { settleUncertainty } from './plan-weights.js';
import { createNormalRng } from './random.js';

/**
 * The value of a batch of runs by an ensemble (Kalman) update of the posterior draws instead of
 * reweighting them. Reweighting by the likelihood of a whole batch degenerates: on lra_xformers a
 * batch of 20 runs leaves a relative ESS of 0.02 (10 of 500 draws) and Pareto k-hat > 0.7 on every
 * simulated outcome, so beyond its first few runs the greedy search compares noise. Here every draw
 * is moved instead (the perturbed-observation ensemble Kalman update, Evensen 1994, J. Geophys.
 * Res. 99(C5); Burgers, van Leeuwen & Evensen 1998, Mon. Weather Rev. 126; pathwise conditioning
 * in Wilson et al. 2020, ICML): with n_j runs of cell j in the batch, their mean y_j = eta_j + e_j,
 * e_j ~ N(0, r_j / n_j) (r_j the mean over draws of the run's noise variance), and for every draw s
 *   V'(s) = V(s) + K (y - eta_B(s) - e(s)),  K = Cov(V, eta_B) (Cov(eta_B) + R)^-1,
 * with V the scopes' values (linear in the cell means) and e(s) a perturbation drawn once per draw
 * and cell. This is exact when the draws are Gaussian (a Gaussian model's cell means given sigma
 * nearly are) and never loses draws. Since e(s) does not depend on the outcome y,
 * V'(s) = W(s) + K y with W(s) = V(s) - K (eta_B(s) + e(s)): each simulated outcome shifts the
 * same shrunk ensemble W, so an outcome costs one pass over the draws.
 */

/** Moments of the draws the ensemble update needs, computed once per simulation. */
interface Moments {
  /** K x K covariance of the candidates' means over the draws. */
  covEta: Float64Array;
  /** (C H) x K covariance of the scope values with the candidates' means. */
  covVEta: Float64Array;
  /** Mean over draws of each candidate's noise variance. */
  noiseVar: Float64Array;
  /** eps[k][s]: standard normal perturbation of candidate k's observation at draw s. */
  eps: Float64Array[];
  /** z[k][m]: standard normal noise of candidate k's simulated outcome m. */
  z: Float64Array[];
  /** The scopes' values draw-major: vByDraw[s C H + c H + h]. */
  vByDraw: Float64Array;
}

const cache = new WeakMap<PlanSimulation, Moments>();

/**
 * Simulated outcomes the ensemble value averages over (the first of the simulation's M): its
 * outcomes move every draw instead of reweighting a few, so half of the default 64 keep the
 * search's cost near that of reweighting.
 */
export const ENSEMBLE_OUTCOMES = 32;

function moments(sim: PlanSimulation): Moments {
  const hit = cache.get(sim);
  if (hit) return hit;
  const { problem, M } = sim;
  const S = problem.nSamples;
  const H = problem.heuristics.length;
  const C = problem.scopes.length;
  const K = problem.candidates.length;
  const { eta, covEta, noiseVar } = candidateMoments(sim);
  const v: Float64Array[] = [];
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++) v.push(centred(problem.scopes[c].values, S * h, S));
  const covVEta = new Float64Array(C * H * K);
  for (let i = 0; i < C * H; i++)
    for (let k = 0; k < K; k++) covVEta[i * K + k] = crossCovariance(v[i], eta[k]);
  // one seeded stream per candidate (its numbers do not depend on which others are listed)
  const eps = problem.candidates.map((_, k) => {
    const rng = createNormalRng(sim.seed * 7000003 + k + 1);
    return Float64Array.from({ length: S }, () => rng.normal());
  });
  const z = problem.candidates.map((_, k) => {
    const rng = createNormalRng(sim.seed * 9000011 + k + 1);
    return Float64Array.from({ length: M }, () => rng.normal());
  });
  const vByDraw = new Float64Array(S * C * H);
  for (let s = 0; s < S; s++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        vByDraw[s * C * H + c * H + h] = problem.scopes[c].values[s + S * h];
  const m = { covEta, covVEta, noiseVar, eps, z, vByDraw };
  cache.set(sim, m);
  return m;
}

/** Solve A X = B in place for symmetric positive definite A (d x d) and B (d x n), by Cholesky. */
function cholSolve(A: Float64Array, d: number, B: Float64Array, n: number): void {
  for (let j = 0; j < d; j++) {
    let sum = A[j * d + j];
    for (let k = 0; k < j; k++) sum -= A[j * d + k] ** 2;
    const ljj = Math.sqrt(Math.max(sum, 1e-300));
    A[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let x = A[i * d + j];
      for (let k = 0; k < j; k++) x -= A[i * d + k] * A[j * d + k];
      A[i * d + j] = x / ljj;
    }
  }
  for (let col = 0; col < n; col++) {
    for (let i = 0; i < d; i++) {
      let x = B[i * n + col];
      for (let k = 0; k < i; k++) x -= A[i * d + k] * B[k * n + col];
      B[i * n + col] = x / A[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let x = B[i * n + col];
      for (let k = i + 1; k < d; k++) x -= A[k * d + i] * B[k * n + col];
      B[i * n + col] = x / A[i * d + i];
    }
  }
}

/**
 * The value of the batch with `counts[k]` runs of candidate k (plus one of `extra` when >= 0), per
 * scope, by the ensemble update: `value` (expected reduction of the expected loss), `settle`
 * (expected reduction of P(1 - P), P = P(within ROPE)) and `pChange`, as `evaluate` in plan.ts
 * defines them, on the moved draws instead of reweighted ones. The weights' diagnostics are NaN
 * (no weights). `onlyScope` >= 0 evaluates that scope alone.
 * @example ensembleValue(sim, counts, 3).settle[0]
 */
export function ensembleValue(
  sim: PlanSimulation,
  counts: Int32Array,
  extra: number,
  onlyScope = -1,
): PlanValue {
  const { problem, scopes, drawOf } = sim;
  const M = Math.min(sim.M, ENSEMBLE_OUTCOMES);
  const S = problem.nSamples;
  const H = problem.heuristics.length;
  const C = problem.scopes.length;
  const K = problem.candidates.length;
  const CH = C * H;
  const mo = moments(sim);
  const cells: number[] = [];
  const n: number[] = [];
  for (let k = 0; k < K; k++) {
    const nk = counts[k] + (k === extra ? 1 : 0);
    if (nk > 0) {
      cells.push(k);
      n.push(nk);
    }
  }
  const d = cells.length;
  const value = new Float64Array(C);
  const settle = new Float64Array(C);
  const pChange = new Float64Array(C);
  const nan = Number.NaN;
  if (d === 0) {
    return { value, settle, pChange, pChangeAny: 0, relEss: nan, unreliable: nan, khatMax: nan };
  }
  // gain^T = (Cov(eta_B) + R)^-1 Cov(eta_B, V): d x CH
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) A[i * d + j] = mo.covEta[cells[i] * K + cells[j]];
  for (let i = 0; i < d; i++) A[i * d + i] += mo.noiseVar[cells[i]] / n[i];
  const G = new Float64Array(d * CH);
  for (let i = 0; i < d; i++)
    for (let q = 0; q < CH; q++) G[i * CH + q] = mo.covVEta[q * K + cells[i]];
  cholSolve(A, d, G, CH);
  // W(s) = V(s) - K (eta_B(s) + e(s)), stored draw-major: W[s CH + q], q = c H + h
  const W = new Float64Array(mo.vByDraw);
  const sdE = n.map((nk, i) => Math.sqrt(mo.noiseVar[cells[i]] / nk));
  const obs = new Float64Array(d);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < d; i++) {
      const k = cells[i];
      obs[i] = problem.candidates[k].eta[s] + sdE[i] * mo.eps[k][s];
    }
    const row = s * CH;
    for (let i = 0; i < d; i++) {
      const o = obs[i];
      const gi = i * CH;
      for (let q = 0; q < CH; q++) W[row + q] -= G[gi + q] * o;
    }
  }
  const topBuf = new Float64Array(S);
  const shift = new Float64Array(CH);
  const yBar = new Float64Array(d);
  const wins = new Float64Array(H);
  let pChangeAny = 0;
  for (let m = 0; m < M; m++) {
    const s0 = drawOf[m];
    for (let i = 0; i < d; i++) {
      const c = problem.candidates[cells[i]];
      yBar[i] = c.eta[s0] + (c.noiseSd[s0] / Math.sqrt(n[i])) * mo.z[cells[i]][m];
    }
    for (let q = 0; q < CH; q++) {
      let x = 0;
      for (let i = 0; i < d; i++) x += G[i * CH + q] * yBar[i];
      shift[q] = x;
    }
    let changed = false;
    for (let c = 0; c < C; c++) {
      if (onlyScope >= 0 && c !== onlyScope) continue;
      const st = scopes[c];
      const sign = st.sign;
      const base = c * H;
      // the recommendation on the moved draws: the most frequent winner (compare's P(best))
      wins.fill(0);
      for (let s = 0; s < S; s++) {
        const row = s * CH + base;
        let b = 0;
        let top = sign * (W[row] + shift[base]);
        for (let h = 1; h < H; h++) {
          const x = sign * (W[row + h] + shift[base + h]);
          if (x > top) {
            top = x;
            b = h;
          }
        }
        wins[b]++;
        topBuf[s] = top;
      }
      let b1 = 0;
      for (let h = 1; h < H; h++) if (wins[h] > wins[b1]) b1 = h;
      let within = 0;
      let gain = 0;
      const b0 = st.best;
      for (let s = 0; s < S; s++) {
        const row = s * CH + base;
        const top = topBuf[s];
        const v1 = sign * (W[row + b1] + shift[base + b1]);
        if (top - v1 <= st.rope) within++;
        if (b1 !== b0) {
          const v0 = sign * (W[row + b0] + shift[base + b0]);
          gain += Math.max(top - v0 - st.margin, 0) - Math.max(top - v1 - st.margin, 0);
        }
      }
      settle[c] += st.uncertainty - settleUncertainty(within / S, 1 / S);
      if (b1 !== b0) {
        changed = true;
        pChange[c] += 1;
        value[c] += gain / S;
      }
    }
    if (changed) pChangeAny++;
  }
  for (let c = 0; c < C; c++) {
    value[c] /= M;
    settle[c] /= M;
    pChange[c] /= M;
  }
  return {
    value,
    settle,
    pChange,
    pChangeAny: pChangeAny / M,
    relEss: nan,
    unreliable: nan,
    khatMax: nan,
  };
}
