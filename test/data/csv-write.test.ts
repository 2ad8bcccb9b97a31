import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { csvText, tableToCsv } from '../../src/data/csv-write.js';
import { tableFromRecords } from '../../src/data/records.js';

describe('tableToCsv', () => {
  it('quotes what parseCsv would otherwise split or trim', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText(' padded ')).toBe('" padded "');
    expect(csvText('two\nlines')).toBe('"two\nlines"');
  });

  it('reads back to the same columns: text with commas, quotes, line breaks, spaces; numbers; missing', () => {
    const t = tableFromRecords([
      { heuristic: 'a, b', task: 'say "x"', item: 'line\nbreak', score: 0.1 + 0.2, note: ' lead' },
      { heuristic: 'é ü', task: 't', item: 'x', score: -1e-300, note: null },
      { heuristic: 'c', task: 't', item: 'y', score: Number.NaN, note: 'z' },
    ]);
    const back = parseCsv(tableToCsv(t));
    expect(back.names).toEqual(t.names);
    expect(back.columns).toEqual(t.columns);
  });
});
