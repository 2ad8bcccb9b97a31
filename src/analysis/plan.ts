import { decideBatch } from './plan-decide.js';
import { ensembleValue } from './plan-ensemble.js';
import {
  PARETO_K_LIMIT,
  paretoKhat,
  settleUncertainty,
  truncatedWeights,
  weightEss,
} from './plan-weights.js';

export { settleUncertainty };

import type {
  PlanCandidateModel,
  PlanProblem,
  PlanScope,
  PlanSimulation,
  PlanValue,
  ScopeState,
} from './plan-types.js';

export type { PlanCandidateModel, PlanProblem, PlanScope, PlanSimulation, PlanValue };

import { createNormalRng } from './random.js';
import { bestIndex } from './recommend.js';

/**
 * Which run next, and when to stop: the value of information of candidate runs for the decisions a
 * comparison makes, by preposterior simulation on the posterior draws (Raiffa & Schlaifer 1961,
 * "Applied Statistical Decision Theory", ch. 4; the expected value of sample information as
 * computed by Monte Carlo in Ades, Lu & Claxton 2004, Med. Decis. Making 24(2)).
 *
 * For a candidate run with predictive mean eta[s] and noise sd[s] at posterior draw s:
 * 1. simulate M outcomes y_m = eta[s_m] + sd[s_m] z_m from the posterior predictive (stratified
 *    draws s_m shared by every candidate, so candidates are compared on common random numbers);
 * 2. reweight every draw by the likelihood of y_m, w_s = N(y_m | eta[s], sd[s]) (the posterior
 *    after the run, by importance sampling; plan-weights.ts truncates the weights and checks them);
 * 3. in each scope (overall, each category) re-make the recommendation on the reweighted draws
 *    with the comparison's own rule (`bestIndex`: highest P(best), ties by expected rank) and score
 *    the run by (a) whether the recommendation changes and (b) the reduction of the expected loss
 *    of the recommendation: E_w[V_new] - E_w[V_old] (the regret E[max_h V_h - V_rec] falls by
 *    that much in expectation, since E_y E_w[f] = E[f]); 0 whenever the recommendation stays.
 *
 * A batch of runs is scored the same way with the product of the runs' likelihoods (the runs'
 * outcomes simulated from the same draw s_m), and chosen greedily: each next run is the one that
 * adds most to the batch's value given the runs already in it (per unit of cost when costs are given),
 * so a second run that answers the same question as the first is worth less after it.
 */

/**
 * The margin m of the planner's loss: the loss of choosing h at draw s is
 * L_h(s) = max(0, max_g V_g(s) - V_h(s) - m) with m = ROPE / 2 (an expected opportunity cost,
 * Chick & Inoue 2001, Oper. Res. 49(5), with an indifference zone, Bechhofer 1954). With m = ROPE/2,
 * Markov's inequality turns E[L] <= alpha ROPE / 2 into P(max_g V_g - V_h > ROPE) <= alpha: the
 * stopping rule's guarantee (plan-from-fit.ts). A loss that ignores the ROPE (m = 0) never becomes
 * small when two heuristics are practically equivalent; one with m = ROPE gives no such guarantee.
 * @example lossMargin(1) // 0.5
 */
export function lossMargin(rope: number): number {
  return Number.isFinite(rope) && rope > 0 ? rope / 2 : 0;
}

/** Settings of the simulation. */
export interface PlanSimulationOptions {
  /** Simulated outcomes per candidate (default 64). */
  outcomes?: number;
  /** Seed of the simulated outcomes (default 1). */
  seed?: number;
}

/**
 * Which value the planner's batch maximizes: 'loss' (greedyBatch's default), the expected reduction
 * of the expected loss (PlanValue.value, the knowledge gradient); 'settle', the expected reduction of
 * the uncertainty whether each recommendation is within the ROPE of the best (PlanValue.settle); or
 * 'decide', the probability that every recommendation is decided after the batch, on a normal
 * approximation of the posterior (plan-decide.ts; planFromFit's default, PLAN_ACQUISITION).
 */
export type PlanAcquisition = 'settle' | 'loss' | 'decide';

/**
 * How a batch's posterior is approximated in the greedy search: 'reweight' (importance weights of
 * the draws by the batch's likelihood) or 'ensemble' (every draw moved by an ensemble Kalman
 * update, plan-ensemble.ts; it does not degenerate as a batch grows).
 */
