/**
 * compileModel: a ModelSpec and a Table become a CompiledModel, a log density on the unconstrained
 * space with an exact analytic gradient, computed in one fused pass over the data cells.
 *
 * Parameterization (brms 2.18 `make_stancode`, non-centred group effects):
 * - `b` (population coefficients of the centred predictors) and `Intercept` (the centred intercept);
 * - per group term: `sd` (log transform), standardized effects `z[level, coef] ~ N(0, 1)`, and for
 *   correlated terms the Cholesky factor `L` of the correlation matrix built from canonical partial
 *   correlations `tanh(y)` (Stan Reference Manual, "Cholesky factors of correlation matrices"), with
 *   `r[level] = diag(sd) L z[level]`;
 * - family parameters: sigma (log), nu (log(nu - 1), brms's nu > 1), phi (log).
 * Jacobians of all transforms are included; constants are dropped.
 *
 * Speed: rows that share every predictor value and group level form one cell (cell-data.ts), whose
 * sufficient statistics are exact, so a gradient costs O(cells + parameters), not O(rows).
 *
 * The parts: families.ts (parameter classes), model-priors.ts (slots and brms defaults),
 * cell-data.ts and cells.ts (cells and their statistics), standardize.ts and centring.ts
 * (coordinate scales, which terms are centred), layout.ts (the parameter vector and each term's
 * geometry), group-forward.ts, linear-predictor.ts, likelihood.ts, marginal-term.ts and
 * gradient-pass.ts (the log density and its gradient), nested-data.ts and nested-model.ts (the
 * nested chain of `marginalize: 'nested'`), rebuild.ts (the worker entry point).
 */

import type { Table } from '../data/table.js';
import type { ModelSource } from '../sampler/types.js';
import { familyCells } from './cell-data.js';
import type { Design } from './design.js';
import { buildDesign } from './design.js';
import { familyShape, normalizeSpec } from './families.js';
import { parseFormula } from './formula.js';
import { logDensityGradient } from './gradient-pass.js';
import { groupForward } from './group-forward.js';
import { buildLayout } from './layout.js';
import { interceptOf, rowEtaOf } from './linear-predictor.js';
import { drawMarginal, marginalTerm } from './marginal-term.js';
import { resolveModelPriors } from './model-priors.js';
import type { Model, ModelInternals } from './model-types.js';
import { nestApplies, nestedData } from './nested-data.js';
import { buildNestedModel, type NestedModel } from './nested-model.js';
import type { CompileOptions, RebuildArgs } from './options.js';
import { parsePrior } from './priors.js';
import type { Family, GroupInfo, ModelSpec, PriorRow } from './spec.js';
import { coordinateScales } from './standardize.js';
import { logSigmaOf, type ModelState } from './state.js';

export { normalizeSpec } from './families.js';
export type { Model, ModelInternals } from './model-types.js';
export type { CompileOptions } from './options.js';

/** The rebuild module (ends in .ts when running from sources; the sampler's loader handles both). */
const REBUILD_MODULE = import.meta.url.replace(/\/compile\.([cm]?[jt]s)$/, '/rebuild.$1');

/**
 * Compile a model: parse the formula and priors, build the design, collapse cells, and return a
 * CompiledModel whose `logDensityGradient` allocates nothing per call. Deterministic in (spec, table).
 *
 * @example
 * const model = compileModel({ formula: 'score ~ 1 + (1|heuristic) + (1|task)' }, table);
 * const grad = new Float64Array(model.dim);
 * const lp = model.logDensityGradient(new Float64Array(model.dim), grad);
 */
export function compileModel(
  spec: ModelSpec,
  table: Table,
  options: CompileOptions & { marginalize: 'nested' },
): Model | NestedModel;
export function compileModel(spec: ModelSpec, table: Table, options?: CompileOptions): Model;
export function compileModel(
  spec: ModelSpec,
  table: Table,
  options: CompileOptions = {},
): Model | NestedModel {
  if (options.marginalize !== 'nested') return compileCellModel(spec, table, options);
  const ref = compileCellModel(spec, table, { ...options, marginalize: true });
  if (!nestApplies(ref)) return ref;
  return buildNestedModel(
    nestedData(ref, table, options.sufficientStats === false ? { collapse: false } : {}),
  );
}

/** The compiled parts of a model on cells (everything but the closures). */
function modelState(
  spec: ModelSpec & { family: Family },
  table: Table,
  options: CompileOptions,
): ModelState {
  const family = spec.family;
  const d: Design = buildDesign(parseFormula(spec.formula), family, table);
  const shape = familyShape(family, d);
  const priors = resolveModelPriors(d, shape, (spec.priors ?? []).map(parsePrior));
  const cells = familyCells(d, shape, options.sufficientStats !== false);
  const scales = coordinateScales(d, shape, cells, options.standardize !== false);
  const centred = options.centred ?? spec.centred ?? 'auto';
  const lay = buildLayout(d, shape, cells, scales, priors, centred, options);
  const K = d.X.length;
  return {
    shape,
    d,
    cells,
    lay,
    scales,
    priors,
    marg: marginalTerm(lay, cells, K),
    K,
    eta: new Float64Array(cells.nCells),
    gEta: new Float64Array(cells.nCells),
    pOut: new Float64Array(2),
  };
}

