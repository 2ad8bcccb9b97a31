import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectColumns, findColumns, prepareComparisonData } from '../../src/data/benchmark.js';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import { tableFromRecords } from '../../src/data/records.js';
import type { Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';

const REAL = path.resolve('fixtures/real');
const BAD = path.resolve('fixtures/bad');

function levels(t: Table, name: string): readonly string[] {
  const c = t.columns[name];
  if (c?.type !== 'factor') throw new Error(`${name} is not a factor`);
  return c.levels;
}
function numbers(t: Table, name: string): number[] {
  const c = t.columns[name];
  if (c?.type !== 'numeric') throw new Error(`${name} is not numeric`);
  return Array.from(c.values);
}
function text(t: Table, name: string): (string | null)[] {
  const c = t.columns[name];
  if (c?.type !== 'factor') throw new Error(`${name} is not a factor`);
  return Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]));
}

const SIMPLE = 'heuristic,task,score\na,t1,0.5\nb,t1,0.6\na,t2,0.7\nb,t2,0.8\n';

describe('detectColumns', () => {
  it('finds the shared schema of fixtures/real (value, task_category, seed_or_run, source_id, std, n_seeds)', async () => {
    const t = await readCsvFile(path.join(REAL, 'lra_tay2021.csv'));
    expect(detectColumns(t)).toEqual({
      heuristic: 'heuristic',
      task: 'task',
      score: 'value',
      category: 'task_category',
      seed: 'seed_or_run',
      study: 'source_id',
      backbone: 'model',
      budget: 'budget',
      metric: 'metric',
      std: 'std',
      n: 'n_seeds',
    });
  });

  it('matches names case-insensitively and prefers score over value', () => {
    const t = parseCsv('Method,Task,Value,Score,Category,Run\na,t,1,2,c,1\n');
    expect(detectColumns(t)).toEqual({
      heuristic: 'Method',
      task: 'Task',
      score: 'Score',
      category: 'Category',
      seed: 'Run',
    });
  });

  it('takes overrides (--score/--value, joined columns) and switches optional roles off with null', () => {
    const t = parseCsv('algo,ds,acc,budget,category\na,t,1,128,c\n');
    const m = detectColumns(t, {
      heuristic: 'algo+budget',
      task: 'ds',
      value: 'acc',
      category: null,
    });
    expect(m).toEqual({ heuristic: 'algo+budget', task: 'ds', score: 'acc' });
  });

  it('says which column is missing and lists the available ones', () => {
    const t = parseCsv('heuristic,task,result\na,t1,0.5\n', { source: 'x.csv' });
    expect(() => detectColumns(t)).toThrow(
      new DataError(
        'x.csv: no score column (looked for score, value, accuracy, acc; name it with --score COLUMN); available columns: heuristic, task, result',
      ),
    );
    expect(() => detectColumns(t, { score: 'acc' })).toThrow(
      new DataError(
        'x.csv: no column "acc" (--score acc); available columns: heuristic, task, result',
      ),
    );
    // an accuracy column is a score
    const a = parseCsv('heuristic,task,accuracy\na,t1,0.5\n', { source: 'x.csv' });
    expect(detectColumns(a).score).toBe('accuracy');
    expect(findColumns(t)).toEqual({ heuristic: 'heuristic', task: 'task' });
  });
});

