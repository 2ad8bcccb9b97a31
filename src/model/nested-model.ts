import { hashNormals } from '../math/hash-normals.js';
import { createNormalRng } from '../math/normal-rng.js';
import type { ReportingModel } from '../sampler/types.js';
import { levelBackward, levelForward } from './geometry/marginal-chain.js';
import { basisApply, basisTranspose } from './geometry/nested-basis.js';
import type { NestedData } from './nested-data.js';
import { type NestedState, nestedState } from './nested-state.js';
import { priorLogDensity } from './priors.js';
import type { CompiledModel, Family, GroupInfo, ModelSpec } from './spec.js';

/**
 * The nested-chain model (compileModel's `marginalize: 'nested'`): a gaussian model with the
 * heuristic x task effect, and the heuristic-specific terms it nests in, integrated out exactly
 * (Rao-Blackwellized; geometry/marginal-chain.ts) and the other varying intercepts sampled as a
 * centred level plus contrasts (geometry/nested-basis.ts).
 *
 * Why: benchmark tables often hold one number per heuristic x task cell. Then the cell effect
 * r_heuristic:task and the residual sigma are only identified through sd^2 + sigma^2, and sampling
 * the non-centred z's of that term next to sigma makes funnels: divergences, E-BFMI < 0.3, R-hat
 * > 1.01 and tree depth 10 on the Tay LRA table with the plain model. For a cell c with rows i,
 * residuals e_i = y_i - eta_i, weights w_i = 1 / (sigma^2 + se_i^2), W = sum w_i,
 * S = sum w_i e_i and tau = sd_heuristic:task,
 *
 *   log p(y_c | eta, sigma, tau) = 1/2 sum log w_i - 1/2 sum w_i e_i^2 + 1/2 k S^2 - 1/2 log(1 + W tau^2)
 *
 * with k = tau^2 / (1 + W tau^2) (constants dropped), and the coarser levels of the chain follow
 * by the same rule. The effects come back exactly: r_c = k S + sqrt(k) xi_c with xi_c from
 * math/hash-normals.ts, reported under its brms name. The joint posterior of all reported variables
 * is the plain model's; only the geometry the sampler sees changes. Priors, group levels and brms
 * names come from the compiled model the data were taken from (nested-data.ts).
 */

/** The nested-chain model: a ReportingModel with the reference model's variable names. */
export interface NestedModel extends ReportingModel {
  readonly groups: readonly GroupInfo[];
  readonly parameterNames: readonly string[];
  readonly priors: CompiledModel['priors'];
  readonly family: Family;
  readonly spec: ModelSpec;
  /** The statistics the model was built from (rows collapsed into cells). */
  readonly data: NestedData;
  /**
   * Starting points for `chains` chains: the overall level at the mean score, every scale at half
   * the scores' sd, standardized effects uniform on (-1, 1) (seeded). Random inits on (-2, 2) put
   * the overall level near 0 while scores sit near 50, and a chain can then spend its warmup
   * collapsing its step size (seen on the Tay table).
   */
  inits(chains: number, seed: number): Float64Array[];
}

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/nested-model\.([cm]?[jt]s)$/, '/rebuild.$1');

/**
 * eta (per cell) without the integrated terms. theta[0] is mu* = Intercept + sum_g mean_l(r_g[l]),
 * the well-identified overall level: each sampled group enters through z - mean(z), so the ridge
 * "intercept up, every task effect down" (badly conditioned when a few tasks sit far apart, as in
 * LRA) is gone. b_Intercept = mu* - sum_g sd_g mean(z_g); the map has unit Jacobian.
 */
function computeEta(s: NestedState, theta: Float64Array): void {
  const { terms, c0, eta, zMean, kernels } = s;
  eta.fill(theta[0]);
  terms.forEach((t, k) => {
    // the group mean is identified by its prior only: non-centred, m = sd / (c0 sqrt(n)) m~
    const m = (Math.exp(theta[t.sdOff]) * theta[t.zOff]) / (c0 * Math.sqrt(t.n));
    zMean[k] = m;
    basisApply(t.basis, theta, t.zOff + 1, t.u);
    // contrasts: centred (v as is) or non-centred (v = sd / c0 v~)
    const f = t.centred ? 1 : Math.exp(theta[t.sdOff]) / c0;
    for (let l = 0; l < t.n; l++) t.u[l] = f * t.u[l] + m;
    kernels.addTerm[k](c0, m);
  });
}

