import { ConfigError } from '../errors.js';
import type { CellData } from './cell-data.js';
import { autoCentred } from './centring.js';
import type { Design, GroupDesign } from './design.js';
import type { FamilyShape } from './families.js';
import type { ModelPriors } from './model-priors.js';
import type { CompileOptions } from './options.js';
import type { Scales } from './standardize.js';
import { type TermLayout, termLayout } from './term-layout.js';

export type { TermLayout } from './term-layout.js';

/**
 * The layout of the parameter vector (brms 2.18 `make_stancode`, non-centred group effects by
 * default): population coefficients, the centred intercept, per group term its log sds, its
 * standardized (or centred, or rotated) effects and its Cholesky correlation coordinates, then
 * sigma, nu and phi. Also the geometry choices of every term (CompileOptions) and the names of
 * the parameters and of the reported variables.
 */

/** The whole parameter vector. */
export interface Layout {
  dim: number;
  parameterNames: string[];
  /** Reported variables under brms names. */
  variableNames: string[];
  icOff: number;
  sigmaOff: number;
  nuOff: number;
  phiOff: number;
  /** Every group term, in formula order. */
  terms: TermLayout[];
  /** Terms folded into the sampled intercept (CompileOptions.shiftIntercept). */
  shift: TermLayout[];
  /** Sampled terms, more levels first (children before parents: the shear order). */
  sweep: TermLayout[];
  /** Sampled varying intercepts without slopes (the fast paths of the gradient pass). */
  plain: TermLayout[];
  /** Group names sampled centred. */
  centred: string[];
  /** Index of the group term integrated out (CompileOptions.marginalize), or -1. */
  marginalGroup: number;
  /** The affine map of CompileOptions.standardize per coordinate (loc + scale * theta). */
  stdLoc: Float64Array;
  stdScale: Float64Array;
}

/** Fewest levels of a term the beta_binomial's auto rule centres. */
const CENTRED_MIN_LEVELS = 8;

/** log((K + 1/2) / (N - K + 1/2)) per cell. */
function empiricalLogits(cells: CellData): Float64Array {
  const out = new Float64Array(cells.nCells);
  for (let c = 0; c < cells.nCells; c++) {
    out[c] = Math.log((cells.K[c] + 0.5) / (cells.N[c] - cells.K[c] + 0.5));
  }
  return out;
}

/** The centred groups: the option, the spec, or the 'auto' rule (model/centring.ts). */
function centredGroups(
  d: Design,
  shape: FamilyShape,
  cells: CellData,
  setting: readonly string[] | 'auto',
  options: CompileOptions,
): Set<string> {
  const { family, hasIc } = shape;
  const interactions = hasIc && options.shiftIntercept !== false && options.meanContrasts !== false;
  // beta_binomial: the same rule on the empirical logits log((K + 1/2) / (N - K + 1/2)) of the
  // rows (Cox 1970, "The analysis of binary data", §3.2), whose additive fit's residual variance
  // holds both the item sampling and the beta's spread; a term with fewer than
  // CENTRED_MIN_LEVELS levels stays non-centred: its sd rests on those few levels, and centred it
  // is a funnel at small sd (the heuristic term of the RULER table, 6 levels nested in
  // heuristic:category: 42 divergent transitions at the bottom of its sd; BENCHMARKS.md §9.7)
  const auto = () =>
    (family === 'gaussian' || family === 'lognormal') && cells.collapsed
      ? autoCentred(d, cells.nCells, cells.firstRow, cells.M, interactions)
      : family === 'beta_binomial'
        ? autoCentred(d, cells.nCells, cells.firstRow, empiricalLogits(cells), interactions).filter(
            (g) => (d.groups.find((x) => x.group === g)?.levels.length ?? 0) >= CENTRED_MIN_LEVELS,
          )
        : [];
  const out = new Set<string>(setting === 'auto' ? auto() : setting);
  for (const name of out) {
    if (!d.groups.some((g) => g.group === name)) {
      throw new ConfigError(
        `centred: no group term '${name}' in the model (groups: ${d.groups.map((g) => g.group).join(', ')})`,
      );
    }
  }
  return out;
}

