import type { FactorColumn, Table } from '../data/table.js';
import { compileModel } from '../model/compile.js';
import { type CompiledPrior, compilePrior, parsePrior, priorLogDensity } from '../model/priors.js';
import type { CompiledModel, GroupInfo, ModelSpec, PriorRow } from '../model/spec.js';
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

/**
 * The data the comparison model needs, reduced to sufficient statistics per "atom" (rows that share
 * every group-level index: the heuristic x task cell and the level of each sampled term, e.g. the
 * study). Within an atom the linear predictor eta is constant, so without `se()` (one weight
 * w = 1 / sigma^2 for every row) the row terms of the likelihood collapse exactly:
 * sum_i w e_i^2 = w (ss + n d^2) and sum_i w e_i = w n d with d = mean - eta, where mean and ss
 * (the sum of squares about the atom's own mean, not the raw sum of y^2, which would cancel badly
 * at large n) are the atom's statistics. With `se()` every row keeps its own weight and is its own
 * atom. Plain data (typed arrays, strings), so it is also what a sampler worker receives to rebuild
 * the model in O(atoms) instead of recompiling it from the whole table.
 */
export interface ComparisonData {
  spec: ModelSpec;
  groups: GroupInfo[];
  priors: PriorRow[];
  variableNames: string[];
  hasSigma: boolean;
  /**
   * Whether the cells hold replicated rows (at least two rows per cell on average, no `se()`):
   * then sigma is pinned by the within-cell spread and (log sigma, log tau) are sampled directly
   * instead of the (log nu, logit share) pair, which is a thin diagonal ridge in that case.
   */
  replicated: boolean;
  /**
   * With replicated cells: log of the pooled within-cell sd of the scores and the within-cell
   * degrees of freedom (rows minus cells), which set the location and scale of the sampled
   * log sigma coordinate (see `buildComparisonModel`).
   */
  withinLogSd: number;
  withinDf: number;
  /** Rows (sum of `atoms.n`). */
  nRows: number;
  /** Mean and sd of the scores (units of the sampled terms, inits). */
  yMean: number;
  ySd: number;
  atoms: {
    n: Float64Array;
    mean: Float64Array;
    /** Sum of squares of the atom's scores about `mean`. */
    ss: Float64Array;
    /** se^2 of the atom's row (atoms are rows with `se()`), else null. */
    se2: Float64Array | null;
    /** Cell (heuristic:task level) of each atom; -1 = none. */
    cell: Int32Array;
  };
  /** The integrated-out chain, cells first: group index and each child's parent node. */
  chain: { group: number; nodeOfChild: Int32Array }[];
  /** Sampled group terms: group index, level of each atom, centred or not, basis blocks. */
  terms: { group: number; idx: Int32Array; centred: boolean; blocks: Int32Array[] }[];
}

/** Options of `compileComparisonModel` (for tests). */
export interface ComparisonModelOptions {
  /**
   * Collapse rows into atoms (default true). false keeps one atom per row: the plain row-level
   * computation, which the tests use as the reference for the collapsed one.
   */
  collapse?: boolean;
}

