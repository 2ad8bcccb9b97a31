import { type KnownTask, knownTaskSizes } from '../data/benchmark-sizes.js';
import type { Table } from '../data/table.js';
import { ConfigError } from '../errors.js';
import type { Family } from '../model/spec.js';
import { type Bounded, logitTable } from './bounded.js';

/**
 * Binomial scores from item counts. A score that is the share of a task's n items answered
 * correctly (accuracy, exact match, retrieval or pass rate) is a count out of n: the row is fitted
 * as round(score / upper x n) successes of n trials with a logit link (the binomial GLMM; Bolker
 * et al. 2009, "Generalized linear mixed models", Trends Ecol. Evol. 24(3)), which keeps every
 * result inside [0, upper] and weighs a task by how many items it has. The counts n come from
 * `--items-per-task` or, when every task of the table is a task of one benchmark in the sizes
 * table (src/data/benchmark-sizes.ts) and the printed scores are whole counts of those n, from
 * that table. Per-item continuous scores (F1, ROUGE-L, edit similarity) are not counts: they keep
 * the gaussian or logit-normal model (src/analysis/bounded.ts).
 */

/** The families that fit counts of items (`score | trials(trials)`). */
export const COUNT_FAMILIES: readonly string[] = ['binomial', 'beta_binomial'];

/**
 * The default model of item counts: with backbones a table has one row per heuristic x task x
 * backbone and no term of the default formula is that fine, so the variation of a row beyond item
 * sampling needs a place of its own. It is the beta-binomial (family beta_binomial, brms's
 * parameterization: mean logit^-1(eta), precision phi), in which each row's success probability is
 * Beta(mu phi, (1 - mu) phi) and is integrated out exactly: one parameter phi instead of one
 * effect per row (BENCHMARKS.md §9.7: the row effects cost 8 times the CPU and left divergences).
 * With `family` binomial given, the binomial keeps an observation-level effect
 * `(1|heuristic:task:backbone)` (Harrison 2014, "Using observation-level random effects to model
 * overdispersion in count data in ecology and evolution", PeerJ 2:e616). Without backbones the
 * heuristic:task term is already per row, and the binomial stays. family null: the caller's default.
 * @example countModel(bounded, true, undefined) // { family: 'beta_binomial', rowTerm: '' }
 */
export function countModel(
  bounded: Bounded | null | undefined,
  hasBackbone: boolean | undefined,
  family: Family | undefined,
): { family: Family | null; rowTerm: string } {
  if (bounded?.likelihood !== 'binomial' || !hasBackbone) return { family: null, rowTerm: '' };
  if (family === 'binomial') return { family: null, rowTerm: ' + (1|heuristic:task:backbone)' };
  return { family: 'beta_binomial', rowTerm: '' };
}

/**
 * The sampler's metric for the beta-binomial fit: the heuristic term (few levels) stays
 * non-centred (src/model/layout.ts), and with Stan's diagonal metric its sd and standardized
 * effects, pinned together by the counts, took ~230 leapfrog steps per iteration on the RULER
 * table; the Fisher-divergence diagonal metric (docs/ALGORITHMS.md §3.7) ~100, with 0 divergent
 * transitions (the low-rank one ~30, but R-hat 1.016 and bulk ESS 204 for that sd; BENCHMARKS.md §9.7).
 */
export const BETA_BINOMIAL_SAMPLER = { metric: 'fisher-diag' } as const;

/** Items per task as given: one n for every task, or n per task name. */
export type ItemsPerTask = number | Readonly<Record<string, number>>;

/** Metric names of a proportion of items correct. */
const CORRECT_NAME = /acc|accuracy|exact|(^|_)em($|_)|pass|success|correct|string_match|hit/i;
/** Metric names of a per-item continuous score (never counts). */
const CONTINUOUS_NAME = /f1|rouge|sim|bleu|meteor|bert|score_mean|cider/i;

/** Whether every metric name says "proportion of items correct" and none a continuous score. */
function namedCorrect(metricNames: readonly string[]): boolean {
  return (
    metricNames.length > 0 &&
    metricNames.every((m) => CORRECT_NAME.test(m) && !CONTINUOUS_NAME.test(m))
  );
}

/** Decimals a score was printed with (String of a parsed number: its shortest form), at most 6. */
function decimals(v: number): number {
  const s = String(v);
  const dot = s.indexOf('.');
  return dot < 0 || s.includes('e') ? 0 : Math.min(6, s.length - dot - 1);
}

/**
 * Whether `v` (printed with d decimals, so off by up to one unit of the last digit: rounding or
 * truncation) is a whole number of the n k steps of a task: n items with k sub-answers each.
 * @example wholeCount(98.96, 100, 96, 1) // true (95 / 96 = 98.958..)
 */
