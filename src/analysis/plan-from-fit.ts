import type { Table } from '../data/table.js';
import { essIndicator } from '../diagnostics/ess.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError, DataError } from '../errors.js';
import { betaQuantile } from '../math/beta-quantile.js';
import { type Bounded, logitTable } from './bounded.js';
import { forEachTaskCells, type GroupInfo, variableIndex } from './cells.js';
import type { ComparisonDesign } from './design.js';
import { isStandardized, type ScaleMode, scaleTable } from './from-fit.js';
import {
  greedyBatch,
  lossMargin,
  type PlanAcquisition,
  type PlanBatch,
  type PlanBatchUpdate,
  type PlanCandidateModel,
  type PlanProblem,
  type PlanScope,
  type PlanSimulation,
  type PlanValue,
  scoreCandidates,
  simulatePlan,
} from './plan.js';
import { PARETO_K_LIMIT } from './plan-weights.js';
import { rankSummary } from './ranks.js';
import { defaultRope } from './rope.js';

/**
 * The planner on a fit (`bayesbench plan`): candidate runs from the table's design, their
 * predictive distributions and the decision scopes from the posterior draws (the same cell means,
 * new-level draws and averages over tasks as `compareFromFit`), then the values, the batch and the
 * stopping verdicts of src/analysis/plan.ts, as one JSON-ready document.
 */

/** A candidate run: another seed of a cell, a missing cell, or a task the table does not have. */
export interface CandidateSpec {
  heuristic: string;
  task: string;
  /** The category of a task not in the table (ignored for known tasks). */
  category?: string | null;
  /**
   * The backbone to run on (tables with a backbone column); absent: the run is planned on the
   * table's average backbone.
   */
  backbone?: string;
}

/** What kind of run a candidate is. */
export type CandidateKind = 'seed' | 'cell' | 'task';

/** What the planner needs from a fit (a subset of compareFromFit's FitInput). */
export interface PlanInput {
  /** The canonical comparison table (prepared.table; scores in their own units). */
  table: Table;
  draws: Draws;
  groups?: readonly GroupInfo[];
  family?: string;
  scale?: ScaleMode;
  bounded?: Bounded | null;
  /**
   * ROPE half-width in the comparison's units (`comparison.settings.rope`); default: compare's
   * default for the table (src/analysis/rope.ts `defaultRope`).
   */
  rope?: number;
  /** Upper end of a proportion scale of the scores (prepared.proportionUpper; for the default ROPE). */
  proportionUpper?: number;
}

/** Options of `planFromFit`. */
export interface PlanOptions {
  /** Runs in the batch (default 5). */
  runs?: number;
  /** N of the stopping verdict: the batch size whose value of information is checked (default: runs). */
  stopRuns?: number;
  /**
   * alpha of the stopping rule (default 0.05): "decided" when the expected loss beyond half the
   * ROPE is at most alpha x ROPE / 2 (so P(the recommendation is more than a ROPE behind the best)
   * <= alpha) and the best batch of N runs would reduce it by less than that.
   */
  stopThreshold?: number;
  /** Simulated outcomes per candidate (default 64). */
  outcomes?: number;
  /** Posterior draws used (evenly thinned; default 1000). */
  maxDraws?: number;
  /** Seed of the simulation (default 1). */
  seed?: number;
  /** Seed of the cell means' new-level draws: the fit's sampler seed, as compare uses (default 1). */
  cellSeed?: number;
  higherIsBetter?: boolean;
  /** Candidates to consider instead of every cell of the table (and its missing cells). */
  candidates?: readonly CandidateSpec[];
  /**
   * Search a scope's own batch of N runs only where the loss part of the stopping rule holds (the
   * backtest's refits: same verdicts, less time; `verdicts[].runs` then lists the batch for all
   * scopes where the loss is above the threshold).
   */
  lazyVerdicts?: boolean;
  /** Cost of a run (> 0); default 1 for every run. */
  cost?: (c: { heuristic: string; task: string; category: string | null }) => number;
  /**
   * What the batch maximizes (default PLAN_ACQUISITION, 'decide'): the probability that every
   * recommendation is decided after it ('decide', plan-decide.ts), the expected reduction of the
   * expected loss ('loss', the knowledge gradient), or of the uncertainty whether each
   * recommendation is within the ROPE of the best ('settle'). The stopping verdicts use the loss
   * either way.
   */
  acquisition?: PlanAcquisition;
  /**
   * The stopping rule (default 'expected-loss', see `stoppingRule`); 'p-within-rope': "decided"
   * when P(within ROPE) minus 1.645 Monte Carlo standard errors is at least 1 - alpha
   * (`probabilityRule`).
   */
  stopRule?: PlanStopRule;
  /** How the batch's posterior is approximated in the search for it (default 'reweight'). */
  batchUpdate?: PlanBatchUpdate;
  /**
   * Share of the batch given to forced exploration (default PLAN_EXPLORE, 0.2): floor(share x runs) runs of the
   * cells with the fewest runs (the most uncertain first) go into the batch before the chosen ones,
   * so that no heuristic x task cell is judged on one run and the model's pooling alone
   * (`explorationRuns`).
   */
  explore?: number;
}

/**
 * The planner's default acquisition: the batch that most raises the probability that every
 * recommendation is decided (plan-decide.ts). On the lra_xformers backtest it needed fewer runs than
 * the expected-loss value ('loss') and than 'settle' (VALIDATION.md, "Planner backtest").
 */
