import { describe, expect, it } from 'vitest';
import { renderStaticReport } from '../../src/report/static-report.js';
import { makeComparison, makeDraws, makeSummary, XSS } from './fixtures.js';
import { parseDoc, xmlProblem } from './helpers.js';

const draws = makeDraws(['b_Intercept', 'sd_task__Intercept', 'sigma', 'r_task[a,Intercept]'], {
  nDraws: 100,
});

function render(opts: { evil?: boolean; bad?: boolean; withDraws?: boolean } = {}) {
  return renderStaticReport({
    comparison: makeComparison({ evil: opts.evil }),
    summary: makeSummary({ bad: opts.bad }),
    draws: opts.withDraws === false ? undefined : draws,
    title: opts.evil ? `Report ${XSS}` : 'LRA report',
  });
}

describe('renderStaticReport', () => {
  const page = render();
  const doc = parseDoc(page);

  it('is one HTML document with inline CSS and no scripts or external references', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(doc.querySelectorAll('style').length).toBeGreaterThan(0);
    expect(doc.querySelectorAll('script').length).toBe(0);
    expect(doc.querySelectorAll('link, img, iframe, object, embed').length).toBe(0);
    // no URL other than the SVG namespace name (which is not fetched)
    const urls = page.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => !u.startsWith('http://www.w3.org/'))).toEqual([]);
    expect(page).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
  });

  it('shows the diagnostics banner before the recommendation table', () => {
    const banner = doc.getElementById('diagnostics');
    const table = doc.getElementById('recommendation-table');
    expect(banner).not.toBeNull();
    expect(table).not.toBeNull();
    expect(page.indexOf('id="diagnostics"')).toBeLessThan(
      page.indexOf('id="recommendation-table"'),
    );
    expect(banner!.getAttribute('class')).toContain('ok');
  });

  it('has the sections in the order of docs/UX.md §3 (banner, decisions, plots, mixing)', () => {
    const ids = [...doc.querySelectorAll('section')].map((s) => s.getAttribute('id'));
    expect(ids).toEqual([
      'diagnostics',
      'recommendations',
      'p-best',
      'pairs',
      'forest',
      'pairwise-heatmap',
      'p-best-bars',
      'rank-probabilities',
      'tasks',
      'parameters',
      'mixing',
      'notes',
    ]);
  });

  it('adds the (all tasks) row and the tied-for-first group to the recommendation', () => {
    const c = makeComparison();
    c.recommendation = {
      best: 'performer',
      p_best: 0.7,
      runner_up: 'linformer',
      tie_groups: [['performer', 'linformer'], ['reformer']],
    };
    c.categories[1].tie_groups = [['performer', 'linformer'], ['reformer']];
    c.categories[0].tie_groups = [['performer'], ['reformer', 'linformer']];
    const d = parseDoc(
      renderStaticReport({ comparison: c, summary: makeSummary(), title: 'LRA report' }),
    );
    const rows = [...d.querySelectorAll('#recommendation-table tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent),
    );
    expect(rows.map((r) => r[0])).toEqual(['(all tasks)', 'text', 'vision']);
    // column 6: tied for first
    expect(rows.map((r) => r[5])).toEqual([
      'performer, linformer',
      'performer alone',
      'performer, linformer',
    ]);
  });

  it('has the expected tables and plots (structural counts)', () => {
    // recommendation rows = categories
    expect(doc.querySelectorAll('#recommendation-table tbody tr').length).toBe(2);
    // rankings: overall + 2 categories
    expect(doc.querySelectorAll('#p-best table').length).toBe(3);
    // pair tables: overall, 2 categories, 2 tasks (in <details>)
    expect(doc.querySelectorAll('#pairs table.pairs').length).toBe(5);
    expect(doc.querySelectorAll('#pairs details').length).toBe(2);
    expect(doc.querySelectorAll('#task-table tbody tr').length).toBe(4);
    expect(doc.querySelectorAll('#ppc-table tbody tr').length).toBe(2);
    // parameters table: top-level only
    expect(doc.querySelectorAll('#parameters-table tbody tr').length).toBe(2);
    // forest, task effects, category forest, heatmap, bars, ranks, task heatmap, PPC, 3 rank plots
    expect(doc.querySelectorAll('svg').length).toBe(11);
    expect(doc.querySelectorAll('#mixing svg').length).toBe(3);
    expect(doc.querySelector('#forest svg g[aria-label="rect"] rect')).not.toBeNull();
    for (const svg of doc.querySelectorAll('svg')) expect(xmlProblem(svg.outerHTML)).toBeNull();
  });

  it('leaves out sections without data', () => {
    const plain = parseDoc(render({ withDraws: false }));
    expect(plain.getElementById('mixing')).toBeNull();
    const noSummary = parseDoc(renderStaticReport({ comparison: makeComparison(), title: 'x' }));
    expect(noSummary.getElementById('parameters')).toBeNull();
    expect(noSummary.getElementById('diagnostics')).not.toBeNull();
  });

  it('leads with a failing banner and its remedies when diagnostics fail', () => {
    const bad = parseDoc(render({ bad: true }));
    const banner = bad.getElementById('diagnostics')!;
    expect(banner.getAttribute('class')).toContain('fail');
    expect(banner.textContent).toContain('Increase adapt_delta (e.g. 0.95).');
    expect(banner.textContent).toContain('before any decision');
  });

  it('escapes every user string: a heuristic named <script> shows as text', () => {
    const html = render({ evil: true, bad: true });
    const evil = parseDoc(html);
    expect(evil.querySelectorAll('script').length).toBe(0);
    expect(html).not.toContain('<script>');
    expect(evil.querySelector('title')!.textContent).toBe(`Report ${XSS}`);
    expect(evil.querySelector('h1')!.textContent).toBe(`Report ${XSS}`);
    const rowNames = [
      ...evil.querySelectorAll('#p-best table:first-of-type tbody td:first-child'),
    ].map((td) => td.textContent);
    expect(rowNames).toContain(XSS);
    // the summary variable with the XSS name in the parameters table is not top-level, but the
    // task table header and pair tables carry it
    expect([...evil.querySelectorAll('#task-table th')].map((th) => th.textContent)).toContain(XSS);
  });

  it('accepts a fit instead of draws', () => {
    const viaFit = parseDoc(
      renderStaticReport({
        comparison: makeComparison(),
        fit: { draws },
        title: 'x',
      }),
    );
    expect(viaFit.querySelectorAll('#mixing svg').length).toBe(3);
  });

  it('is deterministic (no clock, no randomness)', () => {
    expect(render()).toBe(page);
  });
});

describe('renderStaticReport settings', () => {
  it('prints nested settings as text and priors as a table, escaped', () => {
    const c = makeComparison();
    c.settings = {
      ...c.settings,
      columns: { heuristic: 'method', task: XSS },
      priors: [
        {
          class: 'sd',
          group: 'heuristic',
          coef: 'Intercept',
          prior: 'student_t(3, 0, 18.1)',
          source: 'default',
        },
      ],
    };
    const html = renderStaticReport({ comparison: c, title: 't' });
    const doc = parseDoc(html);
    const settings = doc.getElementById('settings-table')!.textContent!;
    expect(settings).toContain(`heuristic: method, task: ${XSS}`);
    expect(settings).not.toContain('[object Object]');
    expect(doc.querySelectorAll('#priors-table tbody tr').length).toBe(1);
    expect(doc.querySelector('#priors-table code')!.textContent).toBe('student_t(3, 0, 18.1)');
    expect(html).not.toContain('<script>');
  });
});
