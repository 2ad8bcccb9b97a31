import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCmdStanCsv, readCmdStanCsv } from '../../src/draws/cmdstan.js';
import { readDrawsCsv, writeDrawsCsv } from '../../src/draws/csv.js';
import { createDraws, SAMPLER_FIELDS } from '../../src/draws/draws.js';
import { readDrawsFiles } from '../../src/draws/read.js';
import { selectVariables } from '../../src/draws/select.js';
import { DataError } from '../../src/errors.js';
import { cmdstanText } from './cmdstan-text.js';

function dataError(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    const message = (err as Error).message;
    expect(message.includes('\n')).toBe(false); // one line
    return message;
  }
  throw new Error('expected a DataError');
}

describe('readDrawsCsv', () => {
  it('reads chain,draw,<variables> with sampler columns into draws and stats', () => {
    const text = 'chain,draw,mu,lp__,tau\n1,1,0.5,-1,2\n1,2,0.7,-2,3\n2,1,0.1,-3,4\n2,2,0.2,-4,5\n';
    const { draws, stats } = readDrawsCsv(text, 'x.csv');
    expect(draws.nDraws).toBe(2);
    expect(draws.nChains).toBe(2);
    expect(draws.variables).toEqual(['mu', 'tau']);
    expect(Array.from(draws.values)).toEqual([0.5, 0.7, 0.1, 0.2, 2, 3, 4, 5]);
    expect(stats?.variables).toEqual(['lp__']);
    expect(Array.from(stats?.values ?? [])).toEqual([-1, -2, -3, -4]);
  });

  it("reads posterior's .chain,.iteration,.draw, quotes, CRLF, BOM, NA/Inf", () => {
    const text =
      '\ufeff".chain",".iteration",".draw","r_g[a,Intercept]"\r\n1,1,1,NA\r\n1,2,2,Inf\r\n1,3,3,-Inf\r\n1,4,4,1e-3\r\n';
    const { draws, stats } = readDrawsCsv(text, 'p.csv');
    expect(draws.variables).toEqual(['r_g[a,Intercept]']);
    expect(stats).toBeNull();
    const v = Array.from(draws.values);
    expect(v[0]).toBeNaN();
    expect(v.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.001]);
  });

  it("reads R's write.csv(as_draws_df(x)): row names, meta columns last", () => {
    const text =
      '"","mu",".chain",".iteration",".draw"\n"1",0.5,1,1,1\n"2",0.7,1,2,2\n"3",0.1,2,1,3\n"4",0.2,2,2,4\n';
    const { draws } = readDrawsCsv(text, 'r.csv');
    expect(draws.variables).toEqual(['mu']);
    expect(draws.nChains).toBe(2);
    expect(Array.from(draws.values)).toEqual([0.5, 0.7, 0.1, 0.2]);
  });

  it('bad input: one line naming file, line and column', () => {
    expect(dataError(() => readDrawsCsv('chain,draw,mu\n1,1,0.5\n1,2\n', 'r.csv'))).toBe(
      'r.csv: line 3: expected 3 fields (as the header), found 2',
    );
    expect(dataError(() => readDrawsCsv('chain,draw,mu\n1,1,abc\n', 'n.csv'))).toBe(
      'n.csv: line 2, column "mu": "abc" is not a number',
    );
    expect(dataError(() => readDrawsCsv('chain,draw,mu\n1,1,\n', 'e.csv'))).toBe(
      'e.csv: line 2, column "mu": an empty cell is not a number',
    );
    expect(dataError(() => readDrawsCsv('draw,mu\n1,0.5\n', 'c.csv'))).toMatch(
      /^c\.csv: line 1: no "chain" column/,
    );
    expect(dataError(() => readDrawsCsv('chain,draw,mu\n1,1,1\n1,2,2\n2,1,3\n', 'u.csv'))).toBe(
      'u.csv: chains have unequal lengths: chain 1 has 2 draws, chain 2 has 1',
    );
    expect(dataError(() => readDrawsCsv('chain,draw,mu\nx,1,1\n', 'k.csv'))).toMatch(
      /^k\.csv: line 2, column "chain": "x" is not a chain number/,
    );
    expect(dataError(() => readDrawsCsv('chain,draw,mu,mu\n1,1,1,1\n', 'd.csv'))).toMatch(
      /duplicate column "mu"/,
    );
    expect(dataError(() => readDrawsCsv('chain,draw,mu\n', 'h.csv'))).toMatch(/no draws/);
    expect(dataError(() => readDrawsCsv('', 'z.csv'))).toMatch(/no header/);
  });

  it('write then read gives the same draws and stats (full precision, NaN/Inf)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.double(), { minLength: 48, maxLength: 48 }),
        (n, m, vals) => {
          const d = createDraws(n, m, ['mu', 'r_g[a,Intercept]']);
          for (let i = 0; i < d.values.length; i++) d.values[i] = vals[i % vals.length];
          const s = createDraws(n, m, SAMPLER_FIELDS);
          for (let i = 0; i < s.values.length; i++) s.values[i] = i % 3;
          const back = readDrawsCsv(writeDrawsCsv(d, s), 'w.csv');
          expect(back.draws.variables).toEqual(d.variables);
          expect(back.draws.nDraws).toBe(n);
          expect(back.draws.nChains).toBe(m);
          // Object.is: -0 and NaN survive too
          Array.from(d.values).forEach((v, i) => {
            expect(
              Object.is(back.draws.values[i], v) || (v === 0 && back.draws.values[i] === 0),
            ).toBe(true);
          });
          expect(Array.from(back.stats?.values ?? [])).toEqual(Array.from(s.values));
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });

  it('writeDrawsCsv header and rows', () => {
    const d = createDraws(2, 1, ['a']);
    d.values.set([0.1, Number.NaN]);
    expect(writeDrawsCsv(d)).toBe('chain,draw,a\n1,1,0.1\n1,2,NaN\n');
  });
});

