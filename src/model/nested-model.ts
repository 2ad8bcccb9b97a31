import { hashNormals } from '../math/hash-normals.js';
import { createNormalRng } from '../math/normal-rng.js';
import type { ReportingModel } from '../sampler/types.js';
import {
  type ChainLevel,
  chainLevel,
  levelBackward,
  levelForward,
} from './geometry/marginal-chain.js';
import {
  basisApply,
  basisTranspose,
  type NestedBasis,
  nestedBasis,
} from './geometry/nested-basis.js';
import type { NestedData } from './nested-data.js';
import { type CompiledPrior, compilePrior, parsePrior, priorLogDensity } from './priors.js';
import type { CompiledModel, Family, GroupInfo, ModelSpec, PriorRow } from './spec.js';

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

/** One integrated-out level of the chain with its prior, parameter and reported slots. */
interface Level extends ChainLevel {
  g: GroupInfo;
  logSdOff: number;
  xiOff: number;
  prior: CompiledPrior;
  slot: Int32Array;
}

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/nested-model\.([cm]?[jt]s)$/, '/rebuild.$1');

function priorFor(priors: readonly PriorRow[], cls: string, group = ''): CompiledPrior {
  const row = priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
  if (!row) return compilePrior({ kind: 'flat' });
  const name = cls === 'sd' ? `sd_${group}` : cls;
  return compilePrior(parsePrior(`${name} ~ ${row.prior}`).dist);
}

/** A sampled group term: centred level plus contrasts in a nested basis (geometry/nested-basis.ts). */
interface SampledTerm {
  g: GroupInfo;
  sdOff: number;
  zOff: number;
  n: number;
  idx: Int32Array;
  prior: CompiledPrior;
  u: Float64Array;
  gu: Float64Array;
  centred: boolean;
  basis: NestedBasis;
}

/** The compiled parts of the nested-chain model (built once by `nestedState`). */
interface NestedState {
  data: NestedData;
  terms: SampledTerm[];
  levels: Level[];
  top: Pick<ChainLevel, 'nodeOfChild' | 'A' | 'B' | 'Abar' | 'Bbar'>;
  dim: number;
  parameterNames: string[];
  variableNames: string[];
  slotOf: Map<string, number>;
  sigmaOff: number;
  logSdOffs: number[];
  xi: Float64Array;
  pIntercept: CompiledPrior;
  pSigma: CompiledPrior;
  L: number;
  v: Float64Array;
  vbar: Float64Array;
  yMean: number;
  ySd: number;
  c0: number;
  eta: Float64Array;
  gEta: Float64Array;
  w: Float64Array;
  pg: Float64Array;
  zMean: Float64Array;
  M: number;
  N: number;
  an: Float64Array;
  ay: Float64Array;
  ass: Float64Array;
  se2: Float64Array | null;
  cellNode: Int32Array;
  hasSigma: boolean;
  sdSlot: number[];
  rSlot: Int32Array[];
  cellTauOff: number;
  useShare: boolean;
  phi: Float64Array;
  scaled: boolean;
  sigmaScale: number;
  sigmaLoc: number;
  tauScale: number;
}

