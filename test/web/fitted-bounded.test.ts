import { describe, expect, it } from 'vitest';
import type { Bounded } from '../../src/analysis/bounded.js';
import { fittedBounded } from '../../src/web/rebuild.js';

const logitNormal: Bounded = { upper: 100, n: 264, reason: 'at the ceiling' };
const binomial: Bounded = {
  upper: 100,
  n: 264,
  reason: 'counts of 500 items',
  likelihood: 'binomial',
  items: { perTask: { niah: 500 }, source: 'RULER' },
};

describe('fittedBounded: a stored fit is rebuilt on the scale it was sampled on', () => {
  it('keeps the preparation when it agrees with the stored settings', () => {
    expect(fittedBounded(logitNormal, 264, { bounded: { upper: 100, reason: 'x' } })).toBe(
      logitNormal,
    );
    expect(fittedBounded(binomial, 264, { bounded: { upper: 100, likelihood: 'binomial' } })).toBe(
      binomial,
    );
  });

  it('a fit stored as logit-normal stays logit-normal when today the table would be binomial', () => {
    const b = fittedBounded(binomial, 264, {
      bounded: { upper: 100, likelihood: 'logit-normal', reason: 'at the ceiling' },
    });
    expect(b).toEqual({ upper: 100, n: 264, reason: 'at the ceiling' });
  });

  it('a fit stored as binomial stays binomial with its own items per task', () => {
    const stored = {
      bounded: {
        upper: 100,
        likelihood: 'binomial',
        reason: 'counts of 200 items',
        items_per_task: { niah: 200 },
        items_source: '--items-per-task',
      },
    };
    const want = {
      upper: 100,
      n: 264,
      reason: 'counts of 200 items',
      likelihood: 'binomial',
      items: { perTask: { niah: 200 }, source: '--items-per-task' },
    };
    // today's preparation: not binomial (no items given), or binomial with other items
    expect(fittedBounded(null, 264, stored)).toEqual(want);
    expect(fittedBounded(logitNormal, 264, stored)).toEqual(want);
    expect(fittedBounded(binomial, 264, stored)).toEqual(want);
    // the same items: the preparation as it is
    const same = { ...binomial, items: { perTask: { niah: 200 }, source: 'RULER' } };
    expect(fittedBounded(same, 264, stored)).toBe(same);
  });

  it('no bounded score when the fit stored none, or for the paired item model', () => {
    expect(fittedBounded(binomial, 264, {})).toBeNull();
    expect(
      fittedBounded(logitNormal, 264, { model: 'heuristic-task-item', bounded: { upper: 1 } }),
    ).toBeNull();
  });
});
