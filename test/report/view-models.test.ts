import { describe, expect, it } from 'vitest';
import { diagnosticsBanner } from '../../src/report/banner.js';
import {
  comparisonViewModel,
  normalRopeProbabilities,
} from '../../src/report/comparison-view-model.js';
import { formatByMcse, formatNumber, formatProb, formatProbAt } from '../../src/report/format.js';
import { nameMatcher, summaryViewModel } from '../../src/report/summary-view-model.js';
import { makeComparison, makeSummary, XSS } from './fixtures.js';

describe('comparisonViewModel', () => {
  const c = makeComparison();

  it('prints the stored decisions, rankings and recommendations as strings', () => {
    const vm = comparisonViewModel(c);
    expect(vm.rope).toBe(1);
    expect(vm.threshold).toBe(0.95);
    expect(vm.ropeApproximate).toBe(false);
    expect(vm.heuristics.map((h) => h.name)).toEqual(['performer', 'linformer', 'reformer']);
    expect(vm.heuristics[0]).toMatchObject({
      mean: '55.2',
      interval: '[53.1, 57.4]',
      pBest: '0.70',
      best: true,
    });
    expect(vm.recommendations).toHaveLength(2);
    expect(vm.recommendations[1]).toMatchObject({
      category: 'vision',
      best: 'performer',
      runnerUp: 'linformer',
      badge: 'tied',
    });
    expect(vm.recommendations[0].runnerUp).toBe('—');
    // scopes in order overall, categories, tasks
    expect(vm.pairGroups.map((g) => g.kind)).toEqual([
      'overall',
      'category',
      'category',
      'task',
      'task',
    ]);
    const overall = vm.pairGroups[0];
    expect(overall.rows[0]).toMatchObject({
      a: 'performer',
      b: 'reformer',
      pA: '0.97',
      badge: 'a',
      decisionLabel: 'performer better',
    });
    expect(overall.caption).toBe('1 of 3 pairs decided at 0.95');
  });

  it('re-decides from the stored probabilities at another threshold', () => {
    const vm = comparisonViewModel(c, { threshold: 0.99 });
    expect(vm.pairGroups[0].rows[0].badge).toBe('inconclusive');
    expect(vm.pairGroups[0].rows[0].pA).toBe('0.97');
    const loose = comparisonViewModel(c, { threshold: 0.85 });
    // reformer vs linformer: P(ROPE) 0.88 >= 0.85
    expect(loose.pairGroups[0].rows[2].badge).toBe('equivalent');
  });

  it('approximates pair probabilities for another ROPE and says so', () => {
    const vm = comparisonViewModel(c, { rope: 5 });
    expect(vm.ropeApproximate).toBe(true);
    expect(vm.ropeNote).toContain('approximate');
    const row = vm.pairGroups[0].rows[0];
    expect(row.approximate).toBe(true);
    // diff ~ N(2.88, sd = 4 / (2 * 1.645)): P(d > 5) = 1 - Phi((5 - 2.88) / 1.216) = 0.041
    expect(row.pA).toBe('0.04');
    expect(row.decisionLabel).toContain('(approx.)');
  });

  it('keeps the document when the rope option equals the one used', () => {
    expect(comparisonViewModel(c, { rope: 1 }).ropeApproximate).toBe(false);
  });

  it('builds the per-task table in the overall heuristic order and marks each task best', () => {
    const vm = comparisonViewModel(c);
    expect(vm.taskColumns).toEqual(['performer', 'linformer', 'reformer']);
    const listops = vm.tasks.find((t) => t.name === 'ListOps')!;
    expect(listops.best).toBe('reformer');
    expect(listops.cells.map((x) => x.rank)).toEqual([3, 2, 1]);
    expect(vm.ppc.map((p) => p.badge)).toEqual(['ok', 'misfit']);
  });

  it('keeps user strings raw (escaping is the template’s job)', () => {
    const vm = comparisonViewModel(makeComparison({ evil: true }));
    expect(vm.heuristics.map((h) => h.name)).toContain(XSS);
  });
});

