/**
 * compileModel: a ModelSpec and a Table become a CompiledModel, a log density on the unconstrained
 * space with an exact analytic gradient, computed in one fused pass over the data cells.
 *
 * Parameterization (brms 2.18 `make_stancode`, non-centred group effects):
 * - `b` (population coefficients of the centred predictors) and `Intercept` (the centred intercept);
 * - per group term: `sd` (log transform), standardized effects `z[level, coef] ~ N(0, 1)`, and for
 *   correlated terms the Cholesky factor `L` of the correlation matrix built from canonical partial
 *   correlations `tanh(y)` (Stan Reference Manual, "Cholesky factors of correlation matrices"), with
 *   `r[level] = diag(sd) L z[level]`;
 * - family parameters: sigma (log), nu (log(nu - 1), brms's nu > 1), phi (log).
 * Jacobians of all transforms are included; constants are dropped.
 *
 * Speed: rows that share every predictor value and group level form one cell. For gaussian and
 * lognormal the cell keeps (weight sum, weighted mean, within-cell sum of squares); for binomial and
 * bernoulli (successes, trials). These sufficient statistics are exact, so a gradient costs
 * O(cells + parameters), not O(rows). Student and beta keep one cell per row.
 */

import type { Table } from '../data/table.js';
import { ConfigError } from '../errors.js';
import { hashNormals } from '../math/hash-normals.js';
import { mean as meanOf, variance } from '../math/moments.js';
import { digamma, gammaln } from '../math/stdlib.js';
import type { ModelSource } from '../sampler/types.js';
import {
  type Cells,
  collapseRows,
  denseCodes,
  gaussianCellStats,
  type RowKey,
  rowCells,
} from './cells.js';
import { buildDesign, type Design } from './design.js';
import { parseFormula } from './formula.js';
import { nestApplies, nestedData } from './nested-data.js';
import { buildNestedModel, type NestedModel } from './nested-model.js';
import {
  type CompiledPrior,
  compilePrior,
  defaultLocationScale,
  type ParsedPrior,
  type PriorDist,
  type PriorSlot,
  parsePrior,
  priorLogDensity,
  resolvePriors,
} from './priors.js';
import type { RebuildArgs } from './rebuild.js';
import type { CompiledModel, Family, GroupInfo, ModelSpec, PriorRow } from './spec.js';

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/compile\.([cm]?[jt]s)$/, '/rebuild.$1');

const FAMILIES: readonly Family[] = [
  'gaussian',
  'student',
  'binomial',
  'bernoulli',
  'beta',
  'lognormal',
];

/** Options of compileModel (defaults keep a worker's rebuild identical). */
export interface CompileOptions {
  /** Collapse rows into sufficient statistics where exact (default true). */
  sufficientStats?: boolean;
  /**
   * Sample the intercept shifted by the mean of every varying intercept (default true): the sampled
   * coordinate is `Intercept + sum_g sd_g * mean(z_g)`, a shear with unit Jacobian, so the posterior is
   * exactly brms's; it removes the strong posterior correlation between the intercept and the means of
   * the group effects (crossed designs such as heuristic x task), which otherwise forces tiny steps.
   */
  shiftIntercept?: boolean;
  /**
   * Integrate out, exactly, the gaussian group term whose levels are the cells (default true), e.g.
   * (1|heuristic:task) in the comparison model: ybar_c ~ N(mu_c, V_c + sd^2) with V_c = sigma^2 / W_c.
   * Its r_ draws are then drawn from their exact conditional posterior N(m_c, v_c) in writeVariables
   * with normals keyed by the bits of theta (math/hash-normals.ts; deterministic per draw). Same
   * posterior, far fewer parameters (10,000 fewer for 20 heuristics x 500 tasks) and no funnel.
   *
   * 'nested': when the model has the comparison model's shape (gaussian, varying intercepts only,
   * a heuristic:task term; see nested-data.ts `nestApplies`), integrate out the whole nested chain
   * heuristic:task in heuristic:category in heuristic and sample the other varying intercepts as a
   * centred level plus contrasts (nested-model.ts); other models compile as with `true`.
   */
  marginalize?: boolean | 'nested';
  /**
   * Sample each centred varying intercept as its level's total (opt-in, default false): the sampled
   * coordinate of level l of a centred term is r_l + the mean, over the cells of level l, of the
   * effects of the terms with more levels (e.g. a task's effect plus its heuristic x category
   * effects). A triangular shear with unit Jacobian, so the posterior is unchanged; it removes the
   * confounding of nested or crossed terms that the data cannot split. Measured on issue 7's
   * synth_med it lowered the min ESS (about 310 against 650 per 4000 draws), hence opt-in.
   */
  shear?: boolean;
  /** Group terms (brms group names) to sample centred, or 'auto'; overrides spec.centred. */
  centred?: readonly string[] | 'auto';
  /**
   * Sample the location and scale coordinates of gaussian, lognormal and student models in data
   * units (default true): the intercept as (Intercept - mean(y)) / s_I, log(sigma) as
   * (log(sigma) - log(s)) * sqrt(2 dof), centred varying intercepts as r / sd(y), and the log sd of
   * varying intercepts shifted by log sd(y); s is the pooled within-cell sd (sd(y) without
   * replicates), s_I = s / sqrt(sum of weights), dof = the within-cell degrees of freedom (at least
   * half the rows), the rough posterior sds of these coordinates. Affine maps with constant
   * Jacobian, so the posterior is unchanged. On the y scale of issue 7's synth_small the raw
   * coordinates have posterior sds from 0.0014 (intercept) to 0.6 (z): warmup's unit metric (its
   * first 100 iterations) then needs 700-1000 leapfrog steps per iteration, and the metric
   * regularization (1e-3 shrinkage, ALGORITHMS.md 3.5) inflates the smallest scales.
   */
  standardize?: boolean;
  /**
   * Sample a centred varying intercept that is folded into the intercept (shiftIntercept) as its
   * weighted mean direction and orthonormal contrasts (default true): r = H w, with H the
   * Householder reflection that maps the first axis to the unit vector of the shift weights, w_0 =
   * sd * theta_0 (non-centred) and w_k = theta_k (centred) for k >= 1. H is orthogonal, so
   * w ~ N(0, sd^2 I) is the same prior as r ~ N(0, sd^2 I); the Jacobian is sd (in lp). The shifted
   * intercept absorbs the likelihood's dependence on the weighted mean, which the prior alone then
   * determines: sampled centred it made every level's coordinate share one mode with sd about
   * sd / sqrt(levels), the smallest posterior correlation eigenvalues on issue 7's synth_small (0.02;
   * the contrasts are 7x narrower than the levels' marginal sds).
   */
  meanContrasts?: boolean;
  /**
   * With meanContrasts, sample such a term A as its totals T = r_A + m, m_a = the mean over the
   * cells of level a of the effects of the plain terms whose factors include A's (default true;
   * e.g. heuristic with heuristic:category). The data determine T; the prior alone splits T into
   * r_A and m, and sampled as r_A the split left A's contrasts 5-10x narrower than their marginal
   * sds (the smallest posterior correlation eigenvalues on issue 7's synth_small and synth_med).
   * T = H w with w_0 = (H m)_0 + sd * theta_0 and w_k = theta_k: r_A = T - m ~ N(0, sd^2 I) is the
   * same prior (H orthogonal); a shear with the same Jacobian (sd) as meanContrasts.
   */
  totals?: boolean;
}

