import { ConfigError } from '../errors.js';
import type { LogDensity } from './types.js';

/** Result of `checkGradient`. */
export interface GradientCheck {
  /** max_i |analytic_i − numeric_i|. */
  maxAbsError: number;
  /** max_i |analytic_i − numeric_i| / max(1, |numeric_i|). */
  maxRelError: number;
  analytic: Float64Array;
  numeric: Float64Array;
}

/**
 * Compare a model's analytic gradient with central finite differences
 * (f(θ + h e_i) − f(θ − h e_i)) / 2h, for people who write gradients by hand. The default step
 * h = 1e-6 · max(1, |θ_i|) balances truncation O(h²) and rounding O(ε/h) errors.
 *
 * @example
 * const { maxRelError } = checkGradient(model, [0.1, -0.3]);
 * if (maxRelError > 1e-6) console.warn('gradient looks wrong');
 */
export function checkGradient(
  model: LogDensity,
  theta: Float64Array | readonly number[],
  options: { h?: number } = {},
): GradientCheck {
  const d = model.dim;
  if (!Number.isInteger(d) || d < 1) {
    throw new ConfigError(`model.dim: must be a positive integer, got ${String(d)}`);
  }
  if (theta.length !== d) {
    throw new ConfigError(`theta: has ${theta.length} values, the model has dim ${d}`);
  }
  const h0 = options.h ?? 1e-6;
  if (!(h0 > 0)) throw new ConfigError(`h: must be > 0, got ${String(options.h)}`);
  const q = Float64Array.from(theta as ArrayLike<number>);
  const analytic = new Float64Array(d);
  model.logDensityGradient(Float64Array.from(q), analytic);
  const numeric = new Float64Array(d);
  const scratch = new Float64Array(d);
  let maxAbsError = 0;
  let maxRelError = 0;
  for (let i = 0; i < d; i++) {
    const h = options.h ?? h0 * Math.max(1, Math.abs(q[i]));
    const x = Float64Array.from(q);
    x[i] = q[i] + h;
    const fp = model.logDensityGradient(x, scratch);
    x[i] = q[i] - h;
    const fm = model.logDensityGradient(x, scratch);
    numeric[i] = (fp - fm) / (2 * h);
    const err = Math.abs(analytic[i] - numeric[i]);
    const rel = err / Math.max(1, Math.abs(numeric[i]));
    if (!(err <= maxAbsError)) maxAbsError = err;
    if (!(rel <= maxRelError)) maxRelError = rel;
  }
  return { maxAbsError, maxRelError, analytic, numeric };
}
