import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempCsv } from './fit-cli-helpers.js';

// A small comparison-shaped data set: 3 heuristics x 4 tasks (2 categories) x 2 seeds.
function benchmarkCsv(): string {
  const lines = ['heuristic,task,category,seed,score'];
  const h = { local: 0.55, lowrank: 0.6, sparse: 0.62 };
  const t = { A: 0.0, B: 0.05, C: -0.04, D: 0.02 };
  let k = 0;
  for (const [hn, hv] of Object.entries(h)) {
    for (const [tn, tv] of Object.entries(t)) {
      for (const seed of [1, 2]) {
        k++;
        const noise = 0.01 * Math.sin(k * 1.7);
        lines.push(
          `${hn},${tn},${tn < 'C' ? 'text' : 'image'},${seed},${(hv + tv + noise).toFixed(4)}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const small = ['--chains', '2', '--warmup', '300', '--draws', '200', '--seed', '3'];

describe('bayesbench fit', () => {
  it('--json prints exactly one JSON document with every variable, progress on stderr', async () => {
    const csv = tempCsv('bench.csv', benchmarkCsv());
    const drawsOut = join(csv, '..', 'draws.csv');
    const r = await runCli([
      'fit',
      csv,
      '--model',
      'models/heuristic-task.json',
      ...small,
      '--json',
      '--draws-out',
      drawsOut,
    ]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['variables', 'sampler', 'warnings']);
    const names = doc.variables.map((v: { variable: string }) => v.variable);
    expect(names).toContain('b_Intercept');
    expect(names).toContain('sd_heuristic:category__Intercept');
    expect(names).toContain('r_heuristic:task[sparse_D,Intercept]');
    expect(names).toContain('sigma');
    // 1 + 4 sd + sigma + r: 3 heuristics + 4 tasks + 6 heuristic:category + 12 heuristic:task.
    expect(names.length).toBe(1 + 4 + 1 + 3 + 4 + 6 + 12);
    expect(doc.sampler.chains).toBe(2);
    expect(doc.sampler.draws_per_chain).toBe(200);
    expect(r.stderr).toMatch(/chain 1: /);
    expect(existsSync(drawsOut)).toBe(true);
    const header = readFileSync(drawsOut, 'utf8').split('\n')[0];
    expect(header.startsWith('chain,draw,b_Intercept')).toBe(true);
  });

  it('prints the banner on stderr and the summary table on stdout', async () => {
    const csv = tempCsv('bench.csv', benchmarkCsv());
    const r = await runCli([
      'fit',
      csv,
      '--formula',
      'score ~ 1 + (1|heuristic) + (1|task)',
      ...small,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^variable\s+mean/);
    expect(r.stdout).toContain('sd_task__Intercept');
    expect(r.stderr).toMatch(/R-hat/);
  });

  it('--vars filters and --max-rows caps the human table (never --json)', async () => {
    const csv = tempCsv('bench.csv', benchmarkCsv());
    const base = [
      'fit',
      csv,
      '--formula',
      'score ~ 1 + (1|heuristic) + (1|task)',
      ...small,
      '--quiet',
    ];
    const a = await runCli([...base, '--vars', '^sd_']);
    expect(a.code).toBe(0);
    const names = a.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['sd_heuristic__Intercept', 'sd_task__Intercept']);
    const b = await runCli([...base, '--max-rows', '3']);
    expect(b.stdout).toMatch(/\.\.\. 8 more variables not shown/);
  });

  const bad: [string, string, string[], RegExp][] = [
    [
      'formula syntax',
      'y,g\n1,a\n2,b\n',
      ['--formula', 'y ~ 1 + (1|g'],
      /formula: .*\n {2}y ~ 1 \+ \(1\|g\n\s+\^/,
    ],
    [
      'unknown column',
      'y,g\n1,a\n2,b\n',
      ['--formula', 'y ~ 1 + (1|task)'],
      /unknown column 'task' \(available: y, g\)/,
    ],
    [
      'non-numeric response',
      'y,g\nx,a\nz,b\n',
      ['--formula', 'y ~ 1 + (1|g)'],
      /response column 'y' is not numeric/,
    ],
    [
      'binomial y > n',
      'k,n,g\n3,5,a\n6,5,b\n',
      ['--formula', 'k | trials(n) ~ 1 + (1|g)', '--family', 'binomial'],
      /line 3: binomial response 'k' must be an integer in \[0, 5\]/,
    ],
    [
      'beta outside (0,1)',
      'y,g\n0.5,a\n1.2,b\n',
      ['--formula', 'y ~ 1 + (1|g)', '--family', 'beta'],
      /line 3: beta response 'y' must be strictly between 0 and 1/,
    ],
    [
      'se <= 0',
      'y,s,g\n1,0.5,a\n2,0,b\n',
      ['--formula', 'y | se(s) ~ 1 + (1|g)'],
      /line 3: se 's' must be > 0/,
    ],
    [
      'one-level group with a slope',
      'y,x,g\n1,1,a\n2,2,a\n3,1,a\n',
      ['--formula', 'y ~ x + (1 + x | g)'],
      /group 'g' has only one level/,
    ],
    [
      'missing value',
      'y,g\n1,a\n,b\n3,b\n',
      ['--formula', 'y ~ 1 + (1|g)'],
      /line 3: missing or non-numeric value in column 'y'/,
    ],
    [
      'bad option',
      'y,g\n1,a\n2,b\n',
      ['--formula', 'y ~ 1 + (1|g)', '--adapt-delta', '2'],
      /--adapt-delta must be a number in \(0, 1\)/,
    ],
    [
      'bad family',
      'y,g\n1,a\n2,b\n',
      ['--formula', 'y ~ 1 + (1|g)', '--family', 'poisson'],
      /--family must be one of/,
    ],
  ];
  for (const [label, text, args, pattern] of bad) {
    it(`bad input: ${label} -> short message, exit 2, nothing fitted`, async () => {
      const csv = tempCsv('bad.csv', text);
      const r = await runCli(['fit', csv, ...args, ...small]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/chain \d|at .*\.ts:\d+/); // no progress, no stack trace
      expect(r.stdout).toBe('');
    });
  }

  it('--drop-missing drops rows with missing values and says how many', async () => {
    const csv = tempCsv('miss.csv', 'y,g\n1,a\n,b\n3,b\n2.5,a\nNA,a\n1.5,b\n');
    const r = await runCli([
      'fit',
      csv,
      '--formula',
      'y ~ 1 + (1|g)',
      '--drop-missing',
      ...small,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('dropped 2 rows with missing values');
    expect(JSON.parse(r.stdout).variables.length).toBeGreaterThan(0);
  });
});
