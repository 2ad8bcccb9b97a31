import { logAddExp } from '../math/logsumexp.js';
import { centred, crossCovariance } from '../math/moments.js';
import { normalQuantile } from '../math/normal-quantile.js';
import { normalCdf } from '../math/stdlib.js';
import type { PlanSimulation } from './plan-types.js';

/**
 * The planner's 'decide' acquisition: choose the batch that most raises the predictive probability
 * that every decision is settled after it, i.e. that each scope's recommendation is then within the
 * ROPE of the best with posterior probability >= 1 - alpha (the stopping target a user and the
 * backtest share).
 *
 * The loss-based value (plan.ts) is 0 for a run that confirms the current recommendation, so once
 * the recommendations are right and only their probability has to rise (0.8 to 0.95: most of the
 * runs on lra_xformers) it ranks runs by Monte Carlo noise; and reweighting the draws by a whole
 * batch keeps ~10 of 500. Here the posterior is summarized by its first two moments instead, the
 * correlated normal belief of Frazier, Powell & Dayanik (2009, INFORMS J. Comput. 21(4), "The
 * knowledge-gradient policy for correlated normal beliefs"): the candidates' means eta_k and the
 * scopes' pairwise differences d_j = sign (V_g - V_best) (every other heuristic g against the
 * scope's recommendation) are jointly normal with the draws' mean and covariance, and a run of
 * candidate k, y = eta_k + e with e ~ N(0, r_k) (r_k the mean over draws of the run's noise
 * variance), updates the covariance by the rank-one Kalman step
 *   P <- P - P[., k] P[k, .] / (P[k, k] + r_k),
 * which does not depend on the outcome y: a batch's posterior variances are known before it is run.
 *
 * For a pair with mean m, variance v now and variance v' after the batch, the posterior mean after
 * it is m' ~ N(m, v - v') (preposterior; the variance the batch removes), and the pair is settled
 * when one of the two heuristics is within the ROPE R of the other with probability >= 1 - a:
 * m' <= R - z sqrt(v') (keep the recommendation) or m' >= z sqrt(v') - R (switch), z = Phi^-1(1 - a).
 * So P(settled) = 1 when z sqrt(v') <= R, and otherwise, with A = z sqrt(v') - R,
 *   P(settled) = Phi((m - A) / sqrt(v - v')) + Phi((-m - A) / sqrt(v - v')).
 * A scope is settled when all its pairs are; the objective is sum_c objective[c] sum_j log P_j,
 * the log of the probability that every scope settles with the pairs taken as independent (a
 * product bound in the spirit of the Bonferroni bound on the probability of correct selection in
 * Chick & Inoue 2001, Oper. Res. 49(5)). Each pair gets a = alpha / m_c with m_c the scope's
 * contenders (pairs with P(d_j > R) >= alpha / 20 now), so that all of them at 1 - a give the
 * scope 1 - alpha. The log keeps the objective informative while settling is still far off: it is
 * then led by the pairs furthest from settling, which are the ones that decide when a user can stop.
 *
 * The batch is built greedily, each run the one with the largest gain of the objective (per unit
 * cost); a run already chosen can be chosen again (another seed: the update shrinks what it can
 * still add).
 */

/**
 * log Phi(x), accurate in the lower tail: below -37, where Phi underflows, the asymptotic series
 * Phi(x) = phi(x) / -x (1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 - ...) (Abramowitz & Stegun 26.2.12),
 * whose next term is below 1e-12 there.
 * @example logNormalCdf(-40) // -804.6084420137539
 */
export function logNormalCdf(x: number): number {
  if (x > -37) return Math.log(normalCdf(x, 0, 1));
  const u = 1 / (x * x);
  const series = u * (-1 + u * (3 + u * (-15 + u * 105)));
  return -0.5 / u - Math.log(-x) - 0.5 * Math.log(2 * Math.PI) + Math.log1p(series);
}

/** Share of alpha below which a pair is not a contender (its P(d > R) too small to matter). */
const CONTENDER_SHARE = 1 / 20;

/** A pair of the objective: scope c, its mean, the z of its share of alpha, the ROPE. */
export interface Pair {
  scope: number;
  mean: number;
  z: number;
  rope: number;
}

/**
 * log P(the pair settles after the batch) (see the module comment): `v0` its variance now, `v`
 * after the batch.
 * @example logPairSettles({ scope: 0, mean: 0, z: 1.645, rope: 1 }, 1, 0.1) // log P(|m'| >= 1.645 sqrt(0.1) - 1) = 0
 */
export function logPairSettles(p: Pair, v0: number, v: number): number {
  const A = p.z * Math.sqrt(Math.max(v, 0)) - p.rope;
  if (A <= 0) return 0;
  const tau = Math.sqrt(Math.max(v0 - v, 0));
  if (tau === 0) return Math.abs(p.mean) >= A ? 0 : Number.NEGATIVE_INFINITY;
  return Math.min(
    0,
    logAddExp(logNormalCdf((p.mean - A) / tau), logNormalCdf((-p.mean - A) / tau)),
  );
}

/** The normal belief of a simulation: pairs, their variances and the candidates' covariances. */
interface Belief {
  pairs: Pair[];
  /** variance of each pair now */
  v0: Float64Array;
  /** J x K covariance of the pairs with the candidates' means */
  covPairEta: Float64Array;
  /** K x K covariance of the candidates' means */
  covEta: Float64Array;
  /** mean over draws of each candidate's noise variance */
  noiseVar: Float64Array;
}

/**
 * The candidates' means centred over the draws, their covariance (K x K) and each one's mean noise
 * variance over the draws: the moments a Kalman update of the draws needs (here and in
 * plan-ensemble.ts).
 */
