/**
 * The planner's data: scopes, candidate runs, the problem, the value of a run or batch, and a
 * prepared preposterior simulation (plan.ts computes with them; plan-ensemble.ts values batches on
 * the same simulation). Types only, in a file of their own so that the two need not import each
 * other.
 */

/** A scope the recommendation is made in: draws of each heuristic's expected score there. */
export interface PlanScope {
  name: string;
  /** values[s + S * h]: draw s of heuristic h (HeuristicDraws layout), in score units. */
  values: Float64Array;
  /**
   * ROPE half-width of the scope (score units; default 0). A heuristic within it of the best is a
   * correct choice; the loss the planner values and the stopping rule uses is the opportunity cost
   * beyond half of it (see `lossMargin`).
   */
  rope?: number;
}

/** A candidate run as the planner sees it: its predictive distribution at every draw. */
export interface PlanCandidateModel {
  /** Mean of the run's score at each draw (model scale). */
  eta: Float64Array;
  /** Sd of one run's score around eta at each draw (model scale). */
  noiseSd: Float64Array;
  /** Cost of the run (> 0; 1 without costs). */
  cost: number;
}

/** Everything the planner computes with: scopes, candidates, orientation. */
export interface PlanProblem {
  heuristics: readonly string[];
  nSamples: number;
  scopes: readonly PlanScope[];
  candidates: readonly PlanCandidateModel[];
  higherIsBetter: boolean;
}

/** What one candidate or batch is worth, per scope. */
export interface PlanValue {
  /** Expected reduction of the expected loss of the recommendation, per scope (score units). */
  value: Float64Array;
  /** Probability that the recommendation changes, per scope. */
  pChange: Float64Array;
  /** Probability that the recommendation changes in at least one scope. */
  pChangeAny: number;
  /** Mean relative effective sample size of the importance weights (ESS / S). */
  relEss: number;
  /** Share of simulated outcomes whose weights have Pareto k-hat > 0.7 (NaN when not checked). */
  unreliable: number;
  /** Largest k-hat over the simulated outcomes (NaN when not checked). */
  khatMax: number;
  /**
   * Expected reduction, per scope, of the uncertainty whether the recommendation is within the
   * ROPE of the best: U = P (1 - P) with P = P(D <= ROPE) of the scope's recommendation (re-made
   * after the run), the Brier uncertainty function of DeGroot 1962 (see `settleUncertainty`).
   * Unlike `value` it is not 0 when the recommendation stays: a run that makes the posterior surer
   * that the current choice is (or is not) correct is worth something, which is what a scope needs
   * to settle (P(within ROPE) >= 0.95).
   */
  settle: Float64Array;
}

/** The state of one scope before any new run: its recommendation and the draw-wise winners. */
export interface ScopeState {
  sign: number;
  best: number;
  /** argmax (in the stated orientation) of each draw. */
  winner: Int32Array;
  /** the scope's draws (PlanScope.values). */
  values: Float64Array;
  /** sign * max_h V_h at each draw (the oriented best value). */
  top: Float64Array;
  /** margin of the loss (lossMargin of the scope's ROPE). */
  margin: number;
  /** expected opportunity cost of the recommendation now: E[max_h V_h - V_best] (score units). */
  loss: number;
  /** expected loss beyond the margin: E[max(0, max_h V_h - V_best - margin)] (score units). */
  ropeLoss: number;
  /** Monte Carlo standard error of ropeLoss (sd of the draw-wise losses / sqrt(S)). */
  ropeLossSe: number;
  /** P(max_h V_h - V_best <= ROPE): the recommendation is practically as good as the best. */
  pWithinRope: number;
  /** ROPE half-width of the scope (score units). */
  rope: number;
  /** settleUncertainty of pWithinRope on the equally weighted draws. */
  uncertainty: number;
}

/** A prepared simulation: outcome draws, simulated scores, scope states. */
export interface PlanSimulation {
  problem: PlanProblem;
  M: number;
  /** draw index of outcome m. */
  drawOf: Int32Array;
  /** y[k][m]: simulated score of candidate k in outcome m. */
  y: Float64Array[];
  /** Seed of the simulation (the outcomes of a candidate's repeats in a batch are drawn from it). */
  seed: number;
  scopes: ScopeState[];
}
