import { describe, expect, it } from 'vitest';
import { itemDiffPlot } from '../../src/report/item-diff-plot.js';
import { XSS } from './fixtures.js';
import { parseSvg, svgTexts, xmlProblem } from './helpers.js';

describe('itemDiffPlot', () => {
  const rows = [
    { task: 'arc_easy', mean: -0.284, q5: -0.506, q95: -0.053, observed: -1 / 3 },
    { task: 'gsm8k', mean: -0.138, q5: -0.402, q95: 0.111, observed: Number.NaN },
  ];

  it('draws a posterior dot per task and a data circle where the task has paired items', () => {
    const svg = itemDiffPlot(rows, { a: 'snapkv', b: 'full_kv' });
    expect(xmlProblem(svg)).toBeNull();
    const titles = [...parseSvg(svg).querySelectorAll('circle title')].map((t) => t.textContent);
    expect(titles).toEqual([
      'arc_easy: −0.284 [−0.506, −0.053]',
      'gsm8k: −0.138 [−0.402, 0.111]',
      "arc_easy: paired items' mean −0.333",
    ]);
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['arc_easy', 'gsm8k']));
  });

  it('is empty without finite rows, and escapes names', () => {
    expect(itemDiffPlot([], { a: 'a', b: 'b' })).toBe('');
    expect(itemDiffPlot([{ ...rows[0], mean: Number.NaN }], { a: 'a', b: 'b' })).toBe('');
    const svg = itemDiffPlot([{ ...rows[0], task: XSS }], { a: XSS, b: 'b' });
    expect(svg).not.toContain('<script');
    expect(svgTexts(svg)).toContain(XSS);
  });
});
