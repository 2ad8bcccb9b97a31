import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/diagnostics/summarize.js';
import type { Summary, SummaryRow } from '../../src/diagnostics/types.js';
import { createDraws, SAMPLER_FIELDS } from '../../src/draws/draws.js';
import {
  formatBanner,
  formatSummaryTable,
  formatWithMcse,
  mcseDecimals,
} from '../../src/report/text.js';
import { ar1Block } from './generators.js';

const N = 200;
const M = 4;

function summaryWith(shift: number, divergentDraws: number[]): Summary {
  const d = createDraws(N, M, ['mu']);
  d.values.set(ar1Block(N, M, 0, 9));
  for (let i = 0; i < N; i++) d.values[i] += shift;
  const s = createDraws(N, M, SAMPLER_FIELDS);
  const iDiv = SAMPLER_FIELDS.indexOf('divergent__');
  const iE = SAMPLER_FIELDS.indexOf('energy__');
  s.values.set(ar1Block(N, M, 0, 10), iE * N * M);
  for (const k of divergentDraws) s.values[iDiv * N * M + k] = 1;
  return summarize(d, s);
}

describe('formatBanner', () => {
  it('one PASS line per check and an all-passed verdict', () => {
    const text = formatBanner(summaryWith(0, []));
    expect(text).toMatch(/^Diagnostics: all 6 checks passed/);
    for (const label of ['R-hat', 'Bulk ESS', 'Tail ESS', 'Divergent', 'tree depth', 'E-BFMI']) {
      expect(text).toMatch(new RegExp(`PASS .*${label}`));
    }
    expect(text).not.toMatch(/remedy/);
  });

  it('failing lines say FAIL and carry their remedy; the verdict says checks failed', () => {
    const text = formatBanner(summaryWith(3, [5, 17]));
    expect(text).toMatch(/^Diagnostics: \d of 6 checks FAILED/);
    expect(text).toMatch(/FAIL .*R-hat/);
    expect(text).toMatch(/FAIL .*Divergent transitions .*2/);
    expect(text).toMatch(/remedy: .*adapt_delta/s);
    expect(text).toMatch(/remedy: .*[Rr]un longer chains/s);
    // ASCII only, so terminals and logs show it as is
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
  });

  it('without sampler statistics the sampler checks are marked not available', () => {
    const s = summaryWith(0, []);
    const text = formatBanner({ ...s, sampler: null }, { chains: M });
    expect(text).toMatch(/n\/a .*Divergent/);
    expect(text).toMatch(/not available/);
  });
});

describe('formatSummaryTable', () => {
  const row: SummaryRow = {
    variable: 'b_Intercept',
    mean: 5.00114386803,
    median: 5.00086926222,
    sd: 0.0991007321811,
    mad: 0.101793938042,
    q5: 4.84104240543,
    q95: 5.164313418,
    rhat: 0.999571008175,
    ess_bulk: 4019.38474417,
    ess_tail: 4013.4407283,
    mcse_mean: 0.00156291479781,
    mcse_sd: 0.00108107015232,
  };

  it('rounds to the MCSE, R-hat to 3 decimals, ESS to integers; NA for NaN', () => {
    const nan: SummaryRow = {
      ...row,
      variable: 'k',
      rhat: Number.NaN,
      ess_bulk: Number.NaN,
      mcse_mean: Number.NaN,
    };
    const lines = formatSummaryTable([row, nan]).trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual([
      'variable',
      'mean',
      'median',
      'sd',
      'mad',
      'q5',
      'q95',
      'rhat',
      'ess_bulk',
      'ess_tail',
      'mcse_mean',
      'mcse_sd',
    ]);
    expect(lines[1].split(/\s+/)).toEqual([
      'b_Intercept',
      '5.001',
      '5.001',
      '0.099',
      '0.102',
      '4.841',
      '5.164',
      '1.000',
      '4019',
      '4013',
      '0.0016',
      '0.0011',
    ]);
    const cells = lines[2].split(/\s+/);
    expect(cells[7]).toBe('NA');
    expect(cells[8]).toBe('NA');
    expect(cells[1]).toBe('5.001'); // no MCSE: 4 significant digits
  });

  it('maxRows cuts the table and says how many rows are left out', () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ ...row, variable: `v${i}` }));
    const text = formatSummaryTable(rows, { maxRows: 2 });
    expect(text.trimEnd().split('\n')).toHaveLength(4);
    expect(text).toMatch(/3 more variables not shown/);
  });

  it('mcseDecimals and formatWithMcse', () => {
    expect(mcseDecimals(0.0157)).toBe(2);
    expect(mcseDecimals(3)).toBe(0);
    expect(mcseDecimals(0)).toBeUndefined();
    expect(formatWithMcse(0.0123571746223, 0.015705847651)).toBe('0.01');
    expect(formatWithMcse(-0.0004, 0.01)).toBe('0.00');
    expect(formatWithMcse(1234.5678, 12)).toBe('1235');
    expect(formatWithMcse(Number.POSITIVE_INFINITY, 1)).toBe('Inf');
  });
});
