import { describe, expect, it } from 'vitest';
import { canMarginalize, compileComparisonModel } from '../../src/analysis/model.js';
import { createNormalRng } from '../../src/analysis/random.js';
import { tableFromRecords } from '../../src/data/records.js';
import { compileModel } from '../../src/model/compile.js';

// 3 heuristics x 4 tasks in 2 categories (one category has a single task, as ListOps in LRA),
// 2 studies, 1-3 seeds per cell, optional se
function records(withSe: boolean) {
  const rng = createNormalRng(11);
  const out: Record<string, string | number>[] = [];
  const tasks = [
    ['t1', 'A'],
    ['t2', 'B'],
    ['t3', 'B'],
    ['t4', 'B'],
  ];
  for (const h of ['h1', 'h2', 'h3']) {
    tasks.forEach(([t, c], k) => {
      const n = 1 + ((k + h.length + Number(h[1])) % 3);
      for (let s = 0; s < n; s++) {
        out.push({
          heuristic: h,
          task: t,
          category: c,
          study: s % 2 ? 'p1' : 'p2',
          score: 50 + 3 * rng.normal(),
          ...(withSe ? { se: 0.5 + Math.abs(rng.normal()) } : {}),
        });
      }
    });
  }
  return out;
}

function fdCheck(formula: string, withSe: boolean) {
  const table = tableFromRecords(records(withSe), 'test');
  const spec = { formula, family: 'gaussian' as const };
  const ref = compileModel(spec, table);
  expect(canMarginalize(ref, spec)).toBe(true);
  const m = compileComparisonModel(ref, spec, table);
  const rng = createNormalRng(5);
  const theta = Float64Array.from({ length: m.dim }, () => 0.7 * rng.normal());
  theta[0] = 50;
  const grad = new Float64Array(m.dim);
  const lp = m.logDensityGradient(theta, grad);
  expect(Number.isFinite(lp)).toBe(true);
  const g2 = new Float64Array(m.dim);
  let maxErr = 0;
  for (let j = 0; j < m.dim; j++) {
    const h = 1e-5;
    const tp = theta.slice();
    const tm = theta.slice();
    tp[j] += h;
    tm[j] -= h;
    const num = (m.logDensityGradient(tp, g2) - m.logDensityGradient(tm, g2)) / (2 * h);
    maxErr = Math.max(maxErr, Math.abs(num - grad[j]) / Math.max(1, Math.abs(num)));
  }
  // central differences with h = 1e-5 on O(1..100) values: truncation ~h^2, rounding ~1e-16/h
  expect(maxErr).toBeLessThan(1e-5);
  return m;
}

describe('marginalized comparison model', () => {
  const full = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';
  it('has an exact gradient (finite differences), with sigma and study', () => {
    const m = fdCheck(`${full} + (1|study)`, false);
    expect(m.parameterNames).toContain('log(sd_heuristic:category__Intercept)');
    expect(m.parameterNames.some((p) => p.startsWith('z_heuristic:task'))).toBe(false);
  });
  it('has an exact gradient with se(se) and no categories', () => {
    fdCheck('score | se(se) ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:task)', true);
  });
  it('matches the plain model up to a constant on the integrated-out terms', () => {
    // With tau and s tiny the integrated terms vanish: differences in lp between two parameter
    // points must equal the plain model's differences with its z's at 0.
    const table = tableFromRecords(records(false), 'test');
    const spec = { formula: full, family: 'gaussian' as const };
    const ref = compileModel(spec, table);
    const m = compileComparisonModel(ref, spec, table);
    const lpAt = (
      model: {
        dim: number;
        parameterNames: readonly string[];
        logDensityGradient: (t: Float64Array, g: Float64Array) => number;
      },
      ic: number,
      logSigma: number,
    ) => {
      const th = new Float64Array(model.dim);
      model.parameterNames.forEach((p, j) => {
        if (j === 0)
          th[j] = ic; // 'Intercept' here, 'Intercept+mean(r)' in the model layer (z = 0)
        else if (p === 'log(sigma)') th[j] = logSigma;
        else if (p.startsWith('log(sd_heuristic:'))
          th[j] = -30; // sd ~ 1e-13
        else if (p.startsWith('log(')) th[j] = 0;
      });
      return model.logDensityGradient(th, new Float64Array(model.dim));
    };
    const dm = lpAt(m, 49, 1) - lpAt(m, 51, 0.5);
    const dr = lpAt(ref, 49, 1) - lpAt(ref, 51, 0.5);
    // both are the same gaussian likelihood + priors; only float rounding differs
    expect(Math.abs(dm - dr)).toBeLessThan(1e-8);
  });
});