export function wholeCount(v: number, upper: number, n: number, k: number): boolean {
  const unit = 10 ** -decimals(v);
  const lo = ((v - unit) / upper) * n * k;
  const hi = ((v + unit) / upper) * n * k;
  return Math.floor(hi + 1e-9) >= Math.ceil(lo - 1e-9);
}

/** The rows of a table the counts need. */
interface ScoreRows {
  task: string[];
  score: Float64Array;
  /** A backbone column with 2+ values (the counts' model is then the beta-binomial, countModel). */
  backbones: boolean;
}

/** The task name and score of each row, and whether the table has backbones. */
function rows(table: Table): ScoreRows | null {
  const t = table.columns.task;
  const s = table.columns.score;
  if (t?.type !== 'factor' || s?.type !== 'numeric') return null;
  const b = table.columns.backbone;
  const backbones =
    b?.type === 'factor' && new Set(Array.from(b.codes).filter((c) => c >= 0)).size > 1;
  return {
    task: Array.from(t.codes, (c) => (c >= 0 ? t.levels[c] : '')),
    score: s.values,
    backbones,
  };
}

/** 1 when all scores are in [0, 1], 100 when in [0, 100] (and some above 1), else 0. */
function upperOf(score: Float64Array): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of score) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo >= 0)) return 0;
  return hi <= 1 ? 1 : hi <= 100 ? 100 : 0;
}

/** What `binomialItems` decided: the bounded score, or null with the reason (a note) if any. */
export interface BinomialChoice {
  bounded: Bounded | null;
  notes: string[];
}

/**
 * The binomial model of a table's scores when the items per task are given (`given`, which must
 * fit: a ConfigError says why not) or known from the sizes table (used only when it fits; else a
 * note says why not and the caller keeps its other models). `given` 'none' switches the sizes
 * table off.
 * @example binomialItems(rulerTable, ['accuracy_pct'], 96).bounded?.likelihood // 'binomial'
 */
export function binomialItems(
  table: Table,
  metricNames: readonly string[],
  given: ItemsPerTask | 'none' | undefined,
): BinomialChoice {
  if (given === 'none') return { bounded: null, notes: [] };
  const r = rows(table);
  if (!r) return { bounded: null, notes: [] };
  const tasks = [...new Set(r.task)];
  const known = knownTaskSizes(tasks);
  return given === undefined
    ? fromSizesTable(r, tasks, known, metricNames)
    : fromGiven(r, tasks, known, metricNames, given);
}

/** The task's sub-answers per item from the sizes table (1 when not known or not partial). */
function subAnswers(known: KnownTask[] | null, tasks: string[], task: string): number {
  const k = known?.[tasks.indexOf(task)];
  return k?.scoring === 'partial' ? (k.subAnswers ?? 1) : 1;
}

/** The first row whose score is not a whole count of its task's items, as text; null if none. */
function firstNotWhole(
  r: ScoreRows,
  upper: number,
  perTask: Readonly<Record<string, number>>,
  k: (task: string) => number,
): string | null {
  for (let i = 0; i < r.score.length; i++) {
    const n = perTask[r.task[i]];
    if (!wholeCount(r.score[i], upper, n, k(r.task[i]))) {
      const count = ((r.score[i] / upper) * n).toFixed(2);
      return `row ${i + 1} (task ${r.task[i]}): ${r.score[i]} of ${n} items is ${count} items`;
    }
  }
  return null;
}

function fromSizesTable(
  r: ScoreRows,
  tasks: string[],
  known: KnownTask[] | null,
  metricNames: readonly string[],
): BinomialChoice {
  if (!known || !namedCorrect(metricNames)) return { bounded: null, notes: [] };
  if (known.some((k) => k.scoring === 'continuous')) return { bounded: null, notes: [] };
  const upper = upperOf(r.score);
  if (upper === 0) return { bounded: null, notes: [] };
  const perTask = Object.fromEntries(tasks.map((t, i) => [t, known[i].n]));
  const benchmark = known[0].benchmark;
  const bad = firstNotWhole(r, upper, perTask, (t) => subAnswers(known, tasks, t));
  if (bad) {
    return {
      bounded: null,
      notes: [
        `items per task: the tasks are ${benchmark}'s, but the scores are not whole counts of its test-set sizes (${bad}), so the items were fewer or the scores are averages; the binomial model is not used (give the counts with --items-per-task)`,
      ],
    };
  }
  const source = `the table of test-set sizes (src/data/benchmark-sizes.ts: ${benchmark}, ${known[0].source})`;
  return {
    bounded: binomialBounded(
      upper,
      r.score.length,
      perTask,
      source,
      metricNames,
      known,
      tasks,
      r.backbones,
    ),
    notes: [],
  };
}