/** The layout, buffers and reparameterization of the nested-chain model from its data. */
function nestedState(data: NestedData): NestedState {
  const { groups, priors, hasSigma } = data;
  const { n: an, mean: ay, ss: ass, se2, node: cellNode } = data.cells;
  const M = an.length;
  const N = data.nRows;

  // parameter layout
  const parameterNames: string[] = ['Intercept+mean(r)'];
  const terms = data.terms.map((td) => {
    const g = groups[td.group];
    const sdOff = parameterNames.length;
    parameterNames.push(`log(sd_${g.group}__Intercept)`);
    const zOff = parameterNames.length;
    const n = g.levels.length;
    parameterNames.push(`mean(z_${g.group})`);
    for (let k = 1; k < td.blocks.length; k++) parameterNames.push(`between_${g.group}[${k}]`);
    for (let k = td.blocks.length; k < n; k++)
      parameterNames.push(`contrast_${g.group}[${k - td.blocks.length + 1}]`);
    return {
      g,
      sdOff,
      zOff,
      n,
      idx: td.idx,
      prior: priorFor(priors, 'sd', g.group),
      u: new Float64Array(n),
      gu: new Float64Array(n),
      centred: td.centred,
      basis: nestedBasis(n, td.blocks),
    };
  });
  const logSdOffs = data.chain.map((c) => {
    parameterNames.push(`log(sd_${groups[c.group].group}__Intercept)`);
    return parameterNames.length - 1;
  });
  const sigmaOff = hasSigma ? parameterNames.length : -1;
  if (hasSigma) parameterNames.push('log(sigma)');
  const variableNames = data.variableNames;
  const slotOf = new Map(variableNames.map((v, i) => [v, i]));
  let xiCount = 0;
  const levels: Level[] = data.chain.map((c, k) => {
    const g = groups[c.group];
    const n = g.levels.length;
    const xiOff = xiCount;
    xiCount += n;
    return {
      ...chainLevel(n, c.nodeOfChild),
      g,
      logSdOff: logSdOffs[k],
      xiOff,
      prior: priorFor(priors, 'sd', g.group),
      slot: Int32Array.from(
        g.levels,
        (lv) => slotOf.get(`r_${g.group}[${lv.join('_')},Intercept]`) ?? -1,
      ),
    };
  });
  // a parent for the top level that receives its sums and sends back zero adjoints, so the level
  // passes need no branch per node
  const topSize = levels.length > 0 ? levels[levels.length - 1].n : 0;
  const top = {
    nodeOfChild: new Int32Array(topSize),
    A: new Float64Array(1),
    B: new Float64Array(1),
    Abar: new Float64Array(1),
    Bbar: new Float64Array(1),
  };
  const dim = parameterNames.length;
  const xi = new Float64Array(xiCount);
  const pIntercept = priorFor(priors, 'Intercept');
  const pSigma = priorFor(priors, 'sigma');
  const L = levels.length;
  const v = new Float64Array(L);
  const vbar = new Float64Array(L);
  const { yMean, ySd } = data;
  /**
   * Sampled groups (task, study, ...) are centred (r = c0 u, u sampled; c0 = sd of the scores
   * only sets the units): their levels are usually pinned down by many rows each (every heuristic
   * runs every task), where the non-centred form turns into a curved funnel between sd and z that
   * forced step sizes ~0.02 on the LRA tables (Betancourt & Girolami 2015, section 4).
   */
  const c0 = ySd;
  const eta = new Float64Array(M);
  const gEta = new Float64Array(M);
  const w = new Float64Array(M);
  const pg = new Float64Array(2);
  const zMean = new Float64Array(terms.length);
  // reported variables: the reference model's names, filled by name
  const sdSlot = terms.map(({ g }) => slotOf.get(`sd_${g.group}__Intercept`) ?? -1);
  const rSlot = terms.map(({ g }) =>
    Int32Array.from(g.levels, (lv) => slotOf.get(`r_${g.group}[${lv.join('_')},Intercept]`) ?? -1),
  );

  /**
   * With sigma, the cell sd tau and sigma are sampled as nu = sqrt(sigma^2 + tau^2) (log) and the
   * share pi = tau^2 / nu^2 (logit): with one row per cell only nu is identified and pi follows its
   * prior, an L-shaped ridge in (log sigma, log tau) that set the step size on the LongBench and
   * SBC fits; in (log nu, logit pi) it is axis-aligned. log sigma = log nu + log(1 - pi) / 2,
   * log tau = log nu + log(pi) / 2; the Jacobian determinant is 1/2 (constant, dropped).
   * With replicated rows per cell (many seeds) it is the other way round: sigma is pinned by the
   * within-cell spread far more tightly than tau, so fixed sigma is a thin diagonal ridge in
   * (log nu, logit pi) (log sigma = log nu + log(1 - pi) / 2 = const) that a diagonal metric
   * cannot scale; there (log sigma, log tau) are nearly independent and sampled as they are.
   */
  const cellTauOff = levels[0].logSdOff;
  const useShare = hasSigma && !data.replicated;
  if (useShare) {
    parameterNames[sigmaOff] = `log(sqrt(sigma^2 + sd_${levels[0].g.group}__Intercept^2))`;
    parameterNames[cellTauOff] = `logit(sd_${levels[0].g.group}__Intercept^2 share)`;
  }
  const phi = new Float64Array(dim);
  /**
   * With replicated cells, log sigma and log tau are sampled on their posterior's scale: log sigma
   * = withinLogSd + theta / sqrt(2 df) (its posterior sd is about 1 / sqrt(2 df), 0.0007 at 1M
   * rows) and log tau = theta / sqrt(2 cells). Linear maps with constant Jacobians (dropped), so
   * the posterior is unchanged. Why: the sampler's warmup regularizes each variance estimate toward
   * 1e-3 (Stan's (n / (n + 5)) var + 1e-3 (5 / (n + 5))), which at a variance of 4e-7 made the
   * metric 20x too wide for log sigma, and that one coordinate halved the step size at 1M rows.
   */
  const scaled = hasSigma && !useShare;
  const sigmaScale = scaled ? 1 / Math.sqrt(2 * Math.max(data.withinDf, 1)) : 1;
  const sigmaLoc = scaled ? data.withinLogSd : 0;
  const tauScale = scaled ? 1 / Math.sqrt(2 * Math.max(levels[0].n, 1)) : 1;
  if (scaled) {
    parameterNames[sigmaOff] = `(log(sigma) - ${sigmaLoc}) / ${sigmaScale}`;
    parameterNames[cellTauOff] = `log(sd_${levels[0].g.group}__Intercept) / ${tauScale}`;
  }
  return {
    data,
    terms,
    levels,
    top,
    dim,
    parameterNames,
    variableNames,
    slotOf,
    sigmaOff,
    logSdOffs,
    xi,
    pIntercept,
    pSigma,
    L,
    v,
    vbar,
    yMean,
    ySd,
    c0,
    eta,
    gEta,
    w,
    pg,
    zMean,
    M,
    N,
    an,
    ay,
    ass,
    se2,
    cellNode,
    hasSigma,
    sdSlot,
    rSlot,
    cellTauOff,
    useShare,
    phi,
    scaled,
    sigmaScale,
    sigmaLoc,
    tauScale,
  };
}

