import type { Draws } from '../draws/draws.js';

/**
 * The simulation-based-calibration rank of a true value (Talts et al. 2018, "Validating Bayesian
 * inference algorithms with simulation-based calibration", Algorithm 1): how many of L draws, taken
 * evenly from the pooled draws (positions floor((l + 0.5) S / L), l = 0..L-1, thinning away
 * autocorrelation), lie below the truth. Uniform on 0..L when the posterior is calibrated.
 * @example sbcRank(Float64Array.from([1, 2, 3, 4]), 2.5, 2) // 1 (draws 2 and 4 are kept)
 */
export function sbcRank(x: ArrayLike<number>, truth: number, L: number): number {
  const S = x.length;
  let rank = 0;
  for (let l = 0; l < L; l++) if (x[Math.floor(((l + 0.5) * S) / L)] < truth) rank++;
  return rank;
}

/**
 * The SBC rank of every named true value that is a variable of `draws`, appended to its list in
 * `ranks` (names that are not variables are skipped: a parameter the fit did not report).
 * @example pushSbcRanks(res.ranks, run.fit.draws, { sigma: 1.2 }, 99)
 */
export function pushSbcRanks(
  ranks: Record<string, number[]>,
  draws: Draws,
  truths: Readonly<Record<string, number>>,
  L: number,
): void {
  const S = draws.nDraws * draws.nChains;
  for (const [name, truth] of Object.entries(truths)) {
    const v = draws.variables.indexOf(name);
    if (v < 0) continue;
    (ranks[name] ??= []).push(sbcRank(draws.values.subarray(v * S, (v + 1) * S), truth, L));
  }
}
