import { describe, expect, it } from 'vitest';
import { likelyCauses, sparseOnBackbones, tasksAtBound } from '../../src/analysis/causes.js';
import { parseCsv } from '../../src/data/csv.js';

const group = (name: string, n: number) => ({
  group: name,
  factors: [name],
  levels: Array.from({ length: n }, (_, i) => [`l${i}`]),
  coefs: ['Intercept'],
});
const bad = { max_rhat: 1.03, min_ess_bulk: 150, min_ess_tail: 120, divergent: 12 };
const good = { max_rhat: 1.004, min_ess_bulk: 900, min_ess_tail: 800, divergent: 0 };

describe('likely causes of a poor fit', () => {
  it('names a group with fewer than 5 levels and what to do, only when the fit is poor', () => {
    const groups = [group('task', 16), group('study', 3)];
    const causes = likelyCauses(groups, bad);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatch(
      /^group "study" has only 3 levels: .*sd_study__Intercept ~ normal\(0, 1\)/,
    );
    expect(likelyCauses(groups, good)).toEqual([]);
    // R-hat alone (no divergence) is enough
    expect(likelyCauses(groups, { ...good, max_rhat: 1.02 })).toHaveLength(1);
  });
});

describe('a heuristic missing on most backbones', () => {
  it('is named as a likely cause of a poor fit', () => {
    // d ran on 1 of 4 backbones; a on all of them
    const rows = ['heuristic,task,backbone,score'];
    for (const m of ['m1', 'm2', 'm3', 'm4']) rows.push(`a,t1,${m},1`, `a,t2,${m},2`);
    rows.push('d,t1,m1,1', 'd,t2,m1,2');
    const t = parseCsv(`${rows.join('\n')}\n`);
    expect(sparseOnBackbones(t)).toEqual([{ heuristic: 'd', on: 1, of: 4 }]);
    const causes = likelyCauses([], bad, 1.01, t);
    expect(causes[0]).toMatch(/^heuristic "d" ran on 1 of 4 backbones/);
    expect(likelyCauses([], good, 1.01, t)).toEqual([]);
  });
});

describe('a bounded metric at its ceiling', () => {
  it('names the tasks whose scores sit at the bound, only for a raw-score model of a poor fit', () => {
    // t1: 3 of 4 scores >= 95 (ceiling); t2: 1 of 4 (< half); t3: all <= 5 (floor)
    const rows = ['heuristic,task,score'];
    const scores = { t1: [99, 100, 96, 80], t2: [97, 60, 70, 75], t3: [1, 0, 2, 4] };
    for (const [task, ys] of Object.entries(scores)) {
      for (const [i, y] of ys.entries()) rows.push(`h${i},${task},${y}`);
    }
    const t = parseCsv(`${rows.join('\n')}\n`);
    expect(tasksAtBound(t, 100).map((x) => x.task)).toEqual(['t1', 't3']);
    expect(tasksAtBound(t, 100)[0].share).toBe(0.75);
    const causes = likelyCauses([], bad, 1.01, t, 100);
    expect(causes[0]).toMatch(
      /^scores sit at a bound of \[0, 100\] on tasks t1, t3 .*--trials.*--filter task!=t1,t3/,
    );
    // not without a proportion scale, nor for a fit that converged
    expect(likelyCauses([], bad, 1.01, t, 0)).toEqual([]);
    expect(likelyCauses([], good, 1.01, t, 100)).toEqual([]);
  });
});