/**
 * eta (per cell) without the integrated terms. theta[0] is mu* = Intercept + sum_g mean_l(r_g[l]),
 * the well-identified overall level: each sampled group enters through z - mean(z), so the ridge
 * "intercept up, every task effect down" (badly conditioned when a few tasks sit far apart, as in
 * LRA) is gone. b_Intercept = mu* - sum_g sd_g mean(z_g); the map has unit Jacobian.
 */
function computeEta(s: NestedState, theta: Float64Array): void {
  const { terms, c0, eta, zMean, M } = s;
  eta.fill(theta[0]);
  terms.forEach((t, k) => {
    // the group mean is identified by its prior only: non-centred, m = sd / (c0 sqrt(n)) m~
    const m = (Math.exp(theta[t.sdOff]) * theta[t.zOff]) / (c0 * Math.sqrt(t.n));
    zMean[k] = m;
    basisApply(t.basis, theta, t.zOff + 1, t.u);
    // contrasts: centred (v as is) or non-centred (v = sd / c0 v~)
    const f = t.centred ? 1 : Math.exp(theta[t.sdOff]) / c0;
    for (let l = 0; l < t.n; l++) t.u[l] = f * t.u[l] + m;
    for (let a = 0; a < M; a++) {
      const l = t.idx[a];
      if (l >= 0) eta[a] += c0 * (t.u[l] - m);
    }
  });
}

