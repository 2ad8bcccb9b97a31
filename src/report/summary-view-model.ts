/**
 * The paged, filterable parameters table of a report page (selection by name and paging for big
 * models). Cells are strings, rounded to what the MCSE supports.
 *
 * The filter comes from a query string (`/fits/1?filter=...`), so it is never compiled into a
 * regular expression: a backtracking regex such as `^([\s\S]|[\s\S])*!` would pin the server's
 * event loop. It is a substring or a glob (`*`, `?`), matched in O(name x filter) time.
 */

import { DEFAULT_THRESHOLDS } from '../diagnostics/checks.js';
import { SUMMARY_COLUMNS, type Summary, type SummaryRow } from '../diagnostics/types.js';
import { formatByMcse, formatEss, formatRhat, formatSignificant } from './format.js';

/** Options of `summaryViewModel`. */
export interface SummaryViewOptions {
  /**
   * Case-insensitive, '' = all. Without `*` or `?`: names containing it. With them: a glob matched
   * against the whole name (`*` any run of characters, `?` one character, everything else literal).
   */
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
  /** A message when the filter is refused (over-long; then no rows). */
  error: string | null;
}

/**
 * Longest filter accepted (from a query string; bounds matching to MAX_FILTER_LENGTH x name length).
 * @example summaryViewModel(s, { filter: 'x'.repeat(MAX_FILTER_LENGTH + 1) }).error // 'filter: longer than 200 characters'
 */
export const MAX_FILTER_LENGTH = 200;

/**
 * A case-insensitive name matcher for a filter: substring without wildcards, else a whole-name glob
 * (`*` = any run, `?` = one character). The glob is the iterative two-pointer algorithm that
 * remembers only the last `*` (Krauss, "Matching wildcards", Dr. Dobb's 2008): at most
 * O(pattern x name) steps, never exponential, whatever the pattern.
 *
 * @example nameMatcher('sd_*')('SD_task__Intercept') // true
 * @example nameMatcher('task[')('r_task[t1,Intercept]') // true
 */
export function nameMatcher(filter: string): (name: string) => boolean {
  const p = filter.toLowerCase();
  if (!p.includes('*') && !p.includes('?')) return (name) => name.toLowerCase().includes(p);
  return (name) => {
    const s = name.toLowerCase();
    let i = 0;
    let j = 0;
    let star = -1;
    let mark = 0;
    while (i < s.length) {
      if (j < p.length && (p[j] === '?' || (p[j] !== '*' && p[j] === s[i]))) {
        i++;
        j++;
      } else if (j < p.length && p[j] === '*') {
        star = j++;
        mark = i;
      } else if (star >= 0) {
        j = star + 1;
        i = ++mark;
      } else return false;
    }
    while (j < p.length && p[j] === '*') j++;
    return j === p.length;
  };
}

/**
 * One page of the parameters table. An over-long filter gives `error` and no rows (never throws,
 * so a typo in the filter box does not break the page).
 *
 * @example
 * summaryViewModel(summary, { filter: 'sd_*', page: 1, pageSize: 25 }).rows.map((r) => r.variable)
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
      const matches = nameMatcher(filter);
      matched = summary.variables.filter((r) => matches(r.variable));
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
