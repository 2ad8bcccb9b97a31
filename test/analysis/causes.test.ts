import { describe, expect, it } from 'vitest';
import { likelyCauses } from '../../src/analysis/causes.js';

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