/** Internal layout of one group term in the parameter vector. */
interface TermLayout {
  m: number; // coefficients
  nLevels: number;
  sdOff: number;
  zOff: number;
  /** Centred: the parameters are r itself with r ~ N(0, sd) (uncorrelated terms only). */
  centred: boolean;
  /** Integrated out (see CompileOptions.marginalize): no z parameters. */
  marginal: boolean;
  /** Centred terms: gradient of the r prior (added to Gr in the backward pass). */
  Gprior: Float64Array;
  /** Shear sources (see CompileOptions.shear): earlier terms whose cell means are subtracted. */
  sources: TermLayout[];
  /** 1 / (cells per level), for the shear. */
  invCount: Float64Array;
  /** Cells per level / all cells: the weights of this term in the intercept shift. */
  icWeight: Float64Array;
  shiftBuf: Float64Array;
  /** Centred terms: r = rScale[j] * theta per coefficient j (see CompileOptions.standardize). */
  rScale: Float64Array;
  /** log sd_j = sdLoc[j] + theta[sdOff + j] (see CompileOptions.standardize). */
  sdLoc: Float64Array;
  /** Sampled as mean direction and contrasts (CompileOptions.meanContrasts). */
  rotated: boolean;
  /** Householder vector v (H = I - hhC v v^T) and its factor 2 / (v^T v); w = the rotated effects. */
  hh: Float64Array;
  hhC: number;
  wBuf: Float64Array;
  /**
   * Rotated terms: |icWeight|, so that the shift sum_l icWeight_l r_l = |icWeight| w_0 (H maps the
   * first axis to icWeight / |icWeight|), and the shift's gradient on w_0 (set in the backward pass).
   */
  wNorm: number;
  gShift: number;
  /** Rotated terms with sources (CompileOptions.totals): H m, d lp / d (H m) from the prior, gI, w.m. */
  hmBuf: Float64Array;
  gHm: Float64Array;
  /** Per source: the level of this term that each source level lies in, and its cell share. */
  srcParent: Int32Array[];
  srcW: Float64Array[];
  gI: number;
  omegaM: number;
  corOff: number; // -1 when uncorrelated
  nCor: number;
  sdPriors: CompiledPrior[];
  lkjEta: number;
  // cell-level inputs
  idx: Int32Array;
  zc: (Float64Array | null)[];
  // buffers
  sd: Float64Array;
  L: Float64Array;
  gL: Float64Array;
  gsd: Float64Array;
  r: Float64Array;
  Gr: Float64Array;
}

/** Model internals kept for posteriorPredict and tests. */
export interface ModelInternals {
  design: Design;
  nCells: number;
  /** The group term integrated out (CompileOptions.marginalize), or null. */
  marginal: string | null;
  /** Group terms sampled centred. */
  centred: string[];
  /**
   * The affine map of CompileOptions.standardize per coordinate: the coordinate of the model
   * compiled with `standardize: false` is loc[i] + scale[i] * theta[i] (identity when off).
   */
  standardization: { loc: Float64Array; scale: Float64Array };
  /** Fill `eta` (length nRows) with the linear predictor of every row at theta. */
  rowEta(theta: Float64Array, eta: Float64Array): void;
  /** Family parameters at theta: sigma, nu, phi (NaN when absent). */
  familyParams(theta: Float64Array): { sigma: number; nu: number; phi: number };
}

/** A CompiledModel from the model layer (with internals for posteriorPredict). */
export interface Model extends CompiledModel {
  readonly family: Family;
  readonly internals: ModelInternals;
}

/**
 * Normalize a spec: family defaults to gaussian; checks the family name.
 * @example normalizeSpec({ formula: 'y ~ 1' }).family // 'gaussian'
 */
export function normalizeSpec(spec: ModelSpec): ModelSpec & { family: Family } {
  const family = spec.family ?? 'gaussian';
  if (!FAMILIES.includes(family)) {
    throw new ConfigError(`unknown family '${family}' (use ${FAMILIES.join(', ')})`);
  }
  return { ...spec, family, priors: spec.priors ?? [] };
}

/** Cells: rows sharing all predictor values and group levels (and slope covariate values). */
function buildCells(d: Design): Cells {
  const keys: RowKey[] = d.X.map((col) => denseCodes(col));
  for (const g of d.groups) {
    keys.push({ codes: g.idx, n: g.levels.length });
    for (const z of g.z) if (z !== null) keys.push(denseCodes(z));
  }
  return collapseRows(d.nRows, keys);
}

/**
 * Which varying intercepts to sample centred ('auto'): a term is centred when its level effects are
 * informed by the data more than by the prior (Betancourt & Girolami 2015, "Hamiltonian Monte Carlo
 * for hierarchical models"): when the variance of its fitted level effects exceeds twice the noise
 * variance of one level's effect, D / (cells per level). The effects come from a least-squares
 * additive fit of the cell means on the candidate terms (backfitting, coarsest term first, so nested
 * and crossed terms keep only what the coarser ones leave), and D, the noise variance of one cell
 * mean (replicates plus any per-cell term), is the residual variance of that fit. When the fit has no
 * residual degrees of freedom, D is the variance of all cell means (an upper bound). Terms with fewer
 * than 2 cells per level stay non-centred, and interaction groups (g1:g2) unless `interactions`.
 * Both forms define the same posterior.
 */
function autoCentred(
  d: Design,
  nCells: number,
  firstRow: Int32Array,
  cM: Float64Array,
  interactions: boolean,
): string[] {
  if (nCells < 3) return [];
  const mean = meanOf(cM, 0, nCells);
  const s2 = variance(cM, 0, nCells);
  // Interaction groups are candidates only when centred terms are sampled as mean direction and
  // contrasts (CompileOptions.meanContrasts): centring them as levels next to centred main effects
  // left a ridge on synth_med (R-hat 1.011 vs 1.007); as contrasts they sample better centred
  // (issue 7, BENCHMARKS.md section 4, session 2).
  const cands = d.groups
    .filter((g) => {
      if (g.coefs.length !== 1 || g.z[0] !== null) return false;
      if (g.factors.length > 1 && !interactions) return false;
      const L = g.levels.length;
      return L >= 2 && nCells / L >= 2;
    })
    .sort((a, b) => a.levels.length - b.levels.length);
  const codes = cands.map((g) => {
    const k = new Int32Array(nCells);
    for (let c = 0; c < nCells; c++) k[c] = g.idx[firstRow[c]];
    return k;
  });
  const effects = cands.map((g) => new Float64Array(g.levels.length));
  const res = new Float64Array(nCells);
  for (let c = 0; c < nCells; c++) res[c] = cM[c] - mean;
  // Backfitting: 30 sweeps settle the fitted values of these small designs far below the factor-2
  // margin of the rule.
  for (let sweep = 0; sweep < 30; sweep++) {
    cands.forEach((g, i) => {
      const L = g.levels.length;
      const e = effects[i];
      const k = codes[i];
      const sum = new Float64Array(L);
      const cnt = new Float64Array(L);
      for (let c = 0; c < nCells; c++) {
        sum[k[c]] += res[c] + e[k[c]];
        cnt[k[c]] += 1;
      }
      for (let l = 0; l < L; l++) sum[l] = cnt[l] > 0 ? sum[l] / cnt[l] : 0;
      for (let c = 0; c < nCells; c++) res[c] += e[k[c]] - sum[k[c]];
      e.set(sum);
    });
  }
  let dofUsed = 1;
  for (const g of cands) dofUsed += g.levels.length - 1;
  let D = s2;
  if (nCells - dofUsed >= 1) {
    let rss = 0;
    for (let c = 0; c < nCells; c++) rss += res[c] * res[c];
    D = rss / (nCells - dofUsed);
  }
  const out: string[] = [];
  cands.forEach((g, i) => {
    const e = effects[i];
    const L = e.length;
    if (variance(e) > (2 * D * L) / nCells) out.push(g.group);
  });
  return d.groups.filter((g) => out.includes(g.group)).map((g) => g.group);
}

/** Stan's cholesky_corr_constrain: CPCs tanh(y) -> L (m x m row-major); returns log Jacobian. */
function choleskyCorr(y: Float64Array, off: number, m: number, L: Float64Array): number {
  let lp = 0;
  L.fill(0);
  L[0] = 1;
  let k = off;
  for (let i = 1; i < m; i++) {
    let s = 0;
    for (let j = 0; j < i; j++) {
      const z = Math.tanh(y[k++]);
      const x = z * Math.sqrt(1 - s);
      lp += 0.5 * Math.log1p(-s) + Math.log1p(-z * z);
      L[i * m + j] = x;
      s += x * x;
    }
    L[i * m + i] = Math.sqrt(1 - s);
  }
  return lp;
}