/** brms's b_Intercept at theta (computeEta must have run). */
function interceptOf(s: NestedState, theta: Float64Array): number {
  const { terms, c0, zMean } = s;
  let b = theta[0];
  for (let k = 0; k < terms.length; k++) b -= c0 * zMean[k];
  return b;
}

/** The rows' weights 1 / (sigma^2 + se^2). */
function weights(s: NestedState, sigma2: number): void {
  const { w, M, se2 } = s;
  if (se2) for (let a = 0; a < M; a++) w[a] = 1 / (sigma2 + se2[a]);
  else w.fill(1 / sigma2);
}

/** Forward pass up the chain; returns the log density of the data given eta and the scales. */
function forward(s: NestedState): number {
  const { levels, top, L, v, eta, w, M, N, an, ay, ass, se2, cellNode } = s;
  let lp = 0;
  const first = levels[0];
  first.A.fill(0);
  first.B.fill(0);
  const cellA = first.A;
  const cellB = first.B;
  // without se every row has the same weight: one log instead of one per row
  let logW = se2 ? 0 : 0.5 * N * Math.log(w[0]);
  for (let a = 0; a < M; a++) {
    const c = cellNode[a];
    const wa = w[a];
    const na = an[a];
    const d = ay[a] - eta[a];
    if (se2) logW += 0.5 * na * Math.log(wa);
    // sum over the cell's rows of w e_i^2 = w (ss + n d^2)
    lp -= 0.5 * wa * (ass[a] + na * d * d);
    if (c < 0) continue;
    cellA[c] += wa * na;
    cellB[c] += wa * na * d;
  }
  lp += logW;
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
  const { terms, c0, gEta, pg, M } = s;
  for (const t of terms) {
    const sd = Math.exp(theta[t.sdOff]);
    const prec = (c0 * c0) / (sd * sd);
    let gTot = 0;
    t.gu.fill(0);
    for (let a = 0; a < M; a++) {
      const l = t.idx[a];
      if (l < 0) continue;
      t.gu[l] += c0 * gEta[a];
      gTot += gEta[a];
    }
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
  const {
    levels,
    top,
    dim,
    sigmaOff,
    pIntercept,
    pSigma,
    L,
    v,
    vbar,
    eta,
    gEta,
    w,
    pg,
    M,
    an,
    ay,
    ass,
    cellNode,
    hasSigma,
  } = s;
  grad.fill(0);
  computeEta(s, theta);
  for (let k = 0; k < L; k++) {
    const sd = Math.exp(theta[levels[k].logSdOff]);
    v[k] = sd * sd;
  }
  const sigma = hasSigma ? Math.exp(theta[sigmaOff]) : 0;
  const sigma2 = sigma * sigma;
  weights(s, sigma2);
  let lp = forward(s);
  // backward pass down the chain
  for (let k = L - 1; k >= 0; k--) {
    const lv = levels[k];
    const up = k + 1 < L ? levels[k + 1] : top;
    vbar[k] = levelBackward(lv, v[k], up.nodeOfChild, up.Abar, up.Bbar);
  }
  // per cell: the rows' sums of d lp / d eta_i = w (e_i - Bbar) and of the sigma^2 terms
  // -w^2 (Abar + Bbar e_i + 1 / (2 w) - e_i^2 / 2), with sum e_i = n d, sum e_i^2 = ss + n d^2
  let gSigma2 = 0;
  const first = levels[0];
  let gMu = 0;
  for (let a = 0; a < M; a++) {
    const c = cellNode[a];
    const na = an[a];
    const wa = w[a];
    const d = ay[a] - eta[a];
    const Bb = c >= 0 ? first.Bbar[c] : 0;
    const Ab = c >= 0 ? first.Abar[c] : 0;
    const ge = wa * na * (d - Bb);
    gEta[a] = ge;
    gMu += ge;
    if (hasSigma)
      gSigma2 -= wa * wa * (na * (Ab + 0.5 / wa) + Bb * na * d - 0.5 * (ass[a] + na * d * d));
  }
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
  weights(s, sigma * sigma);
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
