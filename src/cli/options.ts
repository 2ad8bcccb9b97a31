import type { Command } from 'commander';
import type { InputOptions, InputTable } from '../data/input.js';
import { ConfigError } from '../errors.js';
import { escapeTerminal } from '../report/escape.js';
import type { MetricKind, SamplerConfig } from '../sampler/types.js';

/**
 * Option parsing shared by the commands: each helper returns undefined when the option was not given
 * and throws a ConfigError naming the option (the CLI prints it and exits 2) when its text is bad.
 */

/** Repeatable option collector. @example collect('b ~ normal(0, 1)', []) // ['b ~ normal(0, 1)'] */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/**
 * An integer option >= min.
 * @example intOption('chains', '4', 1) // 4
 */
export function intOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    throw new ConfigError(`--${name} must be an integer >= ${min} (got "${text}")`);
  }
  return v;
}

/**
 * A finite number accepted by `ok`; `what` says what is expected, for the message.
 * @example numOption('rope', '0.5', (v) => v >= 0, 'a number >= 0') // 0.5
 */
export function numOption(
  name: string,
  text: string | undefined,
  ok: (v: number) => boolean,
  what: string,
): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) {
    throw new ConfigError(`--${name} must be ${what} (got "${text}")`);
  }
  return v;
}

/**
 * true/yes/1 or false/no/0.
 * @example boolOption('higher-is-better', 'false') // false
 */
export function boolOption(name: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === 'yes' || t === '1') return true;
  if (t === 'false' || t === 'no' || t === '0') return false;
  throw new ConfigError(`--${name} must be true or false (got "${text}")`);
}

/** The values of --mass-matrix (SamplerConfig.metric; `--metric` of compare names the metric column). */
export const METRICS: readonly MetricKind[] = ['diag', 'dense', 'fisher-diag', 'fisher-lowrank'];

/**
 * --mass-matrix: the sampler's metric and its adaptation (diag, dense, fisher-diag, fisher-lowrank).
 * @example metricOption('fisher-diag') // 'fisher-diag'
 */
export function metricOption(text: string | undefined): MetricKind | undefined {
  if (text === undefined) return undefined;
  const m = METRICS.find((k) => k === text);
  if (m === undefined) {
    throw new ConfigError(`--mass-matrix must be ${METRICS.join(', ')} (got "${text}")`);
  }
  return m;
}

/**
 * Refuse --chains/--warmup/--draws whose draws cannot fit in memory before the data is read: the
 * library's size check (checkSampleSize) with one variable, a lower bound for every model; `sample`
 * checks again with the model's real size before it allocates.
 *
 * @example await checkRunSize({ chains: 1e6 }); // throws ConfigError
 */
export async function checkRunSize(config: SamplerConfig): Promise<void> {
  const { checkSampleSize } = await import('../sampler/sample.js');
  checkSampleSize(
    {
      chains: config.chains ?? 4,
      warmup: config.warmup ?? 1000,
      draws: config.draws ?? 1000,
      saveWarmup: config.saveWarmup === true,
      metric: config.metric ?? 'diag',
    },
    1,
    1,
  );
}

/** Raw commander options of the input formats (src/data/input.ts), shared by compare, fit and priors. */
export interface InputCliOptions {
  wide?: string | boolean;
  n?: string;
  heuristicFrom?: string;
  harnessMetric?: string;
  items?: boolean;
  task?: string;
  score?: string;
  value?: string;
}

/**
 * Register the input-format options on a command (`--n` is registered by the command: compare's
 * names a column or, for a wide table, a count).
 * @example addInputOptions(program.command('fit'))
 */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option(
      '--wide [role]',
      "read the CSV as a wide table: methods as rows, tasks as columns, cells 45.2, 45.2 ± 0.3 or 45.2 (0.3); role = the label column's role, heuristic (default) or task (detected when the CSV has no task column and its columns hold scores)",
    )
    .option(
      '--heuristic-from <rule>',
      'lm-evaluation-harness outputs: what names the heuristic: run (default: the run folder or file name) or a path into the results JSON, e.g. model_args.pretrained, model_name',
    )
    .option(
      '--harness-metric <metric>',
      "lm-evaluation-harness outputs: the metric to read, e.g. acc_norm or exact_match,flexible-extract (default: the task config's first metric, filter none)",
    )
    .option(
      '--items',
      'a folder of lm-evaluation-harness outputs: read the per-sample JSONL (--log_samples; item-level rows) rather than the results JSON',
    );
}

/**
 * The reader options from the command line; `n` only when it is a count (compare's --n may name a
 * column of a long CSV).
 * @example inputOptions({ wide: true, n: '3' }) // { wide: true, n: 3 }
 */
export function inputOptions(o: InputCliOptions): InputOptions {
  const out: InputOptions = {};
  if (o.wide !== undefined) out.wide = o.wide === true ? true : (o.wide as InputOptions['wide']);
  if (o.n !== undefined && /^\s*\d+\s*$/.test(o.n)) out.n = intOption('n', o.n.trim(), 1);
  if (o.heuristicFrom !== undefined) out.heuristicFrom = o.heuristicFrom;
  if (o.harnessMetric !== undefined) out.metric = o.harnessMetric;
  if (o.items) out.items = true;
  // a named task or score column means a long table: do not look for a wide one
  if (o.task !== undefined || o.score !== undefined || o.value !== undefined)
    out.detectWide = false;
  return out;
}

/**
 * Read the data argument in any input format, printing the reader's notes on stderr.
 * @example const { table, format } = await loadInput('table1.csv', { wide: true });
 */
export async function loadInput(file: string, opts: InputOptions): Promise<InputTable> {
  const { readInput } = await import('../data/input.js');
  const read = await readInput(file, opts);
  for (const note of read.notes) process.stderr.write(`note: ${escapeTerminal(note)}\n`);
  return read;
}
