import type { Table } from '../data/table.js';

/**
 * Bounded metrics at their ceiling (accuracies of 95-100% on RULER-style tasks): a gaussian model
 * of the raw score puts posterior means above 100% and its predictive check flags the ceiling
 * tasks. For such tables the comparison is fitted on the logit of the proportion (a logit-normal
 * model; Atchison & Shen 1980, "Logistic-normal distributions", Biometrika 67(2)), and every
 * heuristic-level and task-level result is put back on the score's scale by the inverse link,
 * `upper * logistic(eta)`, so no posterior mean or interval leaves [0, upper].
 *
 * Proportions of exactly 0 or 1 are moved inside by `(p (n - 1) + 0.5) / n` with n the number
 * of rows (Smithson & Verkuilen 2006, "A better lemon squeezer?", Psychological Methods 11(1), p. 57).
 */

/** A bounded score: its upper bound (1 or 100; the lower is 0) and the squeeze of 0 and 1. */
export interface Bounded {
  upper: number;
  /** Rows n of the squeeze (p (n - 1) + 0.5) / n (logit-normal only). */
  n: number;
  /** Why the score counts as bounded, for the note. */
  reason: string;
  /**
   * 'binomial': each row is a count round(score / upper x items) of its task's items (a binomial
   * with logit link; src/analysis/binomial-items.ts); absent or 'logit-normal': the logit of the
   * squeezed proportion with a normal residual.
   */
  likelihood?: 'logit-normal' | 'binomial';
  /** binomial: the items of each task (task name -> n) and where the counts come from. */
  items?: { perTask: Readonly<Record<string, number>>; source: string };
}

/** Metric names of bounded proportions (accuracy, exact match, pass@k, recall, F1, ROUGE...). */
const BOUNDED_NAME =
  /acc|accuracy|exact|(^|_)em($|_)|pass|recall|precision|f1|rouge|pct|percent|retrieval|success/i;

/** How close to a bound (as a share of the range) counts as "at the ceiling" (or floor). */
export const CEILING_SHARE = 0.05;

/**
 * Whether a canonical table's scores are a bounded metric at its ceiling or floor: all scores in
 * [0, 1] (or in [0, 100] with a metric name that says proportion), and at least one heuristic x
 * task score within CEILING_SHARE of a bound. Away from the bounds the gaussian model stays inside
 * them and is kept (its results are directly in score units). null when not bounded.
 * @example boundedScore(table, ['accuracy']) // { upper: 100, n: 240, reason: '...' } for RULER scores
 */
export function boundedScore(table: Table, metricNames: readonly string[]): Bounded | null {
  if (table.columns.se || table.columns.trials) return null;
  const named = namedProportion(metricNames);
  const upper = upperBound(table, named);
  if (upper === 0) return null;
  const [lo, hi] = scoreRange(table);
  const near = hi >= upper * (1 - CEILING_SHARE) || lo <= upper * CEILING_SHARE;
  if (!near) return null;
  const at = hi >= upper * (1 - CEILING_SHARE) ? 'ceiling' : 'floor';
  return {
    upper,
    n: table.nRows,
    reason: `scores are proportions in [0, ${upper}]${named ? ` (${metricNames.join(', ')})` : ''} and reach the ${at} (${at === 'ceiling' ? hi : lo})`,
  };
}

/** Every metric name says proportion (accuracy, F1, ...). */
function namedProportion(metricNames: readonly string[]): boolean {
  return metricNames.length > 0 && metricNames.every((m) => BOUNDED_NAME.test(m));
}

/** Smallest and largest score ([NaN, NaN] without a numeric score). */
function scoreRange(table: Table): [number, number] {
  const s = table.columns.score;
  if (s?.type !== 'numeric' || s.values.length === 0) return [Number.NaN, Number.NaN];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of s.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** 1 when every score is in [0, 1], 100 when in [0, 100] and named a proportion, else 0. */
function upperBound(table: Table, named: boolean): number {
  const [lo, hi] = scoreRange(table);
  if (!(lo >= 0)) return 0;
  return hi <= 1 ? 1 : hi <= 100 && named ? 100 : 0;
}

/**
 * The upper bound (1 or 100) of the proportion scale the scores are on, when every metric name
 * says proportion (accuracy_pct, qa_f1, rouge_l...) and every score is within it, or 1 when every
 * score is 0 or 1 (per-example correct/incorrect: its mean is an accuracy); else 0. Unlike the
 * ceiling check, scores in [0, 1] under a neutral name ("score") do not count: the default ROPE
 * this sets must not turn a small-valued metric into an accuracy.
 * @example proportionUpper(lraTable, ['accuracy_pct']) // 100
 */
export function proportionUpper(table: Table, metricNames: readonly string[]): number {
  if (namedProportion(metricNames)) return upperBound(table, true);
  const s = table.columns.score;
  const zeroOne =
    s?.type === 'numeric' && s.values.length > 0 && s.values.every((v) => v === 0 || v === 1);
  return zeroOne ? 1 : 0;
}

/**
 * logit of the squeezed proportion.
 * @example toLogit(100, { upper: 100, n: 10, reason: '' }) // logit(0.95) = 2.944
 */
export function toLogit(y: number, b: Bounded): number {
  const p = ((y / b.upper) * (b.n - 1) + 0.5) / b.n;
  return Math.log(p / (1 - p));
}

/**
 * The inverse of the model's link on the score's scale: logistic(eta) with the squeeze undone,
 * `(q n - 0.5) / (n - 1)`, times upper, so a method at 100% everywhere comes back near 100 (not at
 * the squeezed 100 (n - 0.5) / n, 98.4 with 32 rows); a draw the squeeze's inverse puts past a bound
 * (|eta| beyond the squeezed 0 or 1) is set to the bound, where the proportion ends.
 * @example fromLogit(0, { upper: 100, n: 10, reason: '' }) // 50
 */
export function fromLogit(eta: number, b: Pick<Bounded, 'upper' | 'n' | 'likelihood'>): number {
  const q = 1 / (1 + Math.exp(-eta));
  // the binomial's proportion is the logistic itself (nothing was squeezed)
  if (b.likelihood === 'binomial') return b.upper * q;
  const p = (q * b.n - 0.5) / (b.n - 1);
  return b.upper * Math.min(1, Math.max(0, p));
}

/**
 * The table with its scores on the logit scale (other columns shared).
 * @example logitTable(table, bounded).columns.score
 */
export function logitTable(table: Table, b: Bounded): Table {
  const s = table.columns.score;
  if (s?.type !== 'numeric') return table;
  return {
    ...table,
    columns: {
      ...table.columns,
      score: { type: 'numeric', values: s.values.map((v) => toLogit(v, b)) },
    },
  };
}
