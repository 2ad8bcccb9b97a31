import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { fitRows } from '../../src/data/fit-rows.js';
import { runCli, tempCsv } from './fit-cli-helpers.js';

// 2 studies x 3 groups x 2 rows; study "b" rows are shifted by +10
const CSV = [
  'y,g,paper,setup',
  ...['a', 'b'].flatMap((p, i) =>
    ['x', 'y', 'z'].flatMap((g, j) =>
      [0, 1].map((k) => `${(10 * i + j + 0.3 * k).toFixed(2)},${g},${p},s${k}`),
    ),
  ),
].join('\n');

const small = ['--chains', '2', '--warmup', '200', '--draws', '100', '--seed', '3', '--json'];

describe('fitRows (the rows and study column of `fit`)', () => {
  const table = parseCsv(`${CSV}\n`, { source: 'runs.csv' });

  it('keeps the rows every filter keeps: = keeps listed values, != drops them', () => {
    const { table: t, notes } = fitRows(table, { filters: ['g!=x,y', 'paper=a'] });
    expect(t.nRows).toBe(2);
    const g = t.columns.g;
    expect(g.type === 'factor' && Array.from(g.codes, (c) => g.levels[c])).toEqual(['z', 'z']);
    expect(notes).toEqual([
      'filter g!=x,y: 4 rows of 12 kept so far',
      'filter paper=a: 2 rows of 12 kept so far',
    ]);
  });

  it('gives compare\u2019s errors for a missing column, an unknown value, no rows left', () => {
    expect(() => fitRows(table, { filters: ['gg=x'] })).toThrow(/has no column "gg"/);
    expect(() => fitRows(table, { filters: ['g=w'] })).toThrow(/column "g" has no value "w"/);
    expect(() => fitRows(table, { filters: ['g=x', 'g=y'] })).toThrow(/leaves no rows/);
  });

  it('adds the study column from one column or two joined with @', () => {
    const one = fitRows(table, { study: 'paper' }).table.columns.study;
    expect(one.type === 'factor' && one.levels).toEqual(['a', 'b']);
    const two = fitRows(table, { study: 'paper+setup' });
    const s = two.table.columns.study;
    expect(s.type === 'factor' && s.levels).toEqual(['a@s0', 'a@s1', 'b@s0', 'b@s1']);
    expect(two.notes).toEqual(['study: "paper" + "setup" (4 levels) as the column "study"']);
    expect(() => fitRows(table, { study: 'nope' })).toThrow(/no column "nope" \(--study nope\)/);
  });

  it('refuses to shadow an existing "study" column', () => {
    const withStudy = parseCsv('y,study,other\n1,a,c\n2,b,d\n', { source: 's.csv' });
    expect(() => fitRows(withStudy, { study: 'other' })).toThrow(/already has a column "study"/);
    expect(fitRows(withStudy, { study: 'study' }).table).toBe(withStudy);
  });
});

describe('bayesbench fit --filter / --study', () => {
  it('--filter fits only the kept rows (levels of dropped rows get no effects)', async () => {
    const csv = tempCsv('runs.csv', `${CSV}\n`);
    const r = await runCli([
      'fit',
      csv,
      '--formula',
      'y ~ 1 + (1|g)',
      '--filter',
      'g!=z',
      ...small,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('note: filter g!=z: 8 rows of 12 kept so far');
    const names = JSON.parse(r.stdout).variables.map((v: { variable: string }) => v.variable);
    expect(names).toContain('r_g[x,Intercept]');
    expect(names).not.toContain('r_g[z,Intercept]');
  });

  it('--study makes the named column the formula\u2019s study', async () => {
    const csv = tempCsv('runs.csv', `${CSV}\n`);
    const r = await runCli([
      'fit',
      csv,
      '--formula',
      'y ~ 1 + (1|study)',
      '--study',
      'paper',
      ...small,
    ]);
    expect(r.code).toBe(0);
    const names = JSON.parse(r.stdout).variables.map((v: { variable: string }) => v.variable);
    expect(names).toEqual(expect.arrayContaining(['r_study[a,Intercept]', 'r_study[b,Intercept]']));
  });

  it('bad filters: one short line, exit 2, nothing fitted', async () => {
    const csv = tempCsv('runs.csv', `${CSV}\n`);
    const r = await runCli(['fit', csv, '--formula', 'y ~ 1 + (1|g)', '--filter', 'g=w', ...small]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/filter "g=w": column "g" has no value "w"/);
    expect(r.stderr).not.toMatch(/chain \d/);
  });
});
