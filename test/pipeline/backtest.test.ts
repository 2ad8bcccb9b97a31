import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvFile } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import {
  type BacktestOptions,
  type BacktestTruth,
  backtest,
  backtestTruth,
} from '../../src/pipeline/backtest.js';

// short chains keep the test to seconds: the test checks bookkeeping and reproducibility, not the
// backtest's figures (those are `npm run backtest`'s, in VALIDATION.md)
const short = { chains: 2, warmup: 150, draws: 150 };

describe('backtest', () => {
  let table: Table;
  let truth: BacktestTruth;
  beforeAll(async () => {
    table = await readCsvFile('fixtures/real/lra_xformers.csv');
    truth = await backtestTruth(table, { truthSampler: short });
  }, 120_000);

  const options = (strategy: BacktestOptions['strategy']): BacktestOptions => ({
    strategy,
    simulations: 2,
    maxRuns: 10,
    batch: 5,
    seed: 3,
    sampler: short,
    outcomes: 16,
    planDraws: 200,
    truth,
  });

  it('gives the same simulations for the same seed, with each refit’s convergence recorded', async () => {
    const a = await backtest(table, options('round-robin'));
    const b = await backtest(table, options('round-robin'));
    expect(b.per_simulation).toEqual(a.per_simulation);
    expect(a.refits).toBe(a.per_simulation.reduce((n, p) => n + p.trace.length, 0));
    for (const p of a.per_simulation) {
      for (const x of p.trace) {
        expect(x.rhat_max).toBeGreaterThan(0.9);
        expect(Number.isInteger(x.divergent)).toBe(true);
        expect(x.ess_bulk_min).toBeGreaterThan(0);
      }
      // the starting design (every heuristic on every task here: categories of <= 2 tasks) plus
      // the runs added at the steps after the first
      const added = p.trace.at(-1)?.added ?? 0;
      expect(p.runs_by_heuristic?.reduce((x, y) => x + y, 0)).toBe(
        truth.heuristics.length * truth.tasks.length + added,
      );
      expect(p.final?.map((f) => f.scope)).toEqual(truth.scopes.map((s) => s.name));
      // the probability rule's stop: the first step it said "decided", wrong when not correct there
      expect(p.trace.every((x) => typeof x.p_rule_decided === 'boolean')).toBe(true);
      const stop = p.trace.find((x) => x.p_rule_decided);
      expect(p.p_rule_stopped_at).toBe(stop?.added ?? null);
      expect(p.p_rule_stopped_wrong).toBe(stop !== undefined && !stop.correct);
    }
    expect(a.refits_unconverged).toBe(
      a.per_simulation.reduce(
        (n, p) => n + p.trace.filter((x) => x.rhat_max > 1.01 || x.divergent > 0).length,
        0,
      ),
    );
  }, 120_000);

  it('stops starting simulations when asked (a time budget), and runs any range of them by index', async () => {
    const full = await backtest(table, { ...options('random'), simulations: 2 });
    let asked = 0;
    const cut = await backtest(table, { ...options('random'), stop: () => asked++ >= 1 });
    expect(cut.simulations).toBe(1);
    expect(cut.per_simulation[0]).toEqual(full.per_simulation[0]);
    // a simulation depends on the seed and its index only: run on its own, it is the same
    const second = await backtest(table, { ...options('random'), first: 1, simulations: 1 });
    expect(second.per_simulation).toEqual([full.per_simulation[1]]);
    expect(second.per_simulation[0].index).toBe(1);
  }, 120_000);
});
