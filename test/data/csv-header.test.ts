import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import { CSV_LIMITS, checkCsvHeader } from '../../src/data/csv-header.js';
import { DataError } from '../../src/errors.js';
import { runCli } from '../cli/fit-cli-helpers.js';

const enc = new TextEncoder();
const header = (n: number) => Array.from({ length: n }, (_, j) => `c${j + 1}`).join(',');
const row = (n: number) => Array.from({ length: n }, () => '1').join(',');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bb-csv-header-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(f: () => void): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('checkCsvHeader', () => {
  it('passes headers at the limits, as text and as bytes', () => {
    const atLimit = `${header(CSV_LIMITS.maxColumns)}\n${row(CSV_LIMITS.maxColumns)}\n`;
    expect(() => checkCsvHeader(atLimit, 'x.csv')).not.toThrow();
    expect(() => checkCsvHeader(enc.encode(atLimit), 'x.csv')).not.toThrow();
    const longName = `${'é'.repeat(CSV_LIMITS.maxColumnNameLength)},b\n1,2\n`;
    expect(() => checkCsvHeader(longName, 'x.csv')).not.toThrow();
    // 256 two-byte characters are 512 bytes: the byte scan counts characters, not bytes
    expect(() => checkCsvHeader(enc.encode(longName), 'x.csv')).not.toThrow();
    expect(parseCsv(atLimit).names).toHaveLength(CSV_LIMITS.maxColumns);
  });

  it('rejects one column too many with one line naming the source, line and limit', () => {
    const text = `${header(CSV_LIMITS.maxColumns + 1)}\n${row(CSV_LIMITS.maxColumns + 1)}\n`;
    const msg = thrown(() => checkCsvHeader(text, 'wide.csv'));
    expect(msg).toBe(
      'wide.csv: line 1: the header has more than 1000 columns (the limit is 1000 columns)',
    );
    expect(thrown(() => parseCsv(text, { source: 'wide.csv' }))).toBe(msg);
    expect(thrown(() => parseCsv(enc.encode(text), { source: 'wide.csv' }))).toBe(msg);
  });

  it('rejects a column name past the length limit (surrounding spaces and quotes not counted)', () => {
    const max = CSV_LIMITS.maxColumnNameLength;
    expect(() => checkCsvHeader(`a,  ${'x'.repeat(max)}  ,b\n`, 'x.csv')).not.toThrow();
    expect(() => checkCsvHeader(`a,"${'x'.repeat(max)}"\n`, 'x.csv')).not.toThrow();
    // "" is one character of the name
    expect(() => checkCsvHeader(`a,"${'""'.repeat(max)}"\n`, 'x.csv')).not.toThrow();
    expect(thrown(() => checkCsvHeader(`a,b,${'x'.repeat(max + 1)}\n1,2,3\n`, 'n.csv'))).toBe(
      'n.csv: line 1, column 3: column name longer than 256 characters (the limit)',
    );
    expect(thrown(() => checkCsvHeader(`a,"${'y'.repeat(max + 1)}"\n`, 'n.csv'))).toMatch(
      /^n\.csv: line 1, column 2: column name longer than 256/,
    );
    // a 10 MB name stops the scan at the limit and is not echoed
    const huge = thrown(() => parseCsv(`${'z'.repeat(10_000_000)}\n1\n`, { source: 'h.csv' }));
    expect(huge.length).toBeLessThan(100);
  });

  it('follows csv-parse quoting: commas and line breaks inside quotes, a BOM, blank lines first', () => {
    const quoted = `"a,b","c\nd",e\n1,2,3\n`;
    expect(() => checkCsvHeader(quoted, 'q.csv')).not.toThrow();
    expect(parseCsv(quoted).names).toEqual(['a,b', 'c\nd', 'e']);
    // commas inside quotes are not columns: 1,000 quoted fields of "x,y" pass
    const commas = Array.from({ length: CSV_LIMITS.maxColumns }, () => '"x,y"').join(',');
    expect(() => checkCsvHeader(`${commas}\n`, 'q.csv')).not.toThrow();
    // blank and ",,," lines before the header are skipped; the line number counts them
    const late = `\uFEFF\n,,\r\n${header(CSV_LIMITS.maxColumns + 1)}\n`;
    expect(thrown(() => checkCsvHeader(late, 'late.csv'))).toMatch(/^late\.csv: line 3: /);
    expect(thrown(() => checkCsvHeader(enc.encode(late), 'late.csv'))).toMatch(
      /^late\.csv: line 3: /,
    );
    // a multi-line quoted name moves the line count of the next record
    const multi = `"a\nb"\n\n${'w'.repeat(300)}\n`;
    expect(() => checkCsvHeader(multi, 'm.csv')).not.toThrow(); // header is "a\nb"
  });

  it('passes a prefix that ends inside the header without crossing a limit', () => {
    expect(() => checkCsvHeader(header(50), 'p.csv')).not.toThrow();
    expect(() => checkCsvHeader('a,"unfinished', 'p.csv')).not.toThrow();
  });
});

describe('readCsvFile and the CLI reject a wide header before the full parse', () => {
  it('readCsvFile: 10^6 columns (9.9 MB) fail at the header', async () => {
    const file = path.join(dir, 'wide.csv');
    // the same name repeated: the limit is met long before names could be compared
    await writeFile(file, `${'c,'.repeat(999_999)}c\n${'1,'.repeat(999_999)}1\n`);
    await expect(readCsvFile(file)).rejects.toThrow(
      `${file}: line 1: the header has more than 1000 columns (the limit is 1000 columns)`,
    );
    const r = await runCli(['fit', file, '--formula', 'c1 ~ 1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `bayesbench: ${file}: line 1: the header has more than 1000 columns (the limit is 1000 columns)\n`,
    );
  });

  it('readCsvFile: a header at the limit whose names use the full scan window still parses', async () => {
    // 1,000 names of 256 four-byte characters: 1 MB of header, inside CSV_HEADER_SCAN_BYTES
    const name = (j: number) => `${String(j).padStart(4, '0')}${'😀'.repeat(252)}`;
    const names = Array.from({ length: CSV_LIMITS.maxColumns }, (_, j) => name(j));
    const file = path.join(dir, 'big-names.csv');
    await writeFile(file, `${names.join(',')}\n${row(CSV_LIMITS.maxColumns)}\n`);
    const t = await readCsvFile(file);
    expect(t.names).toHaveLength(CSV_LIMITS.maxColumns);
  });
});
