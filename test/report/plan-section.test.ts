import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/analysis/plan-format.js';
import { renderPlanReport } from '../../src/report/plan-report.js';
import { PLAN_SHOWN_CANDIDATES, planSection } from '../../src/report/plan-section.js';
import { makeComparison, makeSummary, XSS } from './fixtures.js';
import { parseDoc } from './helpers.js';
import { makePlan } from './plan-fixture.js';

describe('the "What to run next" section (static report and web panel)', () => {
  it('prints the verdicts, the batch and the top candidates, every name escaped', () => {
    const plan = makePlan();
    const markup = planSection(plan, { csv: '/api/fits/3/plan.csv?runs=3' }).__html;
    expect(markup).not.toContain('<script>');
    const doc = parseDoc(`<!doctype html><html><body>${markup}</body></html>`);
    const rows = (id: string) =>
      [...doc.querySelectorAll(`#${id} tbody tr`)].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
      );
    const verdicts = rows('plan-verdicts');
    expect(verdicts.map((r) => [r[0], r[1], r[7]])).toEqual([
      ['(all tasks)', 'performer', 'not decided'],
      ['symbolic', XSS, 'not decided'],
      ['vision', 'performer', 'decided'],
    ]);
    // the expected-loss rule's figures: loss beyond ROPE/2, its threshold, the best batch's cut
    expect(verdicts[2].slice(3, 7)).toEqual(['1.000', '0.0000', '0.0125', '0.0100']);
    const batch = rows('plan-batch');
    // the value each run adds: the differences of the cumulative value
    expect(batch.map((r) => [r[1], r[2], r[5], r[6]])).toEqual([
      ['performer', 'List, Ops', '1.0000', '1.0000'],
      [XSS, 'task9', '0.5000', '1.5000'],
      ['performer', 'List, Ops', '0.2500', '1.7500'],
    ]);
    const cands = rows('plan-candidates');
    expect(cands).toHaveLength(PLAN_SHOWN_CANDIDATES);
    expect(cands[0].slice(0, 2)).toEqual(['performer', 'List, Ops']);
    expect(cands.find((r) => r[1] === 'task3')?.[7]).toBe('k-hat > 0.7: refit to confirm');
    expect(doc.querySelector('#plan-csv')?.getAttribute('href')).toBe(
      '/api/fits/3/plan.csv?runs=3',
    );
    expect(doc.querySelector('#plan-overall')?.textContent).toContain(XSS);
    expect(doc.querySelector('ul li')?.textContent).toBe(`a note naming ${XSS}`);
    // no links asked for (the static file): none printed
    expect(planSection(plan).__html).not.toContain('plan-csv');
  });

  it("with the 'decide' batch: P(all decided after) per run and the forced exploration marked", () => {
    const base = makePlan();
    const plan = {
      ...base,
      batch: {
        ...base.batch,
        p_decided: 0.42,
        runs: base.batch.runs.map((r, i) => ({
          ...r,
          p_decided: [0.0004, 0.2, 0.42][i],
          ...(i === 0 ? { explore: true } : {}),
        })),
      },
      settings: { ...base.settings, acquisition: 'decide' as const, explore: 0.34 },
    };
    const doc = parseDoc(`<!doctype html><html><body>${planSection(plan).__html}</body></html>`);
    const head = [...doc.querySelectorAll('#plan-batch thead th')].map((t) => t.textContent);
    expect(head.at(-1)).toBe('P(all decided after)');
    const batch = [...doc.querySelectorAll('#plan-batch tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
    );
    expect(batch.map((r) => [r[4], r.at(-1)])).toEqual([
      ['seed (exploration)', '< 0.001'],
      ['cell', '0.200'],
      ['seed', '0.420'],
    ]);
    expect(doc.body.textContent).toContain('the first 1 are forced exploration');
    const text = formatPlan(plan);
    expect(text).toContain('P(all decided after)');
    expect(text).toContain('(exploration)');
    // without 'decide' neither column nor label
    expect(formatPlan(base)).not.toContain('P(all decided after)');
  });

  it('shows costs when the plan has them', () => {
    const markup = planSection(makePlan({ costs: true })).__html;
    const doc = parseDoc(`<!doctype html><html><body>${markup}</body></html>`);
    const head = [...doc.querySelectorAll('#plan-candidates thead th')].map((t) => t.textContent);
    expect(head).toContain('Cost');
    expect(head).toContain('Value per cost');
    expect(markup).toContain('total cost 6.00');
  });

  it('is a section of the static report (plan --html), after the recommendations', () => {
    const page = renderPlanReport({
      comparison: makeComparison(),
      summary: makeSummary(),
      plan: makePlan(),
      title: 'plan',
    });
    expect(page).not.toContain('<script>');
    const doc = parseDoc(page);
    const ids = [...doc.querySelectorAll('body > section')].map((s) => s.getAttribute('id'));
    expect(ids.indexOf('plan')).toBeGreaterThan(ids.indexOf('recommendations'));
    expect(ids.indexOf('plan')).toBeLessThan(ids.indexOf('p-best'));
    expect(doc.querySelector('#plan h2')?.textContent).toBe('What to run next');
    expect(doc.querySelector('nav a[href="#plan"]')?.textContent).toBe('What to run next');
    expect(doc.querySelectorAll('#plan #plan-batch tbody tr')).toHaveLength(3);
  });
});
