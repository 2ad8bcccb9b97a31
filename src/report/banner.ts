/**
 * The diagnostics banner as data (docs/UX.md §0 items 1-3: lead with diagnostics; pass/fail lines with
 * plain-language remedies, ArviZ `diagnose()` style). Works from a full Summary (diagnose/fit) or
 * from a Comparison's `diagnostics` + `warnings` block (compare). The HTML pages render it first.
 * Thresholds and remedies are the diagnostics module's (src/diagnostics/checks.ts), so the
 * terminal and HTML say the same.
 */
import type { ComparisonDiagnostics } from '../analysis/types.js';
import { DEFAULT_THRESHOLDS, REMEDIES } from '../diagnostics/checks.js';
import type { DiagnosticWarning, Summary, Thresholds } from '../diagnostics/types.js';
import { formatEss, formatNumber, formatRhat } from './format.js';

/** One line of the banner. */
export interface BannerItem {
  /** 'rhat' | 'ess_bulk' | 'ess_tail' | 'divergent' | 'treedepth' | 'ebfmi' | a warning's code. */
  code: string;
  label: string;
  status: 'pass' | 'fail' | 'unknown';
  /** The measured value, formatted ('1.004', '850', '0'). */
  value: string;
  /** The rule, formatted ('≤ 1.01', '≥ 400', '= 0'). */
  threshold: string;
  message: string;
  /** What to do about a failure ('' when passing). */
  remedy: string;
}

/** The banner: overall verdict, one-line headline, items in a fixed order. */
export interface DiagnosticsBanner {
  ok: boolean;
  headline: string;
  items: BannerItem[];
}

/** A comparison's diagnostics block (or the Comparison itself). */
export interface ComparisonDiagnosticsInput {
  diagnostics: ComparisonDiagnostics;
  warnings: DiagnosticWarning[];
  settings?: Record<string, unknown>;
}

/** Options of `diagnosticsBanner`. */
export interface BannerOptions {
  thresholds?: Partial<Thresholds>;
  /** Number of chains, for the ESS rule (100 per chain); default the summary's, else 4. */
  chains?: number;
}

const LABELS: Record<string, string> = {
  rhat: 'R-hat (rank-normalized, split)',
  ess_bulk: 'Bulk ESS',
  ess_tail: 'Tail ESS',
  divergent: 'Divergent transitions',
  treedepth: 'Maximum tree depth hits',
  ebfmi: 'E-BFMI',
  short_chains: 'Draws per chain',
  nonfinite: 'Finite draws',
  infinite: 'No infinite draws',
};

function isSummary(x: Summary | ComparisonDiagnosticsInput): x is Summary {
  return Array.isArray((x as Summary).variables);
}

/**
 * Build the diagnostics banner. A check fails when its value breaks the threshold or when the
 * diagnostics module raised a warning with the same code (its message and remedy are then used);
 * warnings with other codes are added as failing items. Undefined values (NaN, e.g. one chain)
 * show as 'unknown'.
 *
 * @example
 * const b = diagnosticsBanner(summary);
 * b.ok ? 'all checks passed' : b.items.filter((i) => i.status === 'fail').map((i) => i.remedy)
 */