export type PlanBatchUpdate = 'reweight' | 'ensemble';

/**
 * The recommendation of a scope on weighted draws, by the comparison's rule (`bestIndex`):
 * highest P(best), ties broken by the lower expected rank. `q` holds the normalized weights
 * w[s] / sum(w) (computed once per simulated outcome for every scope), null: equal weights.
 */
function weightedBest(
  st: ScopeState,
  H: number,
  S: number,
  q: Float64Array | null,
  pBest: Float64Array,
): number {
  pBest.fill(0);
  if (q) for (let s = 0; s < S; s++) pBest[st.winner[s]] += q[s];
  else for (let s = 0; s < S; s++) pBest[st.winner[s]] += 1 / S;
  let top = 0;
  let ties = 0;
  for (let h = 1; h < H; h++) {
    if (pBest[h] > pBest[top]) {
      top = h;
      ties = 0;
    } else if (pBest[h] === pBest[top]) ties++;
  }
  if (ties === 0) return top;
  // exact ties in P(best): expected ranks decide, as in recommend.ts
  const expectedRank = new Float64Array(H);
  const key = new Float64Array(H);
  for (let s = 0; s < S; s++) {
    const ws = q ? q[s] : 1 / S;
    for (let h = 0; h < H; h++) key[h] = st.sign * st.values[s + S * h];
    for (let h = 0; h < H; h++) {
      let r = 1;
      for (let g = 0; g < H; g++) if (key[g] > key[h] || (key[g] === key[h] && g < h)) r++;
      expectedRank[h] += ws * r;
    }
  }
  return bestIndex({
    names: [],
    pBest,
    expectedRank,
    probabilities: [],
    rankQ5: new Int32Array(),
    rankQ95: new Int32Array(),
  });
}

function scopeState(scope: PlanScope, H: number, S: number, sign: number): ScopeState {
  const winner = new Int32Array(S);
  const top = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let b = 0;
    for (let h = 1; h < H; h++)
      if (sign * scope.values[s + S * h] > sign * scope.values[s + S * b]) b = h;
    winner[s] = b;
    top[s] = sign * scope.values[s + S * b];
  }
  const rope = scope.rope ?? 0;
  const st: ScopeState = {
    sign,
    best: 0,
    winner,
    values: scope.values,
    top,
    margin: lossMargin(rope),
    loss: 0,
    ropeLoss: 0,
    ropeLossSe: 0,
    pWithinRope: 0,
    rope,
    uncertainty: 0,
  };
  st.best = weightedBest(st, H, S, null, new Float64Array(H));
  let sumD = 0;
  let sumL = 0;
  let sumL2 = 0;
  let within = 0;
  for (let s = 0; s < S; s++) {
    const d = top[s] - sign * scope.values[s + S * st.best];
    const l = d > st.margin ? d - st.margin : 0;
    sumD += d;
    sumL += l;
    sumL2 += l * l;
    if (d <= rope) within++;
  }
  st.loss = sumD / S;
  st.ropeLoss = sumL / S;
  st.ropeLossSe = Math.sqrt(Math.max(0, sumL2 / S - st.ropeLoss ** 2) / S);
  st.pWithinRope = within / S;
  st.uncertainty = settleUncertainty(st.pWithinRope, 1 / S);
  return st;
}

/** The loss of choosing heuristic h at draw s: max(0, max_g V_g(s) - V_h(s) - margin). */
function lossAt(st: ScopeState, S: number, h: number, s: number): number {
  return Math.max(st.top[s] - st.sign * st.values[s + S * h] - st.margin, 0);
}

/**
 * Prepare the simulation: the current recommendation of each scope, the outcome draws (stratified
 * over the draws, one uniform offset) and each candidate's simulated scores (one seeded normal
 * stream per candidate, so a candidate's outcomes do not depend on which others are listed).
 * @example const sim = simulatePlan(problem, { outcomes: 64, seed: 1 });
 */
