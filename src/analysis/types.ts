import type { DiagnosticWarning } from '../diagnostics/types.js';

/**
 * The `bayesbench compare --json` document (and `GET /api/fits/:id/summary`). Scores are in the
 * score's units unless `scale` says 'task' (then heuristic- and category-level numbers are in
 * standard-deviation units and per-task numbers back in each task's units).
 */
export interface ComparisonHeuristic {
  name: string;
  /** Posterior mean of the heuristic's expected score (average over tasks). */
  mean: number;
  q5: number;
  q95: number;
  p_best: number;
  /** 1 = best. */
  expected_rank: number;
  /** 90% credible interval of the rank (5% and 95% quantiles of its posterior; 1 = best). */
  rank_q5?: number;
  rank_q95?: number;
}

export interface ComparisonPair {
  a: string;
  b: string;
  /** 'overall', 'category:NAME' or 'task:NAME'. */
  scope: string;
  p_a_better: number;
  p_rope: number;
  p_b_better: number;
  /**
   * P(A > B) with no ROPE, from the same draws: the fraction with a - b > 0 (higher-is-better
   * orientation), a draw with a - b = 0 counting half. Absent in documents from older versions.
   */
  p_a_greater?: number;
  /**
   * 'a_better' | 'b_better' | 'equivalent' (confident: one ROPE probability reached the threshold),
   * else 'probably_a' | 'probably_b' (P(A > B) >= 0.9 or <= 0.1) | 'inconclusive'
   * (src/analysis/decision.ts `decide`).
   */
  decision: string;
  /** Posterior mean and 90% interval of a - b (score units, higher-is-better orientation). */
  diff_mean?: number;
  diff_q5?: number;
  diff_q95?: number;
}

export interface ComparisonCell {
  heuristic: string;
  mean: number;
  q5: number;
  q95: number;
  p_best: number;
  expected_rank: number;
  /** 90% credible interval of the rank within the scope (1 = best). */
  rank_q5?: number;
  rank_q95?: number;
}

export interface ComparisonCategory {
  name: string;
  tasks: string[];
  heuristics: ComparisonCell[];
  /** The recommendation: best heuristic, its P(best), the runner-up it cannot yet be told apart from (or null). */
  best: string;
  p_best: number;
  runner_up: string | null;
  /** Groups that cannot be told apart, best first; [0] = tied for first (rule in tie_rule). */
  tie_groups?: string[][];
  tie_rule?: string;
}

export interface ComparisonTask {
  name: string;
  category: string | null;
  heuristics: ComparisonCell[];
  /** Posterior predictive check: observed spread (sd of scores) vs the replicated spread's 5-95% interval. */
  ppc?: {
    observed_sd: number;
    replicated_sd_q5: number;
    replicated_sd_q95: number;
    p_value: number;
  };
}

export interface ComparisonDiagnostics {
  max_rhat: number;
  min_ess_bulk: number;
  min_ess_tail: number;
  /** Total post-warmup divergent transitions. */
  divergent: number;
}

/**
 * One point of a method's score-vs-budget curve in one scope ('overall' or 'category:NAME'), in the
 * units of that scope; `loss_vs_full` = full-cache reference minus this arm (higher-is-better
 * orientation: positive = worse than the full cache), `p_within_rope` = P(loss < ROPE).
 */
export interface BudgetCurvePoint {
  scope: string;
  heuristic: string;
  budget: string;
  /** The budget as a number (tokens, ratio; src/data/budget.ts), NaN when not a number. */
  budget_value: number;
  mean: number;
  q5: number;
  q95: number;
  loss_vs_full?: { mean: number; q5: number; q95: number; p_within_rope: number };
  /**
   * With the budget-curve model: false for a point of the grid between observed budgets (absent or
   * true: an observed budget).
   */
  observed?: boolean;
  /** With the budget-curve model, at an observed budget: the per-arm posterior of method@budget. */
  per_arm?: { mean: number; q5: number; q95: number };
}

/**
 * Where method A starts to beat method B for good: from `budget` on, P(A > B) >= threshold at every
 * common observed budget (`p_a_greater`, one per budget from there on).
 */
export interface BudgetCrossing {
  scope: string;
  a: string;
  b: string;
  budget: string;
  p_a_greater: number[];
}