function fromGiven(
  r: ScoreRows,
  tasks: string[],
  known: KnownTask[] | null,
  metricNames: readonly string[],
  given: ItemsPerTask,
): BinomialChoice {
  const continuous = metricNames.filter((m) => CONTINUOUS_NAME.test(m));
  if (continuous.length > 0) {
    throw new ConfigError(
      `--items-per-task: metric ${continuous.join(', ')} is a per-item continuous score (F1, ROUGE, similarity), not a proportion of items correct; the binomial model does not apply`,
    );
  }
  const cont = known?.find((k) => k.scoring === 'continuous');
  if (cont) {
    throw new ConfigError(
      `--items-per-task: task ${cont.names[0]} is scored by ${cont.metric} (a per-item continuous score), not a proportion of items correct; the binomial model does not apply`,
    );
  }
  const upper = upperOf(r.score);
  if (upper === 0) {
    throw new ConfigError(
      '--items-per-task: the scores are not proportions in [0, 1] or [0, 100], so they are not counts of items',
    );
  }
  const perTask: Record<string, number> = {};
  for (const t of tasks) {
    const n = typeof given === 'number' ? given : given[t];
    if (n === undefined) {
      throw new ConfigError(
        `--items-per-task: no item count for task "${t}" (give every task, or one number for all)`,
      );
    }
    if (!(Number.isInteger(n) && n >= 1)) {
      throw new ConfigError(
        `--items-per-task: the items of task "${t}" must be a whole number >= 1, got ${n}`,
      );
    }
    perTask[t] = n;
  }
  if (typeof given !== 'number') {
    const extra = Object.keys(given).filter((t) => !tasks.includes(t));
    if (extra.length > 0) {
      throw new ConfigError(
        `--items-per-task: task "${extra[0]}" is not a task of the table (tasks: ${tasks.slice(0, 5).join(', ')}${tasks.length > 5 ? ', ...' : ''})`,
      );
    }
  }
  const bad = firstNotWhole(r, upper, perTask, (t) => subAnswers(known, tasks, t));
  const notes = bad
    ? [
        `items per task: not every score is a whole count of the given items (${bad}); the counts are rounded`,
      ]
    : [];
  return {
    bounded: binomialBounded(
      upper,
      r.score.length,
      perTask,
      '--items-per-task',
      metricNames,
      known,
      tasks,
      r.backbones,
    ),
    notes,
  };
}

function binomialBounded(
  upper: number,
  nRows: number,
  perTask: Readonly<Record<string, number>>,
  source: string,
  metricNames: readonly string[],
  known: KnownTask[] | null,
  tasks: string[],
  backbones: boolean,
): Bounded {
  const ns = [...new Set(Object.values(perTask))].sort((a, b) => a - b);
  const partial = known ? tasks.filter((_t, i) => known[i].scoring === 'partial') : [];
  const items = ns.length === 1 ? `${ns[0]} items per task` : `${ns.join(', ')} items per task`;
  return {
    upper,
    n: nRows,
    likelihood: 'binomial',
    items: { perTask, source },
    reason: `scores are proportions of items correct in [0, ${upper}] (${metricNames.join(', ')}) with ${items} from ${source}: each is fitted as round(score / ${upper} x items) successes of ${backbones ? 'a beta-binomial (a binomial whose success probability varies from row to row by a beta with precision phi: the variation of a heuristic x task x backbone row beyond item sampling)' : 'a binomial'} with a logit link, so every result stays in [0, ${upper}]${partial.length > 0 ? `; ${partial.join(', ')} score a share of several answers per item, whose variance the binomial bounds from above` : ''}`,
  };
}

/**
 * The table with the binomial's counts as the score, round(score / upper x n_task), and the
 * items as a `trials` column (other columns shared).
 * @example countTable(table, bounded).columns.trials
 */
export function countTable(table: Table, b: Bounded): Table {
  const r = rows(table);
  if (!r || !b.items) return table;
  const perTask = b.items.perTask;
  const trials = Float64Array.from(r.task, (t) => perTask[t] ?? Number.NaN);
  const score = Float64Array.from(r.score, (v, i) =>
    Math.min(trials[i], Math.max(0, Math.round((v / b.upper) * trials[i]))),
  );
  return {
    ...table,
    columns: {
      ...table.columns,
      score: { type: 'numeric', values: score },
      trials: { type: 'numeric', values: trials },
    },
  };
}

/**
 * The table on the model's scale: counts and trials for the binomial model, the logit of the
 * squeezed proportion for the logit-normal one.
 * @example boundedTable(table, prepared.bounded).columns.score
 */
export function boundedTable(table: Table, b: Bounded): Table {
  return b.likelihood === 'binomial' ? countTable(table, b) : logitTable(table, b);
}
