/**
 * An orthonormal basis of the sum-to-zero subspace of a group's levels, nested in blocks: the
 * centred level-plus-contrast geometry of sampled group terms (see `nestedBasis`).
 */

/**
 * An orthonormal basis Q (n x (n - 1)) of the sum-to-zero subspace of a group's n levels, nested in
 * blocks (tasks in their categories): first one coordinate per block after the first for the
 * differences between block means (nested Helmert: column k has a_k on the blocks before k and
 * -b_k on block k, a_k = n_k t, b_k = N_<k t, t = 1 / sqrt(n_k N_<k (n_k + N_<k)); each sums to zero
 * and is constant on the blocks its successors see, so they are orthogonal), then the Helmert
 * contrasts within each block. With one block this is the plain Helmert basis.
 *
 * Why blocks: tasks are pinned very precisely by the data, except for the shift of all tasks of
 * one category, which the integrated-out heuristic:category effects absorb. Within-block contrasts
 * are orthogonal to those weak directions, so a diagonal metric can scale the two kinds apart (the
 * all-task Helmert basis mixed them: small steps, deep trees). Q is orthonormal, so the density of
 * the effects (and every reported variable) is unchanged; only the coordinates rotate.
 */
export interface NestedBasis {
  n: number;
  blocks: Int32Array[];
  a: Float64Array;
  b: Float64Array;
  blockSum: Float64Array;
}

export function nestedBasis(n: number, blocks: Int32Array[]): NestedBasis {
  const C = blocks.length;
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  let before = blocks.length > 0 ? blocks[0].length : 0;
  for (let k = 1; k < C; k++) {
    const nk = blocks[k].length;
    const t = 1 / Math.sqrt(nk * before * (nk + before));
    a[k] = nk * t;
    b[k] = before * t;
    before += nk;
  }
  return { n, blocks, a, b, blockSum: new Float64Array(C) };
}

/** out = Q v with v = theta[off .. off + n - 2] (between-block coordinates first). */
export function basisApply(
  q: NestedBasis,
  theta: Float64Array,
  off: number,
  out: Float64Array,
): void {
  const C = q.blocks.length;
  // value added to every level of block j by the between-block coordinates
  let suffix = 0;
  for (let j = C - 1; j >= 0; j--) {
    const own = j > 0 ? -q.b[j] * theta[off + j - 1] : 0;
    q.blockSum[j] = own + suffix;
    if (j > 0) suffix += q.a[j] * theta[off + j - 1];
  }
  let o = off + Math.max(C - 1, 0);
  for (let j = 0; j < C; j++) {
    const m = q.blocks[j];
    const base = q.blockSum[j];
    // Helmert column k adds c_k v_k to levels 0..k-1 and -k c_k v_k to level k: level j gets the
    // suffix sum of c_k v_k over k > j (O(n) instead of O(n^2))
    const last = m.length - 1;
    let suffix = 0;
    for (let j = last; j >= 0; j--) {
      let x = base + suffix;
      if (j > 0) {
        const c = 1 / Math.sqrt(j * (j + 1));
        const cv = c * theta[o + j - 1];
        x -= j * cv;
        suffix += cv;
      }
      out[m[j]] = x;
    }
    o += Math.max(last, 0);
  }
}

/** grad[off ..] += Q' g, the transpose of `basisApply`. */
export function basisTranspose(
  q: NestedBasis,
  g: Float64Array,
  grad: Float64Array,
  off: number,
): void {
  const C = q.blocks.length;
  let before = 0;
  let o = off + Math.max(C - 1, 0);
  for (let j = 0; j < C; j++) {
    const m = q.blocks[j];
    let own = 0;
    let prefix = 0;
    for (let k = 0; k < m.length; k++) {
      own += g[m[k]];
      if (k === 0) continue;
      prefix += g[m[k - 1]];
      const c = 1 / Math.sqrt(k * (k + 1));
      grad[o++] += c * prefix - k * c * g[m[k]];
    }
    if (j > 0) grad[off + j - 1] += q.a[j] * before - q.b[j] * own;
    before += own;
  }
}

/**
 * The columns of the nested basis as vectors (tests check it is orthonormal and sums to zero).
 * @example basisColumns(3, [Int32Array.of(0), Int32Array.of(1, 2)]).length // 2
 */
export function basisColumns(n: number, blocks: Int32Array[]): Float64Array[] {
  const q = nestedBasis(n, blocks);
  return Array.from({ length: n - 1 }, (_, k) => {
    const e = new Float64Array(n - 1);
    e[k] = 1;
    const out = new Float64Array(n);
    basisApply(q, e, 0, out);
    return out;
  });
}

/**
 * Q' g through `basisTranspose` (tests check it against the columns).
 * @example basisTransposeOf(3, [Int32Array.of(0, 1, 2)], Float64Array.of(1, 0, 0))
 */
export function basisTransposeOf(n: number, blocks: Int32Array[], g: Float64Array): Float64Array {
  const out = new Float64Array(n - 1);
  basisTranspose(nestedBasis(n, blocks), g, out, 0);
  return out;
}

/**
 * The plain Helmert basis of n levels (one block): column k (1 <= k < n) is
 * (1, ..., 1, -k, 0, ...) / sqrt(k (k + 1)) with k ones; `basisApply` and `basisTranspose` use it in
 * O(n).
 * @example basisColumns(3, [Int32Array.of(0, 1, 2)]) // the columns of helmertBasis(3)
 */
export function helmertBasis(n: number): NestedBasis {
  return nestedBasis(n, [Int32Array.from({ length: n }, (_, i) => i)]);
}

/**
 * The plain Helmert basis as a dense matrix, Q[l * (n - 1) + j] (for the small groups whose
 * contrasts enter matrix products, e.g. the backbones and methods of the budget-curve model).
 * @example helmertMatrix(2) // Float64Array [1/sqrt(2), -1/sqrt(2)]
 */
export function helmertMatrix(n: number): Float64Array {
  const q = new Float64Array(n * Math.max(0, n - 1));
  basisColumns(n, [Int32Array.from({ length: n }, (_, i) => i)]).forEach((col, j) => {
    for (let l = 0; l < n; l++) q[l * (n - 1) + j] = col[l];
  });
  return q;
}
