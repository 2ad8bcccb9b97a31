import { describe, expect, it } from 'vitest';
import { runCurveCalibration } from '../../src/pipeline/budget-curve-calibration.js';
import { chi2Quantile, rankHistogram } from '../../src/pipeline/calibration.js';

/**
 * Short simulation-based calibration of the budget-curve model (the long run is a section of
 * `npm run validate`). 40 tables from the prior (3 methods x 4 tasks x 2 backbones at 4 budgets,
 * 104 rows), each fitted with 2 chains x 200 warmup + 200 draws. 40 x 12 = 480 method-by-budget
 * 90% intervals: the standard error of the coverage is sqrt(0.9 * 0.1 / 480) = 0.014 (intervals of
 * one table are correlated, so somewhat more).
 *
 * What this can detect: a curve read off the wrong parts (e.g. a backbone contrast or a task term
 * dropped or doubled), a prior in the density that differs from the one simulated, a Jacobian
 * left out (the sd ranks pile up at one end). What it cannot: coverage errors of a few points.
 */
describe('budget-curve model: calibration on data simulated from its prior', () => {
  it('covers the curves ~90% with uniform ranks of the top-level parameters', async () => {
    const r = await runCurveCalibration({
      replications: 40,
      seed: 5,
      sampler: { chains: 2, warmup: 200, draws: 200 },
    });
    expect(r.intervals).toBe(480);
    // nominal 0.90, band 0.85-0.95: +-3.6 standard errors of 0.014 (see above)
    expect(r.coverage).toBeGreaterThan(0.85);
    expect(r.coverage).toBeLessThan(0.95);
    // 4 bins of 10 expected ranks each; the 0.999 quantile of chi-square(3) (16.3): with the 12
    // parameters tested a uniform histogram fails with probability ~1%, a Jacobian or prior
    // error moves a whole bin and exceeds it
    const bar = chi2Quantile(0.999, 3);
    for (const name of ['b_gap', 'b_slope', 'b_curv', 'sigma', 'sd_gap_method:task']) {
      expect(r.ranks[name]).toHaveLength(40);
      const h = rankHistogram(r.ranks[name], r.rankDraws, 4);
      expect(h.chi2, `${name}: ${h.counts.join(' ')}`).toBeLessThan(bar);
    }
    // 40 fits of 1-15 s each (the latter at load 28 on 2 cores); a bound, not a speed check
  }, 900_000);
});
