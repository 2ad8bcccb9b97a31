import { describe, expect, it } from 'vitest';
import { gammaln } from '../../src/math/stdlib.js';
import { compileModel } from '../../src/model/compile.js';
import { buildDesign } from '../../src/model/design.js';
import { parseFormula } from '../../src/model/formula.js';
import {
  blockLogLik,
  integrableChain,
  pointwiseLogLik,
  type VariableDraws,
} from '../../src/model/log-lik.js';
import type { ModelSpec } from '../../src/model/spec.js';
import { makeTable } from './helpers.js';

// Both sides are double-precision evaluations of the same densities by different routes (Sherman-
// Morrison updates vs dense Cholesky log-determinants of matrices with condition number < 1e3):
// agreement to 1e-9 absolute leaves a wide margin over rounding (~1e-13) and catches any
// wrong term (which moves a log density by far more).
const TOL = 1e-9;

/** A deterministic pseudo-random stream for the fake draws. */
function stream(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Draws of every reported variable: sd_*, sigma, nu, phi positive, the rest in (-1.5, 1.5). */
function fakeDraws(variables: readonly string[], nDraws: number, nChains: number): VariableDraws {
  const rnd = stream(7);
  const S = nDraws * nChains;
  const values = new Float64Array(S * variables.length);
  variables.forEach((v, k) => {
    for (let s = 0; s < S; s++) {
      const u = rnd();
      values[k * S + s] = /^(sd_|sigma|phi)/.test(v)
        ? 0.3 + 1.5 * u
        : v === 'nu'
          ? 2 + 10 * u
          : 3 * (u - 0.5);
    }
  });
  return { nDraws, nChains, variables, values };
}

function get(d: VariableDraws, name: string, s: number): number {
  const v = d.variables.indexOf(name);
  if (v < 0) throw new Error(name);
  return d.values[v * d.nDraws * d.nChains + s];
}

/** Benchmark-shaped data: 3 heuristics x 4 tasks in 2 categories, 1-3 seeds per cell. */
function benchTable() {
  const rnd = stream(3);
  const cols: Record<string, (number | string)[]> = {
    heuristic: [],
    task: [],
    category: [],
    score: [],
  };
  const cat = { t1: 'a', t2: 'a', t3: 'b', t4: 'b' } as Record<string, string>;
  let k = 0;
  for (const h of ['A', 'B', 'C']) {
    for (const t of ['t1', 't2', 't3', 't4']) {
      const reps = 1 + (k++ % 3);
      for (let r = 0; r < reps; r++) {
        cols.heuristic.push(h);
        cols.task.push(t);
        cols.category.push(cat[t]);
        cols.score.push(2 * rnd() - 1);
      }
    }
  }
  return makeTable(cols);
}

/** log N(y; 0, Sigma) by Cholesky. */
function mvnLogDensity(y: number[], sigma: number[][]): number {
  const n = y.length;
  if (n === 0) return 0;
  const L = sigma.map((row) => row.map(() => 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = sigma[i][j];
      for (let k = 0; k < j; k++) sum -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(sum) : sum / L[j][j];
    }
  }
  const z: number[] = [];
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    let sum = y[i];
    for (let k = 0; k < i; k++) sum -= L[i][k] * z[k];
    z.push(sum / L[i][i]);
    logDet += 2 * Math.log(L[i][i]);
  }
  return -0.5 * (n * Math.log(2 * Math.PI) + logDet + z.reduce((a, b) => a + b * b, 0));
}

const SPEC: ModelSpec = {
  formula: 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)',
};

