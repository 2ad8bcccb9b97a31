import { SUMMARY_COLUMNS, type Summary } from '../diagnostics/types.js';
import type { Draws, SamplerStats } from '../draws/draws.js';

/** Quote a CSV field when it needs it (RFC 4180). */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The draws CSV of docs/ARCHITECTURE.md "Contracts" (`chain,draw,<variables...>,<sampler fields...>`, 1-based, full
 * precision) as chunks of about 1000 rows, so a large fit streams instead of building one string.
 * @example for (const chunk of drawsCsvChunks(draws, stats)) res.write(chunk);
 */
export function* drawsCsvChunks(draws: Draws, stats: SamplerStats | null): Generator<string> {
  const sets =
    stats && stats.nDraws === draws.nDraws && stats.nChains === draws.nChains
      ? [draws, stats]
      : [draws];
  const header = ['chain', 'draw', ...sets.flatMap((s) => s.variables)].map(field).join(',');
  let buf = `${header}\n`;
  let rows = 0;
  for (let c = 0; c < draws.nChains; c++) {
    for (let d = 0; d < draws.nDraws; d++) {
      let line = `${c + 1},${d + 1}`;
      for (const s of sets) {
        for (let v = 0; v < s.variables.length; v++) {
          line += `,${s.values[d + s.nDraws * (c + s.nChains * v)]}`;
        }
      }
      buf += `${line}\n`;
      if (++rows % 1000 === 0) {
        yield buf;
        buf = '';
      }
    }
  }
  if (buf) yield buf;
}

/**
 * The summary table as CSV with posterior's column names (NaN as empty, full precision).
 * @example summaryCsv(summary).split('\n')[0] // 'variable,mean,median,sd,...'
 */
export function summaryCsv(summary: Summary): string {
  const cols = SUMMARY_COLUMNS;
  const lines = [cols.join(',')];
  for (const r of summary.variables) {
    lines.push(
      cols
        .map((c) => {
          const v = r[c];
          if (typeof v === 'string') return field(v);
          return v === null || v === undefined || Number.isNaN(v) ? '' : String(v);
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
