import { simulateItems } from '../data/synth-items.js';
import type { Fit } from '../draws/fit.js';
import { createNormalRng } from '../math/normal-rng.js';
import type { SamplerConfig } from '../sampler/types.js';
import { runComparison } from './compare.js';

/**
 * Simulation-based calibration of the paired item model (Talts et al. 2018, arXiv:1804.06788)
 * through `compare` end to end: each replication draws the truth from the priors the fit uses,
 * simulates per-example rows (every heuristic on the same items of each task; src/data/synth-items.ts),
 * fits them with runComparison (which picks the item model for an item column) and records the
 * rank of the truth among thinned posterior draws and whether the 90% intervals of the heuristic
 * differences cover it.
 */

/** The priors of the calibration (sigma: gaussian only): used to simulate and passed to the fit. */
export const ITEM_SIM_PRIORS = [
  'Intercept ~ normal(0, 1)',
  'sd ~ normal(0, 1)',
  'sigma ~ normal(0, 1)',
];

const priorsFor = (family: 'gaussian' | 'bernoulli') =>
  family === 'gaussian' ? ITEM_SIM_PRIORS : ITEM_SIM_PRIORS.filter((p) => !p.startsWith('sigma'));

/** Options of runItemCalibration. */
export interface ItemCalibrationOptions {
  family: 'gaussian' | 'bernoulli';
  replications: number;
  heuristics: number;
  tasks: number;
  items: number;
  sampler?: SamplerConfig;
  seed?: number;
  /** Thinned posterior draws per SBC rank (default 99: ranks 0..99). */
  rankDraws?: number;
  onReplication?: (done: number, total: number) => void;
}

/** Results over all replications. */
export interface ItemCalibrationResult {
  /**
   * 90% intervals of the differences h0 - h1 (overall: the heuristic effect plus the mean of the
   * heuristic x task effects; and on every task), on the linear predictor scale.
   */
  intervals: number;
  covered: number;
  coverage: number;
  /** SBC ranks per quantity (0..rankDraws), one per replication. */
  ranks: Record<string, number[]>;
  rankDraws: number;
  maxRhat: number;
  divergent: number;
  fitsWithDivergences: number;
  fitsWithHighRhat: number;
}

/** |N(0, 1)|: a draw of a scale with a half-normal(0, 1) prior. */
const half = (z: number) => Math.abs(z);

/** The posterior draws of a named variable (all chains), or null. */
function drawsOf(fit: Fit, name: string): Float64Array | null {
  const d = fit.draws;
  const v = d.variables.indexOf(name);
  const S = d.nDraws * d.nChains;
  return v < 0 ? null : d.values.subarray(v * S, (v + 1) * S);
}

/**
 * Simulate, fit and score `replications` item-level data sets.
 * @example const r = await runItemCalibration({ family: 'bernoulli', replications: 20, heuristics: 3, tasks: 4, items: 25 }); r.coverage
 */
