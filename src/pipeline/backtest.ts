import { cellDraws } from '../analysis/cells.js';
import { designFromTable } from '../analysis/design.js';
import type { PlanAcquisition, PlanBatchUpdate } from '../analysis/plan.js';
import { lossMargin } from '../analysis/plan.js';
import {
  type CandidateSpec,
  PLAN_ACQUISITION,
  PLAN_EXPLORE,
  type PlanDocument,
  probabilityRule,
} from '../analysis/plan-from-fit.js';
import { prepareComparison } from '../analysis/prepare.js';
import { createNormalRng, type NormalRng } from '../analysis/random.js';
import type { Table } from '../data/table.js';
import { ConfigError } from '../errors.js';
import type { SamplerConfig } from '../sampler/types.js';
import { type CompareOptions, runComparison } from './compare.js';
import { planFromRun, scopesFromRun } from './plan.js';

/**
 * The planner's backtest: does choosing runs by the value of their information settle the
 * recommendations with fewer runs than round-robin or random choice, and does its stopping
 * verdict stop with a wrong recommendation?
 *
 * From a real table: fit it once; each simulation takes one posterior draw as the truth (every
 * heuristic's expected score on every task, and the run-to-run sd sigma), starts from a small design
 * (every heuristic on two tasks of each category, or all of them when it has fewer, one run each;
 * scores simulated from the truth), and adds batches of runs chosen by the strategy, refitting after
 * each batch (with the real table's ROPE), until "settled": in every decision scope (overall and
 * each category) the recommendation is correct, i.e. the recommended heuristic's true value is
 * within the ROPE of the true best, and the posterior says so with P(within ROPE) >= 0.95; or until
 * a cap of added runs. At each step the planner's stopping verdict is taken as well: the first step
 * it says "decided" in every scope is where a user would stop; an incorrect recommendation (more
 * than a ROPE behind the true best) in some scope there is an early stop.
 *
 * The scopes are averages over the tasks in the table, so the start covers every task the truth's
 * scopes average over only when categories have at most two tasks (the LRA tables); with more, a
 * category's truth includes tasks the refit has not seen yet.
 */

/** Tasks per category in the starting design (the "two tasks per category"). */
export const START_TASKS = 2;

/** How the next batch is chosen. */
export type BacktestStrategy = 'plan' | 'round-robin' | 'random';

/** Options of `backtest`. */
export interface BacktestOptions {
  strategy: BacktestStrategy;
  /** Simulated benchmarks (default 6). */
  simulations?: number;
  /**
   * Index of the first simulation (default 0): each simulation's truth, start and scores depend
   * only on the seed and its index, so simulations first..first+simulations-1 of one seed can run
   * in separate processes and be put together.
   */
  first?: number;
  /** Seed of the truths, the simulated scores and the random strategy (default 1). */
  seed?: number;
  /** Runs per batch (default 5). */
  batch?: number;
  /** Most runs added to the small design (default 40). */
  maxRuns?: number;
  /** Posterior P(within ROPE of the best) of a correct recommendation that settles a scope (default 0.95). */
  settle?: number;
  /** Stopping rule's alpha (default 0.05; N of the verdict = batch). */
  stopThreshold?: number;
  /** Sampler settings of the fit of the real table (default: 2 chains, 500 warmup, 500 draws). */
  truthSampler?: SamplerConfig;
  /**
   * Sampler settings of every refit (default: 2 chains, 300 warmup, 250 draws: short chains, on
   * this thread: strategies run as parallel processes, and the draws are the same either way).
   */
  sampler?: SamplerConfig;
  /** Simulated outcomes per candidate in the planner (default 64). */
  outcomes?: number;
  /** Posterior draws the planner uses (default 500). */
  planDraws?: number;
  /** What the planner's batch maximizes (PlanOptions.acquisition; default PLAN_ACQUISITION). */
  acquisition?: PlanAcquisition;
  /** How the planner's batch search approximates the batch's posterior (default 'reweight'). */
  batchUpdate?: PlanBatchUpdate;
  /** Share of the planner's batch given to forced exploration (default PLAN_EXPLORE). */
  explore?: number;
  /** Data options of the real table (columns, filters, orientation). */
  compare?: Pick<CompareOptions, 'columns' | 'filters' | 'dropMissing' | 'higherIsBetter' | 'rope'>;
  /** The truths from `backtestTruth` (default: fitted here). */
  truth?: BacktestTruth;
  /** Called after each step (for progress lines). */
  onStep?: (e: { simulation: number; added: number; settled: boolean; decided: boolean }) => void;
  /**
   * Asked before each simulation: true ends the backtest there (a time budget; the result holds
   * the simulations done, which are the same as in a longer run with the same seed).
   */
  stop?: () => boolean;
  /** Called after each simulation with the figures so far (to save partial results). */
  onSimulation?: (soFar: BacktestResult) => void;
}

