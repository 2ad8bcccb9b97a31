import { FormulaError } from '../errors.js';

/** What the data hold, deciding how the default model is adapted. */
export interface DataShape {
  /** A category column with at least one level. */
  hasCategory: boolean;
  /** A study column with more than one level. */
  hasStudy: boolean;
  /** A standard-error column (rows are means of several runs). */
  hasSe: boolean;
  /** A trials column (binomial counts). */
  hasTrials: boolean;
  /**
   * Scores standardized per task or metric (`--scale task|metric`): every task's mean is 0 by construction, so the
   * `(1|task)` term is left out (its sd would sit at 0, a funnel for the sampler).
   */
  taskScaled?: boolean;
  /**
   * A backbone column with several levels: heuristics are compared within backbone, so the model
   * gets `(1|task:backbone)` (each backbone's level on each task; it also carries the backbones'
   * overall offsets, so there is no `(1|backbone)` term, whose sd 2-3 backbones cannot identify)
   * and `(1|heuristic:backbone)` (a heuristic that suits one backbone more than another).
   */
  hasBackbone?: boolean;
}

/**
 * Split a formula's right-hand side into its top-level `+` terms (parentheses kept whole).
 * @example topLevelTerms('1 + (1|a) + (1|a:b)') // ['1', '(1|a)', '(1|a:b)']
 */
export function topLevelTerms(rhs: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of rhs) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '+' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/**
 * Adapt the default comparison formula to the data (README.md "bayesbench compare"): drop terms that mention `category`
 * when there is no category, add `(1|study)` when there are several studies, and use
 * `score | se(se)` when rows are means with a standard error or `score | trials(trials)` for counts.
 * @example
 * adaptFormula('score ~ 1 + (1|heuristic) + (1|heuristic:category)',
 *   { hasCategory: false, hasStudy: true, hasSe: false, hasTrials: false })
 * // 'score ~ 1 + (1|heuristic) + (1|study)'
 */
export function adaptFormula(formula: string, shape: DataShape): string {
  const tilde = formula.indexOf('~');
  if (tilde < 0) throw new FormulaError(`formula: no "~" in "${formula}"`);
  let lhs = formula.slice(0, tilde).trim();
  let terms = topLevelTerms(formula.slice(tilde + 1));
  if (!shape.hasCategory) terms = terms.filter((t) => !/\bcategory\b/.test(t));
  if (shape.taskScaled) terms = terms.filter((t) => t.replace(/\s+/g, '') !== '(1|task)');
  const hasStudyTerm = terms.some((t) => /\bstudy\b/.test(t));
  if (shape.hasStudy && !hasStudyTerm) terms.push('(1|study)');
  if (shape.hasBackbone && !terms.some((t) => /\bbackbone\b/.test(t))) {
    terms.push('(1|task:backbone)', '(1|heuristic:backbone)');
  }
  if (!lhs.includes('|')) {
    if (shape.hasTrials) lhs = `${lhs} | trials(trials)`;
    else if (shape.hasSe) lhs = `${lhs} | se(se)`;
  }
  return `${lhs} ~ ${terms.join(' + ')}`;
}

/** What decides the paired item model: the data's shape plus an item column and 0/1 scores. */
export interface ItemShape extends DataShape {
  /** An item column (rows of different heuristics on the same item are paired). */
  hasItem: boolean;
  /** Every score is 0 or 1. */
  zeroOne: boolean;
}

/**
 * The family of the paired item model `compare` fits on per-example rows (src/model/item-model.ts),
 * or why it does not apply (then rows are replicates of their cell, as without an item column):
 * bernoulli for 0/1 scores, gaussian otherwise, unless the user names a family; the model above
 * the items is the default heuristic x task model, so studies, backbones, se() and trials() rows
 * (aggregates, not examples) keep the default model.
 * @example itemModelChoice({ hasCategory: false, hasStudy: false, hasSe: false, hasTrials: false, hasItem: true, zeroOne: true })
 * // { family: 'bernoulli' }
 */
export function itemModelChoice(
  shape: ItemShape,
  family?: string,
): { family: 'gaussian' | 'bernoulli' } | { reason: string } | null {
  if (!shape.hasItem) return null;
  const why = shape.hasStudy
    ? 'a study column'
    : shape.hasBackbone
      ? 'a backbone column'
      : shape.hasSe
        ? 'rows with a std (means, not examples)'
        : shape.hasTrials
          ? 'a trials column (counts, not examples)'
          : family !== undefined && family !== 'gaussian' && family !== 'bernoulli'
            ? `family ${family}`
            : family === 'bernoulli' && !shape.zeroOne
              ? 'family bernoulli with scores other than 0 and 1'
              : '';
  if (why)
    return {
      reason: `the paired item model does not apply with ${why}: rows are treated as replicates of their heuristic x task cell`,
    };
  const f = family ?? (shape.zeroOne ? 'bernoulli' : 'gaussian');
  return { family: f as 'gaussian' | 'bernoulli' };
}
