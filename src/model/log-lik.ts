/**
 * Pointwise log-likelihood log p(y_n | theta_s) of every data row at every posterior draw, for
 * PSIS-LOO (src/diagnostics/loo.ts). Computed from the reported variables (brms names: b_*, r_*,
 * sd_*, sigma, nu, phi) and the design of the table the model was fitted to, so it works for any
 * parameterization the sampler used (the model layer's non-centred chain or the nested chain,
 * whose integrated-out effects are drawn back exactly).
 *
 * Two pointwise quantities (docs/ALGORITHMS.md §12.3), both with the same LOO target
 * log p(y_n | y_{-n}):
 * - 'conditional': log p(y_n | theta), every group effect at its drawn value (brms's `log_lik`).
 * - 'integrated' (gaussian models with nested varying intercepts, the comparison model's
 *   heuristic:task ⊂ heuristic:category ⊂ heuristic): log p(y_n | y_{-n}, phi), the nested effects
 *   integrated out analytically and phi the remaining parameters. With one row per heuristic x task
 *   cell (as in published tables) each row has its own effect, conditional LOO leaves out the only
 *   observation of a parameter, and PSIS fails (Pareto k > 0.7). Integrating such effects out before
 *   importance sampling is the remedy of Vehtari, Gelman & Gabry (2017, "Practical Bayesian model
 *   evaluation using leave-one-out cross-validation and WAIC", section 4) and Merkle, Furr &
 *   Rabe-Hesketh (2019, "Bayesian comparison of latent variable models: conditional versus marginal
 *   likelihoods", Psychometrika 84): p(phi | y_{-n}) / p(phi | y) is proportional to
 *   1 / p(y_n | y_{-n}, phi), so PSIS on this matrix estimates the same elpd_loo with far
 *   smaller k. p_loo then counts the effective number of the remaining parameters.
 */

import type { Table } from '../data/table.js';
import { gammaln } from '../math/stdlib.js';
import { buildDesign, type Design } from './design.js';
import { normalizeSpec } from './families.js';
import { parseFormula } from './formula.js';
import { betaBinomialLogPmf } from './likelihood.js';
import type { ModelSpec } from './spec.js';
import { log1pExp } from './transforms.js';

/** Posterior draws by variable (the Draws layout: values[d + nDraws * (c + nChains * v)]). */
export interface VariableDraws {
  readonly nDraws: number;
  readonly nChains: number;
  readonly variables: readonly string[];
  readonly values: Float64Array;
}

/** log p(y_n | theta_s): values[s + S * n] with s = d + nDraws * c (one block per row). */
export interface PointwiseLogLik {
  readonly nDraws: number;
  readonly nChains: number;
  readonly nObs: number;
  readonly values: Float64Array;
  /** Which quantity: 'integrated' (the named term integrated out) or 'conditional'. */
  readonly pointwise: 'integrated' | 'conditional';
  /** The group terms integrated out, finest first (empty: none). */
  readonly integrated: readonly string[];
}