export const PLAN_ACQUISITION: PlanAcquisition = 'decide';

/**
 * The default share of a batch given to forced exploration (`explorationRuns`): 2 runs of a batch
 * of 10. Without it the 'decide' planner ended 3 of 40 backtest simulations confidently wrong and
 * stopped there; with it 1 of 40, with fewer runs to settle (VALIDATION.md).
 */
export const PLAN_EXPLORE = 0.2;

/** The stopping rules of the verdict (README.md, "Planning runs"). */
export type PlanStopRule = 'expected-loss' | 'p-within-rope';

/**
 * The forced exploration of a batch: n runs of the candidates with the fewest runs, among equals
 * the one whose mean is most uncertain (largest posterior variance of its eta), each counted again
 * once chosen so the runs spread. A planner that only follows the posterior never runs a cell the
 * model, pooling it with the heuristic's other tasks, believes poor after one unlucky run; forced
 * exploration is the standard guard of best-arm identification (Garivier & Kaufmann 2016, COLT,
 * "Optimal best arm identification with fixed confidence", section 3.1).
 * @example explorationRuns(specs, problem, 2) // e.g. [4, 17]
 */
export function explorationRuns(
  specs: readonly { runs: number }[],
  problem: PlanProblem,
  n: number,
): number[] {
  const S = problem.nSamples;
  const spread = problem.candidates.map((c) => {
    let m = 0;
    for (let s = 0; s < S; s++) m += c.eta[s] / S;
    let v = 0;
    for (let s = 0; s < S; s++) v += (c.eta[s] - m) ** 2;
    return v;
  });
  const count = specs.map((c) => c.runs);
  const out: number[] = [];
  for (let i = 0; specs.length > 0 && i < n; i++) {
    let pick = 0;
    for (let k = 1; k < specs.length; k++)
      if (count[k] < count[pick] || (count[k] === count[pick] && spread[k] > spread[pick]))
        pick = k;
    out.push(pick);
    count[pick]++;
  }
  return out;
}

/** One-sided 95% normal quantile: the margin of the probability rule, in Monte Carlo standard errors. */
const Z95 = 1.6448536269514722;

/** One candidate with its value. */
export interface PlanCandidate {
  heuristic: string;
  task: string;
  /** The backbone to run on (per-backbone candidates only). */
  backbone?: string;
  category: string | null;
  kind: CandidateKind;
  /** Runs of this heuristic on this task in the table. */
  runs: number;
  cost: number;
  /** Expected reduction of the expected loss of the recommendations, summed over scopes (score units). */
  value: number;
  value_per_cost: number;
  value_by_scope: Record<string, number>;
  /**
   * Expected reduction of the uncertainty P (1 - P) whether each recommendation is within the
   * ROPE of the best (P = P(within ROPE)), summed over scopes (a probability-squared scale).
   */
  settle_value: number;
  settle_value_per_cost: number;
  settle_value_by_scope: Record<string, number>;
  p_change: Record<string, number>;
  p_change_any: number;
  weights: PlanWeights;
}

/** Whether the importance weights behind a value can be trusted. */
export interface PlanWeights {
  /** Mean effective sample size of the weights over simulated outcomes, relative to the draws. */
  rel_ess: number;
  pareto_k_max: number | null;
  /** Share of simulated outcomes with Pareto k-hat > 0.7. */
  unreliable_share: number;
  /** false when more than 10% of the outcomes have k-hat > 0.7: refit to confirm the value. */
  reliable: boolean;
}

/** One run of a batch. */
export interface PlanRun {
  heuristic: string;
  task: string;
  /** The backbone to run on (per-backbone candidates only). */
  backbone?: string;
  category: string | null;
  kind: CandidateKind;
  cost: number;
  /**
   * The batch's value after this run was added, summed over scopes: settle_value with the 'settle'
   * acquisition, else value (the expected reduction of the expected loss).
   */
  cumulative_value: number;
  /**
   * With the 'decide' acquisition: the probability that every recommendation is decided (within
   * the ROPE of the best with probability >= 1 - alpha) after the batch up to this run, by the
   * normal belief the batch is chosen with (src/analysis/plan-decide.ts).
   */
  p_decided?: number;
  /** The run is forced exploration (PlanOptions.explore), not chosen by its value. */
  explore?: boolean;
}

/** A batch with what it is worth. */
export interface PlanBatchDocument {
  runs: PlanRun[];
  cost: number;
  value: number;
  /** The batch's settle_value (see PlanCandidate.settle_value). */
  settle_value: number;
  /** With the 'decide' acquisition: p_decided after the whole batch (see PlanRun.p_decided). */
  p_decided?: number;
  p_change: Record<string, number>;
  p_change_any: number;
  weights: PlanWeights;
}

