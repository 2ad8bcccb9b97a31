import { describe, expect, it } from 'vitest';
import { simulateItems } from '../../src/data/synth-items.js';
import type { Table } from '../../src/data/table.js';
import { itemData } from '../../src/model/item-data.js';
import { buildItemModel, itemLogLikelihood } from '../../src/model/item-model.js';
import { compilePrior, parsePrior, priorLogDensity } from '../../src/model/priors.js';

const UPPER = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';

/** The table without some rows (unbalanced items: several patterns per task). */
function dropRows(table: Table, drop: (i: number) => boolean): Table {
  const keep = Array.from({ length: table.nRows }, (_, i) => i).filter((i) => !drop(i));
  const columns: Record<string, Table['columns'][string]> = {};
  for (const name of table.names) {
    const c = table.columns[name];
    columns[name] =
      c.type === 'factor'
        ? { type: 'factor', levels: c.levels, codes: Int32Array.from(keep, (i) => c.codes[i]) }
        : { type: 'numeric', values: Float64Array.from(keep, (i) => c.values[i]) };
  }
  return { nRows: keep.length, names: table.names, columns };
}

/** Rows of each (task, item), and each row's cell index as itemData numbers them (heuristic:task levels). */
function itemsOf(table: Table, cellLevels: readonly string[][]) {
  const col = (n: string) => table.columns[n] as { levels: readonly string[]; codes: Int32Array };
  const h = col('heuristic');
  const t = col('task');
  const it = col('item');
  const y = (table.columns.score as { values: Float64Array }).values;
  const cellOf = new Map(cellLevels.map((l, c) => [l.join('\u0000'), c]));
  const items = new Map<string, { cell: number[]; y: number[] }>();
  for (let i = 0; i < table.nRows; i++) {
    const key = `${t.codes[i]}/${it.codes[i]}`;
    const rec = items.get(key) ?? { cell: [], y: [] };
    rec.cell.push(cellOf.get(`${h.levels[h.codes[i]]}\u0000${t.levels[t.codes[i]]}`) as number);
    rec.y.push(y[i]);
    items.set(key, rec);
  }
  return [...items.values()];
}

/** log N(y; m, sigma^2 I + tau^2 11') by a Cholesky factor (a second implementation, no shortcuts). */
function mvnLogDensity(y: number[], m: number[], sigma: number, tau: number): number {
  const n = y.length;
  const L = new Float64Array(n * n);
  const A = (i: number, j: number) => (i === j ? sigma * sigma : 0) + tau * tau;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A(i, j);
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  }
  const z = new Float64Array(n);
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    let s = y[i] - m[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
    logDet += 2 * Math.log(L[i * n + i]);
  }
  let q = 0;
  for (const v of z) q += v * v;
  return -0.5 * (n * Math.log(2 * Math.PI) + logDet + q);
}

/** log of the integral over u of prod_r Bernoulli(y_r | logit^-1(eta_r + u)) N(u; 0, tau^2): trapezoid rule. */
function bernoulliBrute(y: number[], eta: number[], tau: number): number {
  const lo = -12 * tau - 30;
  const hi = 12 * tau + 30;
  const steps = 60000;
  const du = (hi - lo) / steps;
  const f = (u: number) => {
    let l = -0.5 * (u / tau) ** 2 - Math.log(tau * Math.sqrt(2 * Math.PI));
    for (let r = 0; r < y.length; r++) {
      const a = eta[r] + u;
      l += y[r] * a - Math.log1p(Math.exp(a));
    }
    return l;
  };
  let max = Number.NEGATIVE_INFINITY;
  const vals = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    vals[k] = f(lo + k * du);
    max = Math.max(max, vals[k]);
  }
  let s = 0;
  for (let k = 0; k <= steps; k++)
    s += (k === 0 || k === steps ? 0.5 : 1) * Math.exp(vals[k] - max);
  return max + Math.log(s * du);
}

