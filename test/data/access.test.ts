import { describe, expect, it } from 'vitest';
import {
  asFactor,
  cellText,
  dropUnusedLevels,
  rowLocation,
  selectRows,
} from '../../src/data/access.js';
import { parseCsv } from '../../src/data/csv.js';
import { tableFromRecords } from '../../src/data/records.js';
import { DataError } from '../../src/errors.js';

describe('row and cell helpers', () => {
  it('rowLocation names CSV lines (after quoted newlines) and record rows', () => {
    const t = parseCsv('h,y\n"a\nb",1\nc,2\n');
    expect(rowLocation(t, 1)).toBe('line 4');
    expect(rowLocation(tableFromRecords([{ h: 'a' }, { h: 'b' }]), 1)).toBe('row 2');
  });

  it('cellText gives the level, the number or "" for missing, and names an unknown column', () => {
    const t = parseCsv('h,y\na,1.5\n,2\nb,\n', { source: 'c.csv' });
    expect([
      cellText(t, 'h', 0),
      cellText(t, 'y', 0),
      cellText(t, 'h', 1),
      cellText(t, 'y', 2),
    ]).toEqual(['a', '1.5', '', '']);
    expect(() => cellText(t, 'z', 0)).toThrow(new DataError('c.csv: no column "z"'));
  });

  it('asFactor turns numbers into levels in numeric order', () => {
    const f = asFactor({ type: 'numeric', values: Float64Array.from([10, 2, Number.NaN, 2]) });
    expect(f).toEqual({
      type: 'factor',
      levels: ['2', '10'],
      codes: Int32Array.from([1, 0, -1, 0]),
    });
  });

  it('selectRows keeps order, lines and levels; dropUnusedLevels prunes', () => {
    const t = parseCsv('h,y\na,1\nb,2\nc,3\n');
    const s = selectRows(t, Int32Array.from([2, 0]));
    expect(Array.from(s.lines!)).toEqual([4, 2]);
    const h = s.columns.h;
    if (h.type !== 'factor') throw new Error('h not a factor');
    expect(h.levels).toEqual(['a', 'b', 'c']);
    expect(dropUnusedLevels(h)).toEqual({
      type: 'factor',
      levels: ['a', 'c'],
      codes: Int32Array.from([1, 0]),
    });
  });
});