/** The stopping verdict of one scope. */
export interface PlanVerdict {
  scope: string;
  decided: boolean;
  /** The rule the verdict applies (README.md, "Planning runs"). */
  rule: PlanStopRule;
  /** Expected loss of the recommendation beyond half the ROPE, E[max(0, D - ROPE/2)] (units). */
  rope_loss: number;
  /** Monte Carlo standard error of rope_loss. */
  rope_loss_se: number;
  /** alpha x ROPE / 2: the largest rope_loss that is "decided" (units). */
  loss_threshold: number;
  /**
   * Expected reduction of rope_loss by the best batch of N runs found (greedy; the larger of the
   * batch for all scopes and the one for this scope): its value of information (units).
   */
  batch_value: number;
  /** Posterior P(D > ROPE): the recommendation is more than a ROPE behind the best. */
  p_outside_rope: number;
  /**
   * Monte Carlo standard error of p_outside_rope (and of P(within ROPE)): sqrt(p (1 - p) / ESS)
   * with the ESS of the indicator D <= ROPE over the chains (essIndicator), p = (x + 0.5) / (S + 1).
   */
  p_outside_rope_se: number;
  /** Largest probability, over the batches tried, that N runs change this scope's recommendation. */
  p_change: number;
  /**
   * One-sided 95% upper bound of p_change given the simulated outcomes (Clopper-Pearson): the
   * verdict compares this, not the estimate, with the threshold.
   */
  p_change_upper: number;
  /** The importance weights behind p_change are reliable (Pareto k-hat, see PlanWeights). */
  reliable: boolean;
  /** The batch of N runs most useful for this scope (greedy on its value). */
  runs: { heuristic: string; task: string; backbone?: string }[];
  message: string;
}

/** The plan document (`bayesbench plan --json`; schema in README.md, "Planning runs"). */
export interface PlanDocument {
  /**
   * The decision of each scope now: expected_loss = E[D] with D = max_h mu_h - mu_best (the
   * expected opportunity cost), rope_loss = E[max(0, D - ROPE/2)], p_within_rope = P(D <= ROPE).
   */
  scopes: {
    name: string;
    best: string;
    p_best: number;
    expected_loss: number;
    rope_loss: number;
    p_within_rope: number;
    /** Monte Carlo standard error of p_within_rope (see PlanVerdict.p_outside_rope_se). */
    p_within_rope_se: number;
  }[];
  candidates: PlanCandidate[];
  batch: PlanBatchDocument;
  verdicts: PlanVerdict[];
  overall: { decided: boolean; message: string };
  settings: {
    runs: number;
    stop_runs: number;
    stop_threshold: number;
    outcomes: number;
    draws_used: number;
    seed: number;
    higher_is_better: boolean;
    costs: boolean;
    units: 'score' | 'sd';
    /** ROPE half-width (units) of the loss and the stopping rule. */
    rope: number;
    /** The loss's margin, ROPE / 2 (units). */
    loss_margin: number;
    stop_rule: PlanStopRule;
    /** What the batch maximizes: 'decide' (p_decided), 'settle' (settle_value) or 'loss' (value). */
    acquisition: PlanAcquisition;
    /** How the batch's posterior was approximated in its search: 'reweight' or 'ensemble'. */
    batch_update: PlanBatchUpdate;
    /** Share of the batch given to forced exploration (PlanOptions.explore). */
    explore: number;
  };
  notes: string[];
}

/** Share of outcomes with k-hat > 0.7 above which a value is flagged unreliable. */
const UNRELIABLE_SHARE = 0.1;

interface Built {
  problem: PlanProblem;
  /** ROPE half-width of every scope (units). */
  rope: number;
  specs: (CandidateSpec & { category: string | null; kind: CandidateKind; runs: number })[];
  notes: string[];
  /**
   * Chains of the draws used, in order (the fit's chains when the thinned draws split evenly over
   * them, else 1): for the Monte Carlo standard error of P(within ROPE).
   */
  chains: number;
}

/** Evenly spaced draw ids (all when S <= max). */
function thinIds(S: number, max: number): Int32Array {
  const n = Math.min(S, Math.max(1, max));
  return Int32Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * S) / n));
}

/** The backbone levels of a design (none when it has fewer than two). */
function backboneLevels(design: ComparisonDesign): string[] {
  const col = design.rowValues.backbone;
  const levels = col ? [...new Set(col.filter((v): v is string => v !== null))].sort() : [];
  return levels.length >= 2 ? levels : [];
}

/**
 * The candidates: the user's list, or every heuristic x task cell of the design (x backbone when
 * the table has two or more backbones: a missing heuristic x task x backbone cell is a candidate).
 */
