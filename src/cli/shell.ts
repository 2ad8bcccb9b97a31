import { BayesbenchError } from '../errors.js';

/**
 * Run a command action at the CLI's edge: a BayesbenchError (bad input, bad option) prints its short
 * message to stderr and exits 2, with no stack trace; anything else is a bug and exits 1 with its
 * message (the stack only with BAYESBENCH_DEBUG=1).
 *
 * @example program.command('fit').action(runAction(async (file, opts) => { ... }));
 */
export function runAction<A extends unknown[]>(
  action: (...args: A) => Promise<number | undefined> | number | undefined,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await action(...args);
      if (typeof code === 'number' && code !== 0) process.exitCode = code;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** Print an error for people and return the exit code (2 for bad input, 1 for internal errors). */
export function reportError(err: unknown): number {
  if (err instanceof BayesbenchError) {
    process.stderr.write(`bayesbench: ${err.message}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`bayesbench: internal error: ${message}\n`);
  if (process.env.BAYESBENCH_DEBUG === '1' && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  return 1;
}

/**
 * Start the sampler's worker threads in the background (see `warmSamplerPool`), first thing in a
 * command that samples, so that their start-up overlaps with reading and compiling. Loading the pool
 * module is itself deferred to here. Failures are ignored: `sample` reports them when it runs.
 *
 * @example warmChainThreads(); // then read the CSV
 */
export function warmChainThreads(): void {
  import('../sampler/pool.js').then((m) => m.warmSamplerPool()).catch(() => {});
}
