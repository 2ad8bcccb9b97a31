import { budgetOrder, isFullBudget, parseBudget } from '../data/budget.js';
import type { Table } from '../data/table.js';
import { differenceProbabilities } from './decision.js';
import { column, type HeuristicDraws } from './matrix.js';
import { summarize90 } from './stats.js';
import type { BudgetCrossing, BudgetCurvePoint, ComparisonBudgets } from './types.js';

/**
 * Each compared arm's method and budget, read from the canonical table's `method` and `budget`
 * columns (src/data/benchmark.ts makes arms `method@budget` when budgets vary); null when the table
 * has no budgets. `budget` is null for the full cache.
 * @example armsOf(prepared.table)?.get('snapkv@2048') // { method: 'snapkv', budget: '2048' }
 */
export function armsOf(
  table: Table,
): Map<string, { method: string; budget: string | null }> | null {
  const h = table.columns.heuristic;
  const m = table.columns.method;
  const b = table.columns.budget;
  if (h?.type !== 'factor' || m?.type !== 'factor' || b?.type !== 'factor') return null;
  const out = new Map<string, { method: string; budget: string | null }>();
  for (let i = 0; i < table.nRows; i++) {
    const arm = h.levels[h.codes[i]];
    if (out.has(arm)) continue;
    const bc = b.codes[i];
    const budget = bc < 0 || isFullBudget(b.levels[bc]) ? null : b.levels[bc];
    out.set(arm, { method: m.levels[m.codes[i]], budget });
  }
  return out;
}

/**
 * The full-cache reference arm: the only arm without a budget, or, among several, the one whose
 * name says full/dense cache; null when none or ambiguous.
 * @example referenceArm(new Map([['full_kv', { method: 'full_kv', budget: null }]])) // 'full_kv'
 */
export function referenceArm(
  arms: ReadonlyMap<string, { method: string; budget: string | null }>,
): string | null {
  const full = [...arms].filter(([, a]) => a.budget === null).map(([name]) => name);
  if (full.length === 1) return full[0];
  const named = full.filter((n) => /full|dense|vanilla|no[_-]?compress/i.test(n));
  return named.length === 1 ? named[0] : null;
}

/** Options of `budgetSection`. */
export interface BudgetOptions {
  rope: number;
  threshold: number;
  higherIsBetter: boolean;
}

/**
 * Score-vs-budget results of one scope (all tasks, or one category): each method's expected score
 * at each observed budget with its 90% interval, the loss against the full cache (reference minus
 * arm in the higher-is-better orientation, so a positive loss is a worse score) with
 * P(loss < ROPE), and for each pair of methods the smallest observed budget from which on the first
 * is better than the second with probability >= threshold at every larger common budget.
 * Budgets are not interpolated: the curve is the observed budgets (the smooth curve over log budget
 * is the budget-curve model's, src/analysis/budget-curves.ts, used when every method has 3+ budgets).
 * @example budgetScope(overall, arms, 'full_kv', 'overall', { rope: 0.5, threshold: 0.95, higherIsBetter: true })
 */
export function budgetScope(
  m: HeuristicDraws,
  arms: ReadonlyMap<string, { method: string; budget: string | null }>,
  reference: string | null,
  scope: string,
  o: BudgetOptions,
): { curves: BudgetCurvePoint[]; crossings: BudgetCrossing[] } {
  const sign = o.higherIsBetter ? 1 : -1;
  const index = new Map(m.names.map((n, i) => [n, i]));
  const ref = reference !== null ? index.get(reference) : undefined;
  const refDraws = ref !== undefined ? column(m, ref) : undefined;
  const curves: BudgetCurvePoint[] = [];
  const byMethod = new Map<string, Map<string, number>>();
  for (const [arm, a] of arms) {
    const h = index.get(arm);
    if (h === undefined || a.budget === null) continue;
    let budgets = byMethod.get(a.method);
    if (!budgets) byMethod.set(a.method, (budgets = new Map()));
    budgets.set(a.budget, h);
  }
  const loss = new Float64Array(m.nSamples);
  for (const [method, budgets] of byMethod) {
    for (const budget of budgetOrder([...budgets.keys()])) {
      const x = column(m, budgets.get(budget) as number);
      const point: BudgetCurvePoint = {
        scope,
        heuristic: method,
        budget,
        budget_value: parseBudget(budget),
        ...summarize90(x),
      };
      if (refDraws) {
        let within = 0;
        for (let s = 0; s < loss.length; s++) {
          loss[s] = sign * (refDraws[s] - x[s]);
          if (loss[s] < o.rope) within++;
        }
        point.loss_vs_full = { ...summarize90(loss), p_within_rope: within / loss.length };
      }
      curves.push(point);
    }
  }
  return { curves, crossings: crossings(m, byMethod, scope, o) };
}