/** The budgets section: curves and crossings per scope, and the full-cache reference arm. */
export interface ComparisonBudgets {
  /** The input column holding the budgets. */
  column: string;
  /** The full-cache arm every loss is measured against (null when there is none). */
  reference: string | null;
  curves: BudgetCurvePoint[];
  crossings: BudgetCrossing[];
  /**
   * Where the curves come from: 'curve' (the budget-curve model, src/model/budget-curve.ts: smooth
   * and monotone in log budget, observed budgets and a grid) or 'arms' (each method@budget arm of
   * the comparison model, observed budgets only). Absent in older documents: 'arms'.
   */
  model?: 'curve' | 'arms';
  /** Diagnostics of the budget-curve model's own fit (with model 'curve'). */
  curve_diagnostics?: ComparisonDiagnostics;
  /**
   * With model 'curve': the decisions at each observed budget, per scope, from the curve
   * posterior (the methods' curves read at that budget): P(best) among the methods and every pair.
   */
  decisions?: BudgetDecision[];
}

/**
 * The decisions at one observed budget of one scope from the budget-curve model: each method's
 * expected score on its curve there with P(best) among the methods run at that budget and its
 * expected rank, the best, and every pair of methods (scope of the pairs: this decision's scope).
 */
export interface BudgetDecision {
  scope: string;
  budget: string;
  budget_value: number;
  best: string;
  p_best: number;
  heuristics: ComparisonCell[];
  pairs: ComparisonPair[];
}

/**
 * Results per backbone: each heuristic's expected score over all tasks on that backbone (the
 * overall results average these over the backbones), with P(best) and ranks within the backbone.
 */
export interface ComparisonBackbones {
  /** The input column holding the backbones. */
  column: string;
  levels: { name: string; heuristics: ComparisonCell[] }[];
}

/**
 * One variance component of the fitted model: a group-level sd (`sd_GROUP__COEF`) or the residual
 * sd (`sigma`), posterior mean and 90% interval, in the units of heuristic-level results (link scale
 * for binomial and beta families). See src/analysis/variance.ts.
 */
export interface ComparisonVarianceComponent {
  name: string;
  mean: number;
  q5: number;
  q95: number;
}

/** A confident decision about a scope's best that is not the same without one task. */
export interface RobustnessFlip {
  a: string;
  b: string;
  /** The decision with all tasks ('a_better' | 'b_better' | 'equivalent'). */
  decision: string;
  /** The decision without the task (src/analysis/decision.ts `decide`). */
  decision_without: string;
  /** The probability the decision rested on (P(A better), P(B better) or P(rope)), all tasks. */
  p: number;
  /** The same probability without the task. */
  p_without: number;
}

/** One task left out of a scope's average (src/analysis/robustness.ts). */
export interface RobustnessTask {
  task: string;
  /** The scope's best heuristic (highest P(best)) without the task. */
  best_without: string;
  p_best_without: number;
  /** best_without differs from the best with all tasks. */
  changes_best: boolean;
  /** Confident decisions about the best that do not hold without the task ([] when none). */
  flipped_pairs: RobustnessFlip[];
  /** kind 'refit': the refit without the task failed (the other fields are then empty). */
  refit_error?: string;
  /** kind 'refit': convergence of the refit without the task. */
  refit_diagnostics?: { max_rhat: number; divergent: number };
  /** kind 'psis': how the posterior without the task was obtained. */
  via?: 'psis' | 'refit';
  /** kind 'psis': Pareto k of the task's importance ratios (above the threshold: refitted). */
  pareto_k?: number;
}

/** The leave-one-task-out check of one scope ('overall' or 'category:NAME'). */
export interface RobustnessScope {
  scope: string;
  best: string;
  tasks: RobustnessTask[];
}

/** Leave-one-task-out robustness of the recommendations (src/analysis/robustness.ts). */
export interface ComparisonRobustness {
  /**
   * 'same_draws': each task left out of the estimand, from the fit's own draws (default);
   * 'refit': the model refitted without each task (`compare --robustness refit`);
   * 'psis': the draws reweighted by PSIS without each task, refitted where Pareto k is too high
   * (`compare --robustness psis`).
   */
  kind: 'same_draws' | 'refit' | 'psis';
  /** The method in words (what is recomputed, and what is not). */
  method: string;
  /** Scopes with fewer tasks are not checked. */
  min_tasks: number;
  /** The overall best with all tasks (absent when the overall scope has too few tasks). */
  best?: string;
  /** Overall: one entry per task ([] when there are fewer than min_tasks tasks). */
  tasks: RobustnessTask[];
  /** Categories with at least min_tasks tasks. */
  categories: { name: string; best: string; tasks: RobustnessTask[] }[];
  /**
   * Leave-one-backbone-out of the overall recommendation (with 3 or more backbones): each
   * backbone left out of the average over backbones, same draws; `task` holds the backbone's name.
   */
  backbones?: { column: string; best: string; left_out: RobustnessTask[] };
}