describe('normalRopeProbabilities', () => {
  it('is symmetric around zero and sums to one', () => {
    const p = normalRopeProbabilities(0, -1.6448536269514722, 1.6448536269514722, 1);
    // sd = 1: P(d > 1) = 1 - Phi(1) = 0.158655...
    expect(p.a).toBeCloseTo(0.158655, 5); // 5 decimals: the cdf is accurate to ~1e-15
    expect(p.b).toBeCloseTo(p.a, 12);
    expect(p.a + p.rope + p.b).toBeCloseTo(1, 12);
  });
  it('handles a zero-width interval', () => {
    expect(normalRopeProbabilities(2, 2, 2, 1)).toEqual({ a: 1, rope: 0, b: 0 });
  });
});

describe('format', () => {
  it('formats probabilities honestly at the ends', () => {
    expect(formatProb(0.001)).toBe('< 0.01');
    expect(formatProb(0.999)).toBe('> 0.99');
    expect(formatProb(0.5)).toBe('0.50');
    expect(formatProb(Number.NaN)).toBe('—');
  });
  it('rounds to the MCSE and never prints -0', () => {
    expect(formatByMcse(12.3456, 0.012)).toBe('12.35');
    expect(formatByMcse(12.3456, 0.5)).toBe('12.3');
    expect(formatByMcse(12.3456, 5)).toBe('12');
    expect(formatNumber(-0.0001, 2)).toBe('0.00');
    expect(formatNumber(-1.5, 1)).toBe('−1.5');
  });
});

describe('diagnosticsBanner', () => {
  it('passes a clean summary with every check listed', () => {
    const b = diagnosticsBanner(makeSummary());
    expect(b.ok).toBe(true);
    expect(b.items.map((i) => i.code)).toEqual([
      'rhat',
      'ess_bulk',
      'ess_tail',
      'divergent',
      'treedepth',
      'ebfmi',
    ]);
    expect(b.items.every((i) => i.status === 'pass' && i.remedy === '')).toBe(true);
    expect(b.items[0].value).toBe('1.003');
  });

  it('fails with the diagnostics module’s messages and remedies', () => {
    const b = diagnosticsBanner(makeSummary({ bad: true }));
    expect(b.ok).toBe(false);
    const byCode = Object.fromEntries(b.items.map((i) => [i.code, i]));
    expect(byCode.rhat.status).toBe('fail');
    expect(byCode.rhat.remedy).toBe('Run longer chains or reparameterize.');
    expect(byCode.divergent.value).toBe('7');
    expect(byCode.divergent.message).toBe('7 divergent transitions after warmup');
    // no warning given for ESS, but 30 < 400 breaks the threshold: default remedy used
    expect(byCode.ess_bulk.status).toBe('fail');
    expect(byCode.ess_bulk.remedy.length).toBeGreaterThan(10);
    expect(b.headline).toContain('before any decision');
  });

  it('works from a comparison diagnostics block and adds unknown warnings', () => {
    const c = makeComparison();
    const ok = diagnosticsBanner(c);
    expect(ok.ok).toBe(true);
    expect(ok.items.map((i) => i.code)).toEqual(['rhat', 'ess_bulk', 'ess_tail', 'divergent']);
    const bad = diagnosticsBanner({
      diagnostics: { ...c.diagnostics, divergent: 3 },
      warnings: [{ code: 'custom', message: 'something odd', remedy: 'look at it' }],
    });
    expect(bad.ok).toBe(false);
    expect(bad.items.find((i) => i.code === 'divergent')!.status).toBe('fail');
    expect(bad.items.at(-1)).toMatchObject({
      code: 'custom',
      status: 'fail',
      remedy: 'look at it',
    });
  });

  it('uses the chain count for the ESS rule', () => {
    const c = makeComparison(); // min bulk ESS 850
    expect(diagnosticsBanner(c, { chains: 4 }).items[1].status).toBe('pass');
    expect(diagnosticsBanner(c, { chains: 10 }).items[1].status).toBe('fail');
  });

  it('marks undefined values unknown', () => {
    const c = makeComparison();
    const b = diagnosticsBanner({
      diagnostics: { ...c.diagnostics, max_rhat: Number.NaN },
      warnings: [],
    });
    expect(b.items[0]).toMatchObject({ code: 'rhat', status: 'unknown' });
    expect(b.ok).toBe(true);
  });
});

