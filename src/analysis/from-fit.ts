import type { Table } from '../data/table.js';
import type { Summary } from '../diagnostics/types.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError } from '../errors.js';
import { createNormalRng } from '../math/normal-rng.js';
import { collapseRows, rowCells } from '../model/cells.js';
import { perBackbone } from './backbones.js';
import { boundedTable } from './binomial-items.js';
import type { Bounded } from './bounded.js';
import { budgetSection } from './budgets.js';
import {
  type CellOptions,
  forEachTaskCells,
  type GroupInfo,
  groupsFromVariables,
  predictorAt,
  rowLevelVariables,
  variableIndex,
} from './cells.js';
import { type ComparisonDesign, designFromTable } from './design.js';
import { equalizeFlatTasks } from './flat-tasks.js';
import { pairPlan } from './limits.js';
import { column, type HeuristicDraws } from './matrix.js';
import { pairwiseComparisons } from './pairwise.js';
import { ppcByTaskStreaming, type TaskPpc } from './ppc.js';
import { type RankSummary, rankSummary } from './ranks.js';
import { bestIndex, recommend } from './recommend.js';
import { LOTO_MIN_TASKS, type LotoScopeInput, leaveOneTaskOut } from './robustness.js';
import { defaultRope, metricScales, type TaskScale, taskMetrics, taskScales } from './rope.js';
import { equivalenceFloor, ropeFloorNote } from './rope-floor.js';
import { summarize90 } from './stats.js';
import type {
  Comparison,
  ComparisonCell,
  ComparisonDiagnostics,
  ComparisonHeuristic,
  ComparisonPair,
  ComparisonRobustness,
} from './types.js';
import { varianceComponents, varianceNotes } from './variance.js';

/**
 * How scores were put on the model's scale before fitting: 'none' (raw), 'task' (each task
 * standardized by its own sd) or 'metric' (each task centred, and divided by the pooled
 * within-task sd of its metric: tasks of one metric keep their relative spreads).
 */
export type ScaleMode = 'none' | 'task' | 'metric';

/** The scale modes, for option checks and messages. */
export const SCALE_MODES: readonly ScaleMode[] = ['none', 'task', 'metric'];

/**
 * Whether heuristic-level results are in standard-deviation units (scores standardized per task or
 * per metric); takes a stored document's `settings.scale` too.
 * @example isStandardized('metric') // true
 */
export function isStandardized(scale: unknown): boolean {
  return scale === 'task' || scale === 'metric';
}

/**
 * Most values (draws x heuristics x tasks) of cell draws kept in memory between the two passes of
 * `compareFromFit` (4e6 doubles = 32 MB); beyond it the second pass recomputes the cells (at 500
 * tasks, 20 heuristics and 4,000 draws they would take 320 MB).
 */
const KEEP_BLOCKS_MAX_VALUES = 4_000_000;

/** Decision settings that can change without refitting. */
export interface DecisionOptions {
  /** ROPE half-width in the units of heuristic-level results (default: 0.1 x pooled within-task sd). */
  rope?: number;
  /** Decision threshold in (0.5, 1) (default 0.95). */
  threshold?: number;
  /** Orientation (default true). */
  higherIsBetter?: boolean;
}

/** What `compareFromFit` needs: the canonical table, the draws and how they were made. */
export interface FitInput {
  /** The canonical comparison table (scores in their own units, before any `--scale task`). */
  table: Table;
  draws: Draws;
  /** Diagnostics of the fit (from `summarizeFit`); without it the diagnostics are NaN. */
  summary?: Summary;
  /** Grouping metadata of the compiled model; parsed from brms names when absent. */
  groups?: readonly GroupInfo[];
  /** Response family (default gaussian). */
  family?: string;
  /** The formula that was fitted (reported in settings). */
  formula?: string;
  /** How scores were scaled before the fit (default 'none'). */
  scale?: ScaleMode;
  /** A bounded score fitted on the logit scale (PreparedComparison.bounded); null or absent: not. */
  bounded?: Bounded | null;
  /** Upper bound of the scores' proportion scale (PreparedComparison.proportionUpper); 0 or absent: none. */
  proportionUpper?: number;
  /** Extra settings to record (sampler config, file, score column...). */
  settings?: Record<string, unknown>;
  /** Notes from earlier steps (data preparation) to carry into the document. */
  notes?: string[];
  /**
   * false: no posterior predictive check (its replicates draw rows independently given the cell,
   * which the paired item model's rows are not; default true).
   */
  ppc?: boolean;
}

