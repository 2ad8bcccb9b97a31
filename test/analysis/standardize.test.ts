import { describe, expect, it } from 'vitest';
import { isConfident, PROBABLE } from '../../src/analysis/decision.js';
import { designFromTable } from '../../src/analysis/design.js';
import { flatTasks } from '../../src/analysis/flat-tasks.js';
import { taskScales } from '../../src/analysis/rope.js';
import {
  priorRowsInUserUnits,
  responseScale,
  standardizePriors,
  unstandardizeDraws,
} from '../../src/analysis/standardize.js';
import type { Comparison, ComparisonPair } from '../../src/analysis/types.js';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import { type ComparisonRun, comparisonPriors, runComparison } from '../../src/pipeline/compare.js';

/** The table with its score (and se) column multiplied by k. */
function rescaled(table: Table, k: number): Table {
  const columns = { ...table.columns };
  // a neutral metric name: scores x 1e-6 are not an accuracy, and the default ROPE under test is
  // the data rule (0.1 x the pooled within-task sd), which moves with the units
  const n = table.nRows;
  columns.metric = { type: 'factor', levels: ['score_units'], codes: new Int32Array(n) };
  for (const name of ['value', 'std']) {
    const c = columns[name];
    if (c?.type === 'numeric')
      columns[name] = { type: 'numeric', values: c.values.map((v) => v * k) };
  }
  return { ...table, columns };
}

