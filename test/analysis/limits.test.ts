import { describe, expect, it } from 'vitest';
import { manyHeuristicsCsv } from '../../bench/compare-size.bench.js';
import {
  COMPARISON_LIMITS,
  checkComparisonSize,
  comparisonSize,
  pairPlan,
} from '../../src/analysis/limits.js';
import { fromColumns } from '../../src/analysis/matrix.js';
import { pairwiseComparisons } from '../../src/analysis/pairwise.js';
import { prepareComparison } from '../../src/analysis/prepare.js';
import { parseCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';
import { runComparison } from '../../src/pipeline/compare.js';

describe('comparison size limits', () => {
  it('keeps every pair up to 50 heuristics and while tasks x pairs stays under the bound', () => {
    expect(pairPlan(50, 3)).toEqual({ overall: 'all', task: 'all', notes: [] });
    const wide = pairPlan(51, 3);
    expect(wide.overall).toBe('best');
    expect(wide.task).toBe('best');
    expect(wide.notes[0]).toMatch(
      /51 heuristics \(over 50\).*against the best.*50 pairs per scope/,
    );
    // 20 heuristics x 500 tasks: 95,000 per-task pairs, over the bound; overall pairs all kept
    const tall = pairPlan(20, 500);
    expect(tall).toMatchObject({ overall: 'all', task: 'best' });
    expect(tall.notes[0]).toMatch(/500 tasks x 190 pairs is over 20000/);
  });

  it('pairs against a reference heuristic only: H - 1 pairs, each with it, same values', () => {
    const m = fromColumns(
      ['a', 'b', 'c', 'd'],
      [
        [1, 2, 3],
        [3, 1, 2],
        [2, 2, 2],
        [0, 5, 1],
      ],
    );
    const all = pairwiseComparisons(m, { rope: 0.5, scope: 'overall' });
    const withC = pairwiseComparisons(m, { rope: 0.5, scope: 'overall', reference: 2 });
    expect(all).toHaveLength(6);
    expect(withC.map((p) => `${p.a}-${p.b}`)).toEqual(['a-c', 'b-c', 'c-d']);
    for (const p of withC) expect(all).toContainEqual(p);
  });

  it('refuses more heuristics or cells than the limits before any model is built', () => {
    expect(() => checkComparisonSize({ heuristics: 501, tasks: 1, cells: 501 }, 'big.csv')).toThrow(
      /^big\.csv: 501 heuristics is over the limit of 500/,
    );
    expect(() =>
      checkComparisonSize({ heuristics: 100, tasks: 201, cells: 20_100 }, 'tall.csv'),
    ).toThrow(/20100 heuristic x task cells .* over the limit of 20000/);
    expect(comparisonSize(Int32Array.of(0, 1, 1, -1), Int32Array.of(0, 0, 0, 1))).toEqual({
      heuristics: 2,
      tasks: 1,
      cells: 2,
    });
  });

  it('refuses the 96 KB 2,000 x 3 table with one DataError line (no sampling)', () => {
    const text = manyHeuristicsCsv(2000, 3);
    // the table of the report: under 100 KB, 6,000 rows, inside every upload limit
    expect(text.length).toBeLessThan(100_000);
    const table = parseCsv(text, { source: 'h2000.csv' });
    expect(table.nRows).toBe(6000);
    let err: unknown;
    try {
      prepareComparison(table);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(
      `h2000.csv: 2000 heuristics is over the limit of ${COMPARISON_LIMITS.heuristics} for one comparison: compare a subset of them`,
    );
  });

  it('builds a bounded document for 200 heuristics: pairs against each scope best, a note', async () => {
    const H = 200;
    const T = 3;
    const table = parseCsv(manyHeuristicsCsv(H, T), { source: 'h200.csv' });
    // short chains: this test is about the document's shape and size, not the posterior
    const run = await runComparison(table, {
      sampler: { chains: 2, warmup: 150, draws: 150, seed: 1 },
    });
    const c = run.comparison;
    expect(c.heuristics).toHaveLength(H);
    expect(c.tasks.every((t) => t.heuristics.length === H)).toBe(true);
    // H - 1 pairs overall and on each task (no categories) instead of H(H - 1)/2 = 19,900 each
    expect(c.pairs).toHaveLength((H - 1) * (1 + T));
    const best = c.recommendation?.best as string;
    for (const p of c.pairs.filter((q) => q.scope === 'overall')) {
      expect(p.a === best || p.b === best).toBe(true);
    }
    for (const t of c.tasks) {
      const pairs = c.pairs.filter((q) => q.scope === `task:${t.name}`);
      // the task best as bestIndex picks it: highest P(best), then lowest expected rank
      const top = [...t.heuristics].sort(
        (a, b) => b.p_best - a.p_best || a.expected_rank - b.expected_rank,
      )[0].heuristic;
      expect(pairs).toHaveLength(H - 1);
      for (const p of pairs) expect(p.a === top || p.b === top).toBe(true);
    }
    expect(c.notes?.some((n) => /200 heuristics \(over 50\).*against the best/.test(n))).toBe(true);
    // every pair at 4 scopes was 79,600 pairs (~19 MB); the bounded document measured 0.42 MB
    // (BENCHMARKS.md, "Comparison size"); 1 MB leaves room for longer names and more draws' digits
    // while still failing if any O(H^2) part (pairs) came back
    expect(JSON.stringify(c).length).toBeLessThan(1_000_000);
  }, 300_000);
});
