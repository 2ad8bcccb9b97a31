import type { Table } from '../data/table.js';
import { collapseRows, gaussianCellStats, type RowKey, rowCells } from './cells.js';
import type { Model } from './model-types.js';
import type { GroupInfo, ModelSpec, PriorRow } from './spec.js';

/**
 * The data of the nested-chain geometry (see geometry/marginal-chain.ts and nested-model.ts): a
 * gaussian model whose heuristic-specific varying intercepts nest (rows in heuristic x task cells,
 * cells in heuristic x category levels, those in heuristics) integrates that chain out exactly;
 * the other varying intercepts (task, study) are sampled as a centred level plus contrasts. The
 * chain is found from the structure of the terms and the data, not the column names, so
 * `y ~ 1 + (1|method) + (1|dataset) + (1|method:domain) + (1|method:dataset)` with datasets
 * nested in domains gets the same geometry (see `structuralChain`).
 */

/**
 * Whether a compiled model has the shape the nested chain reproduces: gaussian, intercepts only,
 * and a chain of nested group terms (`detectChain`: from the terms' structure and the data first).
 */
export function nestApplies(ref: Model): boolean {
  const spec = ref.spec;
  const family = spec.family ?? 'gaussian';
  if (family !== 'gaussian') return false;
  if (ref.variableNames.some((v) => v.startsWith('b_') && v !== 'b_Intercept')) return false;
  if (!ref.variableNames.includes('b_Intercept')) return false;
  if (ref.groups.some((g) => g.coefs.length !== 1 || g.coefs[0] !== 'Intercept')) return false;
  if (/weights\(|trials\(|cens\(|mi\(/.test(spec.formula)) return false;
  return detectChain(ref) !== null;
}

/** The detected chain: its groups bottom first, and the factor pair whose levels block a term. */
interface Chain {
  groups: GroupInfo[];
  /** Single-factor term `factor` gets its contrasts blocked by the table column `by`. */
  blocks: { factor: string; by: string };
}

/** Each level of `lower` (per row) sits in one level of `upper`; rows missing either fail. */
function nestsIn(lower: Int32Array, upper: Int32Array, nLower: number): Int32Array | null {
  const map = new Int32Array(nLower).fill(-1);
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i];
    if (c < 0 || upper[i] < 0) return null;
    if (map[c] >= 0 && map[c] !== upper[i]) return null;
    map[c] = upper[i];
  }
  return map;
}

/**
 * The structural chain: intercept-only terms A, A:C and A:B (factor sets growing by one factor)
 * where every level of A:B lies in one level of A:C in the data (B nested in C within A), so the
 * three nest as A:B ⊂ A:C ⊂ A whatever the columns are called. When several triples qualify the
 * finest bottom wins, then one whose B is also a crossed term of its own (the benchmark's task),
 * then formula order.
 */
function structuralChain(ref: Model): Chain | null {
  const d = ref.internals.design;
  const rowsOf = (g: GroupInfo) => d.groups[ref.groups.indexOf(g)].idx;
  const single = (f: string) =>
    ref.groups.find((g) => g.factors.length === 1 && g.factors[0] === f);
  const pairs = ref.groups.filter((g) => g.factors.length === 2 && g.factors[0] !== g.factors[1]);
  const found: { chain: Chain; levels: number; crossed: boolean; order: number }[] = [];
  for (const low of pairs) {
    for (const a of low.factors) {
      const top = single(a);
      const b = low.factors.find((f) => f !== a) as string;
      if (!top) continue;
      for (const mid of pairs) {
        if (mid === low || !mid.factors.includes(a) || mid.factors.includes(b)) continue;
        const c = mid.factors.find((f) => f !== a) as string;
        if (!nestsIn(rowsOf(low), rowsOf(mid), low.levels.length)) continue;
        if (!nestsIn(rowsOf(mid), rowsOf(top), mid.levels.length)) continue;
        found.push({
          chain: { groups: [low, mid, top], blocks: { factor: b, by: c } },
          levels: low.levels.length,
          crossed: single(b) !== undefined,
          order: ref.groups.indexOf(low),
        });
      }
    }
  }
  found.sort(
    (x, y) => y.levels - x.levels || Number(y.crossed) - Number(x.crossed) || x.order - y.order,
  );
  return found.length ? found[0].chain : null;
}

/**
 * The chain of nested groups, bottom first: the structural chain when the terms form one (see
 * `structuralChain`), else the benchmark comparison's heuristic:task cell group with as many of
 * heuristic:category and heuristic above it as nest in the data (a shorter chain; the
 * comparison model without categories or with tasks spanning categories).
 */
function detectChain(ref: Model): Chain | null {
  const s = structuralChain(ref);
  if (s) return s;
  const cellGroup = ref.groups.find(isCellGroup);
  if (!cellGroup) return null;
  const d = ref.internals.design;
  const rowsOf = (g: GroupInfo) => d.groups[ref.groups.indexOf(g)].idx;
  const groups: GroupInfo[] = [cellGroup];
  for (const pick of [isCategoryGroup, isHeuristicGroup]) {
    const g = ref.groups.find(pick);
    if (!g) continue;
    const below = groups[groups.length - 1];
    if (!nestsIn(rowsOf(below), rowsOf(g), below.levels.length)) break;
    groups.push(g);
  }
  return { groups, blocks: { factor: 'task', by: 'category' } };
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
 * The data the nested-chain model needs, reduced to per-cell sufficient statistics (model/cells.ts;
 * cells here are rows that share every group-level index: the heuristic x task level and the level
 * of each sampled term, e.g. the study). Within a cell the linear predictor eta is constant, so
 * without `se()` (one weight w = 1 / sigma^2 for every row) the row terms of the likelihood
 * collapse exactly: sum_i w e_i^2 = w (ss + n d^2) and sum_i w e_i = w n d with d = mean - eta.
 * With `se()` every row keeps its own weight and is its own cell. Plain data (typed arrays,
 * strings), so it is also what a sampler worker receives to rebuild the model in O(cells) instead
 * of recompiling it from the whole table.
 */
export interface NestedData {
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
   * log sigma coordinate (see nested-model.ts).
   */
  withinLogSd: number;
  withinDf: number;
  /** Rows (sum of `cells.n`). */
  nRows: number;
  /** Mean and sd of the scores (units of the sampled terms, inits). */
  yMean: number;
  ySd: number;
  /** Per-cell sufficient statistics (model/cells.ts `gaussianCellStats` with unit weights). */
  cells: {
    n: Float64Array;
    mean: Float64Array;
    /** Sum of squares of the cell's scores about `mean`. */
    ss: Float64Array;
    /** se^2 of the cell's row (cells are rows with `se()`), else null. */
    se2: Float64Array | null;
    /** Node of the chain's first level (the heuristic:task level) of each cell; -1 = none. */
    node: Int32Array;
  };
  /** The integrated-out chain, first level first: group index and each child's parent node. */
  chain: { group: number; nodeOfChild: Int32Array }[];
  /** Sampled group terms: group index, level of each cell, centred or not, basis blocks. */
  terms: { group: number; idx: Int32Array; centred: boolean; blocks: Int32Array[] }[];
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
 * y with the two factors' main effects removed (y - mean by a - mean by b + grand mean; one
 * sweep, exact for balanced tables), so the pinned rule judges an interaction term (e.g.
 * heuristic:backbone) by its own spread, not by the main effects its raw level means carry: on
 * the Ada-KV table the raw means called heuristic:backbone pinned, and its centred form sat in a
 * funnel (E-BFMI 0.04, R-hat 1.07) where the interaction is small.
 * @example mainEffectsRemoved(y, table, ['heuristic', 'backbone'])
 */
export function mainEffectsRemoved(
  y: ArrayLike<number>,
  table: Table,
  factors: readonly string[],
): Float64Array {
  const out = Float64Array.from(y);
  let grand = 0;
  for (let i = 0; i < out.length; i++) grand += out[i];
  grand /= out.length || 1;
  const shift = new Float64Array(out.length).fill(grand);
  for (const f of factors) {
    const col = table.columns[f];
    if (col?.type !== 'factor') return out;
    const sum = new Float64Array(col.levels.length);
    const cnt = new Float64Array(col.levels.length);
    for (let i = 0; i < out.length; i++) {
      const c = col.codes[i];
      if (c < 0) continue;
      sum[c] += y[i];
      cnt[c]++;
    }
    for (let i = 0; i < out.length; i++) {
      const c = col.codes[i];
      if (c >= 0) shift[i] -= sum[c] / cnt[c];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] += shift[i];
  return out;
}

/**
 * Blocks of a single-factor term's levels: the levels of the chain's B grouped by the levels of its
 * C (`by`; tasks by category) when every level of B sits in one level of C, else one block.
 */
function termBlocks(
  table: Table,
  g: GroupInfo,
  idx: Int32Array,
  by: Chain['blocks'],
): Int32Array[] {
  const n = g.levels.length;
  const all = [Int32Array.from({ length: n }, (_, l) => l)];
  const cat = table.columns[by.by];
  if (g.factors.length !== 1 || g.factors[0] !== by.factor || cat?.type !== 'factor') return all;
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

/** Options of `nestedData`. */
export interface NestedDataOptions {
  /**
   * Collapse rows into cells (default true). false keeps one cell per row: the plain row-level
   * computation, which the tests use as the reference for the collapsed one.
   */
  collapse?: boolean;
}

/** The chain's groups bottom first, each level's parent maps, and the blocking pair. */
function nestedChain(ref: Model): {
  chainGroups: GroupInfo[];
  nestMaps: Int32Array[];
  blocks: Chain['blocks'];
} {
  const chain = detectChain(ref) as Chain;
  const d = ref.internals.design;
  const rowsOf = (g: GroupInfo) => d.groups[ref.groups.indexOf(g)].idx;
  const nestMaps = chain.groups
    .slice(1)
    .map(
      (g, k) =>
        nestsIn(rowsOf(chain.groups[k]), rowsOf(g), chain.groups[k].levels.length) as Int32Array,
    );
  return { chainGroups: chain.groups, nestMaps, blocks: chain.blocks };
}

/**
 * The compact statistics of the nested-chain model (see `NestedData`) from a compiled model (its
 * design supplies the response, se() and every group's level per row) and the table it was
 * compiled on. One pass over the rows per group, then O(cells).
 */
export function nestedData(ref: Model, table: Table, options: NestedDataOptions = {}): NestedData {
  const d = ref.internals.design;
  const N = d.nRows;
  const y = d.y;
  const seRow = d.se;
  const groups = ref.groups.map((g) => ({ ...g }));
  const gi = (g: GroupInfo) => ref.groups.indexOf(g);
  const rowsOf = (g: GroupInfo) => d.groups[gi(g)].idx;
  const { chainGroups, nestMaps, blocks } = nestedChain(ref);
  const cellGroup = chainGroups[0];
  const cellRow = rowsOf(cellGroup);
  const others = ref.groups.filter((g) => !chainGroups.includes(g));
  const otherRows = others.map(rowsOf);

  // cells: rows sharing the chain's first level and every sampled term's level (each row its own
  // cell with se())
  const { cellOfRow, firstRow, nCells } =
    seRow || options.collapse === false
      ? rowCells(N)
      : collapseRows(N, [
          { codes: cellRow, n: cellGroup.levels.length },
          ...others.map((g, t): RowKey => ({ codes: otherRows[t], n: g.levels.length })),
        ]);
  const { W: n, M: mean, SS: ss } = gaussianCellStats(y, null, cellOfRow, nCells);
  const se2 = seRow ? Float64Array.from(firstRow, (i) => seRow[i] * seRow[i]) : null;
  const node = Int32Array.from(firstRow, (i) => cellRow[i]);
  const termIdx = otherRows.map((rows) => Int32Array.from(firstRow, (i) => rows[i]));

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

  // pooled sd of the rows about their chain-node means (the node means, then squares about them)
  const nodeMean = gaussianCellStats(y, null, cellRow, cellGroup.levels.length).M;
  let withinSs = 0;
  for (let i = 0; i < N; i++) {
    const c = cellRow[i];
    if (c >= 0) withinSs += (y[i] - nodeMean[c]) ** 2;
  }
  const withinDf = rowsInCells - cellsWithRows;

  let ySum = 0;
  for (let i = 0; i < N; i++) ySum += y[i];
  const yMean = ySum / N;
  let ySs = 0;
  for (let i = 0; i < N; i++) ySs += (y[i] - yMean) ** 2;
  const ySd = N > 1 && ySs > 0 ? Math.sqrt(ySs / (N - 1)) : 1;

  return {
    spec: ref.spec,
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
    cells: { n, mean, ss, se2, node },
    chain: chainGroups.map((g, k) => ({
      group: gi(g),
      nodeOfChild: k === 0 ? node : nestMaps[k - 1],
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
        levelsPinned(
          g.factors.length === 2 ? mainEffectsRemoved(y, table, g.factors) : y,
          otherRows[t],
          g.levels.length,
        ),
      blocks: termBlocks(table, g, otherRows[t], blocks),
    })),
  };
}