describe('summaryViewModel', () => {
  const s = makeSummary({ bad: true });

  it('pages the rows', () => {
    const vm = summaryViewModel(s, { page: 2, pageSize: 50 });
    expect(vm.total).toBe(123);
    expect(vm.pageCount).toBe(3);
    expect(vm.rows).toHaveLength(50);
    expect(vm.rows[0].variable).toBe('r_task[t48,Intercept]');
    expect(vm.columns[0]).toBe('variable');
    expect(vm.rows[0].cells).toHaveLength(vm.columns.length - 1);
    // mean 1.23456 with MCSE 0.0123 -> 2 decimals
    expect(vm.rows[0].cells[0]).toBe('1.23');
  });

  it('clamps pages and page sizes', () => {
    expect(summaryViewModel(s, { page: 99 }).page).toBe(3);
    expect(summaryViewModel(s, { page: -1 }).page).toBe(1);
    expect(summaryViewModel(s, { pageSize: 0 }).pageSize).toBe(1);
  });

  it('filters by a case-insensitive substring or glob and flags bad rows', () => {
    const vm = summaryViewModel(s, { filter: 'R_HEURISTIC*' });
    expect(vm.matched).toBe(1);
    expect(vm.rows[0].variable).toBe(`r_heuristic[${XSS},Intercept]`);
    expect(vm.rows[0].flagged).toBe(true);
    expect(vm.rows[0].flags).toEqual({ rhat: true, ess_bulk: true, ess_tail: true });
    expect(vm.flaggedCount).toBe(1);
    expect(summaryViewModel(s, { filter: 'sigma' }).rows.map((r) => r.variable)).toEqual(['sigma']);
    // Brackets are literal: no regex syntax, no 'invalid filter'.
    expect(summaryViewModel(s, { filter: 'r_task[' }).matched).toBe(120);
    expect(summaryViewModel(s, { filter: 'r_task[t?,*' }).matched).toBe(10);
  });

  it('matches globs in bounded time and refuses over-long filters', () => {
    expect(nameMatcher('a*b?c')('AxxBzC')).toBe(true);
    expect(nameMatcher('a*b?c')('axxbc')).toBe(false);
    expect(nameMatcher('*')('')).toBe(true);
    expect(nameMatcher('?')('')).toBe(false);
    // A pattern that makes naive recursive matchers exponential: 'a*a*a*...*b' on 'aaaa...'.
    const hostile = `${'a*'.repeat(99)}b`;
    expect(nameMatcher(hostile)('a'.repeat(10_000))).toBe(false);
    expect(summaryViewModel(s, { filter: '^([\\s\\S]|[\\s\\S])*!' }).matched).toBe(0);
    expect(summaryViewModel(s, { filter: 'x'.repeat(201) }).error).toMatch(/longer than/);
  });
});

describe('probabilities next to a threshold', () => {
  it('never print as reaching a threshold they miss', () => {
    const c = makeComparison();
    c.pairs[0].p_a_better = 0.9495;
    c.pairs[0].p_rope = 0.04;
    c.pairs[0].p_b_better = 0.0105;
    c.pairs[0].decision = 'inconclusive';
    const row = comparisonViewModel(c).pairGroups[0].rows[0];
    expect(row.pA).toBe('0.949');
    expect(row.badge).toBe('inconclusive');
    expect(formatProbAt(0.951, 0.95)).toBe('0.95');
    expect(formatProbAt(0.9449, 0.95)).toBe('0.94');
    expect(formatProbAt(0.999, 0.95)).toBe('> 0.99');
  });
});