/** One integrated-out level of the nested chain heuristic > heuristic:category > heuristic:task. */
interface Level {
  g: GroupInfo;
  /** Node of each child (the level below's node, or each atom for the cell level); -1 = none. */
  nodeOfChild: Int32Array;
  n: number;
  logSdOff: number;
  xiOff: number;
  prior: CompiledPrior;
  A: Float64Array;
  B: Float64Array;
  /** 1 / p of each node (the forward pass's divisions, reused backward). */
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
  /** The statistics the model was built from (rows collapsed into atoms). */
  readonly data: ComparisonData;
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
 * Rebuild the comparison model in a sampler worker (the model's `source`): from its compact
 * `data` (O(atoms)), or, as before, from a spec and a (canonical, scaled) table, compiling the
 * reference model with default options as `runComparison` does.
 *
 * @example const m = rebuildComparisonModel({ data: model.data }); m.dim
 */
export function rebuildComparisonModel(
  args: { data: ComparisonData } | { spec: ModelSpec; table: Table },
): ComparisonModel {
  if ('data' in args) return buildComparisonModel(args.data);
  return compileComparisonModel(compileModel(args.spec, args.table), args.spec, args.table);
}

/** Row-level string key fallback for `rowLevels` (numeric grouping columns, huge level spaces). */
function rowLevelsByString(table: Table, g: GroupInfo): Int32Array {
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
 * The level of group `g` of each row (-1 = none). For factor columns the key is a mixed-radix
 * number of the factor codes (no per-row strings: 1M rows x 4 groups took seconds as strings).
 */
function rowLevels(table: Table, g: GroupInfo): Int32Array {
  const cols = g.factors.map((f) => table.columns[f]);
  let radix = 1;
  for (const c of cols) {
    if (c?.type !== 'factor') return rowLevelsByString(table, g);
    radix *= c.levels.length + 1;
  }
  if (radix > Number.MAX_SAFE_INTEGER) return rowLevelsByString(table, g);
  const factors = cols as FactorColumn[];
  const codeOf = factors.map((c) => new Map(c.levels.map((lv, k) => [lv, k])));
  const key = new Map<number, number>();
  g.levels.forEach((lv, i) => {
    let k = 0;
    for (let j = 0; j < factors.length; j++) {
      const code = codeOf[j].get(lv[j]);
      if (code === undefined) return;
      k = k * (factors[j].levels.length + 1) + code;
    }
    key.set(k, i);
  });
  const out = new Int32Array(table.nRows);
  for (let i = 0; i < table.nRows; i++) {
    let k = 0;
    let ok = true;
    for (let j = 0; j < factors.length; j++) {
      const code = factors[j].codes[i];
      if (code < 0) ok = false;
      k = k * (factors[j].levels.length + 1) + code;
    }
    out[i] = ok ? (key.get(k) ?? -1) : -1;
  }
  return out;
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
 * An orthonormal basis Q (n x (n - 1)) of the sum-to-zero subspace of a group's n levels, nested in
 * blocks (tasks in their categories): first one coordinate per block after the first for the
 * differences between block means (nested Helmert: column k has a_k on the blocks before k and
 * -b_k on block k, a_k = n_k t, b_k = N_<k t, t = 1 / sqrt(n_k N_<k (n_k + N_<k)); each sums to zero
 * and is constant on the blocks its successors see, so they are orthogonal), then the Helmert
 * contrasts within each block. With one block this is the plain Helmert basis.
 *
 * Why blocks: tasks are pinned very precisely by the data, except for the shift of all tasks of
 * one category, which the integrated-out heuristic:category effects absorb. Within-block contrasts
 * are orthogonal to those weak directions, so a diagonal metric can scale the two kinds apart (the
 * all-task Helmert basis mixed them: small steps, deep trees). Q is orthonormal, so the density of
 * the effects (and every reported variable) is unchanged; only the coordinates rotate.
 */
interface NestedBasis {
  n: number;
  blocks: Int32Array[];
  a: Float64Array;
  b: Float64Array;
  blockSum: Float64Array;
}

function nestedBasis(n: number, blocks: Int32Array[]): NestedBasis {
  const C = blocks.length;
  const a = new Float64Array(C);
  const b = new Float64Array(C);
  let before = blocks.length > 0 ? blocks[0].length : 0;
  for (let k = 1; k < C; k++) {
    const nk = blocks[k].length;
    const t = 1 / Math.sqrt(nk * before * (nk + before));
    a[k] = nk * t;
    b[k] = before * t;
    before += nk;
  }
  return { n, blocks, a, b, blockSum: new Float64Array(C) };
}

/** out = Q v with v = theta[off .. off + n - 2] (between-block coordinates first). */
function basisApply(q: NestedBasis, theta: Float64Array, off: number, out: Float64Array): void {
  const C = q.blocks.length;
  // value added to every level of block j by the between-block coordinates
  let suffix = 0;
  for (let j = C - 1; j >= 0; j--) {
    const own = j > 0 ? -q.b[j] * theta[off + j - 1] : 0;
    q.blockSum[j] = own + suffix;
    if (j > 0) suffix += q.a[j] * theta[off + j - 1];
  }
  let o = off + Math.max(C - 1, 0);
  for (let j = 0; j < C; j++) {
    const m = q.blocks[j];
    const base = q.blockSum[j];
    // Helmert column k adds c_k v_k to levels 0..k-1 and -k c_k v_k to level k: level j gets the
    // suffix sum of c_k v_k over k > j (O(n) instead of O(n^2))
    const last = m.length - 1;
    let suffix = 0;
    for (let j = last; j >= 0; j--) {
      let x = base + suffix;
      if (j > 0) {
        const c = 1 / Math.sqrt(j * (j + 1));
        const cv = c * theta[o + j - 1];
        x -= j * cv;
        suffix += cv;
      }
      out[m[j]] = x;
    }
    o += Math.max(last, 0);
  }
}

/** grad[off ..] += Q' g, the transpose of `basisApply`. */
function basisTranspose(q: NestedBasis, g: Float64Array, grad: Float64Array, off: number): void {
  const C = q.blocks.length;
  let before = 0;
  let o = off + Math.max(C - 1, 0);
  for (let j = 0; j < C; j++) {
    const m = q.blocks[j];
    let own = 0;
    let prefix = 0;
    for (let k = 0; k < m.length; k++) {
      own += g[m[k]];
      if (k === 0) continue;
      prefix += g[m[k - 1]];
      const c = 1 / Math.sqrt(k * (k + 1));
      grad[o++] += c * prefix - k * c * g[m[k]];
    }
    if (j > 0) grad[off + j - 1] += q.a[j] * before - q.b[j] * own;
    before += own;
  }
}

/**
 * The columns of the nested basis as vectors (tests check it is orthonormal and sums to zero).
 * @example basisColumns(3, [Int32Array.of(0), Int32Array.of(1, 2)]).length // 2
 */
export function basisColumns(n: number, blocks: Int32Array[]): Float64Array[] {
  const q = nestedBasis(n, blocks);
  return Array.from({ length: n - 1 }, (_, k) => {
    const e = new Float64Array(n - 1);
    e[k] = 1;
    const out = new Float64Array(n);
    basisApply(q, e, 0, out);
    return out;
  });
}

/**
 * Q' g through `basisTranspose` (tests check it against the columns).
 * @example basisTransposeOf(3, [Int32Array.of(0, 1, 2)], Float64Array.of(1, 0, 0))
 */
export function basisTransposeOf(n: number, blocks: Int32Array[], g: Float64Array): Float64Array {
  const out = new Float64Array(n - 1);
  basisTranspose(nestedBasis(n, blocks), g, out, 0);
  return out;
}

function priorFor(priors: readonly PriorRow[], cls: string, group = ''): CompiledPrior {
  const row = priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
  if (!row) return compilePrior({ kind: 'flat' });
  const name = cls === 'sd' ? `sd_${group}` : cls;
  return compilePrior(parsePrior(`${name} ~ ${row.prior}`).dist);
}

/**
 * Blocks of a single-factor term's levels: its levels grouped by category when every level of the
 * factor sits in one category (tasks nest in categories), else one block of all levels.
 */
function termBlocks(table: Table, g: GroupInfo, idx: Int32Array): Int32Array[] {
  const n = g.levels.length;
  const all = [Int32Array.from({ length: n }, (_, l) => l)];
  const cat = table.columns.category;
  if (g.factors.length !== 1 || g.factors[0] !== 'task' || cat?.type !== 'factor') return all;
  const catOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < idx.length; i++) {
    const l = idx[i];
    const c = cat.codes[i];
    if (l < 0) continue;
    if (c < 0 || (catOf[l] >= 0 && catOf[l] !== c)) return all;
    catOf[l] = c;
  }
  const byCat = new Map<number, number[]>();
  for (let l = 0; l < n; l++) {
    const list = byCat.get(catOf[l]);
    if (list) list.push(l);
    else byCat.set(catOf[l], [l]);
  }
  if (byCat.size < 2) return all;
  return [...byCat.keys()].sort((x, y) => x - y).map((c) => Int32Array.from(byCat.get(c) ?? []));
}

/**
 * The compact statistics of the comparison model (see `ComparisonData`) from the model layer's
 * compiled reference model and the fitted table. One pass over the rows per group, then O(atoms).
 */
export function comparisonData(
  ref: CompiledModel,
  spec: ModelSpec,
  table: Table,
  options: ComparisonModelOptions = {},
): ComparisonData {
  const N = table.nRows;
  const yCol = table.columns.score;
  if (yCol?.type !== 'numeric') throw new Error('compileComparisonModel: no numeric score');
  const y = yCol.values;
  const seCol = /\bse\(/.test(spec.formula) ? table.columns.se : undefined;
  const seRow = seCol?.type === 'numeric' ? seCol.values : null;
  const groups = ref.groups.map((g) => ({ ...g }));
  const gi = (g: GroupInfo) => ref.groups.indexOf(g);

  // the nested chain, bottom (cells) first; a level joins only if its nodes nest
  const cellGroup = ref.groups.find(isCellGroup) as GroupInfo;
  const chainGroups: GroupInfo[] = [cellGroup];
  const cellRow = rowLevels(table, cellGroup);
  let below = cellRow;
  const nestMaps: Int32Array[] = [];
  for (const pick of [isCategoryGroup, isHeuristicGroup]) {
    const g = ref.groups.find(pick);
    if (!g) continue;
    const up = rowLevels(table, g);
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
  const otherRows = others.map((g) => rowLevels(table, g));

  // atoms: rows sharing the cell and every sampled term's level (each row its own atom with se())
  const atomOf = new Int32Array(N);
  let nAtoms = 0;
  if (seRow || options.collapse === false) {
    for (let i = 0; i < N; i++) atomOf[i] = i;
    nAtoms = N;
  } else {
    const radices = [cellGroup.levels.length + 1, ...others.map((g) => g.levels.length + 1)];
    const space = radices.reduce((a, b) => a * b, 1);
    const keyOf = (i: number) => {
      let k = cellRow[i] + 1;
      for (let t = 0; t < others.length; t++) k = k * radices[t + 1] + otherRows[t][i] + 1;
      return k;
    };
    if (space <= 1 << 24) {
      const slot = new Int32Array(space).fill(-1);
      for (let i = 0; i < N; i++) {
        const k = keyOf(i);
        if (slot[k] < 0) slot[k] = nAtoms++;
        atomOf[i] = slot[k];
      }
    } else {
      const slot = new Map<number | string, number>();
      const big = space > Number.MAX_SAFE_INTEGER;
      for (let i = 0; i < N; i++) {
        const k = big ? [cellRow[i], ...otherRows.map((r) => r[i])].join(',') : keyOf(i);
        let a = slot.get(k);
        if (a === undefined) {
          a = nAtoms++;
          slot.set(k, a);
        }
        atomOf[i] = a;
      }
    }
  }
  const n = new Float64Array(nAtoms);
  const mean = new Float64Array(nAtoms);
  const ss = new Float64Array(nAtoms);
  const se2 = seRow ? new Float64Array(nAtoms) : null;
  const cell = new Int32Array(nAtoms);
  const termIdx = others.map(() => new Int32Array(nAtoms));
  for (let i = 0; i < N; i++) {
    const a = atomOf[i];
    n[a]++;
    mean[a] += y[i];
    cell[a] = cellRow[i];
    for (let t = 0; t < others.length; t++) termIdx[t][a] = otherRows[t][i];
    if (se2 && seRow) se2[a] = seRow[i] * seRow[i];
  }
  for (let a = 0; a < nAtoms; a++) mean[a] /= n[a];
  for (let i = 0; i < N; i++) {
    const d = y[i] - mean[atomOf[i]];
    ss[atomOf[i]] += d * d;
  }

  let rowsInCells = 0;
  const cellSeen = new Uint8Array(cellGroup.levels.length);
  let cellsWithRows = 0;
  for (let i = 0; i < N; i++) {
    const c = cellRow[i];
    if (c < 0) continue;
    rowsInCells++;
    if (!cellSeen[c]) {
      cellSeen[c] = 1;
      cellsWithRows++;
    }
  }

  // pooled within-cell sd (two passes: cell means, then squares about them)
  const cellSum = new Float64Array(cellGroup.levels.length);
  const cellCount = new Float64Array(cellGroup.levels.length);
  for (let i = 0; i < N; i++) {
    const c = cellRow[i];
    if (c < 0) continue;
    cellSum[c] += y[i];
    cellCount[c]++;
  }
  let withinSs = 0;
  for (let i = 0; i < N; i++) {
    const c = cellRow[i];
    if (c >= 0) withinSs += (y[i] - cellSum[c] / cellCount[c]) ** 2;
  }
  const withinDf = rowsInCells - cellsWithRows;

  let ySum = 0;
  for (let i = 0; i < N; i++) ySum += y[i];
  const yMean = ySum / N;
  let ySs = 0;
  for (let i = 0; i < N; i++) ySs += (y[i] - yMean) ** 2;
  const ySd = N > 1 && ySs > 0 ? Math.sqrt(ySs / (N - 1)) : 1;

  return {
    spec,
    groups,
    priors: ref.priors.map((p) => ({ ...p })),
    variableNames: [...ref.variableNames],
    hasSigma: ref.variableNames.includes('sigma'),
    replicated: !seRow && withinDf >= cellsWithRows && withinSs > 0,
    withinLogSd: withinDf > 0 && withinSs > 0 ? 0.5 * Math.log(withinSs / withinDf) : 0,
    withinDf,
    nRows: N,
    yMean,
    ySd,
    atoms: { n, mean, ss, se2, cell },
    chain: chainGroups.map((g, k) => ({
      group: gi(g),
      nodeOfChild: k === 0 ? cell : nestMaps[k - 1],
    })),
    terms: others.map((g, t) => ({
      group: gi(g),
      idx: termIdx[t],
      /**
       * Contrasts centred when the data pin the levels down (Betancourt & Girolami 2015): the
       * spread of the level means of y is more than twice the standard error of one level mean
       * (pooled within-level sd / sqrt(rows per level)). Benchmarks nearly always qualify for
       * tasks (every heuristic runs every task, tasks differ in difficulty); non-centred
       * contrasts there were worse on every fixture (44 instead of 6 divergences on PyramidKV
       * with --study model). Tiny or flat data (a few rows, tasks of equal difficulty) get the
       * non-centred form, whose funnel is at the other end. Study/seed offsets: centred (the
       * rule's raw within-level sd also holds the heuristic and task variation, so it under-rates
       * how well a study offset is pinned; centred won there).
       */
      centred:
        g.factors.some((x) => x === 'study' || x === 'seed') ||
        levelsPinned(y, otherRows[t], g.levels.length),
      blocks: termBlocks(table, g, otherRows[t]),
    })),
  };
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
 * p = 1 + A v and hands its parent a = A / p, b = B / p. Atoms (rows with the same group levels,
 * see `ComparisonData`) start the chain with a = w n, b = w n (mean - eta). The gradient runs the
 * same chain top-down (reverse mode by hand, checked against finite differences and the row-level
 * computation in test/analysis/model.test.ts). Effects come back top-down too: given the sum R of
 * its ancestors' effects, r ~ N(kappa (B - A R), kappa) with kappa = v / p, drawn as
 * kappa (B - A R) + sqrt(kappa) xi with an auxiliary xi ~ N(0, 1) per node. Levels that do not
 * nest (a task under two categories) stay sampled, non-centred.
 * @example const m = compileComparisonModel(compileModel(spec, table), spec, table); await sample(m)
 */
export function compileComparisonModel(
  ref: CompiledModel,
  spec: ModelSpec,
  table: Table,
  options: ComparisonModelOptions = {},
): ComparisonModel {
  return buildComparisonModel(comparisonData(ref, spec, table, options));
}

/**
 * Forward pass of one level (see `compileComparisonModel`): p = 1 + A v per node, stores 1 / p,
 * hands the parent A / p and B / p, returns sum (v B^2 / p - log p) / 2. Plain typed-array
 * arguments keep the loop monomorphic with every array in a register.
 */
function levelForward(
  A: Float64Array,
  B: Float64Array,
  P: Float64Array,
  n: number,
  vk: number,
  parentOf: Int32Array,
  upA: Float64Array,
  upB: Float64Array,
): number {
  let quad = 0;
  // sum_j log p_j as the log of running products (p >= 1): one Math.log per ~1e200 of product
  // instead of one per node (the logs were most of a gradient's cost at 10,000 cells); the
  // product's relative rounding (~1e-16 per factor) is an absolute ~1e-16 per node in lp
  let prod = 1;
  let logP = 0;
  for (let j = 0; j < n; j++) {
    const a = A[j];
    const b = B[j];
    const p = 1 + a * vk;
    const ip = 1 / p;
    P[j] = ip;
    quad += b * b * ip;
    if (p > 1e100) logP += Math.log(p);
    else {
      prod *= p;
      if (prod > 1e200) {
        logP += Math.log(prod);
        prod = 1;
      }
    }
    const parent = parentOf[j];
    upA[parent] += a * ip;
    upB[parent] += b * ip;
  }
  logP += Math.log(prod);
  return 0.5 * vk * quad - 0.5 * logP;
}

/**
 * Backward pass of one level: the adjoints of each node's A and B from its parent's, and the
 * level's d lp / d v (returned).
 */
function levelBackward(
  lv: Level,
  vk: number,
  parentOf: Int32Array,
  upAbar: Float64Array,
  upBbar: Float64Array,
): number {
  const { A, B, p: P, Abar, Bbar, n } = lv;
  let vb = 0;
  for (let j = 0; j < n; j++) {
    const a = A[j];
    const b = B[j];
    const ip = P[j];
    const ip2 = ip * ip;
    const parent = parentOf[j];
    const abar = upAbar[parent];
    const bbar = upBbar[parent];
    Abar[j] = ip2 * (-0.5 * vk * vk * b * b + abar - bbar * b * vk) - 0.5 * vk * ip;
    Bbar[j] = ip * (vk * b + bbar);
    vb += ip2 * (0.5 * b * b - abar * a * a - bbar * a * b) - 0.5 * a * ip;
  }
  return vb;
}

/**
 * The comparison model from its compact statistics (in-process and in sampler workers alike, so
 * both run the same function on the same numbers: bit-identical draws).
 */
export function buildComparisonModel(data: ComparisonData): ComparisonModel {
  const { spec, groups, priors, hasSigma } = data;
  const { n: an, mean: ay, ss: ass, se2, cell: atomCell } = data.atoms;
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
      g,
      nodeOfChild: c.nodeOfChild,
      n,
      logSdOff: logSdOffs[k],
      xiOff,
      prior: priorFor(priors, 'sd', g.group),
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
  /**
   * eta (per atom) without the integrated terms. theta[0] is mu* = Intercept + sum_g mean_l(r_g[l]),
   * the well-identified overall level: each sampled group enters through z - mean(z), so the ridge
   * "intercept up, every task effect down" (badly conditioned when a few tasks sit far apart, as in
   * LRA) is gone. b_Intercept = mu* - sum_g sd_g mean(z_g); the map has unit Jacobian.
   */
  const computeEta = (theta: Float64Array) => {
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
  };
  const interceptOf = (theta: Float64Array) => {
    let b = theta[0];
    for (let k = 0; k < terms.length; k++) b -= c0 * zMean[k];
    return b;
  };
  const weights = (sigma2: number) => {
    if (se2) for (let a = 0; a < M; a++) w[a] = 1 / (sigma2 + se2[a]);
    else w.fill(1 / sigma2);
  };
  /** Forward pass up the chain; returns the log density of the data given eta and the scales. */
  const forward = (): number => {
    let lp = 0;
    const cells = levels[0];
    cells.A.fill(0);
    cells.B.fill(0);
    const cellA = cells.A;
    const cellB = cells.B;
    // without se every row has the same weight: one log instead of one per row
    let logW = se2 ? 0 : 0.5 * N * Math.log(w[0]);
    for (let a = 0; a < M; a++) {
      const c = atomCell[a];
      const wa = w[a];
      const na = an[a];
      const d = ay[a] - eta[a];
      if (se2) logW += 0.5 * na * Math.log(wa);
      // sum over the atom's rows of w e_i^2 = w (ss + n d^2)
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
    for (let k = L - 1; k >= 0; k--) {
      const lv = levels[k];
      const up = k + 1 < L ? levels[k + 1] : top;
      vbar[k] = levelBackward(lv, v[k], up.nodeOfChild, up.Abar, up.Bbar);
    }
    // per atom: the rows' sums of d lp / d eta_i = w (e_i - Bbar) and of the sigma^2 terms
    // -w^2 (Abar + Bbar e_i + 1 / (2 w) - e_i^2 / 2), with sum e_i = n d, sum e_i^2 = ss + n d^2
    let gSigma2 = 0;
    const cells = levels[0];
    let gMu = 0;
    for (let a = 0; a < M; a++) {
      const c = atomCell[a];
      const na = an[a];
      const wa = w[a];
      const d = ay[a] - eta[a];
      const Bb = c >= 0 ? cells.Bbar[c] : 0;
      const Ab = c >= 0 ? cells.Abar[c] : 0;
      const ge = wa * na * (d - Bb);
      gEta[a] = ge;
      gMu += ge;
      if (hasSigma)
        gSigma2 -= wa * wa * (na * (Ab + 0.5 / wa) + Bb * na * d - 0.5 * (ass[a] + na * d * d));
    }
    // chain rule to the overall level and the sampled group effects
    grad[0] += gMu;
    const b0 = interceptOf(theta);
    lp += priorLogDensity(pIntercept, b0, pg);
    const dB0 = pg[1];
    grad[0] += dB0;
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
  const sdSlot = terms.map(({ g }) => slotOf.get(`sd_${g.group}__Intercept`) ?? -1);
  const rSlot = terms.map(({ g }) =>
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
        const kap = v[k] * lv.p[j];
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
  const toPhi = (theta: Float64Array): number => {
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
    if (scaled) {
      grad[sigmaOff] *= sigmaScale;
      grad[cellTauOff] *= tauScale;
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
      if (scaled) {
        // sigma near the pooled within-cell sd (a few posterior sds away), tau as the others
        th[sigmaOff] = 3 * u();
        th[cellTauOff] /= tauScale;
      }
      return th;
    });

  return {
    dim,
    parameterNames,
    variableNames,
    inits,
    groups,
    priors,
    spec,
    data,
    logDensityGradient,
    writeVariables,
    // Deterministic from its compact data, so the sampler can rebuild it in a worker thread per
    // chain in O(atoms) (same draws, bit for bit, as in-process) instead of shipping the table.
    source: {
      kind: 'module',
      path: THIS_MODULE,
      exportName: 'rebuildComparisonModel',
      args: { data },
    },
  };
}