/** brms's b_Intercept at theta (computeEta must have run). */
function interceptOf(s: NestedState, theta: Float64Array): number {
  const { terms, c0, zMean } = s;
  let b = theta[0];
  for (let k = 0; k < terms.length; k++) b -= c0 * zMean[k];
  return b;
}

/** Forward pass up the chain; returns the log density of the data given eta and the scales. */
function forward(s: NestedState): number {
  const { levels, top, L, v } = s;
  let lp = s.kernels.data();
  for (let k = 0; k < L; k++) {
    const lv = levels[k];
    const up = k + 1 < L ? levels[k + 1] : top;
    up.A.fill(0);
    up.B.fill(0);
    lp += levelForward(lv.A, lv.B, lv.p, lv.n, v[k], up.nodeOfChild, up.A, up.B);
  }
  return lp;
}

/**
 * The sampled terms' part of the gradient: d lp / d eta to each term's level effects, back to its
 * (mean, basis) coordinates, with its prior; adds to and returns lp.
 */
function termsBackward(
  s: NestedState,
  theta: Float64Array,
  grad: Float64Array,
  dB0: number,
  lp: number,
): number {
  const { terms, c0, pg, kernels } = s;
  for (let ti = 0; ti < terms.length; ti++) {
    const t = terms[ti];
    const sd = Math.exp(theta[t.sdOff]);
    const prec = (c0 * c0) / (sd * sd);
    const gTot = kernels.scatter[ti](c0);
    for (let l = 0; l < t.n; l++) t.gu[l] -= (c0 * (gTot + dB0)) / t.n;
    // back to (mean m~, basis coordinates): u = m + f Q v, m = sd m~ / (c0 sqrt n)
    const mt = theta[t.zOff];
    const m = (sd * mt) / (c0 * Math.sqrt(t.n));
    const f = t.centred ? 1 : sd / c0;
    let gm = 0;
    let gf = 0; // d/d log sd through f (non-centred contrasts: u - m is proportional to sd)
    for (let l = 0; l < t.n; l++) {
      gm += t.gu[l];
      gf += t.gu[l] * (t.u[l] - m);
      t.gu[l] *= f;
    }
    basisTranspose(t.basis, t.gu, grad, t.zOff + 1);
    let vv = 0;
    for (let k = 1; k < t.n; k++) vv += theta[t.zOff + k] ** 2;
    if (t.centred) {
      // prior r = c0 u ~ N(0, sd^2 I) with the Jacobian of m~ -> m (Q orthonormal: |Q v| = |v|):
      // -(n - 1) log sd - m~^2 / 2 - c0^2 |v|^2 / (2 sd^2)
      for (let k = 1; k < t.n; k++) grad[t.zOff + k] -= prec * theta[t.zOff + k];
      lp += -(t.n - 1) * theta[t.sdOff] - 0.5 * prec * vv;
      grad[t.sdOff] += -(t.n - 1) + prec * vv;
    } else {
      // non-centred: v~ ~ N(0, I)
      for (let k = 1; k < t.n; k++) grad[t.zOff + k] -= theta[t.zOff + k];
      lp -= 0.5 * vv;
      grad[t.sdOff] += gf;
    }
    lp -= 0.5 * mt * mt;
    grad[t.zOff] += (gm * sd) / (c0 * Math.sqrt(t.n)) - mt;
    lp += priorLogDensity(t.prior, sd, pg) + theta[t.sdOff];
    grad[t.sdOff] += gm * m + sd * pg[1] + 1;
  }
  return lp;
}

