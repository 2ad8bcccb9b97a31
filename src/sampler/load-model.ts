import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import type { LogDensity, ModelSource } from './types.js';

function isLogDensity(x: unknown): x is LogDensity {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as LogDensity).logDensityGradient === 'function' &&
    typeof (x as LogDensity).dim === 'number'
  );
}

/**
 * Rebuild a model from its ModelSource (inside a worker thread): kind 'spec' calls the model layer's
 * `compileModel(spec, table)` (src/model/compile.ts); kind 'module' imports the module and takes the
 * named export, a LogDensity or a zero-argument factory returning one.
 *
 * @example
 * const model = await loadModelFromSource({ kind: 'module', path: '/abs/model.js', exportName: 'model' });
 */
export async function loadModelFromSource(source: ModelSource): Promise<LogDensity> {
  if (source.kind === 'spec') {
    // A variable specifier keeps tsc from resolving the model layer at build time.
    const specifier = '../model/compile.js';
    const mod = (await import(specifier)) as {
      compileModel: (spec: unknown, table: unknown) => LogDensity;
    };
    return mod.compileModel(source.spec, source.table);
  }
  const url =
    source.path.startsWith('file:') || !isAbsolute(source.path)
      ? source.path
      : pathToFileURL(source.path).href;
  const mod = (await import(url)) as Record<string, unknown>;
  let x = mod[source.exportName];
  if (typeof x === 'function') x = await (x as () => unknown)();
  if (!isLogDensity(x)) {
    throw new ConfigError(
      `model.source: export "${source.exportName}" of ${source.path} is not a LogDensity`,
    );
  }
  return x;
}
