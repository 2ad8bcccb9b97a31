import { describe, expect, it } from 'vitest';
import { createTableBuilder } from '../../src/data/builder.js';
import type { Table } from '../../src/data/table.js';

/** Feed the same rows to a builder with chunks of `chunkRows` (second pass included, as the CSV readers do). */
function build(rows: string[][], chunkRows?: number): Table {
  let forced = new Set<number>();
  for (let pass = 0; pass < 2; pass++) {
    const b = createTableBuilder(forced, chunkRows === undefined ? {} : { chunkRows });
    b.setHeader(rows[0], 1);
    rows.slice(1).forEach((r, i) => {
      b.addText(r, 2 * i + 3); // lines that are not row + 1, so that `lines` is checked
    });
    if (b.needsSecondPass.length === 0) return b.finish({ source: 'x.csv', withLines: true });
    forced = new Set(b.needsSecondPass);
  }
  throw new Error('unreachable');
}

describe('table builder: chunked column storage', () => {
  it('gives the same table whatever the chunk size (chunk edges, empty-then-text, mixed columns)', () => {
    const rows: string[][] = [['h', 'y', 'late', 'mixed', 'blank']];
    for (let i = 0; i < 37; i++) {
      rows.push([
        `h${i % 5}`,
        i % 9 === 4 ? '' : String(i / 4),
        // empty until row 21, then text: becomes a factor without a second pass
        i < 21 ? '' : `v${i % 3}`,
        // numbers, then a text cell at row 30: read again as text in a second pass
        i === 30 ? 'n/a' : String(i % 4),
        '',
      ]);
    }
    const ref = build(rows);
    expect(ref.columns.late.type).toBe('factor');
    expect(ref.columns.mixed.type).toBe('factor');
    expect(ref.columns.y.type).toBe('numeric');
    for (const chunkRows of [1, 2, 4, 8, 16, 32, 64]) expect(build(rows, chunkRows)).toEqual(ref);
    expect(Array.from(ref.lines as Int32Array).slice(0, 3)).toEqual([3, 5, 7]);
    expect(ref.nRows).toBe(37);
  });

  it('numbers and values added as values (records) across chunks', () => {
    const make = (chunkRows?: number) => {
      const b = createTableBuilder(new Set(), chunkRows === undefined ? {} : { chunkRows });
      b.setHeader(['a', 'b'], 1);
      for (let i = 0; i < 10; i++) b.addValues([i, i % 3 === 0 ? null : `t${i % 2}`], i + 2);
      return b.finish({ withLines: false });
    };
    expect(make(2)).toEqual(make());
    expect(Array.from((make(2).columns.a as { values: Float64Array }).values)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it('rejects a chunk size that is not a power of two', () => {
    expect(() => createTableBuilder(new Set(), { chunkRows: 3 })).toThrow(/power of two/);
  });
});
