import { normalQuantile } from '../math/normal-quantile.js';
import type { ComparisonPair } from './types.js';

/**
 * The smallest ROPE at which any pair could be called practically equal: P(|d| < rope) >= threshold
 * needs rope >= z sd(d) even when the posterior of the difference d is centred at 0, with
 * z = Phi^-1((1 + threshold) / 2) (1.96 at 0.95). sd(d) is read from each pair's 90% interval,
 * (q95 - q5) / (2 x 1.645), exact for a normal posterior; the floor is the smallest over the
 * pairs given. NaN without pairs that carry an interval.
 * @example equivalenceFloor([{ diff_q5: -1.645, diff_q95: 1.645, ... }], 0.95) // 1.96
 */
export function equivalenceFloor(pairs: readonly ComparisonPair[], threshold: number): number {
  const z = normalQuantile((1 + threshold) / 2);
  const z90 = normalQuantile(0.95);
  let floor = Number.POSITIVE_INFINITY;
  for (const p of pairs) {
    if (p.diff_q5 === undefined || p.diff_q95 === undefined) continue;
    const sd = (p.diff_q95 - p.diff_q5) / (2 * z90);
    if (Number.isFinite(sd) && z * sd < floor) floor = z * sd;
  }
  return Number.isFinite(floor) ? floor : Number.NaN;
}

/**
 * A note when the ROPE is below that floor: no pair can be called practically equal, so
 * "inconclusive" there means "not resolvable at this ROPE", not "not enough data"; null otherwise.
 * @example ropeFloorNote(0.1, 0.5, 'user (--rope)') // 'ROPE 0.1 (user (--rope)) is below ...'
 */
export function ropeFloorNote(rope: number, floor: number, source: string): string | null {
  if (!(rope < floor)) return null;
  const f = Number(floor.toPrecision(2));
  return `ROPE ${Number(rope.toPrecision(3))} (${source}) is below the posterior's resolution: the most precise difference between two heuristics has a posterior sd that needs a ROPE of at least ${f} for "practically equal", so no pair can be called equal at this ROPE (a wider --rope, or more runs, can)`;
}
