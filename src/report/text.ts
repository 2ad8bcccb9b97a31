import {
  SUMMARY_COLUMNS,
  type Summary,
  type SummaryRow,
  type Thresholds,
} from '../diagnostics/types.js';
import { diagnosticsBanner } from './banner.js';
import { escapeTerminal } from './escape.js';

/**
 * Plain-text renderings for the terminal (diagnose, fit, compare CLIs): the diagnostics banner
 * (one pass/fail line per check, remedies under failing lines; the same items as the HTML banner,
 * src/report/banner.ts) and the summary table with MCSE-aware rounding. ASCII only, so the output
 * can be pasted and parsed; NaN prints as NA (posterior's word for it). Names and messages that may
 * hold user text (variable names from a CSV) go through escapeTerminal: no control or bidi
 * character reaches the terminal, and a line break in a name cannot start a line of its own.
 */

/**
 * Options of formatBanner.
 * @example formatBanner(summary, { thresholds: { rhat: 1.05 }, chains: 4 })
 */
export interface TextBannerOptions {
  /** The thresholds the summary was made with (default: DEFAULT_THRESHOLDS). */
  thresholds?: Partial<Thresholds>;
  /** Number of chains for the ESS rule (default: the summary's sampler, else 4). */
  chains?: number;
  /** Wrap remedies at this width (default 100). */
  width?: number;
}

function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + 1 + w.length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** Labels of warning codes the shared banner does not name itself. */
const EXTRA_LABELS: Record<string, string> = {
  short_chains: 'Draws per chain',
  nonfinite: 'Finite draws',
};

function ascii(s: string): string {
  return s.replaceAll('≤', '<=').replaceAll('≥', '>=').replaceAll('−', '-').replaceAll('—', 'NA');
}

/**
 * The diagnostics banner as text: a verdict line, then one line per check (PASS / FAIL / ??), and
 * under each failing line its remedy. Says plainly when checks fail.
 * @example
 * process.stderr.write(formatBanner(summary));
 * // Diagnostics: 1 of 6 checks FAILED -- do not trust these estimates yet.
 * //   PASS  R-hat (rank-normalized, split)   1.003  (<= 1.01)  largest R-hat 1.003: the chains agree
 * //   FAIL  Divergent transitions            3      (= 0)      3 of 4000 transitions ...
 * //         remedy: Raise adapt_delta ...
 */