/** One simulated benchmark. */
export interface BacktestSimulation {
  /** Its index (BacktestOptions.first + its position): the same index, the same simulation. */
  index?: number;
  /** The truth's run-to-run sd (sigma of the posterior draw taken as the truth). */
  truth_sigma?: number;
  /** Runs added until settled (null: not settled within the cap). */
  runs_to_settle: number | null;
  /** Runs added until every scope's recommendation was correct (any probability). */
  runs_to_correct: number | null;
  /** Runs added when the stopping verdict first said "decided" (null: never). */
  stopped_at: number | null;
  /** The recommendation at that stop was more than a ROPE behind the true best in some scope. */
  stopped_wrong: boolean;
  /**
   * Each step: runs added, the smallest posterior P(within ROPE) over scopes, whether every
   * recommendation was correct, the verdict, and the largest expected loss beyond half the ROPE
   * over scopes relative to the rule's threshold (<= 1 in every scope: the loss part of "decided").
   */
  trace: {
    added: number;
    p_within_rope_min: number;
    correct: boolean;
    decided: boolean;
    loss_ratio_max: number;
    /** The refit's largest R-hat, divergent transitions and smallest bulk ESS (its convergence). */
    rhat_max: number;
    divergent: number;
    ess_bulk_min: number;
    /**
     * The probability rule (plan-from-fit.ts `probabilityRule`: P(within ROPE) - 1.645 se >=
     * 1 - alpha in every scope) said "decided" (absent in results saved before it was recorded).
     */
    p_rule_decided?: boolean;
  }[];
  /**
   * Runs added when the probability rule first said "decided" (null: never before the simulation
   * ended; it ends when settled, so a stop the rule would make after that is not seen).
   */
  p_rule_stopped_at?: number | null;
  /** Some recommendation was more than a ROPE behind the true best at that stop. */
  p_rule_stopped_wrong?: boolean;
  /** Runs of each heuristic at the end (the start included), in `BacktestTruth.heuristics` order. */
  runs_by_heuristic?: number[];
  /** Each scope's recommendation at the end and whether it was correct. */
  final?: { scope: string; best: string; correct: boolean; p_within_rope: number }[];
}

/** The backtest's result (`bayesbench backtest --json`). */
export interface BacktestResult {
  strategy: BacktestStrategy;
  simulations: number;
  /** Median runs added until settled; an unsettled simulation counts as the cap + 1 (censored). */
  runs_median: number;
  /** Share of simulations whose stopping verdict stopped with a wrong recommendation. */
  early_stop_rate: number;
  settled_share: number;
  runs_correct_median: number;
  /** Median runs added until correct with P(within ROPE) >= 0.8 in every scope (same censoring). */
  runs_median_at_80: number;
  /** Share of simulations whose stopping verdict said "decided" within the cap. */
  stopped_share: number;
  /** Median runs added until the verdict said "decided" (never: the cap + 1). */
  stopped_median: number;
  /** Refits with R-hat > 1.01 or a divergent transition, of all refits (short chains: see settings). */
  refits_unconverged: number;
  refits: number;
  per_simulation: BacktestSimulation[];
  settings: Record<string, unknown>;
}

