import { confidentAboutBest, flipsAgainst, LOTO_MIN_TASKS } from '../analysis/robustness.js';
import type {
  Comparison,
  ComparisonPair,
  ComparisonRobustness,
  RobustnessTask,
} from '../analysis/types.js';
import { selectRows } from '../data/access.js';
import type { Table } from '../data/table.js';
import { ConfigError } from '../errors.js';
import { type CompareOptions, type ComparisonRun, runComparison } from './compare.js';

/**
 * Leave-one-task-out by refitting (`bayesbench compare --robustness refit`): the whole comparison
 * is run again without each task's rows, with the settings of the full run pinned (the same ROPE
 * in score units, threshold, orientation, scaling and sampler seed; a default ROPE or scaling
 * recomputed from fewer tasks would move the goalposts), and each refit's recommendation and
 * decisions about the full run's best are set against the full run's, overall and for every
 * category with at least LOTO_MIN_TASKS tasks. Unlike the default check from the same draws
 * (src/analysis/robustness.ts), the left-out task's data no longer inform the shared parameters:
 * this answers "would the conclusion change without this task's data", at the cost of one fit per
 * task. Importance reweighting of the existing draws (PSIS, Vehtari, Gelman & Gabry 2017, with the
 * Pareto k-hat deciding where to refit) would avoid most refits; it is not implemented.
 */

/** The method as stated in the JSON (`robustness.method`) for refits. */
export const REFIT_METHOD =
  'leave-one-task-out by refitting: the comparison run again without each task\u2019s rows, with ' +
  'the full run\u2019s ROPE, threshold, orientation, scaling and sampler seed, and its best ' +
  'heuristic and confident decisions about the best set against the full run\u2019s';

/** The comparison without one task, and how it was obtained. */
export interface WithoutTask {
  comparison: Comparison;
  via?: 'psis' | 'refit';
  pareto_k?: number;
}

/** Options of `refitRobustness`. */
export interface RefitRobustnessOptions {
  /** Called before each refit (for progress lines). */
  onRefit?: (task: string, index: number, total: number) => void;
  /**
   * The comparison without a task (default: refit on the input rows `keep` with `pinned`);
   * src/pipeline/robustness-psis.ts reweights the draws instead where PSIS is reliable.
   */
  withoutTask?: (task: string, keep: Int32Array, pinned: CompareOptions) => Promise<WithoutTask>;
  /** The result's kind and method (default 'refit', REFIT_METHOD). */
  kind?: 'refit' | 'psis';
  method?: string;
}

/**
 * The input rows of each task of the full run, found through the CSV line numbers the canonical
 * table carries over (`lines`), else through the task column's values.
 */
function taskRows(table: Table, run: ComparisonRun): Map<string, Set<number>> {
  const canon = run.prepared.table;
  const task = canon.columns.task;
  if (task?.type !== 'factor') throw new ConfigError('--robustness refit: no task column');
  const out = new Map<string, Set<number>>(task.levels.map((l) => [l, new Set<number>()]));
  if (canon.lines && table.lines) {
    const rowOfLine = new Map<number, number>();
    for (let i = 0; i < table.lines.length; i++) rowOfLine.set(table.lines[i], i);
    for (let i = 0; i < canon.nRows; i++) {
      const row = rowOfLine.get(canon.lines[i]);
      if (row !== undefined && task.codes[i] >= 0) out.get(task.levels[task.codes[i]])?.add(row);
    }
    return out;
  }
  const raw = table.columns[run.prepared.mapping.task];
  if (raw?.type !== 'factor') {
    throw new ConfigError(
      '--robustness refit: cannot find the rows of each task (no line numbers, no single task column)',
    );
  }
  for (let i = 0; i < table.nRows; i++) {
    const name = raw.codes[i] < 0 ? null : raw.levels[raw.codes[i]];
    if (name !== null) out.get(name)?.add(i);
  }
  return out;
}

/** One scope's entry for one refit: best and flips against the full run's. */
function entryOf(
  task: string,
  full: { best: string; pairs: readonly ComparisonPair[] },
  refit: { best: string; p_best: number; pairs: readonly ComparisonPair[] },
  diagnostics: Comparison['diagnostics'],
  how: Omit<WithoutTask, 'comparison'> = {},
): RobustnessTask {
  return {
    task,
    best_without: refit.best,
    p_best_without: refit.p_best,
    changes_best: refit.best !== full.best,
    flipped_pairs: flipsAgainst(confidentAboutBest(full.pairs, full.best), refit.pairs),
    ...(how.via === 'psis'
      ? {}
      : {
          refit_diagnostics: { max_rhat: diagnostics.max_rhat, divergent: diagnostics.divergent },
        }),
    ...(how.via ? { via: how.via } : {}),
    ...(how.pareto_k !== undefined ? { pareto_k: how.pareto_k } : {}),
  };
}

