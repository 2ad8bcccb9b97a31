import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import type { LogDensity, ModelSource } from './types.js';

/** This module's own URL or path: ends in .ts when running from sources. */
const SELF = typeof __filename === 'string' ? __filename : import.meta.url;

function isLogDensity(x: unknown): x is LogDensity {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as LogDensity).logDensityGradient === 'function' &&
    typeof (x as LogDensity).dim === 'number'
  );
}

/**
 * Import a module. When the worker itself was loaded from TypeScript through tsx's require hook
 * (piscina requires the worker file first), tsx's ESM hooks are not active in worker threads on
 * Node 20, so `.ts` modules are loaded with that same `require`; compiled code uses `import()`.
 */
async function importModule(specifier: string, fromUrl: string): Promise<Record<string, unknown>> {
  const req = typeof require === 'function' ? require : null;
  if (req && /\.ts$/.test(fromUrl)) {
    const target = specifier.startsWith('file:') ? fileURLToPath(specifier) : specifier;
    return req(target) as Record<string, unknown>;
  }
  return (await import(specifier)) as Record<string, unknown>;
}

/** The model layer, imported by specifier so that tsc does not resolve it at build time. */
const MODEL_LAYER = '../model/compile.js';

/**
 * Start importing the model layer without waiting for it (a worker thread calls this when it starts,
 * so the import overlaps with the main thread's work and the first chain finds it loaded). Import
 * errors surface where the model is actually loaded.
 *
 * @example
 * prefetchModelLayer();
 */
export function prefetchModelLayer(): void {
  importModule(MODEL_LAYER, SELF).catch(() => {});
}

/**
 * Rebuild a model from its ModelSource (inside a worker thread): kind 'spec' calls the model layer's
 * `compileModel(spec, table)` (src/model/compile.ts); kind 'module' imports the module and takes the
 * named export, a LogDensity or a factory returning one (called with `source.args`).
 *
 * @example
 * const model = await loadModelFromSource({ kind: 'module', path: '/abs/model.js', exportName: 'model' });
 */
export async function loadModelFromSource(source: ModelSource): Promise<LogDensity> {
  if (source.kind === 'spec') {
    const mod = (await importModule(MODEL_LAYER, SELF)) as unknown as {
      compileModel: (spec: unknown, table: unknown) => LogDensity;
    };
    return mod.compileModel(source.spec, source.table);
  }
  const url =
    source.path.startsWith('file:') || !isAbsolute(source.path)
      ? source.path
      : pathToFileURL(source.path).href;
  const mod = await importModule(url, source.path.endsWith('.ts') ? SELF : '');
  let x = mod[source.exportName];
  if (typeof x === 'function') x = await (x as (args: unknown) => unknown)(source.args);
  if (!isLogDensity(x)) {
    throw new ConfigError(
      `model.source: export "${source.exportName}" of ${source.path} is not a LogDensity`,
    );
  }
  return x;
}
