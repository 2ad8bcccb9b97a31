import { describe, expect, it } from 'vitest';
import { chi2Quantile, rankHistogram } from '../../src/pipeline/calibration.js';
import { runItemCalibration } from '../../src/pipeline/item-calibration.js';

/**
 * Simulation-based calibration of the paired item model through compare, at a modest size (the
 * 85-95% target with 100 replications per family is in VALIDATION.md, `npm run validate`).
 */
describe('paired item model: simulation-based calibration (small)', () => {
  it('covers the truth about 90% of the time with uniform ranks, both families', async () => {
    let covered = 0;
    let intervals = 0;
    for (const family of ['gaussian', 'bernoulli'] as const) {
      const r = await runItemCalibration({
        family,
        replications: 20,
        heuristics: 3,
        tasks: 3,
        items: 20,
        seed: family === 'gaussian' ? 41 : 42,
        rankDraws: 99,
      });
      covered += r.covered;
      intervals += r.intervals;
      for (const [name, ranks] of Object.entries(r.ranks)) {
        const h = rankHistogram(ranks, r.rankDraws, 5);
        // 5 bins of 20 ranks: chi-square with 4 df; reject uniformity at p < 0.001 (about 13
        // quantities in all: a false alarm below 1.5%)
        expect(h.chi2, `${family} ${name}: ${h.counts.join(' ')}`).toBeLessThan(
          chi2Quantile(0.999, h.df),
        );
      }
    }
    // 160 intervals (2 families x 20 replications x (3 tasks + the average)): 4 binomial sds
    // around 0.9 is 0.80-1.0 (intervals of one replication share its scales, so the true spread is
    // wider than binomial); below 0.8 or at 100% the intervals are miscalibrated
    const coverage = covered / intervals;
    expect(coverage).toBeGreaterThan(0.8);
    expect(coverage).toBeLessThan(0.99);
  }, 1_800_000);
});