/** The log density and gradient in the inner coordinates phi (log sigma, log tau; see toPhi). */
function innerLogDensityGradient(s: NestedState, theta: Float64Array, grad: Float64Array): number {
  const { levels, top, dim, sigmaOff, pIntercept, pSigma, L, v, vbar, pg, hasSigma } = s;
  grad.fill(0);
  computeEta(s, theta);
  for (let k = 0; k < L; k++) {
    const sd = Math.exp(theta[levels[k].logSdOff]);
    v[k] = sd * sd;
  }
  const sigma = hasSigma ? Math.exp(theta[sigmaOff]) : 0;
  const sigma2 = sigma * sigma;
  s.kernels.weights(sigma2);
  let lp = forward(s);
  // backward pass down the chain
  for (let k = L - 1; k >= 0; k--) {
    const lv = levels[k];
    const up = k + 1 < L ? levels[k + 1] : top;
    vbar[k] = levelBackward(lv, v[k], up.nodeOfChild, up.Abar, up.Bbar);
  }
  // per cell: d lp / d eta and the sigma^2 adjoint (nested-kernels.ts)
  s.kernels.cellGradient(hasSigma, s.gCell);
  const gMu = s.gCell[0];
  const gSigma2 = s.gCell[1];
  // chain rule to the overall level and the sampled group effects
  grad[0] += gMu;
  const b0 = interceptOf(s, theta);
  lp += priorLogDensity(pIntercept, b0, pg);
  const dB0 = pg[1];
  grad[0] += dB0;
  lp = termsBackward(s, theta, grad, dB0, lp);
  for (let k = 0; k < L; k++) {
    const off = levels[k].logSdOff;
    const sd = Math.exp(theta[off]);
    lp += priorLogDensity(levels[k].prior, sd, pg) + theta[off];
    grad[off] += 2 * v[k] * vbar[k] + sd * pg[1] + 1;
  }
  if (hasSigma) {
    lp += priorLogDensity(pSigma, sigma, pg) + theta[sigmaOff];
    grad[sigmaOff] += 2 * sigma2 * gSigma2 + sigma * pg[1] + 1;
  }
  if (!Number.isFinite(lp)) return Number.NEGATIVE_INFINITY;
  // an overflowing scale (exp of a huge log sd early in warmup) can leave lp finite while the
  // gradient is not: report off-support so the sampler rejects the step instead of moving to NaN
  for (let j = 0; j < dim; j++) if (!Number.isFinite(grad[j])) return Number.NEGATIVE_INFINITY;
  return lp;
}

/** Reported variables at phi: sampled terms, scales, and the chain's effects drawn top-down. */
function innerWriteVariables(s: NestedState, theta: Float64Array, out: Float64Array): void {
  const { terms, levels, slotOf, sigmaOff, xi, L, v, c0, hasSigma, sdSlot, rSlot } = s;
  out.fill(Number.NaN);
  const set = (name: string, x: number) => {
    const k = slotOf.get(name);
    if (k !== undefined) out[k] = x;
  };
  computeEta(s, theta);
  set('b_Intercept', interceptOf(s, theta));
  terms.forEach((t, k) => {
    const sd = Math.exp(theta[t.sdOff]);
    if (sdSlot[k] >= 0) out[sdSlot[k]] = sd;
    for (let l = 0; l < t.n; l++) if (rSlot[k][l] >= 0) out[rSlot[k][l]] = c0 * t.u[l];
  });
  for (let k = 0; k < L; k++) {
    const sd = Math.exp(theta[levels[k].logSdOff]);
    v[k] = sd * sd;
    set(`sd_${levels[k].g.group}__Intercept`, sd);
  }
  const sigma = hasSigma ? Math.exp(theta[sigmaOff]) : 0;
  if (hasSigma) set('sigma', sigma);
  s.kernels.weights(sigma * sigma);
  forward(s);
  hashNormals(theta, xi);
  // effects top-down: r ~ N(kappa (B - A R), kappa), R = sum of the ancestors' effects
  for (let k = L - 1; k >= 0; k--) {
    const lv = levels[k];
    const up = k + 1 < L ? levels[k + 1] : null;
    for (let j = 0; j < lv.n; j++) {
      const R = up ? up.r[up.nodeOfChild[j]] : 0;
      const kap = v[k] * lv.p[j];
      const own = kap * (lv.B[j] - lv.A[j] * R) + Math.sqrt(kap) * xi[lv.xiOff + j];
      lv.r[j] = R + own; // keep the running sum for the children
      if (lv.slot[j] >= 0) out[lv.slot[j]] = own;
    }
  }
}

/** phi (into s.phi) from the sampled theta; returns the share pi when useShare. */
function toPhi(s: NestedState, theta: Float64Array): number {
  const { sigmaOff, cellTauOff, useShare, phi, scaled, sigmaScale, sigmaLoc, tauScale } = s;
  phi.set(theta);
  if (scaled) {
    phi[sigmaOff] = sigmaLoc + sigmaScale * theta[sigmaOff];
    phi[cellTauOff] = tauScale * theta[cellTauOff];
  }
  if (!useShare) return 0;
  const logNu = theta[sigmaOff];
  const rho = theta[cellTauOff];
  const pi = 1 / (1 + Math.exp(-rho));
  // log(pi) and log(1 - pi) without cancellation
  const logPi = -Math.log1p(Math.exp(-rho));
  const log1mPi = -Math.log1p(Math.exp(rho));
  phi[sigmaOff] = logNu + 0.5 * log1mPi;
  phi[cellTauOff] = logNu + 0.5 * logPi;
  return pi;
}