/** Reverse pass of choleskyCorr (including its Jacobian): adds d(lp)/dy to grad. */
function choleskyCorrBackward(
  y: Float64Array,
  off: number,
  m: number,
  L: Float64Array,
  gL: Float64Array,
  grad: Float64Array,
): void {
  for (let i = 1; i < m; i++) {
    const base = off + (i * (i - 1)) / 2;
    let total = 0;
    for (let j = 0; j < i; j++) total += L[i * m + j] ** 2;
    const dii = L[i * m + i];
    let gs = gL[i * m + i] * (-0.5 / dii);
    let sAfter = total;
    for (let j = i - 1; j >= 0; j--) {
      const x = L[i * m + j];
      const sj = sAfter - x * x; // sum of squares before entry j
      sAfter = sj;
      const gx = gL[i * m + j] + gs * 2 * x;
      const sq = Math.sqrt(1 - sj);
      const z = Math.tanh(y[base + j]);
      const gz = gx * sq;
      gs += gx * z * (-0.5 / sq) - 0.5 / (1 - sj);
      grad[base + j] += gz * (1 - z * z) - 2 * z;
    }
  }
}

function log1pExp(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Compile a model: parse the formula and priors, build the design, collapse cells, and return a
 * CompiledModel whose `logDensityGradient` allocates nothing per call. Deterministic in (spec, table).
 *
 * @example
 * const model = compileModel({ formula: 'score ~ 1 + (1|heuristic) + (1|task)' }, table);
 * const grad = new Float64Array(model.dim);
 * const lp = model.logDensityGradient(new Float64Array(model.dim), grad);
 */
export function compileModel(
  spec: ModelSpec,
  table: Table,
  options: CompileOptions & { marginalize: 'nested' },
): Model | NestedModel;
export function compileModel(spec: ModelSpec, table: Table, options?: CompileOptions): Model;
export function compileModel(
  spec: ModelSpec,
  table: Table,
  options: CompileOptions = {},
): Model | NestedModel {
  if (options.marginalize !== 'nested') return compileCellModel(spec, table, options);
  const ref = compileCellModel(spec, table, { ...options, marginalize: true });
  if (!nestApplies(ref)) return ref;
  return buildNestedModel(
    nestedData(ref, table, options.sufficientStats === false ? { collapse: false } : {}),
  );
}

/** The model on cells (compileModel without the nested chain). */
function compileCellModel(spec: ModelSpec, table: Table, options: CompileOptions): Model {
  const nspec = normalizeSpec(spec);
  const family = nspec.family;
  const formula = parseFormula(nspec.formula);
  const userPriors: ParsedPrior[] = (nspec.priors ?? []).map(parsePrior);
  const d = buildDesign(formula, family, table);
  const n = d.nRows;
  const K = d.X.length;
  const hasIc = d.intercept;
  const hasSigma =
    (family === 'gaussian' && !d.se) || family === 'student' || family === 'lognormal';
  const hasNu = family === 'student';
  const hasPhi = family === 'beta';

  // ---- priors -------------------------------------------------------------------------------
  const slots: PriorSlot[] = [];
  if (hasIc) slots.push({ class: 'Intercept', coef: '', group: '' });
  for (const b of d.bNames) slots.push({ class: 'b', coef: b, group: '' });
  for (const g of d.groups) {
    for (const c of g.coefs) slots.push({ class: 'sd', coef: c, group: g.group, lb: 0 });
  }
  for (const g of d.groups)
    if (g.correlated) slots.push({ class: 'cor', coef: '', group: g.group });
  if (hasSigma) slots.push({ class: 'sigma', coef: '', group: '', lb: 0 });
  if (hasNu) slots.push({ class: 'nu', coef: '', group: '', lb: 1 });
  if (hasPhi) slots.push({ class: 'phi', coef: '', group: '', lb: 0 });
  const yForPrior = d.y;
  const ls = defaultLocationScale(yForPrior, family);
  const defaults = (slot: PriorSlot): PriorDist => {
    switch (slot.class) {
      case 'Intercept':
        return { kind: 'student_t', df: 3, mu: ls.location, sigma: ls.scale };
      case 'sd':
      case 'sigma':
        return { kind: 'student_t', df: 3, mu: 0, sigma: ls.scale };
      case 'nu':
        return { kind: 'gamma', shape: 2, rate: 0.1 };
      case 'phi':
        return { kind: 'gamma', shape: 0.01, rate: 0.01 };
      case 'cor':
        return { kind: 'lkj', eta: 1 };
      default:
        return { kind: 'flat' };
    }
  };
  const resolved = resolvePriors(slots, userPriors, defaults);
  const priorRows: PriorRow[] = resolved.map((r) => r.row);
  const priorOf = (cls: string, coef = '', group = ''): PriorDist =>
    resolved.find((r) => r.slot.class === cls && r.slot.coef === coef && r.slot.group === group)!
      .dist;

  // ---- cells --------------------------------------------------------------------------------
  const collapsible =
    options.sufficientStats !== false &&
    (family === 'gaussian' ||
      family === 'lognormal' ||
      family === 'binomial' ||
      family === 'bernoulli');
  const { cellOfRow, firstRow, nCells } = collapsible ? buildCells(d) : rowCells(n);
  // Centred population columns at cell level.
  const Xc: Float64Array[] = d.X.map((col, k) => {
    const v = new Float64Array(nCells);
    for (let c = 0; c < nCells; c++) v[c] = col[firstRow[c]] - d.means[k];
    return v;
  });

  // Family statistics per cell.
  const w = d.weights;
  // gaussian/lognormal: W (weight sum), P (precision weight sum), M (weighted mean), SS (within SS)
  let cW: Float64Array = new Float64Array(nCells);
  let cM: Float64Array = new Float64Array(nCells);
  // binomial/bernoulli: successes K, trials N
  const cK = new Float64Array(nCells);
  const cN = new Float64Array(nCells);
  // per-row families (student, beta): y and weight per cell (cells = rows)
  const cY = new Float64Array(nCells);
  const cLogY = new Float64Array(nCells);
  const cLog1mY = new Float64Array(nCells);
  let totalW = 0;
  let ssConst = 0;
  if (family === 'gaussian' || family === 'lognormal') {
    const yv = new Float64Array(n);
    for (let i = 0; i < n; i++) yv[i] = family === 'lognormal' ? Math.log(d.y[i]) : d.y[i];
    // With se(): precision weights w/se^2 and no sigma; otherwise weights w.
    const pw = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      pw[i] = d.se ? wi / (d.se[i] * d.se[i]) : wi;
    }
    for (let i = 0; i < n; i++) totalW += w ? w[i] : 1;
    const stats = gaussianCellStats(yv, pw, cellOfRow, nCells);
    cW = stats.W;
    cM = stats.M;
    for (let c = 0; c < nCells; c++) ssConst += stats.SS[c];
  } else if (family === 'binomial' || family === 'bernoulli') {
    for (let i = 0; i < n; i++) {
      const c = cellOfRow[i];
      const wi = w ? w[i] : 1;
      cK[c] += wi * d.y[i];
      cN[c] += wi * (d.trials ? d.trials[i] : 1);
    }
  } else {
    for (let i = 0; i < n; i++) {
      cY[i] = d.y[i];
      cW[i] = w ? w[i] : 1;
      totalW += cW[i];
      if (family === 'beta') {
        cLogY[i] = Math.log(d.y[i]);
        cLog1mY[i] = Math.log1p(-d.y[i]);
      }
    }
  }

  // ---- scales of the sampled coordinates (CompileOptions.standardize) ----------------------------
  const std =
    options.standardize !== false &&
    (family === 'gaussian' || family === 'lognormal' || family === 'student');
  let yMean = 0;
  let ySd = 1;
  let icScale = 1;
  let sigLoc = 0;
  let sigScale = 1;
  if (std && n > 0) {
    let m = 0;
    for (let i = 0; i < n; i++) m += family === 'lognormal' ? Math.log(d.y[i]) : d.y[i];
    m /= n;
    let ss = 0;
    for (let i = 0; i < n; i++)
      ss += ((family === 'lognormal' ? Math.log(d.y[i]) : d.y[i]) - m) ** 2;
    const sdY = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    yMean = Number.isFinite(m) ? m : 0;
    ySd = sdY > 0 && Number.isFinite(sdY) ? sdY : 1;
    // Within-cell (replicate) degrees of freedom and pooled sd; without replicates sd(y), an upper
    // bound of sigma, and half the rows as degrees of freedom.
    const within = collapsible && !d.se ? totalW - nCells : 0;
    const sHat = within >= 1 && ssConst > 0 ? Math.sqrt(ssConst / within) : ySd;
    let precision = totalW;
    if (d.se) {
      precision = 0;
      for (let c = 0; c < nCells; c++) precision += cW[c];
    }
    icScale = d.se ? 1 / Math.sqrt(precision) : sHat / Math.sqrt(Math.max(precision, 1));
    if (!(icScale > 0 && Number.isFinite(icScale))) icScale = 1;
    sigLoc = Math.log(sHat);
    // sd of log(sigma) from dof normal residuals: 1 / sqrt(2 dof).
    sigScale = 1 / Math.sqrt(2 * Math.max(within, totalW / 2, 1));
  }
  const icLoc = yMean;

  // ---- parameter layout and names --------------------------------------------------------------
  const parameterNames: string[] = [];
  for (const b of d.bNames) parameterNames.push(`b_${b}`);
  const icOff = hasIc ? parameterNames.length : -1;
  if (hasIc) parameterNames.push('Intercept');
  const centredSetting = options.centred ?? nspec.centred ?? 'auto';
  const centredGroups = new Set<string>(
    centredSetting === 'auto'
      ? family === 'gaussian' || family === 'lognormal'
        ? collapsible
          ? autoCentred(
              d,
              nCells,
              firstRow,
              cM,
              hasIc && options.shiftIntercept !== false && options.meanContrasts !== false,
            )
          : []
        : []
      : centredSetting,
  );
  for (const name of centredGroups) {
    if (!d.groups.some((g) => g.group === name)) {
      throw new ConfigError(
        `centred: no group term '${name}' in the model (groups: ${d.groups.map((g) => g.group).join(', ')})`,
      );
    }
  }
  // The gaussian term whose levels coincide one-to-one with the cells can be integrated out.
  let marginalGroup = -1;
  if (
    collapsible &&
    (family === 'gaussian' || family === 'lognormal') &&
    options.marginalize !== false
  ) {
    d.groups.forEach((g, ti) => {
      if (g.coefs.length !== 1 || g.z[0] !== null || centredGroups.has(g.group)) return;
      if (g.levels.length !== nCells) return;
      const seen = new Uint8Array(nCells);
      for (let c = 0; c < nCells; c++) {
        const l = g.idx[firstRow[c]];
        if (seen[l]) return;
        seen[l] = 1;
      }
      marginalGroup = ti;
    });
  }
  const terms: TermLayout[] = d.groups.map((g, ti) => {
    const isMarginal = ti === marginalGroup;
    const m = g.coefs.length;
    const nLevels = g.levels.length;
    const sdOff = parameterNames.length;
    for (const c of g.coefs) parameterNames.push(`log(sd_${g.group}__${c})`);
    const isCentred = !g.correlated && centredGroups.has(g.group);
    const rScale = new Float64Array(m).fill(1);
    const sdLoc = new Float64Array(m);
    g.coefs.forEach((c, j) => {
      if (std && c === 'Intercept') {
        rScale[j] = ySd;
        sdLoc[j] = Math.log(ySd);
        parameterNames[sdOff + j] = `log(sd_${g.group}__${c}/sd(y))`;
      }
    });
    const zOff = isMarginal ? -1 : parameterNames.length;
    for (let l = 0; l < (isMarginal ? 0 : nLevels); l++) {
      for (const c of g.coefs) {
        const name = `${isCentred ? 'r' : 'z'}_${g.group}[${g.levels[l].join('_')},${c}]`;
        parameterNames.push(isCentred && std && c === 'Intercept' ? `${name}/sd(y)` : name);
      }
    }
    const nCor = g.correlated ? (m * (m - 1)) / 2 : 0;
    const corOff = g.correlated ? parameterNames.length : -1;
    for (let k = 0; k < nCor; k++) parameterNames.push(`cpc_${g.group}[${k + 1}]`);
    const idx = new Int32Array(nCells);
    for (let c = 0; c < nCells; c++) idx[c] = g.idx[firstRow[c]];
    const zc = g.z.map((col) => {
      if (col === null) return null;
      const v = new Float64Array(nCells);
      for (let c = 0; c < nCells; c++) v[c] = col[firstRow[c]];
      return v;
    });
    const lkj = g.correlated ? priorOf('cor', '', g.group) : { kind: 'lkj' as const, eta: 1 };
    return {
      m,
      nLevels,
      sdOff,
      zOff,
      centred: isCentred,
      marginal: isMarginal,
      Gprior: new Float64Array(isCentred ? nLevels * m : 0),
      sources: [],
      invCount: new Float64Array(0),
      icWeight: new Float64Array(0),
      shiftBuf: new Float64Array(0),
      rScale,
      sdLoc,
      rotated: false,
      hh: new Float64Array(0),
      hhC: 0,
      wBuf: new Float64Array(0),
      wNorm: 0,
      gShift: 0,
      hmBuf: new Float64Array(0),
      gHm: new Float64Array(0),
      srcParent: [],
      srcW: [],
      gI: 0,
      omegaM: 0,
      corOff,
      nCor,
      sdPriors: g.coefs.map((c) => compilePrior(priorOf('sd', c, g.group))),
      lkjEta: lkj.kind === 'lkj' ? lkj.eta : 1,
      idx,
      zc,
      sd: new Float64Array(m),
      L: new Float64Array(m * m),
      gL: new Float64Array(m * m),
      gsd: new Float64Array(m),
      r: new Float64Array(nLevels * m),
      Gr: new Float64Array(nLevels * m),
    };
  });
  // Varying intercepts folded into the sampled intercept (see CompileOptions.shiftIntercept).
  const shift =
    hasIc && options.shiftIntercept !== false
      ? d.groups.flatMap((g, ti) =>
          g.coefs[0] === 'Intercept' && !terms[ti].marginal ? [terms[ti]] : [],
        )
      : [];
  if (shift.length > 0) parameterNames[icOff] = 'Intercept+mean(r)';
  if (hasIc && std) parameterNames[icOff] = `(${parameterNames[icOff]}-mean(y))/s_I`;
  const levelCounts = (t: TermLayout): Float64Array => {
    const cnt = new Float64Array(t.nLevels);
    for (let c = 0; c < nCells; c++) cnt[t.idx[c]] += 1;
    return cnt;
  };
  for (const t of shift) t.icWeight = levelCounts(t).map((x) => x / nCells);
  // Shear order: terms with more levels first (children before parents).
  const isPlain = (t: TermLayout) => !t.marginal && t.m === 1 && t.zc[0] === null && t.corOff < 0;
  const sweep = terms
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => !t.marginal)
    .sort((a, b) => b.t.nLevels - a.t.nLevels || a.i - b.i)
    .map(({ t }) => t);
  if (options.shear === true) {
    sweep.forEach((t, k) => {
      if (!t.centred || !isPlain(t)) return;
      const sources = sweep.slice(0, k).filter((u) => isPlain(u) && u.nLevels > t.nLevels);
      if (sources.length === 0) return;
      t.sources = sources;
      t.invCount = levelCounts(t).map((x) => (x > 0 ? 1 / x : 0));
      t.shiftBuf = new Float64Array(t.nLevels);
      for (let l = 0; l < t.nLevels; l++)
        parameterNames[t.zOff + l] = parameterNames[t.zOff + l].replace(/^r_/, 'total_');
    });
  }
  if (options.meanContrasts !== false) {
    for (const t of shift) {
      if (!t.centred || t.m !== 1 || t.sources.length > 0 || t.nLevels < 2) continue;
      let norm = 0;
      for (let l = 0; l < t.nLevels; l++) norm += t.icWeight[l] ** 2;
      norm = Math.sqrt(norm);
      const u0 = t.icWeight[0] / norm;
      if (!(1 - u0 > 1e-12)) continue;
      t.rotated = true;
      t.wNorm = norm;
      t.hh = t.icWeight.map((x) => x / norm);
      t.hh[0] = u0 - 1;
      t.hhC = 1 / (1 - u0); // 2 / (v^T v) with v^T v = 2 - 2 u0
      t.wBuf = new Float64Array(t.nLevels);
      const g = d.groups[terms.indexOf(t)];
      let kind = '';
      if (options.totals !== false) {
        // Sources: plain terms computed earlier in the sweep whose factors include all of g's.
        const k = sweep.indexOf(t);
        t.sources = sweep.slice(0, k).filter((u) => {
          const gu = d.groups[terms.indexOf(u)];
          return (
            isPlain(u) &&
            u.nLevels > t.nLevels &&
            gu.factors.length > g.factors.length &&
            g.factors.every((f) => gu.factors.includes(f))
          );
        });
        if (t.sources.length > 0) {
          t.invCount = levelCounts(t).map((x) => (x > 0 ? 1 / x : 0));
          t.shiftBuf = new Float64Array(t.nLevels);
          t.hmBuf = new Float64Array(t.nLevels);
          t.gHm = new Float64Array(t.nLevels);
          // A source's factors include this term's, so each source level lies in one level here:
          // m_a = sum over the source levels b in a of (cells of b / cells of a) r_b.
          for (const src of t.sources) {
            const parent = new Int32Array(src.nLevels);
            const share = new Float64Array(src.nLevels);
            for (let c = 0; c < nCells; c++) {
              parent[src.idx[c]] = t.idx[c];
              share[src.idx[c]] += 1;
            }
            for (let b = 0; b < src.nLevels; b++) share[b] *= t.invCount[parent[b]];
            t.srcParent.push(parent);
            t.srcW.push(share);
          }
          kind = 'total_';
        }
      }
      parameterNames[t.zOff] = `mean_${kind}${g.group}/sd`;
      for (let l = 1; l < t.nLevels; l++)
        parameterNames[t.zOff + l] = `contrast_${kind}${g.group}[${l}]${std ? '/sd(y)' : ''}`;
    }
  }
  const marg = marginalGroup >= 0 ? terms[marginalGroup] : null;
  // Distinct cell weights (classes) for the marginal likelihood.
  const wClass = new Int32Array(marg ? nCells : 0);
  const wValList: number[] = [];
  if (marg) {
    const map = new Map<number, number>();
    for (let c = 0; c < nCells; c++) {
      let k = map.get(cW[c]);
      if (k === undefined) {
        k = wValList.length;
        map.set(cW[c], k);
        wValList.push(cW[c]);
      }
      wClass[c] = k;
    }
  }
  const wVals = Float64Array.from(wValList);
  const wCount = new Float64Array(wVals.length);
  for (let c = 0; c < wClass.length; c++) wCount[wClass[c]] += 1;
  const kV = new Float64Array(wVals.length);
  const kID = new Float64Array(wVals.length);
  const kE2 = new Float64Array(wVals.length);
  // Cell of each level of the marginal term.
  const margCell = new Int32Array(marg ? marg.nLevels : 0);
  if (marg) for (let c = 0; c < nCells; c++) margCell[marg.idx[c]] = c;
  const margXi = new Float64Array(margCell.length);
  const sigmaOff = hasSigma
    ? parameterNames.push(std ? '(log(sigma)-log(s))*sqrt(2dof)' : 'log(sigma)') - 1
    : -1;
  /** log(sigma) at theta (see CompileOptions.standardize). */
  const logSigmaOf = (theta: Float64Array): number => sigLoc + sigScale * theta[sigmaOff];
  const nuOff = hasNu ? parameterNames.push('log(nu - 1)') - 1 : -1;
  const phiOff = hasPhi ? parameterNames.push('log(phi)') - 1 : -1;
  const dim = parameterNames.length;
  const stdLoc = new Float64Array(dim);
  const stdScale = new Float64Array(dim).fill(1);
  if (hasIc) {
    stdLoc[icOff] = icLoc;
    stdScale[icOff] = icScale;
  }
  if (hasSigma) {
    stdLoc[sigmaOff] = sigLoc;
    stdScale[sigmaOff] = sigScale;
  }
  for (const t of terms) {
    for (let j = 0; j < t.m; j++) stdLoc[t.sdOff + j] = t.sdLoc[j];
    if (t.centred)
      for (let q = 0; q < t.nLevels * t.m; q++) stdScale[t.zOff + q] = t.rScale[q % t.m];
    if (t.rotated) stdScale[t.zOff] = 1; // the non-centred mean direction (meanContrasts)
  }

  const bPriors = d.bNames.map((b) => compilePrior(priorOf('b', b)));
  const icPrior = hasIc ? compilePrior(priorOf('Intercept')) : compilePrior({ kind: 'flat' });
  const sigmaPrior = hasSigma ? compilePrior(priorOf('sigma')) : icPrior;
  const nuPrior = hasNu ? compilePrior(priorOf('nu')) : icPrior;
  const phiPrior = hasPhi ? compilePrior(priorOf('phi')) : icPrior;

  // ---- variable names --------------------------------------------------------------------------
  const variableNames: string[] = [];
  if (hasIc) variableNames.push('b_Intercept');
  for (const b of d.bNames) variableNames.push(`b_${b}`);
  for (const g of d.groups) for (const c of g.coefs) variableNames.push(`sd_${g.group}__${c}`);
  for (const g of d.groups) {
    if (!g.correlated) continue;
    for (let i = 1; i < g.coefs.length; i++) {
      for (let j = 0; j < i; j++)
        variableNames.push(`cor_${g.group}__${g.coefs[j]}__${g.coefs[i]}`);
    }
  }
  if (hasSigma) variableNames.push('sigma');
  if (hasNu) variableNames.push('nu');
  if (hasPhi) variableNames.push('phi');
  for (const g of d.groups) {
    for (const c of g.coefs) {
      for (const lv of g.levels) variableNames.push(`r_${g.group}[${lv.join('_')},${c}]`);
    }
  }

  // ---- hot path --------------------------------------------------------------------------------
  const eta = new Float64Array(nCells);
  const gEta = new Float64Array(nCells);
  const pOut = new Float64Array(2);

  /** Group effects r = diag(sd) L z for every term at theta; returns lp of sd/z/L priors. */
  const groupForward = (theta: Float64Array, grad: Float64Array | null): number => {
    let lp = 0;
    for (const t of terms) {
      for (let j = 0; j < t.m; j++) {
        const u = t.sdLoc[j] + theta[t.sdOff + j];
        const s = Math.exp(u);
        t.sd[j] = s;
        lp += priorLogDensity(t.sdPriors[j], s, pOut) + u; // + log Jacobian of exp
        if (grad) grad[t.sdOff + j] += pOut[1] * s + 1;
      }
    }
    for (const t of sweep) {
      const { m, nLevels, sd, L, r } = t;
      const z0 = t.zOff;
      if (t.corOff >= 0) {
        lp += choleskyCorr(theta, t.corOff, m, L);
        // LKJ on the Cholesky factor (Stan lkj_corr_cholesky_lpdf).
        for (let i = 1; i < m; i++) {
          lp += (m - 1 - i + 2 * t.lkjEta - 2) * Math.log(L[i * m + i]);
        }
        for (let l = 0; l < nLevels; l++) {
          const zb = z0 + l * m;
          for (let j = 0; j < m; j++) {
            let acc = 0;
            for (let k = 0; k <= j; k++) acc += L[j * m + k] * theta[zb + k];
            r[l * m + j] = sd[j] * acc;
          }
        }
      } else if (t.rotated && t.sources.length > 0) {
        // Totals (CompileOptions.totals): m from the sources, T = H w, r = T - m.
        const s = sd[0];
        const rs0 = t.rScale[0];
        const w = t.wBuf;
        const v = t.hh;
        const mm = t.shiftBuf;
        const hm = t.hmBuf;
        mm.fill(0);
        for (let q = 0; q < t.sources.length; q++) {
          const sr = t.sources[q].r;
          const parent = t.srcParent[q];
          const share = t.srcW[q];
          for (let b = 0; b < sr.length; b++) mm[parent[b]] += share[b] * sr[b];
        }
        let vm = 0;
        let om = 0;
        for (let l = 0; l < nLevels; l++) {
          vm += v[l] * mm[l];
          om += t.icWeight[l] * mm[l];
        }
        t.omegaM = om;
        const fm = t.hhC * vm;
        for (let l = 0; l < nLevels; l++) hm[l] = mm[l] - fm * v[l];
        w[0] = hm[0] + s * theta[z0];
        let vw = v[0] * w[0];
        let q2 = 0;
        const inv2 = 1 / (s * s);
        for (let l = 1; l < nLevels; l++) {
          const x = rs0 * theta[z0 + l];
          w[l] = x;
          vw += v[l] * x;
          const dk = x - hm[l];
          q2 += dk * dk;
          t.gHm[l] = dk * inv2;
        }
        const f = t.hhC * vw;
        for (let l = 0; l < nLevels; l++) r[l] = w[l] - f * v[l] - mm[l];
        // theta_0 ~ N(0, 1); w_k ~ N((H m)_k, sd^2) for k >= 1.
        lp -= 0.5 * theta[z0] * theta[z0] + 0.5 * q2 * inv2 + (nLevels - 1) * Math.log(s);
        if (grad) {
          grad[t.sdOff] += q2 * inv2 - (nLevels - 1);
          grad[z0] -= theta[z0];
          for (let l = 1; l < nLevels; l++) grad[z0 + l] -= rs0 * t.gHm[l];
        }
        continue;
      } else if (t.rotated) {
        // r = H w, w_0 = sd theta_0, w_k = rScale theta_k (CompileOptions.meanContrasts).
        const s = sd[0];
        const rs0 = t.rScale[0];
        const w = t.wBuf;
        const v = t.hh;
        w[0] = s * theta[z0];
        let vw = v[0] * w[0];
        let q2 = 0;
        for (let l = 1; l < nLevels; l++) {
          const x = rs0 * theta[z0 + l];
          w[l] = x;
          vw += v[l] * x;
          q2 += x * x;
        }
        const f = t.hhC * vw;
        for (let l = 0; l < nLevels; l++) r[l] = w[l] - f * v[l];
        // theta_0 ~ N(0, 1); w_k ~ N(0, sd^2) for k >= 1 (w_0's density over the Jacobian sd).
        const inv2 = 1 / (s * s);
        lp -= 0.5 * theta[z0] * theta[z0] + 0.5 * q2 * inv2 + (nLevels - 1) * Math.log(s);
        if (grad) {
          grad[t.sdOff] += q2 * inv2 - (nLevels - 1);
          grad[z0] -= theta[z0];
          for (let l = 1; l < nLevels; l++) grad[z0 + l] -= rs0 * w[l] * inv2;
        }
        continue;
      } else if (t.centred) {
        const nz = nLevels * m;
        const rs = t.rScale;
        if (m === 1) {
          const s0 = rs[0];
          for (let q = 0; q < nz; q++) r[q] = s0 * theta[z0 + q];
        } else {
          for (let q = 0; q < nz; q++) r[q] = rs[q % m] * theta[z0 + q];
        }
        if (t.sources.length > 0) {
          // Shear: r_l = total_l - mean over the cells of level l of the earlier terms' effects.
          const buf = t.shiftBuf;
          buf.fill(0);
          const idx = t.idx;
          for (const src of t.sources) {
            const sidx = src.idx;
            const sr = src.r;
            for (let c = 0; c < nCells; c++) buf[idx[c]] += sr[sidx[c]];
          }
          for (let l = 0; l < nLevels; l++) r[l] -= buf[l] * t.invCount[l];
        }
        // r ~ N(0, sd): -0.5 (r / sd)^2 - log sd per level.
        for (let j = 0; j < m; j++) {
          const s = sd[j];
          const inv2 = 1 / (s * s);
          let q2 = 0;
          for (let l = 0; l < nLevels; l++) {
            const q = l * m + j;
            const x = r[q];
            q2 += x * x;
            if (grad) t.Gprior[q] = -x * inv2;
          }
          lp -= 0.5 * q2 * inv2 + nLevels * Math.log(s);
          if (grad) grad[t.sdOff + j] += q2 * inv2 - nLevels;
        }
        continue;
      } else if (m === 1) {
        const s = sd[0];
        for (let l = 0; l < nLevels; l++) r[l] = s * theta[z0 + l];
      } else {
        for (let l = 0; l < nLevels; l++) {
          for (let j = 0; j < m; j++) r[l * m + j] = sd[j] * theta[z0 + l * m + j];
        }
      }
      const nz = nLevels * m;
      for (let q = 0; q < nz; q++) {
        const z = theta[z0 + q];
        lp -= 0.5 * z * z;
        if (grad) grad[z0 + q] -= z;
      }
    }
    return lp;
  };

  /**
   * brms's (centred) Intercept at theta: the sampled coordinate minus the cell-weighted mean of the
   * varying intercepts (see CompileOptions.shiftIntercept); groupForward must have run.
   */
  const interceptOf = (theta: Float64Array): number => {
    if (!hasIc) return 0;
    let ic = icLoc + icScale * theta[icOff];
    for (const t of shift) {
      if (t.rotated) {
        // sum_l w_l r_l = |w| w_0 (- w.m for totals)
        ic -= t.wNorm * t.wBuf[0] - (t.sources.length > 0 ? t.omegaM : 0);
        continue;
      }
      const w = t.icWeight;
      let acc = 0;
      for (let l = 0; l < t.nLevels; l++) acc += w[l] * t.r[l * t.m];
      ic -= acc;
    }
    return ic;
  };

  /** Linear predictor of every cell into eta. */
  const plain = terms.filter((t) => !t.marginal && t.m === 1 && t.zc[0] === null);
  const cellEta = (theta: Float64Array): void => {
    eta.fill(interceptOf(theta));
    for (let k = 0; k < K; k++) {
      const bk = theta[k];
      const col = Xc[k];
      for (let c = 0; c < nCells; c++) eta[c] += col[c] * bk;
    }
    // Varying intercepts, up to three per pass (fewer sweeps over eta).
    for (let p = 0; p < plain.length; p += 3) {
      const n = Math.min(3, plain.length - p);
      const i0 = plain[p].idx;
      const r0 = plain[p].r;
      if (n === 1) {
        for (let c = 0; c < nCells; c++) eta[c] += r0[i0[c]];
      } else if (n === 2) {
        const i1 = plain[p + 1].idx;
        const r1 = plain[p + 1].r;
        for (let c = 0; c < nCells; c++) eta[c] += r0[i0[c]] + r1[i1[c]];
      } else {
        const i1 = plain[p + 1].idx;
        const r1 = plain[p + 1].r;
        const i2 = plain[p + 2].idx;
        const r2 = plain[p + 2].r;
        for (let c = 0; c < nCells; c++) eta[c] += r0[i0[c]] + r1[i1[c]] + r2[i2[c]];
      }
    }
    for (const t of terms) {
      const { m, idx, r } = t;
      if (t.marginal || (m === 1 && t.zc[0] === null)) continue;
      for (let j = 0; j < m; j++) {
        const zc = t.zc[j];
        if (zc === null) for (let c = 0; c < nCells; c++) eta[c] += r[idx[c] * m + j];
        else for (let c = 0; c < nCells; c++) eta[c] += r[idx[c] * m + j] * zc[c];
      }
    }
  };

  /**
   * One fused pass over the cells for the marginalized gaussian likelihood (issue 7's comparison
   * model): linear predictor, residual, d lp / d eta, its scatter into the varying intercepts and its
   * sum for the intercept, instead of four passes (cellEta, likelihood, scatter, intercept sum). Used
   * when there are no population columns and at most three plain varying intercepts besides the
   * marginalized term; absent terms read a zero effect and scatter into a scratch slot.
   */
  const fusedMarg = marg !== null && K === 0 && plain.length <= 3 && sweep.every(isPlain);
  const zeroIdx = new Int32Array(nCells);
  const zeroR = new Float64Array(1);
  const scratchGr = new Float64Array(1);
  const fusedTerm = (p: number) =>
    p < plain.length ? plain[p] : { idx: zeroIdx, r: zeroR, Gr: scratchGr };
  const f0 = fusedTerm(0);
  const f1 = fusedTerm(1);
  const f2 = fusedTerm(2);
  /** Fused pass (see fusedMarg): fills the plain terms' Gr and kE2; returns the sum of d lp / d eta. */
  const fusedMarginalPass = (ic: number): number => {
    const i0 = f0.idx;
    const r0 = f0.r;
    const g0 = f0.Gr;
    const i1 = f1.idx;
    const r1 = f1.r;
    const g1 = f1.Gr;
    const i2 = f2.idx;
    const r2 = f2.r;
    const g2 = f2.Gr;
    g0.fill(0);
    g1.fill(0);
    g2.fill(0);
    let sum = 0;
    for (let c = 0; c < nCells; c++) {
      const a = i0[c];
      const b = i1[c];
      const d2 = i2[c];
      const k = wClass[c];
      const e = cM[c] - (ic + r0[a] + r1[b] + r2[d2]);
      const ge = e * kID[k];
      kE2[k] += e * e;
      sum += ge;
      g0[a] += ge;
      g1[b] += ge;
      g2[d2] += ge;
    }
    return sum;
  };

  const logDensityGradient = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let lp = groupForward(theta, grad);
    let sumGEta = 0;
    if (!fusedMarg) cellEta(theta);

    // ---- likelihood: lp and gEta = d lp / d eta ----
    switch (family) {
      case 'gaussian':
      case 'lognormal': {
        if (marg) {
          // Cell c: -0.5 log(D/V) - 0.5 e^2 / D with V = sigma^2 / W (or 1 / P with se()), D = V + tau^2.
          const tau = marg.sd[0];
          const tau2 = tau * tau;
          let sigma = 1;
          let u = 0;
          if (hasSigma) {
            u = logSigmaOf(theta);
            sigma = Math.exp(u);
          }
          const s2 = sigma * sigma;
          // Cells sharing a weight W share V, D and log(D / V): one log per distinct W, not per cell.
          const nk = wVals.length;
          for (let k = 0; k < nk; k++) {
            const W = wVals[k];
            const V = W > 0 ? s2 / W : Number.POSITIVE_INFINITY;
            kV[k] = V;
            kID[k] = W > 0 ? 1 / (V + tau2) : 0;
            kE2[k] = 0;
          }
          if (fusedMarg) {
            sumGEta = fusedMarginalPass(interceptOf(theta));
          } else {
            for (let c = 0; c < nCells; c++) {
              const k = wClass[c];
              const e = cM[c] - eta[c];
              gEta[c] = e * kID[k];
              kE2[k] += e * e;
            }
          }
          let gTau2 = 0;
          let gLogSigma = 0;
          for (let k = 0; k < nk; k++) {
            if (!(wVals[k] > 0)) continue;
            const V = kV[k];
            const iD = kID[k];
            const cnt = wCount[k];
            const e2 = kE2[k];
            lp -= 0.5 * (cnt * Math.log1p(tau2 / V) + e2 * iD);
            gTau2 += 0.5 * (e2 * iD * iD - cnt * iD);
            gLogSigma += V * (e2 * iD * iD - cnt * iD) + cnt;
          }
          grad[marg.sdOff] += 2 * tau2 * gTau2;
          if (hasSigma) {
            const inv2 = 1 / s2;
            lp += -0.5 * ssConst * inv2 - totalW * u;
            lp += priorLogDensity(sigmaPrior, sigma, pOut) + u;
            grad[sigmaOff] += ssConst * inv2 - totalW + gLogSigma + pOut[1] * sigma + 1;
          }
        } else if (hasSigma) {
          const u = logSigmaOf(theta);
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
        } else {
          let q = 0;
          for (let c = 0; c < nCells; c++) {
            const e = cM[c] - eta[c];
            const we = cW[c] * e;
            q += we * e;
            gEta[c] = we;
          }
          lp -= 0.5 * q;
        }
        break;
      }
      case 'binomial':
      case 'bernoulli': {
        for (let c = 0; c < nCells; c++) {
          const e = eta[c];
          lp += cK[c] * e - cN[c] * log1pExp(e);
          gEta[c] = cK[c] - cN[c] * sigmoid(e);
        }
        break;
      }
      case 'student': {
        const u = logSigmaOf(theta);
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
        break;
      }
      case 'beta': {
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
        break;
      }
    }

    // ---- group effects: d lp / d r for every term (likelihood, centred priors) ----
    for (let p = 0; p < (fusedMarg ? 0 : plain.length); p += 3) {
      const n = Math.min(3, plain.length - p);
      const i0 = plain[p].idx;
      const g0 = plain[p].Gr;
      g0.fill(0);
      if (n === 1) {
        for (let c = 0; c < nCells; c++) g0[i0[c]] += gEta[c];
      } else if (n === 2) {
        const i1 = plain[p + 1].idx;
        const g1 = plain[p + 1].Gr;
        g1.fill(0);
        for (let c = 0; c < nCells; c++) {
          const g = gEta[c];
          g0[i0[c]] += g;
          g1[i1[c]] += g;
        }
      } else {
        const i1 = plain[p + 1].idx;
        const g1 = plain[p + 1].Gr;
        const i2 = plain[p + 2].idx;
        const g2 = plain[p + 2].Gr;
        g1.fill(0);
        g2.fill(0);
        for (let c = 0; c < nCells; c++) {
          const g = gEta[c];
          g0[i0[c]] += g;
          g1[i1[c]] += g;
          g2[i2[c]] += g;
        }
      }
    }
    for (const t of sweep) {
      const { m, idx, Gr } = t;
      if (!(m === 1 && t.zc[0] === null)) {
        // (plain varying intercepts were filled above)
        Gr.fill(0);
        for (let j = 0; j < m; j++) {
          const zc = t.zc[j];
          if (zc === null) for (let c = 0; c < nCells; c++) Gr[idx[c] * m + j] += gEta[c];
          else for (let c = 0; c < nCells; c++) Gr[idx[c] * m + j] += gEta[c] * zc[c];
        }
      }
      if (t.centred && !t.rotated) for (let q = 0; q < Gr.length; q++) Gr[q] += t.Gprior[q];
    }

    // ---- population backprop and priors ----
    if (hasIc) {
      let s = sumGEta;
      if (!fusedMarg) for (let c = 0; c < nCells; c++) s += gEta[c];
      const x = interceptOf(theta);
      lp += priorLogDensity(icPrior, x, pOut);
      const gI = s + pOut[1];
      grad[icOff] += gI;
      for (const t of shift) {
        if (t.rotated) {
          t.gShift = gI * t.wNorm; // H icWeight = |icWeight| e_0: only w_0 feels the shift
          t.gI = gI;
          continue;
        }
        const w = t.icWeight;
        for (let l = 0; l < t.nLevels; l++) t.Gr[l * t.m] -= gI * w[l];
      }
    }
    for (let k = 0; k < K; k++) {
      const col = Xc[k];
      let s = 0;
      for (let c = 0; c < nCells; c++) s += gEta[c] * col[c];
      lp += priorLogDensity(bPriors[k], theta[k], pOut);
      grad[k] += s + pOut[1];
    }

    // ---- shear backprop (reverse order: parents push into the children they subtract) ----
    for (let k = sweep.length - 1; k >= 0; k--) {
      const t = sweep[k];
      if (t.sources.length === 0) continue;
      const { idx, Gr, invCount } = t;
      if (t.rotated) {
        // Totals: T = H w (w_0 = (H m)_0 + sd theta_0), r = T - m, shift sum w_l r_l = |w| w_0 - w.m.
        const nL = t.nLevels;
        const v = t.hh;
        const z0 = t.zOff;
        const s = t.sd[0];
        const rs0 = t.rScale[0];
        let vg = 0;
        for (let l = 0; l < nL; l++) vg += v[l] * Gr[l];
        const f = t.hhC * vg;
        const gw0 = Gr[0] - f * v[0] - t.gShift;
        grad[z0] += s * gw0;
        grad[t.sdOff] += (t.wBuf[0] - t.hmBuf[0]) * gw0;
        for (let l = 1; l < nL; l++) grad[z0 + l] += rs0 * (Gr[l] - f * v[l]);
        // d lp / d (H m): gw0 through w_0, the prior's (w_k - (H m)_k) / sd^2 for k >= 1.
        const gHm = t.gHm;
        gHm[0] = gw0;
        let vh = 0;
        for (let l = 0; l < nL; l++) vh += v[l] * gHm[l];
        const fh = t.hhC * vh;
        // d lp / d m = H gHm - Gr (r = T - m) + gI w (the shift); reuse gHm for it.
        for (let l = 0; l < nL; l++) gHm[l] = gHm[l] - fh * v[l] - Gr[l] + t.gI * t.icWeight[l];
        for (let q = 0; q < t.sources.length; q++) {
          const sG = t.sources[q].Gr;
          const parent = t.srcParent[q];
          const share = t.srcW[q];
          for (let b = 0; b < sG.length; b++) sG[b] += share[b] * gHm[parent[b]];
        }
        continue;
      }
      for (const src of t.sources) {
        const sidx = src.idx;
        const sG = src.Gr;
        for (let c = 0; c < nCells; c++) {
          const l = idx[c];
          sG[sidx[c]] -= Gr[l] * invCount[l];
        }
      }
    }

    // ---- group backprop: d lp / d r -> sampled coordinates ----
    for (const t of sweep) {
      const { m, nLevels, Gr, sd, L, gL, gsd, r } = t;
      const z0 = t.zOff;
      if (t.rotated && t.sources.length > 0) continue; // totals: done in the shear backprop
      if (t.rotated) {
        // d lp / d w = H Gr (H is symmetric); w_0 = sd theta_0, w_k = rScale theta_k.
        const v = t.hh;
        let vg = 0;
        for (let l = 0; l < nLevels; l++) vg += v[l] * Gr[l];
        const f = t.hhC * vg;
        const gw0 = Gr[0] - f * v[0] - t.gShift;
        grad[z0] += sd[0] * gw0;
        grad[t.sdOff] += t.wBuf[0] * gw0;
        const rs0 = t.rScale[0];
        for (let l = 1; l < nLevels; l++) grad[z0 + l] += rs0 * (Gr[l] - f * v[l]);
      } else if (t.centred) {
        const nz = nLevels * m;
        const rs = t.rScale;
        for (let q = 0; q < nz; q++) grad[z0 + q] += rs[q % m] * Gr[q];
      } else if (t.corOff < 0) {
        for (let j = 0; j < m; j++) {
          const s = sd[j];
          let acc = 0;
          for (let l = 0; l < nLevels; l++) {
            const q = l * m + j;
            grad[z0 + q] += s * Gr[q];
            acc += Gr[q] * r[q];
          }
          grad[t.sdOff + j] += acc; // d/d log sd = sd * d/d sd, and r = sd * z
        }
      } else {
        gsd.fill(0);
        gL.fill(0);
        for (let l = 0; l < nLevels; l++) {
          const zb = z0 + l * m;
          for (let j = 0; j < m; j++) {
            const gr = Gr[l * m + j];
            if (gr === 0) continue;
            const h = sd[j] * gr;
            let lz = 0;
            for (let k = 0; k <= j; k++) {
              const Ljk = L[j * m + k];
              const zk = theta[zb + k];
              lz += Ljk * zk;
              grad[zb + k] += Ljk * h;
              gL[j * m + k] += h * zk;
            }
            gsd[j] += gr * lz;
          }
        }
        for (let j = 0; j < m; j++) grad[t.sdOff + j] += gsd[j] * sd[j];
        for (let i = 1; i < m; i++) gL[i * m + i] += (m - 1 - i + 2 * t.lkjEta - 2) / L[i * m + i];
        choleskyCorrBackward(theta, t.corOff, m, L, gL, grad);
      }
    }
    // Chain rule of the affine coordinates (CompileOptions.standardize); the likelihood blocks
    // above add d lp / d log(sigma) and d lp / d Intercept.
    if (hasSigma) grad[sigmaOff] *= sigScale;
    if (hasIc) grad[icOff] *= icScale;
    return Number.isFinite(lp) ? lp : Number.NEGATIVE_INFINITY;
  };

  // ---- reporting --------------------------------------------------------------------------------
  const scratchGrad = new Float64Array(0);
  void scratchGrad;
  /**
   * Draw the marginalized term's effects from their exact conditional posterior given theta:
   * r_c | rest ~ N(tau^2 e_c / (V_c + tau^2), V_c tau^2 / (V_c + tau^2)). The standard normals come
   * from math/hash-normals.ts (keyed by theta's bits), so the same theta gives the same draw.
   */
  const drawMarginal = (theta: Float64Array): void => {
    if (!marg) return;
    cellEta(theta);
    const tau2 = marg.sd[0] * marg.sd[0];
    const s2 = hasSigma ? Math.exp(2 * logSigmaOf(theta)) : 1;
    hashNormals(theta, margXi);
    for (let l = 0; l < marg.nLevels; l++) {
      const c = margCell[l];
      const W = cW[c];
      const z = margXi[l];
      if (!(W > 0)) {
        marg.r[l] = Math.sqrt(tau2) * z;
        continue;
      }
      const V = s2 / W;
      const D = V + tau2;
      marg.r[l] = (tau2 * (cM[c] - eta[c])) / D + Math.sqrt((V * tau2) / D) * z;
    }
  };

  const writeVariables = (theta: Float64Array, out: Float64Array): void => {
    groupForward(theta, null);
    drawMarginal(theta);
    let o = 0;
    if (hasIc) {
      let b0 = interceptOf(theta);
      for (let k = 0; k < K; k++) b0 -= d.means[k] * theta[k];
      out[o++] = b0;
    }
    for (let k = 0; k < K; k++) out[o++] = theta[k];
    for (const t of terms) for (let j = 0; j < t.m; j++) out[o++] = t.sd[j];
    for (const t of terms) {
      if (t.corOff < 0) continue;
      const { m, L } = t;
      for (let i = 1; i < m; i++) {
        for (let j = 0; j < i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += L[i * m + k] * L[j * m + k];
          out[o++] = s;
        }
      }
    }
    if (hasSigma) out[o++] = Math.exp(logSigmaOf(theta));
    if (hasNu) out[o++] = 1 + Math.exp(theta[nuOff]);
    if (hasPhi) out[o++] = Math.exp(theta[phiOff]);
    for (const t of terms) {
      for (let j = 0; j < t.m; j++) {
        for (let l = 0; l < t.nLevels; l++) out[o++] = t.r[l * t.m + j];
      }
    }
  };

  const groups: GroupInfo[] = d.groups.map((g) => ({
    group: g.group,
    factors: [...g.factors],
    levels: g.levels.map((l) => [...l]),
    coefs: [...g.coefs],
  }));

  const internals: ModelInternals = {
    design: d,
    nCells,
    marginal: marginalGroup >= 0 ? d.groups[marginalGroup].group : null,
    centred: [...centredGroups],
    standardization: { loc: stdLoc, scale: stdScale },
    rowEta(theta: Float64Array, rowEta: Float64Array): void {
      groupForward(theta, null);
      drawMarginal(theta);
      rowEta.fill(interceptOf(theta));
      for (let k = 0; k < K; k++) {
        const bk = theta[k];
        const col = d.X[k];
        const mk = d.means[k];
        for (let i = 0; i < n; i++) rowEta[i] += (col[i] - mk) * bk;
      }
      terms.forEach((t, ti) => {
        const g = d.groups[ti];
        for (let j = 0; j < t.m; j++) {
          const z = g.z[j];
          for (let i = 0; i < n; i++)
            rowEta[i] += t.r[g.idx[i] * t.m + j] * (z === null ? 1 : z[i]);
        }
      });
    },
    familyParams(theta: Float64Array) {
      return {
        sigma: hasSigma ? Math.exp(logSigmaOf(theta)) : Number.NaN,
        nu: hasNu ? 1 + Math.exp(theta[nuOff]) : Number.NaN,
        phi: hasPhi ? Math.exp(theta[phiOff]) : Number.NaN,
      };
    },
  };

  // A worker rebuilds the model with rebuild.ts (compileModel(spec, table), default options); with other
  // options (or a centred list given only as an option) chains must stay in-process.
  const defaultOptions =
    options.sufficientStats !== false &&
    options.shiftIntercept !== false &&
    options.marginalize !== false &&
    options.shear !== true &&
    options.standardize !== false &&
    options.meanContrasts !== false &&
    options.totals !== false &&
    options.centred === undefined;
  const args: RebuildArgs = { kind: 'spec', spec: nspec, table };
  const source: ModelSource | undefined = defaultOptions
    ? { kind: 'module', path: REBUILD_MODULE, exportName: 'rebuildModel', args }
    : undefined;
  return {
    dim,
    family,
    spec: nspec,
    parameterNames,
    variableNames,
    priors: priorRows,
    table,
    groups,
    ...(source ? { source } : {}),
    internals,
    logDensityGradient,
    writeVariables,
  };
}

/**
 * Every prior a fit of this spec on this table would use (one row per parameter class, group and
 * coefficient), defaults scaled from the data like brms.
 *
 * @example defaultPriors({ formula: 'y ~ 1 + (1|g)' }, table).map((p) => p.prior)
 */
export function defaultPriors(spec: ModelSpec, table: Table): PriorRow[] {
  return [...compileModel(spec, table).priors];
}