describe('tied for first', () => {
  it('names the group in the caption and gives the overall row', () => {
    const c = makeComparison();
    expect(comparisonViewModel(c).overallRecommendation).toBeNull();
    c.categories[1].tie_groups = [['performer', 'linformer', 'reformer']];
    c.recommendation = {
      best: 'performer',
      p_best: 0.7,
      runner_up: null,
      tie_groups: [['performer'], ['linformer', 'reformer']],
    };
    const vm = comparisonViewModel(c);
    expect(vm.recommendations[1]).toMatchObject({
      tiedForFirst: 'performer, linformer, reformer',
      caption: 'performer (P(best) 0.55); tied for first: performer, linformer, reformer',
    });
    // a document without tie groups
    expect(vm.recommendations[0].tiedForFirst).toBe('—');
    expect(vm.overallRecommendation).toMatchObject({
      category: '(all tasks)',
      tasks: 'all 4',
      tiedForFirst: 'performer alone',
      badge: 'clear',
    });
  });
});

describe('direction of an undecided pair', () => {
  it('shows P(A > B) and grades the words; another threshold re-grades', () => {
    const c = makeComparison();
    // performer vs linformer: P(A better) 0.6, P(ROPE) 0.3 -> undecided; the direction is clear
    c.pairs[1].p_a_greater = 0.93;
    c.pairs[1].decision = 'probably_a';
    const row = comparisonViewModel(c).pairGroups[0].rows[1];
    expect(row).toMatchObject({
      pGreater: '0.93',
      badge: 'probable',
      decisionLabel: 'probably performer',
    });
    // 'probably' is not a decision: still 1 of 3
    expect(comparisonViewModel(c).pairGroups[0].caption).toBe('1 of 3 pairs decided at 0.95');
    // re-decided at 0.99 from the stored numbers: performer vs reformer (P(A better) 0.97)
    // has no P(A > B) in this document and stays inconclusive, the graded pair stays graded
    const strict = comparisonViewModel(c, { threshold: 0.99 }).pairGroups[0].rows;
    expect(strict[0]).toMatchObject({ badge: 'inconclusive', pGreater: '—' });
    expect(strict[1].decisionLabel).toBe('probably performer');
    // a ROPE change keeps the exact P(A > B) (it has no ROPE)
    const wide = comparisonViewModel(c, { rope: 100 }).pairGroups[0].rows[1];
    expect(wide.pGreater).toBe('0.93');
    expect(wide.decisionLabel).toBe('practically equal (approx.)');
    c.pairs[1].p_a_greater = 0.05;
    c.pairs[1].decision = 'probably_b';
    expect(comparisonViewModel(c).pairGroups[0].rows[1].decisionLabel).toBe('probably linformer');
  });
});

describe('another ROPE without difference intervals', () => {
  it('says the probabilities are still the document’s', () => {
    const c = makeComparison();
    for (const p of c.pairs) {
      p.diff_mean = undefined;
      p.diff_q5 = undefined;
      p.diff_q95 = undefined;
    }
    const vm = comparisonViewModel(c, { rope: 3 });
    expect(vm.ropeApproximate).toBe(true);
    expect(vm.ropeNote).toContain('still show the probabilities for ± 1');
    expect(vm.pairGroups[0].rows[0].pA).toBe('0.97');
  });
});

describe('view models are plain data', () => {
  it('survive a JSON round trip unchanged (so the web app can store them)', () => {
    const vm = comparisonViewModel(makeComparison());
    expect(JSON.parse(JSON.stringify(vm))).toEqual(vm);
    const banner = diagnosticsBanner(makeSummary({ bad: true }));
    expect(JSON.parse(JSON.stringify(banner))).toEqual(banner);
    const table = summaryViewModel(makeSummary(), { page: 2, pageSize: 10 });
    expect(JSON.parse(JSON.stringify(table))).toEqual(table);
  });
});