function candidateSpecs(
  design: ComparisonDesign,
  given: readonly CandidateSpec[] | undefined,
): Built['specs'] {
  const H = design.heuristics.length;
  const T = design.tasks.length;
  const backbones = backboneLevels(design);
  const B = backbones.length;
  const bIndex = new Map(backbones.map((b, i) => [b, i]));
  const runs = new Int32Array(H * T);
  // runs per heuristic x task x backbone (B = 0: none)
  const runsB = new Int32Array(H * T * Math.max(B, 1));
  for (let i = 0; i < design.nRows; i++) {
    const h = design.rowHeuristic[i];
    const t = design.rowTask[i];
    if (h < 0 || t < 0) continue;
    runs[h + H * t]++;
    const b = bIndex.get(design.rowValues.backbone?.[i] ?? '');
    if (b !== undefined) runsB[h + H * (t + T * b)]++;
  }
  const taskIndex = new Map(design.tasks.map((t, i) => [t, i]));
  const heuristicIndex = new Map(design.heuristics.map((h, i) => [h, i]));
  const categories = new Set(design.categories);
  if (!given) {
    return design.tasks.flatMap((task, t) =>
      design.heuristics.flatMap((heuristic, h) => {
        const one = (n: number, backbone?: string) =>
          ({
            heuristic,
            task,
            category: design.taskCategory[t],
            kind: n > 0 ? 'seed' : 'cell',
            runs: n,
            ...(backbone !== undefined ? { backbone } : {}),
          }) as const;
        return B > 0
          ? backbones.map((bb, b) => one(runsB[h + H * (t + T * b)], bb))
          : [one(runs[h + H * t])];
      }),
    );
  }
  return given.map((c, i) => {
    const h = heuristicIndex.get(c.heuristic);
    if (h === undefined) {
      throw new DataError(
        `--candidates: row ${i + 1}: heuristic "${c.heuristic}" is not in the data`,
      );
    }
    const b = c.backbone !== undefined ? bIndex.get(c.backbone) : undefined;
    if (c.backbone !== undefined && b === undefined) {
      throw new DataError(
        B > 0
          ? `--candidates: row ${i + 1}: backbone "${c.backbone}" is not in the data (one of ${backbones.join(', ')})`
          : `--candidates: row ${i + 1}: a backbone is given but the data have no backbone column with two or more levels`,
      );
    }
    const withBackbone = c.backbone !== undefined ? { backbone: c.backbone } : {};
    const t = taskIndex.get(c.task);
    if (t !== undefined) {
      const n = b !== undefined ? runsB[h + H * (t + T * b)] : runs[h + H * t];
      return {
        heuristic: c.heuristic,
        task: c.task,
        category: design.taskCategory[t],
        kind: n > 0 ? 'seed' : 'cell',
        runs: n,
        ...withBackbone,
      };
    }
    const category = c.category ?? null;
    if (categories.size > 0 && (category === null || !categories.has(category))) {
      throw new DataError(
        `--candidates: row ${i + 1}: task "${c.task}" is not in the data; give its category (one of ${[...categories].join(', ')})`,
      );
    }
    return {
      heuristic: c.heuristic,
      task: c.task,
      category: categories.size > 0 ? category : null,
      kind: 'task',
      runs: 0,
      ...withBackbone,
    };
  });
}

/**
 * The planner's problem from a fit: decision scopes (overall and per category, each the average
 * over its tasks of the cell means, as compareFromFit), and each candidate's predictive mean (the
 * cell's linear predictor on the model's scale) and noise (sigma, plus the median se of the table's
 * rows when rows carry one).
 */
export function planProblem(input: PlanInput, options: PlanOptions = {}): Built {
  const family = input.family ?? 'gaussian';
  if (family !== 'gaussian') {
    throw new ConfigError(`plan: family ${family} is not supported (gaussian models only)`);
  }
  const scaled = scaleTable(input.table, input.scale ?? 'none');
  const design = scaled.design;
  const bounded = input.bounded ?? null;
  const fitted = bounded ? logitTable(scaled.table, bounded) : scaled.table;
  const { draws } = input;
  const idx = variableIndex(draws);
  const sigmaVar = idx.get('sigma');
  if (sigmaVar === undefined) throw new ConfigError('plan: the draws have no sigma');
  const Sall = draws.nDraws * draws.nChains;
  const ids = thinIds(Sall, options.maxDraws ?? 1000);
  const S = ids.length;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  const specs = candidateSpecs(design, options.candidates);
  const notes: string[] = [];
  // tasks the table does not have are appended, so the table's tasks get compare's new-level draws
  const extraTasks = [...new Set(specs.filter((c) => c.kind === 'task').map((c) => c.task))];
  const extended: ComparisonDesign = {
    ...design,
    tasks: [...design.tasks, ...extraTasks],
    taskCategory: [
      ...design.taskCategory,
      ...extraTasks.map((t) => specs.find((c) => c.task === t)?.category ?? null),
    ],
  };
  const cellOptions = { groups: input.groups, family, seed: options.cellSeed ?? 1 };
  // eta: the linear predictor of each heuristic x task (model scale); decision values in score units
  const eta = new Float64Array(S * H * extended.tasks.length);
  forEachTaskCells(draws, extended, cellOptions, (t, block) => {
    for (let h = 0; h < H; h++)
      for (let i = 0; i < S; i++) eta[i + S * (h + H * t)] = block[ids[i] + Sall * h];
  });
  const cell = bounded ? new Float64Array(S * H * T) : eta.subarray(0, S * H * T);
  if (bounded) {
    forEachTaskCells(draws, design, { ...cellOptions, bounded }, (t, block) => {
      for (let h = 0; h < H; h++)
        for (let i = 0; i < S; i++) cell[i + S * (h + H * t)] = block[ids[i] + Sall * h];
    });
  }
  const rope = input.rope ?? tableRope(scaled.table, design, input);
  if (!(Number.isFinite(rope) && rope >= 0)) {
    throw new ConfigError(`plan: the ROPE must be a number >= 0 (got ${rope})`);
  }
  const scopes: PlanScope[] = [];
  const addScope = (name: string, tasks: number[]) => {
    if (tasks.length === 0) return;
    const values = new Float64Array(S * H);
    for (const t of tasks) {
      const off = S * H * t;
      for (let j = 0; j < S * H; j++) values[j] += cell[off + j] / tasks.length;
    }
    scopes.push({ name, values, rope });
  };
  addScope(
    'overall',
    design.tasks.map((_, t) => t),
  );
  for (const c of design.categories) {
    addScope(
      c,
      design.tasks.map((_, t) => t).filter((t) => design.taskCategory[t] === c),
    );
  }
  const seCol = fitted.columns.se;
  let extraVar = 0;
  if (seCol?.type === 'numeric' && seCol.values.length > 0) {
    const sorted = Float64Array.from(seCol.values).sort();
    const med = sorted[Math.floor(sorted.length / 2)];
    extraVar = med * med;
    notes.push(
      "a new run is taken to carry the median standard error of the table's rows on top of sigma",
    );
  }
  const noiseSd = Float64Array.from(ids, (s) => {
    const sg = draws.values[sigmaVar * Sall + s];
    return Math.sqrt(sg * sg + extraVar);
  });
  // a run on one backbone: the linear predictor with the backbone held at that level (the `fixed`
  // option of forEachTaskCells, as perBackbone), computed once per backbone named by a candidate
  const etaAt = new Map<string, Float64Array>();
  for (const bb of new Set(specs.flatMap((c) => (c.backbone !== undefined ? [c.backbone] : [])))) {
    const e = new Float64Array(S * H * extended.tasks.length);
    forEachTaskCells(draws, extended, { ...cellOptions, fixed: { backbone: bb } }, (t, block) => {
      for (let h = 0; h < H; h++)
        for (let i = 0; i < S; i++) e[i + S * (h + H * t)] = block[ids[i] + Sall * h];
    });
    etaAt.set(bb, e);
  }
  if (backboneLevels(design).length > 0) {
    notes.push(
      etaAt.size > 0
        ? "runs are planned per heuristic x task x backbone; the recommendations are compare's, over the table's average backbone"
        : 'runs are planned per heuristic x task on the average backbone of the table; which backbone to run on is not chosen',
    );
  }
  const taskOf = new Map(extended.tasks.map((t, i) => [t, i]));
  const candidates: PlanCandidateModel[] = specs.map((c) => {
    const at = c.backbone !== undefined ? (etaAt.get(c.backbone) as Float64Array) : eta;
    const h = design.heuristics.indexOf(c.heuristic);
    const t = taskOf.get(c.task) as number;
    const cost = options.cost ? options.cost(c) : 1;
    if (!(cost > 0 && Number.isFinite(cost))) {
      throw new DataError(
        `--cost: the cost of ${c.heuristic} on ${c.task} is not a number > 0 (${cost})`,
      );
    }
    return { eta: at.subarray(S * (h + H * t), S * (h + H * t + 1)), noiseSd, cost };
  });
  if (rope === 0) {
    notes.push(
      'the ROPE is 0: the loss is the plain expected opportunity cost and the stopping rule cannot say "decided" unless the best is certain (set --rope)',
    );
  }
  return {
    rope,
    chains: S % draws.nChains === 0 && S / draws.nChains >= 8 ? draws.nChains : 1,
    problem: {
      heuristics: design.heuristics,
      nSamples: S,
      scopes,
      candidates,
      higherIsBetter: options.higherIsBetter ?? true,
    },
    specs,
    notes,
  };
}