/** Options of pointwiseLogLik. */
export interface PointwiseOptions {
  /**
   * 'auto' (default): 'integrated' when the model allows it, else 'conditional'; 'conditional'
   * forces the conditional quantity.
   */
  pointwise?: 'auto' | 'conditional';
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Variable lookup: the draws block of a brms name (throws on a missing variable). */
function blockOf(draws: VariableDraws, index: Map<string, number>, name: string): Float64Array {
  const v = index.get(name);
  if (v === undefined)
    throw new RangeError(`pointwise log-likelihood: no variable '${name}' in the draws`);
  const S = draws.nDraws * draws.nChains;
  return draws.values.subarray(v * S, (v + 1) * S);
}

/** Linear predictor of every row at every draw, without group `skip`: eta[s + S * i]. */
function linearPredictor(
  d: Design,
  draws: VariableDraws,
  index: Map<string, number>,
  skip: ReadonlySet<number>,
): Float64Array {
  const S = draws.nDraws * draws.nChains;
  const n = d.nRows;
  const eta = new Float64Array(S * n);
  if (d.intercept) {
    const b0 = blockOf(draws, index, 'b_Intercept');
    for (let i = 0; i < n; i++) eta.set(b0, i * S);
  }
  d.bNames.forEach((b, k) => {
    const bk = blockOf(draws, index, `b_${b}`);
    const x = d.X[k];
    for (let i = 0; i < n; i++) {
      const o = i * S;
      for (let s = 0; s < S; s++) eta[o + s] += x[i] * bk[s];
    }
  });
  d.groups.forEach((g, gi) => {
    if (skip.has(gi)) return;
    g.coefs.forEach((c, j) => {
      const blocks = g.levels.map((lv) =>
        blockOf(draws, index, `r_${g.group}[${lv.join('_')},${c}]`),
      );
      const z = g.z[j];
      for (let i = 0; i < n; i++) {
        const r = blocks[g.idx[i]];
        const zi = z === null ? 1 : z[i];
        const o = i * S;
        for (let s = 0; s < S; s++) eta[o + s] += r[s] * zi;
      }
    });
  });
  return eta;
}

/** Family parameters per draw (null when the family has none). */
function familyBlocks(d: Design, draws: VariableDraws, index: Map<string, number>) {
  const f = d.family;
  const hasSigma = (f === 'gaussian' && !d.se) || f === 'student' || f === 'lognormal';
  return {
    sigma: hasSigma ? blockOf(draws, index, 'sigma') : null,
    nu: f === 'student' ? blockOf(draws, index, 'nu') : null,
    phi: f === 'beta' || f === 'beta_binomial' ? blockOf(draws, index, 'phi') : null,
  };
}

/** Conditional log density of row i at draw s, given its linear predictor e. */
function rowLogDensity(
  d: Design,
  i: number,
  e: number,
  sigma: number,
  nu: number,
  phi: number,
): number {
  const y = d.y[i];
  switch (d.family) {
    case 'gaussian': {
      const v = (Number.isNaN(sigma) ? 0 : sigma * sigma) + (d.se ? d.se[i] * d.se[i] : 0);
      return -0.5 * (LOG_2PI + Math.log(v) + ((y - e) * (y - e)) / v);
    }
    case 'lognormal': {
      const ly = Math.log(y);
      const r = (ly - e) / sigma;
      return -0.5 * (LOG_2PI + r * r) - Math.log(sigma) - ly;
    }
    case 'student': {
      const r = (y - e) / sigma;
      return (
        gammaln(0.5 * (nu + 1)) -
        gammaln(0.5 * nu) -
        0.5 * Math.log(nu * Math.PI) -
        Math.log(sigma) -
        0.5 * (nu + 1) * Math.log1p((r * r) / nu)
      );
    }
    case 'binomial':
    case 'bernoulli': {
      const N = d.trials ? d.trials[i] : 1;
      const choose = gammaln(N + 1) - gammaln(y + 1) - gammaln(N - y + 1);
      return choose + y * e - N * log1pExp(e);
    }
    case 'beta': {
      const mu = 1 / (1 + Math.exp(-e));
      const a = mu * phi;
      const b = (1 - mu) * phi;
      return (
        gammaln(phi) - gammaln(a) - gammaln(b) + (a - 1) * Math.log(y) + (b - 1) * Math.log1p(-y)
      );
    }
    case 'beta_binomial':
      return betaBinomialLogPmf(y, d.trials ? d.trials[i] : 1, e, phi);
  }
}

/**
 * The chain of intercept-only group terms to integrate out (indices into d.groups, finest first):
 * starting from the term with the most levels, each next term (by decreasing number of levels) is
 * added when every level of the current top lies in one of its levels in the data (nested). In the
 * comparison model this is heuristic:task, heuristic:category, heuristic (the terms the nested
 * sampler chain integrates, src/model/nested-data.ts). Empty when the family is not gaussian, rows
 * are weighted, or no term qualifies.
 */
export function integrableChain(
  d: Design,
  allowed?: (g: Design['groups'][number]) => boolean,
): number[] {
  if (d.family !== 'gaussian' || d.weights) return [];
  const cand = d.groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => g.coefs.length === 1 && g.coefs[0] === 'Intercept' && g.z[0] === null)
    .filter(({ g }) => !allowed || allowed(g))
    .sort((a, b) => b.g.levels.length - a.g.levels.length || a.i - b.i);
  if (cand.length === 0) return [];
  const chain = [cand[0].i];
  for (const { g, i } of cand.slice(1)) {
    const top = d.groups[chain[chain.length - 1]];
    const map = new Int32Array(top.levels.length).fill(-1);
    let nested = true;
    for (let r = 0; r < d.nRows && nested; r++) {
      const lo = top.idx[r];
      const up = g.idx[r];
      if (lo < 0 || up < 0 || (map[lo] >= 0 && map[lo] !== up)) nested = false;
      else map[lo] = up;
    }
    if (nested) chain.push(i);
  }
  return chain;
}

