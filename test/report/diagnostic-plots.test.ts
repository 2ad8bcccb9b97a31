import { describe, expect, it } from 'vitest';
import { createDraws, drawIndex } from '../../src/draws/draws.js';
import { NotFoundError } from '../../src/errors.js';
import {
  autocorrelationPlot,
  densityPlot,
  rankPlot,
  tracePlot,
} from '../../src/report/diagnostic-plots.js';
import { autocorrelation, kernelDensity, rankHistogram } from '../../src/report/draws-data.js';
import {
  topLevelRankPlots,
  topLevelVariables,
  variableExplorer,
} from '../../src/report/variable-explorer.js';
import { makeDraws, XSS } from './fixtures.js';
import { parseSvg, svgTexts, xmlProblem } from './helpers.js';

const names = ['b_Intercept', 'sd_task__Intercept', 'sigma', 'r_task[ListOps,Intercept]'];
const draws = makeDraws(names, { nDraws: 200, nChains: 4 });

describe('rankHistogram', () => {
  it('counts every draw once and splits ranks into equal bins', () => {
    const { counts, expected } = rankHistogram(draws, 0, 20);
    expect(counts).toHaveLength(4);
    const total = counts.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(800);
    expect(expected).toBe(10);
    // pooled over chains every bin holds exactly 800 / 20 draws (ranks are a permutation)
    for (let b = 0; b < 20; b++) expect(counts.reduce((s, row) => s + row[b], 0)).toBe(40);
  });

  it('puts a shifted chain in the top bins', () => {
    const stuck = makeDraws(['x'], { nDraws: 100, nChains: 2, shift: 100 });
    const { counts } = rankHistogram(stuck, 0, 2);
    expect([...counts[0]]).toEqual([100, 0]);
    expect([...counts[1]]).toEqual([0, 100]);
  });

  it('gives tied draws their average rank', () => {
    const d = createDraws(2, 2, ['x']);
    d.values.set([1, 1, 1, 1]);
    // all four tie at average 0-based rank 1.5 -> bin floor(1.5 * 2 / 4) = 0
    const { counts } = rankHistogram(d, 0, 2);
    expect([...counts[0]]).toEqual([2, 0]);
  });
});

describe('kernelDensity', () => {
  it('integrates to about one per chain', () => {
    const { grid, density } = kernelDensity(draws, 0, 256);
    const step = grid[1] - grid[0];
    for (const row of density) {
      const area = row.reduce((s, x) => s + x, 0) * step;
      // 1e-2: the grid reaches 3 bandwidths past the extremes, so < 0.2% of kernel mass is cut,
      // plus the Riemann-sum error of a 256-point grid
      expect(Math.abs(area - 1)).toBeLessThan(1e-2);
    }
  });
  it('handles a constant variable without NaN', () => {
    const d = createDraws(10, 2, ['c']);
    d.values.fill(3);
    const { density } = kernelDensity(d, 0, 64);
    expect(density.every((row) => row.every((x) => Number.isFinite(x)))).toBe(true);
  });
});

describe('autocorrelation', () => {
  it('is 1 at lag 0 and matches the AR(1) coefficient 0.5 at lag 1', () => {
    const long = makeDraws(['x'], { nDraws: 4000, nChains: 1 });
    const acf = autocorrelation(long, 0, 5)[0];
    expect(acf[0]).toBe(1);
    // AR(1) with phi = 0.5: rho_1 = 0.5; sampling sd of r_1 ~ sqrt((1 - phi^2) / n) = 0.014,
    // so 0.06 is over 4 sd
    expect(Math.abs(acf[1] - 0.5)).toBeLessThan(0.06);
  });
  it('is NaN for a constant chain', () => {
    const d = createDraws(10, 1, ['c']);
    expect(Number.isNaN(autocorrelation(d, 0, 3)[0][1])).toBe(true);
  });
});

describe('diagnostic plots', () => {
  it('rank plot: bins x chains bars, a reference line per chain panel', () => {
    const svg = rankPlot(draws, 1, { bins: 10 });
    expect(xmlProblem(svg)).toBeNull();
    const doc = parseSvg(svg);
    expect(doc.querySelectorAll('g[aria-label="rect"] rect').length).toBe(40);
    expect(doc.querySelectorAll('g[aria-label="rule"] line').length).toBe(4);
    const texts = svgTexts(svg);
    for (let c = 1; c <= 4; c++) expect(texts).toContain(`chain ${c}`);
    expect(texts.join(' ')).toContain('sd_task__Intercept');
  });

  it('trace plot: one line per chain, thinned', () => {
    const svg = tracePlot(draws, 0, { maxPoints: 50 });
    expect(xmlProblem(svg)).toBeNull();
    const doc = parseSvg(svg);
    expect(doc.querySelectorAll('g[aria-label="line"] path').length).toBe(4);
    expect(svgTexts(svg).join(' ')).toContain('1 in 4 shown');
  });

  it('density plot: one curve per chain', () => {
    const svg = densityPlot(draws, 2);
    expect(xmlProblem(svg)).toBeNull();
    expect(parseSvg(svg).querySelectorAll('g[aria-label="line"] path').length).toBe(4);
  });

  it('autocorrelation plot: lines and a dot per chain and lag', () => {
    const svg = autocorrelationPlot(draws, 0, { maxLag: 10 });
    expect(xmlProblem(svg)).toBeNull();
    const doc = parseSvg(svg);
    expect(doc.querySelectorAll('g[aria-label="line"] path').length).toBe(4);
    expect(doc.querySelectorAll('circle').length).toBe(44);
  });

  it('throws NotFoundError for a variable index outside the draws', () => {
    expect(() => rankPlot(draws, 4)).toThrow(NotFoundError);
    expect(() => tracePlot(draws, -1)).toThrow(NotFoundError);
    expect(() => variableExplorer(draws, 1.5)).toThrow(NotFoundError);
  });

  it('escapes variable names', () => {
    const d = makeDraws([XSS], { nDraws: 20, nChains: 2 });
    for (const svg of Object.values(variableExplorer(d, 0)).slice(1)) {
      expect(svg).not.toContain('<script');
      expect(xmlProblem(svg)).toBeNull();
    }
  });

  it('draws one chain and NaN draws without breaking', () => {
    const d = makeDraws(['x'], { nDraws: 50, nChains: 1 });
    d.values[drawIndex(d, 3, 0, 0)] = Number.NaN;
    const plots = variableExplorer(d, 0);
    for (const key of ['rank', 'trace', 'density', 'autocorrelation'] as const) {
      expect(xmlProblem(plots[key])).toBeNull();
    }
  });
});

describe('top-level variables', () => {
  it('keeps population parameters only', () => {
    expect(topLevelVariables([...names, 'lp__', 'r_heuristic:task[a_b,Intercept]'])).toEqual([
      'b_Intercept',
      'sd_task__Intercept',
      'sigma',
    ]);
  });
  it('renders one rank plot per top-level parameter, capped', () => {
    const plots = topLevelRankPlots(draws);
    expect(plots.map((p) => p.variable)).toEqual(['b_Intercept', 'sd_task__Intercept', 'sigma']);
    expect(topLevelRankPlots(draws, { max: 1 })).toHaveLength(1);
  });
});