describe('CmdStan CSV', () => {
  it('reads one file per chain; sampler columns to stats; max_depth and timing', () => {
    const files = [1, 2, 3].map((chain) => ({
      text: cmdstanText({ chain, draws: 100, divergentAt: chain === 2 ? [5] : [] }),
      source: `out-${chain}.csv`,
    }));
    expect(isCmdStanCsv(files[0].text)).toBe(true);
    expect(isCmdStanCsv('# written by a script\nchain,draw,mu\n1,1,0\n')).toBe(false);
    expect(isCmdStanCsv('lp__,mu\n-1,0\n')).toBe(true);
    expect(isCmdStanCsv('mu\n0\n')).toBe(false);
    const input = readCmdStanCsv(files);
    expect(input.draws.nDraws).toBe(100);
    expect(input.draws.nChains).toBe(3);
    expect(input.draws.variables).toEqual(['mu', 'theta.1']);
    expect(input.stats?.variables).toEqual([...SAMPLER_FIELDS]);
    expect(input.maxTreeDepth).toBe(10);
    expect(input.timing).toEqual({ warmupSeconds: 0.012, samplingSeconds: 0.021 });
    const div = input.stats!.values.subarray(5 * 300, 6 * 300);
    expect(div.reduce((a, b) => a + b, 0)).toBe(1);
    expect(div[100 + 5]).toBe(1);
  });

  it('drops warmup rows when save_warmup is on', () => {
    const text = cmdstanText({ chain: 1, draws: 40, warmup: 30, saveWarmup: true });
    const plain = cmdstanText({ chain: 1, draws: 40 });
    const a = readCmdStanCsv([{ text, source: 'w.csv' }]);
    expect(a.draws.nDraws).toBe(40);
    expect(readCmdStanCsv([{ text: plain, source: 'p.csv' }]).draws.nDraws).toBe(40);
  });

  it('mismatched headers and unequal lengths: one line naming the file, line and column', () => {
    const a = { text: cmdstanText({ chain: 1 }), source: 'a.csv' };
    const b = {
      text: cmdstanText({
        chain: 2,
        header:
          'lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.2',
      }),
      source: 'b.csv',
    };
    expect(dataError(() => readCmdStanCsv([a, b]))).toBe(
      'b.csv: line 19, column 9: header differs from a.csv ("theta.2" where a.csv has "theta.1")',
    );
    const c = { text: cmdstanText({ chain: 3, draws: 99 }), source: 'c.csv' };
    expect(dataError(() => readCmdStanCsv([a, c]))).toBe(
      'c.csv: 99 draws, but a.csv has 100 (chains must have equal lengths)',
    );
    const bad = a.text.replace(/\n(-?[0-9.e-]+),0\.9,/, '\n$1,zzz,');
    expect(dataError(() => readCmdStanCsv([{ text: bad, source: 'x.csv' }]))).toMatch(
      /^x\.csv: line 2\d, column "accept_stat__": "zzz" is not a number$/,
    );
  });
});

describe('readDrawsFiles', () => {
  it('detects the format and binds several draws CSVs as chains', () => {
    const one = readDrawsFiles([{ text: 'chain,draw,mu\n1,1,1\n1,2,2\n', source: 'a.csv' }]);
    expect(one.draws.nChains).toBe(1);
    const two = readDrawsFiles([
      { text: 'chain,draw,mu\n1,1,1\n1,2,2\n', source: 'a.csv' },
      { text: 'chain,draw,mu\n1,1,3\n1,2,4\n', source: 'b.csv' },
    ]);
    expect(two.draws.nChains).toBe(2);
    expect(Array.from(two.draws.values)).toEqual([1, 2, 3, 4]);
    const cmd = readDrawsFiles([{ text: cmdstanText({ chain: 1 }), source: 'o.csv' }]);
    expect(cmd.stats).not.toBeNull();
  });

  it('rejects mixing formats and mismatched variables', () => {
    expect(
      dataError(() =>
        readDrawsFiles([
          { text: cmdstanText({ chain: 1 }), source: 'o.csv' },
          { text: 'chain,draw,mu\n1,1,1\n', source: 'd.csv' },
        ]),
      ),
    ).toMatch(/^d\.csv: a draws CSV/);
    expect(
      dataError(() =>
        readDrawsFiles([
          { text: 'chain,draw,mu\n1,1,1\n', source: 'a.csv' },
          { text: 'chain,draw,nu\n1,1,1\n', source: 'b.csv' },
        ]),
      ),
    ).toBe('b.csv: variable 1 is "nu" but a.csv has "mu"');
  });

  it('selectVariables copies the chosen variables', () => {
    const d = createDraws(2, 1, ['a', 'b', 'c']);
    d.values.set([1, 2, 3, 4, 5, 6]);
    const s = selectVariables(d, [2, 0]);
    expect(s.variables).toEqual(['c', 'a']);
    expect(Array.from(s.values)).toEqual([5, 6, 1, 2]);
  });
});
