import { describe, expect, it } from 'vitest';
import { createNormalRng } from '../../src/analysis/random.js';
import { tableFromRecords } from '../../src/data/records.js';
import { compileModel } from '../../src/model/compile.js';
import {
  basisApply,
  basisColumns,
  basisTransposeOf,
  helmertBasis,
  helmertMatrix,
} from '../../src/model/geometry/nested-basis.js';
import { nestApplies, nestedData } from '../../src/model/nested-data.js';
import { buildNestedModel } from '../../src/model/nested-model.js';
import { rebuildModel } from '../../src/model/rebuild.js';

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

const FULL = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';

function fdCheck(formula: string, withSe: boolean) {
  const table = tableFromRecords(records(withSe), 'test');
  const spec = { formula, family: 'gaussian' as const };
  const ref = compileModel(spec, table);
  expect(nestApplies(ref)).toBe(true);
  const m = buildNestedModel(nestedData(ref, table));
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
  it('equals the multivariate normal marginal likelihood (dense covariance reference)', () => {
    // y ~ N(eta, diag(sigma^2) + v_h Z_h Z_h' + v_hc Z_hc Z_hc' + v_ht Z_ht Z_ht'): evaluate by a
    // Cholesky factorization at two parameter points and compare lp differences (the priors and
    // the constants cancel only when the sd parameters are the same, so sds differ only through the
    // likelihood here: we compare differences of lp minus the prior terms we set equal).
    const table = tableFromRecords(records(false).slice(0, 14), 'test');
    // near-flat priors: their differences between the points below are < 1e-6
    const flat = ['Intercept ~ normal(0, 1e5)', 'sd ~ normal(0, 1e5)', 'sigma ~ normal(0, 1e5)'];
    const spec = { formula: full, family: 'gaussian' as const, priors: flat };
    const ref = compileModel(spec, table);
    const m = buildNestedModel(nestedData(ref, table));
    const names = m.parameterNames;
    const sLoc = m.data.withinLogSd;
    const sScale = 1 / Math.sqrt(2 * m.data.withinDf);
    const tScale =
      1 / Math.sqrt(2 * m.groups.find((g) => g.group === 'heuristic:task')!.levels.length);
    const at = (sdH: number, sdHC: number, sdHT: number, sigma: number, ic: number) => {
      const th = new Float64Array(m.dim);
      names.forEach((p, j) => {
        if (j === 0) th[j] = ic;
        else if (p === 'log(sd_heuristic__Intercept)') th[j] = Math.log(sdH);
        else if (p === 'log(sd_heuristic:category__Intercept)') th[j] = Math.log(sdHC);
        // tau and sigma are sampled as log(nu), nu^2 = sigma^2 + tau^2, and logit(tau^2 / nu^2)
        else if (p.startsWith('logit(')) th[j] = Math.log(sdHT ** 2 / sigma ** 2);
        else if (p.startsWith('log(sqrt(')) th[j] = 0.5 * Math.log(sigma ** 2 + sdHT ** 2);
        // replicated cells: tau and sigma sampled on their posterior scales (see nested-model.ts)
        else if (p.startsWith('(log(sigma)')) th[j] = (Math.log(sigma) - sLoc) / sScale;
        else if (p.startsWith('log(sd_heuristic:task__Intercept) /'))
          th[j] = Math.log(sdHT) / tScale;
        else if (p.startsWith('log(')) th[j] = 0; // sd_task = 1 with z_task = 0: no task effect
      });
      return m.logDensityGradient(th, new Float64Array(m.dim));
    };
    const col = (n: string) => {
      const c = table.columns[n];
      if (c.type !== 'factor') throw new Error(n);
      return Array.from(c.codes, (k) => c.levels[k]);
    };
    const hh = col('heuristic');
    const cc = col('category');
    const tt = col('task');
    const yy =
      table.columns.score.type === 'numeric' ? table.columns.score.values : new Float64Array();
    const n = table.nRows;
    const mvn = (sdH: number, sdHC: number, sdHT: number, sigma: number, ic: number) => {
      const S = Array.from({ length: n }, (_, i) =>
        Array.from(
          { length: n },
          (_, j) =>
            (i === j ? sigma ** 2 : 0) +
            (hh[i] === hh[j] ? sdH ** 2 : 0) +
            (hh[i] === hh[j] && cc[i] === cc[j] ? sdHC ** 2 : 0) +
            (hh[i] === hh[j] && tt[i] === tt[j] ? sdHT ** 2 : 0),
        ),
      );
      // Cholesky
      const Lm = S.map((r) => r.map(() => 0));
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let x = S[i][j];
          for (let k = 0; k < j; k++) x -= Lm[i][k] * Lm[j][k];
          Lm[i][j] = i === j ? Math.sqrt(x) : x / Lm[j][j];
        }
      const z = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) {
        let x = yy[i] - ic;
        for (let k = 0; k < i; k++) x -= Lm[i][k] * z[k];
        z[i] = x / Lm[i][i];
      }
      let lp = 0;
      for (let i = 0; i < n; i++) lp += -Math.log(Lm[i][i]) - 0.5 * z[i] * z[i];
      return lp;
    };
    // lp = data term + log-Jacobians (sum of the log-scale parameters) + near-flat priors
    const data = (a: number, b: number, c: number, d: number, ic: number) =>
      at(a, b, c, d, ic) - Math.log(a) - Math.log(b) - Math.log(c) - Math.log(d);
    const pts: [number, number, number, number, number][] = [
      [2, 1.5, 0.8, 1.2, 48],
      [0.5, 3, 2, 0.4, 52],
      [5, 0.1, 0.05, 2, 50],
    ];
    for (const [a, b, c, d, ic] of pts) {
      const dm = data(a, b, c, d, ic) - data(1, 1, 1, 1, 50);
      const dr = mvn(a, b, c, d, ic) - mvn(1, 1, 1, 1, 50);
      // exact algebra both ways; 1e-5 covers the near-flat priors' differences (< 1e-6)
      expect(Math.abs(dm - dr)).toBeLessThan(1e-5);
    }
  });
});

