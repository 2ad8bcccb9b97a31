import type { Table } from '../data/table.js';
import { compileModel } from '../model/compile.js';
import { type CompiledPrior, compilePrior, parsePrior, priorLogDensity } from '../model/priors.js';
import type { CompiledModel, GroupInfo, ModelSpec } from '../model/spec.js';
import type { ReportingModel } from '../sampler/types.js';
import { createNormalRng } from './random.js';

/**
 * The default comparison model with the heuristic x task effect integrated out (Rao-Blackwellized).
 *
 * Why: benchmark tables often hold one number per heuristic x task cell. Then the cell effect
 * r_heuristic:task and the residual sigma are only identified through sd^2 + sigma^2, and sampling
 * the non-centred z's of that term next to sigma makes funnels: divergences, E-BFMI < 0.3, R-hat
 * > 1.01 and tree depth 10 on the Tay LRA table with the plain model. The term is a Gaussian
 * effect with one level per cell, so it integrates out in closed form (Gelman et al., BDA3 section
 * 5.4; the same algebra as a normal-normal hierarchical model): for cell c with rows i, residuals
 * e_i = y_i - eta_i, weights w_i = 1 / (sigma^2 + se_i^2), W = sum w_i, S = sum w_i e_i and
 * tau = sd_heuristic:task,
 *
 *   log p(y_c | eta, sigma, tau) = 1/2 sum log w_i - 1/2 sum w_i e_i^2 + 1/2 k S^2 - 1/2 log(1 + W tau^2)
 *
 * with k = tau^2 / (1 + W tau^2) (constants dropped). The cell effects come back exactly: given the
 * other parameters r_c ~ N(k S, k), so each cell gets an auxiliary standard normal xi_c
 * (independent of everything in the posterior; see `auxNormals`) and r_c = k S + sqrt(k) xi_c is
 * reported under its brms name. The joint posterior of all reported variables is the same as the
 * plain model's; only the geometry the sampler sees changes. Everything else (non-centred group
 * effects, priors including user priors, brms names) follows the model layer's compiled model,
 * which is built first and supplies the priors and group levels.
 */

