import type { Design } from './design.js';
import type { CompiledModel, Family } from './spec.js';

/** Model internals kept for posteriorPredict and tests. */
export interface ModelInternals {
  design: Design;
  nCells: number;
  /** The group term integrated out (CompileOptions.marginalize), or null. */
  marginal: string | null;
  /** Group terms sampled centred. */
  centred: string[];
  /**
   * The affine map of CompileOptions.standardize per coordinate: the coordinate of the model
   * compiled with `standardize: false` is loc[i] + scale[i] * theta[i] (identity when off).
   */
  standardization: { loc: Float64Array; scale: Float64Array };
  /** Fill `eta` (length nRows) with the linear predictor of every row at theta. */
  rowEta(theta: Float64Array, eta: Float64Array): void;
  /** Family parameters at theta: sigma, nu, phi (NaN when absent). */
  familyParams(theta: Float64Array): { sigma: number; nu: number; phi: number };
}

/** A CompiledModel from the model layer (with internals for posteriorPredict). */
export interface Model extends CompiledModel {
  readonly family: Family;
  readonly internals: ModelInternals;
}