/** The gaussian term whose levels coincide one-to-one with the cells (it can be integrated out). */
function marginalGroupOf(
  d: Design,
  shape: FamilyShape,
  cells: CellData,
  centred: Set<string>,
  options: CompileOptions,
): number {
  const { family } = shape;
  const { nCells, firstRow } = cells;
  let marginalGroup = -1;
  if (
    cells.collapsed &&
    (family === 'gaussian' || family === 'lognormal') &&
    options.marginalize !== false
  ) {
    d.groups.forEach((g, ti) => {
      if (g.coefs.length !== 1 || g.z[0] !== null || centred.has(g.group)) return;
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
  return marginalGroup;
}

/** Cells per level of a term. */
function levelCounts(t: TermLayout, nCells: number): Float64Array {
  const cnt = new Float64Array(t.nLevels);
  for (let c = 0; c < nCells; c++) cnt[t.idx[c]] += 1;
  return cnt;
}

/** A sampled varying intercept without slopes or correlations. */
export function isPlain(t: TermLayout): boolean {
  return !t.marginal && t.m === 1 && t.zc[0] === null && t.corOff < 0;
}

/** CompileOptions.shear: centred terms sampled as totals of the terms with more levels. */
function setupShear(sweep: TermLayout[], nCells: number, parameterNames: string[]): void {
  sweep.forEach((t, k) => {
    if (!t.centred || !isPlain(t)) return;
    const sources = sweep.slice(0, k).filter((u) => isPlain(u) && u.nLevels > t.nLevels);
    if (sources.length === 0) return;
    t.sources = sources;
    t.invCount = levelCounts(t, nCells).map((x) => (x > 0 ? 1 / x : 0));
    t.shiftBuf = new Float64Array(t.nLevels);
    for (let l = 0; l < t.nLevels; l++)
      parameterNames[t.zOff + l] = parameterNames[t.zOff + l].replace(/^r_/, 'total_');
  });
}

/**
 * CompileOptions.totals for a rotated term: its sources (plain terms earlier in the sweep whose
 * factors include all of the term's) and, per source, the level each source level lies in and its
 * cell share. Returns whether the term has sources.
 */
function setupTotals(
  t: TermLayout,
  g: GroupDesign,
  d: Design,
  terms: TermLayout[],
  sweep: TermLayout[],
  nCells: number,
): boolean {
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
  if (t.sources.length === 0) return false;
  t.invCount = levelCounts(t, nCells).map((x) => (x > 0 ? 1 / x : 0));
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
  return true;
}

/** CompileOptions.meanContrasts (and totals): centred shifted terms sampled as H w. */
function setupMeanContrasts(
  d: Design,
  terms: TermLayout[],
  shift: TermLayout[],
  sweep: TermLayout[],
  nCells: number,
  options: CompileOptions,
  std: boolean,
  parameterNames: string[],
): void {
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
    const totals = options.totals !== false && setupTotals(t, g, d, terms, sweep, nCells);
    const kind = totals ? 'total_' : '';
    parameterNames[t.zOff] = `mean_${kind}${g.group}/sd`;
    for (let l = 1; l < t.nLevels; l++)
      parameterNames[t.zOff + l] = `contrast_${kind}${g.group}[${l}]${std ? '/sd(y)' : ''}`;
  }
}

/** The reported variables under brms names. */
function variableNamesOf(d: Design, shape: FamilyShape): string[] {
  const variableNames: string[] = [];
  if (shape.hasIc) variableNames.push('b_Intercept');
  for (const b of d.bNames) variableNames.push(`b_${b}`);
  for (const g of d.groups) for (const c of g.coefs) variableNames.push(`sd_${g.group}__${c}`);
  for (const g of d.groups) {
    if (!g.correlated) continue;
    for (let i = 1; i < g.coefs.length; i++) {
      for (let j = 0; j < i; j++)
        variableNames.push(`cor_${g.group}__${g.coefs[j]}__${g.coefs[i]}`);
    }
  }
  if (shape.hasSigma) variableNames.push('sigma');
  if (shape.hasNu) variableNames.push('nu');
  if (shape.hasPhi) variableNames.push('phi');
  for (const g of d.groups) {
    for (const c of g.coefs) {
      for (const lv of g.levels) variableNames.push(`r_${g.group}[${lv.join('_')},${c}]`);
    }
  }
  return variableNames;
}

/** The affine map of CompileOptions.standardize per coordinate. */
function standardization(
  lay: Pick<Layout, 'dim' | 'icOff' | 'sigmaOff' | 'terms'>,
  shape: FamilyShape,
  scales: Scales,
): { stdLoc: Float64Array; stdScale: Float64Array } {
  const stdLoc = new Float64Array(lay.dim);
  const stdScale = new Float64Array(lay.dim).fill(1);
  if (shape.hasIc) {
    stdLoc[lay.icOff] = scales.icLoc;
    stdScale[lay.icOff] = scales.icScale;
  }
  if (shape.hasSigma) {
    stdLoc[lay.sigmaOff] = scales.sigLoc;
    stdScale[lay.sigmaOff] = scales.sigScale;
  }
  for (const t of lay.terms) {
    for (let j = 0; j < t.m; j++) stdLoc[t.sdOff + j] = t.sdLoc[j];
    if (t.centred)
      for (let q = 0; q < t.nLevels * t.m; q++) stdScale[t.zOff + q] = t.rScale[q % t.m];
    if (t.rotated) stdScale[t.zOff] = 1; // the non-centred mean direction (meanContrasts)
  }
  return { stdLoc, stdScale };
}

/**
 * The layout of a model's parameter vector and the geometry of each term.
 * @example buildLayout(design, shape, cells, scales, priors, 'auto', {}).parameterNames
 */
export function buildLayout(
  d: Design,
  shape: FamilyShape,
  cells: CellData,
  scales: Scales,
  priors: ModelPriors,
  centredSetting: readonly string[] | 'auto',
  options: CompileOptions,
): Layout {
  const { hasIc } = shape;
  const { nCells } = cells;
  const std = scales.on;
  const parameterNames: string[] = [];
  for (const b of d.bNames) parameterNames.push(`b_${b}`);
  const icOff = hasIc ? parameterNames.length : -1;
  if (hasIc) parameterNames.push('Intercept');
  const centred = centredGroups(d, shape, cells, centredSetting, options);
  const marginalGroup = marginalGroupOf(d, shape, cells, centred, options);
  const terms = d.groups.map((g, ti) =>
    termLayout(
      g,
      ti === marginalGroup,
      !g.correlated && centred.has(g.group),
      cells,
      scales,
      priors,
      parameterNames,
    ),
  );
  // Varying intercepts folded into the sampled intercept (see CompileOptions.shiftIntercept).
  const shift =
    hasIc && options.shiftIntercept !== false
      ? d.groups.flatMap((g, ti) =>
          g.coefs[0] === 'Intercept' && !terms[ti].marginal ? [terms[ti]] : [],
        )
      : [];
  if (shift.length > 0) parameterNames[icOff] = 'Intercept+mean(r)';
  if (hasIc && std) parameterNames[icOff] = `(${parameterNames[icOff]}-mean(y))/s_I`;
  for (const t of shift) t.icWeight = levelCounts(t, nCells).map((x) => x / nCells);
  const sweep = terms
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => !t.marginal)
    .sort((a, b) => b.t.nLevels - a.t.nLevels || a.i - b.i)
    .map(({ t }) => t);
  if (options.shear === true) setupShear(sweep, nCells, parameterNames);
  if (options.meanContrasts !== false)
    setupMeanContrasts(d, terms, shift, sweep, nCells, options, std, parameterNames);
  const sigmaOff = shape.hasSigma
    ? parameterNames.push(std ? '(log(sigma)-log(s))*sqrt(2dof)' : 'log(sigma)') - 1
    : -1;
  const nuOff = shape.hasNu ? parameterNames.push('log(nu - 1)') - 1 : -1;
  const phiOff = shape.hasPhi ? parameterNames.push('log(phi)') - 1 : -1;
  const dim = parameterNames.length;
  return {
    dim,
    parameterNames,
    variableNames: variableNamesOf(d, shape),
    icOff,
    sigmaOff,
    nuOff,
    phiOff,
    terms,
    shift,
    sweep,
    plain: terms.filter((t) => !t.marginal && t.m === 1 && t.zc[0] === null),
    centred: [...centred],
    marginalGroup,
    ...standardization({ dim, icOff, sigmaOff, terms }, shape, scales),
  };
}
