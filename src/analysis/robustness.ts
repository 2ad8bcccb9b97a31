import { decide, decisionWords, differenceProbabilities, isConfident } from './decision.js';
import { column, type HeuristicDraws } from './matrix.js';
import { rankSummary } from './ranks.js';
import { bestIndex, bestOf } from './recommend.js';
import type {
  ComparisonPair,
  ComparisonRobustness,
  RobustnessFlip,
  RobustnessScope,
  RobustnessTask,
} from './types.js';

/**
 * Leave-one-task-out robustness of a recommendation (docs/UX.md §3, "Does the recommendation rest
 * on one task?"). A scope's estimand is each heuristic's expected score averaged over the scope's
 * T tasks, draw by draw; without task t it is the average over the other T - 1 tasks,
 *
 *   m_{-t}[s, h] = (T m[s, h] - mu_t[s, h]) / (T - 1),
 *
 * computed from the same posterior draws. For each t the scope's decision is made again on
 * m_{-t} exactly as on m (the best = highest P(best), src/analysis/recommend.ts `bestIndex`; the
 * ROPE probabilities of each pair at the same ROPE and threshold): the task is reported when the
 * best changes, or when a confident decision about the best (one of P(A better), P(B better),
 * P(rope) >= threshold) is no longer the same confident decision.
 *
 * What this is not: the left-out task's scores still inform the shared parameters (heuristic
 * effects, variance components) through the one fit, so this measures how much the stated average
 * leans on the task, not how the posterior would change without its data. That second question
 * needs a refit per task (src/pipeline/robustness-refit.ts, `compare --robustness refit`, which
 * reports in the same shape), or importance reweighting of the draws by the task's likelihood
 * (PSIS-LOO at the task level, Vehtari, Gelman & Gabry 2017, Stat. Comput. 27(5), with its Pareto
 * k-hat check), which is not implemented.
 */

/** The method as stated in the JSON (`robustness.method`). */
export const LOTO_METHOD =
  'leave-one-task-out estimand: each scope\u2019s average over tasks recomputed without one task ' +
  'from the same posterior draws, and the best heuristic and the confident decisions about it ' +
  'made again at the same ROPE and threshold; the left-out task\u2019s data still inform the ' +
  'shared parameters (no refit, no PSIS reweighting of the data)';

/** Fewest tasks in a scope for a leave-one-task-out check (with 2, "without one" is one task). */
export const LOTO_MIN_TASKS = 3;

/** One scope's inputs: its average over tasks and the decisions made on it. */
export interface LotoScopeInput {
  /** 'overall' or 'category:NAME'. */
  scope: string;
  /** The scope's average over its tasks (S x H draws), as the document's results use it. */
  mean: HeuristicDraws;
  /** Indices of the scope's tasks (into the per-task blocks). */
  tasks: readonly number[];
  /** The pairs of the scope computed on `mean` (all of them, or those with the best). */
  pairs: readonly ComparisonPair[];
}

/** Decision settings of the document. */
export interface LotoOptions {
  rope: number;
  threshold: number;
  higherIsBetter: boolean;
}

/**
 * The confident decisions about a scope's best: its pairs with the best whose decision is
 * confident (src/analysis/decision.ts `isConfident`).
 * @example confidentAboutBest(pairs, 'bigbird').map((p) => p.decision) // ['a_better', 'equivalent']
 */
export function confidentAboutBest(
  pairs: readonly ComparisonPair[],
  best: string,
): ComparisonPair[] {
  return pairs.filter((p) => (p.a === best || p.b === best) && isConfident(p.decision));
}

/**
 * The confident decisions (`confident`, all tasks) that another set of pairs of the same scope
 * (a refit without one task) does not repeat. A pair the other set lacks (pairs limited to each
 * scope's best, src/analysis/limits.ts) is counted as not repeated, with p_without NaN.
 * @example flipsAgainst(confidentAboutBest(full, best), refit.pairs.filter((p) => p.scope === 'overall'))
 */
