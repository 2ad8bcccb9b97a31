import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsvFile } from '../../src/data/csv.js';
import { runComparison } from '../../src/pipeline/compare.js';

/**
 * The paired item model against lme4 (fixtures/items/lme4.R: lmer / glmer maximum likelihood with
 * the same formula, R and lme4 versions in fixtures/items/lme4.json) on 8 heuristics x 6 tasks x
 * 80 items. Posterior means are compared with the maximum-likelihood estimates, in posterior sds.
 */
const ref = JSON.parse(readFileSync('fixtures/items/lme4.json', 'utf8')) as Record<
  'gaussian' | 'bernoulli',
  Record<string, number>
>;

describe('paired item model vs lme4', () => {
  for (const family of ['gaussian', 'bernoulli'] as const) {
    it(`${family}: posterior means near the lme4 estimates`, async () => {
      const table = await readCsvFile(`fixtures/items/paired_${family}.csv`);
      const run = await runComparison(table, {
        sampler: { chains: 2, warmup: 500, draws: 1000, seed: 11, parallel: false },
      });
      expect(run.spec.family).toBe(family);
      const row = (v: string) => run.summary.variables.find((r) => r.variable === v)!;
      const r = ref[family];
      const checks: [string, number, number][] = [
        // 480 items and (gaussian) 3,840 residuals: near-normal posteriors whose mean is the
        // maximum-likelihood estimate up to O(1/n) (Bernstein-von Mises), i.e. a small fraction
        // of the posterior sd (O(1/sqrt(n))); 0.5 sd leaves room for the priors and MCMC error.
        // glmer's Laplace approximation (nAGQ = 1) is itself biased for binary data with 8 rows
        // per item (Joe 2008, "Accuracy of Laplace approximation for discrete response mixed
        // models"): 1 sd there.
        ['sd_task:item__Intercept', r['sd_task:item'], family === 'gaussian' ? 0.5 : 1],
        // the overall level and the cell spread (48 cells) depend on the few heuristic and task
        // effects, whose sds the data barely identify: posterior mean and MLE differ by the prior's
        // pull and skewness, within one posterior sd
        ['b_Intercept', r.b_Intercept, 1],
        ['sd_heuristic:task__Intercept', r['sd_heuristic:task'], 1],
      ];
      if (family === 'gaussian') checks.push(['sigma', r.sd_Residual, 0.5]);
      for (const [name, mle, tol] of checks) {
        const x = row(name);
        expect(
          Math.abs(x.mean - mle),
          `${name}: mean ${x.mean} sd ${x.sd} lme4 ${mle}`,
        ).toBeLessThan(tol * x.sd);
      }
    });
  }
});
