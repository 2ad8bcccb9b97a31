import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import type { Comparison } from './types.js';

/**
 * Tasks without spread: every score on the task is the same number (a saturated benchmark, a
 * metric that did not move). The data then say the heuristics are exactly equal there, while the
 * model's cell means for the task carry each heuristic's effect from the other tasks, shrunk but
 * not to zero, which showed as P(A better) of 0.05-0.2 between heuristics with identical scores.
 * `equalizeFlatTasks` states the data instead: on such a task the observed heuristics' means are
 * the score, their pairs are practically equal with probability 1, and a note says so. Overall and
 * per-category results keep the model's estimates (the task still informs the variance components).
 */

/** A task whose scores are all equal. */
export interface FlatTask {
  task: string;
  value: number;
  /** Heuristics with a score on the task. */
  heuristics: Set<string>;
}

function factorValue(table: Table, name: string, i: number): string | null {
  const c = table.columns[name];
  if (c?.type !== 'factor') return null;
  const code = c.codes[i];
  return code < 0 ? null : c.levels[code];
}

/**
 * The tasks of a canonical comparison table (heuristic, task, score) on which at least two rows have
 * a finite score and all of them are the same number; [] with a trials column (counts: equal
 * successes out of different trials are not equal scores).
 * @example flatTasks(table) // [{ task: 'saturated', value: 100, heuristics: Set { 'a', 'b' } }]
 */
export function flatTasks(table: Table): FlatTask[] {
  const score = table.columns.score;
  if (score?.type !== 'numeric' || table.columns.trials) return [];
  const byTask = new Map<string, { value: number; n: number; flat: boolean; hs: Set<string> }>();
  for (let i = 0; i < table.nRows; i++) {
    const v = score.values[i];
    const t = factorValue(table, 'task', i);
    if (t === null || !Number.isFinite(v)) continue;
    const h = factorValue(table, 'heuristic', i);
    const e = byTask.get(t);
    if (!e) byTask.set(t, { value: v, n: 1, flat: true, hs: new Set(h === null ? [] : [h]) });
    else {
      e.n++;
      if (v !== e.value) e.flat = false;
      if (h !== null) e.hs.add(h);
    }
  }
  return [...byTask]
    .filter(([, e]) => e.flat && e.n >= 2 && e.hs.size >= 2)
    .map(([task, e]) => ({ task, value: e.value, heuristics: e.hs }));
}

/**
 * Refuse a table whose finite scores are all the same number: there is nothing to compare, and a
 * model of a response without spread does not converge (it gave R-hat 2.3 and a ROPE of 0).
 * @example checkNotFlat(table) // throws DataError 'scores.csv: all 15 scores are equal (0.3): ...'
 */
export function checkNotFlat(table: Table): void {
  const score = table.columns.score;
  if (score?.type !== 'numeric' || table.columns.trials) return;
  let n = 0;
  let first = Number.NaN;
  for (const v of score.values) {
    if (!Number.isFinite(v)) continue;
    if (n === 0) first = v;
    else if (v !== first) return;
    n++;
  }
  if (n >= 2) {
    throw new DataError(
      `${table.source ?? 'data'}: all ${n} scores are equal (${first}): there is nothing to compare`,
    );
  }
}

/**
 * Put the flat tasks of `table` (the canonical table the document was built from, in the
 * document's per-task units) into the document, in place: on each, the observed heuristics' cells
 * become the task's score (interval of width 0; P(best) 1/H, expected rank (H + 1)/2 and rank
 * interval [1, H] when every heuristic was observed), their pairs P(ROPE) = 1, decision 'equivalent', and a note names the task.
 * @example equalizeFlatTasks(comparison, prepared.table).notes
 */
export function equalizeFlatTasks(doc: Comparison, table: Table): Comparison {
  const flat = flatTasks(table);
  if (flat.length === 0) return doc;
  const byName = new Map(flat.map((f) => [f.task, f]));
  for (const task of doc.tasks) {
    const f = byName.get(task.name);
    if (!f) continue;
    const all = task.heuristics.every((c) => f.heuristics.has(c.heuristic));
    const H = task.heuristics.length;
    for (const c of task.heuristics) {
      if (!f.heuristics.has(c.heuristic)) continue;
      c.mean = f.value;
      c.q5 = f.value;
      c.q95 = f.value;
      if (all) {
        c.p_best = 1 / H;
        c.expected_rank = (H + 1) / 2;
        // tied with every other heuristic: any rank
        if (c.rank_q5 !== undefined) {
          c.rank_q5 = 1;
          c.rank_q95 = H;
        }
      }
    }
  }
  for (const p of doc.pairs) {
    const f = p.scope.startsWith('task:') ? byName.get(p.scope.slice(5)) : undefined;
    if (!(f?.heuristics.has(p.a) && f.heuristics.has(p.b))) continue;
    p.p_a_better = 0;
    p.p_rope = 1;
    p.p_b_better = 0;
    p.p_a_greater = 0.5; // every draw of a - b is 0: a tie, counted half
    p.decision = 'equivalent';
    p.diff_mean = 0;
    p.diff_q5 = 0;
    p.diff_q95 = 0;
  }
  const names = flat.map((f) => `"${f.task}" (${f.value})`);
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, ... (${names.length})` : '');
  (doc.notes ??= []).push(
    `no spread on task${flat.length > 1 ? 's' : ''} ${shown}: every score there is the same, so ` +
      'its heuristics are reported as exactly equal on it (P(ROPE) = 1); overall and per-category ' +
      "results use the model's estimates for it",
  );
  return doc;
}
