import type { Draws } from './draws.js';
import { createDraws } from './draws.js';

/**
 * A Draws holding only the variables at `indices` (in that order), copied.
 * @example selectVariables(draws, [0, 2]).variables // ['mu', 'sigma']
 */
export function selectVariables(draws: Draws, indices: readonly number[]): Draws {
  const out = createDraws(
    draws.nDraws,
    draws.nChains,
    indices.map((i) => draws.variables[i]),
  );
  const n = draws.nDraws * draws.nChains;
  indices.forEach((v, k) => {
    out.values.set(draws.values.subarray(v * n, (v + 1) * n), k * n);
  });
  return out;
}
