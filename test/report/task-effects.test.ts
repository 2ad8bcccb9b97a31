import { describe, expect, it } from 'vitest';
import { taskEffectsPlot } from '../../src/report/task-effects-plot.js';
import { makeComparison, XSS } from './fixtures.js';
import { parseSvg, svgTexts, xmlProblem } from './helpers.js';

describe('taskEffectsPlot', () => {
  const c = makeComparison();

  it('draws one overall dot per heuristic and one small dot per (task, heuristic)', () => {
    const svg = taskEffectsPlot(c);
    expect(xmlProblem(svg)).toBeNull();
    const titles = [...parseSvg(svg).querySelectorAll('circle title')].map((t) => t.textContent);
    expect(titles).toHaveLength(3 + 12);
    // ListOps cell means 18, 37, 19 (centre 24.67): reformer +12.33
    expect(titles).toContain('ListOps (text): reformer 12.33');
    // overall means 55.2, 50.1, 53.8 (centre 53.03): performer +2.17 [0.07, 4.37]
    expect(titles).toContain('performer overall: 2.17 [0.07, 4.37]');
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['● text', '● vision']));
  });

  it('is empty with per-task scaling, and escapes names', () => {
    expect(taskEffectsPlot({ ...c, settings: { scale: 'task' } })).toBe('');
    const svg = taskEffectsPlot(makeComparison({ evil: true }));
    expect(svg).not.toContain('<script');
    expect(svgTexts(svg)).toContain(XSS);
  });
});
