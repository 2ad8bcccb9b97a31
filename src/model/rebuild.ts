import type { Table } from '../data/table.js';
import { type CompileOptions, compileModel, type Model } from './compile.js';
import type { NestedData } from './nested-data.js';
import { buildNestedModel, type NestedModel } from './nested-model.js';
import type { ModelSpec } from './spec.js';

/**
 * What a sampler worker receives to rebuild a model of this layer: a spec and the table (plus the
 * compile options), or the compact data of the nested-chain model (O(cells), no table).
 */
export type RebuildArgs =
  | { kind: 'spec'; spec: ModelSpec; table: Table; options?: CompileOptions }
  | { kind: 'nested'; data: NestedData };

/**
 * Rebuild a model in a worker thread: every model of the model layer names this function in its
 * `source`, so the worker runs the same deterministic code on the same inputs as the caller (the
 * same draws, bit for bit, with or without worker threads).
 *
 * @example const m = rebuildModel({ kind: 'spec', spec: { formula: 'y ~ 1' }, table }); m.dim
 */
export function rebuildModel(args: RebuildArgs): Model | NestedModel {
  if (args.kind === 'nested') return buildNestedModel(args.data);
  return compileModel(args.spec, args.table, args.options ?? {});
}