export function flipsAgainst(
  confident: readonly ComparisonPair[],
  other: readonly ComparisonPair[],
): RobustnessFlip[] {
  const key = (a: string, b: string) => `${a}\u0000${b}`;
  const byKey = new Map(other.map((p) => [key(p.a, p.b), p]));
  const out: RobustnessFlip[] = [];
  for (const p of confident) {
    const q = byKey.get(key(p.a, p.b));
    if (q && q.decision === p.decision) continue;
    out.push({
      a: p.a,
      b: p.b,
      decision: p.decision,
      decision_without: q ? q.decision : 'not computed',
      p: decidedProbability(p.decision, p),
      p_without: q ? decidedProbability(p.decision, q) : Number.NaN,
    });
  }
  return out;
}

/** The probability a confident decision rests on, from ROPE probabilities. */
function decidedProbability(
  decision: string,
  p: { p_a_better: number; p_rope: number; p_b_better: number },
): number {
  if (decision === 'a_better') return p.p_a_better;
  if (decision === 'b_better') return p.p_b_better;
  return p.p_rope;
}

/**
 * Leave-one-task-out checks of several scopes from one stream of per-task blocks: `forEachBlock`
 * calls its callback with (task index, S x H block) for every task, in any order, and each block
 * is used once per scope that holds the task (memory O(S x H) per scope, not per task). Scopes
 * with fewer than LOTO_MIN_TASKS tasks are left out.
 * @example
 * leaveOneTaskOut([{ scope: 'overall', mean, tasks: [0, 1, 2], pairs }], names, (fn) => blocks.forEach((b, t) => fn(t, b)), opts)
 */
export function leaveOneTaskOut(
  scopes: readonly LotoScopeInput[],
  taskNames: readonly string[],
  forEachBlock: (fn: (t: number, block: Float64Array) => void) => void,
  options: LotoOptions,
): ComparisonRobustness {
  const used = scopes.filter((s) => s.tasks.length >= LOTO_MIN_TASKS);
  const perTask = new Map<number, number[]>();
  used.forEach((s, k) => {
    for (const t of s.tasks) {
      const list = perTask.get(t);
      if (list) list.push(k);
      else perTask.set(t, [k]);
    }
  });
  const states = used.map((s) => scopeState(s, options));
  const results: Map<number, RobustnessTask>[] = used.map(() => new Map());
  if (used.length > 0)
    forEachBlock((t, block) => {
      for (const k of perTask.get(t) ?? []) {
        results[k].set(t, { ...states[k].without(block), task: taskNames[t] });
      }
    });
  const out: RobustnessScope[] = used.map((s, k) => ({
    scope: s.scope,
    best: states[k].bestName,
    tasks: s.tasks.map((t) => results[k].get(t)).filter((r): r is RobustnessTask => !!r),
  }));
  const overall = out.find((s) => s.scope === 'overall');
  return {
    kind: 'same_draws',
    method: LOTO_METHOD,
    min_tasks: LOTO_MIN_TASKS,
    tasks: overall?.tasks ?? [],
    ...(overall ? { best: overall.best } : {}),
    categories: out
      .filter((s) => s.scope.startsWith('category:'))
      .map((s) => ({ name: s.scope.slice('category:'.length), best: s.best, tasks: s.tasks })),
  };
}

/** A scope's full-data decision and the function that re-makes it without one task's block. */
function scopeState(s: LotoScopeInput, o: LotoOptions) {
  const { mean } = s;
  const S = mean.nSamples;
  const H = mean.names.length;
  const T = s.tasks.length;
  const best = bestIndex(rankSummary(mean, o.higherIsBetter));
  const bestName = mean.names[best];
  const sign = o.higherIsBetter ? 1 : -1;
  const index = new Map(mean.names.map((n, h) => [n, h]));
  const confident = confidentAboutBest(s.pairs, bestName);
  const without = new Float64Array(S * H);
  const diff = new Float64Array(S);
  return {
    bestName,
    without(block: Float64Array): Omit<RobustnessTask, 'task'> {
      for (let i = 0; i < S * H; i++) without[i] = (T * mean.values[i] - block[i]) / (T - 1);
      const m: HeuristicDraws = { names: mean.names, nSamples: S, values: without };
      const { index: b, pBest } = bestOf(m, o.higherIsBetter);
      const flipped: RobustnessFlip[] = [];
      for (const p of confident) {
        const a = column(m, index.get(p.a) ?? 0);
        const bb = column(m, index.get(p.b) ?? 0);
        const probs = differenceProbabilities(a, bb, sign, o.rope, diff);
        const decision = decide(probs, o.threshold);
        if (decision === p.decision) continue;
        flipped.push({
          a: p.a,
          b: p.b,
          decision: p.decision,
          decision_without: decision,
          p: decidedProbability(p.decision, p),
          p_without: decidedProbability(p.decision, probs),
        });
      }
      return {
        best_without: mean.names[b],
        p_best_without: pBest,
        changes_best: b !== best,
        flipped_pairs: flipped,
      };
    },
  };
}