/** The log density and gradient at the sampled theta (chain rule through toPhi). */
function logDensityGradient(s: NestedState, theta: Float64Array, grad: Float64Array): number {
  const { sigmaOff, cellTauOff, useShare, phi, scaled, sigmaScale, tauScale } = s;
  const pi = toPhi(s, theta);
  const lp = innerLogDensityGradient(s, phi, grad);
  if (useShare && Number.isFinite(lp)) {
    const gs = grad[sigmaOff];
    const gt = grad[cellTauOff];
    grad[sigmaOff] = gs + gt;
    grad[cellTauOff] = -0.5 * pi * gs + 0.5 * (1 - pi) * gt;
  }
  if (scaled) {
    grad[sigmaOff] *= sigmaScale;
    grad[cellTauOff] *= tauScale;
  }
  return lp;
}

/** Reported variables at the sampled theta. */
function writeVariables(s: NestedState, theta: Float64Array, out: Float64Array): void {
  const { phi } = s;
  toPhi(s, theta);
  innerWriteVariables(s, phi, out);
}

/**
 * Starting points for `chains` chains: the overall level at the mean score, every scale at half
 * the scores' sd, standardized effects near 0 (seeded).
 */
function inits(s: NestedState, chains: number, seed: number): Float64Array[] {
  const { terms, dim, sigmaOff, logSdOffs, yMean, ySd, cellTauOff, useShare, scaled, tauScale } = s;
  return Array.from({ length: chains }, (_, c) => {
    const rng = createNormalRng(seed * 7919 + c + 1);
    const th = new Float64Array(dim);
    const u = () => Math.tanh(rng.normal()); // in (-1, 1)
    for (let j = 0; j < dim; j++) th[j] = u();
    th[0] = yMean + 0.1 * ySd * u();
    for (const t of terms) for (let l = 0; l < t.n; l++) th[t.zOff + l] = 0.1 * u();
    for (const t of terms) th[t.zOff] = 0;
    const logScale = Math.log(0.5 * ySd);
    for (const t of terms) th[t.sdOff] = logScale + 0.3 * u();
    for (const off of logSdOffs) th[off] = logScale + 0.3 * u();
    if (sigmaOff >= 0) th[sigmaOff] = logScale + 0.3 * u();
    if (useShare) th[cellTauOff] = 0.5 * u(); // share of tau^2 near 1/2
    if (scaled) {
      // sigma near the pooled within-cell sd (a few posterior sds away), tau as the others
      th[sigmaOff] = 3 * u();
      th[cellTauOff] /= tauScale;
    }
    return th;
  });
}

/**
 * The nested-chain model from its compact statistics (in-process and in sampler workers alike, so
 * both run the same function on the same numbers: bit-identical draws).
 * @example const m = buildNestedModel(nestedData(compileModel(spec, table), table));
 */
export function buildNestedModel(data: NestedData): NestedModel {
  const s = nestedState(data);
  return {
    dim: s.dim,
    parameterNames: s.parameterNames,
    variableNames: s.variableNames,
    inits: (chains: number, seed: number) => inits(s, chains, seed),
    groups: data.groups,
    priors: data.priors,
    spec: data.spec,
    family: 'gaussian',
    data,
    logDensityGradient: (theta: Float64Array, grad: Float64Array) =>
      logDensityGradient(s, theta, grad),
    writeVariables: (theta: Float64Array, out: Float64Array) => writeVariables(s, theta, out),
    // Deterministic from its compact data, so the sampler can rebuild it in a worker thread per
    // chain in O(cells) (same draws, bit for bit, as in-process) instead of shipping the table.
    source: {
      kind: 'module',
      path: REBUILD_MODULE,
      exportName: 'rebuildModel',
      args: { kind: 'nested', data },
    },
  };
}

/**
 * Whether a model of this layer is the nested-chain model (compileModel with `marginalize:
 * 'nested'` returns it when the spec has its shape).
 * @example isNestedModel(compileModel(spec, table, { marginalize: 'nested' }))
 */
export function isNestedModel(m: ReportingModel): m is NestedModel {
  return 'data' in m && 'inits' in m;
}
