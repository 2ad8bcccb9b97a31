import { createNormalRng, type NormalRng } from '../analysis/random.js';
import type { ComparisonDiagnostics } from '../analysis/types.js';
import { tableFromRecords } from '../data/records.js';
import type { Table } from '../data/table.js';
import { pushSbcRanks } from '../diagnostics/sbc-rank.js';
import type { SamplerConfig } from '../sampler/types.js';
import { runComparison } from './compare.js';

/**
 * Calibration of the default comparison model on simulated data with a known truth.
 *
 * Data are simulated from the model's own prior (simulation-based calibration, Talts et al. 2018,
 * arXiv:1804.06788; Modrak et al. 2023, Bayesian Analysis): draw every parameter from the prior, draw
 * scores from the likelihood, fit with the same priors. Then (1) each central 90% posterior interval
 * of a heuristic-by-category expected score covers the truth 90% of the time on average, (2) the
 * rank of a true parameter among L posterior draws is uniform on 0..L, and (3) a confident
 * "A better by more than the ROPE" call (posterior probability >= threshold) is wrong at most at
 * rate 1 - threshold on average. Deviations point at a sampler, model or analysis bug.
 */

/** Shape of a simulated benchmark. */
export interface SimDesign {
  heuristics: number;
  categories: number;
  tasksPerCategory: number;
  /** Rows (seeds) per heuristic x task (x backbone) cell. */
  seeds: number;
  /**
   * Backbones (0 or absent: none). With 2 or more, every heuristic runs on every task on every
   * backbone and the model is the backbone model of `compare` (src/analysis/formula.ts): the
   * default terms plus (1|task:backbone) + (1|heuristic:backbone); the truth of a
   * heuristic-by-category score is then the average over the backbones.
   */
  backbones?: number;
}

/** The published-table shape with backbones: 4 heuristics, 3 x 2 tasks, 2 backbones, 1 row per cell. */
export const BACKBONE_SIM_DESIGN: SimDesign = {
  heuristics: 4,
  categories: 3,
  tasksPerCategory: 2,
  seeds: 1,
  backbones: 2,
};

/** Prior scales used both to simulate and to fit (half-normal for the sds and sigma). */
export interface SimPriors {
  interceptSd: number;
  sdScale: number;
  sigmaScale: number;
}

/** Default simulation: 4 heuristics, 3 categories x 2 tasks, 2 seeds per cell (48 rows). */
export const DEFAULT_SIM_DESIGN: SimDesign = {
  heuristics: 4,
  categories: 3,
  tasksPerCategory: 2,
  seeds: 2,
};

/** Default priors: scores on a unit scale. */
export const DEFAULT_SIM_PRIORS: SimPriors = { interceptSd: 1, sdScale: 1, sigmaScale: 0.5 };

/** The group terms of the default model with categories (no study), then the backbone terms. */
const GROUPS = ['heuristic', 'task', 'heuristic:category', 'heuristic:task'] as const;
const BACKBONE_GROUPS = ['task:backbone', 'heuristic:backbone'] as const;

/** One simulated data set and its truth. */
export interface SimulatedBenchmark {
  table: Table;
  /** True values of the model's top-level parameters, by brms name. */
  params: Record<string, number>;
  /** True expected score of heuristic h on category c: categoryMeans[h * C + c]. */
  categoryMeans: Float64Array;
  heuristicNames: string[];
  categoryNames: string[];
}

/** The prior strings that match `SimPriors` (model layer syntax). */
export function simPriorStrings(p: SimPriors): string[] {
  return [
    `Intercept ~ normal(0, ${p.interceptSd})`,
    `sd ~ normal(0, ${p.sdScale})`,
    `sigma ~ normal(0, ${p.sigmaScale})`,
  ];
}

/**
 * Simulate one benchmark from the prior of the default model
 * `score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)`
 * (`+ (1|task:backbone) + (1|heuristic:backbone)` with backbones).
 * @example simulateBenchmark(DEFAULT_SIM_DESIGN, DEFAULT_SIM_PRIORS, createNormalRng(1)).table.nRows // 48
 */
