import type { CellData } from './cell-data.js';
import type { GroupDesign } from './design.js';
import type { ModelPriors } from './model-priors.js';
import { type CompiledPrior, compilePrior } from './priors.js';
import type { Scales } from './standardize.js';

/** Internal layout of one group term in the parameter vector. */
export interface TermLayout {
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

/**
 * One group term's slots in the parameter vector (pushing its names) and its buffers.
 * @example termLayout(design.groups[0], false, false, cells, scales, priors, names).sdOff
 */
export function termLayout(
  g: GroupDesign,
  isMarginal: boolean,
  isCentred: boolean,
  cells: CellData,
  scales: Scales,
  priors: ModelPriors,
  parameterNames: string[],
): TermLayout {
  const { nCells, firstRow } = cells;
  const std = scales.on;
  const m = g.coefs.length;
  const nLevels = g.levels.length;
  const sdOff = parameterNames.length;
  for (const c of g.coefs) parameterNames.push(`log(sd_${g.group}__${c})`);
  const rScale = new Float64Array(m).fill(1);
  const sdLoc = new Float64Array(m);
  g.coefs.forEach((c, j) => {
    if (std && c === 'Intercept') {
      rScale[j] = scales.ySd;
      sdLoc[j] = Math.log(scales.ySd);
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
  const lkj = g.correlated ? priors.of('cor', '', g.group) : { kind: 'lkj' as const, eta: 1 };
  const sdPriors: CompiledPrior[] = g.coefs.map((c) => compilePrior(priors.of('sd', c, g.group)));
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
    sdPriors,
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
}