export function candidateMoments(sim: PlanSimulation): {
  eta: Float64Array[];
  covEta: Float64Array;
  noiseVar: Float64Array;
} {
  const { candidates, nSamples: S } = sim.problem;
  const K = candidates.length;
  const eta = candidates.map((c) => centred(c.eta));
  const covEta = new Float64Array(K * K);
  for (let i = 0; i < K; i++)
    for (let k = i; k < K; k++)
      covEta[i * K + k] = covEta[k * K + i] = crossCovariance(eta[i], eta[k]);
  const noiseVar = Float64Array.from(candidates, (c) => {
    let x = 0;
    for (let s = 0; s < S; s++) x += c.noiseSd[s] ** 2;
    return x / S;
  });
  return { eta, covEta, noiseVar };
}

function belief(sim: PlanSimulation, objective: Float64Array, alpha: number): Belief {
  const { problem, scopes } = sim;
  const S = problem.nSamples;
  const H = problem.heuristics.length;
  const K = problem.candidates.length;
  const pairs: Pair[] = [];
  const diffs: Float64Array[] = [];
  scopes.forEach((st, c) => {
    if (objective[c] === 0) return;
    const own: { d: Float64Array; mean: number; risk: number }[] = [];
    for (let g = 0; g < H; g++) {
      if (g === st.best) continue;
      const d = new Float64Array(S);
      let mean = 0;
      let out = 0;
      for (let s = 0; s < S; s++) {
        d[s] = st.sign * (st.values[s + S * g] - st.values[s + S * st.best]);
        mean += d[s] / S;
        if (d[s] > st.rope) out++;
      }
      own.push({ d, mean, risk: out / S });
    }
    const contenders = Math.max(1, own.filter((o) => o.risk >= alpha * CONTENDER_SHARE).length);
    const z = -normalQuantile(alpha / contenders);
    for (const o of own) {
      pairs.push({ scope: c, mean: o.mean, z, rope: st.rope });
      diffs.push(centred(o.d));
    }
  });
  const { eta, covEta, noiseVar } = candidateMoments(sim);
  const J = pairs.length;
  const v0 = Float64Array.from(diffs, (d) => crossCovariance(d, d));
  const covPairEta = new Float64Array(J * K);
  for (let j = 0; j < J; j++)
    for (let k = 0; k < K; k++) covPairEta[j * K + k] = crossCovariance(diffs[j], eta[k]);
  return { pairs, v0, covPairEta, covEta, noiseVar };
}

/** The batch of the 'decide' acquisition and its objective after each run. */
export interface DecideBatch {
  runs: number[];
  cumulative: number[];
}

/**
 * A batch of n runs chosen greedily to raise the log probability that every scope (weighted by
 * `objective`) is settled after it (module comment); alpha is the stopping threshold (0.05).
 * @example decideBatch(sim, 20, Float64Array.of(1, 1, 1, 1)).runs
 */
export function decideBatch(
  sim: PlanSimulation,
  n: number,
  objective: Float64Array,
  alpha = 0.05,
  forced: readonly number[] = [],
): DecideBatch {
  const { pairs, v0, covPairEta, covEta, noiseVar } = belief(sim, objective, alpha);
  const K = noiseVar.length;
  const J = pairs.length;
  const cost = sim.problem.candidates.map((c) => c.cost);
  const weight = Float64Array.from(pairs, (p) => objective[p.scope]);
  const v = Float64Array.from(v0);
  const pairObjective = (j: number, vj: number) => weight[j] * logPairSettles(pairs[j], v0[j], vj);
  let current = 0;
  for (let j = 0; j < J; j++) current += pairObjective(j, v[j]);
  const runs: number[] = [];
  const cumulative: number[] = [];
  for (let step = 0; step < n; step++) {
    let pick = -1;
    let pickGain = Number.NEGATIVE_INFINITY;
    let pickObjective = current;
    // the forced runs first (exploration, plan-from-fit.ts): the greedy runs are chosen given them
    const fixed = step < forced.length ? forced[step] : -1;
    for (let k = 0; k < K; k++) {
      if (fixed >= 0 && k !== fixed) continue;
      const den = covEta[k * K + k] + noiseVar[k];
      if (!(den > 0)) continue;
      let obj = 0;
      for (let j = 0; j < J; j++) {
        const c = covPairEta[j * K + k];
        obj += pairObjective(j, v[j] - (c * c) / den);
      }
      // before the first run a pair that is not settled now has log P = -Infinity (the batch
      // has moved nothing yet): then the objective itself ranks the runs
      const gain = Number.isFinite(current) ? (obj - current) / cost[k] : obj;
      if (pick < 0 || gain > pickGain) {
        pick = k;
        pickGain = gain;
        pickObjective = obj;
      }
    }
    if (pick < 0) break;
    // the rank-one Kalman update of every covariance the next step reads
    const den = covEta[pick * K + pick] + noiseVar[pick];
    const row = covEta.slice(pick * K, (pick + 1) * K);
    for (let j = 0; j < J; j++) {
      const c = covPairEta[j * K + pick];
      v[j] -= (c * c) / den;
      for (let k = 0; k < K; k++) covPairEta[j * K + k] -= (c * row[k]) / den;
    }
    for (let i = 0; i < K; i++) {
      const ci = row[i] / den;
      for (let k = 0; k < K; k++) covEta[i * K + k] -= ci * row[k];
    }
    runs.push(pick);
    cumulative.push(pickObjective);
    current = pickObjective;
  }
  return { runs, cumulative };
}