export function formatBanner(summary: Summary, options: TextBannerOptions = {}): string {
  const width = options.width ?? 100;
  const banner = diagnosticsBanner(summary, {
    thresholds: options.thresholds,
    chains: options.chains,
  });
  for (const item of banner.items) {
    if (item.label === item.code && EXTRA_LABELS[item.code]) item.label = EXTRA_LABELS[item.code];
    item.label = escapeTerminal(item.label);
    item.message = escapeTerminal(item.message);
    item.remedy = escapeTerminal(item.remedy);
  }
  const failed = banner.items.filter((i) => i.status === 'fail');
  const unknown = banner.items.filter((i) => i.status === 'unknown');
  const lines: string[] = [];
  lines.push(
    failed.length > 0
      ? `Diagnostics: ${failed.length} of ${banner.items.length} checks FAILED -- do not trust these estimates yet.`
      : unknown.length > 0
        ? `Diagnostics: ${banner.items.length - unknown.length} checks passed, ${unknown.length} not available ` +
          `(${unknown.map((i) => i.label).join(', ')}: no data for them).`
        : `Diagnostics: all ${banner.items.length} checks passed.`,
  );
  const labelWidth = Math.max(...banner.items.map((i) => i.label.length));
  const valueWidth = Math.max(...banner.items.map((i) => ascii(i.value).length));
  const rule = (t: string) => (t === '—' || t === '' ? '' : `(${ascii(t)})`);
  const ruleWidth = Math.max(...banner.items.map((i) => rule(i.threshold).length));
  for (const item of banner.items) {
    const status = item.status === 'pass' ? 'PASS' : item.status === 'fail' ? 'FAIL' : 'n/a ';
    lines.push(
      `  ${status}  ${item.label.padEnd(labelWidth)}  ${ascii(item.value).padEnd(valueWidth)}  ` +
        `${rule(item.threshold).padEnd(ruleWidth)}  ${ascii(item.message)}`.trimEnd(),
    );
    if (item.status === 'fail' && item.remedy) {
      lines.push(...wrap(`remedy: ${ascii(item.remedy)}`, width, '        '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Options of formatSummaryTable.
 * @example formatSummaryTable(rows, { maxRows: 50 })
 */
export interface SummaryTableOptions {
  /** Show at most this many rows, then a line saying how many were left out (default all). */
  maxRows?: number;
}

const NA = 'NA';

/**
 * Decimals supported by a Monte Carlo standard error: the position of its first significant digit
 * (an MCSE of 0.016 supports 2 decimals, 0.0016 supports 3), between 0 and 8; undefined for a
 * missing or zero MCSE.
 * @example mcseDecimals(0.0157) // 2
 */
export function mcseDecimals(mcse: number): number | undefined {
  if (!Number.isFinite(mcse) || mcse <= 0) return undefined;
  return Math.min(8, Math.max(0, -Math.floor(Math.log10(mcse))));
}

/**
 * A number rounded to what its MCSE supports; without a usable MCSE, 4 significant digits.
 * @example formatWithMcse(5.00114386803, 0.00156) // '5.001'
 */
export function formatWithMcse(x: number, mcse: number): string {
  if (Number.isNaN(x)) return NA;
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  const d = mcseDecimals(mcse);
  let s: string;
  if (d === undefined) {
    s =
      Math.abs(x) >= 1e6 || (Math.abs(x) < 1e-4 && x !== 0)
        ? x.toExponential(3)
        : String(Number(x.toPrecision(4)));
  } else s = x.toFixed(d);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

function fmtEss(x: number): string {
  return Number.isFinite(x) ? String(Math.floor(x)) : NA; // floor: never overstate an ESS
}

function fmtRhat(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : NA;
}

function fmtMcse(x: number): string {
  if (!Number.isFinite(x)) return NA;
  if (x === 0) return '0';
  if (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-4) return x.toExponential(1);
  // two significant digits, trailing zeros kept ('0.20'), no exponent for 100 <= |x| < 1e5
  return Math.abs(x) >= 100 ? String(Number(x.toPrecision(2))) : x.toPrecision(2);
}

/**
 * The summary table (posterior's summarise_draws columns): locations (mean, median, q5, q95) rounded
 * to the decimals their MCSE supports (mcse_mean), scales (sd, mad) to mcse_sd's, R-hat with 3
 * decimals, ESS as integers (rounded down), MCSEs with 2 significant digits; NA for undefined values.
 * @example process.stdout.write(formatSummaryTable(summary.variables, { maxRows: 50 }));
 */
export function formatSummaryTable(
  rows: readonly SummaryRow[],
  options: SummaryTableOptions = {},
): string {
  const header = [...SUMMARY_COLUMNS];
  const max = options.maxRows ?? rows.length;
  const shown = rows.slice(0, Math.max(0, max));
  const cells = shown.map((r) => [
    escapeTerminal(r.variable),
    formatWithMcse(r.mean, r.mcse_mean),
    formatWithMcse(r.median, r.mcse_mean),
    formatWithMcse(r.sd, r.mcse_sd),
    formatWithMcse(r.mad, r.mcse_sd),
    formatWithMcse(r.q5, r.mcse_mean),
    formatWithMcse(r.q95, r.mcse_mean),
    fmtRhat(r.rhat),
    fmtEss(r.ess_bulk),
    fmtEss(r.ess_tail),
    fmtMcse(r.mcse_mean),
    fmtMcse(r.mcse_sd),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) =>
    c
      .map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j])))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...cells.map(line)];
  if (rows.length > shown.length) {
    const left = rows.length - shown.length;
    out.push(
      `... ${left} more variable${left === 1 ? '' : 's'} not shown (use --vars REGEX or --json)`,
    );
  }
  return `${out.join('\n')}\n`;
}
