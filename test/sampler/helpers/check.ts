import { mcseMean } from '../../../src/diagnostics/mcse.js';
import { variableBlock } from '../../../src/draws/draws.js';
import type { Fit } from '../../../src/draws/fit.js';

/** Sample mean, variance, and the MCSEs of both (mcse of the variance = mcse_mean of (x - mean)²). */
export function moments(fit: Fit, v: number) {
  const x = variableBlock(fit.draws, v);
  const n = fit.draws.nDraws;
  const m = fit.draws.nChains;
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  const sq = new Float64Array(x.length);
  let vr = 0;
  for (let i = 0; i < x.length; i++) {
    sq[i] = (x[i] - mean) ** 2;
    vr += sq[i];
  }
  vr /= x.length - 1;
  return {
    mean,
    variance: vr,
    sd: Math.sqrt(vr),
    mcseMean: mcseMean(x, n, m),
    mcseVar: mcseMean(sq, n, m),
  };
}

/** Sum of one sampler field over all post-warmup draws. */
export function statSum(fit: Fit, field: string): number {
  const v = fit.stats.variables.indexOf(field);
  const x = variableBlock(fit.stats, v);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}