describe('prepareComparisonData: every real fixture', () => {
  const files = readdirSync(REAL).filter((f) => f.endsWith('.csv'));
  it('has the ten published tables', () => {
    expect(files.sort()).toEqual([
      'headkv2025_longbench_loogle.csv',
      'longbench_adakv2024_question_agnostic.csv',
      'longbench_adakv2024_question_aware.csv',
      'longbench_pyramidkv2024.csv',
      'longbench_snapkv2024.csv',
      'lra_nystromformer2021.csv',
      'lra_spe2021_per_seed.csv',
      'lra_tay2021.csv',
      'lra_xformers.csv',
      'ruler_catekv2025.csv',
    ]);
  });

  for (const f of files.filter((x) => x.startsWith('lra_'))) {
    it(`${f}: parses and maps with default detection`, async () => {
      const t = await readCsvFile(path.join(REAL, f), { source: f });
      const d = prepareComparisonData(t, detectColumns(t));
      expect(d.table.names).toEqual(['heuristic', 'task', 'category', 'seed', 'score']);
      expect(d.table.nRows).toBe(t.nRows);
      expect(levels(d.table, 'category')).toEqual(['symbolic', 'text', 'vision']);
      expect(d.higherIsBetter).toBe(true);
      expect(d.notes).toContain('column "source_id" (study) has a single value: no study term');
    });
  }

  it('lra_tay2021.csv: 11 heuristics x 5 tasks, scores as printed', async () => {
    const t = await readCsvFile(path.join(REAL, 'lra_tay2021.csv'));
    const d = prepareComparisonData(t, detectColumns(t));
    expect(levels(d.table, 'heuristic')).toHaveLength(11);
    expect(levels(d.table, 'task')).toEqual([
      'Image',
      'ListOps',
      'Pathfinder',
      'Retrieval',
      'Text',
    ]);
    expect(numbers(d.table, 'score')[0]).toBe(15.82); // Local Att on ListOps, line 2
    expect(d.table.lines![0]).toBe(2);
  });

  for (const f of files.filter((x) => x.startsWith('longbench_'))) {
    it(`${f}: default detection finds backbone, budget and metric; budgets become arms`, async () => {
      const t = await readCsvFile(path.join(REAL, f), { source: f });
      const m = detectColumns(t);
      expect([m.backbone, m.budget, m.metric]).toEqual(['model', 'budget', 'metric']);
      const d = prepareComparisonData(t, m);
      expect(d.table.nRows).toBe(t.nRows);
      // the full-cache rows (empty budget) are one reference arm named by the method alone
      expect(levels(d.table, 'heuristic')).toContain('full_kv');
      expect(levels(d.table, 'heuristic')).toContain('snapkv@2048');
      expect(levels(d.table, 'heuristic').some((h) => h.includes('Mistral'))).toBe(false);
      expect(levels(d.table, 'method')).toContain('snapkv');
      expect(levels(d.table, 'backbone').length).toBeGreaterThanOrEqual(2);
      expect(levels(d.table, 'task')).toHaveLength(16);
      expect(levels(d.table, 'category')).toHaveLength(6);
    });

    it(`${f}: with the backbone switched off, the duplicates are explained`, async () => {
      const t = await readCsvFile(path.join(REAL, f), { source: f });
      const m = detectColumns(t, { backbone: null });
      expect(() => prepareComparisonData(t, m)).toThrow(
        /^longbench_\w+\.csv: lines \d+ and \d+: duplicate rows for heuristic "[^"]+" on task "[^"]+" with the same seed_or_run "agg" \("agg" counts as one run\); they differ in "model"/,
      );
    });

    it(`${f}: a budget filter keeps the full-cache reference rows`, async () => {
      const t = await readCsvFile(path.join(REAL, f), { source: f });
      const d = prepareComparisonData(t, detectColumns(t), { filters: ['budget=2048'] });
      expect(levels(d.table, 'heuristic')).toContain('full_kv');
      expect(
        levels(d.table, 'heuristic').every((h) => h === 'full_kv' || h.endsWith('@2048')),
      ).toBe(true);
      expect(d.notes.some((n) => /full-cache rows? .* stay as the reference/.test(n))).toBe(true);
    });
  }
});