/** compare's default ROPE for the table (0 when it has none, e.g. a single score per task). */
function tableRope(table: Table, design: ComparisonDesign, input: PlanInput): number {
  const score = table.columns.score;
  if (score?.type !== 'numeric') return 0;
  const scale = input.scale ?? 'none';
  const r = defaultRope(score.values, design, scale === 'none' ? (input.proportionUpper ?? 0) : 0);
  return Number.isFinite(r.rope) ? r.rope : 0;
}

function weightsDoc(v: PlanValue): PlanWeights {
  return {
    rel_ess: v.relEss,
    pareto_k_max: Number.isFinite(v.khatMax) ? v.khatMax : null,
    unreliable_share: v.unreliable,
    reliable: !(v.unreliable > UNRELIABLE_SHARE),
  };
}

function byScope(names: readonly string[], x: Float64Array): Record<string, number> {
  return Object.fromEntries(names.map((n, c) => [n, x[c]]));
}

/** The scopes' decisions of a plan document (PlanDocument.scopes). */
function scopesDoc(sim: PlanSimulation, chains: number): PlanDocument['scopes'] {
  const { problem } = sim;
  return problem.scopes.map((sc, c) => {
    const ranked = rankSummary(
      { names: problem.heuristics, nSamples: problem.nSamples, values: sc.values },
      problem.higherIsBetter,
    );
    const st = sim.scopes[c];
    return {
      name: sc.name,
      best: problem.heuristics[st.best],
      p_best: ranked.pBest[st.best],
      expected_loss: st.loss,
      rope_loss: st.ropeLoss,
      p_within_rope: st.pWithinRope,
      p_within_rope_se: withinRopeSe(sim, c, chains),
    };
  });
}

/**
 * The decisions of every scope now and whether the loss part of the stopping rule holds in each
 * (rope_loss <= alpha x ROPE / 2), without the value-of-information search: what `planFromFit`
 * reports in `scopes`, at the cost of building the problem (the backtest's refits under the
 * strategies that do not use the planner's batch: when some scope's loss is above the threshold
 * the overall verdict is "not decided" whatever a batch is worth, so the search is skipped).
 * @example planScopes(input, { stopThreshold: 0.05 }).every((s) => s.loss_ok)
 */
