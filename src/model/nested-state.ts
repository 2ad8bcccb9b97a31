import { type ChainLevel, chainLevel } from './geometry/marginal-chain.js';
import { type NestedBasis, nestedBasis } from './geometry/nested-basis.js';
import type { NestedData } from './nested-data.js';
import { type CellKernels, cellKernels } from './nested-kernels.js';
import { type CompiledPrior, compilePrior, parsePrior } from './priors.js';
import type { GroupInfo, PriorRow } from './spec.js';

/**
 * The compiled parts of the nested-chain model (nested-model.ts): the parameter layout (overall
 * level, each sampled term's log sd, mean and contrasts, the chain's log sds, log sigma), the
 * chain's levels, the reparameterization of (sigma, cell sd) and the scratch buffers.
 */

/** One integrated-out level of the chain with its prior, parameter and reported slots. */
export interface Level extends ChainLevel {
  g: GroupInfo;
  logSdOff: number;
  xiOff: number;
  prior: CompiledPrior;
  slot: Int32Array;
}

function priorFor(priors: readonly PriorRow[], cls: string, group = ''): CompiledPrior {
  const row = priors.find((p) => p.class === cls && (cls !== 'sd' || p.group === group));
  if (!row) return compilePrior({ kind: 'flat' });
  const name = cls === 'sd' ? `sd_${group}` : cls;
  return compilePrior(parsePrior(`${name} ~ ${row.prior}`).dist);
}

/** A sampled group term: centred level plus contrasts in a nested basis (geometry/nested-basis.ts). */
export interface SampledTerm {
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
export interface NestedState {
  /** The O(cells) loops (nested-kernels.ts) and their two-number output. */
  kernels: CellKernels;
  gCell: Float64Array;
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

/**
 * The layout, buffers and reparameterization of the nested-chain model from its data.
 * @example const s = nestedState(nestedData(compileModel(spec, table), table)); s.dim
 */
export function nestedState(data: NestedData): NestedState {
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
  const kernels = cellKernels({
    an,
    ay,
    ass,
    se2,
    cellNode,
    N,
    eta,
    gEta,
    w,
    first: levels[0],
    terms,
  });
  return {
    kernels,
    gCell: new Float64Array(2),
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
