import { parseBudget } from '../data/budget.js';
import type { Table } from '../data/table.js';
import type { Draws } from '../draws/draws.js';
import {
  type BudgetCurveData,
  type BudgetCurveState,
  budgetCurveState,
  curveParts,
  curveShapes,
  evenStep,
} from '../model/budget-curve.js';
import { type Bounded, fromLogit } from './bounded.js';
import { armsOf, type BudgetOptions, referenceArm } from './budgets.js';
import { ropeProbabilities } from './decision.js';
import { column, type HeuristicDraws } from './matrix.js';
import { pairwiseComparisons } from './pairwise.js';
import { rankSummary } from './ranks.js';
import { bestIndex } from './recommend.js';
import { summarize90 } from './stats.js';
import type {
  BudgetCrossing,
  BudgetCurvePoint,
  BudgetDecision,
  Comparison,
  ComparisonBudgets,
  ComparisonCell,
  ComparisonDiagnostics,
} from './types.js';

/**
 * Budget curves from the budget-curve model (src/model/budget-curve.ts): when every compressed
 * method was run at 3 or more distinct budgets, `compare` fits each method's score as a smooth
 * curve over log budget that approaches the full cache, and the budgets section (curves, loss
 * against the full cache, crossings) is read off that curve at the observed budgets and on a grid
 * between them, instead of from each method@budget arm alone.
 */

/** Distinct budgets a method needs for its curve (two points fix a line, not a shape). */
export const CURVE_MIN_BUDGETS = 3;

/** Grid points per doubling of the budget between the observed ones. */
const GRID_PER_DOUBLING = 4;

/** A fitted budget-curve model, as `compareFromFit` receives it. */
export interface CurveFit {
  data: BudgetCurveData;
  draws: Draws;
  diagnostics: ComparisonDiagnostics;
}

/**
 * Whether the curve model applies to a canonical table, and its data when it does: every method
 * other than the full-cache reference at >= 3 distinct numeric budgets, one reference arm, the
 * scores as given (the fitted scale: after `--scale task` and the logit of a bounded score).
 * `reason` says why not (for the note).
 * @example budgetCurvePlan(fitted).data?.methods // ['snapkv', 'pyramidkv', ...]
 */
export function budgetCurvePlan(
  fitted: Table,
): { data: BudgetCurveData; reason?: undefined } | { data?: undefined; reason: string } {
  const arms = armsOf(fitted);
  if (!arms) return { reason: 'no budget column' };
  const reference = referenceArm(arms);
  if (reference === null) return { reason: 'no single full-cache reference arm' };
  const byMethod = new Map<string, Set<number>>();
  for (const [arm, a] of arms) {
    if (a.budget === null) {
      if (arm !== reference) return { reason: `${arm} is a second full-cache arm` };
      continue;
    }
    const v = parseBudget(a.budget);
    if (!(Number.isFinite(v) && v > 0)) return { reason: `budget ${a.budget} is not a number` };
    let s = byMethod.get(a.method);
    if (!s) byMethod.set(a.method, (s = new Set()));
    s.add(v);
  }
  const few = [...byMethod].filter(([, s]) => s.size < CURVE_MIN_BUDGETS);
  if (byMethod.size === 0 || few.length > 0) {
    const list = few.map(([m, s]) => `${m} has ${s.size}`).join(', ');
    return {
      reason: `a curve needs >= ${CURVE_MIN_BUDGETS} distinct budgets per method (${list})`,
    };
  }
  const h = fitted.columns.heuristic;
  const t = fitted.columns.task;
  const y = fitted.columns.score;
  const bb = fitted.columns.backbone;
  if (h?.type !== 'factor' || t?.type !== 'factor' || y?.type !== 'numeric') {
    return { reason: 'no heuristic, task or score column' };
  }
  const methods = [...byMethod.keys()];
  const methodIndex = new Map(methods.map((m, i) => [m, i]));
  const N = fitted.nRows;
  const method = new Int32Array(N);
  const logBudget = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const a = arms.get(h.levels[h.codes[i]]);
    if (!a || a.budget === null) {
      method[i] = -1;
      logBudget[i] = Number.NaN;
    } else {
      method[i] = methodIndex.get(a.method) as number;
      logBudget[i] = Math.log2(parseBudget(a.budget));
    }
  }
  const hasBackbone = bb?.type === 'factor' && bb.levels.length > 1;
  return {
    data: {
      y: Float64Array.from(y.values),
      method,
      task: Int32Array.from(t.codes),
      backbone: hasBackbone ? Int32Array.from(bb.codes) : new Int32Array(N),
      logBudget,
      methods,
      tasks: [...t.levels],
      backbones: hasBackbone ? [...bb.levels] : ['all'],
    },
  };
}

