import { DataError } from '../errors.js';

/**
 * Size limits of a comparison, chosen by measurement (bench/compare-size.bench.ts, BENCHMARKS.md
 * section "Comparison size"), in two kinds:
 *
 * - hard limits, checked by `checkComparisonSize` before anything is compiled or sampled (a
 *   DataError: exit 2 in the CLI, 400 in the web app): past them the model itself is too large
 *   for an interactive tool (one draw of every heuristic x task effect per iteration);
 * - output bounds (`pairPlan`): the document keeps every pair only while the number of pairs is
 *   bounded; beyond that it keeps the per-heuristic tables (means, P(best), expected ranks) and the
 *   pairs against each scope's best heuristic, and says so in a note.
 */
export const COMPARISON_LIMITS = {
  /** Most heuristics a comparison accepts. */
  heuristics: 500,
  /** Most heuristic x task cells (combinations present in the data). */
  cells: 20_000,
  /** Every pair overall and per category only up to this many heuristics (50: 1,225 pairs). */
  allPairsHeuristics: 50,
  /** Every pair on every task only while tasks x H(H - 1)/2 stays at or under this. */
  taskPairs: 20_000,
} as const;

/** Which pairs a Comparison document holds, and why (notes for the document). */
export interface PairPlan {
  /** 'all' pairs, or only pairs against the scope's best heuristic ('best'). */
  overall: 'all' | 'best';
  task: 'all' | 'best';
  notes: string[];
}

/**
 * The pairs a comparison of `heuristics` heuristics on `tasks` tasks reports: all of them while
 * they are few, else only those against each scope's best (H - 1 per scope instead of
 * H(H - 1)/2), with a note saying what was left out and why.
 * @example pairPlan(200, 3).overall // 'best'
 */
export function pairPlan(heuristics: number, tasks: number): PairPlan {
  const H = heuristics;
  const perScope = (H * (H - 1)) / 2;
  const notes: string[] = [];
  const overall = H <= COMPARISON_LIMITS.allPairsHeuristics ? 'all' : 'best';
  const task =
    overall === 'all' && tasks * perScope <= COMPARISON_LIMITS.taskPairs ? 'all' : 'best';
  if (overall === 'best') {
    notes.push(
      `${H} heuristics (over ${COMPARISON_LIMITS.allPairsHeuristics}): pairwise decisions are ` +
        `against the best heuristic of each scope only (${H - 1} pairs per scope instead of ` +
        `${perScope}); P(best) and expected ranks cover every heuristic`,
    );
  } else if (task === 'best') {
    notes.push(
      `${tasks} tasks x ${perScope} pairs is over ${COMPARISON_LIMITS.taskPairs} per-task pairs: ` +
        'per-task decisions are against each task\u2019s best heuristic only; overall and ' +
        'per-category decisions keep every pair',
    );
  }
  return { overall, task, notes };
}

/** The counts `checkComparisonSize` looks at. */
export interface ComparisonSize {
  heuristics: number;
  tasks: number;
  /** Distinct heuristic x task combinations with data. */
  cells: number;
}

/**
 * Refuse, with one line, a comparison too large to fit: more heuristics or heuristic x task cells
 * than COMPARISON_LIMITS allows. Called before any model is compiled or sampled.
 * @example checkComparisonSize({ heuristics: 2000, tasks: 3, cells: 6000 }, 'big.csv') // throws
 */
export function checkComparisonSize(size: ComparisonSize, source = 'data'): void {
  if (size.heuristics > COMPARISON_LIMITS.heuristics) {
    throw new DataError(
      `${source}: ${size.heuristics} heuristics is over the limit of ${COMPARISON_LIMITS.heuristics} ` +
        'for one comparison: compare a subset of them',
    );
  }
  if (size.cells > COMPARISON_LIMITS.cells) {
    throw new DataError(
      `${source}: ${size.cells} heuristic x task cells (${size.heuristics} heuristics, ` +
        `${size.tasks} tasks) is over the limit of ${COMPARISON_LIMITS.cells} for one comparison: ` +
        'compare a subset of them',
    );
  }
}

/**
 * Counts of a canonical comparison table's factor codes (heuristic, task): levels seen and
 * distinct (heuristic, task) combinations.
 * @example comparisonSize(Int32Array.of(0, 1), Int32Array.of(0, 0)) // { heuristics: 2, tasks: 1, cells: 2 }
 */
export function comparisonSize(rowHeuristic: Int32Array, rowTask: Int32Array): ComparisonSize {
  const hs = new Set<number>();
  const ts = new Set<number>();
  const cells = new Set<number>();
  let maxT = 0;
  for (let i = 0; i < rowTask.length; i++) maxT = Math.max(maxT, rowTask[i] + 1);
  for (let i = 0; i < rowHeuristic.length; i++) {
    const h = rowHeuristic[i];
    const t = rowTask[i];
    if (h < 0 || t < 0) continue;
    hs.add(h);
    ts.add(t);
    cells.add(h * maxT + t);
  }
  return { heuristics: hs.size, tasks: ts.size, cells: cells.size };
}
