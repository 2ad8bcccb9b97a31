import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import type { LogDensity, ModelSource } from './types.js';

/** This module's own URL or path: ends in .ts when running from sources. */
const SELF = typeof __filename === 'string' ? __filename : import.meta.url;

/**
 * Modules compiled into the worker thread's bundle (dist/src/sampler/worker.js, made by
 * scripts/bundle-cli.mjs), by the file URL of their compiled module: `importModule` loads these
 * from the bundle instead of loading the module's file and its imports one by one (BENCHMARKS.md
 * §12.5). Empty when the worker runs unbundled (sources, tests).
 */
const bundled = new Map<string, () => Promise<Record<string, unknown>>>();

/**
 * Name the modules a bundle carries (file URL of the compiled module -> its loader); called once by
 * the bundle's entry.
 *
 * @example registerBundledModules({ [new URL('../model/rebuild.js', import.meta.url).href]: () => import('../model/rebuild.js') });
 */
export function registerBundledModules(
  modules: Record<string, () => Promise<Record<string, unknown>>>,
): void {
  for (const [url, load] of Object.entries(modules)) bundled.set(url, load);
}

function isLogDensity(x: unknown): x is LogDensity {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as LogDensity).logDensityGradient === 'function' &&
    typeof (x as LogDensity).dim === 'number'
  );
}

/**
 * Import the module at `path` (absolute path or file URL) in a worker thread. When the worker
 * itself was loaded from TypeScript through tsx's require hook (piscina requires the worker file
 * first), tsx's ESM hooks are not active in worker threads on Node 20, so `.ts` modules are loaded
 * with that same `require`; compiled code uses `import()`. The specifier is data supplied by the
 * caller (a ModelSource or a module task), so this is the one dynamic import of the sampler.
 *
 * @example
 * const mod = await importModule('/abs/model.js');
 */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  const req = typeof require === 'function' ? require : null;
  if (req && /\.ts$/.test(SELF) && path.endsWith('.ts')) {
    return req(path.startsWith('file:') ? fileURLToPath(path) : path) as Record<string, unknown>;
  }
  const url = path.startsWith('file:') || !isAbsolute(path) ? path : pathToFileURL(path).href;
  const load = bundled.get(url);
  if (load) return load();
  return (await import(url)) as Record<string, unknown>;
}

/**
 * Rebuild a model from its ModelSource (inside a worker thread): import the module and take the
 * named export, a LogDensity or a factory returning one (called with `source.args`).
 *
 * @example
 * const model = await loadModelFromSource({ kind: 'module', path: '/abs/model.js', exportName: 'model' });
 */
export async function loadModelFromSource(source: ModelSource): Promise<LogDensity> {
  const mod = await importModule(source.path);
  let x = mod[source.exportName];
  if (typeof x === 'function') x = await (x as (args: unknown) => unknown)(source.args);
  if (!isLogDensity(x)) {
    throw new ConfigError(
      `model.source: export "${source.exportName}" of ${source.path} is not a LogDensity`,
    );
  }
  return x;
}