describe('prepareComparisonData: options', () => {
  it('applies filters (=, !=, lists, numeric columns) and notes them', () => {
    const t = parseCsv(
      'heuristic,task,budget,score\na,t1,128,1\nb,t1,128,2\na,t2,128,3\nb,t2,128,4\na,t1,256,5\nc,t1,128,6\n',
      { source: 'f.csv' },
    );
    const d = prepareComparisonData(t, detectColumns(t), {
      filters: ['budget=128', 'heuristic != c'],
    });
    expect(d.table.nRows).toBe(4);
    expect(numbers(d.table, 'score')).toEqual([1, 2, 3, 4]);
    expect(Array.from(d.rows)).toEqual([0, 1, 2, 3]);
    expect(Array.from(d.table.lines!)).toEqual([2, 3, 4, 5]);
    expect(d.notes[0]).toBe('filter budget=128: 5 rows of 6 kept so far');
    expect(
      prepareComparisonData(t, detectColumns(t), { filters: ['budget=1.28e2,999', 'heuristic!=c'] })
        .table.nRows,
    ).toBe(4);
  });

  it('rejects bad filters: syntax, unknown column, unknown value, non-number for a numeric column, nothing left', () => {
    const t = parseCsv(SIMPLE, { source: 's.csv' });
    const m = detectColumns(t);
    const run = (f: string) => () => prepareComparisonData(t, m, { filters: [f] });
    expect(run('budget128')).toThrow(
      new DataError('filter "budget128": expected COLUMN=VALUE or COLUMN!=VALUE (e.g. budget=128)'),
    );
    expect(run('bugdet=128')).toThrow(
      new DataError(
        'filter "bugdet=128": s.csv has no column "bugdet"; available columns: heuristic, task, score',
      ),
    );
    expect(run('heuristic=z')).toThrow(
      new DataError('filter "heuristic=z": column "heuristic" has no value "z" (values: a, b)'),
    );
    expect(run('score=high')).toThrow(
      'filter "score=high": column "score" is numeric and "high" is not a number',
    );
    expect(run('score=99')).toThrow(new DataError('s.csv: filter "score=99" leaves no rows'));
  });

  it('negates scores when lower is better, from the option or a higher_is_better column', () => {
    const t = parseCsv(SIMPLE);
    const d = prepareComparisonData(t, detectColumns(t), { higherIsBetter: false });
    expect(numbers(d.table, 'score')).toEqual([-0.5, -0.6, -0.7, -0.8]);
    expect(d.higherIsBetter).toBe(false);
    expect(d.notes[0]).toMatch(/^lower is better: scores are negated/);
    const mixed = parseCsv(
      'heuristic,task,higher_is_better,score\na,t1,true,1\nb,t1,true,2\na,t2,false,3\nb,t2,FALSE,4\n',
    );
    const e = prepareComparisonData(mixed, detectColumns(mixed));
    expect(numbers(e.table, 'score')).toEqual([1, 2, -3, -4]);
    expect(e.negated).toBe(2);
    expect(e.higherIsBetter).toBe(true);
  });

  it('computes se = std/sqrt(n) when std and n are given', () => {
    const t = parseCsv(
      'heuristic,task,score,std,n\na,t1,1,2,4\nb,t1,1,3,9\na,t2,1,,\nb,t2,1,1,1\n',
    );
    const d = prepareComparisonData(t, detectColumns(t));
    expect(d.table.names).toEqual(['heuristic', 'task', 'score', 'se']);
    expect(numbers(d.table, 'se')).toEqual([1, 1, Number.NaN, 1]);
    expect(d.notes).toContain('se = std/sqrt(n) on 3 of 4 rows (the others have no std)');
    const noN = parseCsv('heuristic,task,score,std\na,t1,1,2\nb,t1,1,3\na,t2,1,1\nb,t2,1,1\n');
    expect(prepareComparisonData(noN, detectColumns(noN)).table.names).not.toContain('se');
  });

  it('splits a task name that appears under several categories into category/task', () => {
    const t = parseCsv(
      'heuristic,task,category,score\na,qa,short,1\nb,qa,short,2\na,qa,long,3\nb,qa,long,4\na,sum,long,5\nb,sum,long,6\n',
    );
    const d = prepareComparisonData(t, detectColumns(t));
    expect(levels(d.table, 'task')).toEqual(['long/qa', 'short/qa', 'sum']);
    expect(text(d.table, 'task')).toEqual([
      'short/qa',
      'short/qa',
      'long/qa',
      'long/qa',
      'sum',
      'sum',
    ]);
    expect(d.notes).toContain(
      'task "qa" appears under several categories: each (category, task) pair is a task of its own, named category/task',
    );
  });

  it('drops rows with a missing or non-numeric score with dropMissing and says how many', () => {
    const t = parseCsv('heuristic,task,score\na,t1,1\nb,t1,n/a\na,t2,\nb,t2,4\na,t3,5\nb,t3,6\n', {
      source: 'd.csv',
    });
    const d = prepareComparisonData(t, detectColumns(t), { dropMissing: true });
    expect(d.dropped).toBe(2);
    expect(d.table.nRows).toBe(4);
    expect(Array.from(d.table.lines!)).toEqual([2, 5, 6, 7]);
    expect(d.notes).toContain(
      '--drop-missing: dropped 2 rows with a missing or non-numeric value (line 3, line 4)',
    );
  });

  it('works on tables from records (rows named by number)', () => {
    const t = tableFromRecords(
      [
        { heuristic: 'a', task: 't1', score: 1 },
        { heuristic: 'b', task: 't1', score: 'x' },
      ],
      'my records',
    );
    expect(() => prepareComparisonData(t, detectColumns(t))).toThrow(
      new DataError(
        'my records: row 2, column "score": "x" is not a finite number (use --drop-missing to drop such rows)',
      ),
    );
  });
});