/** The budgets a method's curve is reported at: observed ones and a grid, within its range. */
interface CurvePoint {
  label: string;
  log2: number;
  observed: boolean;
}

/** Observed budgets of every method and a grid of GRID_PER_DOUBLING points per doubling. */
function curvePoints(data: BudgetCurveData): CurvePoint[][] {
  const H = data.methods.length;
  const observed = new Map<number, string>();
  const range = Array.from({ length: H }, () => [Infinity, -Infinity]);
  for (let i = 0; i < data.y.length; i++) {
    const h = data.method[i];
    if (h < 0) continue;
    const x = data.logBudget[i];
    observed.set(x, labelOf(2 ** x));
    range[h][0] = Math.min(range[h][0], x);
    range[h][1] = Math.max(range[h][1], x);
  }
  const lo = Math.min(...range.map((r) => r[0]));
  const hi = Math.max(...range.map((r) => r[1]));
  const n = Math.ceil((hi - lo) * GRID_PER_DOUBLING);
  const all: CurvePoint[] = [...observed].map(([log2, label]) => ({ log2, label, observed: true }));
  for (let j = 0; j <= n; j++) {
    const x = lo + (j * (hi - lo)) / Math.max(1, n);
    if ([...observed.keys()].some((o) => Math.abs(o - x) < 1e-9)) continue;
    all.push({ log2: x, label: labelOf(2 ** x), observed: false });
  }
  all.sort((a, b) => a.log2 - b.log2);
  return range.map(([a, b]) => all.filter((p) => p.log2 >= a - 1e-9 && p.log2 <= b + 1e-9));
}

/** A budget as a label: a whole token count, or 3 significant digits for a ratio. */
function labelOf(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
}

/** Options of `curveScopes`: the decision settings, the bound of a logit-fitted score. */
export interface CurveScopeOptions extends BudgetOptions {
  bounded?: Pick<Bounded, 'upper' | 'n'> | null;
}

/** The tasks and backbones (indices into the curve data's) a scope averages over. */
interface ScopeCells {
  tasks: readonly number[];
  backbones: readonly number[];
}

/**
 * Per scope (all tasks, each category, each backbone), each method's expected score on its curve
 * draw by draw: the average over the scope's tasks of each task's score averaged over the scope's
 * backbones on the model's scale (as the cell means of the per-arm analysis, src/analysis/cells.ts),
 * then put back through the bounded link when there is one; the full-cache reference the same way.
 */
function curveDraws(
  s: BudgetCurveState,
  draws: Draws,
  scopes: readonly ScopeCells[],
  points: readonly CurvePoint[][],
  bounded: Pick<Bounded, 'upper' | 'n'> | null | undefined,
): { values: Float64Array[][][]; reference: Float64Array[] } {
  const S = draws.nDraws * draws.nChains;
  const H = s.data.methods.length;
  const T = s.data.tasks.length;
  const M = s.data.backbones.length;
  const inv = bounded ? (eta: number) => fromLogit(eta, bounded) : (eta: number) => eta;
  const values = scopes.map(() => points.map((p) => p.map(() => new Float64Array(S))));
  const reference = scopes.map(() => new Float64Array(S));
  // the scope's value of one draw from the cells' values on the model scale (task t, backbone m at
  // t * M + m)
  const scopeValue = (cells: Float64Array, { tasks, backbones }: ScopeCells): number => {
    let v = 0;
    for (const t of tasks) {
      let e = 0;
      for (const m of backbones) e += cells[t * M + m] / backbones.length;
      v += inv(e) / tasks.length;
    }
    return v;
  };
  const cells = new Float64Array(T * M);
  const amp = new Float64Array(H * T * M);
  // each method's points as log2 budgets, their spacing when even, and the shapes there per task
  const logs = points.map((p) => Float64Array.from(p, (q) => q.log2));
  const steps = logs.map((x) => evenStep(x));
  const shapes = points.map((p) => new Float64Array(p.length * T));
  for (let d = 0; d < S; d++) {
    const parts = curveParts(s, (v) => draws.values[v * S + d]);
    // loss = exp(la) s(u): one exp per amplitude, one shape per method x task x point
    for (let c = 0; c < amp.length; c++) amp[c] = Math.exp(parts.la[c]);
    for (let c = 0; c < T * M; c++) cells[c] = parts.full[c];
    scopes.forEach((scope, k) => {
      reference[k][d] = scopeValue(cells, scope);
    });
    for (let h = 0; h < H; h++) {
      const P = logs[h].length;
      for (let t = 0; t < T; t++) {
        const out = shapes[h].subarray(t * P, (t + 1) * P);
        curveShapes(s, parts.lb[h * T + t], parts.lc[h], logs[h], steps[h], out);
      }
      points[h].forEach((_, j) => {
        for (let t = 0; t < T; t++) {
          const shape = shapes[h][t * P + j];
          for (let m = 0; m < M; m++) {
            cells[t * M + m] = parts.full[t * M + m] - amp[(h * T + t) * M + m] * shape;
          }
        }
        scopes.forEach((scope, k) => {
          values[k][h][j][d] = scopeValue(cells, scope);
        });
      });
    }
  }
  return { values, reference };
}

