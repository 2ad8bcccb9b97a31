import { describe, expect, it } from 'vitest';
import {
  ropeSensitivityFromPair,
  ropeSensitivityPlot,
} from '../../src/report/rope-sensitivity-plot.js';
import { makeComparison, XSS } from './fixtures.js';
import { parseSvg, svgTexts, xmlProblem } from './helpers.js';

describe('ropeSensitivityPlot', () => {
  // d = -1, 0, 1, ..., 8: at w = 0.5, P(d > w) = 8/10, P(|d| <= w) = 1/10, P(d < -w) = 1/10
  const diff = Float64Array.from({ length: 10 }, (_, i) => i - 1);

  it('draws three curves, the ROPE line and the probabilities at the ROPE', () => {
    const svg = ropeSensitivityPlot(diff, { a: 'x', b: 'y', rope: 0.5, points: 9, maxWidth: 4 });
    expect(xmlProblem(svg)).toBeNull();
    const doc = parseSvg(svg);
    expect(doc.querySelectorAll('g[aria-label="line"] path').length).toBe(3);
    const titles = [...doc.querySelectorAll('circle title')].map((t) => t.textContent);
    expect(titles).toEqual([
      'P(x better) at ROPE ± 0.500: 0.80',
      'P(practically equal) at ROPE ± 0.500: 0.10',
      'P(y better) at ROPE ± 0.500: 0.10',
    ]);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['P(x better)', 'P(y better)']));
  });

  it('returns "" without finite draws and escapes names', () => {
    expect(ropeSensitivityPlot([Number.NaN])).toBe('');
    const svg = ropeSensitivityPlot(diff, { a: XSS });
    expect(svg).not.toContain('<script');
    expect(xmlProblem(svg)).toBeNull();
  });
});

describe('ropeSensitivityFromPair', () => {
  it('uses the normal approximation and says so', () => {
    const pair = makeComparison().pairs[0];
    const svg = ropeSensitivityFromPair(pair, { rope: 1 });
    expect(xmlProblem(svg)).toBeNull();
    expect(svgTexts(svg).join(' ')).toContain('normal approximation');
    expect(svgTexts(svg)).toContain('P(performer better)');
    expect(ropeSensitivityFromPair({ ...pair, diff_mean: undefined })).toBe('');
  });
});
