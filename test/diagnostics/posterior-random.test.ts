import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { essBasic, essBulk, essMedian, essTail } from '../../src/diagnostics/ess.js';
import { mcseMean, mcseMedian, mcseQuantile } from '../../src/diagnostics/mcse.js';
import { rhat, rhatBasic } from '../../src/diagnostics/rhat.js';
import { rowWorkspace, summaryRow } from '../../src/diagnostics/summary-row.js';

// 24 random data sets with exact-double inputs and posterior's values (fixtures/diagnostics/
// SOURCE.md). With identical inputs our arithmetic follows posterior's step by step, so 1e-10
// relative (as docs/ALGORITHMS.md §10 asks) has room for summation order only (observed <= 5e-15).
const TOL = 1e-10;

interface Case {
  case: number;
  nDraws: number;
  nChains: number;
  values: number[];
  expected: Record<string, number | null>;
}

const file = join(import.meta.dirname, '../../fixtures/diagnostics/posterior-random.cases.json');
const cases: Case[] = JSON.parse(readFileSync(file, 'utf8')).cases;

function close(label: string, actual: number, expected: number | null) {
  if (expected === null) {
    expect.soft(actual, label).toBeNaN();
    return;
  }
  const err = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  expect.soft(err, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL);
}

describe('posterior on random AR(1) data (exact inputs)', () => {
  it('has 24 cases', () => {
    expect(cases).toHaveLength(24);
  });
  for (const c of cases) {
    it(`case ${c.case}: ${c.nChains} x ${c.nDraws}`, () => {
      const x = Float64Array.from(c.values);
      const n = c.nDraws;
      const m = c.nChains;
      const e = c.expected;
      close('rhat', rhat(x, n, m), e.rhat);
      close('rhat_basic', rhatBasic(x, n, m), e.rhat_basic);
      close('ess_bulk', essBulk(x, n, m), e.ess_bulk);
      close('ess_tail', essTail(x, n, m), e.ess_tail);
      close('ess_basic', essBasic(x, n, m), e.ess_basic);
      close('ess_median', essMedian(x, n, m), e.ess_median);
      close('mcse_mean', mcseMean(x, n, m), e.mcse_mean);
      close('mcse_q5', mcseQuantile(x, n, m, 0.05), e.mcse_q5);
      close('mcse_q95', mcseQuantile(x, n, m, 0.95), e.mcse_q95);
      close('mcse_median', mcseMedian(x, n, m), e.mcse_median);
      const row = summaryRow('x', x, rowWorkspace(n, m));
      close('row rhat', row.rhat, e.rhat);
      close('row ess_bulk', row.ess_bulk, e.ess_bulk);
      close('row ess_tail', row.ess_tail, e.ess_tail);
      close('row mcse_mean', row.mcse_mean, e.mcse_mean);
    });
  }
});
