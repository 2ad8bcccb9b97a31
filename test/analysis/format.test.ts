import { describe, expect, it } from 'vitest';
import { formatComparison } from '../../src/analysis/format.js';
import type { Comparison } from '../../src/analysis/types.js';

/** A comparison of H heuristics in one category (numbers made up; only the layout is tested). */
function comparison(H: number): Comparison {
  const cells = Array.from({ length: H }, (_, i) => ({
    heuristic: `h${i}`,
    mean: 50 - i,
    q5: 48 - i,
    q95: 52 - i,
    p_best: i === 0 ? 0.9 : 0.1 / (H - 1),
    expected_rank: i + 1,
  }));
  return {
    heuristics: cells.map(({ heuristic, ...rest }) => ({ name: heuristic, ...rest })),
    pairs: [],
    categories: [
      {
        name: 'qa',
        tasks: ['t1', 't2'],
        heuristics: [...cells].reverse(),
        best: 'h0',
        p_best: 0.9,
        runner_up: 'h1',
      },
    ],
    tasks: [],
    diagnostics: { max_rhat: 1.001, min_ess_bulk: 900, min_ess_tail: 800, divergent: 0 },
    warnings: [],
    settings: { rope: 1, threshold: 0.95, higher_is_better: true },
  };
}

describe('terminal text with many heuristics', () => {
  it("shows a category's leaders in rank order and counts the rest", () => {
    const text = formatComparison(comparison(26), { categoryPairs: false });
    const block = text.slice(text.indexOf('Category qa'));
    const rows = block.split('\n').filter((l) => /^h\d+ /.test(l));
    expect(rows).toHaveLength(12);
    expect(rows[0].startsWith('h0 ')).toBe(true);
    expect(rows[11].startsWith('h11 ')).toBe(true);
    expect(block).toContain('... 14 more (all 26 in --json and --html)');
    // a short ranking is printed whole, without the count
    const short = formatComparison(comparison(5), { categoryPairs: false });
    expect(short).not.toContain('more (all');
    expect(
      short
        .slice(short.indexOf('Category qa'))
        .split('\n')
        .filter((l) => /^h\d+ /.test(l)),
    ).toHaveLength(5);
  });
});