describe('paired item model', () => {
  const sim = (family: 'gaussian' | 'bernoulli', seed: number) => {
    const { table } = simulateItems({
      heuristics: 3,
      tasks: 4,
      items: 12,
      family,
      seed,
      perCategory: 2,
      sdItem: 1.3,
    });
    // drop a few rows so that tasks hold items of several patterns
    return dropRows(table, (i) => i % 17 === 5);
  };

  it('gaussian: the exact marginal equals the multivariate normal density of each item', () => {
    const table = sim('gaussian', 11);
    const d = itemData(table, { formula: UPPER }, 'gaussian');
    expect(d.patStart.length - 1).toBeGreaterThan(4); // several patterns per task
    const cells = d.groups[d.cellGroup].levels;
    const eta = Float64Array.from(cells, (_, c) => 0.3 * Math.sin(c + 1));
    for (const [tau, sigma] of [
      [1.3, 0.7],
      [0.05, 2],
      [4, 0.3],
    ]) {
      const got = itemLogLikelihood(d, eta, tau, sigma).lp;
      let ref = 0;
      for (const it of itemsOf(table, cells)) {
        ref += mvnLogDensity(
          it.y,
          it.cell.map((c) => eta[c]),
          sigma,
          tau,
        );
      }
      // the model drops the constant -n/2 log(2 pi); 1e-9 relative: sums of ~140 terms in double
      const n = table.nRows;
      expect(Math.abs(got - 0.5 * n * Math.log(2 * Math.PI) - ref)).toBeLessThan(
        1e-9 * Math.abs(ref),
      );
    }
  });

  /** The table with some rows repeated (a second seed's run of the same items: k > 1 rows per cell). */
  const withRepeats = (table: Table): Table => {
    const extra = Array.from({ length: table.nRows }, (_, i) => i).filter((i) => i % 3 === 0);
    const columns: Record<string, Table['columns'][string]> = {};
    for (const name of table.names) {
      const c = table.columns[name];
      columns[name] =
        c.type === 'factor'
          ? { ...c, codes: Int32Array.from([...c.codes, ...extra.map((i) => c.codes[i])]) }
          : {
              type: 'numeric',
              // the repeated run scores 1 - y on every other repeated row
              values: Float64Array.from([
                ...c.values,
                ...extra.map((i, j) => (name === 'score' && j % 2 ? 1 - c.values[i] : c.values[i])),
              ]),
            };
    }
    return { nRows: table.nRows + extra.length, names: table.names, columns };
  };

  for (const repeats of [false, true]) {
    it(`bernoulli: the quadrature marginal equals brute-force quadrature${repeats ? ' (cells with several rows per item)' : ''}`, () => {
      const table = repeats ? withRepeats(sim('bernoulli', 12)) : sim('bernoulli', 12);
      const d = itemData(table, { formula: UPPER }, 'bernoulli');
      const cells = d.groups[d.cellGroup].levels;
      const items = itemsOf(table, cells);
      // item sds from small to large (items all right or all wrong dominate at tau = 8, 20)
      for (const [shift, tau] of [
        [0, 1.3],
        [2.5, 0.2],
        [-3, 4],
        [0.5, 8],
        [1, 20],
      ]) {
        const eta = Float64Array.from(cells, (_, c) => shift + 0.4 * Math.cos(c));
        const got = itemLogLikelihood(d, eta, tau, 1).lp;
        let ref = 0;
        for (const it of items) {
          ref += bernoulliBrute(
            it.y,
            it.cell.map((c) => eta[c]),
            tau,
          );
        }
        // the brute force (60,000 trapezoid steps over +-(12 tau + 30)) is exact to ~1e-12 on
        // this smooth, rapidly decaying integrand; the model's rule errs below 1e-14 per item
        // (item-quadrature.ts), so 1e-9 relative leaves room only for rounding in the sums
        expect(Math.abs(got - ref)).toBeLessThan(1e-9 * Math.abs(ref));
      }
    });
  }

  // few items: the cells' predictors are sampled non-centred; many items and a wide cell spread:
  // centred (item-data.ts cellsPinned); both parameterizations are checked
  for (const family of ['gaussian', 'bernoulli'] as const) {
    for (const centred of [false, true]) {
      it(`${family}, cells ${centred ? '' : 'non-'}centred: the gradient equals central finite differences`, () => {
        const table = centred
          ? simulateItems({
              heuristics: 3,
              tasks: 4,
              items: 400,
              family,
              seed: 22,
              sdCell: 1.5,
              perCategory: 2,
            }).table
          : sim(family, 21);
        const data = itemData(table, { formula: UPPER }, family);
        expect(data.cellCentred).toBe(centred);
        const m = buildItemModel(data);
        const g = new Float64Array(m.dim);
        const scratch = new Float64Array(m.dim);
        for (const theta of m.inits(3, 5)) {
          m.logDensityGradient(theta, g);
          for (let j = 0; j < m.dim; j++) {
            const h = 1e-5;
            const a = theta.slice();
            const b = theta.slice();
            a[j] += h;
            b[j] -= h;
            const fd =
              (m.logDensityGradient(a, scratch) - m.logDensityGradient(b, scratch)) / (2 * h);
            // central differences: O(h^2) truncation ~1e-10 times third derivatives of order
            // 10-1000, plus rounding ~1e-16 |lp| / h ~ 1e-8 at |lp| ~ 1e3; for bernoulli the
            // gradient is the rule applied to the integrand's gradient (item-quadrature.ts),
            // which differs from the derivative of the rule by the rule's error (~1e-12)
            expect(Math.abs(fd - g[j])).toBeLessThan(1e-6 * (1 + Math.abs(g[j])));
          }
        }
      });
    }
  }

  // the sampled coordinates (overall level, each term's mean and Helmert contrasts, log sds) are
  // a reparameterization: lp must equal brms's log posterior in (b_Intercept, sd, r) plus the log
  // Jacobian of the map, here computed numerically from writeVariables (independent of the
  // model's own bookkeeping)
  for (const family of ['gaussian', 'bernoulli'] as const) {
    it(`${family}: lp is brms's posterior in its own variables plus the log Jacobian`, () => {
      const { table } = simulateItems({
        heuristics: 3,
        tasks: 4,
        items: 400,
        family,
        seed: 22,
        sdCell: 0.3,
        sdTask: 0.5,
        sdHeuristic: 1,
        perCategory: 2,
      });
      const data = itemData(table, { formula: UPPER }, family);
      // both kinds of upper term are exercised
      expect(data.terms.some((t) => t.centred)).toBe(true);
      expect(data.terms.some((t) => !t.centred)).toBe(true);
      const m = buildItemModel(data);
      const names = data.variableNames;
      const prior = (cls: string, group = '') => {
        const row = data.priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
        if (!row) return () => 0;
        const cp = compilePrior(
          parsePrior(`${cls === 'sd' ? `sd_${group}` : cls} ~ ${row.prior}`).dist,
        );
        const tmp = new Float64Array(2);
        return (x: number) => priorLogDensity(cp, x, tmp);
      };
      const cellGroup = data.groups[data.cellGroup];
      const ref = (v: Float64Array) => {
        const at = (n: string) => v[names.indexOf(n)];
        const b = at('b_Intercept');
        let lp = prior('Intercept')(b);
        const eta = new Float64Array(cellGroup.levels.length).fill(b);
        for (const g of data.groups) {
          const sd = at(`sd_${g.group}__Intercept`);
          lp += prior('sd', g.group)(sd);
          const isCell = g === cellGroup;
          g.levels.forEach((lv, l) => {
            const r = at(`r_${g.group}[${lv.join('_')},Intercept]`);
            lp += -Math.log(sd) - (0.5 * r * r) / (sd * sd);
            for (let c = 0; c < eta.length; c++) {
              const t = data.terms.find((x) => data.groups[x.group] === g);
              if (isCell ? c === l : t?.level[c] === l) eta[c] += r;
            }
          });
        }
        const tau = at('sd_task:item__Intercept');
        lp += prior('sd', 'task:item')(tau);
        const sigma = family === 'gaussian' ? at('sigma') : 1;
        if (family === 'gaussian') lp += prior('sigma')(sigma);
        return lp + itemLogLikelihood(data, eta, tau, sigma).lp;
      };
      const vars = (theta: Float64Array) => {
        const out = new Float64Array(names.length);
        m.writeVariables(theta, out);
        return out;
      };
      const logJac = (theta: Float64Array) => {
        const n = m.dim;
        expect(names.length).toBe(n);
        const J = Array.from({ length: n }, () => new Float64Array(n));
        for (let j = 0; j < n; j++) {
          const h = 1e-6;
          const a = theta.slice();
          const b = theta.slice();
          a[j] += h;
          b[j] -= h;
          const va = vars(a);
          const vb = vars(b);
          for (let i = 0; i < n; i++) J[i][j] = (va[i] - vb[i]) / (2 * h);
        }
        // log |det J| by Gaussian elimination with partial pivoting
        let ld = 0;
        for (let k = 0; k < n; k++) {
          let p = k;
          for (let i = k + 1; i < n; i++) if (Math.abs(J[i][k]) > Math.abs(J[p][k])) p = i;
          [J[k], J[p]] = [J[p], J[k]];
          ld += Math.log(Math.abs(J[k][k]));
          for (let i = k + 1; i < n; i++) {
            const f = J[i][k] / J[k][k];
            for (let c = k; c < n; c++) J[i][c] -= f * J[k][c];
          }
        }
        return ld;
      };
      const g = new Float64Array(m.dim);
      const [t1, t2] = m.inits(2, 9);
      const d1 = m.logDensityGradient(t1, g) - m.logDensityGradient(t2, g);
      const d2 = ref(vars(t1)) + logJac(t1) - (ref(vars(t2)) + logJac(t2));
      // the numerical Jacobian's entries err by ~1e-10 (central differences, h = 1e-6), its log
      // determinant by ~1e-8; the densities themselves agree to rounding
      expect(Math.abs(d1 - d2)).toBeLessThan(1e-6 * (1 + Math.abs(d1)));
    });
  }
});
