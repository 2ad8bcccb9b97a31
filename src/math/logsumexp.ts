/**
 * log(exp(a) + exp(b)) without overflow; -Infinity if both are -Infinity.
 *
 * @example
 * logAddExp(0, 0); // Math.LN2
 * logAddExp(-Infinity, 3); // 3
 */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * log(sum(exp(x))) of an array, stable; -Infinity for an empty array.
 *
 * @example
 * logSumExp([0, 0, 0]); // Math.log(3)
 */
export function logSumExp(x: ArrayLike<number>): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  if (m === Number.NEGATIVE_INFINITY || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}
