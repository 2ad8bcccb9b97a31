import type { Draws } from '../draws/draws.js';
import { forEachTaskCells } from './cells.js';
import { type FitInput, scaleTable } from './from-fit.js';

/**
 * The quantities a comparison report states, per posterior draw, for the power-scaling prior
 * sensitivity check (src/diagnostics/powerscale.ts): each heuristic's overall mean over tasks (as
 * the document's overall cells average the task cells; in the fitted scale's units, per-task
 * standardized with --scale task), the difference of the best to each other heuristic, and the
 * variance components (sd_* and sigma).
 * @example statedQuantities(input, 'bigbird').map((q) => q.name)
 */
export function statedQuantities(
  input: Pick<FitInput, 'table' | 'draws' | 'groups' | 'family' | 'scale' | 'bounded'>,
  best: string | null,
  seed = 1,
): { name: string; draws: Float64Array }[] {
  const { design } = scaleTable(input.table, input.scale ?? 'none');
  const draws: Draws = input.draws;
  const S = draws.nDraws * draws.nChains;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  const overall = new Float64Array(S * H);
  const options = {
    groups: input.groups,
    family: input.family,
    seed,
    bounded: input.bounded ?? null,
  };
  forEachTaskCells(draws, design, options, (_t, block) => {
    for (let i = 0; i < overall.length; i++) overall[i] += block[i] / T;
  });
  const out: { name: string; draws: Float64Array }[] = design.heuristics.map((h, i) => ({
    name: `mean[${h}]`,
    draws: overall.slice(i * S, (i + 1) * S),
  }));
  const b = best === null ? -1 : design.heuristics.indexOf(best);
  if (b >= 0) {
    design.heuristics.forEach((h, i) => {
      if (i === b) return;
      const d = new Float64Array(S);
      for (let s = 0; s < S; s++) d[s] = overall[b * S + s] - overall[i * S + s];
      out.push({ name: `${best} - ${h}`, draws: d });
    });
  }
  draws.variables.forEach((v, k) => {
    if (v.startsWith('sd_') || v === 'sigma' || v === 'nu' || v === 'phi') {
      out.push({ name: v, draws: draws.values.slice(k * S, (k + 1) * S) });
    }
  });
  return out;
}
