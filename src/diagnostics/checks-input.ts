/**
 * posterior's `should_return_NA` (R/convergence.R): a draws block gives NA when it holds any NaN or
 * +-Inf, or when it is constant (max - min < .Machine$double.eps, an absolute tolerance).
 */

/**
 * R's .Machine$double.eps, the absolute constancy tolerance of posterior.
 * @example isConstant(x, DOUBLE_EPS)
 */
export const DOUBLE_EPS = 2.220446049250313e-16;

/**
 * True when `x` holds a NaN or an infinite value.
 * @example hasNonFinite(new Float64Array([1, Infinity])) // true
 */
export function hasNonFinite(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) return true; // NaN or +-Inf
  }
  return false;
}

/**
 * True when `x` holds a NaN.
 * @example hasNaN(new Float64Array([1, NaN])) // true
 */
export function hasNaN(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i])) return true;
  return false;
}

/**
 * True when max(x) - min(x) < tol (absolute), posterior's `is_constant`.
 * @example isConstant(new Float64Array([2, 2, 2])) // true
 */
export function isConstant(x: ArrayLike<number>, tol = DOUBLE_EPS): boolean {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Math.abs(hi - lo) < tol;
}

/**
 * posterior's `should_return_NA`: any NaN/+-Inf, or constant.
 * @example shouldReturnNaN(new Float64Array([1, 1, 1])) // true
 */
export function shouldReturnNaN(x: ArrayLike<number>): boolean {
  // one pass: any NaN/Inf, else max - min (as hasNonFinite || isConstant)
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) return true;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Math.abs(hi - lo) < DOUBLE_EPS;
}