describe('standardized response: the units of the scores do not matter', () => {
  it('moves user priors into the model units and the rows back', () => {
    const s = { center: 50, scale: 10 };
    expect(
      standardizePriors(
        [
          'Intercept ~ normal(60, 20)',
          'sd_task ~ student_t(3, 0, 5)',
          'sigma ~ exponential(0.1)',
          'nu ~ gamma(2, 0.1)',
        ],
        s,
      ),
    ).toEqual([
      'Intercept ~ normal(1, 2)',
      'sd_task ~ student_t(3, 0, 0.5)',
      'sigma ~ exponential(1)',
      'nu ~ gamma(2, 0.1)',
    ]);
    const back = priorRowsInUserUnits(
      [
        {
          class: 'Intercept',
          coef: '',
          group: '',
          prior: 'student_t(3, 0.1, 2.5)',
          source: 'default',
        },
        { class: 'sd', coef: '', group: 'task', prior: 'student_t(3, 0, 2.5)', source: 'default' },
      ],
      s,
    );
    expect(back.map((r) => r.prior)).toEqual(['student_t(3, 51, 25)', 'student_t(3, 0, 25)']);
  });

  it('maps draws back: intercept shifted and scaled, effects and sds scaled, nu unchanged', () => {
    const draws = {
      nDraws: 2,
      nChains: 1,
      variables: [
        'b_Intercept',
        'r_task[a,Intercept]',
        'sd_task__Intercept',
        'sigma',
        'nu',
        'lp__',
      ],
      values: Float64Array.from([0, 1, 2, -1, 1, 0.5, 0.1, 0.2, 3, 4, -7, -8]),
    };
    unstandardizeDraws(draws, { center: 100, scale: 10 });
    expect(Array.from(draws.values)).toEqual([100, 110, 20, -10, 10, 5, 1, 2, 3, 4, -7, -8]);
  });

  it('only standardizes identity-link families', () => {
    const t = parseCsv('heuristic,task,score\na,x,1\nb,x,3\n', { source: 's.csv' });
    expect(responseScale(t, 'gaussian')).toEqual({ center: 2, scale: Math.SQRT2 });
    expect(responseScale(t, 'binomial')).toBeNull();
  });

  // Three fits of the LRA table (11 heuristics x 5 tasks) with compare's default settings. Scores
  // x 1e-6 gave R-hat 2.37 and x 1e12 R-hat 1.8 before the response was standardized.
  const runs: Record<string, Promise<ComparisonRun>> = {};
  const fitAt = (k: number) => {
    runs[k] ??= readCsvFile('fixtures/real/lra_tay2021.csv').then((t) =>
      runComparison(rescaled(t, k), { sampler: { seed: 1 } }),
    );
    return runs[k];
  };

  /**
   * Tolerance for one probability estimated by two independent runs: 4 standard errors of the
   * difference, sqrt(p(1 - p) (1/ESS1 + 1/ESS2)), with each run's smallest bulk ESS standing in for
   * the ESS of the indicator. The scaled data differ from the original in the last bits, the
   * chains' trajectories diverge after a few hundred iterations, so the runs are independent
   * Monte Carlo estimates of the same posterior; 4 SE keeps the false-alarm rate near 1e-4 per
   * quantity. A 0.002 floor covers p near 0 or 1, where the normal approximation fails.
   */
  const tol = (p: number, a: Comparison, b: Comparison) =>
    Math.max(
      0.002,
      4 *
        Math.sqrt(p * (1 - p) * (1 / a.diagnostics.min_ess_bulk + 1 / b.diagnostics.min_ess_bulk)),
    );

  const deciding = (p: ComparisonPair) => Math.max(p.p_a_better, p.p_rope, p.p_b_better);

  it('records the priors in the score units, as comparisonPriors previews them', async () => {
    const run = await fitAt(1);
    const priors = run.comparison.settings?.priors as { class: string; prior: string }[];
    expect(comparisonPriors(run.prepared.table, run.spec)).toEqual(priors);
    // brms's rule on the standardized score: sd ~ student_t(3, 0, 2.5) there, 2.5 x sd(y) here
    const settings = run.comparison.settings ?? {};
    const sdY = (settings.response_scale as { scale: number }).scale;
    const sd = priors.find((p) => p.class === 'sd')?.prior;
    expect(sd).toBe(`student_t(3, 0, ${Number((2.5 * sdY).toPrecision(6))})`);
  }, 300_000);

  for (const k of [1e-6, 1e12]) {
    it(`converges on scores x ${k} and agrees with the original within Monte Carlo error`, async () => {
      const [base, scaled] = await Promise.all([fitAt(1), fitAt(k)]);
      const a = base.comparison;
      const b = scaled.comparison;
      expect(b.diagnostics.max_rhat).toBeLessThanOrEqual(1.01);
      expect(b.diagnostics.divergent).toBe(0);
      // the default ROPE is 0.1 x the pooled within-task sd: in the user's units, so it scales
      expect((b.settings?.rope as number) / k).toBeCloseTo(a.settings?.rope as number, 9);
      expect(b.recommendation?.best).toBe(a.recommendation?.best);
      const pb = new Map(b.heuristics.map((h) => [h.name, h]));
      for (const h of a.heuristics) {
        const o = pb.get(h.name);
        expect(Math.abs((o?.p_best ?? -1) - h.p_best)).toBeLessThanOrEqual(tol(h.p_best, a, b));
        // means in the user's units: within 4 MCSE (posterior sd from the 90% interval / 3.29)
        const sd = (h.q95 - h.q5) / 3.29;
        const mcse =
          sd * Math.sqrt(1 / a.diagnostics.min_ess_bulk + 1 / b.diagnostics.min_ess_bulk);
        expect(Math.abs((o?.mean ?? Number.NaN) / k - h.mean)).toBeLessThanOrEqual(4 * mcse);
      }
      // the same decisions, except where a deciding probability is within Monte Carlo error of
      // the threshold in both runs (the decision then flips by chance)
      const threshold = a.settings?.threshold as number;
      const byKey = new Map(b.pairs.map((p) => [`${p.scope}|${p.a}|${p.b}`, p]));
      let flipped = 0;
      for (const p of a.pairs) {
        const q = byKey.get(`${p.scope}|${p.a}|${p.b}`) as ComparisonPair;
        for (const f of ['p_a_better', 'p_rope', 'p_b_better'] as const) {
          expect(Math.abs(q[f] - p[f])).toBeLessThanOrEqual(tol(p[f], a, b));
        }
        // P(A > B) has no ROPE, so it does not depend on the units either
        const g = p.p_a_greater as number;
        expect(Math.abs((q.p_a_greater as number) - g)).toBeLessThanOrEqual(tol(g, a, b));
        if (q.decision !== p.decision) {
          flipped++;
          // confident in one run: a deciding probability sits at the threshold; otherwise the
          // grading flipped: P(A > B) sits at 0.9 or 0.1 (src/analysis/decision.ts PROBABLE)
          if (isConfident(p.decision) || isConfident(q.decision)) {
            expect(Math.abs(deciding(p) - threshold)).toBeLessThanOrEqual(tol(threshold, a, b));
            expect(Math.abs(deciding(q) - threshold)).toBeLessThanOrEqual(tol(threshold, a, b));
          } else {
            const edge = g >= 0.5 ? PROBABLE : 1 - PROBABLE;
            expect(Math.abs(g - edge)).toBeLessThanOrEqual(tol(edge, a, b));
          }
        }
      }
      // a handful at most of the 495 pairs sit that close to the threshold
      expect(flipped).toBeLessThanOrEqual(10);
    }, 300_000);
  }
});

