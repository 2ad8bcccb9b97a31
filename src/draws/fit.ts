import type { Draws, SamplerStats } from './draws.js';

/**
 * The result of a NUTS run as data: the draws, the per-draw sampler statistics, the adaptation and
 * the settings it ran with. The sampler produces it (`sample`), diagnostics, analysis, report and
 * store read it; it lives here, with `Draws`, so that none of them needs the sampler's types.
 *
 * @example
 * const fit: Fit = await sample(model, { seed: 1 });
 * fit.draws.variables; fit.stats.variables; // ['mu', ...], ['lp__', 'accept_stat__', ...]
 */

/**
 * Metric and its adaptation: 'diag' (default) and 'dense' adapt Stan's way (windowed variances of the
 * draws); 'fisher-diag' is a diagonal metric adapted by minimizing a Fisher divergence from the draws
 * and their gradients (Seyboldt, Carlson & Carpenter 2026; docs/ALGORITHMS.md §3.7), 'fisher-lowrank'
 * the same with a low-rank correction (diagonal plus low rank, O(d k) per leapfrog step).
 */
export type MetricKind = 'diag' | 'dense' | 'fisher-diag' | 'fisher-lowrank';

/** The sampler settings a Fit ran with (defaults resolved, as CmdStan reports them). */
export interface FitSettings {
  chains: number;
  warmup: number;
  draws: number;
  seed: number;
  adaptDelta: number;
  maxTreeDepth: number;
  metric: MetricKind;
}

/** The result of `sample`. */
export interface Fit {
  draws: Draws;
  stats: SamplerStats;
  adaptation: { stepSize: Float64Array; invMetric: Float64Array[] };
  /**
   * Wall clock of the run split into its warmup and sampling shares (see wallTiming), plus each
   * chain's own phase times (chains may wait for a worker thread, so these do not add up to wall).
   */
  timing: {
    warmupSeconds: number;
    samplingSeconds: number;
    chainWarmupSeconds?: number[];
    chainSamplingSeconds?: number[];
  };
  config: FitSettings;
  warmup?: { draws: Draws; stats: SamplerStats };
}
