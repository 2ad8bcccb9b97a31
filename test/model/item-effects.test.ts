import { describe, expect, it } from 'vitest';
import { simulateItems } from '../../src/data/synth-items.js';
import type { Draws } from '../../src/draws/draws.js';
import { normalQuantile } from '../../src/math/normal-quantile.js';
import { itemData } from '../../src/model/item-data.js';
import { itemEffects } from '../../src/model/item-effects.js';
import { buildItemModel } from '../../src/model/item-model.js';

const UPPER = 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:task)';
const U = 4000;

/**
 * One posterior draw repeated U times (so each item's posterior is its conditional one, known
 * by brute force), plus that draw's cell predictors, tau and sigma read back independently.
 */
function oneDraw(family: 'gaussian' | 'bernoulli') {
  const { table } = simulateItems({
    heuristics: 4,
    tasks: 2,
    items: 15,
    family,
    seed: 3,
    sdItem: 1.2,
  });
  const data = itemData(table, { formula: UPPER }, family);
  const m = buildItemModel(data);
  const v = new Float64Array(data.variableNames.length);
  m.writeVariables(m.inits(1, 4)[0], v);
  const draws: Draws = {
    nDraws: U,
    nChains: 1,
    variables: data.variableNames,
    values: Float64Array.from({ length: v.length * U }, (_, i) => v[Math.floor(i / U)]),
  };
  const at = (n: string) => v[data.variableNames.indexOf(n)];
  const col = (n: string) => table.columns[n] as { levels: readonly string[]; codes: Int32Array };
  const y = (table.columns.score as { values: Float64Array }).values;
  // each item's rows: the linear predictor without the item effect, and the score
  const rows = new Map<string, { eta: number; y: number }[]>();
  for (let i = 0; i < table.nRows; i++) {
    const h = col('heuristic').levels[col('heuristic').codes[i]];
    const t = col('task').levels[col('task').codes[i]];
    const eta =
      at('b_Intercept') +
      at(`r_heuristic[${h},Intercept]`) +
      at(`r_task[${t},Intercept]`) +
      at(`r_heuristic:task[${h}_${t},Intercept]`);
    const key = `${t}/${col('item').levels[col('item').codes[i]]}`;
    rows.set(key, [...(rows.get(key) ?? []), { eta, y: y[i] }]);
  }
  const sigma = family === 'gaussian' ? at('sigma') : 1;
  return { table, data, draws, rows, tau: at('sd_task:item__Intercept'), sigma };
}

/** The conditional posterior of u on a fine grid (log density up to a constant): mean and quantiles. */
function brute(logDensity: (u: number) => number, tau: number, p: readonly number[]) {
  const lo = -15 * tau - 10;
  const hi = 15 * tau + 10;
  const n = 40000;
  const du = (hi - lo) / n;
  const w = new Float64Array(n);
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    w[k] = logDensity(lo + (k + 0.5) * du);
    max = Math.max(max, w[k]);
  }
  let s = 0;
  let su = 0;
  for (let k = 0; k < n; k++) {
    w[k] = Math.exp(w[k] - max);
    s += w[k];
    su += w[k] * (lo + (k + 0.5) * du);
  }
  const qs = p.map((pp) => {
    let acc = 0;
    for (let k = 0; k < n; k++) {
      acc += w[k];
      if (acc >= pp * s) return lo + (k + 0.5) * du;
    }
    return hi;
  });
  return { mean: su / s, q: qs };
}

describe('item effects drawn back', () => {
  for (const family of ['gaussian', 'bernoulli'] as const) {
    it(`${family}: posterior mean and 90% interval equal a brute-force conditional posterior`, () => {
      const { data, draws, rows, tau, sigma } = oneDraw(family);
      const eff = itemEffects(data, draws, { seed: 7, maxDraws: U });
      expect(eff.length).toBe(rows.size);
      for (const e of eff) {
        const r = rows.get(`${e.task}/${e.item}`);
        expect(r).toBeDefined();
        const ll = (u: number) => {
          let l = -0.5 * (u / tau) ** 2;
          for (const { eta, y } of r ?? []) {
            const a = eta + u;
            l +=
              family === 'gaussian'
                ? -0.5 * ((y - a) / sigma) ** 2
                : y * a - Math.log1p(Math.exp(a));
          }
          return l;
        };
        const b = brute(ll, tau, [0.05, 0.95]);
        if (family === 'bernoulli') {
          // every item answers every heuristic once here: the items sharing the posterior are
          // those of the task with the same number correct
          const correct = (key: string) => (rows.get(key) ?? []).reduce((t, x) => t + x.y, 0);
          const mine = correct(`${e.task}/${e.item}`);
          const same = [...rows.keys()].filter(
            (key) => key.startsWith(`${e.task}/`) && correct(key) === mine,
          ).length;
          expect(e.same_posterior).toBe(same);
        } else expect(e.same_posterior).toBeUndefined();
        // the mean is the conditional mean itself (Rao-Blackwellized; the same for every
        // repeated draw): exact to the brute-force grid's error (~1e-9 at 40,000 points over +-(15 tau + 10))
        expect(Math.abs(e.mean - b.mean)).toBeLessThan(1e-6);
        // the quantiles are of U = 4000 drawn effects: standard error sqrt(0.05 0.95 / U) /
        // density at the quantile ~ 0.034 sd for a normal-shaped posterior; 5 standard errors,
        // plus (bernoulli) the within-cell jitter's widening of at most step^2 / 12
        const sd = (b.q[1] - b.q[0]) / (2 * normalQuantile(0.95));
        expect(Math.abs(e.q5 - b.q[0])).toBeLessThan(5 * 0.034 * sd + 0.02 * sd);
        expect(Math.abs(e.q95 - b.q[1])).toBeLessThan(5 * 0.034 * sd + 0.02 * sd);
      }
    });
  }

  it('gaussian: data fitted on standardized scores give the same effects in the user units', () => {
    const { table, data, draws } = oneDraw('gaussian');
    const center = 0.4;
    const scale = 0.25;
    const y = (table.columns.score as { values: Float64Array }).values;
    const std = {
      ...table,
      columns: {
        ...table.columns,
        score: {
          type: 'numeric' as const,
          values: Float64Array.from(y, (v) => (v - center) / scale),
        },
      },
    };
    const dataStd = itemData(std, { formula: UPPER }, 'gaussian');
    const a = itemEffects(data, draws, { seed: 3, maxDraws: 300 });
    const b = itemEffects(dataStd, draws, { seed: 3, maxDraws: 300, response: { center, scale } });
    b.forEach((e, k) => {
      // the same numbers up to the rounding of (y - c) / s and back (~1e-15 relative)
      for (const f of ['mean', 'q5', 'q95', 'mean_score', 'score_sd'] as const) {
        expect(Math.abs(e[f] - a[k][f])).toBeLessThan(1e-12);
      }
    });
  });

  it('same seed, same numbers; another seed, other quantiles', () => {
    const { data, draws } = oneDraw('bernoulli');
    const a = itemEffects(data, draws, { seed: 1, maxDraws: 200 });
    const b = itemEffects(data, draws, { seed: 1, maxDraws: 200 });
    const c = itemEffects(data, draws, { seed: 2, maxDraws: 200 });
    expect(b).toEqual(a);
    expect(c.some((e, k) => e.q5 !== a[k].q5)).toBe(true);
  });
});
