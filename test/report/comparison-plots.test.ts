import { describe, expect, it } from 'vitest';
import { categoryForestPlot } from '../../src/report/category-forest-plot.js';
import { forestPlot } from '../../src/report/forest-plot.js';
import { pairwiseHeatmap } from '../../src/report/pairwise-heatmap.js';
import { pBestBars } from '../../src/report/pbest-bars.js';
import { ppcPlot } from '../../src/report/ppc-plot.js';
import { rankProbabilityHeatmap } from '../../src/report/rank-heatmap.js';
import { standaloneSvg } from '../../src/report/svg.js';
import { taskMeansHeatmap } from '../../src/report/task-heatmap.js';
import { makeComparison, XSS } from './fixtures.js';
import { parseSvg, svgTexts, xmlProblem } from './helpers.js';

const c = makeComparison();

/** Every plot must be one well-formed <svg> element. */
function expectSvg(svg: string) {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  expect(xmlProblem(svg)).toBeNull();
  return parseSvg(svg);
}

describe('xmlProblem (the test helper itself)', () => {
  it('rejects malformed markup', () => {
    expect(xmlProblem('<svg><g></svg>')).not.toBeNull();
    expect(xmlProblem('<svg><text>a < b</text></svg>')).not.toBeNull();
    expect(xmlProblem('<svg><text>a & b</text></svg>')).not.toBeNull();
    expect(xmlProblem('<svg a="1" a="2"></svg>')).not.toBeNull();
    expect(xmlProblem('<svg></svg><svg></svg>')).not.toBeNull();
    expect(xmlProblem('<svg><text>a &amp; b &#39;</text><g/></svg>')).toBeNull();
  });
});

