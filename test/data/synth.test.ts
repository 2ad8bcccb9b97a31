import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generateSynthCsv, parseGenSynthArgs } from '../../bench/gen-synth.js';
import { parseCsv } from '../../src/data/csv.js';
import { pyRandom } from '../../src/data/pyrandom.js';
import { tableFromRecords } from '../../src/data/records.js';
import { generateSynthetic, synthRecords, synthRows } from '../../src/data/synth.js';

async function csvOf(args: Parameters<typeof generateSynthCsv>[1]): Promise<string> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      parts.push(Buffer.from(chunk));
      cb();
    },
  });
  await generateSynthCsv(sink, args);
  return Buffer.concat(parts).toString('utf8');
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('pyRandom: CPython random.Random', () => {
  it('gives the same numbers as Python 3 for integer seeds', () => {
    // python3 -c "import random; r=random.Random(1); print(r.random(), r.gauss(0,1), r.gauss(0,1))"
    const r = pyRandom(1);
    expect(r.random()).toBe(0.13436424411240122);
    expect(r.gauss(0, 1)).toBe(0.9762429492718849);
    expect(r.gauss(0, 1)).toBe(-1.390283264191243);
    // python3 -c "import random; print(random.Random(2**40+5).random())" (a two-word key)
    expect(pyRandom(2 ** 40 + 5).random()).toBe(0.5043802970418443);
  });
});

describe('bench/gen-synth.ts: port of gen_synth.py', () => {
  it('reproduces gen_synth.py 8 12 4 5 1 (synth_small.csv) and 10 40 5 10 2 (synth_med.csv) byte for byte', async () => {
    // sha256 of bench/reference/synth_small.csv and synth_med.csv, written by gen_synth.py (bench/reference/SOURCE.md).
    const small = await csvOf({ heuristics: 8, tasks: 12, categories: 4, runs: 5, seed: 1 });
    expect(small.split('\n').slice(0, 2)).toEqual([
      'heuristic,task,category,seed,score',
      'h0,t0,c0,0,0.718927',
    ]);
    expect(sha256(small)).toBe('68946f73f2ecd78fc64fd47005b47458de1ecfa9a737d3d0688a1fbe295de0ca');
    const med = await csvOf({ heuristics: 10, tasks: 40, categories: 5, runs: 10, seed: 2 });
    expect(sha256(med)).toBe('3b4a44ad419341bcfff6543ecab59786f2c9e8e9393d3db2cc9d254e94c752db');
  });

  it('parses its command line like the Python script', () => {
    expect(parseGenSynthArgs(['20', '500', '5', '100', '1', '--out', '/tmp/x.csv'])).toEqual({
      args: { heuristics: 20, tasks: 500, categories: 5, runs: 100, seed: 1 },
      out: '/tmp/x.csv',
    });
    expect(() => parseGenSynthArgs(['1', '2'])).toThrow(/^usage: gen-synth.ts H T C R seed/);
  });
});

describe('generateSynthetic', () => {
  it('returns the Table that parsing the generated CSV gives (same rows, same rounding)', async () => {
    const args = { heuristics: 8, tasks: 12, categories: 4, runs: 5, seed: 1 };
    const { table, truth } = generateSynthetic(args);
    const parsed = parseCsv(await csvOf(args));
    expect(table.columns).toEqual(parsed.columns);
    expect(table.names).toEqual(parsed.names);
    expect(truth.heuristics).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']);
    expect(Array.from(truth.taskCategory.slice(0, 5))).toEqual([0, 1, 2, 3, 0]);
  });

  it('truth adds up: each cell mean is mu + heuristic + task + category + hxc + hxt, and residuals have sd sigma', () => {
    const o = {
      heuristics: 6,
      tasks: 20,
      categories: 3,
      runs: 20,
      seed: 11,
      sdCategory: 0.2,
      decimals: null,
    };
    const cells: number[] = [];
    const ys: number[] = [];
    const truth = synthRows(o, (h, t, c, _r, y) => {
      expect(c).toBe(t % 3);
      cells.push(h * 20 + t);
      ys.push(y);
    });
    const h = 2;
    const t = 7;
    const c = t % 3;
    expect(truth.cellMean[h * 20 + t]).toBe(
      truth.mu +
        truth.heuristic[h] +
        truth.task[t] +
        truth.heuristicCategory[h * 3 + c] +
        truth.heuristicTask[h * 20 + t] +
        truth.category[c],
    );
    const resid = ys.map((y, i) => y - truth.cellMean[cells[i]]);
    const n = resid.length;
    expect(n).toBe(6 * 20 * 20);
    const mean = resid.reduce((x, y) => x + y, 0) / n;
    const sd = Math.sqrt(resid.reduce((x, y) => x + (y - mean) ** 2, 0) / (n - 1));
    // 2,400 residuals: the sd estimate's relative standard error is 1/sqrt(2n) = 1.4%; 10% is > 6 SE.
    expect(Math.abs(sd / truth.sigma - 1)).toBeLessThan(0.1);
    // Mean of 2,400 N(0, 0.02) residuals: SE 0.0004; 0.002 is 5 SE.
    expect(Math.abs(mean)).toBeLessThan(0.002);
  });

  it('a category effect (sdCategory > 0) leaves every other effect and the noise unchanged', () => {
    const a = generateSynthetic({ seed: 3 });
    const b = generateSynthetic({ seed: 3, sdCategory: 0.3 });
    expect(b.truth.heuristic).toEqual(a.truth.heuristic);
    expect(b.truth.heuristicTask).toEqual(a.truth.heuristicTask);
    expect(Array.from(a.truth.category)).toEqual([0, 0, 0, 0]);
    expect(b.truth.category.every((x) => x !== 0)).toBe(true);
    const ya = a.table.columns.score;
    const yb = b.table.columns.score;
    if (ya.type !== 'numeric' || yb.type !== 'numeric') throw new Error('score not numeric');
    // Row 0 is h0, t0 (category c0): it moves by exactly the c0 effect (up to the 6-decimal rounding).
    expect(yb.values[0] - ya.values[0]).toBeCloseTo(b.truth.category[0], 5);
  });

  it('rejects bad sizes', () => {
    expect(() => generateSynthetic({ heuristics: 0 })).toThrow(
      'heuristics must be a positive integer',
    );
    expect(() => generateSynthetic({ seed: -1 })).toThrow('seed must be a non-negative integer');
  });
});

describe('synthRecords', () => {
  it('gives the same data as generateSynthetic, through tableFromRecords', () => {
    const o = { heuristics: 3, tasks: 4, categories: 2, runs: 2, seed: 5 };
    const { records, truth } = synthRecords(o);
    expect(records).toHaveLength(24);
    const { table, truth: truth2 } = generateSynthetic(o);
    expect(tableFromRecords(records).columns).toEqual(table.columns);
    expect(truth.cellMean).toEqual(truth2.cellMean);
  });
});
