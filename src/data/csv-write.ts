import { cellText } from './access.js';
import type { Table } from './table.js';

/**
 * A CSV field as parseCsv reads it back: quoted (RFC 4180 section 2, quotes doubled) when it holds
 * a comma, a quote, a line break, or spaces at either end (the reader trims unquoted fields).
 *
 * @example csvText('a, b'); // '"a, b"'
 */
export function csvText(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A Table as CSV text (header, one line per row, LF line ends; missing cells empty; numbers as
 * JavaScript prints them, which read back to the same doubles). parseCsv of the text gives the
 * same columns, except that a text column whose every value is a number reads back as numeric.
 * The web app stores a converted upload (wide table, harness outputs) this way.
 *
 * @example tableToCsv(parseCsv('a,b\n1,x\n')); // 'a,b\n1,x\n'
 */
export function tableToCsv(table: Table): string {
  const lines: string[] = [table.names.map(csvText).join(',')];
  const row: string[] = new Array(table.names.length);
  for (let i = 0; i < table.nRows; i++) {
    for (let j = 0; j < table.names.length; j++)
      row[j] = csvText(cellText(table, table.names[j], i));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