/** Options of `compareFromFit`. */
export interface FromFitOptions extends DecisionOptions {
  /** Seed of the new-level and posterior-predictive draws (default 1). */
  seed?: number;
  /** Number of posterior draws used for the predictive check (default 400). */
  ppcDraws?: number;
}

/**
 * Scores of the canonical table on the model's scale: unchanged, or standardized per task or per
 * metric (src/analysis/rope.ts `taskScales`, `metricScales`). Returns the fitted table (score and
 * se replaced) and the per-task scales (null for 'none').
 * @example scaleTable(prepared.table, 'task').table.columns.score
 */
export function scaleTable(
  table: Table,
  scale: ScaleMode,
): { table: Table; scales: TaskScale | null; design: ComparisonDesign } {
  const design = designFromTable(table);
  if (scale === 'none') return { table, scales: null, design };
  const scoreCol = table.columns.score;
  if (scoreCol?.type !== 'numeric')
    throw new ConfigError('the comparison table has no numeric score');
  const scales =
    scale === 'metric'
      ? metricScales(scoreCol.values, design, taskMetrics(table, design))
      : taskScales(scoreCol.values, design);
  const score = new Float64Array(table.nRows);
  const seCol = table.columns.se;
  const se = seCol?.type === 'numeric' ? new Float64Array(table.nRows) : null;
  for (let i = 0; i < table.nRows; i++) {
    const t = design.rowTask[i];
    score[i] = (scoreCol.values[i] - scales.center[t]) / scales.scale[t];
    if (se && seCol?.type === 'numeric') se[i] = seCol.values[i] / scales.scale[t];
  }
  const columns: Record<string, Table['columns'][string]> = {
    ...table.columns,
    score: { type: 'numeric', values: score },
  };
  if (se) columns.se = { type: 'numeric', values: se };
  return { table: { ...table, columns }, scales, design };
}

/** ComparisonDiagnostics from a Summary (NaN when absent). */
export function comparisonDiagnostics(summary: Summary | undefined): ComparisonDiagnostics {
  if (!summary) {
    return {
      max_rhat: Number.NaN,
      min_ess_bulk: Number.NaN,
      min_ess_tail: Number.NaN,
      divergent: 0,
    };
  }
  let maxRhat = Number.NEGATIVE_INFINITY;
  let minBulk = Number.POSITIVE_INFINITY;
  let minTail = Number.POSITIVE_INFINITY;
  for (const r of summary.variables) {
    if (Number.isFinite(r.rhat)) maxRhat = Math.max(maxRhat, r.rhat);
    if (Number.isFinite(r.ess_bulk)) minBulk = Math.min(minBulk, r.ess_bulk);
    if (Number.isFinite(r.ess_tail)) minTail = Math.min(minTail, r.ess_tail);
  }
  return {
    max_rhat: Number.isFinite(maxRhat) ? maxRhat : Number.NaN,
    min_ess_bulk: Number.isFinite(minBulk) ? minBulk : Number.NaN,
    min_ess_tail: Number.isFinite(minTail) ? minTail : Number.NaN,
    divergent: summary.sampler?.divergent ?? 0,
  };
}

function cellsOf(m: HeuristicDraws, ranks: RankSummary): ComparisonCell[] {
  return m.names.map((name, h) => {
    const iv = summarize90(column(m, h));
    return {
      heuristic: name,
      mean: iv.mean,
      q5: iv.q5,
      q95: iv.q95,
      p_best: ranks.pBest[h],
      expected_rank: ranks.expectedRank[h],
      rank_q5: ranks.rankQ5[h],
      rank_q95: ranks.rankQ95[h],
    };
  });
}

function checkDecisionOptions(o: DecisionOptions): void {
  if (o.rope !== undefined && !(Number.isFinite(o.rope) && o.rope >= 0)) {
    throw new ConfigError(`--rope must be a number >= 0 (got ${o.rope})`);
  }
  if (o.threshold !== undefined && !(o.threshold > 0.5 && o.threshold < 1)) {
    throw new ConfigError(`--threshold must be between 0.5 and 1 (got ${o.threshold})`);
  }
}

