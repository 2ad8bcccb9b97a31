import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, resolveThresholds } from '../../src/diagnostics/checks.js';
import { essBulk } from '../../src/diagnostics/ess.js';
import { ebfmi, samplerDiagnostics } from '../../src/diagnostics/sampler.js';
import { summarize, summarizeFit } from '../../src/diagnostics/summarize.js';
import { createDraws, type Draws, SAMPLER_FIELDS, variableBlock } from '../../src/draws/draws.js';
import type { Fit } from '../../src/draws/fit.js';
import { ar1Block } from './generators.js';

function drawsOf(nDraws: number, nChains: number, blocks: Record<string, Float64Array>): Draws {
  const names = Object.keys(blocks);
  const d = createDraws(nDraws, nChains, names);
  names.forEach((name, v) => {
    d.values.set(blocks[name], v * nDraws * nChains);
  });
  return d;
}

/** Sampler stats with the given per-field generator (d, c) -> value. */
function statsOf(
  nDraws: number,
  nChains: number,
  f: Partial<Record<string, (d: number, c: number) => number>>,
) {
  const s = createDraws(nDraws, nChains, SAMPLER_FIELDS);
  SAMPLER_FIELDS.forEach((name, v) => {
    const g = f[name] ?? (() => 0);
    for (let c = 0; c < nChains; c++) {
      for (let d = 0; d < nDraws; d++) s.values[d + nDraws * (c + nChains * v)] = g(d, c);
    }
  });
  return s;
}

const N = 400;
const M = 4;
const good = ar1Block(N, M, 0.2, 1);
const energyGood = ar1Block(N, M, 0, 2);

describe('sampler diagnostics', () => {
  it('counts divergences per chain, tree-depth hits, leapfrog steps; E-BFMI and step size per chain', () => {
    const stats = statsOf(N, M, {
      divergent__: (d, c) => (c === 2 && d % 100 === 0 ? 1 : 0),
      treedepth__: (d, c) => (c === 0 && d < 3 ? 10 : 4),
      n_leapfrog__: () => 15,
      stepsize__: (_d, c) => 0.1 * (c + 1),
      energy__: (d, c) => energyGood[c * N + d],
    });
    const s = samplerDiagnostics(stats, 10);
    expect(s.chains).toBe(M);
    expect(s.draws_per_chain).toBe(N);
    expect(s.divergent).toBe(4);
    expect(s.divergent_per_chain).toEqual([0, 0, 4, 0]);
    expect(s.treedepth_hits).toBe(3);
    expect(s.n_leapfrog).toBe(15 * N * M);
    expect(s.step_size).toEqual([0.1, 0.2, 0.30000000000000004, 0.4]);
    expect(s.ebfmi).toHaveLength(M);
    s.ebfmi.forEach((e, c) => {
      expect(e).toBe(ebfmi(energyGood.subarray(c * N, (c + 1) * N)));
    });
    // treedepth__ >= maxTreeDepth counts: with max depth 12 nothing hits
    expect(samplerDiagnostics(stats, 12).treedepth_hits).toBe(0);
  });

  it('iid energies give E-BFMI near 2; a slow random walk gives a small one', () => {
    // For iid energies E[sum (dE)^2] = 2 (N-1) var and E[sum (E - mean)^2] = (N-1) var.
    expect(Math.abs(ebfmi(energyGood.subarray(0, N)) - 2)).toBeLessThan(0.3); // sd ~0.1 at N = 400
    expect(ebfmi(ar1Block(N, 1, 0.95, 3))).toBeLessThan(0.3); // expected 2(1 - 0.95) = 0.1
  });

  it('missing fields: zero counts, NaN per-chain values', () => {
    const stats = createDraws(10, 2, ['lp__']);
    const s = samplerDiagnostics(stats);
    expect(s.divergent).toBe(0);
    expect(s.ebfmi.every(Number.isNaN)).toBe(true);
    expect(s.step_size.every(Number.isNaN)).toBe(true);
  });
});

