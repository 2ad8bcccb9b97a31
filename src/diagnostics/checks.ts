import type { DiagnosticWarning, SamplerSummary, SummaryRow, Thresholds } from './types.js';

/**
 * The convergence and sampler checks (docs/ALGORITHMS.md §5.8; Vehtari et al. 2021 §2 recommendations;
 * CmdStan `diagnose`), returned as data: one warning per failing check, each with a plain-language
 * remedy.
 */

/**
 * Default thresholds: R-hat 1.01, bulk/tail ESS 100 per chain, E-BFMI 0.3, max tree depth 10.
 * @example DEFAULT_THRESHOLDS.rhat // 1.01
 */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  rhat: 1.01,
  essPerChain: 100,
  ebfmi: 0.3,
  maxTreeDepth: 10,
});

/**
 * The remedy shown for each warning code.
 * @example REMEDIES.divergent // "Divergent transitions mean ..."
 */
export const REMEDIES: Readonly<Record<string, string>> = Object.freeze({
  rhat:
    'The chains disagree. Run longer chains (more warmup and more draws); if R-hat stays high, ' +
    'reparameterize (for example non-centre hierarchical effects) or use more informative priors.',
  ess_bulk:
    'Too few effectively independent draws for reliable means and medians. Run longer chains ' +
    '(more draws), or reparameterize to reduce autocorrelation.',
  ess_tail:
    'Too few effectively independent draws in the tails for reliable 5% and 95% quantiles and ' +
    'intervals. Run longer chains; heavy-tailed parameters may need reparameterization.',
  divergent:
    'Divergent transitions mean the sampler missed parts of the posterior, so the results may be ' +
    'biased. Raise adapt_delta (for example 0.95 or 0.99) to take smaller steps; if divergences ' +
    'remain, reparameterize (non-centred parameterization of hierarchical effects).',
  treedepth:
    'Transitions stopped at the maximum tree depth: the sampler is inefficient (not invalid). ' +
    'Increase max_treedepth (for example to 12) or reparameterize.',
  short_chains:
    'Too few draws per chain to judge convergence. Run more draws (at least 100 per chain; ' +
    'CmdStan runs 1000) with at least 4 chains.',
  nonfinite:
    'Some draws are NaN, so their summaries are undefined. Check the model for undefined values ' +
    '(log of a negative number, 0/0, overflow) and for parameters without constraints they need.',
  infinite:
    'Some draws are infinite, so the means, standard deviations, tail ESS and MCSEs of those ' +
    'variables are undefined (R-hat and bulk ESS work on ranks and still look fine). Check the model ' +
    'for overflow (exp of a large number, division by a value near zero) and give unbounded scale ' +
    'parameters a proper prior; for a draws file, check that it was written without overflow.',
  ebfmi:
    'Low E-BFMI: the sampler explores the energy distribution poorly (often heavy tails or funnels). ' +
    'Reparameterize (non-centre), tighten priors on scale parameters, or run more warmup.',
});

/**
 * Fewer draws per chain than this make R-hat and ESS unreliable (ESS = S/2 for N <= 11).
 * @example nDraws < MIN_RELIABLE_DRAWS // warn short_chains
 */
export const MIN_RELIABLE_DRAWS = 12;

