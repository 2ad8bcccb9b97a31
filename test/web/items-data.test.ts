import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { itemScores } from '../../src/web/item-matrix.js';
import { pairedItems, parseItemsQuery } from '../../src/web/items.js';

/** The pair's items from a table, through the per-fit item scores (as the web app reads them). */
const paired = (table: Table, a: string, b: string, k: number, higherIsBetter: boolean) =>
  pairedItems(itemScores(table, higherIsBetter), a, b, k, higherIsBetter);

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
    expect(itemScores(table, true).zeroOne).toBe(true);
    const tasks = paired(table, 'a', 'b', 10, true);
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
    const t = paired(negated, 'a', 'b', 10, false).get('t');
    // raw scores are reported; q2 (a 0, b 1) is now the item a does best on
    expect(t?.top_a).toEqual([{ item: 'q2', a: 0, b: 1, diff: -1, n_a: 2, n_b: 2 }]);
    expect(t?.top_b).toEqual([{ item: 'q1', a: 1, b: 0.5, diff: 0.5, n_a: 2, n_b: 2 }]);
  });

  it('keeps k items a side, largest difference first, names in natural order', () => {
    const rows = ['heuristic,task,item,score'];
    for (const i of [10, 2, 1, 3]) rows.push(`a,t,d${i},1`, `b,t,d${i},0`);
    const tab = parseCsv(new TextEncoder().encode(`${rows.join('\n')}\n`), { source: 'k.csv' });
    const t = paired(tab, 'a', 'b', 3, true).get('t');
    expect(t?.items.a_better).toBe(4);
    expect(t?.top_a.map((r) => r.item)).toEqual(['d1', 'd2', 'd3']);
  });

  it('equals a direct count from the rows for every pair of a sparse table with other heuristics, seeds and gaps', () => {
    // 4 heuristics x 3 tasks x 12 items x 0-3 seeds (some cells missing, some scores empty),
    // scores 0, 0.5 or 1 from a fixed linear congruential sequence
    let x = 12345;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    const hs = ['h0', 'h1', 'h2', 'h3'];
    const rows = ['heuristic,task,item,seed,score'];
    for (let r = 0; r < 400; r++) {
      const h = hs[Math.floor(next() * 4)];
      const t = `t${Math.floor(next() * 3)}`;
      const i = `q${Math.floor(next() * 12)}`;
      const y = next() < 0.05 ? '' : String(Math.floor(next() * 3) / 2);
      rows.push(`${h},${t},${i},${r % 3},${y}`);
    }
    const csv = `${rows.join('\n')}\n`;
    const tab = parseCsv(new TextEncoder().encode(csv), { source: 'r.csv' });
    // the reference: group the CSV lines by (heuristic, task, item), in line order
    const sums = new Map<string, { sum: number; n: number }>();
    for (const line of rows.slice(1)) {
      const [h, t, i, , y] = line.split(',');
      if (y === '') continue;
      const key = `${h}|${t}|${i}`;
      const e = sums.get(key) ?? { sum: 0, n: 0 };
      e.sum += Number(y);
      e.n++;
      sums.set(key, e);
    }
    const scores = itemScores(tab, true);
    for (const a of hs) {
      for (const b of hs) {
        if (a === b) continue;
        const got = pairedItems(scores, a, b, 50, true);
        for (const t of ['t0', 't1', 't2']) {
          const want = { paired: 0, a_better: 0, b_better: 0, only_a: 0, only_b: 0 };
          const better: string[] = [];
          for (let q = 0; q < 12; q++) {
            const ea = sums.get(`${a}|${t}|q${q}`);
            const eb = sums.get(`${b}|${t}|q${q}`);
            if (ea && !eb) want.only_a++;
            if (eb && !ea) want.only_b++;
            if (!ea || !eb) continue;
            want.paired++;
            const d = ea.sum / ea.n - eb.sum / eb.n;
            if (d > 0) {
              want.a_better++;
              better.push(`q${q}`);
            }
            if (d < 0) want.b_better++;
          }
          const g = got.get(t);
          expect(g?.items, `${a} ${b} ${t}`).toMatchObject(want);
          expect(g?.top_a.map((r) => r.item).sort()).toEqual(better.sort());
          for (const r of g?.top_a ?? []) {
            const ea = sums.get(`${a}|${t}|${r.item}`);
            expect([r.a, r.n_a]).toEqual([(ea?.sum ?? 0) / (ea?.n ?? 1), ea?.n]);
          }
        }
      }
    }
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