/**
 * Integrated gaussian quantity log p(y_n | y_{-n}, phi) with the chain's effects integrated out
 * (phi: everything else). Given phi the rows of a top-level group are jointly normal with
 * covariance Sigma = D + sum_l tau_l^2 Z_l Z_l' (D = diag(sigma^2 + se^2), Z_l the indicators of
 * level l's groups), and the leave-one-out conditional of a multivariate normal is
 * y_n | y_{-n} ~ N(y_n - (Q e)_n / Q_nn, 1 / Q_nn) with Q = Sigma^{-1} and e the residuals
 * (Rasmussen & Williams 2006, "Gaussian Processes for Machine Learning", eq. 5.12). Q is built
 * level by level with Sherman-Morrison updates: each level adds tau^2 1_g 1_g' per group g, and
 * because the levels nest, Q restricted to g before the update is block diagonal inside g, so
 * Q e, diag Q and Q 1_g stay O(rows) per level and draw.
 */
function integratedInto(
  d: Design,
  chain: readonly number[],
  eta: Float64Array,
  taus: readonly Float64Array[],
  sigma: Float64Array | null,
  S: number,
  out: Float64Array,
): void {
  const n = d.nRows;
  const qd = new Float64Array(n);
  const qe = new Float64Array(n);
  const a = new Float64Array(n);
  const sums = chain.map((gi) => new Float64Array(d.groups[gi].levels.length));
  const fs = chain.map((gi) => new Float64Array(d.groups[gi].levels.length));
  for (let s = 0; s < S; s++) {
    const s2 = sigma ? sigma[s] * sigma[s] : 0;
    for (let i = 0; i < n; i++) {
      const v = s2 + (d.se ? d.se[i] * d.se[i] : 0);
      qd[i] = 1 / v;
      qe[i] = (d.y[i] - eta[i * S + s]) / v;
      a[i] = 1 / v;
    }
    chain.forEach((gi, l) => {
      const idx = d.groups[gi].idx;
      const t2 = taus[l][s] * taus[l][s];
      const sum = sums[l];
      const f = fs[l];
      sum.fill(0);
      f.fill(0);
      // 1_g' Q 1_g and 1_g' Q e (Q symmetric and block diagonal inside g)
      for (let i = 0; i < n; i++) {
        sum[idx[i]] += a[i];
        f[idx[i]] += qe[i];
      }
      for (let i = 0; i < n; i++) {
        const g = idx[i];
        const gamma = t2 / (1 + t2 * sum[g]);
        qd[i] -= gamma * a[i] * a[i];
        qe[i] -= gamma * a[i] * f[g];
        a[i] /= 1 + t2 * sum[g];
      }
    });
    for (let i = 0; i < n; i++) {
      out[i * S + s] = -0.5 * (LOG_2PI - Math.log(qd[i]) + (qe[i] * qe[i]) / qd[i]);
    }
  }
}

