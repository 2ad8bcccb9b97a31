import { digamma, gammaln } from '../math/stdlib.js';
import { priorLogDensity } from './priors.js';
import { logSigmaOf, type ModelState } from './state.js';
import { log1pExp, sigmoid } from './transforms.js';

/**
 * The likelihood of each family on its cells: each adds to and returns the running lp, fills
 * s.gEta = d lp / d eta per cell and adds the gradient of the family parameters (with their
 * priors and the log Jacobians of their transforms). The cells' statistics are exact (model/cells.ts).
 */

/** gaussian/lognormal with sigma: sum_c W_c (M_c - eta_c)^2 + the within-cell sum of squares. */
function gaussianSigma(s: ModelState, theta: Float64Array, grad: Float64Array, lp: number): number {
  const { nCells, M: cM, W: cW, ssConst, totalW } = s.cells;
  const { eta, gEta, pOut } = s;
  const sigmaOff = s.lay.sigmaOff;
  const sigmaPrior = s.priors.sigma;
  const u = logSigmaOf(s, theta);
  const sigma = Math.exp(u);
  const inv2 = 1 / (sigma * sigma);
  let q = ssConst;
  for (let c = 0; c < nCells; c++) {
    const e = cM[c] - eta[c];
    const we = cW[c] * e;
    q += we * e;
    gEta[c] = we * inv2;
  }
  lp += -0.5 * q * inv2 - totalW * u;
  lp += priorLogDensity(sigmaPrior, sigma, pOut) + u;
  grad[sigmaOff] += q * inv2 - totalW + pOut[1] * sigma + 1;
  return lp;
}

/** gaussian with se(): known precision weights W_c, no sigma. */
function gaussianKnown(s: ModelState, lp: number): number {
  const { nCells, M: cM, W: cW } = s.cells;
  const { eta, gEta } = s;
  let q = 0;
  for (let c = 0; c < nCells; c++) {
    const e = cM[c] - eta[c];
    const we = cW[c] * e;
    q += we * e;
    gEta[c] = we;
  }
  lp -= 0.5 * q;
  return lp;
}

/** binomial/bernoulli (logit link): K_c successes of N_c trials. */
function binomial(s: ModelState, lp: number): number {
  const { nCells, K: cK, N: cN } = s.cells;
  const { eta, gEta } = s;
  for (let c = 0; c < nCells; c++) {
    const e = eta[c];
    lp += cK[c] * e - cN[c] * log1pExp(e);
    gEta[c] = cK[c] - cN[c] * sigmoid(e);
  }
  return lp;
}

/** student_t(nu, eta, sigma), one cell per row, nu > 1 sampled as log(nu - 1). */
function student(s: ModelState, theta: Float64Array, grad: Float64Array, lp: number): number {
  const { nCells, Y: cY, W: cW, totalW } = s.cells;
  const { eta, gEta, pOut } = s;
  const { sigmaOff, nuOff } = s.lay;
  const { sigma: sigmaPrior, nu: nuPrior } = s.priors;
  const u = logSigmaOf(s, theta);
  const sigma = Math.exp(u);
  const v = theta[nuOff];
  const nu1 = Math.exp(v);
  const nu = 1 + nu1;
  const s2nu = sigma * sigma * nu;
  let gSigma = 0;
  let gNu = 0;
  let sumLog = 0;
  let sumFrac = 0;
  for (let c = 0; c < nCells; c++) {
    const r = cY[c] - eta[c];
    const wc = cW[c];
    const den = s2nu + r * r;
    const l1p = Math.log1p((r * r) / s2nu);
    sumLog += wc * l1p;
    gEta[c] = (wc * (nu + 1) * r) / den;
    gSigma += (wc * (nu + 1) * r * r) / (sigma * den);
    sumFrac += (wc * r * r) / (nu * den);
  }
  gSigma -= totalW / sigma;
  const constPart = gammaln(0.5 * (nu + 1)) - gammaln(0.5 * nu) - 0.5 * Math.log(nu) - u;
  lp += totalW * constPart - 0.5 * (nu + 1) * sumLog;
  gNu =
    totalW * (0.5 * digamma(0.5 * (nu + 1)) - 0.5 * digamma(0.5 * nu) - 0.5 / nu) -
    0.5 * sumLog +
    0.5 * (nu + 1) * sumFrac;
  lp += priorLogDensity(sigmaPrior, sigma, pOut) + u;
  grad[sigmaOff] += gSigma * sigma + pOut[1] * sigma + 1;
  lp += priorLogDensity(nuPrior, nu, pOut) + v;
  grad[nuOff] += gNu * nu1 + pOut[1] * nu1 + 1;
  return lp;
}

/** beta(mu phi, (1 - mu) phi) with logit(mu) = eta, one cell per row. */
function beta(s: ModelState, theta: Float64Array, grad: Float64Array, lp: number): number {
  const { nCells, W: cW, logY: cLogY, log1mY: cLog1mY } = s.cells;
  const { eta, gEta, pOut } = s;
  const phiOff = s.lay.phiOff;
  const phiPrior = s.priors.phi;
  const u = theta[phiOff];
  const phi = Math.exp(u);
  let gPhi = 0;
  const dgPhi = digamma(phi);
  const lgPhi = gammaln(phi);
  for (let c = 0; c < nCells; c++) {
    const mu = sigmoid(eta[c]);
    const a = mu * phi;
    const b = (1 - mu) * phi;
    const wc = cW[c];
    const da = -digamma(a) + cLogY[c];
    const db = -digamma(b) + cLog1mY[c];
    lp += wc * (lgPhi - gammaln(a) - gammaln(b) + (a - 1) * cLogY[c] + (b - 1) * cLog1mY[c]);
    gEta[c] = wc * phi * mu * (1 - mu) * (da - db);
    gPhi += wc * (dgPhi + mu * da + (1 - mu) * db);
  }
  lp += priorLogDensity(phiPrior, phi, pOut) + u;
  grad[phiOff] += gPhi * phi + pOut[1] * phi + 1;
  return lp;
}

/**
 * The family's likelihood at the cells' linear predictor s.eta (the integrated-out gaussian term
 * has its own, marginal-term.ts).
 * @example lp = familyLikelihood(state, theta, grad, lp);
 */
export function familyLikelihood(
  s: ModelState,
  theta: Float64Array,
  grad: Float64Array,
  lp: number,
): number {
  switch (s.shape.family) {
    case 'gaussian':
    case 'lognormal':
      return s.shape.hasSigma ? gaussianSigma(s, theta, grad, lp) : gaussianKnown(s, lp);
    case 'binomial':
    case 'bernoulli':
      return binomial(s, lp);
    case 'student':
      return student(s, theta, grad, lp);
    case 'beta':
      return beta(s, theta, grad, lp);
  }
}