export function simulatePlan(
  problem: PlanProblem,
  options: PlanSimulationOptions = {},
): PlanSimulation {
  const S = problem.nSamples;
  const H = problem.heuristics.length;
  const M = Math.max(1, Math.min(options.outcomes ?? 64, S));
  const seed = options.seed ?? 1;
  const u = createNormalRng(seed).uniform();
  const drawOf = Int32Array.from({ length: M }, (_, m) =>
    Math.min(S - 1, Math.floor(((m + u) * S) / M)),
  );
  const y = problem.candidates.map((c, k) => {
    const rng = createNormalRng(seed * 1000003 + k + 1);
    return Float64Array.from(drawOf, (s) => c.eta[s] + c.noiseSd[s] * rng.normal());
  });
  const sign = problem.higherIsBetter ? 1 : -1;
  const scopes = problem.scopes.map((sc) => scopeState(sc, H, S, sign));
  return { problem, M, drawOf, y, scopes, seed };
}

/** The current state of a scope's decision (see ScopeState). */
export interface PlanDecision {
  best: number;
  loss: number;
  ropeLoss: number;
  ropeLossSe: number;
  margin: number;
  pWithinRope: number;
}

/** The current recommendation (heuristic index) and expected losses of each scope. */
export function currentDecisions(sim: PlanSimulation): PlanDecision[] {
  return sim.scopes.map((s) => ({
    best: s.best,
    loss: s.loss,
    ropeLoss: s.ropeLoss,
    ropeLossSe: s.ropeLossSe,
    margin: s.margin,
    pWithinRope: s.pWithinRope,
  }));
}

/** 1 / sd and log sd of each candidate's noise, computed once (the inner loop's divisions and logs). */
const noiseCache = new WeakMap<Float64Array, { inv: Float64Array; log: Float64Array }>();

function noiseOf(sd: Float64Array): { inv: Float64Array; log: Float64Array } {
  let n = noiseCache.get(sd);
  if (!n) {
    n = { inv: sd.map((x) => 1 / x), log: sd.map((x) => Math.log(x)) };
    noiseCache.set(sd, n);
  }
  return n;
}

/** log N(y | eta[s], sd[s]) + const, added into lw. */
function addLogLik(lw: Float64Array, c: PlanCandidateModel, y: number): void {
  const { inv, log } = noiseOf(c.noiseSd);
  const eta = c.eta;
  for (let s = 0; s < lw.length; s++) {
    const z = (y - eta[s]) * inv[s];
    lw[s] += -0.5 * z * z - log[s];
  }
}

/** Scratch buffers reused across evaluations. */
interface Scratch {
  lw: Float64Array;
  w: Float64Array;
  pBest: Float64Array;
  sorted: Float64Array;
  /** normalized weights w / sum(w) of the current outcome */
  q: Float64Array;
}

function scratchFor(sim: PlanSimulation): Scratch {
  const S = sim.problem.nSamples;
  return {
    lw: new Float64Array(S),
    w: new Float64Array(S),
    pBest: new Float64Array(sim.problem.heuristics.length),
    sorted: new Float64Array(S),
    q: new Float64Array(S),
  };
}

/**
 * Simulated scores of the u-th repeat of candidate k in a batch (u = 0: sim.y[k]): another seed of
 * the same cell, its own noise around the same draw's mean (a seeded stream per candidate and repeat).
 */
function repeatOutcomes(sim: PlanSimulation, k: number, u: number): Float64Array {
  if (u === 0) return sim.y[k];
  const c = sim.problem.candidates[k];
  const rng = createNormalRng(sim.seed * 1000003 + 500009 * u + k + 1);
  return Float64Array.from(sim.drawOf, (s) => c.eta[s] + c.noiseSd[s] * rng.normal());
}

/**
 * The value of a batch: `base` holds the batch's summed log-likelihoods per outcome (M x S, or
 * null for the empty batch) and `extra` a candidate added on top (-1: none) with simulated scores
 * `extraY` (default: its first outcomes, sim.y[extra]).
 */