function taskPpc(
  input: FitInput,
  fitted: Table,
  design: ComparisonDesign,
  groups: readonly GroupInfo[],
  nPpc: number,
  seed: number,
): TaskPpc[] | null {
  const family = input.family ?? 'gaussian';
  if (family !== 'gaussian' || input.ppc === false) return null;
  const { draws } = input;
  const S = draws.nDraws * draws.nChains;
  const K = Math.min(nPpc, S);
  const ids = Array.from({ length: K }, (_, k) => Math.floor(((k + 0.5) * S) / K));
  const { rowLevel } = rowLevelVariables(draws, design, groups);
  const sigmaVar = variableIndex(draws).get('sigma');
  const interceptVar = variableIndex(draws).get('b_Intercept') ?? -1;
  const sigma = sigmaVar === undefined ? undefined : ids.map((s) => draws.values[sigmaVar * S + s]);
  const seCol = fitted.columns.se;
  const se = seCol?.type === 'numeric' ? seCol.values : undefined;
  const scoreCol = fitted.columns.score;
  if (scoreCol?.type !== 'numeric') return null;
  // atoms: rows with the same task and group levels (same predictor); every row alone with se
  const N = design.nRows;
  const radix = draws.variables.length + 1;
  const {
    cellOfRow: rowAtom,
    firstRow,
    nCells: nAtoms,
  } = se
    ? rowCells(N)
    : collapseRows(N, [
        { codes: Int32Array.from(design.rowTask, (t) => t + 1), n: design.tasks.length + 1 },
        ...rowLevel.map((lv) => ({ codes: Int32Array.from(lv, (v) => v + 1), n: radix })),
      ]);
  // one representative row per atom (firstRow) for its levels
  const atomVars = rowLevel.map((lv) => Int32Array.from(firstRow, (i) => lv[i]));
  const atomEta = (k: number, eta: Float64Array) =>
    predictorAt(draws, ids[k], interceptVar, atomVars, nAtoms, eta);

  return ppcByTaskStreaming(
    {
      y: scoreCol.values,
      rowTask: design.rowTask,
      nTasks: design.tasks.length,
      rowAtom,
      nAtoms,
      atomEta,
      nReplicates: K,
      ...(sigma ? { sigma } : {}),
      ...(se ? { se } : {}),
    },
    createNormalRng(seed + 1),
  );
}

/**
 * Build the Comparison document from a fit's draws: cell means, expected scores overall and per
 * category, pairwise ROPE decisions (overall, per category, per task), P(best), expected ranks,
 * rank probabilities, recommendations and per-task posterior predictive checks. Pure apart from
 * seeded random draws, so the web app can rebuild a report with another ROPE or threshold without
 * refitting.
 * @example
 * const c = compareFromFit({ table: prepared.table, draws: fit.draws, summary, groups: model.groups },
 *   { rope: 0.5, threshold: 0.9 });
 */
