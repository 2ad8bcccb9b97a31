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
 * The beta-binomial log pmf of k successes of n trials at logit(mu) = eta and precision phi,
 * constant included: log C(n, k) + lbeta(k + a, n - k + b) - lbeta(a, b), a = mu phi, b = (1 - mu) phi.
 * @example betaBinomialLogPmf(3, 10, 0, 1e6) // ~ the binomial's log(C(10, 3) / 2^10)
 */
export function betaBinomialLogPmf(k: number, n: number, eta: number, phi: number): number {
  const mu = sigmoid(eta);
  const a = mu * phi;
  const b = (1 - mu) * phi;
  return (
    gammaln(n + 1) -
    gammaln(k + 1) -
    gammaln(n - k + 1) +
    gammaln(k + a) +
    gammaln(n - k + b) -
    gammaln(n + phi) -
    gammaln(a) -
    gammaln(b) +
    gammaln(phi)
  );
}

/**
 * Counts up to which lgamma(x + m) - lgamma(x) and digamma(x + m) - digamma(x) are summed from
 * Gamma(x + 1) = x Gamma(x) (exact: m terms log(x + j) and 1 / (x + j)) rather than taken from two
 * calls each of @stdlib's gammaln and digamma: one such pair of calls cost about as much as ~100
 * steps of the sums (gradient of the RULER model: 56-58 us with the sums up to 96, 108-122 with
 * @stdlib only; BENCHMARKS.md §9.7).
 */
const SUM_M_MAX = 100;

/** Above this x the products of the summed form could overflow: @stdlib's functions are used. */
const SUM_X_MAX = 1e6;

/** Scratch for lgammaStep's second result (digamma(x + m) - digamma(x)). */
const stepOut = new Float64Array(1);

/**
 * lgamma(x + m) - lgamma(x) for a whole m >= 0 and x > 0; digamma(x + m) - digamma(x) into
 * stepOut[0]. Small m: the recurrence Gamma(x + 1) = x Gamma(x) (DLMF 5.5.1) summed exactly, the
 * product of the factors taken in blocks so that one log serves many of them; else @stdlib's.
 */
function lgammaStep(x: number, m: number): number {
  if (m <= SUM_M_MAX && x < SUM_X_MAX) {
    // Four interleaved products P_i = prod (x + j) over j = i mod 4 and their derivatives
    // D_i = dP_i/dx (product rule), so sum 1 / (x + j) = sum D_i / P_i: one division per product,
    // and four independent chains of multiplications instead of one. p3 >= p2 >= p1 >= p0 (larger
    // factors) and d0 / p0 is the largest of the d_i / p_i (its 1 / x); each pass multiplies a
    // product by a factor < 1e6 + m, so closing the blocks into the log when p3 or d0 pass 1e200
    // (or p0, by a tiny x, falls below 1e-200) keeps every one finite and nonzero.
    let lg = 0;
    let dg = 0;
    let p0 = 1;
    let p1 = 1;
    let p2 = 1;
    let p3 = 1;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const f0 = x + j;
      const f1 = f0 + 1;
      const f2 = f0 + 2;
      const f3 = f0 + 3;
      d0 = d0 * f0 + p0;
      p0 *= f0;
      d1 = d1 * f1 + p1;
      p1 *= f1;
      d2 = d2 * f2 + p2;
      p2 *= f2;
      d3 = d3 * f3 + p3;
      p3 *= f3;
      if (p3 > 1e200 || d0 > 1e200 || p0 < 1e-200) {
        lg += Math.log(p0) + Math.log(p1) + Math.log(p2) + Math.log(p3);
        dg += d0 / p0 + d1 / p1 + d2 / p2 + d3 / p3;
        p0 = p1 = p2 = p3 = 1;
        d0 = d1 = d2 = d3 = 0;
      }
    }
    for (; j < m; j++) {
      const f = x + j;
      d0 = d0 * f + p0;
      p0 *= f;
    }
    stepOut[0] = dg + d0 / p0 + d1 / p1 + d2 / p2 + d3 / p3;
    return lg + Math.log(p0 * p1) + Math.log(p2 * p3);
  }
  stepOut[0] = digamma(x + m) - digamma(x);
  return gammaln(x + m) - gammaln(x);
}

/**
 * beta_binomial(N, mu phi, (1 - mu) phi) with logit(mu) = eta, one cell per row (brms 2.18
 * `beta_binomial()`, Stan's beta_binomial_lpmf): the binomial's success probability drawn from
 * Beta(mu phi, (1 - mu) phi) and integrated out exactly, so E[K/N] = mu and
 * Var[K/N] = mu (1 - mu) (1 + (N - 1) / (phi + 1)) / N. Up to the constant log C(N, K),
 * log p = [lgamma(K + a) - lgamma(a)] + [lgamma(N - K + b) - lgamma(b)] - [lgamma(N + phi) -
 * lgamma(phi)], a = mu phi, b = (1 - mu) phi; its derivatives are the same with digamma. The
 * last bracket depends on N only (cached while N repeats, as it does for items per task).
 */
function betaBinomial(s: ModelState, theta: Float64Array, grad: Float64Array, lp: number): number {
  const { nCells, W: cW, K: cK, N: cN } = s.cells;
  const { eta, gEta, pOut } = s;
  const phiOff = s.lay.phiOff;
  const u = theta[phiOff];
  const phi = Math.exp(u);
  let gPhi = 0;
  let lastN = -1;
  let lgN = 0;
  let dgN = 0;
  for (let c = 0; c < nCells; c++) {
    const n = cN[c];
    if (n !== lastN) {
      lgN = lgammaStep(phi, n);
      dgN = stepOut[0];
      lastN = n;
    }
    const mu = sigmoid(eta[c]);
    const k = cK[c];
    const wc = cW[c];
    const lgA = lgammaStep(mu * phi, k);
    const dgA = stepOut[0];
    const lgB = lgammaStep((1 - mu) * phi, n - k);
    const dgB = stepOut[0];
    lp += wc * (lgA + lgB - lgN);
    gEta[c] = wc * phi * mu * (1 - mu) * (dgA - dgB);
    gPhi += wc * (mu * dgA + (1 - mu) * dgB - dgN);
  }
  lp += priorLogDensity(s.priors.phi, phi, pOut) + u;
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
    case 'beta_binomial':
      return betaBinomial(s, theta, grad, lp);
  }
}