/**
 * Refit the comparison without each task and report, per scope, which single task changes the
 * best heuristic or a confident decision about it (the ComparisonRobustness shape, kind 'refit').
 * A refit that fails (e.g. a heuristic left on one task) is recorded with its error.
 * @example run.comparison.robustness = await refitRobustness(table, options, run);
 */
export async function refitRobustness(
  table: Table,
  options: CompareOptions,
  run: ComparisonRun,
  refitOptions: RefitRobustnessOptions = {},
): Promise<ComparisonRobustness> {
  const c = run.comparison;
  const s = c.settings ?? {};
  const T = c.tasks.length;
  const checked = c.categories.filter((k) => k.tasks.length >= LOTO_MIN_TASKS);
  const result: ComparisonRobustness = {
    kind: refitOptions.kind ?? 'refit',
    method: refitOptions.method ?? REFIT_METHOD,
    min_tasks: LOTO_MIN_TASKS,
    tasks: [],
    categories: checked.map((k) => ({ name: k.name, best: k.best, tasks: [] })),
  };
  if (T < LOTO_MIN_TASKS || !c.recommendation) return result;
  result.best = c.recommendation.best;
  const rows = taskRows(table, run);
  const pinned: CompareOptions = {
    ...options,
    rope: typeof s.rope === 'number' ? s.rope : options.rope,
    threshold: typeof s.threshold === 'number' ? s.threshold : options.threshold,
    higherIsBetter: run.prepared.higherIsBetter,
    scale: run.prepared.scale,
    sampler: { ...options.sampler, seed: run.fit.config.seed },
    // the check reads the comparison model's pairs and recommendations, not the budgets section:
    // no budget-curve fit per refit
    budgetCurve: false,
  };
  delete pinned.onProgress;
  const scopePairs = (doc: Comparison, scope: string) => doc.pairs.filter((p) => p.scope === scope);
  let index = 0;
  for (const task of c.tasks.map((t) => t.name)) {
    refitOptions.onRefit?.(task, index++, T);
    const drop = rows.get(task) ?? new Set<number>();
    const keep: number[] = [];
    for (let i = 0; i < table.nRows; i++) if (!drop.has(i)) keep.push(i);
    const category = c.tasks.find((t) => t.name === task)?.category ?? null;
    const k = checked.findIndex((x) => x.name === category);
    let refit: Comparison;
    let how: Omit<WithoutTask, 'comparison'> = {};
    try {
      const rowsKept = Int32Array.from(keep);
      if (refitOptions.withoutTask) {
        const w = await refitOptions.withoutTask(task, rowsKept, pinned);
        refit = w.comparison;
        how = {
          ...(w.via ? { via: w.via } : {}),
          ...(w.pareto_k !== undefined ? { pareto_k: w.pareto_k } : {}),
        };
      } else refit = (await runComparison(selectRows(table, rowsKept), pinned)).comparison;
    } catch (err) {
      const failed: RobustnessTask = {
        task,
        best_without: '',
        p_best_without: Number.NaN,
        changes_best: false,
        flipped_pairs: [],
        refit_error: (err as Error).message,
      };
      result.tasks.push(failed);
      if (k >= 0) result.categories[k].tasks.push({ ...failed });
      continue;
    }
    const rec = refit.recommendation ?? { best: '', p_best: Number.NaN };
    result.tasks.push(
      entryOf(
        task,
        { best: c.recommendation.best, pairs: scopePairs(c, 'overall') },
        { best: rec.best, p_best: rec.p_best, pairs: scopePairs(refit, 'overall') },
        refit.diagnostics,
        how,
      ),
    );
    if (k >= 0) {
      const scope = `category:${checked[k].name}`;
      const cat = refit.categories.find((x) => x.name === checked[k].name);
      result.categories[k].tasks.push(
        entryOf(
          task,
          { best: checked[k].best, pairs: scopePairs(c, scope) },
          {
            best: cat?.best ?? '',
            p_best: cat?.p_best ?? Number.NaN,
            pairs: scopePairs(refit, scope),
          },
          refit.diagnostics,
          how,
        ),
      );
    }
  }
  return result;
}
