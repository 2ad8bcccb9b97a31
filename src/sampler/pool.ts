import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type * as PiscinaModule from 'piscina';
import type { Piscina } from 'piscina';

// piscina is CommonJS: `require` loads it without the ES module loader's CommonJS export scan
// (cjs-module-lexer), which costs CPU at every start (BENCHMARKS.md §12.5)
const { Piscina: PiscinaPool } = createRequire(import.meta.url)('piscina') as typeof PiscinaModule;

let pool: Piscina | null = null;

/**
 * The shared piscina pool for chains on worker threads (and for callers' module tasks, see
 * worker.ts `runModuleTask`), created on first use with
 * maxThreads = max(4, os.availableParallelism()) (see poolThreads). Idle workers are unref'd by
 * piscina, so they do not keep the process alive. The worker is loaded from compiled .js (dist) or, when running from TypeScript
 * sources (vitest, tsx), from worker.ts through `--import tsx`.
 *
 * @example
 * const answer = await getSamplerPool().run(task, { transferList: [port] });
 */
export function getSamplerPool(): Piscina {
  return pool ?? createPool(0);
}

/**
 * Start worker threads now instead of on the first chain, so that starting Node threads and loading
 * the sampler in them overlaps with what the caller does meanwhile (reading the CSV, compiling the
 * model; the module a ModelSource names is imported by each thread on its first chain). The CLI
 * calls this first thing in `fit` and `compare`: on synth_small it took ~0.3-0.4 s off a ~1 s fixed
 * cost (BENCHMARKS.md section 1). It starts the threads a quick model's chains use beside the
 * calling thread (min(4 chains, cores) - 1, at least 1; `sample` runs such chains on min(chains,
 * cores) threads, this one counted): each thread costs ~0.15 s of CPU to start, wasted when no
 * chain runs on it (BENCHMARKS.md §12.3). A slower model's chains start the other threads on demand.
 * Idle threads are unref'd, so they do not keep the process alive. No-op when the pool exists.
 *
 * @example
 * warmSamplerPool(); // then read and compile; `sample` finds the threads ready
 */
export function warmSamplerPool(): void {
  if (!pool) createPool(Math.max(1, Math.min(DEFAULT_CHAINS, availableParallelism()) - 1));
}

/** The default number of chains (SamplerConfig.chains). */
const DEFAULT_CHAINS = 4;

/**
 * Threads of the pool now (started or starting), for callers that spread work over the threads
 * that already exist; 0 before the pool exists.
 *
 * @example liveSamplerThreads() // 1 after warmSamplerPool() on two cores
 */
export function liveSamplerThreads(): number {
  return pool ? pool.threads.length : 0;
}

/**
 * The pool's largest size: one thread per default chain (4), more with more cores (a slow model's
 * chains each get a thread of their own, see `sample`'s placement). With 4 chains on 2
 * cores, 4 threads let the operating system share the cores among all chains, so a long chain does
 * not leave a core idle at the end, and every chain runs in a fresh isolate: the 1M-row compare
 * went from 63.3 to 55.4 s wall and from 115 to 99 CPU s (a second chain in the same worker ran
 * ~1.7x slower; BENCHMARKS.md section 3). Same draws either way (one RNG stream per chain).
 */
function poolThreads(): number {
  return Math.max(DEFAULT_CHAINS, availableParallelism());
}

function createPool(minThreads: number): Piscina {
  const fromTs = import.meta.url.endsWith('.ts');
  const filename = new URL(fromTs ? './worker.ts' : './worker.js', import.meta.url).href;
  pool = new PiscinaPool({
    filename,
    maxThreads: poolThreads(),
    minThreads,
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