export function compareFromFit(input: FitInput, options: FromFitOptions = {}): Comparison {
  checkDecisionOptions(options);
  const scale = input.scale ?? 'none';
  const threshold = options.threshold ?? 0.95;
  const higherIsBetter = options.higherIsBetter ?? true;
  const seed = options.seed ?? 1;
  const scaled = scaleTable(input.table, scale);
  const { scales, design } = scaled;
  const bounded = input.bounded ?? null;
  // the model's scale (logit or counts for a bounded score) for the predictive check; the ROPE in score units
  const fitted = bounded ? boundedTable(scaled.table, bounded) : scaled.table;
  const scoreCol = scaled.table.columns.score;
  if (scoreCol?.type !== 'numeric')
    throw new ConfigError('the comparison table has no numeric score');
  const groups = input.groups ?? groupsFromVariables(input.draws.variables, design);
  const ropeDefault = defaultRope(
    scoreCol.values,
    design,
    scale === 'none' ? (input.proportionUpper ?? 0) : 0,
  );
  const rope = options.rope ?? (Number.isFinite(ropeDefault.rope) ? ropeDefault.rope : 0);
  const ropeSource = options.rope !== undefined ? 'user (--rope)' : ropeDefault.source;
  const pairOpts = { rope, threshold, higherIsBetter };
  const S = input.draws.nDraws * input.draws.nChains;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  // every pair while they are few, else pairs against each scope's best (src/analysis/limits.ts)
  const plan = pairPlan(H, T);
  const allTasks = design.tasks.map((_, t) => t);
  const categoryTasks = design.categories.map((name) =>
    allTasks.filter((t) => design.taskCategory[t] === name),
  );
  const categoryOf = new Int32Array(T).fill(-1);
  categoryTasks.forEach((ids, c) => {
    for (const t of ids) categoryOf[t] = c;
  });

  // One pass over the tasks' cell draws (O(S x H) memory; the whole S x H x T array was 320 MB
  // at 500 tasks): the overall and per-category means are accumulated as `averageOverTasks`
  // computes them (same order, same arithmetic), and each task is summarized as it goes.
  const overallValues = new Float64Array(S * H);
  if (T === 0) overallValues.fill(Number.NaN);
  const categoryValues = categoryTasks.map(() => new Float64Array(S * H));
  const ppc = taskPpc(input, fitted, design, groups, options.ppcDraws ?? 400, seed);
  const taskPairs: ComparisonPair[] = [];
  const tasks: Comparison['tasks'] = [];
  // the same cell options in the leave-one-task-out pass below, so its blocks are these blocks
  const cellOptions = { groups, family: input.family, seed, bounded };
  // the blocks kept for the leave-one-task-out pass below when they are small (that pass then
  // reads them instead of recomputing every cell: the same values, the same new-level draws)
  const kept = S * H * T <= KEEP_BLOCKS_MAX_VALUES ? new Float64Array(S * H * T) : null;
  const { notes: cellNotes } = forEachTaskCells(input.draws, design, cellOptions, (t, block) => {
    kept?.set(block, S * H * t);
    accumulate(overallValues, block, 1 / T);
    const c = categoryOf[t];
    if (c >= 0) accumulate(categoryValues[c], block, 1 / categoryTasks[c].length);
    // per task (in each task's own units)
    const name = design.tasks[t];
    const back = scales ? { center: scales.center[t], scale: scales.scale[t] } : undefined;
    const values = block.slice();
    if (back)
      for (let i = 0; i < values.length; i++) values[i] = back.center + back.scale * values[i];
    const m: HeuristicDraws = { names: design.heuristics, nSamples: S, values };
    const ranks = rankSummary(m, higherIsBetter);
    const taskRope = back ? rope * back.scale : rope;
    for (const pair of pairwiseComparisons(m, {
      ...pairOpts,
      rope: taskRope,
      scope: `task:${name}`,
      reference: plan.task === 'all' ? undefined : bestIndex(ranks),
    }))
      taskPairs.push(pair);
    const p = ppc?.[t];
    tasks.push({
      name,
      category: design.taskCategory[t],
      heuristics: cellsOf(m, ranks),
      ...(p && Number.isFinite(p.observed_sd)
        ? {
            ppc: back
              ? {
                  observed_sd: p.observed_sd * back.scale,
                  replicated_sd_q5: p.replicated_sd_q5 * back.scale,
                  replicated_sd_q95: p.replicated_sd_q95 * back.scale,
                  p_value: p.p_value,
                }
              : p,
          }
        : {}),
    });
  });

  // overall
  const overall: HeuristicDraws = { names: design.heuristics, nSamples: S, values: overallValues };
  const overallRanks = rankSummary(overall, higherIsBetter);
  const pairs: ComparisonPair[] = pairwiseComparisons(overall, {
    ...pairOpts,
    scope: 'overall',
    reference: plan.overall === 'all' ? undefined : bestIndex(overallRanks),
  });
  const heuristics: ComparisonHeuristic[] = cellsOf(overall, overallRanks).map((c) => ({
    name: c.heuristic,
    mean: c.mean,
    q5: c.q5,
    q95: c.q95,
    p_best: c.p_best,
    expected_rank: c.expected_rank,
    rank_q5: c.rank_q5,
    rank_q95: c.rank_q95,
  }));
  const overallPairs = pairs.slice();
  const recommendation = recommend(overallRanks, overallPairs);
  const lotoScopes: LotoScopeInput[] = [
    { scope: 'overall', mean: overall, tasks: allTasks, pairs: overallPairs },
  ];

  // per category
  const perCategory = categorySections(design, categoryTasks, categoryValues, S, pairOpts, plan);
  const categories = perCategory.categories;
  for (const pair of perCategory.pairs) pairs.push(pair);
  lotoScopes.push(...perCategory.scopes);
  for (const pair of taskPairs) pairs.push(pair);
  const backbones = backboneSections(input, design, cellOptions, overallPairs, {
    rope,
    threshold,
    higherIsBetter,
  });
  const categoryDraws = design.categories.map(
    (name, c) =>
      [name, { names: design.heuristics, nSamples: S, values: categoryValues[c] }] as const,
  );
  // per-arm curves; `compare` replaces them with the budget-curve model's when it fitted one
  // (src/analysis/budget-curves.ts curveBudgetSection)
  const budgets = budgetSection(
    input.table,
    columnOf(input.settings, 'budget'),
    overall,
    categoryDraws,
    pairOpts,
    // each backbone's curves, its loss against the full cache on that backbone
    backbones.draws.map((b) => [`backbone:${b.name}`, b.draws] as const),
  );
  // leave-one-task-out (src/analysis/robustness.ts): a second pass over the same cell draws (same
  // seed, so the same new-level draws) instead of keeping every task's S x H block in memory
  const robustness = leaveOneTaskOut(
    lotoScopes,
    design.tasks,
    kept
      ? (fn) => {
          for (let t = 0; t < T; t++) fn(t, kept.subarray(S * H * t, S * H * (t + 1)));
        }
      : (fn) => forEachTaskCells(input.draws, design, cellOptions, fn),
    { rope, threshold, higherIsBetter },
  );
  if (backbones.robustness) robustness.backbones = backbones.robustness;
  const notes = [
    ...(input.notes ?? []),
    ...design.notes,
    ...cellNotes,
    ...plan.notes,
    ...ropeNotes(rope, ropeSource, equivalenceFloor(overallPairs, threshold), scale),
  ];
  if (!ppc) {
    notes.push(
      input.ppc === false
        ? 'no posterior predictive check for the paired item model'
        : `no posterior predictive check for family ${input.family}`,
    );
  }
  const components = varianceComponents(input.draws);
  notes.push(...componentNotes(components, design, input.family ?? 'gaussian', bounded !== null));
  const diagnostics = comparisonDiagnostics(input.summary);
  const doc: Comparison = {
    heuristics: [...heuristics].sort((a, b) => a.expected_rank - b.expected_rank),
    pairs,
    categories,
    tasks,
    diagnostics,
    warnings: input.summary?.warnings ?? [],
    rank_probabilities: overallRanks.names.map((h, i) => ({
      heuristic: h,
      p: Array.from(overallRanks.probabilities[i]),
    })),
    recommendation,
    ...(budgets ? { budgets } : {}),
    ...(backbones.levels.length > 0
      ? { backbones: { column: columnOf(input.settings, 'backbone'), levels: backbones.levels } }
      : {}),
    variance_components: components,
    robustness,
    settings: {
      ...input.settings,
      rope,
      rope_source: ropeSource,
      threshold,
      higher_is_better: higherIsBetter,
      scale,
      units: isStandardized(scale) ? 'sd' : 'score',
      ...(bounded
        ? {
            bounded: {
              upper: bounded.upper,
              link: 'logit',
              likelihood: bounded.likelihood ?? 'logit-normal',
              reason: bounded.reason,
              ...(bounded.items
                ? { items_per_task: bounded.items.perTask, items_source: bounded.items.source }
                : {}),
            },
          }
        : {}),
      formula: input.formula,
      family: input.family ?? 'gaussian',
      draws_used: S,
    },
    notes,
  };
  // tasks whose scores are all equal: their heuristics exactly equal there (src/analysis/flat-tasks.ts)
  return equalizeFlatTasks(doc, input.table);
}

