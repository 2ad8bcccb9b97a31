/**
 * Splitting chains (docs/ALGORITHMS.md §5.1, posterior `.split_chains`): each chain of N draws becomes two
 * chains of floor(N/2) draws, the first and the last half; for odd N the middle draw is dropped.
 * Blocks are draws x chains, column-major by chain (the Draws layout).
 */

/**
 * A draws x chains block: `values[d + nDraws * c]`.
 * @example const b: Block = { values, nDraws: 500, nChains: 8 };
 */
export interface Block {
  values: Float64Array;
  nDraws: number;
  nChains: number;
}

/**
 * Split each chain in two halves. For even N the split block is the same memory as the input (no
 * copy); for odd N the halves are copied into `out` (allocated when omitted). N = 1 is not split.
 * @example splitChains(new Float64Array([1, 2, 3, 4]), 4, 1) // {values: [1,2,3,4], nDraws: 2, nChains: 2}
 */
export function splitChains(
  x: Float64Array,
  nDraws: number,
  nChains: number,
  out?: Float64Array,
): Block {
  if (nDraws < 2) return { values: x, nDraws, nChains };
  const h = Math.floor(nDraws / 2);
  if (nDraws % 2 === 0)
    return { values: x.subarray(0, nDraws * nChains), nDraws: h, nChains: 2 * nChains };
  const o = out ?? new Float64Array(2 * h * nChains);
  for (let c = 0; c < nChains; c++) {
    const src = c * nDraws;
    const dst = 2 * c * h;
    for (let d = 0; d < h; d++) {
      o[dst + d] = x[src + d];
      o[dst + h + d] = x[src + nDraws - h + d];
    }
  }
  return { values: o.subarray(0, 2 * h * nChains), nDraws: h, nChains: 2 * nChains };
}
