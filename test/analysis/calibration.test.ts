import { describe, expect, it } from 'vitest';
import {
  rankHistogram,
  runCalibration,
  simulateBenchmark,
} from '../../src/analysis/calibration.js';
import { createNormalRng } from '../../src/analysis/random.js';

/**
 * Short calibration run (the long one with SBC rank histograms is `npm run validate`).
 *
 * 16 simulated benchmarks from the default model's prior (4 heuristics, 3 categories x 2 tasks,
 * 2 seeds per cell, 48 rows), each fitted with 2 chains x 300 warmup + 300 draws (~2 s each).
 * 16 x 12 = 192 heuristic-by-category 90% intervals: the standard error of the coverage is
 * sqrt(0.9 * 0.1 / 192) = 0.022 (intervals within a replication are correlated, so somewhat more).
 *
 * What this can detect: a coverage far from 90% (below ~0.78 or above ~0.98), e.g. cell means
 * built from the wrong terms, a marginalization that loses or doubles a variance component,
 * intervals from the wrong quantiles, a sign error in the decision rule or ROPE. What it cannot
 * detect: coverage errors of a few points, tail miscalibration, or a wrong-call rate between 5%
 * and ~12% (too few confident calls); the long run in bench/validate.ts covers those.
 */
describe('calibration on data simulated from the prior', () => {
  it('covers the heuristic-by-category truth ~90% and rarely makes wrong calls', async () => {
    const r = await runCalibration({
      replications: 16,
      sampler: { chains: 2, warmup: 300, draws: 300 },
      seed: 7,
    });
    expect(r.intervals).toBe(192);
    // nominal 0.90; +-3.5 standard errors of 0.022 (see above)
    expect(r.coverage).toBeGreaterThan(0.78);
    expect(r.coverage).toBeLessThan(0.98);
    expect(r.calls).toBeGreaterThan(20);
    // stated rate 1 - 0.95 = 0.05 on average; with ~100-200 correlated calls allow up to 0.12
    expect(r.wrongRate).toBeLessThanOrEqual(0.12);
  });
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
