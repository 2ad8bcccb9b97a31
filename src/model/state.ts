import type { CellData } from './cell-data.js';
import type { Design } from './design.js';
import type { FamilyShape } from './families.js';
import type { Layout } from './layout.js';
import type { ModelPriors } from './model-priors.js';
import type { Scales } from './standardize.js';
import type { TermLayout } from './term-layout.js';

/**
 * The gaussian group term whose levels are the cells, integrated out exactly
 * (CompileOptions.marginalize): cell c with weighted mean ybar_c, weight W_c and predictor eta_c
 * (without the term) has ybar_c ~ N(eta_c, V_c + tau^2), V_c = sigma^2 / W_c (or 1 / W_c with
 * se()). Its effects are drawn back from their exact conditional posterior in writeVariables.
 */
export interface MarginalTerm {
  t: TermLayout;
  /** Class of each cell by its weight W (cells sharing W share V, D and log(D / V)). */
  wClass: Int32Array;
  wVals: Float64Array;
  wCount: Float64Array;
  /** Per class: V, 1 / (V + tau^2) and the sum of squared residuals (scratch). */
  kV: Float64Array;
  kID: Float64Array;
  kE2: Float64Array;
  /** Cell of each level of the term. */
  margCell: Int32Array;
  /** Standard normals of the draw (math/hash-normals.ts). */
  xi: Float64Array;
  /** One fused pass over the cells (see `marginalTerm`). */
  fused: boolean;
  f0: Pick<TermLayout, 'idx' | 'r' | 'Gr'>;
  f1: Pick<TermLayout, 'idx' | 'r' | 'Gr'>;
  f2: Pick<TermLayout, 'idx' | 'r' | 'Gr'>;
  /** The fused pass's sum of d lp / d eta (for the intercept). */
  sumGEta: number;
  /**
   * The fused pass (see `marginalTerm`) at intercept ic: fills the plain terms' Gr and kE2;
   * returns sum d lp / d eta. A closure over this term's arrays: V8 then treats them as constants
   * of the loop (taking them from an argument, the synth_small heuristic-task gradient took
   * 3.06 instead of 2.43 us of CPU on Node 20).
   */
  fusedPass(ic: number): number;
}

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
