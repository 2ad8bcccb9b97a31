import { type Metric, velocity } from './metric.js';
import type { LogDensity } from './types.js';

/**
 * Evaluate the log density and its gradient, mapping a throw or NaN to -Infinity (Stan sets V = +∞ on
 * domain errors, docs/ALGORITHMS.md §1). Never throws.
 *
 * @example
 * const g = new Float64Array(1);
 * safeLogDensity(model, new Float64Array([0]), g);
 */
export function safeLogDensity(model: LogDensity, q: Float64Array, grad: Float64Array): number {
  let lp: number;
  try {
    lp = model.logDensityGradient(q, grad);
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
  return !Number.isNaN(lp) ? lp : Number.NEGATIVE_INFINITY;
}

/**
 * One leapfrog step of signed size h, in place (docs/ALGORITHMS.md §1, `expl_leapfrog`), with
 * `grad = ∇ log p` (so the kick is p += (h/2) grad):
 * p ← p + (h/2)∇log p(q); q ← q + h·Minv p; recompute log p and its gradient; p ← p + (h/2)∇log p(q).
 * On return `v` holds the velocity Minv p at the new momentum. Returns the new log density.
 * Allocates nothing.
 *
 * @example
 * const q = new Float64Array([1]), p = new Float64Array([0.5]), g = new Float64Array([-1]), v = new Float64Array(1);
 * leapfrog(stdNormal, unitMetric('diag', 1), q, p, g, v, 0.5); // q = 1.125, p = -0.03125
 */
export function leapfrog(
  model: LogDensity,
  metric: Metric,
  q: Float64Array,
  p: Float64Array,
  grad: Float64Array,
  v: Float64Array,
  h: number,
): number {
  const d = metric.dim;
  const half = 0.5 * h;
  const m = metric.invMetric;
  if (metric.kind === 'diag') {
    for (let i = 0; i < d; i++) {
      const pi = p[i] + half * grad[i];
      p[i] = pi;
      q[i] += h * (m[i] * pi);
    }
    const lp = safeLogDensity(model, q, grad);
    for (let i = 0; i < d; i++) {
      const pi = p[i] + half * grad[i];
      p[i] = pi;
      v[i] = m[i] * pi;
    }
    return lp;
  }
  if (metric.kind === 'lowrank') {
    // O(d k) products through velocity() (diagonal plus low rank, metric.ts)
    for (let i = 0; i < d; i++) p[i] += half * grad[i];
    velocity(metric, p, v);
    for (let i = 0; i < d; i++) q[i] += h * v[i];
    const lpl = safeLogDensity(model, q, grad);
    for (let i = 0; i < d; i++) p[i] += half * grad[i];
    velocity(metric, p, v);
    return lpl;
  }
  for (let i = 0; i < d; i++) p[i] += half * grad[i];
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += m[row + j] * p[j];
    q[i] += h * s;
  }
  const lp = safeLogDensity(model, q, grad);
  for (let i = 0; i < d; i++) p[i] += half * grad[i];
  for (let i = 0; i < d; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += m[row + j] * p[j];
    v[i] = s;
  }
  return lp;
}
