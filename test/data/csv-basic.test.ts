import { describe, expect, it } from 'vitest';
import { selectRows } from '../../src/data/access.js';
import { parseCsv } from '../../src/data/csv.js';
import { tableFromRecords } from '../../src/data/records.js';

describe('parseCsv (basic)', () => {
  it('types columns: numeric when every non-empty cell is a finite number, else a sorted factor', () => {
    const t = parseCsv('heuristic,task,score\nb,t1,0.5\na,t1,1e-1\nb,t2,\n', { source: 'x.csv' });
    expect(t.nRows).toBe(3);
    expect(t.names).toEqual(['heuristic', 'task', 'score']);
    expect(t.columns.heuristic).toEqual({
      type: 'factor',
      levels: ['a', 'b'],
      codes: Int32Array.from([1, 0, 1]),
    });
    const score = t.columns.score;
    expect(score.type).toBe('numeric');
    if (score.type === 'numeric') expect(Array.from(score.values)).toEqual([0.5, 0.1, Number.NaN]);
    expect(Array.from(t.lines!)).toEqual([2, 3, 4]);
    expect(t.source).toBe('x.csv');
  });

  it('tableFromRecords types like the CSV reader', () => {
    const t = tableFromRecords([
      { h: 'a', y: 1 },
      { h: 'b', y: '2' },
      { h: 'c', y: null },
    ]);
    expect(t.columns.y.type).toBe('numeric');
    expect(t.lines).toBeUndefined();
  });
});

describe('odd column names', () => {
  it('keeps a column called "__proto__" as an ordinary column, through selectRows too', () => {
    const t = parseCsv('__proto__,constructor\nx,1\ny,2\n');
    expect(Object.hasOwn(t.columns, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(t.columns, '__proto__')?.value.type).toBe('factor');
    const s = selectRows(t, Int32Array.from([1]));
    expect(Object.hasOwn(s.columns, '__proto__')).toBe(true);
    expect(s.columns.constructor).toEqual({ type: 'numeric', values: Float64Array.from([2]) });
    expect(Array.from(s.lines!)).toEqual([3]);
  });
});