/** Per-arm summaries of one scope by method and log2 budget (`perArmKey`), for `per_arm`. */
export type PerArm = ReadonlyMap<string, { mean: number; q5: number; q95: number }>;

/** The key of a method at a log2 budget in a `PerArm` map. */
export function perArmKey(method: string, log2: number): string {
  return `${method}\u0000${log2}`;
}

/**
 * The budgets section's curves, crossings and per-budget decisions from a fitted curve model, per
 * scope: each method's curve at its observed budgets (with the per-arm posterior of the same
 * method@budget arm beside it, `per_arm`, when the scope's map holds it) and on the grid between
 * them, the loss against the full cache with P(loss < ROPE); per pair of methods the smallest
 * budget of their common range from which on the first is better with probability >= threshold at
 * every larger point; and at each observed budget P(best) among the methods and every pair.
 * @example curveScopes(fit, [['overall', allTasks, null]], { rope: 0.1, threshold: 0.95, higherIsBetter: true })
 */
export function curveScopes(
  fit: CurveFit,
  scopes: readonly (readonly [string, readonly number[], PerArm | null, (readonly number[])?])[],
  o: CurveScopeOptions,
): { curves: BudgetCurvePoint[]; crossings: BudgetCrossing[]; decisions: BudgetDecision[] } {
  const s = budgetCurveState(fit.data);
  const points = curvePoints(fit.data);
  const every = fit.data.backbones.map((_, m) => m);
  const { values, reference } = curveDraws(
    s,
    fit.draws,
    scopes.map(([, tasks, , backbones]) => ({ tasks, backbones: backbones ?? every })),
    points,
    o.bounded,
  );
  const sign = o.higherIsBetter ? 1 : -1;
  const curves: BudgetCurvePoint[] = [];
  const crossings: BudgetCrossing[] = [];
  const decisions: BudgetDecision[] = [];
  const S = fit.draws.nDraws * fit.draws.nChains;
  const loss = new Float64Array(S);
  scopes.forEach(([scope, , arms], k) => {
    fit.data.methods.forEach((method, h) => {
      points[h].forEach((p, j) => {
        const x = values[k][h][j];
        let within = 0;
        for (let d = 0; d < S; d++) {
          loss[d] = sign * (reference[k][d] - x[d]);
          if (loss[d] < o.rope) within++;
        }
        const arm = p.observed ? arms?.get(perArmKey(method, p.log2)) : undefined;
        curves.push({
          scope,
          heuristic: method,
          budget: p.label,
          budget_value: 2 ** p.log2,
          observed: p.observed,
          ...summarize90(x),
          loss_vs_full: { ...summarize90(loss), p_within_rope: within / S },
          ...(arm ? { per_arm: { mean: arm.mean, q5: arm.q5, q95: arm.q95 } } : {}),
        });
      });
    });
    crossings.push(...curveCrossings(fit.data.methods, points, values[k], scope, o));
    decisions.push(...budgetDecisions(fit.data.methods, points, values[k], scope, o));
  });
  return { curves, crossings, decisions };
}

/**
 * At each observed budget of one scope: the methods run at that budget, each read off its curve
 * there, with P(best) and ranks among them (src/analysis/ranks.ts) and every pair's ROPE decision
 * (src/analysis/pairwise.ts), from the same curve draws.
 */
function budgetDecisions(
  methods: readonly string[],
  points: readonly CurvePoint[][],
  values: readonly Float64Array[][],
  scope: string,
  o: BudgetOptions,
): BudgetDecision[] {
  const observed = new Map<number, string>();
  for (const pts of points) for (const p of pts) if (p.observed) observed.set(p.log2, p.label);
  const out: BudgetDecision[] = [];
  for (const [log2, label] of [...observed].sort((a, b) => a[0] - b[0])) {
    const names: string[] = [];
    const cols: Float64Array[] = [];
    methods.forEach((method, h) => {
      const j = points[h].findIndex((p) => p.observed && p.log2 === log2);
      if (j < 0) return;
      names.push(method);
      cols.push(values[h][j]);
    });
    if (names.length < 2) continue;
    const S = cols[0].length;
    const m: HeuristicDraws = { names, nSamples: S, values: new Float64Array(S * names.length) };
    cols.forEach((c, h) => {
      m.values.set(c, h * S);
    });
    const ranks = rankSummary(m, o.higherIsBetter);
    const heuristics: ComparisonCell[] = names.map((heuristic, h) => ({
      heuristic,
      ...summarize90(column(m, h)),
      p_best: ranks.pBest[h],
      expected_rank: ranks.expectedRank[h],
      rank_q5: ranks.rankQ5[h],
      rank_q95: ranks.rankQ95[h],
    }));
    const best = bestIndex(ranks);
    out.push({
      scope,
      budget: label,
      budget_value: 2 ** log2,
      best: names[best],
      p_best: ranks.pBest[best],
      heuristics,
      pairs: pairwiseComparisons(m, {
        rope: o.rope,
        threshold: o.threshold,
        higherIsBetter: o.higherIsBetter,
        scope,
      }),
    });
  }
  return out;
}

