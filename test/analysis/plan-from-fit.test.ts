import { beforeAll, describe, expect, it } from 'vitest';
import {
  type PlanInput,
  planFromFit,
  planScopes,
  probabilityRule,
} from '../../src/analysis/plan-from-fit.js';
import {
  candidatesFromTable,
  costFromColumn,
  costFromTable,
} from '../../src/analysis/plan-inputs.js';
import { selectRows } from '../../src/data/access.js';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import { type ComparisonRun, runComparison } from '../../src/pipeline/compare.js';

// short chains keep the suite quick; the plan is checked against the same run's comparison
const sampler = { chains: 2, warmup: 300, draws: 300, seed: 3 };

function inputOf(run: ComparisonRun): PlanInput {
  return {
    table: run.prepared.table,
    draws: run.fit.draws,
    groups: run.model.groups,
    scale: run.prepared.scale,
    bounded: run.prepared.bounded,
    proportionUpper: run.prepared.proportionUpper,
  };
}

describe('planFromFit on the Tay LRA table', () => {
  let table: Table;
  let run: ComparisonRun;
  beforeAll(async () => {
    table = await readCsvFile('fixtures/real/lra_tay2021.csv');
    run = await runComparison(table, { sampler });
  }, 120_000);

  it('lists every heuristic x task cell as another seed, with values and weights', () => {
    const plan = planFromFit(inputOf(run), { runs: 3, outcomes: 32, cellSeed: 3 });
    expect(plan.candidates).toHaveLength(55);
    for (const c of plan.candidates) {
      expect(c.kind).toBe('seed');
      expect(c.runs).toBe(1);
      expect(c.value_per_cost).toBe(c.value);
      expect(Object.keys(c.p_change).sort()).toEqual(['overall', 'symbolic', 'text', 'vision']);
      expect(c.weights.rel_ess).toBeGreaterThan(0);
      expect(c.weights.rel_ess).toBeLessThanOrEqual(1);
    }
    // the batch is chosen by 'decide' (by default); single runs are ranked by value, best first
    expect(plan.settings.acquisition).toBe('decide');
    expect(plan.batch.p_decided).toBeGreaterThanOrEqual(0);
    expect(plan.batch.p_decided).toBeLessThanOrEqual(1);
    expect(plan.batch.runs.every((r) => r.p_decided !== undefined)).toBe(true);
    for (let i = 1; i < plan.candidates.length; i++) {
      expect(plan.candidates[i - 1].value_per_cost).toBeGreaterThanOrEqual(
        plan.candidates[i].value_per_cost,
      );
    }
    // the batch's cumulative value is in value's units: its last step is the batch's
    expect(plan.batch.runs[2].cumulative_value).toBeCloseTo(plan.batch.value, 12);
    // with acquisition 'settle', by settle_value, and the batch in its units
    const bySettle = planFromFit(inputOf(run), {
      runs: 3,
      outcomes: 32,
      cellSeed: 3,
      acquisition: 'settle',
    });
    expect(bySettle.settings.acquisition).toBe('settle');
    for (let i = 1; i < bySettle.candidates.length; i++) {
      expect(bySettle.candidates[i - 1].settle_value_per_cost).toBeGreaterThanOrEqual(
        bySettle.candidates[i].settle_value_per_cost,
      );
    }
    expect(bySettle.batch.runs[2].cumulative_value).toBeCloseTo(bySettle.batch.settle_value, 12);
    // forced exploration: floor(0.2 x 10) = 2 runs of the cells with the fewest runs come first
    const ten = planFromFit(inputOf(run), { runs: 10, outcomes: 32, cellSeed: 3 });
    expect(ten.settings.explore).toBe(0.2);
    expect(ten.batch.runs.map((r) => r.explore === true)).toEqual([
      true,
      true,
      ...Array(8).fill(false),
    ]);
    const none = planFromFit(inputOf(run), { runs: 10, outcomes: 32, cellSeed: 3, explore: 0 });
    expect(none.batch.runs.some((r) => r.explore)).toBe(false);
    expect(() => planFromFit(inputOf(run), { runs: 10, explore: 1.5 })).toThrow(/--explore/);
    expect(plan.batch.runs).toHaveLength(3);
    // every run of the batch is a candidate (a cell may be chosen twice: two more seeds)
    const keys = new Set(plan.candidates.map((c) => `${c.heuristic}/${c.task}`));
    for (const r of plan.batch.runs) expect(keys.has(`${r.heuristic}/${r.task}`)).toBe(true);
    expect(plan.verdicts.map((v) => v.scope)).toEqual(['overall', 'symbolic', 'text', 'vision']);
    for (const v of plan.verdicts) expect(v.runs).toHaveLength(3);
  });

  it("makes the recommendation with compare's rule: the same best on all draws", () => {
    const S = run.fit.draws.nDraws * run.fit.draws.nChains;
    const plan = planFromFit(inputOf(run), { runs: 1, outcomes: 8, maxDraws: S, cellSeed: 3 });
    const c = run.comparison;
    expect(plan.scopes[0].best).toBe(c.recommendation?.best);
    expect(plan.scopes[0].p_best).toBeCloseTo(c.recommendation?.p_best ?? Number.NaN, 12);
    for (const cat of c.categories) {
      const s = plan.scopes.find((x) => x.name === cat.name);
      expect(s?.best).toBe(cat.best);
      expect(s?.p_best).toBeCloseTo(cat.p_best, 12);
    }
  });

  it("planScopes: the plan's scopes and the loss part of each verdict, without the search", () => {
    const o = { runs: 2, outcomes: 8, seed: 4, cellSeed: 3 };
    const plan = planFromFit(inputOf(run), o);
    const quick = planScopes(inputOf(run), o);
    expect(quick.map(({ loss_ok, ...sc }) => sc)).toEqual(plan.scopes);
    // a wide ROPE makes some scope's loss small enough, a zero one none: both sides checked
    for (const rope of [undefined, 30, 0]) {
      const input = rope === undefined ? inputOf(run) : { ...inputOf(run), rope };
      const full = planFromFit(input, o);
      const scopes = planScopes(input, o);
      for (const [c, v] of full.verdicts.entries()) {
        expect(scopes[c].loss_ok).toBe(v.rope_loss <= v.loss_threshold);
        // "decided" needs the loss part: where it fails, the verdict is known without a batch
        if (!scopes[c].loss_ok) expect(v.decided).toBe(false);
      }
    }
  });

  it('gives the same plan for the same seed', () => {
    const a = planFromFit(inputOf(run), { runs: 2, outcomes: 16, seed: 4, cellSeed: 3 });
    const b = planFromFit(inputOf(run), { runs: 2, outcomes: 16, seed: 4, cellSeed: 3 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('states the stopping rule on the expected loss beyond half the ROPE, and applies it', () => {
    const plan = planFromFit(inputOf(run), { runs: 2, outcomes: 32, cellSeed: 3 });
    // compare's ROPE on this table: 1 accuracy point (1% of the 0-100 scale)
    const rope = run.comparison.settings?.rope;
    expect(plan.settings.rope).toBe(rope);
    expect(plan.settings).toMatchObject({ stop_rule: 'expected-loss', loss_margin: 0.5 });
    for (const [c, v] of plan.verdicts.entries()) {
      const sc = plan.scopes[c];
      expect(v.rule).toBe('expected-loss');
      expect(v.loss_threshold).toBeCloseTo(0.05 * 0.5, 12);
      expect(v.rope_loss).toBe(sc.rope_loss);
      expect(v.p_outside_rope).toBeCloseTo(1 - sc.p_within_rope, 12);
      // the loss beyond the margin never exceeds the opportunity cost, and Markov's bound holds
      expect(sc.rope_loss).toBeLessThanOrEqual(sc.expected_loss);
      expect(v.p_outside_rope).toBeLessThanOrEqual(sc.rope_loss / 0.5 + 1e-12);
      expect(v.decided).toBe(v.rope_loss <= v.loss_threshold && v.batch_value <= v.loss_threshold);
      expect(v.message.startsWith(v.decided ? 'decided: ' : 'not decided: ')).toBe(true);
    }
    // 11 heuristics within a few points on one run per cell: nothing is decided
    expect(plan.overall.decided).toBe(false);
    expect(plan.overall.message).toMatch(/^not decided: the most useful next runs are /);
  });

  it('says "decided" where the ROPE makes the recommendation safe: a wide ROPE', () => {
    // with a ROPE of 30 points every heuristic in the top group is a correct choice
    const wide = planFromFit({ ...inputOf(run), rope: 30 }, { runs: 1, outcomes: 16, cellSeed: 3 });
    expect(wide.settings.rope).toBe(30);
    for (const v of wide.verdicts) {
      expect(v.rope_loss).toBeLessThanOrEqual(v.loss_threshold);
      expect(v.decided).toBe(true);
    }
    expect(wide.overall.message).toMatch(/^decided: /);
    // a ROPE of 0: the loss is the plain opportunity cost and nothing is decided
    const none = planFromFit({ ...inputOf(run), rope: 0 }, { runs: 1, outcomes: 16, cellSeed: 3 });
    expect(none.verdicts.every((v) => !v.decided && v.loss_threshold === 0)).toBe(true);
    expect(none.scopes[0].rope_loss).toBe(none.scopes[0].expected_loss);
    expect(none.notes.some((n) => /the ROPE is 0/.test(n))).toBe(true);
  });

  it('the probability rule: P(within ROPE) minus 1.645 Monte Carlo se against 1 - alpha', () => {
    expect(probabilityRule({ pWithinRope: 0.99, se: 0.005, stopThreshold: 0.05 }).decided).toBe(
      true,
    );
    // 0.96 is above 0.95 but not by 1.645 se
    expect(probabilityRule({ pWithinRope: 0.96, se: 0.01, stopThreshold: 0.05 }).decided).toBe(
      false,
    );
    const o = { runs: 1, outcomes: 16, cellSeed: 3, stopRule: 'p-within-rope' as const };
    for (const rope of [undefined, 30]) {
      const input = rope === undefined ? inputOf(run) : { ...inputOf(run), rope };
      const plan = planFromFit(input, o);
      expect(plan.settings.stop_rule).toBe('p-within-rope');
      const S = plan.settings.draws_used;
      for (const [c, v] of plan.verdicts.entries()) {
        const sc = plan.scopes[c];
        expect(v.rule).toBe('p-within-rope');
        expect(v.p_outside_rope_se).toBe(sc.p_within_rope_se);
        // an se of a probability: at least that of S independent draws' (Jeffreys' p), at most 0.5
        const pt = (Math.round(sc.p_within_rope * S) + 0.5) / (S + 1);
        expect(sc.p_within_rope_se).toBeGreaterThanOrEqual(Math.sqrt((pt * (1 - pt)) / S) - 1e-12);
        expect(sc.p_within_rope_se).toBeLessThanOrEqual(0.5);
        expect(v.decided).toBe(sc.p_within_rope - 1.6448536269514722 * sc.p_within_rope_se >= 0.95);
        expect(v.message.startsWith(v.decided ? 'decided: ' : 'not decided: ')).toBe(true);
      }
      // one run per cell on the Tay table: nothing is decided; with a ROPE of 30 points all is
      expect(plan.overall.decided).toBe(rope === 30);
    }
    expect(() => planFromFit(inputOf(run), { stopRule: 'sometimes' as 'p-within-rope' })).toThrow(
      /--stop-rule must be expected-loss or p-within-rope/,
    );
  });

  it('divides by cost', () => {
    const cost = costFromTable(parseCsv('heuristic,cost\nbigbird,4\n', { source: 'costs.csv' }));
    const only = [
      { heuristic: 'bigbird', task: 'Text' },
      { heuristic: 'bigbird', task: 'ListOps' },
    ];
    const plan = planFromFit(inputOf(run), {
      runs: 1,
      outcomes: 16,
      cellSeed: 3,
      candidates: only,
      cost,
    });
    for (const c of plan.candidates) {
      expect(c.cost).toBe(4);
      expect(c.value_per_cost).toBeCloseTo(c.value / 4, 12);
    }
    expect(() =>
      planFromFit(inputOf(run), {
        runs: 1,
        outcomes: 4,
        candidates: [{ heuristic: 'reformer', task: 'Text' }],
        cost,
      }),
    ).toThrow(/costs\.csv: no cost for "reformer" on "Text"/);
  });

  it('plans a missing cell and a new task; refuses unknown heuristics and tasks without category', async () => {
    // drop reformer on ListOps: that cell is missing
    const keep = Int32Array.from(
      Array.from({ length: table.nRows }, (_, i) => i).filter(
        (i) =>
          !(cellOf(table, 'heuristic', i) === 'reformer' && cellOf(table, 'task', i) === 'ListOps'),
      ),
    );
    const part = await runComparison(selectRows(table, keep), { sampler });
    const plan = planFromFit(inputOf(part), {
      runs: 1,
      outcomes: 16,
      cellSeed: 3,
      candidates: [
        { heuristic: 'reformer', task: 'ListOps' },
        { heuristic: 'reformer', task: 'Text' },
        { heuristic: 'reformer', task: 'Matching', category: 'text' },
      ],
    });
    const kind = Object.fromEntries(plan.candidates.map((c) => [c.task, c.kind]));
    expect(kind).toEqual({ ListOps: 'cell', Text: 'seed', Matching: 'task' });
    expect(plan.candidates.find((c) => c.task === 'Matching')?.category).toBe('text');
    expect(() =>
      planFromFit(inputOf(run), { candidates: [{ heuristic: 'nope', task: 'Text' }] }),
    ).toThrow(DataError);
    expect(() =>
      planFromFit(inputOf(run), { candidates: [{ heuristic: 'reformer', task: 'Matching' }] }),
    ).toThrow(/task "Matching" is not in the data; give its category/);
  }, 120_000);
});

function cellOf(t: Table, name: string, i: number): string {
  const c = t.columns[name];
  return c?.type === 'factor' ? c.levels[c.codes[i]] : '';
}

describe('planner inputs from tables', () => {
  it('reads candidates with an optional category', () => {
    const t = parseCsv('heuristic,task,category\na,t1,\nb,t9,text\n', { source: 'cand.csv' });
    expect(candidatesFromTable(t)).toEqual([
      { heuristic: 'a', task: 't1' },
      { heuristic: 'b', task: 't9', category: 'text' },
    ]);
    expect(() => candidatesFromTable(parseCsv('heuristic\na\n', { source: 'c.csv' }))).toThrow(
      /c\.csv: no column "task"/,
    );
  });

  it('costs from a column: the cell mean, else the heuristic mean, else the overall mean', () => {
    const t = parseCsv('m,task,gpu\na,t1,2\na,t1,4\na,t2,6\nb,t1,10\n', { source: 'runs.csv' });
    const cost = costFromColumn(t, 'gpu', 'm', 'task');
    expect(cost({ heuristic: 'a', task: 't1' })).toBe(3);
    expect(cost({ heuristic: 'a', task: 't3' })).toBe(4);
    expect(cost({ heuristic: 'c', task: 't1' })).toBe(5.5);
    expect(() => costFromColumn(t, 'hours', 'm', 'task')).toThrow(
      /"hours" is neither a file nor a column/,
    );
    const bad = parseCsv('m,task,gpu\na,t1,-1\n', { source: 'runs.csv' });
    expect(() => costFromColumn(bad, 'gpu', 'm', 'task')).toThrow(
      /runs\.csv: line 2: column "gpu" must be a number > 0/,
    );
  });
});

describe('per-backbone candidates', () => {
  it('plans a missing heuristic x task x backbone cell and checks named backbones', async () => {
    // 3 heuristics x 3 tasks x 2 backbones, one run per cell; c never ran t0 on m2
    const rows = ['heuristic,task,backbone,score'];
    const level = { a: 2, b: 1, c: 0 };
    for (const [h, lh] of Object.entries(level))
      for (let t = 0; t < 3; t++)
        for (const [m, lm] of [
          ['m1', 0],
          ['m2', 3],
        ] as const) {
          if (h === 'c' && t === 0 && m === 'm2') continue;
          // a fixed wobble so that cells are not exact
          rows.push(`${h},t${t},${m},${50 + 5 * t + lh + lm + 0.4 * Math.sin(7 * t + lh + lm)}`);
        }
    const table = parseCsv(`${rows.join('\n')}\n`, { source: 'bb.csv' });
    const run = await runComparison(table, { sampler });
    const plan = planFromFit(inputOf(run), { runs: 2, outcomes: 16, cellSeed: 3 });
    expect(plan.candidates).toHaveLength(18);
    const missing = plan.candidates.filter((c) => c.kind === 'cell');
    expect(missing.map((c) => `${c.heuristic}/${c.task}/${c.backbone}`)).toEqual(['c/t0/m2']);
    for (const c of plan.candidates) {
      expect(['m1', 'm2']).toContain(c.backbone);
      expect(c.runs).toBe(c.kind === 'cell' ? 0 : 1);
    }
    for (const r of plan.batch.runs) expect(['m1', 'm2']).toContain(r.backbone);
    expect(plan.notes.some((n) => /per heuristic x task x backbone/.test(n))).toBe(true);
    // a listed candidate may name a backbone of the data, not another
    const listed = planFromFit(inputOf(run), {
      runs: 1,
      outcomes: 8,
      cellSeed: 3,
      candidates: [
        { heuristic: 'c', task: 't0', backbone: 'm2' },
        { heuristic: 'c', task: 't0' },
      ],
    });
    expect(listed.candidates.map((c) => c.backbone ?? '(average)').sort()).toEqual([
      '(average)',
      'm2',
    ]);
    expect(() =>
      planFromFit(inputOf(run), { candidates: [{ heuristic: 'c', task: 't0', backbone: 'm9' }] }),
    ).toThrow(/row 1: backbone "m9" is not in the data \(one of m1, m2\)/);
    expect(
      candidatesFromTable(
        parseCsv('heuristic,task,backbone\na,t1,m2\nb,t1,\n', { source: 'c.csv' }),
      ),
    ).toEqual([
      { heuristic: 'a', task: 't1', backbone: 'm2' },
      { heuristic: 'b', task: 't1' },
    ]);
  }, 300_000);
});
