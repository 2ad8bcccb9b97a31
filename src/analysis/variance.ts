import type { Draws } from '../draws/draws.js';
import { summarize90 } from './stats.js';
import type { ComparisonVarianceComponent } from './types.js';

/**
 * The variance components of a fitted comparison model: every group-level standard deviation
 * (`sd_GROUP__COEF`, brms naming) and the residual sd (`sigma`), each as its posterior mean and 90%
 * interval. They say where the spread of the scores sits (between tasks, between heuristics, in
 * heuristic x task interactions, in the residual) and so why a difference is inconclusive: a
 * large `sd_heuristic:task__Intercept` next to a small `sd_heuristic__Intercept` means the
 * heuristics' ranking changes from task to task.
 *
 * Units: those of the draws. `runComparison` puts the draws of the standardized fit back in the
 * fitted table's units (src/analysis/standardize.ts `unstandardizeDraws`: sd_* and sigma are
 * multiplied by the scale), so these are score units, or standard-deviation units with
 * `--scale task`; for non-identity links (binomial, beta) they are on the link scale.
 * Group-level sds first (in the draws' order), sigma last; [] when there are none.
 * @example varianceComponents(fit.draws)[0] // { name: 'sd_heuristic__Intercept', mean: 1.2, q5: 0.3, q95: 2.6 }
 */
export function varianceComponents(draws: Draws): ComparisonVarianceComponent[] {
  const S = draws.nDraws * draws.nChains;
  const out: ComparisonVarianceComponent[] = [];
  let sigma: ComparisonVarianceComponent | null = null;
  draws.variables.forEach((name, v) => {
    const isSd = name.startsWith('sd_');
    if (!isSd && name !== 'sigma') return;
    const iv = summarize90(draws.values.subarray(v * S, (v + 1) * S));
    const row = { name, mean: iv.mean, q5: iv.q5, q95: iv.q95 };
    if (isSd) out.push(row);
    else sigma = row;
  });
  if (sigma) out.push(sigma);
  return out;
}

/**
 * What a reader must know to read the variance components: with one row per heuristic x task cell
 * (published tables) the heuristic x task effect and the residual add up in every observation, so
 * the data identify only sqrt(sd_heuristic:task^2 + sigma^2), and the split between the two comes
 * from the priors; their separate intervals then say little. [] otherwise.
 * @example varianceNotes(c.variance_components, design.rowHeuristic, design.rowTask, T)
 */
export function varianceNotes(
  components: readonly ComparisonVarianceComponent[],
  rowHeuristic: Int32Array,
  rowTask: Int32Array,
  nTasks: number,
): string[] {
  const names = new Set(components.map((v) => v.name));
  if (!names.has('sigma') || !names.has('sd_heuristic:task__Intercept')) return [];
  const seen = new Set<number>();
  for (let i = 0; i < rowTask.length; i++) {
    const key = rowHeuristic[i] * nTasks + rowTask[i];
    if (seen.has(key)) return [];
    seen.add(key);
  }
  return [
    'one row per heuristic x task cell: sigma and sd_heuristic:task__Intercept are identified only together ' +
      '(the data fix sqrt(sd^2 + sigma^2); the split between them comes from the priors)',
  ];
}
