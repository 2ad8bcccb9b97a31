import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  binomialItems,
  countModel,
  countTable,
  wholeCount,
} from '../../src/analysis/binomial-items.js';
import { fromLogit } from '../../src/analysis/bounded.js';
import { prepareComparison } from '../../src/analysis/prepare.js';
import { itemsPerTaskOption } from '../../src/cli/items-per-task.js';
import { BENCHMARK_SIZES, knownTaskSizes } from '../../src/data/benchmark-sizes.js';
import { parseCsv, readCsvFile } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { ConfigError } from '../../src/errors.js';
import { fittedTable, runComparison } from '../../src/pipeline/compare.js';

/** A canonical-ish table of task,score rows. */
function scores(rows: [string, number][]): Table {
  return parseCsv(`task,score\n${rows.map(([t, s]) => `${t},${s}`).join('\n')}\n`);
}

describe('the table of test-set sizes', () => {
  it('finds every task of one benchmark, by its printed names', () => {
    const lb = knownTaskSizes(['NarrativeQA', 'Musique', '2WikiMQA', 'PassageRetrieval-en', 'LCC']);
    expect(lb?.map((t) => t.n)).toEqual([200, 200, 200, 200, 500]);
    expect(lb?.[0].benchmark).toBe('LongBench');
    expect(knownTaskSizes(['MultiFieldQA-en'])?.[0].n).toBe(150);
    const ruler = knownTaskSizes(['niah_single_1', 'vt', 'qa_2']);
    expect(ruler?.map((t) => [t.n, t.scoring])).toEqual([
      [500, 'correct'],
      [500, 'partial'],
      [500, 'correct'],
    ]);
    // a generic name is only read as a benchmark's when every task is that benchmark's
    expect(knownTaskSizes(['qa_1', 'my_task'])).toBeNull();
    expect(knownTaskSizes(['NarrativeQA', 'niah_single_1'])).toBeNull();
  });

  it('gives every benchmark a source and every task a whole size', () => {
    for (const b of BENCHMARK_SIZES) {
      expect(b.source).toMatch(/et al\. 20\d\d.*(Table|commit)/);
      for (const t of b.tasks) {
        expect(Number.isInteger(t.n) && t.n > 0).toBe(true);
        if (t.scoring === 'partial') expect(t.subAnswers).toBeGreaterThan(1);
      }
    }
  });
});

describe('whole counts', () => {
  it('accepts a printed score within one unit of its last digit of a count', () => {
    expect(wholeCount(98.96, 100, 96, 1)).toBe(true); // 95 / 96 = 98.958
    expect(wholeCount(47.91, 100, 96, 1)).toBe(true); // 46 / 96 = 47.916, truncated
    expect(wholeCount(98.96, 100, 500, 1)).toBe(false); // 494.8 of 500
    expect(wholeCount(96.35, 100, 96, 4)).toBe(true); // 370 / 384: 4 values per item
    expect(wholeCount(0.5, 1, 200, 1)).toBe(true);
  });
});

describe('binomialItems', () => {
  const ruler500: [string, number][] = [
    ['niah_single_1', 100],
    ['niah_single_1', 98.4],
    ['vt', 91.2],
    ['vt', 60.04], // 1501 / 2500: 5 variables per item
  ];

  it('uses the sizes table when every task is known and the scores are whole counts', () => {
    const c = binomialItems(scores(ruler500), ['accuracy_pct'], undefined);
    expect(c.bounded?.likelihood).toBe('binomial');
    expect(c.bounded?.upper).toBe(100);
    expect(c.bounded?.items?.perTask).toEqual({ niah_single_1: 500, vt: 500 });
    expect(c.bounded?.reason).toContain('the table of test-set sizes');
    expect(c.bounded?.reason).toContain('vt score a share of several answers');
  });

  it('says why not when the scores are not whole counts of the known sizes', () => {
    const c = binomialItems(scores([['niah_single_1', 98.96]]), ['accuracy_pct'], undefined);
    expect(c.bounded).toBeNull();
    expect(c.notes[0]).toMatch(/not whole counts.*494\.80 items.*--items-per-task/);
  });

  it('never uses counts for F1, ROUGE or similarity scores', () => {
    const lb = scores([
      ['NarrativeQA', 25.5],
      ['TREC', 70],
    ]);
    expect(binomialItems(lb, ['qa_f1'], undefined)).toEqual({ bounded: null, notes: [] });
    // the name says accuracy but NarrativeQA is scored by F1 in the sizes table
    expect(binomialItems(lb, ['accuracy'], undefined).bounded).toBeNull();
    expect(() => binomialItems(lb, ['qa_f1'], 200)).toThrow(/qa_f1 is a per-item continuous/);
    expect(() => binomialItems(lb, ['accuracy'], 200)).toThrow(/NarrativeQA is scored by F1/);
  });

  it('takes the given items, with clear errors for a missing or bad count', () => {
    const t = scores([
      ['a', 50],
      ['b', 75],
    ]);
    const c = binomialItems(t, ['accuracy'], { a: 10, b: 4 });
    expect(c.bounded?.items?.perTask).toEqual({ a: 10, b: 4 });
    expect(c.notes).toEqual([]);
    expect(binomialItems(t, ['accuracy'], 3).notes[0]).toMatch(/rounded/);
    expect(binomialItems(t, ['accuracy'], 'none').bounded).toBeNull();
    expect(() => binomialItems(t, ['accuracy'], { a: 10 })).toThrow(/no item count for task "b"/);
    expect(() => binomialItems(t, ['accuracy'], { a: 10, b: 2.5 })).toThrow(/whole number/);
    expect(() => binomialItems(t, ['accuracy'], { a: 1, b: 1, c: 1 })).toThrow(/"c" is not a task/);
    expect(() => binomialItems(scores([['a', 150]]), ['accuracy'], 10)).toThrow(ConfigError);
  });

  it('turns scores into counts of the items and back with the logistic', () => {
    const t = scores([
      ['a', 50],
      ['b', 77.5],
    ]);
    const b = binomialItems(t, ['accuracy'], { a: 10, b: 40 }).bounded!;
    const counts = countTable(t, b);
    expect(Array.from((counts.columns.score as { values: Float64Array }).values)).toEqual([5, 31]);
    expect(Array.from((counts.columns.trials as { values: Float64Array }).values)).toEqual([
      10, 40,
    ]);
    expect(fromLogit(0, b)).toBe(50); // no squeeze to undo
    expect(fromLogit(40, b)).toBeCloseTo(100, 10);
  });
});

