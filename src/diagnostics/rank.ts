import { argsort } from '../math/argsort.js';
import { normalQuantile } from '../math/normal-quantile.js';
import { medianSorted, sortedCopy } from '../math/quantile.js';

/**
 * Rank normalization and folding (docs/ALGORITHMS.md §5.2, posterior `z_scale`, `u_scale`,
 * `backtransform_ranks`, `fold_draws`; Vehtari et al. 2021 §3).
 */

/**
 * Blom's fractional offset c = 3/8 of the rank back-transform.
 * @example (rank - RANK_OFFSET) / (S - 2 * RANK_OFFSET + 1)
 */
export const RANK_OFFSET = 3 / 8;

/**
 * Average ranks (1-based; ties get the mean of their ranks, R `rank(ties.method = "average")`) from
 * an ascending order of x, written into `out`.
 * @example ranksFromOrder(x, argsort(x), new Float64Array(x.length))
 */
export function ranksFromOrder(
  x: ArrayLike<number>,
  order: Uint32Array,
  out: Float64Array,
): Float64Array {
  const S = order.length;
  let i = 0;
  while (i < S) {
    const v = x[order[i]];
    let j = i + 1;
    while (j < S && x[order[j]] === v) j++;
    const r = Number.isNaN(v) ? Number.NaN : (i + 1 + j) / 2; // NaN keeps NaN (na.last = "keep")
    for (let k = i; k < j; k++) out[order[k]] = r;
    i = j;
  }
  return out;
}

const zTables = new Map<number, Float64Array>();

/** Phi^-1((r - 3/8)/(S + 1/4)) for the integer ranks r = 1..S (cached per S). */
function zTable(S: number): Float64Array {
  let t = zTables.get(S);
  if (!t) {
    t = new Float64Array(S);
    const denom = S - 2 * RANK_OFFSET + 1;
    for (let i = 0; i < S; i++) t[i] = normalQuantile((i + 1 - RANK_OFFSET) / denom);
    if (zTables.size > 8) zTables.clear();
    zTables.set(S, t);
  }
  return t;
}

/**
 * z-scale from an ascending order of x: z = Phi^-1((r - 3/8)/(S + 1/4)) with average ranks r.
 * Untied values take Phi^-1 of their integer rank from a table cached per S (the same arithmetic);
 * each run of ties gets one Phi^-1 of its average rank.
 * @example zScaleFromOrder(x, argsort(x), new Float64Array(x.length))
 */
export function zScaleFromOrder(
  x: ArrayLike<number>,
  order: Uint32Array,
  out: Float64Array,
): Float64Array {
  const S = order.length;
  const denom = S - 2 * RANK_OFFSET + 1;
  const table = zTable(S);
  let i = 0;
  while (i < S) {
    const v = x[order[i]];
    let j = i + 1;
    while (j < S && x[order[j]] === v) j++;
    if (j === i + 1) {
      out[order[i]] = Number.isNaN(v) ? Number.NaN : table[i];
    } else {
      const z = Number.isNaN(v)
        ? Number.NaN
        : normalQuantile(((i + 1 + j) / 2 - RANK_OFFSET) / denom);
      for (let k = i; k < j; k++) out[order[k]] = z;
    }
    i = j;
  }
  return out;
}

/**
 * Ranks of x among all its values, ties getting the average rank (R `rank(ties.method = "average")`),
 * 1-based. x must hold no NaN (callers return NaN before ranking, as posterior does).
 * @example averageRanks(new Float64Array([3, 1, 4, 1, 5])) // [3, 1.5, 4, 1.5, 5]
 */
export function averageRanks(x: Float64Array, out?: Float64Array): Float64Array {
  return ranksFromOrder(x, argsort(x), out ?? new Float64Array(x.length));
}

/**
 * u-scale: (r - 3/8) / (S + 1/4) of the average ranks r over all S pooled draws (posterior `u_scale`).
 * @example uScale(new Float64Array([3, 1, 4, 1, 5])) // [0.5, 0.2142857142857143, ...]
 */
export function uScale(x: Float64Array, out?: Float64Array): Float64Array {
  const o = averageRanks(x, out);
  const denom = x.length - 2 * RANK_OFFSET + 1;
  for (let i = 0; i < o.length; i++) o[i] = (o[i] - RANK_OFFSET) / denom;
  return o;
}

/**
 * Rank normalization z = Phi^-1((r - 3/8)/(S + 1/4)) over all pooled draws (posterior `z_scale`).
 * @example zScale(new Float64Array([3, 1, 4, 1, 5]))[2] // 0.497200570681554
 */
export function zScale(x: Float64Array, out?: Float64Array): Float64Array {
  return zScaleFromOrder(x, argsort(x), out ?? new Float64Array(x.length));
}

/**
 * The ascending order of |x - med| from the ascending order of x: the draws below the median
 * read backwards merged with those above it (O(S), no second sort). `folded` receives |x - med|.
 * @example foldOrder(x, argsort(x), median, folded, order2)
 */
export function foldOrder(
  x: ArrayLike<number>,
  order: Uint32Array,
  med: number,
  folded: Float64Array,
  out: Uint32Array,
): Uint32Array {
  const S = order.length;
  for (let i = 0; i < S; i++) folded[i] = Math.abs(x[i] - med);
  let k0 = 0;
  while (k0 < S && x[order[k0]] < med) k0++;
  let left = k0 - 1;
  let right = k0;
  for (let k = 0; k < S; k++) {
    if (right >= S || (left >= 0 && folded[order[left]] <= folded[order[right]]))
      out[k] = order[left--];
    else out[k] = order[right++];
  }
  return out;
}

/**
 * Folded draws |x - median(x)|, the median over all (unsplit) draws (posterior `fold_draws`).
 * `sorted` may pass x sorted ascending.
 * @example foldDraws(new Float64Array([1, 2, 6])) // [1, 0, 4]
 */
export function foldDraws(
  x: Float64Array,
  sorted?: Float64Array,
  out?: Float64Array,
): Float64Array {
  const med = medianSorted(sorted ?? sortedCopy(x));
  const o = out ?? new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i] - med);
  return o;
}