export function planScopes(
  input: PlanInput,
  options: PlanOptions = {},
): (PlanDocument['scopes'][number] & { loss_ok: boolean })[] {
  const stopThreshold = options.stopThreshold ?? 0.05;
  if (!(stopThreshold > 0 && stopThreshold < 1))
    throw new ConfigError(`--stop-threshold must be between 0 and 1 (got ${stopThreshold})`);
  const { problem, chains } = planProblem(input, options);
  const sim = simulatePlan(problem, { outcomes: options.outcomes ?? 64, seed: options.seed ?? 1 });
  return scopesDoc(sim, chains).map((sc, c) => ({
    ...sc,
    loss_ok: sim.scopes[c].ropeLoss <= stopThreshold * sim.scopes[c].margin,
  }));
}

/**
 * Rank candidate runs by the value of their information, choose a batch, and say per scope
 * whether any batch of N runs is likely to change the recommendation.
 * @example
 * const plan = planFromFit({ table: prepared.table, draws: fit.draws, groups: model.groups }, { runs: 3 });
 * plan.batch.runs.map((r) => `${r.heuristic} on ${r.task}`)
 */
export function planFromFit(input: PlanInput, options: PlanOptions = {}): PlanDocument {
  const runs = options.runs ?? 5;
  const stopRuns = options.stopRuns ?? runs;
  const stopThreshold = options.stopThreshold ?? 0.05;
  const seed = options.seed ?? 1;
  const acquisition = options.acquisition ?? PLAN_ACQUISITION;
  if (acquisition !== 'settle' && acquisition !== 'loss' && acquisition !== 'decide')
    throw new ConfigError(`--acquisition must be decide, settle or loss (got ${acquisition})`);
  const stopRule = options.stopRule ?? 'expected-loss';
  if (stopRule !== 'expected-loss' && stopRule !== 'p-within-rope')
    throw new ConfigError(`--stop-rule must be expected-loss or p-within-rope (got ${stopRule})`);
  if (!(Number.isInteger(runs) && runs >= 1))
    throw new ConfigError(`--runs must be an integer >= 1 (got ${runs})`);
  if (!(Number.isInteger(stopRuns) && stopRuns >= 1))
    throw new ConfigError(`--stop-runs must be an integer >= 1 (got ${stopRuns})`);
  if (!(stopThreshold > 0 && stopThreshold < 1))
    throw new ConfigError(`--stop-threshold must be between 0 and 1 (got ${stopThreshold})`);
  const built = planProblem(input, options);
  const { problem, specs, notes } = built;
  const sim = simulatePlan(problem, { outcomes: options.outcomes ?? 64, seed });
  const names = problem.scopes.map((s) => s.name);
  const C = names.length;
  const singles = scoreCandidates(sim);
  const all = new Float64Array(C).fill(1);
  const update = options.batchUpdate ?? 'reweight';
  if (update !== 'reweight' && update !== 'ensemble')
    throw new ConfigError(`--batch-update must be reweight or ensemble (got ${update})`);
  const explore = options.explore ?? PLAN_EXPLORE;
  if (!(explore >= 0 && explore <= 1))
    throw new ConfigError(`--explore must be between 0 and 1 (got ${explore})`);
  const forced = explorationRuns(specs, problem, Math.floor(explore * runs));
  const batch = greedyBatch(
    sim,
    Math.min(runs, specs.length),
    all,
    singles,
    acquisition,
    update,
    forced,
  );
  // the verdicts' batch for all scopes; the verdict takes the larger value of it and the scope's
  // own loss-greedy batch, so a batch chosen for 'settle' is one more batch tried, not a weaker check
  const stopBatch =
    stopRuns === runs
      ? batch
      : greedyBatch(sim, Math.min(stopRuns, specs.length), all, singles, acquisition, update);
  const label = (k: number) => ({
    heuristic: specs[k].heuristic,
    task: specs[k].task,
    ...(specs[k].backbone !== undefined ? { backbone: specs[k].backbone } : {}),
  });
  const named = (k: number) =>
    `${specs[k].heuristic} on ${specs[k].task}${specs[k].backbone !== undefined ? ` (${specs[k].backbone})` : ''}`;
  const verdicts: PlanVerdict[] = names.map((name, c) => {
    const onehot = new Float64Array(C);
    onehot[c] = 1;
    const st = sim.scopes[c];
    // a scope whose loss is above the threshold is not decided whatever N runs are worth: with
    // `lazyVerdicts` its own batch is not searched (the batch for all scopes stands in for it)
    // (the probability rule does not read the batch: lazily, it is never searched)
    const own =
      options.lazyVerdicts &&
      (stopRule === 'p-within-rope' || st.ropeLoss > stopThreshold * st.margin)
        ? stopBatch
        : greedyBatch(sim, Math.min(stopRuns, specs.length), onehot, singles);
    const p = Math.max(own.total.pChange[c], stopBatch.total.pChange[c]);
    const upper = upperBound(p, sim.M);
    const reliable = weightsDoc(own.total).reliable && weightsDoc(stopBatch.total).reliable;
    const batchValue = Math.max(own.total.value[c], stopBatch.total.value[c], 0);
    const verdict = stoppingRule({
      ropeLoss: st.ropeLoss,
      margin: st.margin,
      batchValue,
      stopThreshold,
    });
    const pSe = withinRopeSe(sim, c, built.chains);
    const byP = probabilityRule({ pWithinRope: st.pWithinRope, se: pSe, stopThreshold });
    const shown = own.runs.slice(0, 3).map(named);
    const byProbability = stopRule === 'p-within-rope';
    const decided = byProbability ? byP.decided : verdict.decided;
    const message = byProbability
      ? byP.decided
        ? `decided: P(within the ROPE of the best) ${fmtP(st.pWithinRope)} - 1.645 x ${fmtP(pSe)} (its Monte Carlo se) >= ${fmtP(1 - stopThreshold)}`
        : `not decided: P(within the ROPE of the best) ${fmtP(st.pWithinRope)} - 1.645 x ${fmtP(pSe)} (its Monte Carlo se) < ${fmtP(1 - stopThreshold)}; the best ${stopRuns} runs for it: ${shown.join(', ')}`
      : verdict.decided
        ? `decided: expected loss beyond half the ROPE ${fmtU(st.ropeLoss)} <= ${fmtU(verdict.threshold)} (so P(more than a ROPE behind the best) <= ${stopThreshold}); ${stopRuns} more runs would reduce it by ${fmtU(batchValue)}`
        : verdict.threshold === 0
          ? 'not decided: the ROPE is 0, so no loss is small enough (set --rope)'
          : `not decided: expected loss beyond half the ROPE ${fmtU(st.ropeLoss)} > ${fmtU(verdict.threshold)}; the best ${stopRuns} runs would reduce it by ${fmtU(batchValue)}${reliable ? '' : ' (importance weights unreliable)'}: ${shown.join(', ')}`;
    return {
      scope: name,
      decided,
      rule: stopRule,
      rope_loss: st.ropeLoss,
      rope_loss_se: st.ropeLossSe,
      loss_threshold: verdict.threshold,
      batch_value: batchValue,
      p_outside_rope: 1 - st.pWithinRope,
      p_outside_rope_se: pSe,
      p_change: p,
      p_change_upper: upper,
      reliable,
      runs: own.runs.map(label),
      message,
    };
  });
  const candidates: PlanCandidate[] = specs.map((c, k) => {
    const v = singles[k];
    const total = v.value.reduce((a, x) => a + x, 0);
    const settleTotal = v.settle.reduce((a, x) => a + x, 0);
    const cost = problem.candidates[k].cost;
    return {
      heuristic: c.heuristic,
      task: c.task,
      ...(c.backbone !== undefined ? { backbone: c.backbone } : {}),
      category: c.category,
      kind: c.kind,
      runs: c.runs,
      cost,
      value: total,
      value_per_cost: total / cost,
      value_by_scope: byScope(names, v.value),
      settle_value: settleTotal,
      settle_value_per_cost: settleTotal / cost,
      settle_value_by_scope: byScope(names, v.settle),
      p_change: byScope(names, v.pChange),
      p_change_any: v.pChangeAny,
      weights: weightsDoc(v),
    };
  });
  // ranked by the value the batch maximizes, per unit cost
  const rankOf = (c: PlanCandidate) =>
    acquisition === 'settle' ? c.settle_value_per_cost : c.value_per_cost;
  const order = candidates
    .map((_, k) => k)
    .sort((a, b) => rankOf(candidates[b]) - rankOf(candidates[a]) || a - b);
  const decidedAll = verdicts.every((v) => v.decided);
  const batchRuns = batchDoc(batch, specs, problem, forced.length);
  if (singles.some((v) => v.unreliable > UNRELIABLE_SHARE)) {
    notes.push(
      `some candidates' values rest on importance weights with Pareto k-hat > ${PARETO_K_LIMIT} (weights.reliable = false): refit with the run added to confirm them`,
    );
  }
  return {
    scopes: scopesDoc(sim, built.chains),
    candidates: order.map((k) => candidates[k]),
    batch: batchRuns,
    verdicts,
    overall: {
      decided: decidedAll,
      message: decidedAll
        ? `decided: in every scope the expected loss beyond half the ROPE is at most ${stopThreshold} x ROPE / 2, so each recommendation is within the ROPE of the best with probability >= ${1 - stopThreshold}`
        : `not decided: the most useful next runs are ${batchRuns.runs.map((r) => `${r.heuristic} on ${r.task}${r.backbone !== undefined ? ` (${r.backbone})` : ''}${r.explore ? ' (exploration)' : ''}`).join(', ')}`,
    },
    settings: {
      runs,
      stop_runs: stopRuns,
      stop_threshold: stopThreshold,
      outcomes: sim.M,
      draws_used: problem.nSamples,
      seed,
      higher_is_better: problem.higherIsBetter,
      costs: options.cost !== undefined,
      units: isStandardized(input.scale) ? 'sd' : 'score',
      rope: built.rope,
      loss_margin: lossMargin(built.rope),
      stop_rule: stopRule,
      acquisition,
      batch_update: update,
      explore,
    },
    notes,
  };
}

