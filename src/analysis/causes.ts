import type { Table } from '../data/table.js';
import { CEILING_SHARE } from './bounded.js';
import type { GroupInfo } from './cells.js';
import type { ComparisonDiagnostics } from './types.js';

/**
 * Fewest levels from which a group's sd is reasonably identified: with 2-4 levels a half-t prior
 * leaves a long tail and a funnel between the sd and the level effects (Gelman 2006, "Prior
 * distributions for variance parameters in hierarchical models", section 5).
 */
export const FEW_LEVELS = 5;

/**
 * Causes of a poor fit that can be seen in the model, in words with what to do, for a fit that did
 * not converge cleanly (R-hat above the bar or any divergence); [] when it did. Names the tasks
 * whose scores sit at a bound of a proportion scale the model does not know about (proportionUpper
 * > 0 only when the raw score is modelled, not the logit-normal of src/analysis/bounded.ts), the
 * heuristics run on few backbones, and each group term with fewer than FEW_LEVELS levels.
 * @example likelyCauses([{ group: 'study', factors: ['study'], levels: [['a'], ['b']], coefs: ['Intercept'] }], { max_rhat: 1.05, min_ess_bulk: 80, min_ess_tail: 90, divergent: 3 })
 * // ['group "study" has only 2 levels: ...']
 */
export function likelyCauses(
  groups: readonly GroupInfo[],
  d: ComparisonDiagnostics,
  rhatBar = 1.01,
  table?: Table,
  proportionUpper = 0,
): string[] {
  if (!(d.max_rhat > rhatBar) && !(d.divergent > 0)) return [];
  const out: string[] = [];
  const atBound = table && proportionUpper > 0 ? tasksAtBound(table, proportionUpper) : [];
  if (atBound.length > 0) {
    const names = atBound.map((t) => t.task);
    out.push(
      `scores sit at a bound of [0, ${proportionUpper}] on ${names.length === 1 ? 'task' : 'tasks'} ${names.join(', ')} (most of ${names.length === 1 ? 'its' : 'their'} scores within ${CEILING_SHARE * 100}% of it), and this fit models the raw score: the sampler meets a likelihood squeezed against the bound; give the items per task (--trials) for a binomial model, or compare without ${names.length === 1 ? 'it' : 'them'} (--filter task!=${names.join(',')})`,
    );
  }
  for (const h of table ? sparseOnBackbones(table) : []) {
    out.push(
      `heuristic "${h.heuristic}" ran on ${h.on} of ${h.of} backbones: its heuristic:backbone effects on the others come from the prior alone; compare it on its own backbones (--filter) or drop it (--filter heuristic!=${h.heuristic})`,
    );
  }
  for (const g of groups) {
    if (g.levels.length >= FEW_LEVELS) continue;
    const sd = `sd_${g.group}__${g.coefs[0] ?? 'Intercept'}`;
    out.push(
      `group "${g.group}" has only ${g.levels.length} levels: its sd is barely identified and makes a funnel the sampler diverges in; leave the term out (e.g. do not name --study for 2-3 studies), or give it a tighter prior (--prior '${sd} ~ normal(0, 1)', in the score's sd units)`,
    );
  }
  return out;
}

/**
 * Heuristics observed on fewer than half of the backbones of a canonical table (columns heuristic
 * and backbone): their comparison leans on the prior where they were not run.
 * @example sparseOnBackbones(prepared.table) // [{ heuristic: 'duoattention', on: 2, of: 4 }]
 */
export function sparseOnBackbones(table: Table): { heuristic: string; on: number; of: number }[] {
  const h = table.columns.heuristic;
  const b = table.columns.backbone;
  if (h?.type !== 'factor' || b?.type !== 'factor' || b.levels.length < 2) return [];
  const seen = h.levels.map(() => new Set<number>());
  for (let i = 0; i < table.nRows; i++) {
    if (h.codes[i] >= 0 && b.codes[i] >= 0) seen[h.codes[i]].add(b.codes[i]);
  }
  const of = b.levels.length;
  return h.levels.flatMap((name, k) =>
    seen[k].size * 2 < of ? [{ heuristic: name, on: seen[k].size, of }] : [],
  );
}

/**
 * Tasks of a canonical table (columns task and score) where at least half of the scores are
 * within CEILING_SHARE of a bound of the proportion scale [0, upper] (ceiling or floor).
 * @example tasksAtBound(rulerTable, 100) // [{ task: 'niah_single_1', share: 1 }]
 */
export function tasksAtBound(table: Table, upper: number): { task: string; share: number }[] {
  const t = table.columns.task;
  const y = table.columns.score;
  if (t?.type !== 'factor' || y?.type !== 'numeric') return [];
  const n = new Float64Array(t.levels.length);
  const near = new Float64Array(t.levels.length);
  for (let i = 0; i < table.nRows; i++) {
    const k = t.codes[i];
    if (k < 0 || !Number.isFinite(y.values[i])) continue;
    n[k]++;
    const v = y.values[i];
    if (v >= upper * (1 - CEILING_SHARE) || v <= upper * CEILING_SHARE) near[k]++;
  }
  return t.levels.flatMap((task, k) =>
    n[k] > 0 && near[k] * 2 >= n[k] ? [{ task, share: near[k] / n[k] }] : [],
  );
}