/** The fitted real table the simulations draw their truths from (`backtestTruth`). */
export interface BacktestTruth {
  heuristics: readonly string[];
  tasks: readonly string[];
  taskCategory: readonly (string | null)[];
  /** The categories' tasks (one unnamed category when the table has none). */
  categories: { name: string; tasks: number[] }[];
  /** The decision scopes: overall and each category (as `plan` names them). */
  scopes: { name: string; tasks: number[] }[];
  /** The real table's ROPE (units), used by every refit and to say what is correct. */
  rope: number;
  /** expected score of heuristic h on task t at each posterior draw: cell[s + S (h + H t)]. */
  cell: Float64Array;
  sigma: Float64Array;
  S: number;
  sign: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? Number.NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** A Table of runs: heuristic, task, category factors and the score. */
function runsTable(
  truth: BacktestTruth,
  runs: readonly { h: number; t: number; k: number; y: number }[],
): Table {
  const tasks = [...new Set(runs.map((r) => r.t))].sort((a, b) => a - b);
  const taskCode = new Map(tasks.map((t, i) => [t, i]));
  const cats = [...new Set(tasks.map((t) => truth.taskCategory[t] ?? ''))].sort();
  const catCode = new Map(cats.map((c, i) => [c, i]));
  const hs = [...new Set(runs.map((r) => r.h))].sort((a, b) => a - b);
  const hCode = new Map(hs.map((h, i) => [h, i]));
  const columns: Table['columns'] = {
    heuristic: {
      type: 'factor',
      levels: hs.map((h) => truth.heuristics[h]),
      codes: Int32Array.from(runs, (r) => hCode.get(r.h) as number),
    },
    task: {
      type: 'factor',
      levels: tasks.map((t) => truth.tasks[t]),
      codes: Int32Array.from(runs, (r) => taskCode.get(r.t) as number),
    },
    ...(truth.categories.length > 1 || truth.categories[0].name !== ''
      ? {
          category: {
            type: 'factor' as const,
            levels: cats,
            codes: Int32Array.from(
              runs,
              (r) => catCode.get(truth.taskCategory[r.t] ?? '') as number,
            ),
          },
        }
      : {}),
    // the run's number within its cell: repeated runs of a cell are seeds
    seed: { type: 'numeric', values: Float64Array.from(runs, (r) => r.k) },
    score: { type: 'numeric', values: Float64Array.from(runs, (r) => r.y) },
  };
  return { nRows: runs.length, names: Object.keys(columns), columns, source: 'simulated' };
}

/**
 * The truth's correct choices of each decision scope at draw s: the heuristics whose true value
 * (oriented) is within the ROPE of the true best.
 */
function trueCorrect(truth: BacktestTruth, s: number): Set<string>[] {
  const { S, heuristics } = truth;
  const H = heuristics.length;
  return truth.scopes.map(({ tasks }) => {
    const v = Array.from({ length: H }, (_, h) => {
      let x = 0;
      for (const t of tasks) x += truth.cell[s + S * (h + H * t)] / tasks.length;
      return truth.sign * x;
    });
    const top = Math.max(...v);
    return new Set(heuristics.filter((_, h) => top - v[h] <= truth.rope));
  });
}

/**
 * Fit the real table once as the source of the simulations' truths (share it between strategies
 * through `BacktestOptions.truth`).
 * @example const truth = await backtestTruth(table, { strategy: 'plan' });
 */
export async function backtestTruth(
  table: Table,
  options: Omit<BacktestOptions, 'strategy'>,
): Promise<BacktestTruth> {
  const compare = options.compare ?? {};
  const prepared = prepareComparison(table, compare);
  if (prepared.scale !== 'none' || prepared.bounded) {
    throw new ConfigError(
      'backtest: the table is fitted on a per-task or logit scale; backtest simulates scores in score units only',
    );
  }
  // the truths and the refits read recommendations and pairs, never the budget-curve section
  const run = await runComparison(table, {
    ...compare,
    budgetCurve: false,
    sampler: { chains: 2, warmup: 500, draws: 500, ...options.truthSampler },
  });
  if ((run.spec.family ?? 'gaussian') !== 'gaussian') {
    throw new ConfigError('backtest: gaussian models only');
  }
  const design = designFromTable(run.prepared.table);
  const { cells } = cellDraws(run.fit.draws, design, {
    groups: run.model.groups,
    family: 'gaussian',
    seed: run.fit.config.seed,
  });
  const sigmaVar = run.fit.draws.variables.indexOf('sigma');
  const S = cells.nSamples;
  const sigma = run.fit.draws.values.slice(sigmaVar * S, (sigmaVar + 1) * S);
  const all = design.tasks.map((_, t) => t);
  const categories =
    design.categories.length > 0
      ? design.categories.map((name) => ({
          name,
          tasks: all.filter((t) => design.taskCategory[t] === name),
        }))
      : [{ name: '', tasks: all }];
  const rope = run.comparison.settings?.rope;
  if (!(typeof rope === 'number' && rope > 0)) {
    throw new ConfigError('backtest: the comparison of the table has no ROPE > 0 (set --rope)');
  }
  return {
    heuristics: design.heuristics,
    tasks: design.tasks,
    taskCategory: design.taskCategory,
    categories,
    scopes: [{ name: 'overall', tasks: all }, ...(design.categories.length > 0 ? categories : [])],
    rope,
    cell: cells.values,
    sigma,
    S,
    sign: prepared.higherIsBetter ? 1 : -1,
  };
}

/** The small starting design: every heuristic on two tasks of each category (all if fewer). */
function startDesign(truth: BacktestTruth, rng: NormalRng): number[] {
  const out: number[] = [];
  for (const { tasks } of truth.categories) {
    const shuffled = [...tasks];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    out.push(...shuffled.slice(0, START_TASKS));
  }
  return out.sort((a, b) => a - b);
}

/** The next batch of (heuristic, task) cells by a strategy that does not look at the posterior. */
function blindBatch(
  strategy: 'round-robin' | 'random',
  count: Int32Array,
  n: number,
  rng: NormalRng,
): number[] {
  const cells = Array.from(count, (_, i) => i);
  if (strategy === 'random') {
    const out: number[] = [];
    const pool = [...cells];
    while (out.length < n && pool.length > 0)
      out.push(pool.splice(Math.floor(rng.uniform() * pool.length), 1)[0]);
    return out;
  }
  // round-robin: the cells with the fewest runs first (missing cells before another seed), in
  // task-major order
  return cells.sort((a, b) => count[a] - count[b] || a - b).slice(0, n);
}

/**
 * Run the backtest of one strategy.
 * @example const r = await backtest(table, { strategy: 'plan', simulations: 2 }); r.runs_median
 */
export async function backtest(table: Table, options: BacktestOptions): Promise<BacktestResult> {
  const nSim = options.simulations ?? 6;
  const seed = options.seed ?? 1;
  const batch = options.batch ?? 5;
  const maxRuns = options.maxRuns ?? 40;
  const settle = options.settle ?? 0.95;
  const stopThreshold = options.stopThreshold ?? 0.05;
  const sampler = { chains: 2, warmup: 300, draws: 250, parallel: false, ...options.sampler };
  const truth = options.truth ?? (await backtestTruth(table, options));
  const H = truth.heuristics.length;
  const T = truth.tasks.length;
  const per: BacktestSimulation[] = [];
  const settings = {
    seed,
    batch,
    max_runs: maxRuns,
    settle,
    stop_threshold: stopThreshold,
    stop_runs: batch,
    sampler,
    outcomes: options.outcomes ?? 64,
    plan_draws: options.planDraws ?? 500,
    acquisition: options.acquisition ?? PLAN_ACQUISITION,
    batch_update: options.batchUpdate ?? 'reweight',
    explore: options.explore ?? PLAN_EXPLORE,
    unsettled_counted_as: maxRuns + 1,
    rope: truth.rope,
    start_tasks_per_category: START_TASKS,
    correct: 'the recommended heuristic is within the ROPE of the true best',
    settled: `correct in every scope with posterior P(within ROPE) >= ${settle}`,
  };
  const summarize = (done: readonly BacktestSimulation[]) =>
    summarizeBacktest(done, options.strategy, settings);
  const first = options.first ?? 0;
  for (let i = first; i < first + nSim; i++) {
    if (options.stop?.()) break;
    const rng = createNormalRng(seed * 7919 + i);
    const s = Math.floor(rng.uniform() * truth.S);
    const correctSet = trueCorrect(truth, s);
    const runs: { h: number; t: number; k: number; y: number }[] = [];
    const count = new Int32Array(H * T);
    const addRun = (h: number, t: number) => {
      runs.push({
        h,
        t,
        k: ++count[h + H * t],
        y: truth.cell[s + truth.S * (h + H * t)] + truth.sigma[s] * rng.normal(),
      });
    };
    for (const t of startDesign(truth, rng)) for (let h = 0; h < H; h++) addRun(h, t);
    const start = runs.length;
    const sim: BacktestSimulation = {
      index: i,
      truth_sigma: truth.sigma[s],
      runs_to_settle: null,
      runs_to_correct: null,
      stopped_at: null,
      stopped_wrong: false,
      p_rule_stopped_at: null,
      p_rule_stopped_wrong: false,
      trace: [],
    };
    let last: ({ best: string; p_within_rope: number } | undefined)[] = [];
    for (;;) {
      const added = runs.length - start;
      const run = await runComparison(runsTable(truth, runs), {
        budgetCurve: false,
        ...(options.compare?.higherIsBetter !== undefined
          ? { higherIsBetter: options.compare.higherIsBetter }
          : {}),
        // the real table's ROPE: a simulated table's default would move with its scores
        rope: truth.rope,
        sampler: { ...sampler, seed: seed + added },
      });
      const observed = new Set(runs.map((r) => r.t));
      const candidates: CandidateSpec[] = [];
      for (let t = 0; t < T; t++)
        for (let h = 0; h < H; h++)
          candidates.push({
            heuristic: truth.heuristics[h],
            task: truth.tasks[t],
            ...(observed.has(t) ? {} : { category: truth.taskCategory[t] }),
          });
      const planOptions = {
        runs: batch,
        stopThreshold,
        outcomes: options.outcomes ?? 64,
        maxDraws: options.planDraws ?? 500,
        acquisition: options.acquisition ?? PLAN_ACQUISITION,
        batchUpdate: options.batchUpdate ?? 'reweight',
        explore: options.explore ?? PLAN_EXPLORE,
        seed: seed + added,
        candidates,
        lazyVerdicts: true,
      };
      // the strategies that do not use the planner's batch need only its verdict; while some
      // scope's loss is above the threshold that verdict is "not decided" whatever a batch is
      // worth (stoppingRule's condition (1)), so the value-of-information search (~3/4 of a step's
      // time on lra_xformers) is skipped: the same verdicts, scopes and traces
      const quick = options.strategy === 'plan' ? null : scopesFromRun(run, planOptions);
      const plan: PlanDocument | null =
        quick && !quick.every((sc) => sc.loss_ok) ? null : planFromRun(run, planOptions);
      const scopeDocs = plan?.scopes ?? quick ?? [];
      const scopes = truth.scopes.map((sc) => scopeDocs.find((p) => p.name === sc.name));
      const verdicts = truth.scopes.map((sc) => plan?.verdicts.find((v) => v.scope === sc.name));
      last = scopes;
      const correct = scopes.every((sc, c) => sc !== undefined && correctSet[c].has(sc.best));
      const pWithin = Math.min(...scopes.map((sc) => sc?.p_within_rope ?? 0));
      const settled = correct && pWithin >= settle;
      const decided = plan !== null && verdicts.every((v) => v?.decided === true);
      const threshold = stopThreshold * lossMargin(truth.rope);
      const lossRatio = Math.max(
        ...scopes.map((sc) => (sc ? sc.rope_loss / threshold : Number.POSITIVE_INFINITY)),
      );
      const diag = run.comparison.diagnostics;
      if (correct && sim.runs_to_correct === null) sim.runs_to_correct = added;
      if (decided && sim.stopped_at === null) {
        sim.stopped_at = added;
        sim.stopped_wrong = !correct;
      }
      const pRuleDecided = scopes.every(
        (sc) =>
          sc !== undefined &&
          probabilityRule({
            pWithinRope: sc.p_within_rope,
            se: sc.p_within_rope_se,
            stopThreshold,
          }).decided,
      );
      if (pRuleDecided && sim.p_rule_stopped_at === null) {
        sim.p_rule_stopped_at = added;
        sim.p_rule_stopped_wrong = !correct;
      }
      sim.trace.push({
        added,
        p_within_rope_min: pWithin,
        correct,
        decided,
        loss_ratio_max: lossRatio,
        rhat_max: diag?.max_rhat ?? Number.NaN,
        divergent: diag?.divergent ?? 0,
        ess_bulk_min: diag?.min_ess_bulk ?? Number.NaN,
        p_rule_decided: pRuleDecided,
      });
      options.onStep?.({ simulation: i, added, settled, decided });
      if (settled) {
        sim.runs_to_settle = added;
        break;
      }
      if (added >= maxRuns) break;
      const next =
        options.strategy === 'plan'
          ? (plan as PlanDocument).batch.runs.map(
              (r) => truth.heuristics.indexOf(r.heuristic) + H * truth.tasks.indexOf(r.task),
            )
          : blindBatch(options.strategy, count, batch, rng);
      for (const c of next) addRun(c % H, Math.floor(c / H));
    }
    sim.runs_by_heuristic = truth.heuristics.map((_, h) =>
      runs.reduce((a, r) => a + (r.h === h ? 1 : 0), 0),
    );
    sim.final = last.map((sc, c) => ({
      scope: truth.scopes[c].name,
      best: sc?.best ?? '',
      correct: sc !== undefined && correctSet[c].has(sc.best),
      p_within_rope: sc?.p_within_rope ?? 0,
    }));
    per.push(sim);
    options.onSimulation?.(summarize(per));
  }
  return summarize(per);
}

/**
 * The figures of a list of simulations (those done so far, all of them at the end, or the first n
 * of several strategies' results, to compare them on the same simulations).
 * @example summarizeBacktest(r.per_simulation.slice(0, 3), r.strategy, r.settings).runs_median
 */
export function summarizeBacktest(
  per: readonly BacktestSimulation[],
  strategy: BacktestStrategy,
  settings: BacktestResult['settings'],
): BacktestResult {
  const n = per.length;
  const censored = Number(settings.max_runs) + 1;
  return {
    strategy,
    simulations: n,
    runs_median: median(per.map((p) => p.runs_to_settle ?? censored)),
    early_stop_rate: per.filter((p) => p.stopped_wrong).length / n,
    settled_share: per.filter((p) => p.runs_to_settle !== null).length / n,
    runs_correct_median: median(per.map((p) => p.runs_to_correct ?? censored)),
    runs_median_at_80: median(
      per.map(
        (p) => p.trace.find((x) => x.correct && x.p_within_rope_min >= 0.8)?.added ?? censored,
      ),
    ),
    stopped_share: per.filter((p) => p.stopped_at !== null).length / n,
    stopped_median: median(per.map((p) => p.stopped_at ?? censored)),
    refits_unconverged: per.reduce(
      (a, p) => a + p.trace.filter((x) => x.rhat_max > 1.01 || x.divergent > 0).length,
      0,
    ),
    refits: per.reduce((a, p) => a + p.trace.length, 0),
    per_simulation: [...per],
    settings,
  };
}
