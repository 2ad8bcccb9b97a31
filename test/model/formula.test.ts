import { describe, expect, it } from 'vitest';
import { FormulaError } from '../../src/errors.js';
import { parseFormula } from '../../src/model/formula.js';
import { parsePrior } from '../../src/model/priors.js';

describe('parseFormula', () => {
  it('parses the comparison model', () => {
    const f = parseFormula(
      'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)',
    );
    expect(f.response).toBe('score');
    expect(f.intercept).toBe(true);
    expect(f.population).toEqual([]);
    expect(f.groups.map((g) => g.factors.join(':'))).toEqual([
      'heuristic',
      'task',
      'heuristic:category',
      'heuristic:task',
    ]);
  });

  it('parses addition terms', () => {
    expect(parseFormula('y | se(s) ~ 1').se).toBe('s');
    expect(parseFormula('k | trials(n) ~ x').trials).toBe('n');
    const f = parseFormula('y | se(s) + weights(w) ~ x');
    expect([f.se, f.weights]).toEqual(['s', 'w']);
  });

  it('handles 0, -1 and 0 + Intercept', () => {
    expect(parseFormula('y ~ 0 + x').intercept).toBe(false);
    expect(parseFormula('y ~ x - 1').intercept).toBe(false);
    const f = parseFormula('y ~ 0 + Intercept + x');
    expect(f.intercept).toBe(false);
    expect(f.population.map((t) => t.columns.join(':'))).toEqual(['Intercept', 'x']);
  });

  it('expands a*b to a + b + a:b', () => {
    const f = parseFormula('y ~ a*b');
    expect(f.population.map((t) => t.columns.join(':'))).toEqual(['a', 'b', 'a:b']);
  });

  it('parses correlated, uncorrelated, interaction and nested group terms', () => {
    const f = parseFormula('y ~ x + (1 + x | g) + (x || h) + (1 | g1/g2)');
    expect(f.groups.map((g) => [g.factors.join(':'), g.correlated, g.intercept])).toEqual([
      ['g', true, true],
      ['h', false, true],
      ['g1', true, true],
      ['g1:g2', true, true],
    ]);
    expect(parseFormula('y ~ (0 + x | g)').groups[0].intercept).toBe(false);
  });

  it('reports syntax errors with the formula and a caret under the position', () => {
    const cases: [string, number][] = [
      ['y ~ 1 + (1|g', 12],
      ['y ~ 1 + + x', 8],
      ['y ~ x $ z', 6],
      ['y 1 + x', 2],
      ['y | foo(n) ~ x', 4],
    ];
    for (const [text, pos] of cases) {
      let err: unknown;
      try {
        parseFormula(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormulaError);
      const lines = (err as Error).message.split('\n');
      expect(lines[1]).toBe(`  ${text}`);
      expect(lines[2]).toBe(`  ${' '.repeat(pos)}^`);
    }
  });
});

describe('parsePrior', () => {
  it('parses classes, groups and coefficients', () => {
    expect(parsePrior('sd_task ~ student_t(3, 0, 2.5)')).toMatchObject({
      class: 'sd',
      group: 'task',
      coef: '',
      dist: { kind: 'student_t', df: 3, mu: 0, sigma: 2.5 },
    });
    expect(parsePrior('sd_heuristic:task__Intercept ~ normal(0, 1)')).toMatchObject({
      class: 'sd',
      group: 'heuristic:task',
      coef: 'Intercept',
    });
    expect(parsePrior('b_x ~ cauchy(0, 1)')).toMatchObject({ class: 'b', coef: 'x' });
    expect(parsePrior('cor_g ~ lkj(2)')).toMatchObject({
      class: 'cor',
      group: 'g',
      dist: { eta: 2 },
    });
    expect(parsePrior('nu ~ gamma(2, 0.1)').dist).toEqual({ kind: 'gamma', shape: 2, rate: 0.1 });
    expect(parsePrior('sigma ~ exponential(1)').dist.kind).toBe('exponential');
    expect(parsePrior('b ~ flat').dist.kind).toBe('flat');
  });

  it('rejects bad priors with a caret', () => {
    for (const bad of [
      'sd_task student_t(3, 0, 2.5)',
      'sdd ~ normal(0, 1)',
      'sd ~ normal(0)',
      'sd ~ wibble(1)',
      'cor ~ normal(0, 1)',
      'b ~ lkj(2)',
      'sigma ~ normal(0, -1)',
      'b ~ gamma(2, 1)',
    ]) {
      expect(() => parsePrior(bad), bad).toThrow(FormulaError);
      try {
        parsePrior(bad);
      } catch (e) {
        expect((e as Error).message).toContain('^');
      }
    }
  });
});