describe('summarize', () => {
  it('rows with posterior column names, warnings only for failing checks', () => {
    const draws = drawsOf(N, M, { mu: good, sigma: good.map((v) => Math.exp(v)) });
    const s = summarize(draws, statsOf(N, M, { energy__: (d, c) => energyGood[c * N + d] }));
    expect(s.variables.map((r) => r.variable)).toEqual(['mu', 'sigma']);
    expect(Object.keys(s.variables[0])).toEqual([
      'variable',
      'mean',
      'median',
      'sd',
      'mad',
      'q5',
      'q95',
      'rhat',
      'ess_bulk',
      'ess_tail',
      'mcse_mean',
      'mcse_sd',
    ]);
    expect(s.variables[0].ess_bulk).toBe(essBulk(variableBlock(draws, 0), N, M));
    expect(s.warnings).toEqual([]);
    expect(s.sampler?.divergent).toBe(0);
  });

  it('no stats: sampler null, variable checks still run', () => {
    const shifted = good.slice();
    for (let i = 0; i < N; i++) shifted[i] += 3; // chain 1 shifted: R-hat >> 1
    const s = summarize(drawsOf(N, M, { a: shifted }));
    expect(s.sampler).toBeNull();
    const codes = s.warnings.map((w) => w.code);
    expect(codes).toContain('rhat');
    for (const w of s.warnings) {
      expect(w.message.length).toBeGreaterThan(10);
      expect(w.remedy.length).toBeGreaterThan(10);
    }
  });

  it('every failing sampler check gives a warning with a plain-language remedy', () => {
    const stats = statsOf(N, M, {
      divergent__: (d) => (d === 7 ? 1 : 0),
      treedepth__: (d) => (d === 8 ? 10 : 3),
      energy__: (d, c) => ar1Block(N, M, 0.95, 4)[c * N + d],
    });
    const s = summarize(drawsOf(N, M, { mu: good }), stats);
    const byCode = Object.fromEntries(s.warnings.map((w) => [w.code, w]));
    expect(byCode.divergent.message).toMatch(/4 of 1600/);
    expect(byCode.divergent.remedy).toMatch(/adapt_delta/);
    expect(byCode.divergent.remedy).toMatch(/reparameteri/);
    expect(byCode.treedepth.remedy).toMatch(/max_treedepth/);
    expect(byCode.ebfmi.message).toMatch(/E-BFMI below 0.3/);
  });

  it('thresholds are adjustable', () => {
    const draws = drawsOf(N, M, { mu: ar1Block(N, M, 0.9, 5) });
    const strict = summarize(draws, null, { essPerChain: 1000 });
    expect(strict.warnings.map((w) => w.code)).toContain('ess_bulk');
    const lax = summarize(draws, null, { essPerChain: 1, rhat: 2 });
    expect(lax.warnings).toEqual([]);
    expect(resolveThresholds({ rhat: 1.05 })).toEqual({ ...DEFAULT_THRESHOLDS, rhat: 1.05 });
    expect(DEFAULT_THRESHOLDS).toEqual({
      rhat: 1.01,
      essPerChain: 100,
      ebfmi: 0.3,
      maxTreeDepth: 10,
    });
  });

  it('never computes R-hat or ESS on names ending __', () => {
    const shifted = good.slice();
    for (let i = 0; i < N; i++) shifted[i] += 3;
    const s = summarize(drawsOf(N, M, { lp__: shifted }));
    expect(s.variables[0].rhat).toBeNaN();
    expect(s.variables[0].ess_bulk).toBeNaN();
    expect(Number.isFinite(s.variables[0].mean)).toBe(true);
    expect(s.warnings).toEqual([]);
  });

  it('constant variables (NaN diagnostics) do not fail checks', () => {
    const s = summarize(drawsOf(N, M, { k: new Float64Array(N * M).fill(1) }));
    expect(s.variables[0].rhat).toBeNaN();
    expect(s.warnings).toEqual([]);
  });
});

