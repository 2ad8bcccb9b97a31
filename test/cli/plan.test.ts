import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanDocument } from '../../src/analysis/plan-from-fit.js';
import type { BacktestResult } from '../../src/pipeline/backtest.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const tay = 'fixtures/real/lra_tay2021.csv';
// reduced draws keep the suite short
const short = ['--chains', '2', '--warmup', '300', '--draws', '300', '--quiet'];

function run(command: string, ...args: string[]) {
  const r = spawnSync(tsx, ['src/cli/main.ts', command, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'bb-plan-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('bayesbench plan', () => {
  it('prints one plan document with --json: candidates, batch, verdicts', () => {
    const r = run('plan', tay, ...short, '--runs', '2', '--outcomes', '16', '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanDocument;
    expect(Object.keys(plan).sort()).toEqual([
      'batch',
      'candidates',
      'notes',
      'overall',
      'scopes',
      'settings',
      'verdicts',
    ]);
    expect(plan.candidates).toHaveLength(55);
    expect(plan.batch.runs).toHaveLength(2);
    expect(plan.settings).toMatchObject({
      runs: 2,
      stop_runs: 2,
      stop_threshold: 0.05,
      outcomes: 16,
    });
    expect(plan.verdicts).toHaveLength(4);
    // the stopping rule on the expected loss, with the ROPE compare used (1 accuracy point)
    expect(plan.settings).toMatchObject({ rope: 1, loss_margin: 0.5, stop_rule: 'expected-loss' });
    for (const v of plan.verdicts) {
      expect(v.rule).toBe('expected-loss');
      expect(v.loss_threshold).toBeCloseTo(0.025, 12);
    }
  }, 240_000);

  it('prints the verdicts, the batch and the candidates for people, with costs from a file', () => {
    const costs = file('costs.csv', 'heuristic,task,cost\nbigbird,,2\nreformer,ListOps,0.5\n');
    const cands = file('cands.csv', 'heuristic,task\nbigbird,Text\nreformer,ListOps\n');
    const r = run(
      'plan',
      tay,
      ...short,
      '--runs',
      '1',
      '--outcomes',
      '16',
      '--cost',
      costs,
      '--candidates',
      cands,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Overall: (not )?decided/);
    expect(r.stdout).toMatch(/Stopping verdicts/);
    expect(r.stdout).toMatch(/Next batch of 1 run\(s\)/);
    expect(r.stdout).toMatch(/Single runs by value per unit cost \(2 of 2\)/);
  }, 240_000);

  it('refuses bad options and inputs with one line and exit 2, before fitting', () => {
    const bad = run('plan', tay, '--runs', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('bayesbench: --runs must be an integer >= 1 (got "0")');
    const missing = run('plan', tay, '--candidates', join(dir, 'none.csv'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--candidates: .*none\.csv: no such file/);
    const col = run('plan', tay, '--cost', 'gpu_hours', '--quiet');
    expect(col.code).toBe(2);
    expect(col.stderr.trim()).toMatch(
      /^bayesbench: --cost: "gpu_hours" is neither a file nor a column of/,
    );
    const strategy = run('backtest', tay, '--strategy', 'best');
    expect(strategy.code).toBe(2);
    expect(strategy.stderr.trim()).toBe(
      'bayesbench: --strategy must be plan, round-robin, random (got "best")',
    );
  }, 60_000);
});

describe('bayesbench backtest', () => {
  it('prints {strategy, simulations, runs_median, early_stop_rate} with --json', () => {
    const r = run(
      'backtest',
      tay,
      '--strategy',
      'round-robin',
      '--seed',
      '2',
      '--simulations',
      '1',
      '--first',
      '1',
      '--max-runs',
      '5',
      '--json',
      '--quiet',
    );
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout) as BacktestResult;
    expect(b.strategy).toBe('round-robin');
    expect(b.simulations).toBe(1);
    // one simulation: the median is its runs to settle (or the cap + 1 when unsettled)
    const p = b.per_simulation[0];
    expect(b.runs_median).toBe(p.runs_to_settle ?? 6);
    expect(b.early_stop_rate === 0 || b.early_stop_rate === 1).toBe(true);
    expect(p.trace[0].added).toBe(0);
    // the second simulation of the seed, run alone; its refits' convergence recorded
    expect(p.index).toBe(1);
    expect(b.refits).toBe(p.trace.length);
    expect(p.trace[0].rhat_max).toBeGreaterThan(0.9);
  }, 240_000);
});
