import type { Draws } from '../draws/draws.js';
import { type CellOptions, forEachTaskCells } from './cells.js';
import type { ComparisonDesign } from './design.js';
import type { HeuristicDraws } from './matrix.js';

/**
 * Each heuristic's expected score on one backbone, averaged over all tasks, per posterior draw:
 * the cell means with the backbone held at one level instead of averaged over the backbones (the
 * `fixed` option of `forEachTaskCells`), so a heuristic never run on that backbone gets its
 * heuristic:backbone effect drawn from the population. One entry per backbone level, in the
 * design's order; [] when the table has no backbone column.
 * @example perBackbone(fit.draws, design, { groups })[0].name // 'Meta-Llama-3-8B-Instruct'
 */
export function perBackbone(
  draws: Draws,
  design: ComparisonDesign,
  options: CellOptions,
): { name: string; draws: HeuristicDraws }[] {
  const column = design.rowValues.backbone;
  if (!column) return [];
  const levels = [...new Set(column.filter((v): v is string => v !== null))].sort();
  if (levels.length < 2) return [];
  const S = draws.nDraws * draws.nChains;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  return levels.map((name) => {
    const values = new Float64Array(S * H);
    forEachTaskCells(draws, design, { ...options, fixed: { backbone: name } }, (_t, block) => {
      for (let i = 0; i < values.length; i++) values[i] += block[i] / T;
    });
    return { name, draws: { names: design.heuristics, nSamples: S, values } };
  });
}