describe('summarizeFit', () => {
  it('takes max tree depth, step sizes and timing from the fit', () => {
    const stats = statsOf(N, M, { treedepth__: (d) => (d === 0 ? 8 : 3) });
    const fit: Fit = {
      draws: drawsOf(N, M, { mu: good }),
      stats,
      adaptation: { stepSize: new Float64Array([0.5, 0.6, 0.7, 0.8]), invMetric: [] },
      timing: { warmupSeconds: 1.5, samplingSeconds: 2.5 },
      config: {
        chains: M,
        warmup: 1000,
        draws: N,
        seed: 1,
        adaptDelta: 0.8,
        maxTreeDepth: 8,
        metric: 'diag',
      },
    };
    const s = summarizeFit(fit);
    expect(s.sampler?.max_treedepth).toBe(8);
    expect(s.sampler?.treedepth_hits).toBe(M);
    expect(s.sampler?.step_size).toEqual([0.5, 0.6, 0.7, 0.8]);
    expect(s.sampler?.warmup_seconds).toBe(1.5);
    expect(s.sampler?.sampling_seconds).toBe(2.5);
    expect(s.warnings.map((w) => w.code)).toEqual(['treedepth']);
  });
});

describe('input warnings', () => {
  it('short chains: undefined (N < 6) or uninformative (N <= 11) diagnostics are flagged', () => {
    const short = summarize(drawsOf(8, 4, { mu: ar1Block(8, 4, 0, 1) }));
    const w = short.warnings.find((x) => x.code === 'short_chains');
    expect(w?.message).toMatch(/Only 8 draws per chain: .*not informative/);
    expect(w?.remedy).toMatch(/more draws/);
    const tiny = summarize(drawsOf(3, 4, { mu: ar1Block(3, 4, 0, 1) }));
    expect(tiny.warnings.find((x) => x.code === 'short_chains')?.message).toMatch(/undefined/);
    expect(
      summarize(drawsOf(12, 4, { mu: ar1Block(12, 4, 0, 1) })).warnings.map((x) => x.code),
    ).not.toContain('short_chains');
  });

  it('NaN draws are flagged by name', () => {
    const x = ar1Block(N, M, 0, 1);
    x[17] = Number.NaN;
    const s = summarize(drawsOf(N, M, { ok: good, bad: x }));
    const w = s.warnings.find((v) => v.code === 'nonfinite');
    expect(w?.message).toBe('1 of 2 variables has NaN draws (bad).');
  });

  it('an infinite draw is flagged by name although R-hat and bulk ESS stay finite', () => {
    const x = ar1Block(N, M, 0, 1);
    x[5] = Number.POSITIVE_INFINITY;
    const s = summarize(drawsOf(N, M, { ok: good, inf: x }));
    const row = s.variables.find((r) => r.variable === 'inf');
    // the reported symptom: rank-based diagnostics look fine, tail ESS and MCSE are undefined
    expect(Number.isFinite(row?.rhat)).toBe(true);
    expect(Number.isFinite(row?.ess_bulk)).toBe(true);
    expect(row?.ess_tail).toBeNaN();
    const w = s.warnings.find((v) => v.code === 'infinite');
    expect(w?.message).toBe(
      '1 of 2 variables has infinite draws (inf): their mean, sd, tail ESS and MCSE are undefined.',
    );
    expect(w?.remedy).toMatch(/overflow/);
    // -Inf too; finite draws raise nothing
    x[5] = Number.NEGATIVE_INFINITY;
    expect(summarize(drawsOf(N, M, { inf: x })).warnings.map((v) => v.code)).toContain('infinite');
    expect(summarize(drawsOf(N, M, { ok: good })).warnings.map((v) => v.code)).not.toContain(
      'infinite',
    );
  });
});
