import type { Draws } from '../draws/draws.js';
import { ConfigError } from '../errors.js';
import { createNormalRng } from '../math/normal-rng.js';
import { quantileSorted } from '../math/quantile.js';
import { itemVariableIndex } from './item-model.js';
import { patternGrid, quadratureScratch, windowOf } from './item-quadrature.js';
import type { ItemData } from './item-types.js';

/**
 * Item effects drawn back from a fit of the paired item model (item-model.ts), where they were
 * integrated out. Given one posterior draw of the cell predictors eta, tau = sd_task:item and
 * sigma, the items are independent and each item's effect u has a one-dimensional conditional
 * posterior; mixing it over the posterior draws gives the item's marginal posterior:
 *
 * - gaussian: u | y, eta, tau, sigma ~ N(a (T - M), a sigma^2) with a = tau^2 / (sigma^2 + n tau^2),
 *   T the total of the item's n scores and M = sum_i k_i eta_i over its cells (the normal-normal
 *   update; Gelman et al. 2013, "Bayesian Data Analysis", section 5.4). One normal draw per item
 *   and posterior draw;
 * - bernoulli: u = tau z with z's density proportional to exp(h_s(z)) (item-quadrature.ts), which
 *   depends on the item only through its pattern and sum score s: items of one (pattern, s) class
 *   are exchangeable and share one marginal posterior. Per posterior draw and class, one draw by
 *   inverse CDF on the quadrature grid: a point with probability proportional to its trapezoid
 *   weight, then uniform within its cell of width `step` (the rule's own piecewise-constant
 *   reading of the density; the step is under 0.7 of the integrand's sd, so this widens the
 *   spread by at most step^2 / 12 < 5% of the variance in the worst case, 0.5% typically).
 *
 * The posterior mean is Rao-Blackwellized (the average over draws of the conditional mean, exact
 * for the draws used); the 90% interval is R's type-7 5% and 95% quantiles of the drawn effects.
 * At most `maxDraws` posterior draws are used, evenly spaced over the chains. Same data, draws and
 * seed give the same numbers (one seeded stream, items and draws in a fixed order).
 */

/** One item's effect: labels, its scores, and the posterior of its effect u on the link scale. */
export interface ItemEffect {
  task: string;
  item: string;
  /** Rows (scores) of the item. */
  rows: number;
  /** Mean and sd (n - 1 denominator; 0 for one row) of the item's scores over its rows. */
  mean_score: number;
  score_sd: number;
  /** Posterior mean, 5% and 95% quantiles of the item effect. */
  mean: number;
  q5: number;
  q95: number;
  /**
   * 0/1 scores: how many items share this posterior exactly (same pattern and number correct:
   * exchangeable, see above), e.g. the hundreds every heuristic got wrong.
   */
  same_posterior?: number;
}

export interface ItemEffectsOptions {
  /** Seed of the draws of the effects (the run's sampler seed). */
  seed: number;
  /** Posterior draws used at most (default ITEM_EFFECT_DRAWS). */
  maxDraws?: number;
  /**
   * When the model was fitted to standardized scores (y - center) / scale and the draws are in the
   * user's units (compare's gaussian fits): the data's totals are put back in those units.
   */
  response?: { center: number; scale: number } | null;
}

/** Posterior draws used by default: the 5% and 95% quantiles of 1,000 draws err by ~0.02 sd. */
export const ITEM_EFFECT_DRAWS = 1000;