/** The input column of a role as recorded in settings.columns (the role's name when absent). */
function columnOf(settings: Record<string, unknown> | undefined, role: string): string {
  const cols = settings?.columns;
  const v =
    typeof cols === 'object' && cols !== null ? (cols as Record<string, unknown>)[role] : undefined;
  return typeof v === 'string' ? v : role;
}

/**
 * Per-backbone results and the leave-one-backbone-out check (3+ backbones) of a comparison: the
 * cells with the backbone held fixed (src/analysis/backbones.ts), and the overall decision re-made
 * on the average over backbones without one (src/analysis/robustness.ts, backbones as the units).
 */
function backboneSections(
  input: FitInput,
  design: ComparisonDesign,
  cellOptions: CellOptions,
  overallPairs: readonly ComparisonPair[],
  o: { rope: number; threshold: number; higherIsBetter: boolean },
): {
  levels: { name: string; heuristics: ComparisonCell[] }[];
  draws: ReturnType<typeof perBackbone>;
  robustness?: NonNullable<ComparisonRobustness['backbones']>;
} {
  const draws = perBackbone(input.draws, design, cellOptions);
  const levels = draws.map((b) => ({
    name: b.name,
    heuristics: cellsOf(b.draws, rankSummary(b.draws, o.higherIsBetter)),
  }));
  if (draws.length < LOTO_MIN_TASKS) return { levels, draws };
  const r = leaveOneTaskOut(
    [
      {
        scope: 'overall',
        mean: averageOf(draws.map((b) => b.draws)),
        tasks: draws.map((_, m) => m),
        pairs: overallPairs,
      },
    ],
    draws.map((b) => b.name),
    (fn) => {
      for (let m = 0; m < draws.length; m++) fn(m, draws[m].draws.values);
    },
    o,
  );
  if (r.best === undefined) return { levels, draws };
  return {
    levels,
    draws,
    robustness: { column: columnOf(input.settings, 'backbone'), best: r.best, left_out: r.tasks },
  };
}

