import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import {
  forEachPlainRecord,
  forEachPlainRecordOfBytes,
  isPlainCsvFile,
} from '../../src/data/csv-plain.js';

/** The readers' csv-parse settings (src/data/csv.ts PARSE_OPTIONS). */
const OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, trim: true };

const plain = (text: string) => {
  const out: string[][] = [];
  forEachPlainRecord(text, true, (r) => out.push(r));
  return out;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-csv-plain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plain CSV (no quotes, no CR): the scan gives csv-parse records', () => {
  it('on random text of fields, separators, blank lines and every trimmed character', () => {
    // every character csv-parse trims (besides LF, the record end), some it does not trim
    // (U+0085, U+180E, U+200B), ASCII, a multi-byte letter and an astral one
    const alphabet = [
      'a',
      'b',
      '1',
      '.',
      '-',
      'é',
      '😀',
      ',',
      ',',
      '\n',
      '\n',
      ' ',
      ' ',
      '\t',
      '\u000b',
      '\u000c',
      '\u00a0',
      '\u1680',
      '\u2000',
      '\u2005',
      '\u200a',
      '\u2028',
      '\u2029',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
      '\u0085',
      '\u180e',
      '\u200b',
    ];
    let s = 20261204;
    const u = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    for (let k = 0; k < 3000; k++) {
      const n = Math.floor(u() * 40);
      let text = '';
      for (let i = 0; i < n; i++) text += alphabet[Math.floor(u() * alphabet.length)];
      const expected = parseCsvSync(text, OPTIONS);
      expect(plain(text), JSON.stringify(text)).toEqual(expected);
      // decoded in slices cut after an LF (parseCsv): the same records
      const sliced: string[][] = [];
      forEachPlainRecordOfBytes(Buffer.from(text), 1 + (k % 7), (r) => sliced.push(r));
      expect(sliced, JSON.stringify(text)).toEqual(expected);
    }
  });

  it('at the edges: empty text, trailing LF or comma, blank lines, a BOM, whitespace-only lines', () => {
    for (const text of [
      '',
      '\n',
      '\n\n',
      'a',
      'a\n',
      'a,',
      'a,\n',
      ',\n,',
      ' \n ',
      '\ufeffa,b\n',
      'a\n\n\nb',
    ]) {
      expect(plain(text), JSON.stringify(text)).toEqual(parseCsvSync(text, OPTIONS));
    }
  });

  it('readCsvFile and parseCsv: the plain path gives the table csv-parse gives, lines included', async () => {
    const rows = [
      '\ufeffheuristic , task,item,score',
      '',
      'h1,t1,i1, 0.5',
      'h2 ,t1,i1,1e-1',
      ',,,',
      'h1,t2,é,3',
    ];
    for (let k = 0; k < 3000; k++) rows.push(`h${k % 7},t${k % 3},i${k},${(k % 11) / 10}`);
    const text = `${rows.join('\n')}\n`;
    const file = path.join(dir, 'plain.csv');
    writeFileSync(file, text);
    expect(await isPlainCsvFile(file)).toBe(true);
    // the reference: csv-parse on the same text with CRLF line ends (not plain), same records and lines
    const viaCsvParse = parseCsv(text.replaceAll('\n', '\r\n'), { source: 'x.csv' });
    expect(await readCsvFile(file, { source: 'x.csv' })).toEqual(viaCsvParse);
    expect(parseCsv(text, { source: 'x.csv', sliceBytes: 100 })).toEqual(viaCsvParse);
    // a quote anywhere: not plain (csv-parse reads it)
    writeFileSync(path.join(dir, 'quoted.csv'), `${text}"h9",t1,i0,1\n`);
    expect(await isPlainCsvFile(path.join(dir, 'quoted.csv'))).toBe(false);
    writeFileSync(path.join(dir, 'crlf.csv'), 'a,b\r\n1,2\r\n');
    expect(await isPlainCsvFile(path.join(dir, 'crlf.csv'))).toBe(false);
  });

  it('readCsvFile: the same errors on the plain path (ragged row, bad bytes)', async () => {
    const ragged = path.join(dir, 'ragged.csv');
    writeFileSync(ragged, 'a,b\n1,2\n\n3\n');
    await expect(readCsvFile(ragged, { source: 'r.csv' })).rejects.toThrow(
      'r.csv: line 4: 1 field, but the header has 2 (ragged row)',
    );
    const nul = path.join(dir, 'nul.csv');
    writeFileSync(nul, Buffer.from('a,b\n1,\u00002\n'));
    await expect(readCsvFile(nul, { source: 'n.csv' })).rejects.toThrow(
      'n.csv: binary content (NUL byte at byte offset 6)',
    );
  });
});