/**
 * The S x N pointwise log-likelihood of `spec` on `table` (the table the model was fitted to, in
 * the units of the draws) at each draw of `draws`.
 * @example pointwiseLogLik({ formula: 'score ~ 1 + (1|task)' }, table, fit.draws).values
 */
export function pointwiseLogLik(
  spec: ModelSpec,
  table: Table,
  draws: VariableDraws,
  options: PointwiseOptions = {},
): PointwiseLogLik {
  const nspec = normalizeSpec(spec);
  const d = buildDesign(parseFormula(nspec.formula), nspec.family, table);
  const index = new Map(draws.variables.map((v, i) => [v, i]));
  const S = draws.nDraws * draws.nChains;
  const chain = options.pointwise === 'conditional' ? [] : integrableChain(d);
  const eta = linearPredictor(d, draws, index, new Set(chain));
  const fam = familyBlocks(d, draws, index);
  const out = new Float64Array(S * d.nRows);
  if (chain.length > 0) {
    const taus = chain.map((gi) => blockOf(draws, index, `sd_${d.groups[gi].group}__Intercept`));
    integratedInto(d, chain, eta, taus, fam.sigma, S, out);
  } else {
    for (let i = 0; i < d.nRows; i++) {
      const w = d.weights ? d.weights[i] : 1;
      const o = i * S;
      for (let s = 0; s < S; s++) {
        const sigma = fam.sigma ? fam.sigma[s] : Number.NaN;
        const nu = fam.nu ? fam.nu[s] : Number.NaN;
        const phi = fam.phi ? fam.phi[s] : Number.NaN;
        out[o + s] = w * rowLogDensity(d, i, eta[o + s], sigma, nu, phi);
      }
    }
  }
  return {
    nDraws: draws.nDraws,
    nChains: draws.nChains,
    nObs: d.nRows,
    values: out,
    pointwise: chain.length > 0 ? 'integrated' : 'conditional',
    integrated: chain.map((gi) => d.groups[gi].group),
  };
}

/** Every level of group g lies in one level of the row factor `codes` (and no row misses either). */
function nestedIn(g: Design['groups'][number], codes: Int32Array): boolean {
  const map = new Int32Array(g.levels.length).fill(-1);
  for (let r = 0; r < codes.length; r++) {
    const lo = g.idx[r];
    const up = codes[r];
    if (lo < 0 || up < 0 || (map[lo] >= 0 && map[lo] !== up)) return false;
    map[lo] = up;
  }
  return true;
}

/** Joint log-likelihood of blocks of rows (one value per level of a factor column, e.g. task). */
export interface BlockLogLik {
  readonly nDraws: number;
  readonly nChains: number;
  /** Number of blocks (the factor's levels, in level order). */
  readonly nObs: number;
  /** values[s + S * b]: log p(y_block b | theta_s). */
  readonly values: Float64Array;
  readonly levels: readonly string[];
  readonly pointwise: 'integrated' | 'conditional';
  readonly integrated: readonly string[];
}

/**
 * Joint log-likelihood of each block of rows sharing a level of `factor` (leave-one-task-out by
 * PSIS, Vehtari, Gelman & Gabry 2017 section 4 on leaving out groups): for a gaussian model the
 * intercept-only terms nested in the factor (heuristic:task and task for task blocks) are
 * integrated out, log p(y_b | phi) with phi the other parameters (the block is normal with
 * covariance D + sum_l tau_l^2 Z_l Z_l'; log|Sigma| and e' Sigma^-1 e follow from the same
 * Sherman-Morrison updates as `integratedInto`, by the matrix determinant lemma); otherwise the sum
 * of the rows' conditional log-likelihoods. Rows without a level are left out.
 * @example blockLogLik(spec, table, fit.draws, 'task').values
 */