export async function runItemCalibration(
  o: ItemCalibrationOptions,
): Promise<ItemCalibrationResult> {
  const L = o.rankDraws ?? 99;
  const rng = createNormalRng(o.seed ?? 20261204);
  const H = o.heuristics;
  const T = o.tasks;
  const res: ItemCalibrationResult = {
    intervals: 0,
    covered: 0,
    coverage: Number.NaN,
    ranks: {},
    rankDraws: L,
    maxRhat: 0,
    divergent: 0,
    fitsWithDivergences: 0,
    fitsWithHighRhat: 0,
  };
  for (let r = 0; r < o.replications; r++) {
    // the truth from the priors (ITEM_SIM_PRIORS)
    const sd = { h: half(rng.normal()), t: half(rng.normal()), ht: half(rng.normal()) };
    const truth = {
      intercept: rng.normal(),
      heuristic: Float64Array.from({ length: H }, () => sd.h * rng.normal()),
      task: Float64Array.from({ length: T }, () => sd.t * rng.normal()),
      cell: Float64Array.from({ length: H * T }, () => sd.ht * rng.normal()),
      sdItem: half(rng.normal()),
      sigma: half(rng.normal()),
    };
    const { table } = simulateItems({
      heuristics: H,
      tasks: T,
      items: o.items,
      family: o.family,
      seed: (o.seed ?? 1) * 1000 + r,
      truth,
    });
    const run = await runComparison(table, {
      priors: priorsFor(o.family),
      sampler: {
        chains: 2,
        warmup: 300,
        draws: 300,
        parallel: false,
        ...o.sampler,
        seed: (o.seed ?? 1) + r,
      },
    });
    const c = run.comparison;
    res.maxRhat = Math.max(
      res.maxRhat,
      Number.isFinite(c.diagnostics.max_rhat) ? c.diagnostics.max_rhat : 0,
    );
    res.divergent += c.diagnostics.divergent;
    if (c.diagnostics.divergent > 0) res.fitsWithDivergences++;
    if (c.diagnostics.max_rhat > 1.01) res.fitsWithHighRhat++;
    // the quantities: top-level parameters and the h0 - h1 differences (overall and per task)
    const S = run.fit.draws.nDraws * run.fit.draws.nChains;
    const need = (name: string) => {
      const x = drawsOf(run.fit, name);
      if (!x) throw new Error(`item calibration: no draws of ${name}`);
      return x;
    };
    const level = (col: string, i: number) =>
      (table.columns[col] as { levels: readonly string[] }).levels[i];
    const [h0, h1] = [level('heuristic', 0), level('heuristic', 1)];
    const rh = [need(`r_heuristic[${h0},Intercept]`), need(`r_heuristic[${h1},Intercept]`)];
    const perTask = Array.from({ length: T }, (_, t) => {
      const a = need(`r_heuristic:task[${h0}_${level('task', t)},Intercept]`);
      const b = need(`r_heuristic:task[${h1}_${level('task', t)},Intercept]`);
      return Float64Array.from({ length: S }, (_, s) => rh[0][s] - rh[1][s] + a[s] - b[s]);
    });
    const overall = Float64Array.from({ length: S }, (_, s) => {
      let m = 0;
      for (let t = 0; t < T; t++) m += perTask[t][s];
      return m / T;
    });
    const trueTask = Array.from(
      { length: T },
      (_, t) =>
        truth.heuristic[0] - truth.heuristic[1] + truth.cell[0 + H * t] - truth.cell[1 + H * t],
    );
    const trueOverall = trueTask.reduce((a, b) => a + b, 0) / T;
    const quantities: [string, Float64Array, number][] = [
      ['b_Intercept', need('b_Intercept'), truth.intercept],
      ['sd_heuristic__Intercept', need('sd_heuristic__Intercept'), sd.h],
      ['sd_heuristic:task__Intercept', need('sd_heuristic:task__Intercept'), sd.ht],
      ['sd_task:item__Intercept', need('sd_task:item__Intercept'), truth.sdItem],
      ['h0 - h1 (over tasks)', overall, trueOverall],
      ['h0 - h1 (task t0)', perTask[0], trueTask[0]],
    ];
    if (o.family === 'gaussian') quantities.push(['sigma', need('sigma'), truth.sigma]);
    for (const [name, x, t] of quantities) {
      let rank = 0;
      for (let l = 0; l < L; l++) if (x[Math.floor(((l + 0.5) * S) / L)] < t) rank++;
      (res.ranks[name] ??= []).push(rank);
    }
    // 90% intervals of the differences
    for (const [x, t] of [
      [overall, trueOverall] as const,
      ...perTask.map((x, k) => [x, trueTask[k]] as const),
    ]) {
      const sorted = Float64Array.from(x).sort();
      const q5 = sorted[Math.floor(0.05 * (S - 1))];
      const q95 = sorted[Math.ceil(0.95 * (S - 1))];
      res.intervals++;
      if (q5 <= t && t <= q95) res.covered++;
    }
    o.onReplication?.(r + 1, o.replications);
  }
  res.coverage = res.covered / res.intervals;
  return res;
}
