import { describe, expect, it } from 'vitest';
import { boundedScore, fromLogit, proportionUpper, toLogit } from '../../src/analysis/bounded.js';
import { parseCsv } from '../../src/data/csv.js';
import { compare } from '../../src/pipeline/compare.js';

/** A RULER-like table: 4 methods x 8 tasks, accuracies at the ceiling for the good methods. */
function ceilingCsv(): string {
  const rows = ['method,task,accuracy'];
  const level = [100, 99.8, 99.6, 98.4, 97, 100, 93.2, 88];
  const drop = { full: 0, a: 0.3, b: 2.5, c: 9 };
  for (const [m, d] of Object.entries(drop)) {
    level.forEach((l, t) => {
      // a deterministic wobble so no two cells tie
      const y = Math.min(100, Math.max(0, l - d * (1 + 0.3 * Math.sin(3 * t + d))));
      rows.push(`${m},task${t + 1},${y.toFixed(1)}`);
    });
  }
  return `${rows.join('\n')}\n`;
}

describe('bounded metrics at the ceiling', () => {
  it('detects proportions that reach a bound, not those that stay away', () => {
    const t = (ys: number[]) =>
      parseCsv(`score\n${ys.join('\n')}\n`) as Parameters<typeof boundedScore>[0];
    expect(boundedScore(t([0.2, 0.97]), ['score'])?.upper).toBe(1);
    expect(boundedScore(t([40, 99.5]), ['accuracy'])?.upper).toBe(100);
    // in [0, 100] but the name does not say proportion: not bounded (could be any 0-100 score)
    expect(boundedScore(t([40, 99.5]), ['perplexity'])).toBeNull();
    // a proportion far from both bounds: the gaussian model stays inside them
    expect(boundedScore(t([30, 70]), ['accuracy'])).toBeNull();
    expect(boundedScore(t([-1, 99.5]), ['accuracy'])).toBeNull();
  });

  it('maps to the logit scale and back', () => {
    const b = { upper: 100, n: 10, reason: '' };
    expect(toLogit(100, b)).toBeCloseTo(Math.log(0.95 / 0.05), 12); // squeezed (9 + 0.5) / 10
    expect(fromLogit(0, b)).toBe(50);
    // the squeeze is undone: a score comes back as itself (to rounding), 100 as 100
    for (const y of [0, 3, 50, 97, 100]) expect(fromLogit(toLogit(y, b), b)).toBeCloseTo(y, 10);
    expect(fromLogit(50, b)).toBe(100); // past the squeezed 1: at the bound, not above
  });

  it('compare keeps every posterior mean and interval inside [0, 100]', async () => {
    const c = await compare(parseCsv(ceilingCsv(), { source: 'ruler.csv' }), {
      sampler: { seed: 3 },
    });
    expect(c.settings?.bounded).toMatchObject({ upper: 100, link: 'logit' });
    expect(c.diagnostics.max_rhat).toBeLessThanOrEqual(1.01); // the convergence bar of compare
    expect(c.diagnostics.divergent).toBe(0);
    const cells = [...c.heuristics, ...c.tasks.flatMap((t) => t.heuristics)];
    for (const h of cells) {
      expect(h.q95).toBeLessThanOrEqual(100);
      expect(h.q5).toBeGreaterThanOrEqual(0);
    }
    expect(c.heuristics[0].name).toBe('full');
    expect(c.heuristics.at(-1)?.name).toBe('c');
    // full's scores are the levels above exactly (drop 0): their average, 97.0, is inside its
    // 90% interval (with the squeeze of 100 not undone the whole interval sat below 96)
    const full = c.heuristics[0];
    expect(full.q5).toBeLessThan(97);
    expect(full.q95).toBeGreaterThan(97);
  });
});

describe('the proportion scale behind the default ROPE', () => {
  const t = (scores: number[]) =>
    parseCsv(
      `heuristic,task,score\n${scores.map((y, i) => `h${i % 2},t${i >> 1},${y}`).join('\n')}\n`,
    );
  it('needs a proportion name, or scores that are all 0 or 1', () => {
    expect(proportionUpper(t([45, 60, 72, 88]), ['accuracy_pct'])).toBe(100);
    expect(proportionUpper(t([0.45, 0.6, 0.72, 0.88]), ['exact_match'])).toBe(1);
    // a neutral name: [0, 1] or [0, 100] values are not taken for an accuracy
    expect(proportionUpper(t([45, 60, 72, 88]), ['score'])).toBe(0);
    expect(proportionUpper(t([0.45, 0.6, 0.72, 0.88]), ['score'])).toBe(0);
    // per-example correct / incorrect: its mean is an accuracy, whatever the column's name
    expect(proportionUpper(t([0, 1, 1, 0]), ['score'])).toBe(1);
    // a named proportion outside its range is not one
    expect(proportionUpper(t([45, 160, 72, 88]), ['accuracy'])).toBe(0);
  });
});
