import { describe, expect, it } from 'vitest';
import { runCurveCalibration } from '../../src/pipeline/budget-curve-calibration.js';

/**
 * A short simulation-based calibration of the budget-curve model: the long run (coverage of the
 * 90% intervals 85-95%, uniform SBC ranks of the top-level parameters, 4 chains per fit) is a
 * section of `npm run validate` (bench/validate.ts; figures in VALIDATION.md). Here 8 tables from
 * the prior (3 methods x 4 tasks x 2 backbones at 4 budgets, 104 rows), each fitted with 2 chains
 * x 120 warmup + 120 draws: 8 x 12 = 96 method-by-budget 90% intervals of the curve.
 *
 * What this can detect: a curve read off the wrong parts (a backbone contrast, a task term or
 * the integrated-out full-cache score dropped or doubled) puts the truth outside most intervals;
 * intervals blown up (e.g. a prior scale off by a factor) cover every time. What it cannot:
 * coverage errors of a few points, or rank non-uniformity (the validate run checks both).
 */
describe('budget-curve model: short calibration on data simulated from its prior', () => {
  it('covers the true curves at about the nominal 90%', async () => {
    const r = await runCurveCalibration({
      replications: 8,
      seed: 7,
      sampler: { chains: 2, warmup: 120, draws: 120 },
    });
    expect(r.intervals).toBe(96);
    // nominal 0.90; the standard error with 96 intervals is 0.03 if independent, more because a
    // table's 12 intervals share its parameters: 0.72 is ~3.5 standard errors below (a wrong
    // curve part gives coverage near 0); all 96 covered has probability 0.9^96 ~ 4e-5 if
    // independent (intervals far too wide)
    expect(r.coverage, `${r.covered} of ${r.intervals}`).toBeGreaterThan(0.72);
    expect(r.covered).toBeLessThan(r.intervals);
  }, 120_000);
});