/** The reported variables at theta, in the layout's variableNames order. */
function writeVariablesOf(s: ModelState, theta: Float64Array, out: Float64Array): void {
  const { d, K, lay } = s;
  const { hasIc, hasSigma, hasNu, hasPhi } = s.shape;
  const { terms, nuOff, phiOff } = lay;
  groupForward(lay, theta, null, s.pOut, s.cells.nCells);
  drawMarginal(s, theta);
  let o = 0;
  if (hasIc) {
    let b0 = interceptOf(s, theta);
    for (let k = 0; k < K; k++) b0 -= d.means[k] * theta[k];
    out[o++] = b0;
  }
  for (let k = 0; k < K; k++) out[o++] = theta[k];
  for (const t of terms) for (let j = 0; j < t.m; j++) out[o++] = t.sd[j];
  for (const t of terms) {
    if (t.corOff < 0) continue;
    const { m, L } = t;
    for (let i = 1; i < m; i++) {
      for (let j = 0; j < i; j++) {
        let x = 0;
        for (let k = 0; k <= j; k++) x += L[i * m + k] * L[j * m + k];
        out[o++] = x;
      }
    }
  }
  if (hasSigma) out[o++] = Math.exp(logSigmaOf(s, theta));
  if (hasNu) out[o++] = 1 + Math.exp(theta[nuOff]);
  if (hasPhi) out[o++] = Math.exp(theta[phiOff]);
  for (const t of terms) {
    for (let j = 0; j < t.m; j++) {
      for (let l = 0; l < t.nLevels; l++) out[o++] = t.r[l * t.m + j];
    }
  }
}

/** Internals for posteriorPredict and tests. */
function internalsOf(s: ModelState): ModelInternals {
  const { d, lay } = s;
  const { hasSigma, hasNu, hasPhi } = s.shape;
  return {
    design: d,
    nCells: s.cells.nCells,
    marginal: lay.marginalGroup >= 0 ? d.groups[lay.marginalGroup].group : null,
    centred: lay.centred,
    standardization: { loc: lay.stdLoc, scale: lay.stdScale },
    rowEta(theta: Float64Array, rowEta: Float64Array): void {
      groupForward(lay, theta, null, s.pOut, s.cells.nCells);
      drawMarginal(s, theta);
      rowEtaOf(s, theta, rowEta);
    },
    familyParams(theta: Float64Array) {
      return {
        sigma: hasSigma ? Math.exp(logSigmaOf(s, theta)) : Number.NaN,
        nu: hasNu ? 1 + Math.exp(theta[lay.nuOff]) : Number.NaN,
        phi: hasPhi ? Math.exp(theta[lay.phiOff]) : Number.NaN,
      };
    },
  };
}

/**
 * A worker rebuilds the model with rebuild.ts (compileModel(spec, table), default options); with
 * other options (or a centred list given only as an option) chains stay in-process.
 */
function sourceOf(spec: ModelSpec, table: Table, options: CompileOptions): ModelSource | undefined {
  const defaultOptions =
    options.sufficientStats !== false &&
    options.shiftIntercept !== false &&
    options.marginalize !== false &&
    options.shear !== true &&
    options.standardize !== false &&
    options.meanContrasts !== false &&
    options.totals !== false &&
    options.centred === undefined;
  const args: RebuildArgs = { kind: 'spec', spec, table };
  return defaultOptions
    ? { kind: 'module', path: REBUILD_MODULE, exportName: 'rebuildModel', args }
    : undefined;
}

/** The model on cells (compileModel without the nested chain). */
function compileCellModel(spec: ModelSpec, table: Table, options: CompileOptions): Model {
  const nspec = normalizeSpec(spec);
  const s = modelState(nspec, table, options);
  const groups: GroupInfo[] = s.d.groups.map((g) => ({
    group: g.group,
    factors: [...g.factors],
    levels: g.levels.map((l) => [...l]),
    coefs: [...g.coefs],
  }));
  const source = sourceOf(nspec, table, options);
  return {
    dim: s.lay.dim,
    family: nspec.family,
    spec: nspec,
    parameterNames: s.lay.parameterNames,
    variableNames: s.lay.variableNames,
    priors: s.priors.rows,
    table,
    groups,
    ...(source ? { source } : {}),
    internals: internalsOf(s),
    logDensityGradient: (theta: Float64Array, grad: Float64Array) =>
      logDensityGradient(s, theta, grad),
    writeVariables: (theta: Float64Array, out: Float64Array) => writeVariablesOf(s, theta, out),
  };
}

/**
 * Every prior a fit of this spec on this table would use (one row per parameter class, group and
 * coefficient), defaults scaled from the data like brms.
 *
 * @example defaultPriors({ formula: 'y ~ 1 + (1|g)' }, table).map((p) => p.prior)
 */
export function defaultPriors(spec: ModelSpec, table: Table): PriorRow[] {
  return [...compileModel(spec, table).priors];
}