/** Whether the model layer's compiled model has the shape this model reproduces. */
export function canMarginalize(ref: CompiledModel, spec: ModelSpec): boolean {
  const family = spec.family ?? 'gaussian';
  if (family !== 'gaussian') return false;
  if (ref.variableNames.some((v) => v.startsWith('b_') && v !== 'b_Intercept')) return false;
  if (!ref.variableNames.includes('b_Intercept')) return false;
  if (ref.groups.some((g) => g.coefs.length !== 1 || g.coefs[0] !== 'Intercept')) return false;
  if (/weights\(|trials\(|cens\(|mi\(/.test(spec.formula)) return false;
  return ref.groups.some((g) => isCellGroup(g));
}

function isCellGroup(g: GroupInfo): boolean {
  return g.factors.length === 2 && g.factors.includes('heuristic') && g.factors.includes('task');
}

function isCategoryGroup(g: GroupInfo): boolean {
  return (
    g.factors.length === 2 && g.factors.includes('heuristic') && g.factors.includes('category')
  );
}

function isHeuristicGroup(g: GroupInfo): boolean {
  return g.factors.length === 1 && g.factors[0] === 'heuristic';
}

/** One integrated-out level of the nested chain heuristic > heuristic:category > heuristic:task. */
interface Level {
  g: GroupInfo;
  /** Node of each child (the level below's node, or each row for the cell level); -1 = none. */
  nodeOfChild: Int32Array;
  n: number;
  logSdOff: number;
  xiOff: number;
  prior: CompiledPrior;
  A: Float64Array;
  B: Float64Array;
  p: Float64Array;
  Abar: Float64Array;
  Bbar: Float64Array;
  /** Running sum of effects (own + ancestors) when drawing. */
  r: Float64Array;
  slot: Int32Array;
}

/** The marginalized model: a ReportingModel with the reference model's variable names. */
export interface ComparisonModel extends ReportingModel {
  readonly groups: readonly GroupInfo[];
  readonly parameterNames: readonly string[];
  readonly priors: CompiledModel['priors'];
  readonly spec: ModelSpec;
  readonly table: Table;
  /**
   * Starting points for `chains` chains: the overall level at the mean score, every scale at half
   * the scores' sd, standardized effects uniform on (-1, 1) (seeded). Random inits on (-2, 2) put
   * the overall level near 0 while scores sit near 50, and a chain can then spend its warmup
   * collapsing its step size (seen on the Tay table).
   */
  inits(chains: number, seed: number): Float64Array[];
}

/** This module's URL (ends in .ts when running from sources; the sampler's loader handles both). */
const THIS_MODULE = import.meta.url;

/**
 * Rebuild the comparison model from its spec and (canonical, scaled) table: what a sampler worker
 * calls through the model's `source`. The reference model is compiled with default options, as
 * `runComparison` does, so the rebuilt model is the same function.
 *
 * @example const m = rebuildComparisonModel({ spec, table }); m.dim
 */
export function rebuildComparisonModel(args: { spec: ModelSpec; table: Table }): ComparisonModel {
  return compileComparisonModel(compileModel(args.spec, args.table), args.spec, args.table);
}

function rowLevels(table: Table, g: GroupInfo): Int32Array {
  const cols = g.factors.map((f) => table.columns[f]);
  const key = new Map(g.levels.map((lv, i) => [lv.join('\u0000'), i]));
  return Int32Array.from({ length: table.nRows }, (_, i) => {
    const parts: string[] = [];
    for (const c of cols) {
      if (!c) return -1;
      if (c.type === 'factor') {
        if (c.codes[i] < 0) return -1;
        parts.push(c.levels[c.codes[i]]);
      } else parts.push(String(c.values[i]));
    }
    return key.get(parts.join('\u0000')) ?? -1;
  });
}

/**
 * Whether a group's level means are pinned down by the data: the sd of the level means is more than
 * twice the standard error of a level mean (pooled within-level sd / sqrt(mean rows per level)).
 * @example levelsPinned(Float64Array.of(1, 1.1, 50, 50.2), Int32Array.of(0, 0, 1, 1), 2) // true
 */
export function levelsPinned(y: ArrayLike<number>, level: Int32Array, n: number): boolean {
  const sum = new Float64Array(n);
  const cnt = new Float64Array(n);
  for (let i = 0; i < level.length; i++) {
    if (level[i] < 0) continue;
    sum[level[i]] += y[i];
    cnt[level[i]]++;
  }
  let ss = 0;
  let df = 0;
  for (let i = 0; i < level.length; i++) {
    if (level[i] < 0) continue;
    ss += (y[i] - sum[level[i]] / cnt[level[i]]) ** 2;
  }
  const means: number[] = [];
  let rows = 0;
  for (let l = 0; l < n; l++) {
    if (cnt[l] === 0) continue;
    means.push(sum[l] / cnt[l]);
    df += cnt[l] - 1;
    rows += cnt[l];
  }
  if (means.length < 2 || df < 1) return false;
  const m = means.reduce((a, b) => a + b, 0) / means.length;
  const between = Math.sqrt(means.reduce((a, b) => a + (b - m) ** 2, 0) / (means.length - 1));
  const se = Math.sqrt(ss / df) / Math.sqrt(rows / means.length);
  return between > 2 * se;
}

/**
 * The auxiliary standard normals of the integrated-out effects, as a deterministic function of the
 * sampled parameters: a 32-bit FNV-1a hash of theta's bytes seeds a normal stream. They are
 * independent of everything in the posterior, so sampling them with NUTS (99 of 110 coordinates on
 * the Tay table) only made every leapfrog step longer; any two distinct states get unrelated
 * streams, a repeated state (a rejected proposal) repeats its draw exactly as a sampled xi would,
 * and runs stay bit-for-bit reproducible.
 */
function auxNormals(theta: Float64Array, out: Float64Array): void {
  const bytes = new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const rng = createNormalRng(h);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
}

/**
 * out = Q v for the n x (n - 1) Helmert basis of the sum-to-zero subspace (orthonormal columns:
 * column k has 1/sqrt(k(k+1)) in rows 0..k-1 and -k/sqrt(k(k+1)) in row k). v = theta[off..].
 * A group's mean (identified only by its prior) and its contrasts (pinned by the data) then are
 * separate coordinates, which a diagonal metric can scale independently.
 */
function helmert(theta: Float64Array, off: number, out: Float64Array): void {
  const n = out.length;
  out.fill(0);
  for (let k = 1; k < n; k++) {
    const vk = theta[off + k - 1];
    const c = 1 / Math.sqrt(k * (k + 1));
    for (let j = 0; j < k; j++) out[j] += c * vk;
    out[k] -= k * c * vk;
  }
}

/** grad[off + k - 1] += (Q' g)_k, the transpose of `helmert`. */
function helmertTranspose(g: Float64Array, grad: Float64Array, off: number): void {
  const n = g.length;
  let prefix = 0;
  for (let k = 1; k < n; k++) {
    prefix += g[k - 1];
    const c = 1 / Math.sqrt(k * (k + 1));
    grad[off + k - 1] += c * prefix - k * c * g[k];
  }
}

function priorFor(ref: CompiledModel, cls: string, group = ''): CompiledPrior {
  const row = ref.priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
  if (!row) return compilePrior({ kind: 'flat' });
  const name = cls === 'sd' ? `sd_${group}` : cls;
  return compilePrior(parsePrior(`${name} ~ ${row.prior}`).dist);
}

/**
 * Build the marginalized model from the model layer's compiled reference model (same spec, same
 * fitted table). Call only when `canMarginalize(ref, spec)`.
 *
 * The heuristic-specific terms nest: rows in a heuristic x task cell, cells in a heuristic x
 * category level (tasks nest in categories), those in a heuristic. Every such level is a Gaussian
 * effect on its children, so the whole chain integrates out bottom-up with one rule (normal-normal
 * conjugacy, BDA3 section 5.4): a node whose children contribute exp(b_c r - a_c r^2 / 2) has
 * A = sum a_c, B = sum b_c; integrating its effect r ~ N(0, v) adds 1/2 v B^2 / p - 1/2 log p with
 * p = 1 + A v and hands its parent a = A / p, b = B / p. Rows start the chain with a_i = w_i,
 * b_i = w_i e_i. The gradient runs the same chain top-down (reverse mode by hand, checked against
 * finite differences in test/analysis/model.test.ts). Effects come back top-down too: given the
 * sum R of its ancestors' effects, r ~ N(kappa (B - A R), kappa) with kappa = v / p, drawn as
 * kappa (B - A R) + sqrt(kappa) xi with an auxiliary xi ~ N(0, 1) per node. Levels that do not
 * nest (a task under two categories) stay sampled, non-centred.
 * @example const m = compileComparisonModel(compileModel(spec, table), spec, table); await sample(m)
 */
export function compileComparisonModel(
  ref: CompiledModel,
  spec: ModelSpec,
  table: Table,
): ComparisonModel {
  const N = table.nRows;
  const yCol = table.columns.score;
  if (yCol?.type !== 'numeric') throw new Error('compileComparisonModel: no numeric score');
  const y = yCol.values;
  const seCol = /\bse\(/.test(spec.formula) ? table.columns.se : undefined;
  const se2 = seCol?.type === 'numeric' ? seCol.values.map((s) => s * s) : null;
  const hasSigma = ref.variableNames.includes('sigma');

  // the nested chain, bottom (cells) first; a level joins only if its nodes nest
  const chainGroups: GroupInfo[] = [ref.groups.find(isCellGroup) as GroupInfo];
  const rowsOf = (g: GroupInfo) => rowLevels(table, g);
  let below = rowsOf(chainGroups[0]);
  const nestMaps: Int32Array[] = [];
  for (const pick of [isCategoryGroup, isHeuristicGroup]) {
    const g = ref.groups.find(pick);
    if (!g) continue;
    const up = rowsOf(g);
    const nChild = chainGroups[chainGroups.length - 1].levels.length;
    const map = new Int32Array(nChild).fill(-1);
    let ok = true;
    for (let i = 0; i < N && ok; i++) {
      const c = below[i];
      if (c < 0 || up[i] < 0) ok = false;
      else if (map[c] >= 0 && map[c] !== up[i]) ok = false;
      else map[c] = up[i];
    }
    if (!ok) break;
    chainGroups.push(g);
    nestMaps.push(map);
    below = up;
  }
  const others = ref.groups.filter((g) => !chainGroups.includes(g));

  // parameter layout
  const parameterNames: string[] = ['Intercept+mean(r)'];
  const terms = others.map((g) => {
    const sdOff = parameterNames.length;
    parameterNames.push(`log(sd_${g.group}__Intercept)`);
    const zOff = parameterNames.length;
    const n = g.levels.length;
    parameterNames.push(`mean(z_${g.group})`);
    for (let k = 1; k < n; k++) parameterNames.push(`contrast_${g.group}[${k}]`);
    return {
      g,
      sdOff,
      zOff,
      n,
      idx: rowsOf(g),
      prior: priorFor(ref, 'sd', g.group),
      u: new Float64Array(n),
      gu: new Float64Array(n),
      /**
       * Contrasts centred when the data pin the levels down (Betancourt & Girolami 2015): the
       * spread of the level means of y is more than twice the standard error of one level mean
       * (pooled within-level sd / sqrt(rows per level)). Benchmarks nearly always qualify for
       * tasks (every heuristic runs every task, tasks differ in difficulty); non-centred
       * contrasts there were worse on every fixture (44 instead of 6 divergences on PyramidKV
       * with --study model). Tiny or flat data (a few rows, tasks of equal difficulty) get the
       * non-centred form, whose funnel is at the other end.
       */
      // study/seed offsets: centred (the rule's raw within-level sd also holds the heuristic and
      // task variation, so it under-rates how well a study offset is pinned; centred won there)
      centred:
        g.factors.some((x) => x === 'study' || x === 'seed') || levelsPinned(y, rowsOf(g), n),
    };
  });
  const logSdOffs = chainGroups.map((g) => {
    parameterNames.push(`log(sd_${g.group}__Intercept)`);
    return parameterNames.length - 1;
  });
  const sigmaOff = hasSigma ? parameterNames.length : -1;
  if (hasSigma) parameterNames.push('log(sigma)');
  const variableNames = ref.variableNames;
  const slotOf = new Map(variableNames.map((v, i) => [v, i]));
  let xiCount = 0;
  const levels: Level[] = chainGroups.map((g, k) => {
    const n = g.levels.length;
    const xiOff = xiCount;
    xiCount += n;
    return {
      g,
      nodeOfChild: k === 0 ? rowsOf(g) : nestMaps[k - 1],
      n,
      logSdOff: logSdOffs[k],
      xiOff,
      prior: priorFor(ref, 'sd', g.group),
      A: new Float64Array(n),
      B: new Float64Array(n),
      p: new Float64Array(n),
      Abar: new Float64Array(n),
      Bbar: new Float64Array(n),
      r: new Float64Array(n),
      slot: Int32Array.from(
        g.levels,
        (lv) => slotOf.get(`r_${g.group}[${lv.join('_')},Intercept]`) ?? -1,
      ),
    };
  });
  const dim = parameterNames.length;
  const xi = new Float64Array(xiCount);
  const pIntercept = priorFor(ref, 'Intercept');
  const pSigma = priorFor(ref, 'sigma');
  const L = levels.length;
  const v = new Float64Array(L);
  const vbar = new Float64Array(L);

  let ySum = 0;
  for (let i = 0; i < N; i++) ySum += y[i];
  const yMean = ySum / N;
  let ySs = 0;
  for (let i = 0; i < N; i++) ySs += (y[i] - yMean) ** 2;
  const ySd = N > 1 && ySs > 0 ? Math.sqrt(ySs / (N - 1)) : 1;
  /**
   * Sampled groups (task, study, ...) are centred (r = c0 u, u sampled; c0 = sd of the scores
   * only sets the units): their levels are usually pinned down by many rows each (every heuristic
   * runs every task), where the non-centred form turns into a curved funnel between sd and z that
   * forced step sizes ~0.02 on the LRA tables (Betancourt & Girolami 2015, section 4).
   */
  const c0 = ySd;
  const eta = new Float64Array(N);
  const gEta = new Float64Array(N);
  const w = new Float64Array(N);
  const pg = new Float64Array(2);
  const zMean = new Float64Array(terms.length);
  /**
   * eta without the integrated terms. theta[0] is mu* = Intercept + sum_g mean_l(r_g[l]), the
   * well-identified overall level: each sampled group enters through z - mean(z), so the ridge
   * "intercept up, every task effect down" (badly conditioned when a few tasks sit far apart, as in
   * LRA) is gone. b_Intercept = mu* - sum_g sd_g mean(z_g); the map has unit Jacobian.
   */
  const computeEta = (theta: Float64Array) => {
    eta.fill(theta[0]);
    terms.forEach((t, k) => {
      // the group mean is identified by its prior only: non-centred, m = sd / (c0 sqrt(n)) m~
      const m = (Math.exp(theta[t.sdOff]) * theta[t.zOff]) / (c0 * Math.sqrt(t.n));
      zMean[k] = m;
      helmert(theta, t.zOff + 1, t.u);
      // contrasts: centred (v as is) or non-centred (v = sd / c0 v~)
      const f = t.centred ? 1 : Math.exp(theta[t.sdOff]) / c0;
      for (let l = 0; l < t.n; l++) t.u[l] = f * t.u[l] + m;
      for (let i = 0; i < N; i++) {
        const l = t.idx[i];
        if (l >= 0) eta[i] += c0 * (t.u[l] - m);
      }
    });
  };
  const interceptOf = (theta: Float64Array) => {
    let b = theta[0];
    for (let k = 0; k < terms.length; k++) b -= c0 * zMean[k];
    return b;
  };
  const weights = (sigma2: number) => {
    for (let i = 0; i < N; i++) w[i] = 1 / (sigma2 + (se2 ? se2[i] : 0));
  };
  /** Forward pass up the chain; returns the log density of the data given eta and the scales. */
  const forward = (): number => {
    let lp = 0;
    const cells = levels[0];
    cells.A.fill(0);
    cells.B.fill(0);
    const cellA = cells.A;
    const cellB = cells.B;
    const cellOf = cells.nodeOfChild;
    // without se every row has the same weight: one log instead of N
    let logW = se2 ? 0 : 0.5 * N * Math.log(w[0]);
    for (let i = 0; i < N; i++) {
      const c = cellOf[i];
      const wi = w[i];
      const e = y[i] - eta[i];
      if (se2) logW += 0.5 * Math.log(wi);
      lp -= 0.5 * wi * e * e;
      if (c < 0) continue;
      cellA[c] += wi;
      cellB[c] += wi * e;
    }
    lp += logW;
    for (let k = 0; k < L; k++) {
      const lv = levels[k];
      const up = k + 1 < L ? levels[k + 1] : null;
      if (up) {
        up.A.fill(0);
        up.B.fill(0);
      }
      for (let j = 0; j < lv.n; j++) {
        const p = 1 + lv.A[j] * v[k];
        lv.p[j] = p;
        lp += (0.5 * v[k] * lv.B[j] * lv.B[j]) / p - 0.5 * Math.log(p);
        if (up) {
          const parent = up.nodeOfChild[j];
          up.A[parent] += lv.A[j] / p;
          up.B[parent] += lv.B[j] / p;
        }
      }
    }
    return lp;
  };

  const innerLogDensityGradient = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    computeEta(theta);
    for (let k = 0; k < L; k++) {
      const sd = Math.exp(theta[levels[k].logSdOff]);
      v[k] = sd * sd;
    }
    const sigma = hasSigma ? Math.exp(theta[sigmaOff]) : 0;
    const sigma2 = sigma * sigma;
    weights(sigma2);
    let lp = forward();
    // backward pass down the chain
    vbar.fill(0);
    for (let k = L - 1; k >= 0; k--) {
      const lv = levels[k];
      const up = k + 1 < L ? levels[k + 1] : null;
      const vk = v[k];
      for (let j = 0; j < lv.n; j++) {
        const A = lv.A[j];
        const B = lv.B[j];
        const p = lv.p[j];
        const p2 = p * p;
        const abar = up ? up.Abar[up.nodeOfChild[j]] : 0;
        const bbar = up ? up.Bbar[up.nodeOfChild[j]] : 0;
        lv.Abar[j] =
          (-0.5 * vk * vk * B * B) / p2 - (0.5 * vk) / p + abar / p2 - (bbar * B * vk) / p2;
        lv.Bbar[j] = (vk * B) / p + bbar / p;
        vbar[k] += (0.5 * B * B) / p2 - (0.5 * A) / p - (abar * A * A) / p2 - (bbar * A * B) / p2;
      }
    }
    let gSigma2 = 0;
    const cells = levels[0];
    for (let i = 0; i < N; i++) {
      const c = cells.nodeOfChild[i];
      const e = y[i] - eta[i];
      const Bb = c >= 0 ? cells.Bbar[c] : 0;
      const Ab = c >= 0 ? cells.Abar[c] : 0;
      gEta[i] = w[i] * (e - Bb);
      if (hasSigma) gSigma2 -= w[i] * w[i] * (Ab + Bb * e + 0.5 / w[i] - 0.5 * e * e);
    }
    // chain rule to the overall level and the sampled (non-centred) group effects
    for (let i = 0; i < N; i++) grad[0] += gEta[i];
    const b0 = interceptOf(theta);
    lp += priorLogDensity(pIntercept, b0, pg);
    const dB0 = pg[1];
    grad[0] += dB0;
    for (const t of terms) {
      const sd = Math.exp(theta[t.sdOff]);
      const prec = (c0 * c0) / (sd * sd);
      let gTot = 0;
      t.gu.fill(0);
      for (let i = 0; i < N; i++) {
        const l = t.idx[i];
        if (l < 0) continue;
        t.gu[l] += c0 * gEta[i];
        gTot += gEta[i];
      }
      for (let l = 0; l < t.n; l++) t.gu[l] -= (c0 * (gTot + dB0)) / t.n;
      // back to (mean m~, Helmert contrasts): u = m + f Q v, m = sd m~ / (c0 sqrt n)
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
      helmertTranspose(t.gu, grad, t.zOff + 1);
      let vv = 0;
      for (let k = 1; k < t.n; k++) vv += theta[t.zOff + k] ** 2;
      if (t.centred) {
        // prior r = c0 u ~ N(0, sd^2 I) with the Jacobian of m~ -> m:
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
  };

  // reported variables: the reference model's names, filled by name
  const sdSlot = others.map((g) => slotOf.get(`sd_${g.group}__Intercept`) ?? -1);
  const rSlot = others.map((g) =>
    Int32Array.from(g.levels, (lv) => slotOf.get(`r_${g.group}[${lv.join('_')},Intercept]`) ?? -1),
  );
  const innerWriteVariables = (theta: Float64Array, out: Float64Array): void => {
    out.fill(Number.NaN);
    const set = (name: string, x: number) => {
      const k = slotOf.get(name);
      if (k !== undefined) out[k] = x;
    };
    computeEta(theta);
    set('b_Intercept', interceptOf(theta));
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
    weights(sigma * sigma);
    forward();
    auxNormals(theta, xi);
    // effects top-down: r ~ N(kappa (B - A R), kappa), R = sum of the ancestors' effects
    for (let k = L - 1; k >= 0; k--) {
      const lv = levels[k];
      const up = k + 1 < L ? levels[k + 1] : null;
      for (let j = 0; j < lv.n; j++) {
        const R = up ? up.r[up.nodeOfChild[j]] : 0;
        const kap = v[k] / lv.p[j];
        const own = kap * (lv.B[j] - lv.A[j] * R) + Math.sqrt(kap) * xi[lv.xiOff + j];
        lv.r[j] = R + own; // keep the running sum for the children
        if (lv.slot[j] >= 0) out[lv.slot[j]] = own;
      }
    }
  };

  /**
   * With sigma, the cell sd tau and sigma are sampled as nu = sqrt(sigma^2 + tau^2) (log) and the
   * share pi = tau^2 / nu^2 (logit): with one row per cell only nu is identified and pi follows its
   * prior, an L-shaped ridge in (log sigma, log tau) that set the step size on the LongBench and
   * SBC fits; in (log nu, logit pi) it is axis-aligned. log sigma = log nu + log(1 - pi) / 2,
   * log tau = log nu + log(pi) / 2; the Jacobian determinant is 1/2 (constant, dropped).
   */
  const cellTauOff = levels[0].logSdOff;
  const useShare = hasSigma;
  if (useShare) {
    parameterNames[sigmaOff] = `log(sqrt(sigma^2 + sd_${levels[0].g.group}__Intercept^2))`;
    parameterNames[cellTauOff] = `logit(sd_${levels[0].g.group}__Intercept^2 share)`;
  }
  const phi = new Float64Array(dim);
  const toPhi = (theta: Float64Array): number => {
    phi.set(theta);
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
  };
  const logDensityGradient = (theta: Float64Array, grad: Float64Array): number => {
    const pi = toPhi(theta);
    const lp = innerLogDensityGradient(phi, grad);
    if (useShare && Number.isFinite(lp)) {
      const gs = grad[sigmaOff];
      const gt = grad[cellTauOff];
      grad[sigmaOff] = gs + gt;
      grad[cellTauOff] = -0.5 * pi * gs + 0.5 * (1 - pi) * gt;
    }
    return lp;
  };
  const writeVariables = (theta: Float64Array, out: Float64Array): void => {
    toPhi(theta);
    innerWriteVariables(phi, out);
  };

  const inits = (chains: number, seed: number): Float64Array[] =>
    Array.from({ length: chains }, (_, c) => {
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
      return th;
    });

  return {
    dim,
    parameterNames,
    variableNames,
    inits,
    groups: ref.groups,
    priors: ref.priors,
    spec,
    table,
    logDensityGradient,
    writeVariables,
    // Deterministic from (spec, table), so the sampler can rebuild it in a worker thread per chain
    // (same draws, bit for bit, as in-process) instead of running the chains one after another.
    source: {
      kind: 'module',
      path: THIS_MODULE,
      exportName: 'rebuildComparisonModel',
      args: { spec, table },
    },
  };
}