describe('flat data', () => {
  it('refuses all-equal scores with one clear line', async () => {
    const t = parseCsv(
      `heuristic,task,score\n${['a', 'b', 'c'].flatMap((h) => ['x', 'y'].map((k) => `${h},${k},0.3`)).join('\n')}\n`,
      { source: 'flat.csv' },
    );
    await expect(runComparison(t)).rejects.toThrow(DataError);
    await expect(runComparison(t)).rejects.toThrow(
      /^flat\.csv: all 6 scores are equal \(0\.3\): there is nothing to compare$/,
    );
  });

  it('centers a task whose scores are all equal on its value exactly (no rounding-noise scale)', () => {
    const t = parseCsv('heuristic,task,score\na,x,0.1\nb,x,0.1\nc,x,0.1\na,y,1\nb,y,2\nc,y,4\n');
    const sc = taskScales((t.columns.score as { values: Float64Array }).values, designFromTable(t));
    // the mean of three 0.1s is 0.10000000000000002: its rounding gave a scale of ~1e-17 before
    expect(sc.center[0]).toBe(0.1);
    expect(sc.scale[0]).toBe(1);
    expect(flatTasks(t).map((f) => f.task)).toEqual(['x']);
  });

  // 6 heuristics x 4 tasks; on task "flat" every heuristic scores 0.1
  const rows = ['heuristic,task,score'];
  const effect = [3, 1, 0, -1, -2, 2];
  for (let h = 0; h < 6; h++) {
    for (let k = 0; k < 3; k++) {
      rows.push(`h${h},t${k},${(50 + effect[h] + 3 * k + ((h * 7 + k * 3) % 5) * 0.3).toFixed(2)}`);
    }
    rows.push(`h${h},flat,0.1`);
  }
  const table = parseCsv(`${rows.join('\n')}\n`, { source: 'flat-task.csv' });

  for (const scale of ['none', 'task'] as const) {
    it(`reports the heuristics on a flat task as exactly equal, with a note (--scale ${scale})`, async () => {
      const { comparison: c } = await runComparison(table, {
        scale,
        // short chains: the flat task's results come from the data, not the draws
        sampler: { chains: 2, warmup: 300, draws: 300, seed: 1 },
      });
      const task = c.tasks.find((t) => t.name === 'flat');
      for (const cell of task?.heuristics ?? []) {
        expect([cell.mean, cell.q5, cell.q95]).toEqual([0.1, 0.1, 0.1]);
        expect(cell.p_best).toBeCloseTo(1 / 6, 12);
        expect(cell.expected_rank).toBe(3.5);
      }
      const pairs = c.pairs.filter((p) => p.scope === 'task:flat');
      expect(pairs).toHaveLength(15);
      for (const p of pairs) {
        expect(p).toMatchObject({
          p_a_better: 0,
          p_rope: 1,
          p_b_better: 0,
          decision: 'equivalent',
        });
      }
      expect(
        c.notes?.some((n) => /^no spread on task "flat" \(0\.1\).*exactly equal/.test(n)),
      ).toBe(true);
      // the other tasks keep the model's probabilities
      expect(c.pairs.some((p) => p.scope === 'task:t0' && p.p_rope < 1)).toBe(true);
    }, 300_000);
  }
});
