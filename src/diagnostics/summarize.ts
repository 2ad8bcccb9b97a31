import type { Draws, SamplerStats } from '../draws/draws.js';
import { variableBlock } from '../draws/draws.js';
import type { Fit } from '../draws/fit.js';
import { diagnosticWarnings, resolveThresholds } from './checks.js';
import { samplerDiagnostics } from './sampler.js';
import { rowWorkspace, summaryRow } from './summary-row.js';
import type { Summary, SummaryRow, Thresholds } from './types.js';

/**
 * summarize: posterior's summarise_draws default measures for every variable plus sampler
 * diagnostics and warnings as data (docs/ARCHITECTURE.md "Contracts").
 */

/**
 * True for sampler fields (names ending `__`), on which R-hat and ESS are never computed.
 * @example isSamplerField('lp__') // true
 */
export function isSamplerField(name: string): boolean {
  return name.endsWith('__');
}

/**
 * The summary rows of all variables of `draws` (one workspace reused across variables).
 * @example summarizeDraws(fit.draws)[0].ess_bulk
 */
export function summarizeDraws(draws: Draws): SummaryRow[] {
  const ws = rowWorkspace(draws.nDraws, draws.nChains);
  return draws.variables.map((name, v) =>
    summaryRow(name, variableBlock(draws, v), ws, !isSamplerField(name)),
  );
}

/**
 * Summarize draws (and optional sampler statistics): rows with posterior's column names, the sampler
 * summary (null without stats), and warnings for every failing check (defaults: R-hat 1.01, bulk and
 * tail ESS 100 per chain, E-BFMI 0.3, any divergence, any max-treedepth hit).
 * @example
 * const s = summarize(fit.draws, fit.stats, { rhat: 1.05 });
 * if (s.warnings.length) console.error(formatBanner(s));
 */
export function summarize(
  draws: Draws,
  stats?: SamplerStats | null,
  thresholds?: Partial<Thresholds>,
): Summary {
  const th = resolveThresholds(thresholds);
  const variables = summarizeDraws(draws);
  const sampler = stats ? samplerDiagnostics(stats, th.maxTreeDepth) : null;
  return {
    variables,
    sampler,
    warnings: diagnosticWarnings(variables, sampler, th, draws.nChains, { nDraws: draws.nDraws }),
  };
}

/**
 * Summarize a Fit: like summarize(fit.draws, fit.stats) with the max tree depth from fit.config
 * (unless thresholds.maxTreeDepth is given), the adapted step size per chain and the wall-clock
 * timing of warmup and sampling.
 * @example const summary = summarizeFit(await sample(model));
 */
export function summarizeFit(fit: Fit, thresholds?: Partial<Thresholds>): Summary {
  return summaryOfFit(fit, summarizeDraws(fit.draws), thresholds);
}

/**
 * The Summary of a Fit from its already computed rows (`summarizeDraws(fit.draws)`, or the same rows
 * computed elsewhere, e.g. on worker threads): sampler diagnostics, step sizes, timing, warnings.
 * @example const summary = summaryOfFit(fit, summarizeDraws(fit.draws));
 */
export function summaryOfFit(
  fit: Fit,
  variables: SummaryRow[],
  thresholds?: Partial<Thresholds>,
): Summary {
  const th = resolveThresholds({ maxTreeDepth: fit.config.maxTreeDepth, ...thresholds });
  const sampler = samplerDiagnostics(fit.stats, th.maxTreeDepth);
  if (fit.adaptation?.stepSize?.length) sampler.step_size = Array.from(fit.adaptation.stepSize);
  sampler.warmup_seconds = fit.timing.warmupSeconds;
  sampler.sampling_seconds = fit.timing.samplingSeconds;
  return {
    variables,
    sampler,
    warnings: diagnosticWarnings(variables, sampler, th, fit.draws.nChains, {
      nDraws: fit.draws.nDraws,
    }),
  };
}
