import type { CellData } from './cell-data.js';
import type { Design } from './design.js';
import type { FamilyShape } from './families.js';

/**
 * The affine maps of the location and scale coordinates (CompileOptions.standardize): the
 * intercept is sampled as (Intercept - icLoc) / icScale, log(sigma) as (log(sigma) - sigLoc) /
 * sigScale, centred varying intercepts in units of ySd. Identity maps when off.
 */
export interface Scales {
  on: boolean;
  yMean: number;
  ySd: number;
  icLoc: number;
  icScale: number;
  sigLoc: number;
  sigScale: number;
}

/**
 * The rough posterior scales of the location and scale coordinates: s is the pooled within-cell
 * sd (sd(y) without replicates), s_I = s / sqrt(sum of weights), and log(sigma)'s sd from dof
 * normal residuals is 1 / sqrt(2 dof), dof = the within-cell degrees of freedom (at least half the
 * rows). See CompileOptions.standardize for why.
 * @example coordinateScales(design, shape, cells, true).icScale
 */
export function coordinateScales(
  d: Design,
  shape: FamilyShape,
  cells: CellData,
  enabled: boolean,
): Scales {
  const { family } = shape;
  const n = d.nRows;
  const { nCells, totalW, ssConst, W: cW } = cells;
  const on = enabled && shape.locationScale;
  let yMean = 0;
  let ySd = 1;
  let icScale = 1;
  let sigLoc = 0;
  let sigScale = 1;
  if (on && n > 0) {
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
    const within = cells.collapsed && !d.se ? totalW - nCells : 0;
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
  return { on, yMean, ySd, icLoc: yMean, icScale, sigLoc, sigScale };
}