describe('prepareComparisonData: errors name the line and column', () => {
  const cases: [string, string][] = [
    [
      'score_text.csv',
      'score_text.csv: line 4, column "score": "n/a" is not a finite number (use --drop-missing to drop such rows)',
    ],
    [
      'score_nan.csv',
      'score_nan.csv: line 3, column "score": "NaN" is not a finite number (use --drop-missing to drop such rows)',
    ],
    [
      'score_inf.csv',
      'score_inf.csv: line 4, column "score": "Infinity" is not a finite number (use --drop-missing to drop such rows)',
    ],
    [
      'score_missing.csv',
      'score_missing.csv: line 3, column "score": missing score (use --drop-missing to drop such rows)',
    ],
    [
      'one_heuristic.csv',
      'one_heuristic.csv: only 1 heuristic ("a") in column "heuristic"; a comparison needs at least 2',
    ],
    [
      'single_task_heuristic.csv',
      'single_task_heuristic.csv: heuristic "b" is observed on a single task only ("t1", line 4); each heuristic needs at least 2 tasks (drop it with --filter heuristic!=b)',
    ],
    [
      'duplicates_no_seed.csv',
      'duplicates_no_seed.csv: lines 2 and 3: duplicate rows for heuristic "a" on task "t1" and no seed/run column: if these are repeated runs, add a seed or run column (or name it with --seed); they differ in "setting": keep one setting with --filter setting=VALUE, or make it part of the comparison (e.g. --study setting or --heuristic heuristic+setting)',
    ],
    [
      'duplicates_agg.csv',
      'duplicates_agg.csv: lines 5 and 6: duplicate rows for heuristic "b" on task "t2" with the same seed_or_run "agg" ("agg" counts as one run)',
    ],
  ];
  for (const [file, message] of cases) {
    it(file, async () => {
      const t = await readCsvFile(path.join(BAD, file), { source: file });
      expect(() => prepareComparisonData(t, detectColumns(t))).toThrow(new DataError(message));
    });
  }

  it('accepts repeated runs when a seed column tells them apart', () => {
    const t = parseCsv(
      'heuristic,task,seed,score\na,t1,1,1\na,t1,2,2\nb,t1,1,3\na,t2,1,4\nb,t2,1,5\n',
    );
    const d = prepareComparisonData(t, detectColumns(t));
    expect(levels(d.table, 'seed')).toEqual(['1', '2']);
  });

  it('names the line of an empty heuristic, and rejects a negative std or trials out of range', () => {
    const t = parseCsv('heuristic,task,score\na,t1,1\n,t1,2\n', { source: 'e.csv' });
    expect(() => prepareComparisonData(t, detectColumns(t))).toThrow(
      new DataError(
        'e.csv: line 3, column "heuristic": empty value (use --drop-missing to drop such rows)',
      ),
    );
    const s = parseCsv('heuristic,task,score,std,n\na,t1,1,-1,3\nb,t1,1,1,3\n', {
      source: 's.csv',
    });
    expect(() => prepareComparisonData(s, detectColumns(s))).toThrow(
      's.csv: line 2, column "std": a standard deviation cannot be negative (-1)',
    );
    const b = parseCsv(
      'heuristic,task,score,trials\na,t1,3,10\nb,t1,11,10\na,t2,1,10\nb,t2,1,10\n',
      {
        source: 'b.csv',
      },
    );
    expect(() => prepareComparisonData(b, detectColumns(b))).toThrow(
      'b.csv: line 3, column "score": with trials the score is a count of successes (a whole number from 0 to 10), got 11',
    );
  });
});

