import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import { firstInvalidUtf8, utf8ChunkChecker } from '../../src/data/encoding.js';
import type { Table } from '../../src/data/table.js';
import { DataError, NotFoundError } from '../../src/errors.js';

const BAD = path.resolve('fixtures/bad');
const bad = (name: string) => path.join(BAD, name);

function levelsOf(t: Table, name: string): readonly string[] {
  const c = t.columns[name];
  if (c.type !== 'factor') throw new Error(`${name} is not a factor`);
  return c.levels;
}
function textColumn(t: Table, name: string): (string | null)[] {
  const c = t.columns[name];
  if (c.type !== 'factor') throw new Error(`${name} is not a factor`);
  return Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]));
}
function numbers(t: Table, name: string): number[] {
  const c = t.columns[name];
  if (c.type !== 'numeric') throw new Error(`${name} is not numeric`);
  return Array.from(c.values);
}

/** Parse with both readers (in memory and streaming from a file) and check they agree. */
async function both(text: string | Uint8Array, source: string): Promise<Table> {
  const mem = parseCsv(text, { source });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bb-csv-'));
  try {
    const file = path.join(dir, 'x.csv');
    await writeFile(file, text);
    const streamed = await readCsvFile(file, { source });
    expect(streamed).toEqual(mem);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return mem;
}

describe('parseCsv: quirks that must just work', () => {
  it('reads the quirks fixture: BOM, CRLF, quoted commas/quotes/newline, non-ASCII, exponents, trailing blank lines', async () => {
    const t = await readCsvFile(bad('quirks.csv'), { source: 'quirks.csv' });
    expect(t.names).toEqual(['heuristic', 'task', 'task category', 'score', 'notes']);
    expect(t.nRows).toBe(4);
    expect(textColumn(t, 'heuristic')).toEqual([
      'Nyströmformer',
      'Performer',
      'Nyströmformer',
      'Performer',
    ]);
    expect(levelsOf(t, 'task')).toEqual(['ListOps, long', 'Text']);
    expect(numbers(t, 'score')).toEqual([37.1, 18.18, 65.02, 65.4]);
    expect(textColumn(t, 'notes')).toEqual(['plain', 'says "hi"', 'two\r\nlines', null]);
    // Row 3 starts on line 4 and its quoted CRLF pushes row 4 to line 6.
    expect(Array.from(t.lines!)).toEqual([2, 3, 4, 6]);
  });

  it('strips a UTF-8 BOM from the first column name', async () => {
    const t = await both('\ufeffa,b\n1,2\n', 'bom.csv');
    expect(t.names).toEqual(['a', 'b']);
  });

  it('accepts LF, CRLF and CR line ends alike', async () => {
    const lf = parseCsv('h,y\na,1\nb,2\n');
    expect(parseCsv('h,y\r\na,1\r\nb,2\r\n')).toEqual(lf);
    expect(parseCsv('h,y\ra,1\rb,2\r')).toEqual(lf);
    expect(parseCsv('h,y\na,1\nb,2')).toEqual(lf); // no final newline
  });

  it('keeps non-ASCII column names and values', async () => {
    const t = await both('méthode,tâche,分数\nréformer,检索,0.5\n', 'u.csv');
    expect(t.names).toEqual(['méthode', 'tâche', '分数']);
    expect(levelsOf(t, 'tâche')).toEqual(['检索']);
    expect(numbers(t, '分数')).toEqual([0.5]);
  });

  it('parses exponent notation, signs and bare decimals as numbers', () => {
    const t = parseCsv('y\n1e3\n-2.5E-2\n+.5\n3.\n1E+2\n');
    expect(numbers(t, 'y')).toEqual([1000, -0.025, 0.5, 3, 100]);
  });

  it('makes a column a factor when one cell is not a finite number, keeping the original text', async () => {
    const t = await both('y\n1.50\n2\nInfinity\n0x10\n', 'f.csv');
    expect(textColumn(t, 'y')).toEqual(['1.50', '2', 'Infinity', '0x10']);
  });

  it('reads empty cells as missing (NaN / -1) and all-empty columns as numeric NaN', () => {
    const t = parseCsv('h,y,z\na,,\n,2,\n');
    expect(textColumn(t, 'h')).toEqual(['a', null]);
    expect(numbers(t, 'y')).toEqual([Number.NaN, 2]);
    expect(numbers(t, 'z')).toEqual([Number.NaN, Number.NaN]);
  });

  it('skips blank lines and all-empty rows (",,"), keeping line numbers right', async () => {
    const t = await both('h,y\n\na,1\n,\n\nb,2\n\n\n', 'blank.csv');
    expect(t.nRows).toBe(2);
    expect(Array.from(t.lines!)).toEqual([3, 6]);
  });

  it('trims spaces around fields but not inside quotes', () => {
    const t = parseCsv('h , y\n a , 1 \n" b ",2\n');
    expect(t.names).toEqual(['h', 'y']);
    expect(textColumn(t, 'h')).toEqual(['a', ' b ']);
    expect(numbers(t, 'y')).toEqual([1, 2]);
  });

  it('tolerates extra trailing empty fields (spreadsheet exports) and names empty headers', () => {
    const t = parseCsv(',h,y\n1,a,1,\n2,b,2,,\n');
    expect(t.names).toEqual(['column1', 'h', 'y']);
    expect(t.nRows).toBe(2);
  });

  it('takes bytes (Uint8Array) as well as text', () => {
    const bytes = new TextEncoder().encode('h,y\nä,1\n');
    expect(parseCsv(bytes)).toEqual(parseCsv('h,y\nä,1\n'));
  });

  it('records the line of each row when quoted newlines shift them', async () => {
    const t = await both('h,note,y\na,"x\ny\nz",1\nb,"p",2\nc,"\r\n",3\nd,q,4\n', 'lines.csv');
    expect(Array.from(t.lines!)).toEqual([2, 5, 6, 8]);
  });
});

describe('parseCsv / readCsvFile: errors name the file, line, column or byte offset', () => {
  const cases: [string, string][] = [
    ['empty.csv', 'empty.csv: empty file (no header, no data)'],
    ['blank_lines_only.csv', 'blank_lines_only.csv: empty file (no header, no data)'],
    ['header_only.csv', 'header_only.csv: header only, no data rows'],
    [
      'duplicate_columns.csv',
      'duplicate_columns.csv: line 1: duplicate column name "score" (columns 3 and 4)',
    ],
    ['ragged.csv', 'ragged.csv: line 3: 2 fields, but the header has 3 (ragged row)'],
    [
      'ragged_after_quoted_newline.csv',
      'ragged_after_quoted_newline.csv: line 4: 5 fields, but the header has 4 (ragged row)',
    ],
    [
      'unterminated_quote.csv',
      'unterminated_quote.csv: line 3: unterminated quote (the quoted field opened on this line never closes)',
    ],
    [
      'binary_nul.csv',
      'binary_nul.csv: binary content (NUL byte at byte offset 29); expected a UTF-8 CSV text file',
    ],
    [
      'gzip.csv',
      'gzip.csv: binary content (NUL byte at byte offset 3); expected a UTF-8 CSV text file',
    ],
    [
      'latin1.csv',
      'latin1.csv: not UTF-8 text (byte 0xE9 at byte offset 22); save the file as UTF-8',
    ],
    [
      'utf16.csv',
      'utf16.csv: UTF-16 text (byte order mark at byte offset 0); save the file as UTF-8',
    ],
  ];
  for (const [file, message] of cases) {
    it(`${file}: same DataError from bytes and from the file stream`, async () => {
      const bytes = readFileSync(bad(file));
      expect(() => parseCsv(bytes, { source: file })).toThrow(new DataError(message));
      await expect(readCsvFile(bad(file), { source: file })).rejects.toThrow(
        new DataError(message),
      );
      await expect(readCsvFile(bad(file), { source: file })).rejects.toBeInstanceOf(DataError);
    });
  }

  it('names the source "input" when none is given, and the path for files', async () => {
    expect(() => parseCsv('')).toThrow('input: empty file');
    await expect(readCsvFile(bad('empty.csv'))).rejects.toThrow(`${bad('empty.csv')}: empty file`);
  });

  it('rejects NUL characters in text input with their offset', () => {
    expect(() => parseCsv('a,b\n1,\u00002\n', { source: 's' })).toThrow(
      's: binary content (NUL character at offset 6); expected CSV text',
    );
  });

  it('reports a missing file as NotFoundError and a directory as DataError', async () => {
    await expect(readCsvFile(bad('nope.csv'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(readCsvFile(BAD, { source: 'dir' })).rejects.toThrow(
      new DataError('dir: not a file'),
    );
  });

  it('finds the line where an unclosed quote opens, past quoted newlines, "" escapes and CRLF', () => {
    const cases: [string, number][] = [
      ['a,b\r\n"x\r\ny",1\r\n2,"open\r\nmore\r\n', 4],
      ['a,b\n"say ""hi""",1\n 2 , "x\n', 3],
      ['a,b\n1,2"\n3,"""\n', 3], // a quote inside a field is literal; """ opens with an escape
      ['a,b\n1,""\n"\n', 3],
    ];
    for (const [csv, line] of cases) {
      expect(() => parseCsv(csv, { source: 'q' })).toThrow(
        new DataError(
          `q: line ${line}: unterminated quote (the quoted field opened on this line never closes)`,
        ),
      );
    }
  });

  it('reports an unterminated quote after blank lines on the row where it opens', () => {
    expect(() => parseCsv('a,b\n1,2\n\n\n3,"4\n5,6\n', { source: 'q' })).toThrow(
      'q: line 5: unterminated quote',
    );
  });
});

describe('parseCsv: quote-free inputs are parsed in slices', () => {
  // Slices of 7 to 64 bytes cut almost every record apart from its neighbours.
  const bodies = [
    '\ufeffh,t,y\na,é,1\n\nb,😀,2e3\n,,\nc,x,\n d , y ,3\n',
    'h,t,y\r\na,é,1\r\n\r\nb,😀,2e3\r\nc,x,\r\n',
    'h,t,y\ra,é,1\r\rb,😀,2e3\rc,x,\r',
    'h,t,y\r\na,é,1\nstill a field\r\nb,x,2\r\n', // CRLF found first: a lone LF is field content
  ];
  for (const [k, body] of bodies.entries()) {
    it(`body ${k}: every slice size gives the Table of the one-piece parse and of the stream`, async () => {
      const whole = await both(body, 's');
      for (const sliceBytes of [7, 8, 13, 64]) {
        expect(parseCsv(body, { source: 's', sliceBytes })).toEqual(whole);
      }
    });
  }

  it('gives the same errors and lines on a ragged row in a late slice', () => {
    const rows = ['h,y'];
    for (let i = 0; i < 200; i++) rows.push(`a${i},${i}`);
    rows.push('b');
    const text = `${rows.join('\n')}\n`;
    expect(() => parseCsv(text, { source: 'r', sliceBytes: 50 })).toThrow(
      new DataError('r: line 202: 1 field, but the header has 2 (ragged row)'),
    );
  });
});

describe('UTF-8 checks', () => {
  it('finds the first ill-formed sequence (overlong, surrogate, truncated, out of range)', () => {
    const at = (bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes), bytes.length);
    expect(at([0x61, 0xc3, 0xa9, 0x62])).toBe(-1); // "aéb"
    expect(at([0x61, 0xc0, 0xaf])).toBe(1); // overlong "/"
    expect(at([0x61, 0xed, 0xa0, 0x80])).toBe(1); // UTF-16 surrogate D800
    expect(at([0x61, 0xe2, 0x82])).toBe(1); // truncated "€"
    expect(at([0xf4, 0x90, 0x80, 0x80])).toBe(0); // above U+10FFFF
    expect(at([0xf0, 0x9f, 0x98, 0x80])).toBe(-1); // U+1F600
  });

  it('does not report a character split across two stream chunks, but reports bad bytes at their file offset', () => {
    const bytes = new TextEncoder().encode('h\n€😀é\n');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const c = utf8ChunkChecker('s');
      c.push(bytes.subarray(0, cut));
      c.push(bytes.subarray(cut));
      c.end();
    }
    const c = utf8ChunkChecker('s');
    c.push(Uint8Array.from([0x61, 0x0a, 0xe2, 0x82]));
    expect(() => {
      c.push(Uint8Array.from([0x41]));
      c.end();
    }).toThrow('s: not UTF-8 text (byte 0xE2 at byte offset 2)');
    const t = utf8ChunkChecker('s');
    t.push(Uint8Array.from([0x61, 0x0a, 0xe2, 0x82]));
    expect(() => t.end()).toThrow('s: not UTF-8 text (byte 0xE2 at byte offset 2)');
  });
});

describe('readCsvFile streams large files', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bb-csv-big-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the same Table as parseCsv across many stream chunks, with multi-byte text on chunk edges', async () => {
    // ~3.5 MB: several stream chunks; names with 2-, 3- and 4-byte characters land on chunk edges.
    const parts = ['heuristic,task,score,note\n'];
    for (let i = 0; i < 60_000; i++) {
      const q = i % 97 === 0 ? `"multi\nline, ${i}"` : `n${i % 13}`;
      parts.push(`hé${i % 7},täsk😀${i % 11},${(i * 1e-3).toExponential(4)},${q}\n`);
    }
    const text = parts.join('');
    const file = path.join(dir, 'big.csv');
    await writeFile(file, text);
    const streamed = await readCsvFile(file, { source: 'big.csv' });
    const mem = parseCsv(text, { source: 'big.csv' });
    expect(streamed).toEqual(mem);
    expect(streamed.nRows).toBe(60_000);
    expect(levelsOf(streamed, 'heuristic')).toHaveLength(7);
    // Row 98 (index 97) comes after one two-line row (index 0), so it starts on line 99 + 1.
    expect(streamed.lines![97]).toBe(100);
  });

  it('re-reads a file whose numeric-looking column turns to text late, keeping the original text', async () => {
    const rows = ['h,y'];
    for (let i = 0; i < 5000; i++) rows.push(`a,${i}.50`);
    rows.push('b,oops');
    const file = path.join(dir, 'late.csv');
    await writeFile(file, `${rows.join('\n')}\n`);
    const t = await readCsvFile(file);
    expect(textColumn(t, 'y')[0]).toBe('0.50');
    expect(textColumn(t, 'y')[5000]).toBe('oops');
  });
});
