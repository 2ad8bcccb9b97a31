/**
 * Posterior predictive replication: one replicated data set per parameter draw, for posterior
 * predictive checks (BDA3 §6.3). Uses the family's generative model at the rows of the data.
 */
import { gammaVariate } from '../math/gamma-variate.js';
import type { Rng } from '../math/rng.js';
import type { Model } from './compile.js';

/**
 * One replicated data set y_rep (length = rows of the model's table) at the unconstrained point theta.
 * gaussian: eta + sigma * N(0, 1) (or the known se); student: eta + sigma * t_nu; binomial/bernoulli:
 * counts with p = logit^-1(eta); beta: Beta(mu * phi, (1 - mu) * phi); beta_binomial: counts with p
 * drawn from that beta; lognormal: exp(eta + sigma * N(0, 1)).
 *
 * @example
 * const rng = createRng(1, 0);
 * const yrep = posteriorPredict(model, theta, rng); // Float64Array(table.nRows)
 */
export function posteriorPredict(model: Model, theta: Float64Array, rng: Rng): Float64Array {
  const { design: d } = model.internals;
  const n = d.nRows;
  const eta = new Float64Array(n);
  model.internals.rowEta(theta, eta);
  const { sigma, nu, phi } = model.internals.familyParams(theta);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = eta[i];
    switch (model.family) {
      case 'gaussian':
        out[i] = e + (d.se ? d.se[i] : sigma) * rng.normal();
        break;
      case 'lognormal':
        out[i] = Math.exp(e + sigma * rng.normal());
        break;
      case 'student': {
        const chi2 = 2 * gammaVariate(nu / 2, rng);
        out[i] = e + (sigma * rng.normal()) / Math.sqrt(chi2 / nu);
        break;
      }
      case 'binomial':
      case 'bernoulli':
        out[i] = binomialDraw(d.trials ? d.trials[i] : 1, 1 / (1 + Math.exp(-e)), rng);
        break;
      case 'beta_binomial': {
        const mu = 1 / (1 + Math.exp(-e));
        const a = gammaVariate(mu * phi, rng);
        const b = gammaVariate((1 - mu) * phi, rng);
        // both variates underflow to 0 only at a tiny phi; the beta's mean is then the draw's p
        out[i] = binomialDraw(d.trials ? d.trials[i] : 1, a + b > 0 ? a / (a + b) : mu, rng);
        break;
      }
      case 'beta': {
        const mu = 1 / (1 + Math.exp(-e));
        const a = gammaVariate(mu * phi, rng);
        const b = gammaVariate((1 - mu) * phi, rng);
        out[i] = a / (a + b);
        break;
      }
    }
  }
  return out;
}

/** k successes of `trials` Bernoulli(p) draws (one uniform each). */
function binomialDraw(trials: number, p: number, rng: Rng): number {
  let k = 0;
  for (let t = 0; t < trials; t++) if (rng.uniform() < p) k++;
  return k;
}
