/**
 * Summary rows use the column names of the R package posterior's summarise_draws.
 * NaN marks a value that is undefined (posterior's NA); JSON output writes it as null.
 * @example summary.variables.find((r) => r.variable === 'mu')?.ess_bulk
 */
/**
 * The summary columns in the R package posterior's summarise_draws order (docs/ARCHITECTURE.md "Contracts").
 * @example SUMMARY_COLUMNS[0] // 'variable'
 */
export const SUMMARY_COLUMNS = [
  'variable',
  'mean',
  'median',
  'sd',
  'mad',
  'q5',
  'q95',
  'rhat',
  'ess_bulk',
  'ess_tail',
  'mcse_mean',
  'mcse_sd',
] as const;

export interface SummaryRow {
  variable: string;
  mean: number;
  median: number;
  sd: number;
  mad: number;
  q5: number;
  q95: number;
  rhat: number;
  ess_bulk: number;
  ess_tail: number;
  mcse_mean: number;
  mcse_sd: number;
}

/**
 * A diagnostic finding for people, as data.
 * @example { code: 'divergent', message: '3 of 4000 transitions ...', remedy: 'Raise adapt_delta ...' }
 */
export interface DiagnosticWarning {
  /** e.g. 'rhat', 'ess_bulk', 'ess_tail', 'divergent', 'treedepth', 'ebfmi'. */
  code: string;
  message: string;
  remedy: string;
}

/**
 * Sampler-level figures (docs/ARCHITECTURE.md "Contracts").
 * @example summary.sampler?.divergent // 0
 */
export interface SamplerSummary {
  chains: number;
  draws_per_chain: number;
  divergent: number;
  treedepth_hits: number;
  n_leapfrog: number;
  ebfmi: number[];
  step_size: number[];
  warmup_seconds: number;
  sampling_seconds: number;
  max_treedepth?: number;
  divergent_per_chain?: number[];
}

/**
 * Thresholds of the checks; defaults: R-hat 1.01, ESS 100 per chain, E-BFMI 0.3, any divergence.
 * @example summarize(draws, stats, { rhat: 1.05, essPerChain: 50 })
 */
export interface Thresholds {
  rhat: number;
  essPerChain: number;
  ebfmi: number;
  maxTreeDepth: number;
}

/**
 * The `--json` document of `diagnose` and `fit`.
 * @example JSON.stringify(summarize(draws, stats)) // the diagnose --json document
 */
export interface Summary {
  variables: SummaryRow[];
  sampler: SamplerSummary | null;
  warnings: DiagnosticWarning[];
}