function evaluate(
  sim: PlanSimulation,
  base: Float64Array | null,
  extra: number,
  checkWeights: boolean,
  scratch: Scratch,
  onlyScope = -1,
  extraY: Float64Array | null = extra >= 0 ? sim.y[extra] : null,
): PlanValue {
  const { problem, M, scopes } = sim;
  const S = problem.nSamples;
  const H = problem.heuristics.length;
  const C = scopes.length;
  const value = new Float64Array(C);
  const settle = new Float64Array(C);
  const pChange = new Float64Array(C);
  let pChangeAny = 0;
  let relEss = 0;
  let unreliable = 0;
  let khatMax = checkWeights ? Number.NEGATIVE_INFINITY : Number.NaN;
  const { lw, w, pBest, q } = scratch;
  for (let m = 0; m < M; m++) {
    if (base) lw.set(base.subarray(m * S, (m + 1) * S));
    else lw.fill(0);
    if (extra >= 0 && extraY) addLogLik(lw, problem.candidates[extra], extraY[m]);
    if (checkWeights) {
      const k = paretoKhat(lw, scratch.sorted);
      if (k > PARETO_K_LIMIT) unreliable++;
      if (k > khatMax) khatMax = k;
    }
    const wSum = truncatedWeights(lw, w);
    if (checkWeights) relEss += weightEss(w) / S;
    // w[s] / wSum once for all scopes (the same numbers each scope divided out before)
    let sumQ2 = 0;
    for (let s = 0; s < S; s++) {
      q[s] = w[s] / wSum;
      sumQ2 += q[s] * q[s];
    }
    let changed = false;
    for (let c = 0; c < C; c++) {
      if (onlyScope >= 0 && c !== onlyScope) continue;
      const st = scopes[c];
      const b1 = weightedBest(st, H, S, q, pBest);
      // P(D <= ROPE) of the recommendation after the run, on the reweighted draws
      let within = 0;
      for (let s = 0; s < S; s++)
        if (st.top[s] - st.sign * st.values[s + S * b1] <= st.rope) within += q[s];
      settle[c] += st.uncertainty - settleUncertainty(within, sumQ2);
      if (b1 === st.best) continue;
      changed = true;
      pChange[c] += 1;
      // E_w[L_old - L_new]: the reduction of the expected loss on the posterior after the run
      let gain = 0;
      if (st.margin === 0) {
        // L_old - L_new = sign (V_new - V_old) when the loss has no margin
        const v0 = st.best * S;
        const v1 = b1 * S;
        for (let s = 0; s < S; s++)
          gain += st.sign * w[s] * (st.values[v1 + s] - st.values[v0 + s]);
      } else {
        for (let s = 0; s < S; s++)
          gain += w[s] * (lossAt(st, S, st.best, s) - lossAt(st, S, b1, s));
      }
      value[c] += gain / wSum;
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
    relEss: checkWeights ? relEss / M : Number.NaN,
    unreliable: checkWeights ? unreliable / M : Number.NaN,
    khatMax,
  };
}

/**
 * Value of each candidate run alone, with the weights checked (ESS, Pareto k-hat).
 * @example scoreCandidates(sim)[0].value // per-scope expected loss reduction of candidate 0
 */
export function scoreCandidates(sim: PlanSimulation): PlanValue[] {
  const scratch = scratchFor(sim);
  return sim.problem.candidates.map((_, k) => evaluate(sim, null, k, true, scratch));
}

/**
 * Candidates a greedy step considers: the `max(GREEDY_POOL, 4 n)` best by their value alone for the
 * batch's objective. A run worth little alone is rarely worth much in a batch (the gains of runs on
 * the same question shrink, they do not grow), and scoring every candidate at every step of every
 * verdict's batch was most of the planner's time (144 candidates x 8 batches on LongBench).
 */
export const GREEDY_POOL = 40;

/** A batch chosen by `greedyBatch`. */
export interface PlanBatch {
  /** Candidate indices in the order they were added. */
  runs: number[];
  /** Objective of the batch after each run was added (value per scope weighted by `objective`). */
  cumulative: number[];
  /** The batch's value (weights checked). */
  total: PlanValue;
  /**
   * With the 'decide' acquisition: after each run, the probability that every scope (weighted by
   * the objective) is decided after the batch so far, by the normal belief of plan-decide.ts.
   */
  pDecided?: number[];
}

/**
 * A batch of n runs chosen greedily with updated expectations: each step adds the candidate with
 * the largest gain of sum_c objective[c] value_c given the runs already chosen (divided by its cost),
 * simulating the batch's outcomes jointly from the same draws. `objective` weights the scopes
 * (all 1: every decision counts; one-hot: one category's). A candidate can be chosen again (another
 * seed of the same cell, with its own simulated noise) when that adds most; among equal gains the
 * run chosen fewer times wins.
 * With `singles` (scoreCandidates' values), each step considers only the GREEDY_POOL best alone.
 * `acquisition` says which value is maximized (PlanAcquisition; default 'loss'); `update` how the
 * batch's posterior is approximated (PlanBatchUpdate; default 'reweight'). With 'ensemble' the
 * returned total is the ensemble's value, with the weights' diagnostics of reweighting the batch.
 * @example greedyBatch(sim, 3, Float64Array.of(1, 1, 1)).runs // e.g. [12, 4, 30]
 */
export function greedyBatch(
  sim: PlanSimulation,
  n: number,
  objective: Float64Array,
  singles?: readonly PlanValue[],
  acquisition: PlanAcquisition = 'loss',
  update: PlanBatchUpdate = 'reweight',
  forced: readonly number[] = [],
): PlanBatch {
  const { problem, M } = sim;
  const S = problem.nSamples;
  const K = problem.candidates.length;
  const scratch = scratchFor(sim);
  const base = new Float64Array(M * S);
  const uses = new Int32Array(K);
  const runs: number[] = [];
  const cumulative: number[] = [];
  const pDecided: number[] = [];
  let current = 0;
  const objectiveOf = (v: PlanValue) =>
    (acquisition === 'settle' ? v.settle : v.value).reduce((a, x, c) => a + objective[c] * x, 0);
  // one scope only: the other scopes need not be evaluated
  const nonzero = Array.from(objective.keys()).filter((c) => objective[c] !== 0);
  const only = nonzero.length === 1 ? nonzero[0] : -1;
  let pool = Array.from({ length: K }, (_, k) => k);
  if (singles && K > Math.max(GREEDY_POOL, 4 * n)) {
    const alone = singles.map(objectiveOf);
    const cost = (k: number) => problem.candidates[k].cost;
    pool = pool
      .sort((a, b) => alone[b] / cost(b) - alone[a] / cost(a) || a - b)
      .slice(0, Math.max(GREEDY_POOL, 4 * n))
      .sort((a, b) => a - b);
  }
  const decided =
    acquisition === 'decide' ? decideBatch(sim, n, objective, undefined, forced) : null;
  for (let step = 0; step < n; step++) {
    if (decided) {
      // the runs come from the normal belief (plan-decide.ts); here only their simulated outcomes
      // are added up, for the batch's reweighted value below
      if (step >= decided.runs.length) break;
      const k = decided.runs[step];
      const yk = repeatOutcomes(sim, k, uses[k]);
      uses[k]++;
      runs.push(k);
      const c = problem.candidates[k];
      for (let m = 0; m < M; m++) addLogLik(base.subarray(m * S, (m + 1) * S), c, yk[m]);
      // cumulative keeps its one meaning (the batch's expected loss reduction so far); the
      // probability the normal belief gives every decision after these runs goes beside it
      cumulative.push(objectiveOf(evaluate(sim, base, -1, false, scratch, only)));
      pDecided.push(Math.exp(decided.cumulative[step]));
      continue;
    }
    let pick = -1;
    let pickGain = Number.NEGATIVE_INFINITY;
    let pickObjective = 0;
    let pickY: Float64Array | null = null;
    // the forced runs first (exploration): the greedy runs are chosen given them
    for (const k of step < forced.length ? [forced[step]] : pool) {
      const yk = repeatOutcomes(sim, k, uses[k]);
      const v =
        update === 'ensemble'
          ? ensembleValue(sim, uses, k, only)
          : evaluate(sim, runs.length > 0 ? base : null, k, false, scratch, only, yk);
      const obj = objectiveOf(v);
      const gain = (obj - current) / problem.candidates[k].cost;
      // equal gains (e.g. none is worth anything): the run used fewer times, so such a batch spreads
      if (gain > pickGain || (gain === pickGain && uses[k] < uses[pick])) {
        pick = k;
        pickGain = gain;
        pickObjective = obj;
        pickY = yk;
      }
    }
    if (pick < 0 || !pickY) break;
    uses[pick]++;
    runs.push(pick);
    cumulative.push(pickObjective);
    current = pickObjective;
    const c = problem.candidates[pick];
    for (let m = 0; m < M; m++) addLogLik(base.subarray(m * S, (m + 1) * S), c, pickY[m]);
  }
  const reweighted = evaluate(sim, runs.length > 0 ? base : null, -1, true, scratch);
  if (decided) return { runs, cumulative, total: reweighted, pDecided };
  if (update === 'reweight') return { runs, cumulative, total: reweighted };
  const { relEss, unreliable, khatMax } = reweighted;
  return {
    runs,
    cumulative,
    total: { ...ensembleValue(sim, uses, -1), relEss, unreliable, khatMax },
  };
}
