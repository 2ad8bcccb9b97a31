/**
 * The nested normal-normal chain: gaussian group terms that nest (rows in cells, cells in coarser
 * levels, those in still coarser ones) integrated out exactly, bottom-up, and drawn back top-down
 * (BDA3 section 5.4; the algebra of a normal-normal hierarchical model).
 *
 * A node whose children contribute exp(b_c r - a_c r^2 / 2) has A = sum a_c, B = sum b_c;
 * integrating its effect r ~ N(0, v) adds 1/2 v B^2 / p - 1/2 log p with p = 1 + A v and hands its
 * parent a = A / p, b = B / p. Cells start the chain with a = w n, b = w n (mean - eta). Given the
 * sum R of its ancestors' effects, r ~ N(kappa (B - A R), kappa) with kappa = v / p, drawn as
 * kappa (B - A R) + sqrt(kappa) xi with an auxiliary xi ~ N(0, 1) per node (math/hash-normals.ts).
 * The gradient runs the same chain top-down (reverse mode by hand).
 */

/** The state of one integrated-out level of the chain. */
export interface ChainLevel {
  /** Nodes of the level. */
  n: number;
  /** Node of each child (the level below's node, or each cell for the first level); -1 = none. */
  nodeOfChild: Int32Array;
  A: Float64Array;
  B: Float64Array;
  /** 1 / p of each node (the forward pass's divisions, reused backward). */
  p: Float64Array;
  Abar: Float64Array;
  Bbar: Float64Array;
  /** Running sum of effects (own + ancestors) when drawing. */
  r: Float64Array;
}

/**
 * The buffers of a level with `n` nodes whose children map to nodes by `nodeOfChild`.
 * @example chainLevel(2, Int32Array.of(0, 0, 1)).A.length // 2
 */
export function chainLevel(n: number, nodeOfChild: Int32Array): ChainLevel {
  return {
    n,
    nodeOfChild,
    A: new Float64Array(n),
    B: new Float64Array(n),
    p: new Float64Array(n),
    Abar: new Float64Array(n),
    Bbar: new Float64Array(n),
    r: new Float64Array(n),
  };
}

/**
 * Forward pass of one level (see the top of this file): p = 1 + A v per node, stores 1 / p,
 * hands the parent A / p and B / p, returns sum (v B^2 / p - log p) / 2. Plain typed-array
 * arguments keep the loop monomorphic with every array in a register.
 */
export function levelForward(
  A: Float64Array,
  B: Float64Array,
  P: Float64Array,
  n: number,
  vk: number,
  parentOf: Int32Array,
  upA: Float64Array,
  upB: Float64Array,
): number {
  let quad = 0;
  // sum_j log p_j as the log of running products (p >= 1): one Math.log per ~1e200 of product
  // instead of one per node (the logs were most of a gradient's cost at 10,000 cells); the
  // product's relative rounding (~1e-16 per factor) is an absolute ~1e-16 per node in lp
  let prod = 1;
  let logP = 0;
  for (let j = 0; j < n; j++) {
    const a = A[j];
    const b = B[j];
    const p = 1 + a * vk;
    const ip = 1 / p;
    P[j] = ip;
    quad += b * b * ip;
    if (p > 1e100) logP += Math.log(p);
    else {
      prod *= p;
      if (prod > 1e200) {
        logP += Math.log(prod);
        prod = 1;
      }
    }
    const parent = parentOf[j];
    upA[parent] += a * ip;
    upB[parent] += b * ip;
  }
  logP += Math.log(prod);
  return 0.5 * vk * quad - 0.5 * logP;
}

/**
 * Backward pass of one level: the adjoints of each node's A and B from its parent's, and the
 * level's d lp / d v (returned).
 */
export function levelBackward(
  lv: ChainLevel,
  vk: number,
  parentOf: Int32Array,
  upAbar: Float64Array,
  upBbar: Float64Array,
): number {
  const { A, B, p: P, Abar, Bbar, n } = lv;
  let vb = 0;
  for (let j = 0; j < n; j++) {
    const a = A[j];
    const b = B[j];
    const ip = P[j];
    const ip2 = ip * ip;
    const parent = parentOf[j];
    const abar = upAbar[parent];
    const bbar = upBbar[parent];
    Abar[j] = ip2 * (-0.5 * vk * vk * b * b + abar - bbar * b * vk) - 0.5 * vk * ip;
    Bbar[j] = ip * (vk * b + bbar);
    vb += ip2 * (0.5 * b * b - abar * a * a - bbar * a * b) - 0.5 * a * ip;
  }
  return vb;
}