describe('countModel', () => {
  it('takes the beta-binomial for counts with backbones, the binomial otherwise or when asked', () => {
    const b = binomialItems(
      parseCsv('task,backbone,score\nt1,m1,50\nt1,m2,75\nt2,m1,25\nt2,m2,100\n'),
      ['accuracy'],
      4,
    ).bounded;
    expect(b?.reason).toContain('a beta-binomial');
    expect(countModel(b, true, undefined)).toEqual({ family: 'beta_binomial', rowTerm: '' });
    expect(countModel(b, true, 'binomial')).toEqual({
      family: null,
      rowTerm: ' + (1|heuristic:task:backbone)',
    });
    expect(countModel(b, false, undefined)).toEqual({ family: null, rowTerm: '' });
    expect(countModel(null, true, undefined)).toEqual({ family: null, rowTerm: '' });
    const plain = binomialItems(
      scores([
        ['t1', 50],
        ['t2', 75],
      ]),
      ['accuracy'],
      4,
    ).bounded;
    expect(plain?.reason).toContain('successes of a binomial with a logit link');
  });
});

describe('--items-per-task', () => {
  it('reads a number, a task=n list, none, or says what is wrong', async () => {
    expect(await itemsPerTaskOption('96')).toBe(96);
    expect(await itemsPerTaskOption('niah_single_1=96, vt = 48')).toEqual({
      niah_single_1: 96,
      vt: 48,
    });
    expect(await itemsPerTaskOption('none')).toBe('none');
    expect(await itemsPerTaskOption(undefined)).toBeUndefined();
    await expect(itemsPerTaskOption('vt=0')).rejects.toThrow(/task "vt" must be a whole number/);
    await expect(itemsPerTaskOption('no/such/file.csv')).rejects.toThrow(/cannot read/);
  });

  it('goes with the scores in their own units only', async () => {
    const table = await readCsvFile('fixtures/binomial/accuracy_200_items.csv');
    expect(() => prepareComparison(table, { itemsPerTask: 200, scale: 'task' })).toThrow(
      /--scale none/,
    );
    await expect(
      runComparison(table, { itemsPerTask: 200, formula: 'score ~ 1 + (1|heuristic)' }),
    ).rejects.toThrow(/needs family binomial or beta_binomial and score \| trials\(trials\)/);
    const p = prepareComparison(table, { itemsPerTask: 200 });
    const fitted = fittedTable(p);
    expect(fitted.columns.trials?.type).toBe('numeric');
    expect((fitted.columns.score as { values: Float64Array }).values[0]).toBe(198); // 99% of 200
  });
});

/**
 * The binomial comparison model against lme4 (fixtures/binomial/glmer.R: glmer, maximum
 * likelihood with the Laplace approximation, same formula, on the same counts; R and lme4
 * versions in fixtures/binomial/glmer.json).
 */
describe('binomial comparison model vs lme4', () => {
  const ref = JSON.parse(readFileSync('fixtures/binomial/glmer.json', 'utf8')) as {
    b_Intercept: number;
    method_mean: Record<string, number>;
  };

  it('gives each method a mean near glmer, in score units and inside [0, 100]', async () => {
    const table = await readCsvFile('fixtures/binomial/accuracy_200_items.csv');
    const run = await runComparison(table, {
      itemsPerTask: 200,
      sampler: { chains: 2, warmup: 400, draws: 600, seed: 3, parallel: false },
    });
    expect(run.spec.family).toBe('binomial');
    expect(run.spec.formula).toMatch(/^score \| trials\(trials\) ~/);
    const c = run.comparison;
    expect(c.settings?.bounded).toMatchObject({ likelihood: 'binomial', upper: 100 });
    for (const h of c.heuristics) {
      expect(h.q5).toBeGreaterThanOrEqual(0);
      expect(h.q95).toBeLessThanOrEqual(100);
      // 1,200 items per method: the posterior of a method's mean proportion is near normal and
      // its mean is glmer's fitted mean up to the priors' pull on the 3 method and 6 task effects
      // (glmer puts the method:task sd at its boundary 0, the posterior does not): within one
      // posterior sd ((q95 - q5) / 3.29 for a normal)
      const sd = (h.q95 - h.q5) / 3.29;
      expect(Math.abs(h.mean - ref.method_mean[h.name]), h.name).toBeLessThan(sd);
    }
    const b = run.summary.variables.find((r) => r.variable === 'b_Intercept')!;
    // the overall level rests on 6 task effects whose sd the data barely pins down: 1 sd
    expect(Math.abs(b.mean - ref.b_Intercept)).toBeLessThan(b.sd);
  });
});