describe('pointwise log-likelihood', () => {
  const table = benchTable();
  const model = compileModel(SPEC, table);
  const draws = fakeDraws(model.variableNames, 5, 2);
  const S = 10;
  const y = (table.columns.score as { values: Float64Array }).values;
  const level = (name: string, i: number) => {
    const c = table.columns[name] as { levels: readonly string[]; codes: Int32Array };
    return c.levels[c.codes[i]];
  };

  it('finds the nested chain heuristic:task in heuristic:category in heuristic', () => {
    const d = buildDesign(parseFormula(SPEC.formula), 'gaussian', table);
    expect(integrableChain(d).map((g) => d.groups[g].group)).toEqual([
      'heuristic:task',
      'heuristic:category',
      'heuristic',
    ]);
  });

  it('conditional gaussian is log N(y | eta, sigma) with every effect at its draw', () => {
    const ll = pointwiseLogLik(SPEC, table, draws, { pointwise: 'conditional' });
    expect(ll.pointwise).toBe('conditional');
    for (let i = 0; i < table.nRows; i++) {
      const h = level('heuristic', i);
      const t = level('task', i);
      const c = level('category', i);
      for (let s = 0; s < S; s++) {
        const eta =
          get(draws, 'b_Intercept', s) +
          get(draws, `r_heuristic[${h},Intercept]`, s) +
          get(draws, `r_task[${t},Intercept]`, s) +
          get(draws, `r_heuristic:category[${h}_${c},Intercept]`, s) +
          get(draws, `r_heuristic:task[${h}_${t},Intercept]`, s);
        const sg = get(draws, 'sigma', s);
        const want = -0.5 * Math.log(2 * Math.PI) - Math.log(sg) - 0.5 * ((y[i] - eta) / sg) ** 2;
        expect(Math.abs(ll.values[i * S + s] - want)).toBeLessThan(TOL);
      }
    }
  });

  it('integrated gaussian is log p(y_block) - log p(y_block without n) (dense MVN)', () => {
    const ll = pointwiseLogLik(SPEC, table, draws);
    expect(ll.pointwise).toBe('integrated');
    expect(ll.integrated).toEqual(['heuristic:task', 'heuristic:category', 'heuristic']);
    for (let s = 0; s < S; s++) {
      const sg2 = get(draws, 'sigma', s) ** 2;
      const tHT = get(draws, 'sd_heuristic:task__Intercept', s) ** 2;
      const tHC = get(draws, 'sd_heuristic:category__Intercept', s) ** 2;
      const tH = get(draws, 'sd_heuristic__Intercept', s) ** 2;
      for (const h of ['A', 'B', 'C']) {
        const rows = Array.from({ length: table.nRows }, (_, i) => i).filter(
          (i) => level('heuristic', i) === h,
        );
        // residuals from the terms that stay conditional: intercept and task
        const e = rows.map(
          (i) =>
            y[i] -
            get(draws, 'b_Intercept', s) -
            get(draws, `r_task[${level('task', i)},Intercept]`, s),
        );
        const cov = (a: number, b: number) =>
          (a === b ? sg2 : 0) +
          tH +
          (level('category', rows[a]) === level('category', rows[b]) ? tHC : 0) +
          (level('task', rows[a]) === level('task', rows[b]) ? tHT : 0);
        const idx = rows.map((_, a) => a);
        const full = mvnLogDensity(
          e,
          idx.map((a) => idx.map((b) => cov(a, b))),
        );
        idx.forEach((n) => {
          const rest = idx.filter((a) => a !== n);
          const without = mvnLogDensity(
            rest.map((a) => e[a]),
            rest.map((a) => rest.map((b) => cov(a, b))),
          );
          expect(Math.abs(ll.values[rows[n] * S + s] - (full - without))).toBeLessThan(TOL);
        });
      }
    }
  });

  it('task blocks: heuristic:task and task integrated out, log N(y_task) by dense Cholesky', () => {
    const bl = blockLogLik(SPEC, table, draws, 'task');
    expect(bl.pointwise).toBe('integrated');
    expect(bl.integrated).toEqual(['heuristic:task', 'task']);
    expect(bl.levels).toEqual(['t1', 't2', 't3', 't4']);
    for (let s = 0; s < S; s++) {
      const sg2 = get(draws, 'sigma', s) ** 2;
      const tHT = get(draws, 'sd_heuristic:task__Intercept', s) ** 2;
      const tT = get(draws, 'sd_task__Intercept', s) ** 2;
      bl.levels.forEach((t, b) => {
        const rows = Array.from({ length: table.nRows }, (_, i) => i).filter(
          (i) => level('task', i) === t,
        );
        const e = rows.map((i) => {
          const h = level('heuristic', i);
          const c = level('category', i);
          return (
            y[i] -
            get(draws, 'b_Intercept', s) -
            get(draws, `r_heuristic[${h},Intercept]`, s) -
            get(draws, `r_heuristic:category[${h}_${c},Intercept]`, s)
          );
        });
        const cov = rows.map((i) =>
          rows.map(
            (j) =>
              (i === j ? sg2 : 0) +
              tT +
              (level('heuristic', i) === level('heuristic', j) ? tHT : 0),
          ),
        );
        expect(Math.abs(bl.values[b * S + s] - mvnLogDensity(e, cov))).toBeLessThan(TOL);
      });
    }
    // conditional for a student model: the sum of the rows' conditional log densities
    const st: ModelSpec = { ...SPEC, family: 'student' };
    const stDraws = fakeDraws(compileModel(st, table).variableNames, 2, 1);
    const rows = pointwiseLogLik(st, table, stDraws);
    const blocks = blockLogLik(st, table, stDraws, 'task');
    expect(blocks.pointwise).toBe('conditional');
    for (let s = 0; s < 2; s++) {
      let sum = 0;
      for (let i = 0; i < table.nRows; i++)
        if (level('task', i) === 't2') sum += rows.values[i * 2 + s];
      expect(Math.abs(blocks.values[1 * 2 + s] - sum)).toBeLessThan(TOL);
    }
  });

  it('task blocks with crossed terms (task:backbone next to heuristic:task): dense MVN', () => {
    const rnd = stream(9);
    const cols: Record<string, (number | string)[]> = {
      heuristic: [],
      task: [],
      backbone: [],
      score: [],
    };
    for (const h of ['A', 'B', 'C'])
      for (const t of ['t1', 't2', 't3'])
        for (const b of ['m1', 'm2']) {
          cols.heuristic.push(h);
          cols.task.push(t);
          cols.backbone.push(b);
          cols.score.push(2 * rnd() - 1);
        }
    const tb = makeTable(cols);
    const spec: ModelSpec = {
      formula:
        'score ~ 1 + (1|heuristic) + (1|heuristic:task) + (1|task:backbone) + (1|heuristic:backbone)',
    };
    const dr = fakeDraws(compileModel(spec, tb).variableNames, 3, 1);
    const bl = blockLogLik(spec, tb, dr, 'task');
    expect(bl.integrated).toEqual(['heuristic:task', 'task:backbone']);
    const lv = (name: string, i: number) => {
      const c = tb.columns[name] as { levels: readonly string[]; codes: Int32Array };
      return c.levels[c.codes[i]];
    };
    const yy = (tb.columns.score as { values: Float64Array }).values;
    for (let s = 0; s < 3; s++) {
      bl.levels.forEach((t, b) => {
        const rows = Array.from({ length: tb.nRows }, (_, i) => i).filter(
          (i) => lv('task', i) === t,
        );
        const e = rows.map(
          (i) =>
            yy[i] -
            get(dr, 'b_Intercept', s) -
            get(dr, `r_heuristic[${lv('heuristic', i)},Intercept]`, s) -
            get(
              dr,
              `r_heuristic:backbone[${lv('heuristic', i)}_${lv('backbone', i)},Intercept]`,
              s,
            ),
        );
        const cov = rows.map((i) =>
          rows.map(
            (j) =>
              (i === j ? get(dr, 'sigma', s) ** 2 : 0) +
              (lv('heuristic', i) === lv('heuristic', j)
                ? get(dr, 'sd_heuristic:task__Intercept', s) ** 2
                : 0) +
              (lv('backbone', i) === lv('backbone', j)
                ? get(dr, 'sd_task:backbone__Intercept', s) ** 2
                : 0),
          ),
        );
        expect(Math.abs(bl.values[b * 3 + s] - mvnLogDensity(e, cov))).toBeLessThan(TOL);
      });
    }
  });

  it('student, binomial and beta conditional densities are normalized densities', () => {
    const tbl = makeTable({
      g: ['a', 'a', 'b'],
      score: [0.3, 0.6, 0.2],
      k: [3, 0, 5],
      n: [5, 5, 5],
    });
    // student: closed form against the t density written out
    const st: ModelSpec = { formula: 'score ~ 1 + (1|g)', family: 'student' };
    const stDraws = fakeDraws(compileModel(st, tbl).variableNames, 2, 1);
    const stLl = pointwiseLogLik(st, tbl, stDraws);
    expect(stLl.pointwise).toBe('conditional');
    const nu = get(stDraws, 'nu', 0);
    const sg = get(stDraws, 'sigma', 0);
    const eta = get(stDraws, 'b_Intercept', 0) + get(stDraws, 'r_g[a,Intercept]', 0);
    const r = (0.3 - eta) / sg;
    const want =
      gammaln((nu + 1) / 2) -
      gammaln(nu / 2) -
      0.5 * Math.log(nu * Math.PI) -
      Math.log(sg) -
      ((nu + 1) / 2) * Math.log(1 + (r * r) / nu);
    expect(Math.abs(stLl.values[0] - want)).toBeLessThan(TOL);
    // binomial: the probabilities of k = 0..n sum to one
    const bin: ModelSpec = { formula: 'k | trials(n) ~ 1', family: 'binomial' };
    const binDraws = fakeDraws(compileModel(bin, tbl).variableNames, 1, 1);
    let total = 0;
    for (let k = 0; k <= 5; k++) {
      const t = makeTable({ k: [k], n: [5] });
      total += Math.exp(pointwiseLogLik(bin, t, binDraws).values[0]);
    }
    // a sum of six terms: rounding only
    expect(Math.abs(total - 1)).toBeLessThan(1e-12);
    // beta: the density integrates to one (midpoint rule, 20,000 points)
    const be: ModelSpec = { formula: 'score ~ 1', family: 'beta' };
    // phi = 6 and mu = logistic(0.4): a, b > 2, a smooth density on (0, 1)
    const beVars = compileModel(be, tbl).variableNames;
    const beDraws: VariableDraws = {
      nDraws: 1,
      nChains: 1,
      variables: beVars,
      values: Float64Array.from(beVars.map((v) => (v === 'phi' ? 6 : 0.4))),
    };
    const m = 20000;
    const ys = Array.from({ length: m }, (_, i) => (i + 0.5) / m);
    const beLl = pointwiseLogLik(be, makeTable({ score: ys }), beDraws);
    let integral = 0;
    for (let i = 0; i < m; i++) integral += Math.exp(beLl.values[i]) / m;
    // midpoint rule on a smooth density: error ~ f''/(24 m^2) ~ 1e-8 at m = 20,000
    expect(Math.abs(integral - 1)).toBeLessThan(1e-6);
  });
});
