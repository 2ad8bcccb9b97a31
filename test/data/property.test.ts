import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import type { Column, Table } from '../../src/data/table.js';

/** Characters that stress CSV: delimiters, quotes, line breaks, spaces, non-ASCII, astral plane. */
const CHARS = [
  'a',
  'b',
  'Z',
  '1',
  '.',
  '-',
  'e',
  ',',
  '"',
  '\n',
  '\r',
  ' ',
  'é',
  'ß',
  '检',
  '😀',
  ';',
  '\t',
];
const text = fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 8 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });

type Cell = string | number | null;
interface Spec {
  names: string[];
  kinds: ('numeric' | 'text')[];
  rows: Cell[][];
  eol: '\n' | '\r\n';
  bom: boolean;
  trailingBlank: number;
  quoteAll: boolean;
}

const spec: fc.Arbitrary<Spec> = fc
  .record({
    names: fc.uniqueArray(text, { minLength: 1, maxLength: 5 }),
    eol: fc.constantFrom('\n' as const, '\r\n' as const),
    bom: fc.boolean(),
    trailingBlank: fc.integer({ min: 0, max: 2 }),
    quoteAll: fc.boolean(),
  })
  .chain((base) =>
    fc
      .tuple(
        fc.array(fc.constantFrom('numeric' as const, 'text' as const), {
          minLength: base.names.length,
          maxLength: base.names.length,
        }),
        fc.integer({ min: 1, max: 12 }),
      )
      .chain(([kinds, nRows]) =>
        fc
          .tuple(
            ...kinds.map((k) => {
              const value: fc.Arbitrary<Cell> = k === 'numeric' ? finite : text;
              return fc.array(fc.option(value, { nil: null, freq: 5 }), {
                minLength: nRows,
                maxLength: nRows,
              });
            }),
          )
          .map((cols) => {
            const rows: Cell[][] = [];
            for (let i = 0; i < nRows; i++) {
              const row: Cell[] = (cols as Cell[][]).map((c) => c[i]);
              // An all-empty row is skipped by design (spreadsheet ",,,"): give each row one value.
              if (!row.some((v) => v !== null)) row[0] = kinds[0] === 'numeric' ? i : `r${i}`;
              rows.push(row);
            }
            return { ...base, kinds, rows };
          }),
      ),
  );

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
function field(v: Cell, quoteAll: boolean): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof v === 'string' && (quoteAll || NEEDS_QUOTES.test(s)))
    return `"${s.replaceAll('"', '""')}"`;
  return s;
}

function writeCsv(s: Spec): string {
  const lines = [s.names.map((n) => field(n, true)).join(',')];
  for (const row of s.rows) lines.push(row.map((v) => field(v, s.quoteAll)).join(','));
  return (s.bom ? '\ufeff' : '') + lines.join(s.eol) + s.eol + s.eol.repeat(s.trailingBlank);
}

/** The Table the spec should give, computed without the library (restating the typing rule). */
const IS_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
function expected(s: Spec): Table {
  const columns: Record<string, Column> = {};
  s.names.forEach((name, j) => {
    const cells = s.rows.map((r) =>
      r[j] === null ? '' : typeof r[j] === 'number' ? String(r[j]) : (r[j] as string),
    );
    const numeric = cells.every(
      (c) => c === '' || (IS_NUMBER.test(c) && Number.isFinite(Number(c))),
    );
    if (numeric) {
      columns[name] = {
        type: 'numeric',
        values: Float64Array.from(cells, (c) => (c === '' ? Number.NaN : Number(c))),
      };
    } else {
      const levels = [...new Set(cells.filter((c) => c !== ''))].sort();
      columns[name] = {
        type: 'factor',
        levels,
        codes: Int32Array.from(cells, (c) => (c === '' ? -1 : levels.indexOf(c))),
      };
    }
  });
  // Line of each row: 1 + the line breaks before it (the header's and earlier rows' quoted ones).
  const breaks = (row: readonly Cell[]) =>
    row.reduce<number>(
      (n, v) => n + (typeof v === 'string' ? (v.match(/\r\n|\r|\n/g)?.length ?? 0) : 0),
      0,
    );
  const lines = new Int32Array(s.rows.length);
  let line = 1 + breaks(s.names) + 1;
  s.rows.forEach((r, i) => {
    lines[i] = line;
    line += breaks(r) + 1;
  });
  return { nRows: s.rows.length, names: s.names, columns, source: 'p.csv', lines };
}

describe('CSV round trip (fast-check)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bb-prop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('parses random tables (quotes, commas, line breaks, unicode, BOM, CRLF) back identically', () => {
    fc.assert(
      fc.property(spec, (s) => {
        expect(parseCsv(writeCsv(s), { source: 'p.csv' })).toEqual(expected(s));
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });

  it('quote-free tables parse the same in slices of any size as in one piece', () => {
    const plain = fc.string({
      unit: fc.constantFrom('a', 'b', '1', '.', 'e', '-', ' ', 'é', '😀', ';'),
      minLength: 1,
      maxLength: 6,
    });
    const row = fc.array(fc.option(plain, { nil: null, freq: 4 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 30 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.integer({ min: 1, max: 40 }),
        (rows, eol, sliceBytes) => {
          const csv = `x,y,z${eol}${rows.map((r) => r.map((v) => v ?? '').join(',')).join(eol)}${eol}`;
          let whole: unknown;
          try {
            whole = parseCsv(csv, { source: 'q', sliceBytes: 1 << 30 });
          } catch (err) {
            // All rows blank ("header only"): the sliced parse must fail the same way.
            expect(() => parseCsv(csv, { source: 'q', sliceBytes })).toThrow(
              (err as Error).message,
            );
            return;
          }
          expect(parseCsv(csv, { source: 'q', sliceBytes })).toEqual(whole);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('streaming (readCsvFile) and in-memory (parseCsv, text and bytes) give identical Tables', async () => {
    let k = 0;
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const csv = writeCsv(s);
        const file = path.join(dir, `p${k++}.csv`);
        await writeFile(file, csv);
        const mem = parseCsv(csv, { source: 'p.csv' });
        expect(await readCsvFile(file, { source: 'p.csv' })).toEqual(mem);
        expect(parseCsv(new TextEncoder().encode(csv), { source: 'p.csv' })).toEqual(mem);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