/** How one flipped decision reads: '"a better than b" is no longer confident (P 0.970 -> 0.910, now probably a)'. */
function flipWords(f: RobustnessFlip): string {
  const was =
    f.decision === 'equivalent'
      ? `${f.a} and ${f.b} practically equal`
      : f.decision === 'a_better'
        ? `${f.a} better than ${f.b}`
        : `${f.b} better than ${f.a}`;
  const now =
    f.decision_without === 'equivalent'
      ? 'practically equal'
      : decisionWords(f.decision_without, f.a, f.b);
  if (!Number.isFinite(f.p_without)) return `"${was}" was not computed without it (pair limits)`;
  return `"${was}" is no longer confident (P ${f.p.toFixed(3)} -> ${f.p_without.toFixed(3)}, now ${now})`;
}

/** At most `max` items joined, then '; and N more'. */
function listed(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}

/**
 * One scope's leave-one-task-out result in words (the terminal line and the HTML sentence):
 * "The recommendation rests on task X: without it, B is best", or which confident decisions about
 * the best a single task carries, or "No single task changes the recommendation ...".
 * @example robustnessSentence({ scope: 'overall', best: 'a', tasks }) // 'No single task changes ...'
 */
export function robustnessSentence(
  s: Pick<RobustnessScope, 'best' | 'tasks'>,
  unit = 'task',
): string {
  const failed = s.tasks.filter((t) => t.refit_error !== undefined);
  const said = judged(
    { best: s.best, tasks: s.tasks.filter((t) => t.refit_error === undefined) },
    unit,
  );
  if (failed.length === 0) return said;
  return `${said} Not refitted without ${listed(failed.map((t) => `${t.task} (${t.refit_error})`))}.`;
}

function judged(s: Pick<RobustnessScope, 'best' | 'tasks'>, unit: string): string {
  // most decisive first: the task without which the new best is clearest
  const changed = s.tasks
    .filter((t) => t.changes_best)
    .sort((x, y) => y.p_best_without - x.p_best_without);
  if (changed.length === 1) {
    const t = changed[0];
    return `The recommendation rests on ${unit} ${t.task}: without it, ${t.best_without} is best (P(best) ${t.p_best_without.toFixed(3)}) instead of ${s.best}.`;
  }
  if (changed.length > 1) {
    return `The recommendation rests on single ${unit}s: ${listed(changed.map((t) => `without ${t.task}, ${t.best_without} is best`))} (instead of ${s.best}).`;
  }
  // the task whose removal weakens a decision most first
  const weakest = (t: RobustnessTask) => Math.min(...t.flipped_pairs.map((f) => f.p_without));
  const flips = s.tasks
    .filter((t) => t.flipped_pairs.length > 0)
    .sort((x, y) => weakest(x) - weakest(y));
  if (flips.length > 0) {
    const items = flips.map(
      (t) => `without ${t.task}, ${t.flipped_pairs.map(flipWords).join(' and ')}`,
    );
    return `No single ${unit} changes the best (${s.best}), but single ${unit}s carry confident decisions about it: ${listed(items)}.`;
  }
  return `No single ${unit} changes the recommendation: ${s.best} stays best without any one of the ${s.tasks.length} ${unit}s, and every confident decision about it holds.`;
}
