import { BayesbenchError } from '../errors.js';
import { escapeTerminal } from '../report/escape.js';

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

/**
 * Print an error for people and return the exit code (2 for bad input, 1 for internal errors). The
 * message may quote CSV cells and names: control and bidi characters are escaped (escapeTerminal;
 * line feeds stay, a formula error points at its position on a second line).
 */
export function reportError(err: unknown): number {
  if (err instanceof BayesbenchError) {
    process.stderr.write(`bayesbench: ${escapeTerminal(err.message, { keepLineBreaks: true })}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `bayesbench: internal error: ${escapeTerminal(message, { keepLineBreaks: true })}\n`,
  );
  if (process.env.BAYESBENCH_DEBUG === '1' && err instanceof Error && err.stack) {
    process.stderr.write(`${escapeTerminal(err.stack, { keepLineBreaks: true })}\n`);
  }
  return 1;
}

/**
 * Write text for people (tables, banners, notes) to a terminal stream with control and bidi
 * characters escaped (line feeds and tabs kept), so names from a CSV cannot move the cursor, clear
 * the screen, hide a link or reorder a line. JSON output is written as it is.
 *
 * @example printText(process.stdout, formatComparison(c));
 */
export function printText(stream: NodeJS.WritableStream, text: string): void {
  stream.write(escapeTerminal(text, { keepLineBreaks: true }));
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
