import type { CellData } from './cell-data.js';
import type { Design } from './design.js';
import type { FamilyShape } from './families.js';
import type { Layout } from './layout.js';
import type { MarginalTerm } from './marginal-term.js';
import type { ModelPriors } from './model-priors.js';
import type { Scales } from './standardize.js';

/**
 * Everything a compiled model on cells needs at each gradient: the design, the cells and their
 * statistics, the layout of theta, the coordinate scales, the priors, the integrated-out term and
 * the scratch buffers. Built once by compileModel; the gradient pass (gradient-pass.ts) reads it
 * and writes only the scratch buffers, so a call allocates nothing.
 */
export interface ModelState {
  shape: FamilyShape;
  d: Design;
  cells: CellData;
  lay: Layout;
  scales: Scales;
  priors: ModelPriors;
  /** The term integrated out (CompileOptions.marginalize), or null. */
  marg: MarginalTerm | null;
  /** Population columns. */
  K: number;
  /** Linear predictor and d lp / d eta per cell. */
  eta: Float64Array;
  gEta: Float64Array;
  /** A prior's [lp, d lp / dx] (priorLogDensity's output). */
  pOut: Float64Array;
}

/** log(sigma) at theta (see CompileOptions.standardize). */
export function logSigmaOf(s: ModelState, theta: Float64Array): number {
  return s.scales.sigLoc + s.scales.sigScale * theta[s.lay.sigmaOff];
}