export function blockLogLik(
  spec: ModelSpec,
  table: Table,
  draws: VariableDraws,
  factor: string,
): BlockLogLik {
  const col = table.columns[factor];
  if (col?.type !== 'factor')
    throw new RangeError(`blockLogLik: '${factor}' is not a factor column`);
  const nspec = normalizeSpec(spec);
  const d = buildDesign(parseFormula(nspec.formula), nspec.family, table);
  const index = new Map(draws.variables.map((v, i) => [v, i]));
  const S = draws.nDraws * draws.nChains;
  const B = col.levels.length;
  const block = col.codes;
  const nestedGroups = nestedTerms(d, block);
  const chainOnly = integrableChain(d, (g) => nestedIn(g, block));
  // crossed terms inside a block (task:backbone next to heuristic:task): all of them by dense
  // algebra when the blocks are small enough, else the nested chain only
  const dense = nestedGroups.length > chainOnly.length && maxBlockSize(block, B) <= MAX_DENSE_BLOCK;
  const chain = dense ? nestedGroups : chainOnly;
  const eta = linearPredictor(d, draws, index, new Set(chain));
  const fam = familyBlocks(d, draws, index);
  const out = new Float64Array(S * B);
  if (chain.length === 0) {
    for (let i = 0; i < d.nRows; i++) {
      if (block[i] < 0) continue;
      const w = d.weights ? d.weights[i] : 1;
      const o = block[i] * S;
      for (let s = 0; s < S; s++) {
        const sigma = fam.sigma ? fam.sigma[s] : Number.NaN;
        const nu = fam.nu ? fam.nu[s] : Number.NaN;
        const phi = fam.phi ? fam.phi[s] : Number.NaN;
        out[o + s] += w * rowLogDensity(d, i, eta[i * S + s], sigma, nu, phi);
      }
    }
  } else {
    const taus = chain.map((gi) => blockOf(draws, index, `sd_${d.groups[gi].group}__Intercept`));
    if (dense) blockDense(d, chain, block, B, eta, taus, fam.sigma, S, out);
    else blockIntegrated(d, chain, block, B, eta, taus, fam.sigma, S, out);
  }
  return {
    nDraws: draws.nDraws,
    nChains: draws.nChains,
    nObs: B,
    values: out,
    levels: col.levels,
    pointwise: chain.length > 0 ? 'integrated' : 'conditional',
    integrated: chain.map((gi) => d.groups[gi].group),
  };
}

/** The integrated joint log density of each block (see blockLogLik). */
function blockIntegrated(
  d: Design,
  chain: readonly number[],
  block: Int32Array,
  B: number,
  eta: Float64Array,
  taus: readonly Float64Array[],
  sigma: Float64Array | null,
  S: number,
  out: Float64Array,
): void {
  const n = d.nRows;
  const qe = new Float64Array(n);
  const a = new Float64Array(n);
  const logDet = new Float64Array(B);
  const quad = new Float64Array(B);
  const count = new Float64Array(B);
  for (let i = 0; i < n; i++) if (block[i] >= 0) count[block[i]] += 1;
  const sums = chain.map((gi) => new Float64Array(d.groups[gi].levels.length));
  const fs = chain.map((gi) => new Float64Array(d.groups[gi].levels.length));
  const seen = chain.map((gi) => new Uint8Array(d.groups[gi].levels.length));
  for (let s = 0; s < S; s++) {
    const s2 = sigma ? sigma[s] * sigma[s] : 0;
    logDet.fill(0);
    quad.fill(0);
    for (let i = 0; i < n; i++) {
      const v = s2 + (d.se ? d.se[i] * d.se[i] : 0);
      const e = d.y[i] - eta[i * S + s];
      qe[i] = e / v;
      a[i] = 1 / v;
      if (block[i] >= 0) {
        logDet[block[i]] += Math.log(v);
        quad[block[i]] += (e * e) / v;
      }
    }
    chain.forEach((gi, l) => {
      const idx = d.groups[gi].idx;
      const t2 = taus[l][s] * taus[l][s];
      const sum = sums[l];
      const f = fs[l];
      const once = seen[l];
      sum.fill(0);
      f.fill(0);
      once.fill(0);
      for (let i = 0; i < n; i++) {
        sum[idx[i]] += a[i];
        f[idx[i]] += qe[i];
      }
      // each group once: determinant lemma and the quadratic form's rank-1 correction
      for (let i = 0; i < n; i++) {
        const g = idx[i];
        if (once[g] || block[i] < 0) continue;
        once[g] = 1;
        logDet[block[i]] += Math.log1p(t2 * sum[g]);
        quad[block[i]] -= (t2 / (1 + t2 * sum[g])) * f[g] * f[g];
      }
      for (let i = 0; i < n; i++) {
        const g = idx[i];
        const gamma = t2 / (1 + t2 * sum[g]);
        qe[i] -= gamma * a[i] * f[g];
        a[i] /= 1 + t2 * sum[g];
      }
    });
    for (let b = 0; b < B; b++) {
      out[b * S + s] = -0.5 * (count[b] * LOG_2PI + logDet[b] + quad[b]);
    }
  }
}

