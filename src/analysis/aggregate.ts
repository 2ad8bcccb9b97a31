import type { CellDraws } from './cells.js';
import type { HeuristicDraws } from './matrix.js';

/**
 * Each heuristic's expected score averaged over a set of tasks (all tasks = "overall", the tasks of
 * a category = that category), draw by draw: the finite-population average over the benchmark's
 * tasks, with equal weight per task whatever its number of rows.
 * @example averageOverTasks(cells, [0, 1, 2]) // HeuristicDraws, one column per heuristic
 */
export function averageOverTasks(cells: CellDraws, taskIds: readonly number[]): HeuristicDraws {
  const H = cells.heuristics.length;
  const S = cells.nSamples;
  const values = new Float64Array(S * H);
  if (taskIds.length === 0) values.fill(Number.NaN);
  const w = 1 / taskIds.length;
  for (const t of taskIds) {
    for (let h = 0; h < H; h++) {
      const off = S * (h + H * t);
      for (let s = 0; s < S; s++) values[s + S * h] += w * cells.values[off + s];
    }
  }
  return { names: cells.heuristics, nSamples: S, values };
}

/**
 * The cells of one task as HeuristicDraws (a copy), optionally mapped back to the task's own units
 * with y = center + scale * value (for `--scale task`).
 * @example taskColumn(cells, 2) // heuristics' expected scores on task 2
 */
export function taskColumn(
  cells: CellDraws,
  t: number,
  back?: { center: number; scale: number },
): HeuristicDraws {
  const H = cells.heuristics.length;
  const S = cells.nSamples;
  const values = cells.values.slice(S * H * t, S * H * (t + 1));
  if (back)
    for (let i = 0; i < values.length; i++) values[i] = back.center + back.scale * values[i];
  return { names: cells.heuristics, nSamples: S, values };
}
