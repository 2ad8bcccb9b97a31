import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { loo } from '../../src/diagnostics/loo.js';
import { readDrawsCsv } from '../../src/draws/csv.js';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const tay = 'fixtures/real/lra_tay2021.csv';
// reduced draws keep the suite short (the numbers are checked against R in test/diagnostics)
const short = ['--chains', '2', '--warmup', '300', '--draws', '250', '--quiet'];
const dir = mkdtempSync(join(tmpdir(), 'bb-loo-'));

function run(...args: string[]) {
  const r = spawnSync(tsx, ['src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bayesbench loo', () => {
  const out = join(dir, 'll.csv');
  const r = run('loo', tay, ...short, '--json', '--log-lik-out', out);

  it('prints the LOO document with the README fields and writes the log-lik CSV', () => {
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    for (const k of [
      'elpd_loo',
      'se_elpd_loo',
      'p_loo',
      'se_p_loo',
      'looic',
      'se_looic',
      'pareto_k',
      'pareto_k_threshold',
      'pareto_k_table',
    ]) {
      expect(doc, k).toHaveProperty(k);
    }
    expect(doc.pointwise).toBe('integrated');
    expect(doc.observations).toBe(55);
    expect(doc.pareto_k).toHaveLength(55);
    expect(doc.looic).toBeCloseTo(-2 * doc.elpd_loo, 9);
    // the CSV holds the same matrix: loo on it gives the document's numbers
    const { draws } = readDrawsCsv(readFileSync(out, 'utf8'), out);
    expect(draws.variables[0]).toBe('log_lik[1]');
    expect(draws.nChains).toBe(2);
    const again = loo({
      nDraws: draws.nDraws,
      nChains: draws.nChains,
      nObs: draws.variables.length,
      values: draws.values,
    });
    // shortest round-trip decimals: the CSV is the matrix exactly
    expect(again.elpd_loo).toBe(doc.elpd_loo);
    expect(again.se_elpd_loo).toBe(doc.se_elpd_loo);
  });

  it('says which rows are unreliable in the text output', () => {
    const t = run('loo', tay, ...short, '--pointwise', 'conditional');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/elpd_loo/);
    expect(t.stdout).toMatch(/Pareto k diagnostic values \(threshold 0\.63\)/);
    expect(t.stdout).toMatch(/unreliable \(k above the threshold\)/);
  });

  it('rejects a bad --pointwise with exit 2 and one line', () => {
    const b = run('loo', tay, '--pointwise', 'marginal');
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/--pointwise must be auto or conditional/);
  });
});

describe('bayesbench compare --check', () => {
  it('fits the variants and reports loo_compare and whether the recommendation changes', () => {
    const r = run('compare', tay, ...short, '--check', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    const check = c.check;
    expect(check).toBeDefined();
    if (!check) return;
    expect(check.models.map((m) => m.name)).toEqual([
      'default',
      'without category terms',
      'student-t residuals',
    ]);
    expect(check.loo_compare).toHaveLength(3);
    expect(check.loo_compare[0].elpd_diff).toBe(0);
    for (const row of check.loo_compare.slice(1)) expect(row.elpd_diff).toBeLessThanOrEqual(0);
    const def = check.models[0];
    expect(def.best).toBe(c.recommendation?.best);
    expect(def.changes).toEqual([]);
    expect(typeof check.recommendation_changes).toBe('boolean');
    expect(check.models[2].family).toBe('student');
    expect(check.models[1].formula).not.toMatch(/category/);
    const ps = c.prior_sensitivity;
    expect(ps).toBeDefined();
    if (!ps) return;
    const names = ps.quantities.map((q) => q.quantity);
    expect(names).toContain('sigma');
    expect(names).toContain(`mean[${c.recommendation?.best}]`);
    for (const q of ps.quantities) {
      expect(q.prior).toBeGreaterThanOrEqual(0);
      expect(ps.flagged.includes(q.quantity)).toBe(q.prior >= ps.threshold);
    }
  });
});
