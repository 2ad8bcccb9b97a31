import { describe, expect, it } from 'vitest';
import { DataError, FormulaError } from '../../src/errors.js';
import { compileModel, defaultPriors } from '../../src/model/compile.js';
import { prepareTable } from '../../src/model/prepare.js';
import { makeTable } from './helpers.js';

const base = {
  g: ['a', 'a', 'b', 'b', 'c', 'c'],
  x: [1, 2, 3, 4, 5, 6],
  y: [0.2, 0.4, 0.5, 0.3, 0.9, 0.7],
};

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
}

describe('bad input: short messages naming the column, row or position', () => {
  it('unknown column lists the available ones', () => {
    const t = makeTable(base);
    const m = message(() => compileModel({ formula: 'y ~ z + (1|g)' }, t));
    expect(m).toContain("unknown column 'z'");
    expect(m).toContain('available: g, x, y');
    expect(m).toContain('^');
    expect(() => compileModel({ formula: 'y ~ z' }, t)).toThrow(FormulaError);
  });

  it('non-numeric response', () => {
    const t = makeTable({ ...base, y: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(message(() => compileModel({ formula: 'y ~ 1 + (1|g)' }, t))).toContain(
      "response column 'y' is not numeric",
    );
  });

  it('binomial y > n or y < 0', () => {
    const t = makeTable({ ...base, k: [1, 2, 3, 11, 0, 1], n: [10, 10, 10, 10, 10, 10] });
    expect(
      message(() => compileModel({ formula: 'k | trials(n) ~ x', family: 'binomial' }, t)),
    ).toMatch(/row 4: binomial response 'k' must be an integer in \[0, 10\]/);
    const t2 = makeTable({ ...base, k: [1, -2, 3, 1, 0, 1], n: [10, 10, 10, 10, 10, 10] });
    expect(() => compileModel({ formula: 'k | trials(n) ~ x', family: 'binomial' }, t2)).toThrow(
      /row 2/,
    );
  });

  it('beta y outside (0, 1)', () => {
    const t = makeTable({ ...base, y: [0.2, 1, 0.5, 0.3, 0.9, 0.7] });
    expect(message(() => compileModel({ formula: 'y ~ x', family: 'beta' }, t))).toContain(
      "row 2: beta response 'y' must be strictly between 0 and 1",
    );
  });

  it('se <= 0', () => {
    const t = makeTable({ ...base, s: [1, 1, 0, 1, 1, 1] });
    expect(() => compileModel({ formula: 'y | se(s) ~ 1 + (1|g)' }, t)).toThrow(
      /row 3: se 's' must be > 0/,
    );
  });

  it('a group with one level used for a slope', () => {
    const t = makeTable({ ...base, one: ['k', 'k', 'k', 'k', 'k', 'k'] });
    expect(message(() => compileModel({ formula: 'y ~ x + (1 + x | one)' }, t))).toContain(
      "group 'one' has only one level",
    );
  });

  it('missing values name the row; dropping them says how many', () => {
    const t = makeTable({ ...base, y: [0.2, Number.NaN, 0.5, 0.3, Number.NaN, 0.7] });
    const err = (() => {
      try {
        compileModel({ formula: 'y ~ x + (1|g)' }, t);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(
      "row 2: missing or non-numeric value in column 'y' (2 rows",
    );
    const p = prepareTable({ formula: 'y ~ x + (1|g)' }, t, true);
    expect(p.dropped).toBe(2);
    expect(p.table.nRows).toBe(4);
    expect(compileModel({ formula: 'y ~ x + (1|g)' }, p.table).dim).toBeGreaterThan(0);
  });

  it('a prior that matches no parameter', () => {
    const t = makeTable(base);
    expect(
      message(() => compileModel({ formula: 'y ~ x', priors: ['sd_g ~ normal(0, 1)'] }, t)),
    ).toContain('matches no parameter');
  });
});

describe('defaultPriors (brms rules)', () => {
  it('scales Intercept, sd and sigma from the data, flat b', () => {
    // median(y) = 55, mad(y) = 1.4826 * 10 = 14.826 -> 14.8 (rounded to one decimal).
    const y = [35, 45, 50, 55, 60, 65, 75];
    const t = makeTable({ y, x: [1, 2, 3, 4, 5, 6, 7], g: ['a', 'b', 'a', 'b', 'a', 'b', 'a'] });
    const rows = defaultPriors({ formula: 'y ~ x + (1 + x | g)' }, t);
    const by = (cls: string, coef = '') => rows.find((r) => r.class === cls && r.coef === coef)!;
    expect(by('Intercept').prior).toBe('student_t(3, 55, 14.8)');
    expect(by('b', 'x').prior).toBe('flat');
    expect(by('sd', 'Intercept')).toMatchObject({
      prior: 'student_t(3, 0, 14.8)',
      group: 'g',
      lb: 0,
    });
    expect(by('sigma').prior).toBe('student_t(3, 0, 14.8)');
    expect(by('cor').prior).toBe('lkj(1)');
  });

  it('uses the 2.5 floor for 0-1 scores and logit families; nu and phi defaults', () => {
    const t = makeTable(base);
    const g = defaultPriors({ formula: 'y ~ 1 + (1|g)' }, t);
    expect(g.find((r) => r.class === 'Intercept')!.prior).toBe('student_t(3, 0.5, 2.5)');
    const s = defaultPriors({ formula: 'y ~ 1 + (1|g)', family: 'student' }, t);
    expect(s.find((r) => r.class === 'nu')).toMatchObject({ prior: 'gamma(2, 0.1)', lb: 1 });
    const b = defaultPriors({ formula: 'y ~ 1 + (1|g)', family: 'beta' }, t);
    expect(b.find((r) => r.class === 'Intercept')!.prior).toBe('student_t(3, 0, 2.5)');
    expect(b.find((r) => r.class === 'phi')!.prior).toBe('gamma(0.01, 0.01)');
  });

  it('marks user priors and keeps the most specific', () => {
    const t = makeTable(base);
    const rows = defaultPriors(
      { formula: 'y ~ x + (1|g)', priors: ['sd ~ normal(0, 1)', 'sd_g__Intercept ~ cauchy(0, 2)'] },
      t,
    );
    expect(rows.find((r) => r.class === 'sd')).toMatchObject({
      prior: 'cauchy(0, 2)',
      source: 'user',
    });
  });
});
