import type { Table } from '../data/table.js';
import type { ModelSource } from '../sampler/types.js';
import { compileModel, type Model } from './compile.js';
import type { ModelSpec } from './spec.js';

/**
 * How a compiled ModelSpec is rebuilt in a sampler worker thread: the model layer names this module
 * (by its own URL, so the compiler sees the dependency) in the model's ModelSource, and the sampler
 * imports it there without knowing it is the model layer. compileModel is deterministic, so the
 * worker's model equals the caller's and the draws are the same, bit for bit, as in-process.
 *
 * (compile.ts imports `specSource` from here and this file imports `compileModel` from there; both
 * are used only at call time, so the two modules load in either order.)
 */

/**
 * Rebuild a model compiled with default options from its spec and table (a worker calls this).
 *
 * @example const m = rebuildModel({ spec: model.spec, table: model.table }); m.dim
 */
export function rebuildModel(args: { spec: ModelSpec; table: Table }): Model {
  return compileModel(args.spec, args.table);
}

/**
 * The ModelSource of `compileModel(spec, table)` with default options.
 *
 * @example const source = specSource(spec, table); // { kind: 'module', exportName: 'rebuildModel', ... }
 */
export function specSource(spec: ModelSpec, table: Table): ModelSource {
  return {
    kind: 'module',
    path: import.meta.url,
    exportName: 'rebuildModel',
    args: { spec, table },
  };
}