/** For every ordered pair of methods with 2+ common budgets, where A starts to beat B for good. */
function crossings(
  m: HeuristicDraws,
  byMethod: ReadonlyMap<string, ReadonlyMap<string, number>>,
  scope: string,
  o: BudgetOptions,
): BudgetCrossing[] {
  const out: BudgetCrossing[] = [];
  const methods = [...byMethod.keys()];
  for (const a of methods) {
    for (const b of methods) {
      if (a === b) continue;
      const ba = byMethod.get(a) as ReadonlyMap<string, number>;
      const bb = byMethod.get(b) as ReadonlyMap<string, number>;
      const common = budgetOrder([...ba.keys()].filter((x) => bb.has(x)));
      if (common.length < 2) continue;
      const diff = new Float64Array(m.nSamples);
      const sign = o.higherIsBetter ? 1 : -1;
      const p = common.map((budget) => {
        const x = column(m, ba.get(budget) as number);
        const y = column(m, bb.get(budget) as number);
        return differenceProbabilities(x, y, sign, 0, diff).p_a_greater;
      });
      // the smallest budget from which on A is better at every larger common budget
      let from = common.length;
      while (from > 0 && p[from - 1] >= o.threshold) from--;
      if (from < common.length) {
        out.push({ scope, a, b, budget: common[from], p_a_greater: p.slice(from) });
      }
    }
  }
  return out;
}

/**
 * The budgets section of the Comparison: overall and per-category curves and crossings (and any
 * `more` scopes: per backbone, `backbone:NAME`, the loss measured against the full cache on that
 * backbone), with the reference arm named; null when the table has no budgets.
 * @example budgetSection(prepared.table, 'budget', overall, [['single_doc_qa', catDraws]], opts)
 */
export function budgetSection(
  table: Table,
  budgetColumn: string,
  overall: HeuristicDraws,
  categories: readonly (readonly [string, HeuristicDraws])[],
  o: BudgetOptions,
  /** Further scopes with their full names, e.g. `backbone:NAME` (each backbone's draws). */
  more: readonly (readonly [string, HeuristicDraws])[] = [],
): ComparisonBudgets | null {
  const arms = armsOf(table);
  if (!arms) return null;
  const reference = referenceArm(arms);
  const scopes = [
    ['overall', overall] as const,
    ...categories.map(([n, d]) => [`category:${n}`, d] as const),
    ...more,
  ];
  const curves: BudgetCurvePoint[] = [];
  const cross: BudgetCrossing[] = [];
  for (const [scope, d] of scopes) {
    const r = budgetScope(d, arms, reference, scope, o);
    curves.push(...r.curves);
    cross.push(...r.crossings);
  }
  return { column: budgetColumn, reference, curves, crossings: cross };
}

/**
 * One scope's curve points as a method x budget grid, for tables: the budgets in their numeric order
 * (src/data/budget.ts `budgetOrder`), the methods in the document's order, and the point of each.
 * @example const g = budgetGrid(c.budgets); g.at(g.methods[0], g.budgets[0])?.mean
 */
export function budgetGrid(
  b: ComparisonBudgets,
  scope = 'overall',
): {
  budgets: string[];
  methods: string[];
  at: (method: string, budget: string) => BudgetCurvePoint | undefined;
} {
  // observed budgets only (the budget-curve model adds grid points between them)
  const points = b.curves.filter((p) => p.scope === scope && p.observed !== false);
  const byKey = new Map(points.map((p) => [`${p.heuristic}\u0000${p.budget}`, p]));
  return {
    budgets: budgetOrder([...new Set(points.map((p) => p.budget))]),
    methods: [...new Set(points.map((p) => p.heuristic))],
    at: (method, budget) => byKey.get(`${method}\u0000${budget}`),
  };
}
