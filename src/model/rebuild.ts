import { type BudgetCurveModel, buildBudgetCurveModel } from './budget-curve.js';
import { compileModel, type Model } from './compile.js';
import { buildItemModel, type ItemModel } from './item-model.js';
import { buildNestedModel, type NestedModel } from './nested-model.js';
import type { RebuildArgs } from './options.js';

export type { RebuildArgs } from './options.js';

/**
 * Rebuild a model in a worker thread: every model of the model layer names this function in its
 * `source`, so the worker runs the same deterministic code on the same inputs as the caller (the
 * same draws, bit for bit, with or without worker threads).
 *
 * @example const m = rebuildModel({ kind: 'spec', spec: { formula: 'y ~ 1' }, table }); m.dim
 */
export function rebuildModel(
  args: RebuildArgs,
): Model | NestedModel | BudgetCurveModel | ItemModel {
  if (args.kind === 'nested') return buildNestedModel(args.data);
  if (args.kind === 'budget-curve') return buildBudgetCurveModel(args.data);
  if (args.kind === 'item') return buildItemModel(args.data);
  return compileModel(args.spec, args.table, args.options ?? {});
}