/** Each category's cells, decisions and recommendation from its average over tasks. */
function categorySections(
  design: ComparisonDesign,
  categoryTasks: readonly number[][],
  categoryValues: readonly Float64Array[],
  S: number,
  pairOpts: { rope: number; threshold: number; higherIsBetter: boolean },
  plan: ReturnType<typeof pairPlan>,
): { categories: Comparison['categories']; pairs: ComparisonPair[]; scopes: LotoScopeInput[] } {
  const pairs: ComparisonPair[] = [];
  const scopes: LotoScopeInput[] = [];
  const categories = design.categories.map((name, c) => {
    const ids = categoryTasks[c];
    const m: HeuristicDraws = { names: design.heuristics, nSamples: S, values: categoryValues[c] };
    const ranks = rankSummary(m, pairOpts.higherIsBetter);
    const catPairs = pairwiseComparisons(m, {
      ...pairOpts,
      scope: `category:${name}`,
      reference: plan.overall === 'all' ? undefined : bestIndex(ranks),
    });
    for (const pair of catPairs) pairs.push(pair);
    scopes.push({ scope: `category:${name}`, mean: m, tasks: ids, pairs: catPairs });
    return {
      name,
      tasks: ids.map((t) => design.tasks[t]),
      heuristics: cellsOf(m, ranks),
      ...recommend(ranks, catPairs),
    };
  });
  return { categories, pairs, scopes };
}

/** The notes on the ROPE: its value and source, the resolution floor, and the units with scaling. */
function ropeNotes(rope: number, source: string, floor: number, scale: ScaleMode): string[] {
  const out: string[] = [];
  const floorNote = ropeFloorNote(rope, floor, source);
  if (floorNote) out.push(floorNote);
  out.push(
    `ROPE = ${fmt(rope)} (${source})${scale === 'task' ? ' in standard-deviation units; per-task decisions use ROPE x the task sd' : scale === 'metric' ? " in standard-deviation units; per-task decisions use ROPE x the sd of the task's metric" : ''}`,
  );
  if (scale === 'task') {
    out.push(
      'scores standardized per task (--scale task): heuristic- and category-level results are in ' +
        "standard-deviation units, per-task results in each task's own units",
    );
  }
  if (scale === 'metric') {
    out.push(
      'scores standardized per metric (--scale metric): each task centred and divided by the pooled ' +
        "within-task sd of its metric; heuristic- and category-level results are in those sd units, per-task results in each task's own units",
    );
  }
  return out;
}

/** Notes on the variance components: what they mean, and when they are not in score units. */
function componentNotes(
  components: ReturnType<typeof varianceComponents>,
  design: ComparisonDesign,
  family: string,
  bounded: boolean,
): string[] {
  // gaussian only: a student residual differs from the normal cell effect in its tails
  const out =
    family === 'gaussian'
      ? varianceNotes(components, design.rowHeuristic, design.rowTask, design.tasks.length)
      : [];
  if (family !== 'gaussian' && family !== 'student') {
    out.push(
      `variance components (sd_*${family === 'lognormal' ? ', sigma' : ''}) are on the ${family === 'lognormal' ? 'log' : 'logit'} scale of family ${family}, not in score units`,
    );
  } else if (bounded) {
    out.push(
      'variance components (sd_*, sigma) are on the logit scale of the proportion (the bounded score is fitted there), not in score units',
    );
  }
  return out;
}

/** The draw-by-draw average of several S x H matrices of the same heuristics. */
function averageOf(ms: readonly HeuristicDraws[]): HeuristicDraws {
  const values = new Float64Array(ms[0].values.length);
  for (const m of ms) accumulate(values, m.values, 1 / ms.length);
  return { names: ms[0].names, nSamples: ms[0].nSamples, values };
}

/** into[i] += w block[i] (the per-task step of `averageOverTasks`, element for element). */
function accumulate(into: Float64Array, block: Float64Array, w: number): void {
  for (let i = 0; i < into.length; i++) into[i] += w * block[i];
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x);
}
