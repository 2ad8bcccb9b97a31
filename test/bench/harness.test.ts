import { describe, expect, it } from 'vitest';
import {
  agreement,
  median,
  minCommonEss,
  scoreStats,
  stanPriors,
} from '../../bench/rstan.bench.js';
import { resolveBenches } from '../../bench/run.js';
import { mulberry32, parseTimeV } from '../../bench/scale.bench.js';

describe('bench/run.ts resolveBenches', () => {
  const files = ['scale.bench.ts', 'rstan.bench.ts', 'run.ts', 'profile.ts'];
  it('runs every *.bench.ts in alphabetical order when no names are given', () => {
    expect(resolveBenches([], files)).toEqual(['rstan.bench.ts', 'scale.bench.ts']);
  });
  it('accepts short names, .bench names and paths', () => {
    expect(resolveBenches(['scale', 'rstan.bench', 'bench/rstan.bench.ts'], files)).toEqual([
      'scale.bench.ts',
      'rstan.bench.ts',
      'rstan.bench.ts',
    ]);
  });
  it('rejects an unknown name and lists the available ones', () => {
    expect(() => resolveBenches(['nope'], files)).toThrow(
      /available: rstan.bench.ts, scale.bench.ts/,
    );
  });
});

describe('bench/rstan.bench.ts helpers', () => {
  it('scoreStats matches R median() and sd() (n - 1 denominator)', () => {
    // R: median(c(1,2,4,10)) = 3; sd(c(1,2,4,10)) = 4.031129 (computed by hand: var = 48.75/3).
    const s = scoreStats('heuristic,score\na,1\nb,2\na,4\nb,10\n');
    expect(s.n).toBe(4);
    expect(s.median).toBe(3);
    // 1e-12: the exact value is sqrt(16.25); only floating-point rounding separates them.
    expect(Math.abs(s.sd - Math.sqrt(16.25))).toBeLessThan(1e-12);
  });

  it('stanPriors writes the priors of heuristic_task.stan, floors sd at 1e-4 like rstan_fit.R', () => {
    expect(stanPriors({ median: 0.6, sd: 0.25 })).toEqual([
      'Intercept ~ student_t(3, 0.6, 0.25)',
      'sd ~ student_t(3, 0, 0.25)',
      'sigma ~ student_t(3, 0, 0.25)',
    ]);
    expect(stanPriors({ median: 1, sd: 0 })[1]).toBe('sd ~ student_t(3, 0, 0.0001)');
  });

  it('agreement flags means further apart than 4 * sqrt(mcse^2 + mcse_ref^2) and missing names', () => {
    const ref = [
      { variable: 'a', mean: 0, mcse_mean: 0.3, ess_bulk: 100 },
      { variable: 'b', mean: 0, mcse_mean: 0.3, ess_bulk: 100 },
      { variable: 'c', mean: 0, mcse_mean: 0.3, ess_bulk: 100 },
    ];
    // sqrt(0.4^2 + 0.3^2) = 0.5, so the 4-sigma band is 2: 1.9 passes, 2.1 fails.
    const rows = [
      { variable: 'a', mean: 1.9, mcse_mean: 0.4, ess_bulk: 50 },
      { variable: 'b', mean: -2.1, mcse_mean: 0.4, ess_bulk: 70 },
    ];
    const ag = agreement(rows, ref);
    expect(ag.compared).toBe(2);
    expect(ag.failed.map((f) => f.variable)).toEqual(['b']);
    expect(ag.missing).toEqual(['c']);
    expect(ag.maxZVariable).toBe('b');
    // 1e-12: 2.1 / 0.5 = 4.2 up to rounding.
    expect(Math.abs(ag.maxZ - 4.2)).toBeLessThan(1e-12);
  });

  it('minCommonEss only looks at the shared names; median handles odd and even lengths', () => {
    const rows = [
      { variable: 'a', mean: 0, mcse_mean: 0, ess_bulk: 50 },
      { variable: 'z', mean: 0, mcse_mean: 0, ess_bulk: 5 },
      { variable: 'b', mean: 0, mcse_mean: 0, ess_bulk: null },
    ];
    expect(minCommonEss(rows, new Set(['a', 'b']))).toBe(50);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});

describe('bench/scale.bench.ts helpers', () => {
  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('parseTimeV reads peak RSS, wall clock in h:mm:ss and m:ss, user/system time, CPU', () => {
    const t = parseTimeV(
      [
        '\tUser time (seconds): 71.20',
        '\tSystem time (seconds): 3.05',
        '\tPercent of CPU this job got: 187%',
        '\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03.5',
        '\tMaximum resident set size (kbytes): 1048576',
      ].join('\n'),
    );
    expect(t).toEqual({
      peakRssMb: 1024,
      wallSeconds: 3723.5,
      userSeconds: 71.2,
      systemSeconds: 3.05,
      cpuPercent: 187,
    });
    expect(parseTimeV('Elapsed (wall clock) time (h:mm:ss or m:ss): 0:39.87\n').wallSeconds).toBe(
      39.87,
    );
  });
});

describe('bench/scale.bench.ts writeSynthCsv', () => {
  it('writes H x T x R rows with the comparison header, seeded', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeSynthCsv } = await import('../../bench/scale.bench.js');
    const dir = mkdtempSync(join(tmpdir(), 'bb-scale-test-'));
    try {
      const o = { heuristics: 3, tasks: 4, categories: 2, runs: 5, seed: 3 };
      expect(await writeSynthCsv(join(dir, 'a.csv'), o)).toBe(60);
      await writeSynthCsv(join(dir, 'b.csv'), o);
      const a = readFileSync(join(dir, 'a.csv'), 'utf8');
      expect(a).toBe(readFileSync(join(dir, 'b.csv'), 'utf8'));
      const lines = a.trimEnd().split('\n');
      expect(lines[0]).toBe('heuristic,task,category,seed,score');
      expect(lines).toHaveLength(61);
      expect(lines[1]).toMatch(/^h0,t0,c0,0,-?\d+\.\d{6}$/);
      expect(lines[60]).toMatch(/^h2,t3,c1,4,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