/** Per ordered pair of methods: from which budget of their common range A beats B for good. */
function curveCrossings(
  methods: readonly string[],
  points: readonly CurvePoint[][],
  values: readonly Float64Array[][],
  scope: string,
  o: BudgetOptions,
): BudgetCrossing[] {
  const out: BudgetCrossing[] = [];
  const sign = o.higherIsBetter ? 1 : -1;
  for (let a = 0; a < methods.length; a++) {
    for (let b = 0; b < methods.length; b++) {
      if (a === b) continue;
      const jb = new Map(points[b].map((p, j) => [p.log2, j]));
      const common = points[a].map((p, j) => [p, j, jb.get(p.log2)] as const);
      const both = common.filter((c) => c[2] !== undefined);
      if (both.length < 2) continue;
      const S = values[a][0].length;
      const diff = new Float64Array(S);
      const p = both.map(([, ja, jb2]) => {
        const x = values[a][ja];
        const y = values[b][jb2 as number];
        for (let d = 0; d < S; d++) diff[d] = sign * (x[d] - y[d]);
        return ropeProbabilities(diff, 0).p_a_greater;
      });
      let from = both.length;
      while (from > 0 && p[from - 1] >= o.threshold) from--;
      if (from < both.length) {
        out.push({
          scope,
          a: methods[a],
          b: methods[b],
          budget: both[from][0].label,
          p_a_greater: p.slice(from),
        });
      }
    }
  }
  return out;
}

/**
 * The budgets section from the budget-curve model, from a Comparison built with the per-arm
 * budgets section (its scopes, decision settings and per-arm points, which become `per_arm`):
 * overall, per category and, with 2+ backbones, per backbone (`backbone:NAME`: every task on that
 * backbone, against that backbone's full cache, as the per-arm section's scopes of that name), the
 * tasks matched by name to the curve data's.
 * @example c.budgets = curveBudgetSection(fit, c, { bounded })
 */
export function curveBudgetSection(
  fit: CurveFit,
  c: Comparison,
  o: { bounded?: Pick<Bounded, 'upper' | 'n'> | null } = {},
): ComparisonBudgets | null {
  const armsSection = c.budgets;
  if (!armsSection) return null;
  const taskIndex = new Map(fit.data.tasks.map((t, i) => [t, i]));
  const indices = (names: readonly string[]) =>
    names.map((n) => taskIndex.get(n)).filter((i): i is number => i !== undefined);
  const perArm = (scope: string): PerArm => {
    const map = new Map<string, { mean: number; q5: number; q95: number }>();
    for (const p of armsSection.curves) {
      if (p.scope !== scope || !(p.budget_value > 0)) continue;
      map.set(perArmKey(p.heuristic, Math.log2(p.budget_value)), p);
    }
    return map;
  };
  const all = indices(c.tasks.map((t) => t.name));
  const backbones = fit.data.backbones;
  const scopes = [
    ['overall', all, perArm('overall')] as const,
    ...c.categories.map(
      (k) => [`category:${k.name}`, indices(k.tasks), perArm(`category:${k.name}`)] as const,
    ),
    ...(backbones.length >= 2
      ? backbones.map(
          (name, m) => [`backbone:${name}`, all, perArm(`backbone:${name}`), [m]] as const,
        )
      : []),
  ];
  const settings = c.settings ?? {};
  const { curves, crossings, decisions } = curveScopes(fit, scopes, {
    rope: typeof settings.rope === 'number' ? settings.rope : 0,
    threshold: typeof settings.threshold === 'number' ? settings.threshold : 0.95,
    higherIsBetter: settings.higher_is_better !== false,
    bounded: o.bounded,
  });
  return {
    column: armsSection.column,
    reference: armsSection.reference,
    model: 'curve',
    curves,
    crossings,
    curve_diagnostics: fit.diagnostics,
    decisions,
  };
}