describe('centred or non-centred sampled groups', () => {
  it('calls levels pinned when their means differ by much more than a mean’s standard error', async () => {
    const { levelsPinned } = await import('../../src/model/nested-data.js');
    // means 1.05 and 50.1, within sd ~0.1: pinned
    expect(levelsPinned([1, 1.1, 50, 50.2], Int32Array.from([0, 0, 1, 1]), 2)).toBe(true);
    // means 1.5, 4, 2.25 with within sd ~0.9 and 2 rows each: se 0.65, spread 1.3 < 2 se
    expect(levelsPinned([1, 2, 3, 5, 2, 2.5], Int32Array.from([0, 0, 1, 1, 2, 2]), 3)).toBe(false);
  });
});

describe('nested sum-to-zero basis', () => {
  it('is orthonormal, sums to zero and its transpose matches its columns', () => {
    const blocks = [Int32Array.of(0, 3, 5), Int32Array.of(1), Int32Array.of(2, 4, 6, 7)];
    const n = 8;
    const cols = basisColumns(n, blocks);
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    for (let j = 0; j < n - 1; j++) {
      // sums of 8 terms of size <= 1: rounding ~1e-16 each
      expect(Math.abs(cols[j].reduce((s, x) => s + x, 0))).toBeLessThan(1e-12);
      for (let k = 0; k < n - 1; k++)
        expect(Math.abs(dot(cols[j], cols[k]) - (j === k ? 1 : 0))).toBeLessThan(1e-12);
    }
    // within-block coordinates vanish outside their block; between-block ones are constant on blocks
    const rng = createNormalRng(3);
    const g = Float64Array.from({ length: n }, () => rng.normal());
    const qt = basisTransposeOf(n, blocks, g);
    for (let k = 0; k < n - 1; k++) expect(Math.abs(qt[k] - dot(cols[k], g))).toBeLessThan(1e-12);
    for (const b of blocks.slice(1)) {
      const c = cols[blocks.indexOf(b) - 1];
      for (const l of b) expect(c[l]).toBeCloseTo(c[b[0]], 14);
    }
  });
});