describe('detectColumns: separator hint', () => {
  it('says when a file looks ;- or tab-separated', () => {
    const semi = parseCsv('heuristic;task;score\na;t1;1\n', { source: 'semi.csv' });
    expect(() => detectColumns(semi)).toThrow(
      'available columns: heuristic;task;score (the file looks ";"-separated; bayesbench reads comma-separated CSV)',
    );
    const tab = parseCsv('heuristic\ttask\tscore\na\tt1\t1\n', { source: 'tab.csv' });
    expect(() => detectColumns(tab)).toThrow(
      '(the file looks tab-separated; bayesbench reads comma-separated CSV)',
    );
  });
});

describe('prepareComparisonData: std, n and trials columns', () => {
  it('reads NA-like text in std/n as missing, and other text as an error naming the line', () => {
    const t = parseCsv(
      'heuristic,task,score,std,n\na,t1,1,NA,3\nb,t1,1,2,4\na,t2,1,2,4\nb,t2,1,2,4\n',
    );
    expect(numbers(prepareComparisonData(t, detectColumns(t)).table, 'se')).toEqual([
      Number.NaN,
      1,
      1,
      1,
    ]);
    const u = parseCsv('heuristic,task,score,std,n\na,t1,1,big,3\nb,t1,1,2,4\n', {
      source: 'u.csv',
    });
    expect(() => prepareComparisonData(u, detectColumns(u))).toThrow(
      new DataError('u.csv: line 2, column "std": "big" is not a number'),
    );
  });
});

describe('prepareComparisonData: higher_is_better column', () => {
  it('rejects a value that is not true/false on a kept row, naming line and column; ignores filtered rows', () => {
    const t = parseCsv(
      'heuristic,task,higher_is_better,score\na,t1,true,1\nb,t1,yes,2\na,t2,maybe,3\nb,t2,1,4\na,t3,0,5\nb,t3,FALSE,6\n',
      { source: 'o.csv' },
    );
    expect(() => prepareComparisonData(t, detectColumns(t))).toThrow(
      new DataError('o.csv: line 4, column "higher_is_better": "maybe" is not true or false'),
    );
    const d = prepareComparisonData(t, detectColumns(t), { filters: ['task!=t2'] });
    expect(numbers(d.table, 'score')).toEqual([1, 2, -5, -6]);
  });
});

describe('messages echo bounded values', () => {
  const big = 'x'.repeat(10_000_000);

  it('a 10 MB cell is cut to 80 characters in the error line', () => {
    const t = parseCsv(`heuristic,task,score\na,t1,0.5\nb,t1,${big}\na,t2,0.6\nb,t2,0.7\n`, {
      source: 'big.csv',
    });
    let message = '';
    try {
      prepareComparisonData(t, detectColumns(t));
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      message = (err as Error).message;
    }
    expect(message).toBe(
      `big.csv: line 3, column "score": "${'x'.repeat(80)}… (10000000 characters)" is not a finite number (use --drop-missing to drop such rows)`,
    );
  });

  it('a huge heuristic name is cut everywhere the message repeats it', () => {
    const name = `h${big}`;
    const t = tableFromRecords(
      [
        { heuristic: 'a', task: 't1', score: 1 },
        { heuristic: 'a', task: 't2', score: 2 },
        { heuristic: name, task: 't1', score: 3 },
      ],
      'records',
    );
    let message = '';
    try {
      prepareComparisonData(t, detectColumns(t));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/single task only/);
    expect(message.length).toBeLessThan(600);
    // filters quote their text and the values they did not find, cut too
    expect(() =>
      prepareComparisonData(t, detectColumns(t), { filters: [`heuristic=${big}`] }),
    ).toThrow(
      /^filter "heuristic=x{70}… \(10000010 characters\)": column "heuristic" has no value "x{80}… \(10000000 characters\)" \(values: a, hx{79}… \(10000001 characters\)\)$/,
    );
  });
});