export function simulateBenchmark(d: SimDesign, p: SimPriors, rng: NormalRng): SimulatedBenchmark {
  const H = d.heuristics;
  const C = d.categories;
  const T = C * d.tasksPerCategory;
  const B = d.backbones ?? 0;
  const half = (s: number) => Math.abs(s * rng.normal());
  const params: Record<string, number> = { b_Intercept: p.interceptSd * rng.normal() };
  const sd: Record<string, number> = {};
  for (const g of B >= 2 ? [...GROUPS, ...BACKBONE_GROUPS] : GROUPS) {
    sd[g] = half(p.sdScale);
    params[`sd_${g}__Intercept`] = sd[g];
  }
  params.sigma = half(p.sigmaScale);
  const rH = Array.from({ length: H }, () => sd.heuristic * rng.normal());
  const rT = Array.from({ length: T }, () => sd.task * rng.normal());
  const rHC = Array.from({ length: H * C }, () => sd['heuristic:category'] * rng.normal());
  const rHT = Array.from({ length: H * T }, () => sd['heuristic:task'] * rng.normal());
  const rTB = Array.from({ length: T * B }, () => sd['task:backbone'] * rng.normal());
  const rHB = Array.from({ length: H * B }, () => sd['heuristic:backbone'] * rng.normal());
  const hName = (h: number) => `h${h + 1}`;
  const cName = (c: number) => `c${c + 1}`;
  const cat = (t: number) => Math.floor(t / d.tasksPerCategory);
  // m = -1: no backbone
  const mu = (h: number, t: number, m: number) =>
    params.b_Intercept +
    rH[h] +
    rT[t] +
    rHC[h * C + cat(t)] +
    rHT[h * T + t] +
    (m >= 0 ? rTB[t * B + m] + rHB[h * B + m] : 0);
  const backbones = B >= 2 ? Array.from({ length: B }, (_, m) => m) : [-1];
  const records: Record<string, string | number>[] = [];
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      for (const m of backbones) {
        for (let s = 0; s < d.seeds; s++) {
          records.push({
            heuristic: hName(h),
            task: `t${t + 1}`,
            category: cName(cat(t)),
            ...(m >= 0 ? { backbone: `m${m + 1}` } : {}),
            seed: `s${s + 1}`,
            score: mu(h, t, m) + params.sigma * rng.normal(),
          });
        }
      }
    }
  }
  const categoryMeans = new Float64Array(H * C);
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      for (const m of backbones) {
        categoryMeans[h * C + cat(t)] += mu(h, t, m) / (d.tasksPerCategory * backbones.length);
      }
    }
  }
  return {
    table: tableFromRecords(records, 'simulated'),
    params,
    categoryMeans,
    heuristicNames: Array.from({ length: H }, (_, h) => hName(h)),
    categoryNames: Array.from({ length: C }, (_, c) => cName(c)),
  };
}

/** Options of `runCalibration`. */
export interface CalibrationOptions {
  replications: number;
  design?: SimDesign;
  priors?: SimPriors;
  sampler?: SamplerConfig;
  /** Decision threshold (default 0.95) and ROPE (default 0.1, in simulated score units). */
  threshold?: number;
  rope?: number;
  seed?: number;
  /** Thinned posterior draws per SBC rank (default 99: ranks 0..99). */
  rankDraws?: number;
  /** Called after each replication (for progress lines in bench/validate.ts). */
  onReplication?: (done: number, total: number) => void;
}

/** Results over all replications (intervals: the heuristic-by-category 90% intervals). */
export interface CalibrationResult extends CalibrationTally {
  replications: number;
  /** Confident "A better by more than the ROPE" calls (category scope) and wrong ones. */
  calls: number;
  /** Calls whose true difference is not above the ROPE. */
  wrongCalls: number;
  wrongRate: number;
  /** Calls whose true difference has the wrong sign. */
  signErrors: number;
}

/** The convergence counts a calibration run keeps over its replications. */
export interface ConvergenceTally {
  /** Largest R-hat and total divergences seen across replications. */
  maxRhat: number;
  divergent: number;
  /** Replications whose fit had any divergent transition / an R-hat above 1.01. */
  fitsWithDivergences: number;
  fitsWithHighRhat: number;
}

/**
 * What every calibration run keeps (this file, item-calibration.ts, budget-curve-calibration.ts,
 * beta-binomial-calibration.ts): its 90% intervals and how many covered the truth, the SBC ranks
 * per quantity (0..rankDraws, one per replication; Talts et al. 2018) and the convergence counts.
 */
export interface CalibrationTally extends ConvergenceTally {
  intervals: number;
  covered: number;
  /** covered / intervals, set at the end (NaN before). */
  coverage: number;
  ranks: Record<string, number[]>;
  rankDraws: number;
}

/**
 * The tally before any replication.
 * @example const res = { replications: 20, ...emptyTally(99) };
 */
export function emptyTally(rankDraws: number): CalibrationTally {
  return {
    intervals: 0,
    covered: 0,
    coverage: Number.NaN,
    ranks: {},
    rankDraws,
    maxRhat: 0,
    divergent: 0,
    fitsWithDivergences: 0,
    fitsWithHighRhat: 0,
  };
}

