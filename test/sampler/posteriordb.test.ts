import { describe, expect, it } from 'vitest';
import { sample } from '../../src/sampler/sample.js';
import type { MetricKind, ReportingModel } from '../../src/sampler/types.js';
import { moments, statSum } from './helpers/check.js';
import {
  eightSchools,
  kidiq,
  loadFixture,
  type PdbFixture,
  radon,
  seeds,
} from './helpers/posteriordb.js';

// the rule of docs/ARCHITECTURE.md "Testing rules": |mean − ref| < 4 sqrt(mcse² + mcse_ref²) (false alarm ~6e-5 per check for a
// correct sampler; seeds are fixed). The sd is checked to 10% (relative MC error of an sd from
// ESS ≥ 400 draws is ≤ ~4%, so 10% is > 2.5 of its sd even for the heavy-tailed tau).
async function checkAgainstReference(
  fx: PdbFixture,
  model: ReportingModel,
  config: { seed: number; warmup: number; draws: number; adaptDelta?: number; metric: MetricKind },
) {
  const fit = await sample(model, { chains: 4, ...config });
  const names = fx.reference.parameter_names;
  for (const name of names) {
    const v = fit.draws.variables.indexOf(name);
    expect(v, name).toBeGreaterThanOrEqual(0);
    const ref = fx.reference.summary[name];
    const m = moments(fit, v);
    const tol = 4 * Math.sqrt(m.mcseMean ** 2 + ref.mcse_mean ** 2);
    expect(Math.abs(m.mean - ref.mean), `${name} mean ${m.mean} vs ${ref.mean}`).toBeLessThan(tol);
    expect(Math.abs(m.sd / ref.sd - 1), `${name} sd ${m.sd} vs ${ref.sd}`).toBeLessThan(0.1);
  }
  return fit;
}

// Every metric must reproduce the reference posteriors: Stan's adaptation and the Fisher-divergence one
// run the same checks with the same seeds and tolerances.
describe.each(['diag', 'fisher-diag', 'fisher-lowrank'] as const)(
  'posteriordb reference posteriors (hand-written log densities), metric %s',
  (metric) => {
    it('eight schools, non-centred', async () => {
      const fx = loadFixture('eight_schools-eight_schools_noncentered.json');
      const fit = await checkAgainstReference(fx, eightSchools(fx), {
        seed: 8,
        warmup: 1000,
        draws: 2000,
        adaptDelta: 0.9,
        metric,
      });
      // the non-centred form has no funnel; a handful of divergences would point at a bug
      expect(statSum(fit, 'divergent__')).toBeLessThanOrEqual(4);
    });

    it('seeds: hierarchical logistic regression (binomial-logit GLMM)', async () => {
      const fx = loadFixture('seeds_data-seeds_stanified_model.json');
      await checkAgainstReference(fx, seeds(fx), { seed: 21, warmup: 1000, draws: 1500, metric });
    });

    it('radon: varying intercepts, 90 parameters, 919 observations', async () => {
      const fx = loadFixture('radon_mn-radon_hierarchical_intercept_noncentered.json');
      await checkAgainstReference(fx, radon(fx), { seed: 85, warmup: 1000, draws: 1500, metric });
    });

    it('kidiq: linear regression with strongly correlated coefficients', async () => {
      const fx = loadFixture('kidiq-kidscore_momhsiq.json');
      await checkAgainstReference(fx, kidiq(fx), { seed: 434, warmup: 1000, draws: 1000, metric });
    });
  },
);
