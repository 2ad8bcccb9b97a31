import type { SamplerStats } from '../draws/draws.js';
import type { SamplerSummary } from './types.js';

/**
 * Sampler-level diagnostics from the per-draw sampler statistics (docs/ALGORITHMS.md §5.8-5.9):
 * divergences, max-treedepth hits, E-BFMI per chain, step size per chain, leapfrog steps.
 */

/**
 * E-BFMI of one chain's post-warmup energies (Betancourt 2016; CmdStan `diagnose`):
 * sum_{n>=2} (E_n - E_{n-1})^2 / sum_n (E_n - mean E)^2. NaN for N < 3, non-finite or constant energy.
 * @example ebfmi(new Float64Array([1, 2, 1, 2])) // 3
 */
export function ebfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 3) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += energy[i];
  const mu = s / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = energy[i] - mu;
    den += d * d;
    if (i > 0) {
      const e = energy[i] - energy[i - 1];
      num += e * e;
    }
  }
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0) return Number.NaN;
  return num / den;
}

function field(stats: SamplerStats, name: string): number {
  return stats.variables.indexOf(name);
}

/**
 * Summarize sampler statistics: per-chain divergences (divergent__ != 0), treedepth__ >= maxTreeDepth
 * hits, total n_leapfrog__, E-BFMI of energy__ per chain, step size (first post-warmup stepsize__)
 * per chain. Missing fields give 0 counts and NaN per-chain values. Timing is left at 0 (see
 * summarizeFit).
 * @example samplerDiagnostics(fit.stats, 10).divergent
 */
export function samplerDiagnostics(stats: SamplerStats, maxTreeDepth = 10): SamplerSummary {
  const { nDraws: n, nChains: m, values } = stats;
  const iDiv = field(stats, 'divergent__');
  const iDepth = field(stats, 'treedepth__');
  const iLeap = field(stats, 'n_leapfrog__');
  const iEnergy = field(stats, 'energy__');
  const iStep = field(stats, 'stepsize__');
  const divergentPerChain: number[] = [];
  const ebfmis: number[] = [];
  const stepSizes: number[] = [];
  let hits = 0;
  let leapfrog = 0;
  for (let c = 0; c < m; c++) {
    let div = 0;
    for (let d = 0; d < n; d++) {
      if (iDiv >= 0 && values[d + n * (c + m * iDiv)] !== 0) div++;
      if (iDepth >= 0 && values[d + n * (c + m * iDepth)] >= maxTreeDepth) hits++;
      if (iLeap >= 0) leapfrog += values[d + n * (c + m * iLeap)];
    }
    divergentPerChain.push(div);
    ebfmis.push(
      iEnergy >= 0
        ? ebfmi(values.subarray(n * (c + m * iEnergy), n * (c + 1 + m * iEnergy)))
        : Number.NaN,
    );
    stepSizes.push(iStep >= 0 && n > 0 ? values[n * (c + m * iStep)] : Number.NaN);
  }
  return {
    chains: m,
    draws_per_chain: n,
    divergent: divergentPerChain.reduce((a, b) => a + b, 0),
    treedepth_hits: hits,
    n_leapfrog: leapfrog,
    ebfmi: ebfmis,
    step_size: stepSizes,
    warmup_seconds: 0,
    sampling_seconds: 0,
    max_treedepth: maxTreeDepth,
    divergent_per_chain: divergentPerChain,
  };
}
