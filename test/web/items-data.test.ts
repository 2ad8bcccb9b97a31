import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { pairedItems, parseItemsQuery } from '../../src/web/items.js';

/** Two heuristics, two seeds each, on task t (items q1-q4) and u (q1 scored by a only). */
const CSV = [
  'heuristic,task,item,seed,score',
  // q1: a right on both seeds, b on one -> a 1, b 0.5
  'a,t,q1,1,1',
  'a,t,q1,2,1',
  'b,t,q1,1,0',
  'b,t,q1,2,1',
  // q2: b right on both, a on none -> a 0, b 1
  'a,t,q2,1,0',
  'a,t,q2,2,0',
  'b,t,q2,1,1',
  'b,t,q2,2,1',
  // q3: both always right; q4: both always wrong
  'a,t,q3,1,1',
  'a,t,q3,2,1',
  'b,t,q3,1,1',
  'b,t,q3,2,1',
  'a,t,q4,1,0',
  'a,t,q4,2,0',
  'b,t,q4,1,0',
  'b,t,q4,2,0',
  // q10: a right on one seed, b on one seed: a tie of 0.5 and 0.5
  'a,t,q10,1,1',
  'a,t,q10,2,0',
  'b,t,q10,1,0',
  'b,t,q10,2,1',
  'a,u,q1,1,1',
  '',
].join('\n');

describe('pairedItems (item-level counts of two heuristics, from the rows)', () => {
  const table = parseCsv(new TextEncoder().encode(CSV), { source: 'x.csv' });

  it('averages each item over seeds and counts the discordant, tied and unpaired items', () => {
    const { zeroOne, tasks } = pairedItems(table, 'a', 'b', 10, true);
    expect(zeroOne).toBe(true);
    const t = tasks.get('t');
    expect(t?.items).toEqual({
      paired: 5,
      a_better: 1,
      b_better: 1,
      tied: 3,
      both_right: 1,
      both_wrong: 1,
      only_a: 0,
      only_b: 0,
      a_mean: (1 + 0 + 1 + 0 + 0.5) / 5,
      b_mean: (0.5 + 1 + 1 + 0 + 0.5) / 5,
      diff_mean: (1 + 0 + 1 + 0 + 0.5 - (0.5 + 1 + 1 + 0 + 0.5)) / 5,
    });
    expect(t?.top_a).toEqual([{ item: 'q1', a: 1, b: 0.5, diff: 0.5, n_a: 2, n_b: 2 }]);
    expect(t?.top_b).toEqual([{ item: 'q2', a: 0, b: 1, diff: -1, n_a: 2, n_b: 2 }]);
    expect(tasks.get('u')?.items).toMatchObject({ paired: 0, only_a: 1, only_b: 0 });
    expect(Number.isNaN(tasks.get('u')?.items.diff_mean)).toBe(true);
  });

  it('for lower-is-better scores (negated in the prepared table) "A better" is the lower score', () => {
    const y = table.columns.score;
    if (y.type !== 'numeric') throw new Error('score');
    const negated = {
      ...table,
      columns: {
        ...table.columns,
        score: { type: 'numeric' as const, values: y.values.map((v) => -v) },
      },
    };
    const t = pairedItems(negated, 'a', 'b', 10, false).tasks.get('t');
    // raw scores are reported; q2 (a 0, b 1) is now the item a does best on
    expect(t?.top_a).toEqual([{ item: 'q2', a: 0, b: 1, diff: -1, n_a: 2, n_b: 2 }]);
    expect(t?.top_b).toEqual([{ item: 'q1', a: 1, b: 0.5, diff: 0.5, n_a: 2, n_b: 2 }]);
  });

  it('keeps k items a side, largest difference first, names in natural order', () => {
    const rows = ['heuristic,task,item,score'];
    for (const i of [10, 2, 1, 3]) rows.push(`a,t,d${i},1`, `b,t,d${i},0`);
    const tab = parseCsv(new TextEncoder().encode(`${rows.join('\n')}\n`), { source: 'k.csv' });
    const t = pairedItems(tab, 'a', 'b', 3, true).tasks.get('t');
    expect(t?.items.a_better).toBe(4);
    expect(t?.top_a.map((r) => r.item)).toEqual(['d1', 'd2', 'd3']);
  });

  it('parses the query: k 1-50, one name per parameter', () => {
    expect(parseItemsQuery({})).toEqual({ k: 10 });
    expect(parseItemsQuery({ a: 'x', b: '', k: '50' })).toEqual({ a: 'x', k: 50 });
    expect(() => parseItemsQuery({ k: '1.5' })).toThrow(
      'k: "1.5" is not a whole number from 1 to 50',
    );
    expect(() => parseItemsQuery({ a: ['x', 'y'] })).toThrow('a: give one heuristic name');
  });
});
