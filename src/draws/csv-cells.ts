import { DataError } from '../errors.js';

/**
 * Line and cell helpers shared by the draws CSV and CmdStan CSV readers: numeric draws files are
 * one record per line, so errors can name the physical line and the column.
 */

/**
 * The lines of a text (BOM stripped, LF or CRLF).
 * @example textLines('a\r\nb\n') // ['a', 'b', '']
 */
export function textLines(text: string): string[] {
  const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = t.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * Split one CSV line into fields; double-quoted fields may hold commas and doubled quotes.
 * @example splitCsvLine('"a,b",2') // ['a,b', '2']
 */
export function splitCsvLine(line: string, source: string, lineNo: number): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        if (i >= n) throw new DataError(`${source}: line ${lineNo}: unterminated quoted field`);
        const ch = line[i];
        if (ch === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      if (i < n && line[i] !== ',') {
        throw new DataError(`${source}: line ${lineNo}: unexpected character after a quoted field`);
      }
      out.push(field);
      i++;
    } else {
      let j = line.indexOf(',', i);
      if (j < 0) j = n;
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return out;
}

/**
 * Parse one numeric cell: decimal or exponent notation; NA/NaN give NaN; Inf, Infinity (signed)
 * give +-Infinity. Anything else (including an empty cell) is a DataError naming file, line, column.
 * @example parseCell('1e-3', 'draws.csv', 2, 'mu') // 0.001
 */
export function parseCell(cell: string, source: string, lineNo: number, column: string): number {
  const v = Number(cell);
  if (!Number.isNaN(v) && cell.trim() !== '') return v;
  const t = cell.trim();
  switch (t) {
    case 'NA':
    case 'NaN':
    case 'nan':
    case '.nan':
      return Number.NaN;
    case 'Inf':
    case 'inf':
    case '+Inf':
    case '+inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
    case '-inf':
      return Number.NEGATIVE_INFINITY;
  }
  const shown = t === '' ? 'an empty cell' : `"${t.length > 40 ? `${t.slice(0, 40)}...` : t}"`;
  throw new DataError(`${source}: line ${lineNo}, column "${column}": ${shown} is not a number`);
}

/**
 * Quote a CSV field when it holds a comma, a quote or a line break.
 * @example csvField('r_g[a,Intercept]') // '"r_g[a,Intercept]"'
 */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Format a number for a draws CSV: shortest round-trip decimal; NaN, Inf, -Inf as R writes them.
 * @example formatCell(0.1) // '0.1'
 */
export function formatCell(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
