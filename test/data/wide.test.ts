import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellText } from '../../src/data/access.js';
import { detectColumns, prepareComparisonData } from '../../src/data/benchmark.js';
import { parseCsv, parseCsvRecords } from '../../src/data/csv.js';
import { parseInput, readInput } from '../../src/data/input.js';
import type { Table } from '../../src/data/table.js';
import { looksWide, parseWide, parseWideCell } from '../../src/data/wide.js';
import { ConfigError, DataError } from '../../src/errors.js';

const tayWide = 'fixtures/wide/lra_tay2021_wide.csv';
const pyramidWide = 'fixtures/wide/longbench_pyramidkv2024_llama3_128_wide.csv';
const speWide = 'fixtures/wide/lra_spe2021_mean_sd_wide.csv';

/** One sorted line per row, of the given columns (text as cellText prints it). */
function rowsOf(
  table: Table,
  columns: readonly string[],
  keep: (i: number) => boolean = () => true,
) {
  const out: string[] = [];
  for (let i = 0; i < table.nRows; i++) {
    if (keep(i)) out.push(columns.map((c) => cellText(table, c, i)).join(' | '));
  }
  return out.sort();
}

function wideError(text: string, opts = {}): string {
  try {
    parseWide(text, { source: 'w.csv', ...opts });
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('parseWideCell', () => {
  it('reads a number, mean ± sd, +-, +/-, (sd) and a trailing %', () => {
    expect(parseWideCell('45.2')).toEqual({ score: 45.2, std: Number.NaN, stdRounding: 0.5 });
    expect(parseWideCell('45.2 ± 0.3')).toMatchObject({ score: 45.2, std: 0.3 });
    expect(parseWideCell('45.2±0.31')).toMatchObject({
      score: 45.2,
      std: 0.31,
      stdRounding: 0.005,
    });
    expect(parseWideCell('45.2 +- 0.3')).toMatchObject({ score: 45.2, std: 0.3 });
    expect(parseWideCell('45.2 +/- 0.3')).toMatchObject({ score: 45.2, std: 0.3 });
    expect(parseWideCell('45.2 (0.3)')).toMatchObject({ score: 45.2, std: 0.3 });
    expect(parseWideCell('45.2% (± 0.3%)')).toMatchObject({ score: 45.2, std: 0.3 });
    expect(parseWideCell('-1e-2')).toMatchObject({ score: -0.01 });
  });
  it('tells missing results from text', () => {
    for (const m of ['', '-', '–', 'N/A', 'na', ' — ']) expect(parseWideCell(m)).toBe('missing');
    for (const t of ['abc', '45.2 ± x', '45.2 (', '1,5', '45.2 ± 0.3 ± 1', '0x10']) {
      expect(parseWideCell(t)).toBeUndefined();
    }
  });
});

describe('wide tables: the long conversion equals the published long table', () => {
  it('Tay et al. LRA table 1 (a category row, an Avg column) gives the rows of fixtures/real', () => {
    const { table, notes } = parseWide(readFileSync(tayWide), { source: tayWide });
    const original = parseCsv(readFileSync('fixtures/real/lra_tay2021.csv'));
    expect(rowsOf(table, ['heuristic', 'task', 'category', 'score'])).toEqual(
      rowsOf(original, ['heuristic_label', 'task', 'task_category', 'value']),
    );
    expect(table.nRows).toBe(55);
    expect(notes.join('\n')).toMatch(/column "Avg" left out/);
    // each long row points at its line of the wide file (line 3 is the first method)
    expect(table.lines?.[0]).toBe(3);
  });

  it('a LongBench table with categories over tasks (two header rows, merged cells) and a budget column', () => {
    const { table } = parseWide(readFileSync(pyramidWide), { source: pyramidWide });
    const original = parseCsv(readFileSync('fixtures/real/longbench_pyramidkv2024.csv'));
    const model = original.columns.model;
    const budget = original.columns.budget;
    const keep = (i: number) =>
      model.type === 'factor' &&
      model.levels[model.codes[i]] === 'Meta-Llama-3-8B-Instruct' &&
      budget.type === 'numeric' &&
      (Number.isNaN(budget.values[i]) || budget.values[i] === 128);
    expect(rowsOf(table, ['heuristic', 'Budget', 'task', 'category', 'score'])).toEqual(
      rowsOf(original, ['heuristic', 'budget', 'task', 'task_category', 'value'], keep),
    );
    expect(table.nRows).toBe(80);
  });

  it('mean ± sd cells with --n give se = sd/sqrt(n) in the comparison data', () => {
    const { table, notes } = parseWide(readFileSync(speWide), { source: speWide, n: 3 });
    const perSeed = parseCsv(readFileSync('fixtures/real/lra_spe2021_per_seed.csv'));
    // the wide cells were written from the per-seed file: mean and sample sd over its 3 seeds
    const seeds = new Map<string, number[]>();
    for (let i = 0; i < perSeed.nRows; i++) {
      const key = `${cellText(perSeed, 'heuristic', i)}|${cellText(perSeed, 'task', i)}`;
      seeds.set(key, [...(seeds.get(key) ?? []), Number(cellText(perSeed, 'value', i))]);
    }
    expect(table.nRows).toBe(15); // 16 cells, one "-"
    for (let i = 0; i < table.nRows; i++) {
      const xs = seeds.get(`${cellText(table, 'heuristic', i)}|${cellText(table, 'task', i)}`);
      expect(xs).toHaveLength(3);
      const mean = (xs as number[]).reduce((a, b) => a + b, 0) / 3;
      const sd = Math.sqrt((xs as number[]).reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
      const score = Number(cellText(table, 'score', i));
      const std = Number(cellText(table, 'std', i));
      // the cells print 2 decimals: within half a unit of the last digit (+ float slack)
      expect(Math.abs(score - mean)).toBeLessThanOrEqual(0.005 + 1e-9);
      // an sd printed as 0.00 becomes 0.005, the largest sd that prints so (still within 0.005)
      expect(Math.abs(std - sd)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(std).toBeGreaterThan(0);
      expect(cellText(table, 'n', i)).toBe('3');
    }
    expect(notes.join('\n')).toMatch(/2 cells give sd 0/);
    const data = prepareComparisonData(table, detectColumns(table));
    const se = data.table.columns.se;
    const std = table.columns.std;
    expect(se?.type).toBe('numeric');
    if (se?.type === 'numeric' && std.type === 'numeric') {
      for (let k = 0; k < data.table.nRows; k++) {
        // exact arithmetic on the same doubles
        expect(se.values[k]).toBe(std.values[data.rows[k]] / Math.sqrt(3));
      }
    }
  });

  it('without --n the sd is kept in a std column and a note says how to use it', () => {
    const { table, notes } = parseWide(readFileSync(speWide), { source: speWide });
    expect(table.names).toEqual(['heuristic', 'task', 'score', 'std']);
    expect(notes.join('\n')).toMatch(/give --n/);
  });

  it('tasks as rows with --wide task', () => {
    const text =
      'Task,snapkv,h2o\nNarrativeQA,21.19,22.12\nQasper,13.55,13.20\nAverage,17.37,17.66\n';
    const { table, notes } = parseWide(text, { labelRole: 'task' });
    expect(rowsOf(table, ['heuristic', 'task', 'score'])).toEqual(
      [
        'h2o | NarrativeQA | 22.12',
        'h2o | Qasper | 13.2',
        'snapkv | NarrativeQA | 21.19',
        'snapkv | Qasper | 13.55',
      ].sort(),
    );
    expect(notes.join('\n')).toMatch(/row "Average" left out/);
  });

  it('detection: wide files are wide, the long fixtures are not', () => {
    for (const f of [tayWide, pyramidWide, speWide]) {
      expect(looksWide(parseCsvRecords(readFileSync(f)).records)).toBe(true);
    }
    for (const f of [
      'fixtures/real/lra_tay2021.csv',
      'fixtures/real/longbench_pyramidkv2024.csv',
      'fixtures/real/lra_spe2021_per_seed.csv',
      'fixtures/real/ruler_catekv2025.csv',
      'fixtures/bad/no_score_column.csv',
    ]) {
      expect(looksWide(parseCsvRecords(readFileSync(f)).records)).toBe(false);
    }
    // a long table without a task column is not taken for a wide one (a role name in the header)
    expect(
      looksWide([
        ['heuristic', 'score', 'std'],
        ['a', '1', '0.1'],
        ['b', '2', '0.2'],
      ]),
    ).toBe(false);
  });

  it('readInput reads a wide file by content and a long one as before', async () => {
    const wide = await readInput(tayWide);
    expect(wide.format).toBe('wide');
    expect(wide.notes[0]).toMatch(/read as a wide table/);
    const long = await readInput('fixtures/real/lra_tay2021.csv');
    expect(long.format).toBe('csv');
    expect(long.table).toEqual(
      parseCsv(readFileSync('fixtures/real/lra_tay2021.csv'), {
        source: 'fixtures/real/lra_tay2021.csv',
      }),
    );
    // a named task column turns detection off: the wide file is then a long one without a task
    expect((await readInput(tayWide, { detectWide: false })).format).toBe('csv');
    // the upload path (bytes) gives the same table
    expect(parseInput(readFileSync(tayWide), tayWide).table).toEqual(wide.table);
  });
});

describe('wide tables: bad input names the file, line and column', () => {
  it('a cell that is not a score', () => {
    expect(wideError('Model,A,B\nm1,1.5,2\nm2,3,abc\n')).toBe(
      'w.csv: line 3, column "B": "abc" is not a score (a number, mean ± sd, mean +- sd or mean (sd); read as a wide table)',
    );
  });
  it('a task named twice, a score column without a name, a row without a label', () => {
    expect(wideError('Model,A,A\nm1,1,2\n')).toBe(
      'w.csv: line 1: task "A" is named twice (columns 2 and 3)',
    );
    expect(wideError('Model,A,\nm1,1,2\n')).toBe(
      'w.csv: line 1, column 3: a column of scores without a task name',
    );
    expect(wideError('Model,A,B\nm1,1,2\n,3,4\n')).toBe(
      'w.csv: line 3, column 1: no heuristic name',
    );
  });
  it('a ragged row and a negative sd', () => {
    expect(wideError('Model,A,B\nm1,1,2,3\n')).toBe(
      'w.csv: line 2: 4 fields, but the header has 3 (ragged row)',
    );
    expect(wideError('Model,A,B\nm1,1 ± -2,2\n')).toMatch(
      /line 2, column "A": a standard deviation cannot be negative/,
    );
  });
  it("CSV errors are parseCsv's; --n must be a count", () => {
    expect(wideError('Model,A,B\nm1,"1,2\n')).toMatch(/^w\.csv: line 2: unterminated quote/);
    expect(() => parseWide('Model,A,B\nm1,1,2\n', { n: 0 })).toThrow(ConfigError);
    expect(() => parseWide('Model,A,B\nm1,1,2\n', { n: 2.5 })).toThrow(
      /--n must be a whole number/,
    );
  });
  it('--n COUNT with a long CSV is refused (name an n column there)', async () => {
    await expect(readInput('fixtures/real/lra_tay2021.csv', { n: 3 })).rejects.toThrow(
      /--n COUNT is for wide tables/,
    );
  });
});