describe('forestPlot', () => {
  it('draws one dot and one interval per heuristic, sorted best first, with a ROPE band', () => {
    const svg = forestPlot(c);
    const doc = expectSvg(svg);
    expect(doc.querySelectorAll('circle').length).toBe(3);
    // one interval line per heuristic plus the dashed line at the best mean
    expect(doc.querySelectorAll('g[aria-label="rule"] line').length).toBe(4);
    // the ROPE band: best mean 55.2 +- rope 1
    const rect = doc.querySelector('g[aria-label="rect"] rect');
    expect(rect).not.toBeNull();
    expect(rect!.textContent).toContain('ROPE: performer ± 1.0');
    const labels = svgTexts(svg);
    const order = ['performer', 'linformer', 'reformer'].map((n) => labels.indexOf(n));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('band width follows the rope option and disappears without a rope', () => {
    const wide = parseSvg(forestPlot(c, { rope: 3 })).querySelector('g[aria-label="rect"] rect');
    const narrow = parseSvg(forestPlot(c, { rope: 1 })).querySelector('g[aria-label="rect"] rect');
    expect(Number(wide!.getAttribute('width'))).toBeGreaterThan(
      Number(narrow!.getAttribute('width')),
    );
    const none = forestPlot({ ...c, settings: {} });
    expect(parseSvg(none).querySelector('g[aria-label="rect"]')).toBeNull();
  });

  it('returns "" without heuristics', () => {
    expect(forestPlot({ ...c, heuristics: [] })).toBe('');
  });
});

describe('categoryForestPlot', () => {
  it('has one panel per category and one dot per (category, heuristic)', () => {
    const svg = categoryForestPlot(c);
    const doc = expectSvg(svg);
    expect(doc.querySelectorAll('circle').length).toBe(6);
    const texts = svgTexts(svg);
    expect(texts).toContain('text');
    expect(texts).toContain('vision');
  });
  it('returns "" without categories', () => {
    expect(categoryForestPlot({ ...c, categories: [] })).toBe('');
  });
});

describe('pairwiseHeatmap', () => {
  it('has n(n-1) cells holding P(row better than column)', () => {
    const svg = pairwiseHeatmap(c);
    const doc = expectSvg(svg);
    // data cells carry a tooltip; the outlines of decided cells do not
    expect(doc.querySelectorAll('g[aria-label="cell"] rect title').length).toBe(6);
    // one decided cell at 0.95: P(performer better than reformer) = 0.97
    expect(doc.querySelectorAll('rect[stroke-width], g[stroke="#f59e0b"] rect').length).toBe(1);
    const titles = [...doc.querySelectorAll('rect title')].map((t) => t.textContent);
    // pair {performer, reformer}: p_a_better 0.97, p_b_better 0.01
    expect(titles).toContain(
      'Overall: P(performer better than reformer by more than the ROPE) = 0.97',
    );
    expect(titles).toContain(
      'Overall: P(reformer better than performer by more than the ROPE) = 0.01',
    );
  });
  it('uses the pairs of the requested scope', () => {
    const titles = [
      ...parseSvg(pairwiseHeatmap(c, { scope: 'task:ListOps' })).querySelectorAll('rect title'),
    ].map((t) => t.textContent);
    expect(titles).toContain(
      'Task: ListOps: P(performer better than reformer by more than the ROPE) = 0.02',
    );
    expect(pairwiseHeatmap(c, { scope: 'task:nope' })).toBe('');
  });
});

describe('pBestBars', () => {
  it('draws one bar per heuristic sorted by P(best) with the values printed', () => {
    const svg = pBestBars(c);
    const doc = expectSvg(svg);
    expect(doc.querySelectorAll('g[aria-label="bar"] rect').length).toBe(3);
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining(['0.70', '0.25', '0.05']));
    expect(texts.indexOf('0.70')).toBeLessThan(texts.indexOf('0.05'));
  });
  it('works per category and returns "" for an unknown scope', () => {
    expect(svgTexts(pBestBars(c, { scope: 'category:vision' }))).toContain('0.55');
    expect(pBestBars(c, { scope: 'category:nope' })).toBe('');
  });
});

describe('rankProbabilityHeatmap', () => {
  it('has heuristics x ranks cells', () => {
    const doc = expectSvg(rankProbabilityHeatmap(c));
    expect(doc.querySelectorAll('g[aria-label="cell"] rect').length).toBe(9);
  });
  it('returns "" without rank probabilities', () => {
    expect(rankProbabilityHeatmap({ ...c, rank_probabilities: undefined })).toBe('');
  });
});

describe('taskMeansHeatmap', () => {
  it('has heuristics x tasks cells and shows the rank flip of reformer', () => {
    const svg = taskMeansHeatmap(c);
    const doc = expectSvg(svg);
    expect(doc.querySelectorAll('g[aria-label="cell"] rect').length).toBe(12);
    const titles = [...doc.querySelectorAll('rect title')].map((t) => t.textContent ?? '');
    expect(titles.some((t) => t.startsWith('ListOps (text): reformer rank 1'))).toBe(true);
    expect(titles.some((t) => t.startsWith('Image (vision): reformer rank 3'))).toBe(true);
  });
});

describe('ppcPlot', () => {
  it('draws one interval and dot per checked task and marks the misfit red', () => {
    const doc = expectSvg(ppcPlot(c));
    const dots = [...doc.querySelectorAll('circle')];
    expect(dots.length).toBe(2);
    // Text: observed sd 4.0 is outside [1.0, 2.5]
    expect(dots.filter((d) => d.getAttribute('fill') === '#dc2626').length).toBe(1);
  });
  it('returns "" when no task has a check', () => {
    expect(ppcPlot(makeComparison({ ppc: false }))).toBe('');
  });
});

describe('escaping inside SVG', () => {
  it('prints a heuristic named like a script tag as text in every plot', () => {
    const evil = makeComparison({ evil: true });
    const plots = [
      forestPlot(evil),
      categoryForestPlot(evil),
      pairwiseHeatmap(evil),
      pBestBars(evil),
      rankProbabilityHeatmap(evil),
      taskMeansHeatmap(evil),
    ];
    for (const svg of plots) {
      expect(svg).not.toContain('<script');
      expect(xmlProblem(svg)).toBeNull();
      expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect(svgTexts(forestPlot(evil))).toContain(XSS);
  });
});

describe('standaloneSvg', () => {
  it('adds the SVG namespace once', () => {
    const s = standaloneSvg(forestPlot(c));
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(standaloneSvg(s)).toBe(s);
  });
});
