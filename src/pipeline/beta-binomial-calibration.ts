import { createNormalRng, gammaVariate, type NormalRng } from '../analysis/random.js';
import { tableFromRecords } from '../data/records.js';
import type { Table } from '../data/table.js';
import { pushSbcRanks } from '../diagnostics/sbc-rank.js';
import type { SamplerConfig } from '../sampler/types.js';
import { type CalibrationTally, emptyTally, tallyConvergence } from './calibration.js';
import { runComparison } from './compare.js';

/**
 * Simulation-based calibration of `compare` on item counts with backbones, the beta-binomial model
 * (src/analysis/binomial-items.ts countModel; Talts et al. 2018, arXiv:1804.06788). Each table is
 * simulated from the priors of the fit: heuristics x tasks (in categories) x backbones, one row per
 * cell with `items` items, eta = b_Intercept + the six terms of the backbone model, and the row's
 * count K ~ beta_binomial(items, logit^-1(eta) phi, (1 - logit^-1(eta)) phi). The table gives the
 * proportions K / items with `--items-per-task items`, so the fit goes through the whole path
 * (counts, family choice, cell means). Then each heuristic-by-category 90% interval of the expected
 * proportion should cover the truth (mean over the category's tasks of logit^-1 of eta averaged
 * over backbones, as src/analysis/cells.ts computes it) 90% of the time, and the rank of each true
 * top-level parameter among L posterior draws should be uniform.
 */

/** Shape and priors of the simulated tables. */
export interface BetaBinomialSimDesign {
  heuristics: number;
  categories: number;
  tasksPerCategory: number;
  backbones: number;
  /** Items per task (the binomial's n). */
  items: number;
}

/** The shape of the backbone model's SBC (bench/validate.ts sbc-backbone) with 96 items per task. */
export const BETA_BINOMIAL_SIM_DESIGN: BetaBinomialSimDesign = {
  heuristics: 4,
  categories: 3,
  tasksPerCategory: 2,
  backbones: 2,
  items: 96,
};

/**
 * The priors used to simulate and to fit (logit scale): half-normal(0, 1) sds, and a proper
 * gamma(2, 0.05) on phi (mean 40; the default gamma(0.01, 0.01) cannot be simulated from, its
 * draws pile up at 0).
 */
export const BETA_BINOMIAL_SIM_PRIORS = [
  'Intercept ~ normal(0, 1)',
  'sd ~ normal(0, 1)',
  'phi ~ gamma(2, 0.05)',
];

const GROUPS = [
  'heuristic',
  'task',
  'heuristic:category',
  'heuristic:task',
  'task:backbone',
  'heuristic:backbone',
] as const;