function isSamplerFieldName(name: string): boolean {
  return name.endsWith('__');
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Merge partial thresholds over the defaults.
 * @example resolveThresholds({ rhat: 1.05 }).essPerChain // 100
 */
export function resolveThresholds(thresholds?: Partial<Thresholds>): Thresholds {
  const out: Thresholds = { ...DEFAULT_THRESHOLDS };
  if (thresholds) {
    for (const key of Object.keys(out) as (keyof Thresholds)[]) {
      const v = thresholds[key];
      if (typeof v === 'number' && !Number.isNaN(v)) out[key] = v;
    }
  }
  return out;
}

/**
 * The failing checks as warnings (R-hat, bulk/tail ESS per variable; divergences, tree depth, E-BFMI
 * from the sampler summary). NaN values (undefined diagnostics, e.g. constant variables) never fail.
 * @example diagnosticWarnings(rows, sampler, DEFAULT_THRESHOLDS, 4)
 */
export function diagnosticWarnings(
  rows: readonly SummaryRow[],
  sampler: SamplerSummary | null,
  thresholds: Thresholds,
  nChains: number,
  options: { nDraws?: number } = {},
): DiagnosticWarning[] {
  const warnings: DiagnosticWarning[] = [];
  const n = rows.length;
  const worst = (key: 'rhat' | 'ess_bulk' | 'ess_tail', bad: (v: number) => boolean) => {
    let count = 0;
    let w: SummaryRow | null = null;
    for (const r of rows) {
      const v = r[key];
      if (Number.isNaN(v) || !bad(v)) continue;
      count++;
      if (!w || (key === 'rhat' ? v > w[key] : v < w[key])) w = r;
    }
    return { count, w };
  };
  const r = worst('rhat', (v) => v > thresholds.rhat);
  if (r.w) {
    warnings.push({
      code: 'rhat',
      message:
        `R-hat above ${thresholds.rhat} for ${r.count} of ${plural(n, 'variable')} ` +
        `(worst ${r.w.variable}: ${fmt(r.w.rhat)}): the chains have not converged.`,
      remedy: REMEDIES.rhat,
    });
  }
  const essMin = thresholds.essPerChain * nChains;
  for (const key of ['ess_bulk', 'ess_tail'] as const) {
    const e = worst(key, (v) => v < essMin);
    if (e.w) {
      const label = key === 'ess_bulk' ? 'Bulk-ESS' : 'Tail-ESS';
      warnings.push({
        code: key,
        message:
          `${label} below ${fmt(essMin, 0)} (${thresholds.essPerChain} per chain) for ${e.count} of ` +
          `${plural(n, 'variable')} (lowest ${e.w.variable}: ${Math.floor(e.w[key])}).`,
        remedy: REMEDIES[key],
      });
    }
  }
  // §5.10: N < 4 gives no R-hat, N < 6 no ESS, N <= 11 an ESS of exactly S/2 (posterior's R quirk).
  const nDraws = sampler?.draws_per_chain ?? options.nDraws;
  if (nDraws !== undefined && nDraws < MIN_RELIABLE_DRAWS && n > 0) {
    warnings.push({
      code: 'short_chains',
      message:
        `Only ${nDraws} draws per chain: R-hat and ESS are ` +
        `${nDraws < 6 ? 'undefined' : 'not informative'} with fewer than ${MIN_RELIABLE_DRAWS}.`,
      remedy: REMEDIES.short_chains,
    });
  }
  const nonfinite = rows.filter((r) => !isSamplerFieldName(r.variable) && Number.isNaN(r.mean));
  if (nonfinite.length > 0) {
    warnings.push({
      code: 'nonfinite',
      message:
        `${nonfinite.length} of ${plural(n, 'variable')} ${nonfinite.length === 1 ? 'has' : 'have'} NaN draws ` +
        `(${nonfinite
          .slice(0, 3)
          .map((r) => r.variable)
          .join(', ')}${nonfinite.length > 3 ? ', ...' : ''}).`,
      remedy: REMEDIES.nonfinite,
    });
  }
  // A draw of +-Inf makes the mean infinite (both signs make it NaN: caught above) while the
  // rank-based R-hat and bulk ESS stay finite, so no other check would fail.
  const infinite = rows.filter(
    (r) => !isSamplerFieldName(r.variable) && Math.abs(r.mean) === Number.POSITIVE_INFINITY,
  );
  if (infinite.length > 0) {
    warnings.push({
      code: 'infinite',
      message:
        `${infinite.length} of ${plural(n, 'variable')} ${infinite.length === 1 ? 'has' : 'have'} infinite draws ` +
        `(${infinite
          .slice(0, 3)
          .map((r) => r.variable)
          .join(
            ', ',
          )}${infinite.length > 3 ? ', ...' : ''}): their mean, sd, tail ESS and MCSE are undefined.`,
      remedy: REMEDIES.infinite,
    });
  }
  if (sampler) {
    const total = sampler.chains * sampler.draws_per_chain;
    if (sampler.divergent > 0) {
      warnings.push({
        code: 'divergent',
        message: `${sampler.divergent} of ${total} transitions after warmup were divergent.`,
        remedy: REMEDIES.divergent,
      });
    }
    if (sampler.treedepth_hits > 0) {
      const depth = sampler.max_treedepth ?? thresholds.maxTreeDepth;
      warnings.push({
        code: 'treedepth',
        message: `${sampler.treedepth_hits} of ${total} transitions hit the maximum tree depth (${depth}).`,
        remedy: REMEDIES.treedepth,
      });
    }
    const low = sampler.ebfmi
      .map((v, c) => ({ v, c }))
      .filter(({ v }) => !Number.isNaN(v) && v < thresholds.ebfmi);
    if (low.length > 0) {
      warnings.push({
        code: 'ebfmi',
        message:
          `E-BFMI below ${thresholds.ebfmi} in ${low.length} of ${plural(sampler.ebfmi.length, 'chain')} ` +
          `(${low.map(({ v, c }) => `chain ${c + 1}: ${fmt(v)}`).join(', ')}).`,
        remedy: REMEDIES.ebfmi,
      });
    }
  }
  return warnings;
}
