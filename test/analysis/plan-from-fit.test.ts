import { beforeAll, describe, expect, it } from 'vitest';
import { type PlanInput, planFromFit } from '../../src/analysis/plan-from-fit.js';
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
    // sorted by value, best first
    for (let i = 1; i < plan.candidates.length; i++) {
      expect(plan.candidates[i - 1].value_per_cost).toBeGreaterThanOrEqual(
        plan.candidates[i].value_per_cost,
      );
    }
    expect(plan.batch.runs).toHaveLength(3);
    const keys = plan.batch.runs.map((r) => `${r.heuristic}/${r.task}`);
    expect(new Set(keys).size).toBe(3);
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

  it('gives the same plan for the same seed', () => {
    const a = planFromFit(inputOf(run), { runs: 2, outcomes: 16, seed: 4, cellSeed: 3 });
    const b = planFromFit(inputOf(run), { runs: 2, outcomes: 16, seed: 4, cellSeed: 3 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('says "decided" where no batch can change the recommendation, and only there', () => {
    // local attention is last everywhere by a wide margin: its runs cannot change any best
    const hopeless = [
      { heuristic: 'local_attention', task: 'ListOps' },
      { heuristic: 'local_attention', task: 'Text' },
    ];
    const plan = planFromFit(inputOf(run), {
      runs: 1,
      candidates: hopeless,
      cellSeed: 3,
      stopThreshold: 0.9,
    });
    for (const v of plan.verdicts) {
      expect(v.decided).toBe(v.p_change_upper < 0.9 && v.reliable);
      expect(v.message.startsWith('decided: ')).toBe(v.decided);
    }
    // the overall best (bigbird, P(best) ~0.64) does not move on a local attention run; the
    // categories' near-equal P(best)s (symbolic: ~0.3 each) can swap on a slight reweighting
    const overall = plan.verdicts[0];
    expect(overall.p_change).toBeLessThan(0.1);
    expect(overall.decided).toBe(true);
    const strict = planFromFit(inputOf(run), { runs: 1, outcomes: 64, cellSeed: 3 });
    for (const v of strict.verdicts) {
      expect(v.decided).toBe(v.p_change_upper < 0.05 && v.reliable);
    }
    // symbolic (one task, P(best) ~0.3 among 11 close heuristics) is far from decided
    expect(strict.verdicts.find((v) => v.scope === 'symbolic')?.decided).toBe(false);
    expect(strict.overall.message).toMatch(/^not decided: the most useful next runs are /);
    // fewer outcomes than a 5% bound can resolve: never decided
    const few = planFromFit(inputOf(run), {
      runs: 1,
      outcomes: 32,
      candidates: hopeless,
      cellSeed: 3,
    });
    expect(few.verdicts.every((v) => !v.decided)).toBe(true);
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