/** Per selected draw: the cells' predictors, tau and sigma, read from the draws. */
function drawnParameters(
  data: ItemData,
  draws: Draws,
  maxDraws: number,
): { eta: Float64Array[]; tau: Float64Array; sigma: Float64Array } {
  const ix = itemVariableIndex(data, draws.variables);
  const S = draws.nDraws * draws.nChains;
  const U = Math.min(S, Math.max(1, Math.floor(maxDraws)));
  const nCells = ix.cell.length;
  const missing = [ix.intercept, ix.itemSd, ...ix.cell, ...ix.r.flatMap((r) => [...r])].some(
    (k) => k < 0,
  );
  if (missing || (data.family === 'gaussian' && ix.sigma < 0)) {
    throw new ConfigError('itemEffects: the draws lack variables of the item model');
  }
  const val = (v: number, i: number) => draws.values[v * S + i];
  const eta: Float64Array[] = [];
  const tau = new Float64Array(U);
  const sigma = new Float64Array(U);
  for (let j = 0; j < U; j++) {
    // evenly spaced over all chains' draws (chain-major)
    const i = Math.floor(((j + 0.5) * S) / U);
    const e = new Float64Array(nCells);
    for (let c = 0; c < nCells; c++) {
      let x = val(ix.intercept, i) + val(ix.cell[c], i);
      data.terms.forEach((t, k) => {
        const l = t.level[c];
        if (l >= 0) x += val(ix.r[k][l], i);
      });
      e[c] = x;
    }
    eta.push(e);
    tau[j] = val(ix.itemSd, i);
    sigma[j] = ix.sigma >= 0 ? val(ix.sigma, i) : Number.NaN;
  }
  return { eta, tau, sigma };
}

/** Per pattern and draw: M = sum_i k_i eta_i. */
function patternSums(data: ItemData, eta: Float64Array[]): Float64Array[] {
  const P = data.patStart.length - 1;
  return Array.from({ length: P }, (_, p) =>
    Float64Array.from(eta, (e) => {
      let M = 0;
      for (let j = data.patStart[p]; j < data.patStart[p + 1]; j++) {
        M += data.patK[j] * e[data.patCell[j]];
      }
      return M;
    }),
  );
}

/** Gaussian: per item the Rao-Blackwellized mean and the drawn effects' 5% / 95% quantiles. */
function gaussianEffects(
  data: ItemData,
  par: ReturnType<typeof drawnParameters>,
  center: number,
  scale: number,
  rng: ReturnType<typeof createNormalRng>,
): Float64Array[] {
  const items = data.items as NonNullable<ItemData['items']>;
  const U = par.tau.length;
  const M = patternSums(data, par.eta);
  const mean = new Float64Array(items.pattern.length);
  const q5 = new Float64Array(items.pattern.length);
  const q95 = new Float64Array(items.pattern.length);
  const u = new Float64Array(U);
  for (let k = 0; k < items.pattern.length; k++) {
    const p = items.pattern[k];
    const n = data.patRows[p];
    const T = scale * items.total[k] + n * center;
    let sum = 0;
    for (let j = 0; j < U; j++) {
      const t2 = par.tau[j] * par.tau[j];
      const s2 = par.sigma[j] * par.sigma[j];
      const a = t2 / (s2 + n * t2);
      const m = a * (T - M[p][j]);
      sum += m;
      u[j] = m + Math.sqrt(a * s2) * rng.normal();
    }
    u.sort();
    mean[k] = sum / U;
    q5[k] = quantileSorted(u, 0.05);
    q95[k] = quantileSorted(u, 0.95);
  }
  return [mean, q5, q95];
}

