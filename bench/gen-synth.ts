/**
 * TypeScript port of the shared gen_synth.py: synthetic heuristic x task benchmark runs with a known
 * truth, streamed as CSV (header heuristic,task,category,seed,score; scores with 6 decimals).
 *
 *   npx tsx bench/gen-synth.ts H T C R seed > out.csv      (H heuristics, T tasks in C categories,
 *                                                            R runs per cell)
 *   npx tsx bench/gen-synth.ts 20 500 5 100 1 --out /tmp/synth_1m.csv
 *
 * Random stream: src/data/pyrandom.ts re-implements CPython's MT19937, random() and gauss(), and the
 * draws happen in gen_synth.py's order, so for the same arguments the output is the same as
 * Python's: test/data/synth.test.ts checks it byte for byte against synth_small.csv (8 12 4 5 1) and
 * synth_med.csv (10 40 5 10 2). The only possible difference is a last-digit rounding change when
 * V8's Math.log/cos/sin (fdlibm ports) and the C library's differ by an ulp right at a 6-decimal
 * rounding boundary (odds about 1e-10 per value). Memory stays flat: rows are written in batches
 * with back-pressure.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { type SynthOptions, type SynthTruth, synthBatches } from '../src/data/synth.js';

/**
 * gen_synth.py's five arguments.
 *
 * @example const a: GenSynthArgs = { heuristics: 8, tasks: 12, categories: 4, runs: 5, seed: 1 };
 */
export interface GenSynthArgs {
  heuristics: number;
  tasks: number;
  categories: number;
  runs: number;
  seed: number;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      out.once('error', onError);
      out.once('drain', () => {
        out.off('error', onError);
        resolve();
      });
    });
  }
}

/**
 * Stream the CSV to `out` (or a file path, created or truncated) and return the row count and truth.
 *
 * @example
 * const { rows } = await generateSynthCsv('/tmp/x.csv', { heuristics: 20, tasks: 500, categories: 5, runs: 100, seed: 1 });
 */
export async function generateSynthCsv(
  out: Writable | string,
  args: GenSynthArgs,
  extra: Omit<SynthOptions, keyof GenSynthArgs | 'decimals'> = {},
): Promise<{ rows: number; truth: SynthTruth }> {
  const stream = typeof out === 'string' ? createWriteStream(out) : out;
  let buf = 'heuristic,task,category,seed,score\n';
  let rows = 0;
  const it = synthBatches({ ...args, ...extra, decimals: null }, (h, t, c, r, y) => {
    buf += `h${h},t${t},c${c},${r},${y.toFixed(6)}\n`;
    rows++;
  });
  let step = it.next();
  while (!step.done) {
    await write(stream, buf);
    buf = '';
    step = it.next();
  }
  await write(stream, buf);
  if (typeof out === 'string') {
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(resolve);
    });
  }
  return { rows, truth: step.value };
}

/**
 * Parse `H T C R seed [--out FILE]`.
 *
 * @example parseGenSynthArgs(['8', '12', '4', '5', '1']).args.heuristics; // 8
 */
export function parseGenSynthArgs(argv: readonly string[]): { args: GenSynthArgs; out?: string } {
  const o = argv.indexOf('--out');
  const out = o >= 0 ? argv[o + 1] : undefined;
  const pos = argv.filter((_, i) => o < 0 || (i !== o && i !== o + 1));
  if (pos.length !== 5 || pos.some((a) => !/^\d+$/.test(a))) {
    throw new Error('usage: gen-synth.ts H T C R seed [--out FILE]   (non-negative integers)');
  }
  const [heuristics, tasks, categories, runs, seed] = pos.map(Number);
  return { args: { heuristics, tasks, categories, runs, seed }, ...(out ? { out } : {}) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { args, out } = parseGenSynthArgs(process.argv.slice(2));
    await generateSynthCsv(out ?? process.stdout, args);
  } catch (err) {
    // A closed pipe (`| head`) is a normal way to stop reading.
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') {
      console.error((err as Error).message);
      process.exitCode = 2;
    }
  }
}
