import { ConfigError } from '../errors.js';
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
