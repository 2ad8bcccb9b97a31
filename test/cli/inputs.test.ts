import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
// short runs: these tests check what is read, not the posterior
const short = ['--chains', '2', '--warmup', '200', '--draws', '200', '--quiet'];

function run(...args: string[]) {
  const r = spawnSync(tsx, ['src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'bb-inputs-'));
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('compare and fit read wide tables and harness outputs', () => {
  it('compare on a wide table: detected, converted, the Avg column left out', () => {
    const r = run('compare', 'fixtures/wide/lra_tay2021_wide.csv', ...short, '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    expect(c.heuristics).toHaveLength(11);
    expect(r.stderr).toMatch(/note: read as a wide table/);
    expect(r.stderr).toMatch(/note: column "Avg" left out/);
  });

  it('compare on a wide table with mean ± sd cells and --n: se = sd/sqrt(n)', () => {
    const r = run('compare', 'fixtures/wide/lra_spe2021_mean_sd_wide.csv', '--n', '3', ...short);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/se = std\/sqrt\(n\) on every row/);
  });

  it('compare on a folder of harness results: one heuristic per run', () => {
    const r = run(
      'compare',
      'fixtures/harness/runs',
      '--heuristic-from',
      'model_args.kv_method',
      ...short,
      '--json',
    );
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    expect(c.heuristics.map((h) => h.name).sort()).toEqual(['full_kv', 'pyramidkv', 'snapkv']);
  });

  it('fit on the per-sample files (--items): items crossed with heuristics within tasks', () => {
    const r = run(
      'fit',
      'fixtures/harness/runs',
      '--items',
      '--formula',
      'score ~ 1 + (1|heuristic) + (1|task) + (1|task:item)',
      '--family',
      'bernoulli',
      ...short,
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { variables: { variable: string }[] };
    // 54 distinct task:item levels (24 + 8 + 12 + 10)
    const items = out.variables.filter((v) => v.variable.startsWith('r_task:item['));
    expect(items).toHaveLength(54);
  });

  it('bad input: one line naming the file, line and column, exit 2', () => {
    const f = write('bad_wide.csv', 'Model,ListOps,Text\nA,36.4 ± 0.2,64.3\nB,37.1 ± x,65.0\n');
    const r = run('compare', f, ...short);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      `bayesbench: ${f}: line 3, column "ListOps": "37.1 ± x" is not a score (a number, mean ± sd, mean +- sd or mean (sd); read as a wide table)`,
    );
    const j = write(
      'samples_t_2024-01-01T00-00-00.jsonl',
      '{"doc_id": 0, "acc": 1}\n{"doc_id": 1, "acc": }\n',
    );
    const rj = run('fit', j, '--formula', 'score ~ 1', ...short);
    expect(rj.code).toBe(2);
    expect(rj.stderr).toMatch(
      new RegExp(`^bayesbench: ${j.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 2: not JSON \\(`),
    );
    const rw = run('compare', 'fixtures/real/lra_tay2021.csv', '--wide', 'method', ...short);
    expect(rw.code).toBe(2);
    expect(rw.stderr).toMatch(/--wide takes heuristic or task/);
  });
});