/**
 * Add one replication's fit to the convergence counts (largest R-hat, divergences, fits with any
 * divergence or an R-hat above 1.01); nothing is filtered out of the calibration figures.
 * @example tallyConvergence(res, run.comparison.diagnostics)
 */
export function tallyConvergence(
  res: ConvergenceTally,
  d: Pick<ComparisonDiagnostics, 'max_rhat' | 'divergent'>,
): void {
  res.maxRhat = Math.max(res.maxRhat, Number.isFinite(d.max_rhat) ? d.max_rhat : 0);
  res.divergent += d.divergent;
  if (d.divergent > 0) res.fitsWithDivergences++;
  if (d.max_rhat > 1.01) res.fitsWithHighRhat++;
}

/**
 * Simulate, fit and score `replications` benchmarks (see the module comment).
 * @example const r = await runCalibration({ replications: 20 }); r.coverage // ~0.9
 */
export async function runCalibration(options: CalibrationOptions): Promise<CalibrationResult> {
  const design = options.design ?? DEFAULT_SIM_DESIGN;
  const priors = options.priors ?? DEFAULT_SIM_PRIORS;
  const threshold = options.threshold ?? 0.95;
  const rope = options.rope ?? 0.1;
  const L = options.rankDraws ?? 99;
  const rng = createNormalRng(options.seed ?? 20261127);
  const res: CalibrationResult = {
    replications: options.replications,
    ...emptyTally(L),
    calls: 0,
    wrongCalls: 0,
    wrongRate: Number.NaN,
    signErrors: 0,
  };
  for (let r = 0; r < options.replications; r++) {
    const sim = simulateBenchmark(design, priors, rng);
    const run = await runComparison(sim.table, {
      priors: simPriorStrings(priors),
      rope,
      threshold,
      sampler: {
        chains: 2,
        warmup: 300,
        draws: 300,
        parallel: false,
        ...options.sampler,
        seed: (options.seed ?? 1) + r,
      },
    });
    const c = run.comparison;
    tallyConvergence(res, c.diagnostics);
    const C = design.categories;
    for (const cat of c.categories) {
      const ci = sim.categoryNames.indexOf(cat.name);
      const truthOf = (h: string) => sim.categoryMeans[sim.heuristicNames.indexOf(h) * C + ci];
      for (const cell of cat.heuristics) {
        const t = truthOf(cell.heuristic);
        res.intervals++;
        if (cell.q5 <= t && t <= cell.q95) res.covered++;
      }
    }
    for (const p of c.pairs) {
      if (!p.scope.startsWith('category:')) continue;
      if (p.decision !== 'a_better' && p.decision !== 'b_better') continue;
      const ci = sim.categoryNames.indexOf(p.scope.slice('category:'.length));
      const truthOf = (h: string) => sim.categoryMeans[sim.heuristicNames.indexOf(h) * C + ci];
      const diff =
        p.decision === 'a_better' ? truthOf(p.a) - truthOf(p.b) : truthOf(p.b) - truthOf(p.a);
      res.calls++;
      if (diff <= rope) res.wrongCalls++;
      if (diff <= 0) res.signErrors++;
    }
    // SBC ranks of the top-level parameters among L thinned draws
    pushSbcRanks(res.ranks, run.fit.draws, sim.params, L);
    options.onReplication?.(r + 1, options.replications);
  }
  res.coverage = res.covered / res.intervals;
  res.wrongRate = res.calls > 0 ? res.wrongCalls / res.calls : 0;
  return res;
}

/**
 * Bin SBC ranks (0..L) into `bins` equal bins and compute the chi-square statistic against the
 * uniform (Talts et al. 2018, section 4); with `bins - 1` degrees of freedom.
 * @example rankHistogram([0, 50, 99], 99, 2) // { counts: [2, 1], chi2: 0.333..., df: 1 }
 */
export function rankHistogram(
  ranks: readonly number[],
  L: number,
  bins: number,
): { counts: number[]; chi2: number; df: number } {
  const counts = new Array<number>(bins).fill(0);
  for (const r of ranks) counts[Math.min(bins - 1, Math.floor((r * bins) / (L + 1)))]++;
  const e = ranks.length / bins;
  const chi2 = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
  return { counts, chi2, df: bins - 1 };
}

/**
 * Upper 1 - alpha quantile of the chi-square distribution (Wilson-Hilferty approximation).
 * @example chi2Quantile(0.99, 9) // ~21.67
 */
export function chi2Quantile(p: number, df: number): number {
  // z quantile by bisection on the normal cdf (erf-free: Abramowitz-Stegun 26.2.23)
  const t = Math.sqrt(-2 * Math.log(1 - p));
  const z =
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) /
      (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3);
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
