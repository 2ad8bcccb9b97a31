import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../src/analysis/plan-from-fit.js';
import { planBatchCsv } from '../../src/report/plan-csv.js';
import { renderPlanReport } from '../../src/report/plan-report.js';
import { PLAN_SHOWN_CANDIDATES, planSection } from '../../src/report/plan-section.js';
import { makeComparison, makeSummary, XSS } from './fixtures.js';
import { parseDoc } from './helpers.js';

const weights = { rel_ess: 0.8, pareto_k_max: 0.3, unreliable_share: 0, reliable: true };

/**
 * A plan document of the `plan --json` shape (src/analysis/plan-from-fit.ts): two categories, one
 * decided; 20 candidates (more than the section lists); a batch with the same cell twice; one
 * heuristic named with an XSS string and a task with a comma.
 */
function makePlan(opts: { costs?: boolean } = {}): PlanDocument {
  const heuristics = ['performer', XSS];
  const tasks = Array.from({ length: 10 }, (_, i) => (i === 0 ? 'List, Ops' : `task${i}`));
  const candidates = tasks.flatMap((task, t) =>
    heuristics.map((heuristic, h) => {
      const value = 1 / (1 + t + 10 * h);
      return {
        heuristic,
        task,
        category: t < 5 ? 'symbolic' : 'vision',
        kind: t === 9 ? ('cell' as const) : ('seed' as const),
        runs: t === 9 ? 0 : 2,
        cost: opts.costs ? 2 : 1,
        value,
        value_per_cost: opts.costs ? value / 2 : value,
        value_by_scope: { overall: value },
        p_change: { overall: value / 2 },
        p_change_any: value / 2,
        weights: t === 3 ? { ...weights, reliable: false, pareto_k_max: 0.9 } : weights,
      };
    }),
  );
  const run = (h: string, task: string, kind: 'seed' | 'cell', cumulative: number) => ({
    heuristic: h,
    task,
    category: task === 'task9' ? 'vision' : 'symbolic',
    kind,
    cost: opts.costs ? 2 : 1,
    cumulative_value: cumulative,
  });
  return {
    scopes: [
      { name: 'overall', best: 'performer', p_best: 0.7, expected_loss: 0.12 },
      { name: 'symbolic', best: XSS, p_best: 0.55, expected_loss: 0.3 },
      { name: 'vision', best: 'performer', p_best: 0.99, expected_loss: 0.001 },
    ],
    candidates,
    batch: {
      runs: [
        run('performer', 'List, Ops', 'seed', 1),
        run(XSS, 'task9', 'cell', 1.5),
        run('performer', 'List, Ops', 'seed', 1.75),
      ],
      cost: opts.costs ? 6 : 3,
      value: 1.75,
      p_change: { overall: 0.4, symbolic: 0.5, vision: 0.01 },
      p_change_any: 0.5,
      weights,
    },
    verdicts: [
      {
        scope: 'overall',
        decided: false,
        p_change: 0.4,
        p_change_upper: 0.5,
        reliable: true,
        runs: [{ heuristic: 'performer', task: 'List, Ops' }],
        message: 'not decided: ...',
      },
      {
        scope: 'symbolic',
        decided: false,
        p_change: 0.5,
        p_change_upper: 0.6,
        reliable: true,
        runs: [{ heuristic: XSS, task: 'task1' }],
        message: 'not decided: ...',
      },
      {
        scope: 'vision',
        decided: true,
        p_change: 0,
        p_change_upper: 0.046,
        reliable: true,
        runs: [{ heuristic: XSS, task: 'task9' }],
        message: 'decided: ...',
      },
    ],
    overall: { decided: false, message: `not decided: the most useful next runs are ${XSS}` },
    settings: {
      runs: 3,
      stop_runs: 3,
      stop_threshold: 0.05,
      outcomes: 64,
      draws_used: 1000,
      seed: 1,
      higher_is_better: true,
      costs: opts.costs ?? false,
      units: 'score',
    },
    notes: [`a note naming ${XSS}`],
  };
}

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
    expect(verdicts.map((r) => [r[0], r[1], r[6]])).toEqual([
      ['(all tasks)', 'performer', 'not decided'],
      ['symbolic', XSS, 'not decided'],
      ['vision', 'performer', 'decided'],
    ]);
    // P(change) 0 prints as '< 0.001', its bound with 3 decimals
    expect(verdicts[2].slice(4, 6)).toEqual(['< 0.001', '0.046']);
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

describe('planBatchCsv', () => {
  it('lists the batch in order with the replicate of each run in its cell', () => {
    const lines = planBatchCsv(makePlan({ costs: true }))
      .trimEnd()
      .split('\n');
    expect(lines).toEqual([
      'order,heuristic,task,category,kind,replicate,value,cumulative_value,cost',
      // 2 runs of the cell in the table: the batch's runs are its 3rd and 4th
      '1,performer,"List, Ops",symbolic,seed,3,1,1,2',
      // a missing cell: its first run
      `2,${XSS},task9,vision,cell,1,0.5,1.5,2`,
      '3,performer,"List, Ops",symbolic,seed,4,0.25,1.75,2',
    ]);
  });
});
