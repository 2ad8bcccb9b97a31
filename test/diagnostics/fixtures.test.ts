import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { essBasic, essQuantile } from '../../src/diagnostics/ess.js';
import { mcseQuantile } from '../../src/diagnostics/mcse.js';
import { rhatBasic } from '../../src/diagnostics/rhat.js';
import { summarize } from '../../src/diagnostics/summarize.js';
import type { SummaryRow } from '../../src/diagnostics/types.js';
import { readDrawsCsv } from '../../src/draws/csv.js';
import { variableBlock } from '../../src/draws/draws.js';

// The reference values are printed with 12 significant digits, so 1e-6 relative (the issue's
// requirement) is loose enough for the printing and tight enough to catch any algorithmic change.
const REL_TOL = 1e-6;
// Values that are exactly 0 in the reference (mcse of a discrete quantile) are compared absolutely.
const ABS_TOL = 1e-12;

const dir = join(import.meta.dirname, '../../fixtures/diagnostics');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.replace('.expected.json', ''));

type Expected = Record<string, number | string | null>;

/**
 * Known ill-conditioned values. In heavy_tails, the two middle draws of t3 and lognorm are symmetric
 * about the median, so their folded values |x - median| tie up to one ulp and which one ranks first
 * is decided by the last bit of the input. The CSV stores 15 significant digits, and the fixture
 * values were evidently computed from the unrounded draws: R with posterior 1.4.0 (the same rhat
 * algorithm, docs/ALGORITHMS.md §5.3) run on this CSV gives exactly our values below, and perturbing the
 * CSV draws by 1e-14 relative reproduces the fixture values. For these we require agreement with the
 * R-on-CSV value to 1e-12 and with the fixture to 1e-5 (the size of one rank swap of the central pair).
 */
const ILL_CONDITIONED: Record<string, { onCsv: number; tol: number }> = {
  'heavy_tails t3 rhat': { onCsv: 0.999867418679588, tol: 1e-5 },
  'heavy_tails lognorm rhat': { onCsv: 0.999513323488016, tol: 1e-5 },
};

function check(label: string, actual: number, expected: number | null) {
  const ill = ILL_CONDITIONED[label];
  if (ill && expected !== null) {
    // 1e-12: R printed 15 digits of the R-on-CSV value.
    expect
      .soft(Math.abs(actual - ill.onCsv) / ill.onCsv, `${label} vs R on the CSV`)
      .toBeLessThan(1e-12);
    expect
      .soft(Math.abs(actual - expected) / expected, `${label} vs fixture`)
      .toBeLessThan(ill.tol);
    return;
  }
  if (expected === null) {
    expect.soft(actual, label).toBeNaN();
    return;
  }
  const err = Math.abs(actual - expected);
  const ok = expected === 0 ? err <= ABS_TOL : err / Math.abs(expected) <= REL_TOL;
  expect.soft(ok, `${label}: ${actual} vs ${expected}`).toBe(true);
}

const ROW_KEYS: [keyof SummaryRow, string][] = [
  ['mean', 'mean'],
  ['sd', 'sd'],
  ['median', 'median'],
  ['mad', 'mad'],
  ['q5', '5%'],
  ['q95', '95%'],
  ['rhat', 'rhat'],
  ['ess_bulk', 'ess_bulk'],
  ['ess_tail', 'ess_tail'],
  ['mcse_mean', 'mcse_mean'],
  ['mcse_sd', 'mcse_sd'],
];

describe('fixtures/diagnostics: posterior 1.7.1 summarise_draws', () => {
  it('has the seven cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(7);
  });
  for (const name of cases) {
    it(name, () => {
      const expected = JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8'));
      const { draws } = readDrawsCsv(readFileSync(join(dir, `${name}.csv`), 'utf8'), `${name}.csv`);
      expect(draws.nChains).toBe(expected.chains);
      expect(draws.nDraws).toBe(expected.draws_per_chain);
      const summary = summarize(draws);
      for (const ev of expected.variables as Expected[]) {
        const v = draws.variables.indexOf(ev.variable as string);
        expect(v, `variable ${ev.variable}`).toBeGreaterThanOrEqual(0);
        const row = summary.variables[v];
        for (const [ours, theirs] of ROW_KEYS) {
          check(
            `${name} ${ev.variable} ${theirs}`,
            row[ours] as number,
            ev[theirs] as number | null,
          );
        }
        // Values outside summarize's row: by the single functions.
        const x = variableBlock(draws, v);
        const { nDraws: n, nChains: m } = draws;
        check(
          `${name} ${ev.variable} rhat_basic`,
          rhatBasic(x, n, m),
          ev.rhat_basic as number | null,
        );
        check(`${name} ${ev.variable} ess_basic`, essBasic(x, n, m), ev.ess_basic as number | null);
        check(
          `${name} ${ev.variable} mcse_q5`,
          mcseQuantile(x, n, m, 0.05),
          ev.mcse_q5 as number | null,
        );
        check(
          `${name} ${ev.variable} mcse_q95`,
          mcseQuantile(x, n, m, 0.95),
          ev.mcse_q95 as number | null,
        );
        // ess_tail from the single function agrees with the fused row.
        const tail = Math.min(essQuantile(x, n, m, 0.05), essQuantile(x, n, m, 0.95));
        check(`${name} ${ev.variable} ess_tail (single)`, tail, ev.ess_tail as number | null);
      }
    });
  }
});
