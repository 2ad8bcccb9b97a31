import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

let pool: Piscina | null = null;

/**
 * The shared piscina pool for chains on worker threads, created on first use with
 * maxThreads = os.availableParallelism(). Idle workers are unref'd by piscina, so they do not keep the
 * process alive. The worker is loaded from compiled .js (dist) or, when running from TypeScript
 * sources (vitest, tsx), from worker.ts through `--import tsx`.
 *
 * @example
 * const answer = await getSamplerPool().run(task, { transferList: [port] });
 */
export function getSamplerPool(): Piscina {
  if (pool) return pool;
  const fromTs = import.meta.url.endsWith('.ts');
  const filename = new URL(fromTs ? './worker.ts' : './worker.js', import.meta.url).href;
  pool = new Piscina({
    filename,
    maxThreads: Math.max(1, availableParallelism()),
    minThreads: 0,
    idleTimeout: 2000,
    execArgv: fromTs ? ['--import', 'tsx'] : [],
  });
  return pool;
}

/**
 * Destroy the shared pool (its threads end); a later `sample` creates a new one.
 *
 * @example
 * await destroySamplerPool();
 */
export async function destroySamplerPool(): Promise<void> {
  const p = pool;
  pool = null;
  if (p) await p.destroy();
}
