/**
 * The paged, filterable parameters table of a report page (docs/UX.md §0 item 6: regex selection and
 * paging for big models). Cells are strings, rounded to what the MCSE supports.
 */

import { DEFAULT_THRESHOLDS } from '../diagnostics/checks.js';
import { SUMMARY_COLUMNS, type Summary, type SummaryRow } from '../diagnostics/types.js';
import { formatByMcse, formatEss, formatRhat, formatSignificant } from './format.js';

/** Options of `summaryViewModel`. */
export interface SummaryViewOptions {
  /** A regular expression (case-insensitive) matched against variable names; '' = all. */
  filter?: string;
  /** 1-based page (clamped to the available pages). */
  page?: number;
  /** Rows per page, 1..500 (default 50). */
  pageSize?: number;
  rhatThreshold?: number;
  /** ESS below this is flagged (default 100 per chain x the summary's chains, else 400). */
  essThreshold?: number;
}

/** One row of the parameters table. */
export interface SummaryViewRow {
  variable: string;
  /** In the order of `columns` after 'variable'. */
  cells: string[];
  /** R-hat above the threshold or an ESS below it. */
  flagged: boolean;
  flags: { rhat: boolean; ess_bulk: boolean; ess_tail: boolean };
}

/** The parameters table page. */
export interface SummaryViewModel {
  /** Column headers: posterior's summarise_draws names. */
  columns: string[];
  rows: SummaryViewRow[];
  page: number;
  pageSize: number;
  pageCount: number;
  /** Rows in the summary. */
  total: number;
  /** Rows matching the filter. */
  matched: number;
  filter: string;
  /** Flagged rows among the matched ones. */
  flaggedCount: number;
  /** A message when the filter is not a valid regular expression (then no rows). */
  error: string | null;
}

/**
 * Longest filter accepted (regular expressions from a query string; keeps matching cheap).
 * @example summaryViewModel(s, { filter: 'x'.repeat(MAX_FILTER_LENGTH + 1) }).error // 'filter: longer than 200 characters'
 */
export const MAX_FILTER_LENGTH = 200;

/**
 * One page of the parameters table. An invalid or over-long regex gives `error` and no rows
 * (never throws, so a typo in the filter box does not break the page).
 *
 * @example
 * summaryViewModel(summary, { filter: '^sd_', page: 1, pageSize: 25 }).rows.map((r) => r.variable)
 */
export function summaryViewModel(
  summary: Summary,
  options: SummaryViewOptions = {},
): SummaryViewModel {
  const filter = options.filter ?? '';
  const pageSize = Math.max(1, Math.min(500, Math.floor(options.pageSize ?? 50)));
  const rhatMax = options.rhatThreshold ?? DEFAULT_THRESHOLDS.rhat;
  const chains = summary.sampler?.chains ?? 4;
  const essMin = options.essThreshold ?? DEFAULT_THRESHOLDS.essPerChain * chains;
  const columns = [...SUMMARY_COLUMNS];
  let error: string | null = null;
  let matched: SummaryRow[] = summary.variables;
  if (filter) {
    if (filter.length > MAX_FILTER_LENGTH) {
      error = `filter: longer than ${MAX_FILTER_LENGTH} characters`;
    } else {
      try {
        const re = new RegExp(filter, 'i');
        matched = summary.variables.filter((r) => re.test(r.variable));
      } catch (e) {
        error = `filter: not a valid regular expression (${(e as Error).message})`;
      }
    }
    if (error) matched = [];
  }
  const flagsOf = (r: SummaryRow) => ({
    rhat: Number.isFinite(r.rhat) && r.rhat > rhatMax,
    ess_bulk: Number.isFinite(r.ess_bulk) && r.ess_bulk < essMin,
    ess_tail: Number.isFinite(r.ess_tail) && r.ess_tail < essMin,
  });
  let flaggedCount = 0;
  for (const r of matched) {
    const f = flagsOf(r);
    if (f.rhat || f.ess_bulk || f.ess_tail) flaggedCount++;
  }
  const pageCount = Math.max(1, Math.ceil(matched.length / pageSize));
  const page = Math.max(1, Math.min(pageCount, Math.floor(options.page ?? 1) || 1));
  const rows = matched.slice((page - 1) * pageSize, page * pageSize).map((r) => {
    const flags = flagsOf(r);
    return {
      variable: r.variable,
      cells: [
        formatByMcse(r.mean, r.mcse_mean),
        formatByMcse(r.median, r.mcse_mean),
        formatByMcse(r.sd, r.mcse_sd),
        formatByMcse(r.mad, r.mcse_sd),
        formatByMcse(r.q5, r.mcse_mean),
        formatByMcse(r.q95, r.mcse_mean),
        formatRhat(r.rhat),
        formatEss(r.ess_bulk),
        formatEss(r.ess_tail),
        formatSignificant(r.mcse_mean, 2),
        formatSignificant(r.mcse_sd, 2),
      ],
      flagged: flags.rhat || flags.ess_bulk || flags.ess_tail,
      flags,
    };
  });
  return {
    columns,
    rows,
    page,
    pageSize,
    pageCount,
    total: summary.variables.length,
    matched: matched.length,
    filter,
    flaggedCount,
    error,
  };
}