/** Largest block for the dense path: a Cholesky of 300 rows is ~9e6 flops per draw. */
const MAX_DENSE_BLOCK = 300;

function maxBlockSize(block: Int32Array, B: number): number {
  const n = new Int32Array(B);
  let m = 0;
  for (const b of block) if (b >= 0) m = Math.max(m, ++n[b]);
  return m;
}

/** Intercept-only terms whose every level lies in one block (gaussian, no weights), by index. */
function nestedTerms(d: Design, block: Int32Array): number[] {
  if (d.family !== 'gaussian' || d.weights) return [];
  return d.groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => g.coefs.length === 1 && g.coefs[0] === 'Intercept' && g.z[0] === null)
    .filter(({ g }) => nestedIn(g, block))
    .map(({ i }) => i);
}

/**
 * The integrated joint log density of each block by dense algebra: Sigma = D + sum_g tau_g^2 Z_g Z_g'
 * over the block's rows (any crossing of the terms), Cholesky, log|Sigma| and e' Sigma^-1 e.
 */
function blockDense(
  d: Design,
  terms: readonly number[],
  block: Int32Array,
  B: number,
  eta: Float64Array,
  taus: readonly Float64Array[],
  sigma: Float64Array | null,
  S: number,
  out: Float64Array,
): void {
  const rowsOf: number[][] = Array.from({ length: B }, () => []);
  for (let i = 0; i < d.nRows; i++) if (block[i] >= 0) rowsOf[block[i]].push(i);
  const m = Math.max(1, ...rowsOf.map((r) => r.length));
  const L = new Float64Array(m * m);
  const z = new Float64Array(m);
  rowsOf.forEach((rows, b) => {
    const n = rows.length;
    for (let s = 0; s < S; s++) {
      const s2 = sigma ? sigma[s] * sigma[s] : 0;
      // lower triangle of Sigma, then Cholesky in place (row-major, n x n in the m x m buffer)
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let v = 0;
          if (i === j) v += s2 + (d.se ? d.se[rows[i]] * d.se[rows[i]] : 0);
          terms.forEach((gi, l) => {
            const idx = d.groups[gi].idx;
            if (idx[rows[i]] === idx[rows[j]]) v += taus[l][s] * taus[l][s];
          });
          L[i * m + j] = v;
        }
      }
      let logDet = 0;
      let quad = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let v = L[i * m + j];
          for (let k = 0; k < j; k++) v -= L[i * m + k] * L[j * m + k];
          L[i * m + j] = i === j ? Math.sqrt(v) : v / L[j * m + j];
        }
        let e = d.y[rows[i]] - eta[rows[i] * S + s];
        for (let k = 0; k < i; k++) e -= L[i * m + k] * z[k];
        z[i] = e / L[i * m + i];
        logDet += 2 * Math.log(L[i * m + i]);
        quad += z[i] * z[i];
      }
      out[b * S + s] = -0.5 * (n * LOG_2PI + logDet + quad);
    }
  });
}