describe('rows collapsed into atoms', () => {
  // many unbalanced seeds per cell, scores far from 0 (cancellation), two studies crossing cells
  function seeds() {
    const rng = createNormalRng(21);
    const out: Record<string, string | number>[] = [];
    const tasks = [
      ['t1', 'A'],
      ['t2', 'A'],
      ['t3', 'B'],
      ['t4', 'B'],
      ['t5', 'B'],
    ];
    ['h1', 'h2', 'h3', 'h4'].forEach((h, hi) => {
      tasks.forEach(([t, c], k) => {
        const n = 1 + ((7 * hi + 3 * k) % 23);
        const mu = 1000 + 0.3 * rng.normal();
        for (let s = 0; s < n; s++) {
          out.push({
            heuristic: h,
            task: t,
            category: c,
            study: (s + k) % 3 ? 'p1' : 'p2',
            score: mu + 0.02 * rng.normal(),
          });
        }
      });
    });
    return out;
  }
  for (const [label, formula] of [
    ['with a study term', `${FULL} + (1|study)`],
    ['without a study term', FULL],
  ] as const) {
    it(`gives the row-level log density and gradient ${label}`, () => {
      const table = tableFromRecords(seeds(), 'test');
      const spec = { formula, family: 'gaussian' as const };
      const ref = compileModel(spec, table);
      const atoms = buildNestedModel(nestedData(ref, table));
      const rows = buildNestedModel(nestedData(ref, table, { collapse: false }));
      expect(atoms.data.cells.n.length).toBeLessThan(table.nRows);
      expect(rows.data.cells.n.length).toBe(table.nRows);
      expect(atoms.parameterNames).toEqual(rows.parameterNames);
      // many seeds per cell: sigma and the cell sd are sampled directly (not as nu and a share)
      expect(atoms.parameterNames.some((p) => p.startsWith('(log(sigma) - '))).toBe(true);
      const rng = createNormalRng(8);
      const ga = new Float64Array(atoms.dim);
      const gr = new Float64Array(rows.dim);
      for (let rep = 0; rep < 5; rep++) {
        const theta = Float64Array.from({ length: atoms.dim }, () => 0.5 * rng.normal());
        theta[0] = 1000 + 0.1 * rng.normal();
        // small residual scale, as with many precise seeds: large weights stress the sums
        // log sigma = withinLogSd + theta / sqrt(2 df): theta = 0 is the pooled within-cell sd
        theta[atoms.parameterNames.findIndex((p) => p.startsWith('(log(sigma)'))] = 0;
        const la = atoms.logDensityGradient(theta, ga);
        const lr = rows.logDensityGradient(theta, gr);
        expect(Number.isFinite(la)).toBe(true);
        // the same terms summed in another grouping: relative rounding ~1e-16 x (rows ~ 500) x
        // the cancellation between 1e5-sized terms; 1e-9 leaves a wide margin and still catches
        // any algebra slip (those are O(1) relative)
        expect(Math.abs(la - lr) / Math.max(1, Math.abs(lr))).toBeLessThan(1e-9);
        for (let j = 0; j < atoms.dim; j++)
          expect(Math.abs(ga[j] - gr[j]) / Math.max(1, Math.abs(gr[j]))).toBeLessThan(1e-9);
      }
      const va = new Float64Array(atoms.variableNames.length);
      const vr = new Float64Array(rows.variableNames.length);
      const theta = Float64Array.from({ length: atoms.dim }, () => 0.3 * rng.normal());
      theta[0] = 1000;
      atoms.writeVariables(theta, va);
      rows.writeVariables(theta, vr);
      for (let j = 0; j < va.length; j++) {
        if (Number.isNaN(vr[j])) expect(Number.isNaN(va[j])).toBe(true);
        // reported effects are drawn from the same conditional normals (same aux normals)
        else expect(Math.abs(va[j] - vr[j]) / Math.max(1, Math.abs(vr[j]))).toBeLessThan(1e-9);
      }
    });
  }
  it('rebuilds from its compact data alone (what a worker receives)', () => {
    const table = tableFromRecords(seeds(), 'test');
    const spec = { formula: `${FULL} + (1|study)`, family: 'gaussian' as const };
    const m = buildNestedModel(nestedData(compileModel(spec, table), table));
    expect(m.source?.kind).toBe('module');
    const again = rebuildModel(structuredClone({ kind: 'nested' as const, data: m.data }));
    const theta = Float64Array.from({ length: m.dim }, (_, j) => (j === 0 ? 1000 : 0.1 * j));
    const g1 = new Float64Array(m.dim);
    const g2 = new Float64Array(m.dim);
    expect(again.logDensityGradient(theta, g2)).toBe(m.logDensityGradient(theta, g1));
    expect(Array.from(g2)).toEqual(Array.from(g1));
  });
});

describe('the plain Helmert basis (one block)', () => {
  it('helmertMatrix is column k = (1, ..., 1, -k, 0, ...) / sqrt(k (k + 1)), as basisApply gives it', () => {
    const n = 5;
    const q = helmertMatrix(n);
    for (let k = 1; k < n; k++) {
      const c = 1 / Math.sqrt(k * (k + 1));
      for (let l = 0; l < n; l++) {
        const want = l < k ? c : l === k ? -k * c : 0;
        // one product and one division apart: rounding only
        expect(q[l * (n - 1) + k - 1]).toBeCloseTo(want, 14);
      }
    }
    const theta = Float64Array.of(0.3, -1.2, 0.7, 2.1);
    const out = new Float64Array(n);
    basisApply(helmertBasis(n), theta, 0, out);
    for (let l = 0; l < n; l++) {
      let v = 0;
      for (let j = 0; j < n - 1; j++) v += q[l * (n - 1) + j] * theta[j];
      expect(out[l]).toBeCloseTo(v, 14);
    }
  });
});