export function diagnosticsBanner(
  input: Summary | ComparisonDiagnosticsInput,
  options: BannerOptions = {},
): DiagnosticsBanner {
  const t = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  let maxRhat = Number.NaN;
  let minBulk = Number.NaN;
  let minTail = Number.NaN;
  let divergent = Number.NaN;
  let treedepth = Number.NaN;
  let minEbfmi = Number.NaN;
  let chains = options.chains;
  let maxDepth = t.maxTreeDepth;
  const warnings = input.warnings ?? [];
  if (isSummary(input)) {
    for (const row of input.variables) {
      if (row.variable.endsWith('__')) continue; // docs/UX.md §0 item 5: no R-hat on sampler fields
      if (Number.isFinite(row.rhat))
        maxRhat = Number.isNaN(maxRhat) ? row.rhat : Math.max(maxRhat, row.rhat);
      if (Number.isFinite(row.ess_bulk))
        minBulk = Number.isNaN(minBulk) ? row.ess_bulk : Math.min(minBulk, row.ess_bulk);
      if (Number.isFinite(row.ess_tail))
        minTail = Number.isNaN(minTail) ? row.ess_tail : Math.min(minTail, row.ess_tail);
    }
    const s = input.sampler;
    if (s) {
      divergent = s.divergent;
      treedepth = s.treedepth_hits;
      const e = s.ebfmi.filter((x) => Number.isFinite(x));
      if (e.length > 0) minEbfmi = Math.min(...e);
      chains ??= s.chains;
      if (s.max_treedepth) maxDepth = s.max_treedepth;
    }
  } else {
    const d = input.diagnostics;
    maxRhat = num(d.max_rhat);
    minBulk = num(d.min_ess_bulk);
    minTail = num(d.min_ess_tail);
    divergent = num(d.divergent);
    const sc = input.settings?.chains;
    if (chains === undefined && typeof sc === 'number') chains = sc;
  }
  chains = chains && chains > 0 ? chains : 4;
  const essMin = t.essPerChain * chains;
  const byCode = new Map<string, DiagnosticWarning>();
  for (const w of warnings) if (!byCode.has(w.code)) byCode.set(w.code, w);

  const items: BannerItem[] = [];
  const add = (
    code: string,
    value: number,
    pass: (x: number) => boolean,
    format: (x: number) => string,
    rule: string,
    okMessage: string,
    badMessage: string,
    optional = false,
  ) => {
    const w = byCode.get(code);
    if (Number.isNaN(value) && !w) {
      if (optional) return;
      items.push(item(code, 'unknown', '—', rule, 'not available', ''));
      return;
    }
    const failed = Boolean(w) || (!Number.isNaN(value) && !pass(value));
    items.push(
      item(
        code,
        failed ? 'fail' : 'pass',
        Number.isNaN(value) ? '—' : format(value),
        rule,
        w?.message ?? (failed ? badMessage : okMessage),
        failed ? (w?.remedy ?? REMEDIES[code] ?? '') : '',
      ),
    );
  };
  add(
    'rhat',
    maxRhat,
    (x) => x <= t.rhat,
    formatRhat,
    `≤ ${t.rhat}`,
    `largest R-hat ${formatRhat(maxRhat)}: the chains agree`,
    `largest R-hat ${formatRhat(maxRhat)} is above ${t.rhat}: the chains have not converged`,
  );
  add(
    'ess_bulk',
    minBulk,
    (x) => x >= essMin,
    formatEss,
    `≥ ${essMin} (${t.essPerChain} per chain)`,
    `smallest bulk ESS ${formatEss(minBulk)}`,
    `smallest bulk ESS ${formatEss(minBulk)} is below ${essMin}`,
  );
  add(
    'ess_tail',
    minTail,
    (x) => x >= essMin,
    formatEss,
    `≥ ${essMin} (${t.essPerChain} per chain)`,
    `smallest tail ESS ${formatEss(minTail)}`,
    `smallest tail ESS ${formatEss(minTail)} is below ${essMin}`,
  );
  add(
    'divergent',
    divergent,
    (x) => x === 0,
    (x) => String(x),
    '= 0',
    'no divergent transitions after warmup',
    `${divergent} divergent transition${divergent === 1 ? '' : 's'} after warmup`,
  );
  add(
    'treedepth',
    treedepth,
    (x) => x === 0,
    (x) => String(x),
    `= 0 (depth ${maxDepth})`,
    'no transition hit the maximum tree depth',
    `${treedepth} transition${treedepth === 1 ? '' : 's'} hit the maximum tree depth ${maxDepth}`,
    true,
  );
  add(
    'ebfmi',
    minEbfmi,
    (x) => x >= t.ebfmi,
    (x) => formatNumber(x, 2),
    `≥ ${t.ebfmi} per chain`,
    `smallest E-BFMI ${formatNumber(minEbfmi, 2)}`,
    `smallest E-BFMI ${formatNumber(minEbfmi, 2)} is below ${t.ebfmi}`,
    true,
  );
  const known = new Set(items.map((i) => i.code));
  for (const w of warnings) {
    if (known.has(w.code)) continue;
    known.add(w.code);
    items.push(item(w.code, 'fail', '—', '—', w.message, w.remedy));
  }
  const failed = items.filter((i) => i.status === 'fail');
  const ok = failed.length === 0;
  return {
    ok,
    headline: ok
      ? 'Diagnostics passed: the chains agree and there are enough effective draws.'
      : `Diagnostics failed (${failed.map((i) => i.label).join(', ')}): read this before any decision below.`,
    items,
  };
}

function item(
  code: string,
  status: BannerItem['status'],
  value: string,
  threshold: string,
  message: string,
  remedy: string,
): BannerItem {
  return { code, label: LABELS[code] ?? code, status, value, threshold, message, remedy };
}

function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : Number.NaN;
}
