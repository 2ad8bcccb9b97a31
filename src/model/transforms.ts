/**
 * Transforms of the unconstrained coordinates and their reverse passes: Stan's
 * cholesky_corr_constrain (Stan Reference Manual, "Cholesky factors of correlation matrices") and
 * the logistic function pair of the logit-link families.
 */

/** Stan's cholesky_corr_constrain: CPCs tanh(y) -> L (m x m row-major); returns log Jacobian. */
export function choleskyCorr(y: Float64Array, off: number, m: number, L: Float64Array): number {
  let lp = 0;
  L.fill(0);
  L[0] = 1;
  let k = off;
  for (let i = 1; i < m; i++) {
    let s = 0;
    for (let j = 0; j < i; j++) {
      const z = Math.tanh(y[k++]);
      const x = z * Math.sqrt(1 - s);
      lp += 0.5 * Math.log1p(-s) + Math.log1p(-z * z);
      L[i * m + j] = x;
      s += x * x;
    }
    L[i * m + i] = Math.sqrt(1 - s);
  }
  return lp;
}

/** Reverse pass of choleskyCorr (including its Jacobian): adds d(lp)/dy to grad. */
export function choleskyCorrBackward(
  y: Float64Array,
  off: number,
  m: number,
  L: Float64Array,
  gL: Float64Array,
  grad: Float64Array,
): void {
  for (let i = 1; i < m; i++) {
    const base = off + (i * (i - 1)) / 2;
    let total = 0;
    for (let j = 0; j < i; j++) total += L[i * m + j] ** 2;
    const dii = L[i * m + i];
    let gs = gL[i * m + i] * (-0.5 / dii);
    let sAfter = total;
    for (let j = i - 1; j >= 0; j--) {
      const x = L[i * m + j];
      const sj = sAfter - x * x; // sum of squares before entry j
      sAfter = sj;
      const gx = gL[i * m + j] + gs * 2 * x;
      const sq = Math.sqrt(1 - sj);
      const z = Math.tanh(y[base + j]);
      const gz = gx * sq;
      gs += gx * z * (-0.5 / sq) - 0.5 / (1 - sj);
      grad[base + j] += gz * (1 - z * z) - 2 * z;
    }
  }
}

/** log(1 + exp(x)) without overflow. */
export function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + exp(-x)) without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
