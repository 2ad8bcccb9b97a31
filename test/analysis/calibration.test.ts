import { describe, expect, it } from 'vitest';
import { createNormalRng } from '../../src/analysis/random.js';
import {
  BACKBONE_SIM_DESIGN,
  rankHistogram,
  runCalibration,
  simulateBenchmark,
} from '../../src/pipeline/calibration.js';

/**
 * Short calibration run (the long one with SBC rank histograms is `npm run validate`).
 *
 * 40 simulated benchmarks from the default model's prior (4 heuristics, 3 categories x 2 tasks,
 * 2 seeds per cell, 48 rows), each fitted with 2 chains x 300 warmup + 300 draws (~0.3 s each).
 * 40 x 12 = 480 heuristic-by-category 90% intervals: the standard error of the coverage is
 * sqrt(0.9 * 0.1 / 480) = 0.014 (intervals within a replication are correlated, so somewhat more).
 *
 * What this can detect: a coverage off by more than ~5 points (outside 0.85-0.95), e.g. cell means
 * built from the wrong terms, a marginalization that loses or doubles a variance component,
 * intervals from the wrong quantiles, a sign error in the decision rule or ROPE. What it cannot
 * detect: coverage errors of a few points, tail miscalibration (SBC ranks), or a wrong-call rate
 * between 5% and 8%; the long run in bench/validate.ts (400 replications) covers those.
 */
describe('calibration on data simulated from the prior', () => {
  it('covers the heuristic-by-category truth ~90% and rarely makes wrong calls', async () => {
    const r = await runCalibration({
      replications: 40,
      sampler: { chains: 2, warmup: 300, draws: 300 },
      seed: 7,
    });
    expect(r.intervals).toBe(480);
    // nominal 0.90, the band 0.85-0.95: +-3.6 standard errors of 0.014 (see above)
    expect(r.coverage).toBeGreaterThan(0.85);
    expect(r.coverage).toBeLessThan(0.95);
    expect(r.calls).toBeGreaterThan(100);
    // stated rate 1 - 0.95 = 0.05 on average (the long run measured 0.1%); with a few hundred
    // correlated calls, 0.08 leaves room for Monte Carlo noise and still catches a broken rule
    expect(r.wrongRate).toBeLessThanOrEqual(0.08);
  });
});

describe('calibration of the backbone model (2 backbones, one row per cell)', () => {
  it('covers the heuristic-by-category truth (averaged over backbones) ~90%', async () => {
    const r = await runCalibration({
      replications: 40,
      design: BACKBONE_SIM_DESIGN,
      sampler: { chains: 2, warmup: 300, draws: 300 },
      seed: 11,
    });
    expect(r.intervals).toBe(480);
    // the same band and standard error as the default model above (480 intervals)
    expect(r.coverage).toBeGreaterThan(0.85);
    expect(r.coverage).toBeLessThan(0.95);
    // the backbone variance components are sampled and ranked (SBC in bench/validate.ts)
    expect(Object.keys(r.ranks)).toContain('sd_heuristic:backbone__Intercept');
    expect(Object.keys(r.ranks)).toContain('sd_task:backbone__Intercept');
    expect(r.wrongRate).toBeLessThanOrEqual(0.08); // as above
  }, 300_000); // a guard, not a speed test: 40 fits of the backbone model reached 120 s under load
});

describe('simulation and rank histogram helpers', () => {
  it('simulates the design and keeps the truth consistent with the rows', () => {
    const sim = simulateBenchmark(
      { heuristics: 2, categories: 1, tasksPerCategory: 2, seeds: 1 },
      { interceptSd: 1, sdScale: 1, sigmaScale: 1e-9 },
      createNormalRng(3),
    );
    expect(sim.table.nRows).toBe(4);
    // with sigma ~ 0 the category mean of heuristic h1 is the mean of its two scores
    const score = sim.table.columns.score;
    const h = sim.table.columns.heuristic;
    if (score.type !== 'numeric' || h.type !== 'factor') throw new Error('columns');
    const rows = Array.from(h.codes).flatMap((c, i) =>
      h.levels[c] === 'h1' ? [score.values[i]] : [],
    );
    // sigma 1e-9: the rows equal the cell means up to ~1e-9
    expect(sim.categoryMeans[0]).toBeCloseTo((rows[0] + rows[1]) / 2, 6);
  });

  it('bins ranks and computes the chi-square statistic', () => {
    const h = rankHistogram([0, 10, 50, 99], 99, 2);
    expect(h.counts).toEqual([2, 2]);
    expect(h.chi2).toBe(0);
    expect(h.df).toBe(1);
  });
});