/** One simulated table and its truth. */
export interface SimulatedCounts {
  table: Table;
  params: Record<string, number>;
  /** True expected proportion of heuristic h on category c: categoryMeans[h * C + c]. */
  categoryMeans: Float64Array;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One table simulated from the priors (see the module comment).
 * @example simulateCounts(BETA_BINOMIAL_SIM_DESIGN, createNormalRng(1)).table.nRows // 48
 */
export function simulateCounts(d: BetaBinomialSimDesign, rng: NormalRng): SimulatedCounts {
  const { heuristics: H, categories: C, tasksPerCategory: TC, backbones: B, items: n } = d;
  const T = C * TC;
  const params: Record<string, number> = { b_Intercept: rng.normal() };
  const sd: Record<string, number> = {};
  for (const g of GROUPS) {
    sd[g] = Math.abs(rng.normal());
    params[`sd_${g}__Intercept`] = sd[g];
  }
  // gamma(2, rate 0.05)
  const phi = gammaVariate(2, rng) / 0.05;
  params.phi = phi;
  const draw = (g: (typeof GROUPS)[number], m: number) =>
    Array.from({ length: m }, () => sd[g] * rng.normal());
  const rH = draw('heuristic', H);
  const rT = draw('task', T);
  const rHC = draw('heuristic:category', H * C);
  const rHT = draw('heuristic:task', H * T);
  const rTB = draw('task:backbone', T * B);
  const rHB = draw('heuristic:backbone', H * B);
  const cat = (t: number) => Math.floor(t / TC);
  const base = (h: number, t: number) =>
    params.b_Intercept + rH[h] + rT[t] + rHC[h * C + cat(t)] + rHT[h * T + t];
  const eta = (h: number, t: number, m: number) => base(h, t) + rTB[t * B + m] + rHB[h * B + m];
  const records: Record<string, string | number>[] = [];
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      for (let m = 0; m < B; m++) {
        const mu = logistic(eta(h, t, m));
        const a = gammaVariate(mu * phi, rng);
        const b = gammaVariate((1 - mu) * phi, rng);
        const p = a + b > 0 ? a / (a + b) : mu;
        let k = 0;
        for (let i = 0; i < n; i++) if (rng.uniform() < p) k++;
        records.push({
          heuristic: `h${h + 1}`,
          task: `t${t + 1}`,
          category: `c${cat(t) + 1}`,
          backbone: `m${m + 1}`,
          accuracy: k / n,
        });
      }
    }
  }
  const categoryMeans = new Float64Array(H * C);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      let e = 0;
      for (let m = 0; m < B; m++) e += eta(h, t, m) / B;
      categoryMeans[h * C + cat(t)] += logistic(e) / TC;
    }
  }
  return { table: tableFromRecords(records, 'simulated counts'), params, categoryMeans };
}

/** Options of `runBetaBinomialCalibration`. */
export interface BetaBinomialCalibrationOptions {
  replications: number;
  design?: BetaBinomialSimDesign;
  sampler?: SamplerConfig;
  seed?: number;
  /** Thinned posterior draws per SBC rank (default 99: ranks 0..99). */
  rankDraws?: number;
  onReplication?: (done: number, total: number) => void;
}

/** Results over all replications. */
export interface BetaBinomialCalibrationResult extends CalibrationTally {
  replications: number;
  /** Fits whose family was not beta_binomial (should be 0: the path chose another model). */
  otherFamily: number;
}

/**
 * Simulate, fit with `compare --items-per-task` and score `replications` tables.
 * @example const r = await runBetaBinomialCalibration({ replications: 10 }); r.coverage // ~0.9
 */
export async function runBetaBinomialCalibration(
  options: BetaBinomialCalibrationOptions,
): Promise<BetaBinomialCalibrationResult> {
  const design = options.design ?? BETA_BINOMIAL_SIM_DESIGN;
  const L = options.rankDraws ?? 99;
  const rng = createNormalRng(options.seed ?? 2029);
  const res: BetaBinomialCalibrationResult = {
    replications: options.replications,
    ...emptyTally(L),
    otherFamily: 0,
  };
  const C = design.categories;
  for (let r = 0; r < options.replications; r++) {
    const sim = simulateCounts(design, rng);
    const run = await runComparison(sim.table, {
      itemsPerTask: design.items,
      priors: BETA_BINOMIAL_SIM_PRIORS,
      sampler: {
        chains: 2,
        warmup: 300,
        draws: 300,
        parallel: false,
        ...options.sampler,
        seed: (options.seed ?? 1) + r,
      },
    });
    if (run.spec.family !== 'beta_binomial') res.otherFamily++;
    const c = run.comparison;
    tallyConvergence(res, c.diagnostics);
    for (const cat of c.categories) {
      const ci = Number(cat.name.slice(1)) - 1;
      for (const cell of cat.heuristics) {
        const t = sim.categoryMeans[(Number(cell.heuristic.slice(1)) - 1) * C + ci];
        res.intervals++;
        if (cell.q5 <= t && t <= cell.q95) res.covered++;
      }
    }
    pushSbcRanks(res.ranks, run.fit.draws, sim.params, L);
    options.onReplication?.(r + 1, options.replications);
  }
  res.coverage = res.covered / res.intervals;
  return res;
}