function batchDoc(
  batch: PlanBatch,
  specs: Built['specs'],
  problem: PlanProblem,
  forced: number,
): PlanBatchDocument {
  const names = problem.scopes.map((s) => s.name);
  const runs = batch.runs.map((k, i) => ({
    heuristic: specs[k].heuristic,
    task: specs[k].task,
    ...(specs[k].backbone !== undefined ? { backbone: specs[k].backbone } : {}),
    category: specs[k].category,
    kind: specs[k].kind,
    cost: problem.candidates[k].cost,
    cumulative_value: batch.cumulative[i],
    ...(batch.pDecided ? { p_decided: batch.pDecided[i] } : {}),
    ...(i < forced ? { explore: true } : {}),
  }));
  const pDecided = batch.pDecided?.[batch.pDecided.length - 1];
  return {
    runs,
    cost: runs.reduce((a, r) => a + r.cost, 0),
    value: batch.total.value.reduce((a, x) => a + x, 0),
    settle_value: batch.total.settle.reduce((a, x) => a + x, 0),
    ...(pDecided !== undefined ? { p_decided: pDecided } : {}),
    p_change: byScope(names, batch.total.pChange),
    p_change_any: batch.total.pChangeAny,
    weights: weightsDoc(batch.total),
  };
}

/**
 * One-sided 95% upper confidence bound of a probability estimated as the share p of M simulated
 * outcomes (Clopper & Pearson 1934): the Beta(x + 1, M - x) 0.95 quantile, 1 when x = M. With 64
 * outcomes and no change seen it is 0.046, so a 5% threshold needs at least 59 outcomes.
 */