/** Bernoulli: per (pattern, sum score) class the same three numbers (see above). */
function bernoulliEffects(
  data: ItemData,
  par: ReturnType<typeof drawnParameters>,
  rng: ReturnType<typeof createNormalRng>,
): Float64Array[] {
  const U = par.tau.length;
  const nClass = data.sVal.length;
  const P = data.patStart.length - 1;
  let maxCells = 1;
  for (let p = 0; p < P; p++)
    maxCells = Math.max(maxCells, data.patStart[p + 1] - data.patStart[p]);
  const scr = quadratureScratch(maxCells);
  const out = new Float64Array(5);
  const sum = new Float64Array(nClass);
  const drawn = Array.from({ length: nClass }, () => new Float64Array(U));
  for (let j = 0; j < U; j++) {
    const tau = par.tau[j];
    for (let p = 0; p < P; p++) {
      const j0 = data.patStart[p];
      const m = data.patStart[p + 1] - j0;
      for (let i = 0; i < m; i++) {
        scr.eta[i] = par.eta[j][data.patCell[j0 + i]];
        scr.k[i] = data.patK[j0 + i];
      }
      const s0 = data.sStart[p];
      const s1 = data.sStart[p + 1];
      if (s1 === s0) continue;
      const nPts = patternGrid(scr, m, data.sVal[s0], data.sVal[s1 - 1], tau, out);
      const step = out[0];
      let qMax = 0;
      for (let c = s0; c < s1; c++) {
        windowOf(scr, nPts, step, tau, data.sVal[c], qMax, out);
        qMax = out[0];
        const lo = out[1];
        const hi = out[2];
        const total = out[3];
        let zBar = 0;
        for (let q = lo; q <= hi; q++) zBar += scr.f[q] * scr.z[q];
        sum[c] += (tau * zBar) / total;
        // inverse CDF: the point whose cumulative weight passes target, then uniform in its cell
        const target = rng.uniform() * total;
        let acc = 0;
        let q = lo;
        for (; q < hi; q++) {
          acc += scr.f[q];
          if (acc >= target) break;
        }
        drawn[c][j] = tau * (scr.z[q] + (rng.uniform() - 0.5) * step);
      }
    }
  }
  const mean = Float64Array.from(sum, (x) => x / U);
  const q5 = new Float64Array(nClass);
  const q95 = new Float64Array(nClass);
  drawn.forEach((u, c) => {
    u.sort();
    q5[c] = quantileSorted(u, 0.05);
    q95[c] = quantileSorted(u, 0.95);
  });
  // per item: its class (pattern, sum score)
  const items = data.items as NonNullable<ItemData['items']>;
  const classOf = (k: number) => {
    const p = items.pattern[k];
    for (let c = data.sStart[p]; c < data.sStart[p + 1]; c++) {
      if (data.sVal[c] === items.total[k]) return c;
    }
    return -1;
  };
  const perItem = [
    new Float64Array(items.pattern.length),
    new Float64Array(items.pattern.length),
    new Float64Array(items.pattern.length),
    new Float64Array(items.pattern.length),
  ];
  for (let k = 0; k < items.pattern.length; k++) {
    const c = classOf(k);
    perItem[0][k] = mean[c];
    perItem[1][k] = q5[c];
    perItem[2][k] = q95[c];
    perItem[3][k] = data.sCount[c];
  }
  return perItem;
}

/**
 * Every item's effect (posterior mean and 90% interval) from the posterior draws of a fit of the
 * item model built from `data` (which must carry its per-item records: itemData does).
 *
 * @example const effects = itemEffects(run.model.data, run.fit.draws, { seed: 1 });
 */
export function itemEffects(
  data: ItemData,
  draws: Draws,
  options: ItemEffectsOptions,
): ItemEffect[] {
  const items = data.items;
  if (!items) throw new ConfigError('itemEffects: the item data carry no per-item records');
  const par = drawnParameters(data, draws, options.maxDraws ?? ITEM_EFFECT_DRAWS);
  // a stream of its own for the item effects, apart from the chains' (math/rng.ts)
  const rng = createNormalRng((options.seed * 2654435761 + 0x1e5) >>> 0);
  const center = options.response?.center ?? 0;
  const scale = options.response?.scale ?? 1;
  const [mean, q5, q95, same] =
    data.family === 'gaussian'
      ? gaussianEffects(data, par, center, scale, rng)
      : bernoulliEffects(data, par, rng);
  return Array.from(items.pattern, (p, k) => {
    const n = data.patRows[p];
    return {
      task: items.taskLevels[items.task[k]],
      item: items.itemLevels[items.label[k]],
      rows: n,
      mean_score: center + (scale * items.total[k]) / n,
      score_sd: n > 1 ? scale * Math.sqrt(items.ss[k] / (n - 1)) : 0,
      mean: mean[k],
      q5: q5[k],
      q95: q95[k],
      ...(same ? { same_posterior: same[k] } : {}),
    };
  });
}