/** Power-scaling prior sensitivity of the stated quantities (`compare --check`; src/pipeline/check.ts). */
export interface ComparisonPriorSensitivity {
  method: string;
  /** Flag at or above this sensitivity (priorsense's 0.05). */
  threshold: number;
  lower_alpha: number;
  upper_alpha: number;
  /** Largest Pareto k of the power-scaling weights (above ~0.7 the estimate is unreliable). */
  pareto_k: { prior: number; likelihood: number };
  /** mean[H] (overall mean), 'BEST - H' (difference to the best), sd_* and sigma. */
  quantities: { quantity: string; prior: number; likelihood: number; diagnosis: string }[];
  /** Quantities whose prior sensitivity is at or above the threshold. */
  flagged: string[];
  /** Prior rows not power-scaled (e.g. an LKJ prior on correlations). */
  skipped_priors: string[];
}

/** One fitted model of `compare --check` (src/pipeline/check.ts). */
export interface CheckModel {
  /** 'default' (the comparison's model) or the variant, e.g. 'without category terms'. */
  name: string;
  formula: string;
  family: string;
  elpd_loo: number;
  se_elpd_loo: number;
  p_loo: number;
  se_p_loo: number;
  looic: number;
  se_looic: number;
  /** 'integrated' or 'conditional' pointwise log-likelihood (docs/ALGORITHMS.md §12.3). */
  pointwise: 'integrated' | 'conditional';
  /** Rows whose Pareto k is above the threshold (their elpd_loo is unreliable). */
  high_k: number;
  pareto_k_threshold: number;
  max_rhat: number;
  divergent: number;
  /** The overall best and each category's best under this model. */
  best: string | null;
  category_best: Record<string, string>;
  /** Scopes ('overall' or 'category:NAME') whose best differs from the default model's. */
  changes: string[];
}

/** Model checking of `compare --check`: the default and its nearest variants by PSIS-LOO. */
export interface ComparisonCheck {
  method: string;
  models: CheckModel[];
  /** loo_compare of the models (best elpd_loo first): elpd_diff and se_diff to the best. */
  loo_compare: {
    model: string;
    elpd_diff: number;
    se_diff: number;
    elpd_loo: number;
    se_elpd_loo: number;
  }[];
  /** True when any variant's overall or category best differs from the default's. */
  recommendation_changes: boolean;
  /** The model with the highest elpd_loo, and whether it is clearly ahead of the default. */
  preferred: string;
  clearly_better_than_default: boolean;
  notes: string[];
}

export interface Comparison {
  heuristics: ComparisonHeuristic[];
  pairs: ComparisonPair[];
  categories: ComparisonCategory[];
  tasks: ComparisonTask[];
  diagnostics: ComparisonDiagnostics;
  warnings: DiagnosticWarning[];
  /** Rank probability table: rank_probabilities[h][r] = P(heuristic h has rank r+1), overall. */
  rank_probabilities?: { heuristic: string; p: number[] }[];
  /** The overall recommendation (all tasks): best heuristic, its P(best), runner-up or null. */
  recommendation?: {
    best: string;
    p_best: number;
    runner_up: string | null;
    /** Groups that cannot be told apart, best first; [0] = tied for first (rule in tie_rule). */
    tie_groups?: string[][];
    tie_rule?: string;
  };
  /** What in the model likely caused a poor fit, with what to do (src/analysis/causes.ts). */
  likely_causes?: string[];
  /** Per-backbone results when the table has a backbone column (src/analysis/backbones.ts). */
  backbones?: ComparisonBackbones;
  /** Score-vs-budget results when the table has a budget column (src/analysis/budgets.ts). */
  budgets?: ComparisonBudgets;
  /** Group-level sds and sigma of the fitted model (src/analysis/variance.ts); absent in older documents. */
  variance_components?: ComparisonVarianceComponent[];
  /** Leave-one-task-out robustness of the recommendations; absent in older documents. */
  robustness?: ComparisonRobustness;
  /** Model checking by PSIS-LOO of the default and its variants (`compare --check` only). */
  check?: ComparisonCheck;
  /** Power-scaling prior and likelihood sensitivity (`compare --check` only). */
  prior_sensitivity?: ComparisonPriorSensitivity;
  /** Settings used: rope (score units), threshold, higher_is_better, scale, formula, family, notes. */
  settings?: Record<string, unknown>;
  notes?: string[];
}
