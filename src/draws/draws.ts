/**
 * Draws: a draws x chains x variables block of numbers in one Float64Array, in the memory order of
 * the R package posterior's draws_array: index(d, c, v) = d + nDraws * (c + nChains * v), so each
 * variable is one contiguous block (chain 1's draws, then chain 2's, ...).
 *
 * Sampler statistics (lp__, accept_stat__, ...) use the same layout in a separate Draws object;
 * they never appear among the model's variables.
 *
 * @example
 * const d = createDraws(1000, 4, ['mu', 'tau']);
 * d.values[drawIndex(d, 0, 1, 0)] = 0.5; // draw 1 of chain 2 of mu
 */
export interface Draws {
  readonly nDraws: number;
  readonly nChains: number;
  readonly variables: readonly string[];
  readonly values: Float64Array;
}

/** Per-draw sampler statistics; `variables` are the sampler fields, names ending in `__`. */
export type SamplerStats = Draws;

/** The sampler fields recorded per draw, in CmdStan's order. */
export const SAMPLER_FIELDS = [
  'lp__',
  'accept_stat__',
  'stepsize__',
  'treedepth__',
  'n_leapfrog__',
  'divergent__',
  'energy__',
] as const;

/**
 * Allocate zero-filled draws.
 * @example createDraws(10, 2, ['a']).values.length // 20
 */
export function createDraws(nDraws: number, nChains: number, variables: readonly string[]): Draws {
  return {
    nDraws,
    nChains,
    variables,
    values: new Float64Array(nDraws * nChains * variables.length),
  };
}

/**
 * Flat index of draw d (0-based) of chain c of variable v.
 * @example drawIndex({ nDraws: 10, nChains: 2 }, 3, 1, 0) // 13
 */
export function drawIndex(
  draws: Pick<Draws, 'nDraws' | 'nChains'>,
  d: number,
  c: number,
  v: number,
): number {
  return d + draws.nDraws * (c + draws.nChains * v);
}

/**
 * The draws x chains block of one variable (a view, no copy).
 * @example variableBlock(d, 0).length === d.nDraws * d.nChains
 */
export function variableBlock(draws: Draws, v: number): Float64Array {
  const n = draws.nDraws * draws.nChains;
  return draws.values.subarray(v * n, (v + 1) * n);
}

/**
 * One chain of one variable (a view, no copy).
 * @example chainOf(d, 0, 1).length === d.nDraws
 */
export function chainOf(draws: Draws, v: number, c: number): Float64Array {
  const start = drawIndex(draws, 0, c, v);
  return draws.values.subarray(start, start + draws.nDraws);
}