function upperBound(p: number, M: number): number {
  const x = Math.round(p * M);
  return x >= M ? 1 : betaQuantile(0.95, x + 1, M - x);
}

/** A probability to 3 decimals. */
function fmtP(x: number): string {
  return x.toFixed(3);
}

/**
 * Monte Carlo standard error of scope c's P(D <= ROPE) on the draws used: sqrt(p (1 - p) / ESS)
 * with ESS that of the indicator D <= ROPE over the chains (split-chain ESS, essIndicator; S when
 * it is undefined, e.g. a constant indicator, and at most S) and p = (x + 0.5) / (S + 1), so that
 * an indicator true on every draw still has an error (Jeffreys' prior).
 */
function withinRopeSe(sim: PlanSimulation, c: number, chains: number): number {
  const { problem } = sim;
  const S = problem.nSamples;
  const H = problem.heuristics.length;
  const v = problem.scopes[c].values;
  const rope = problem.scopes[c].rope ?? 0;
  const sign = problem.higherIsBetter ? 1 : -1;
  const best = sim.scopes[c].best;
  const d = new Float64Array(S);
  let x = 0;
  for (let s = 0; s < S; s++) {
    let top = Number.NEGATIVE_INFINITY;
    for (let h = 0; h < H; h++) top = Math.max(top, sign * v[s + S * h]);
    d[s] = top - sign * v[s + S * best];
    if (d[s] <= rope) x++;
  }
  const ess = essIndicator(d, S / chains, chains, rope);
  const n = Number.isFinite(ess) && ess > 0 ? Math.min(ess, S) : S;
  const p = (x + 0.5) / (S + 1);
  return Math.sqrt((p * (1 - p)) / n);
}

/**
 * The stopping rule on the probability itself (`stopRule: 'p-within-rope'`): "decided" when
 * P(D <= ROPE) - 1.645 se >= 1 - alpha, i.e. the one-sided 95% Monte Carlo lower bound of the
 * posterior probability that the recommendation is within the ROPE of the best is at least
 * 1 - alpha. The expected-loss rule gets P(D > ROPE) <= alpha through Markov's inequality, which
 * is loose (VALIDATION.md, the planner's backtests: at the first step with P(within ROPE) >= 0.95
 * its loss was 1.5-1.9 times its threshold); this rule states the probability directly and
 * guards only against the Monte Carlo error of its estimate, not against a wrong posterior.
 * @example probabilityRule({ pWithinRope: 0.99, se: 0.005, stopThreshold: 0.05 }).decided // true
 */
export function probabilityRule(o: { pWithinRope: number; se: number; stopThreshold: number }): {
  decided: boolean;
  lower: number;
} {
  const lower = o.pWithinRope - Z95 * o.se;
  return { decided: lower >= 1 - o.stopThreshold, lower };
}

/** A loss in the comparison's units, to 3 significant digits. */
function fmtU(x: number): string {
  return x === 0 ? '0' : x.toPrecision(3);
}

/**
 * The stopping rule on the expected loss (decision-theoretic; the expected opportunity cost of
 * Chick & Inoue 2001 with an indifference zone, and the knowledge gradient of Frazier, Powell &
 * Dayanik 2008 for the value of more runs). With D = max_h mu_h - mu_rec and m = ROPE / 2:
 * "decided" when
 *   (1) E[max(0, D - m)] <= alpha m, which by Markov's inequality gives
 *       P(D > ROPE) = P(D - m > m) <= E[max(0, D - m)] / m <= alpha: the recommendation is within
 *       the ROPE of the best (a correct choice) with posterior probability >= 1 - alpha; and
 *   (2) the best batch of N runs found reduces that expected loss by at most alpha m: more runs of
 *       that size cannot move it materially. (2) follows from (1) in expectation (a reduction
 *       cannot exceed the loss), so it is a check on the simulation; when (1) fails it says how
 *       much N runs would buy.
 * A ROPE of 0 gives threshold 0: never decided while D > 0 on some draw.
 * @example stoppingRule({ ropeLoss: 0.01, margin: 0.5, batchValue: 0.005, stopThreshold: 0.05 }).decided // true
 */
export function stoppingRule(o: {
  ropeLoss: number;
  margin: number;
  batchValue: number;
  stopThreshold: number;
}): { decided: boolean; threshold: number } {
  const threshold = o.stopThreshold * o.margin;
  const decided = o.ropeLoss <= threshold && o.batchValue <= threshold;
  return { decided, threshold };
}
