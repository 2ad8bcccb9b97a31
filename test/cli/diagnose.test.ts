import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmdstanText } from '../draws/cmdstan-text.js';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'fixtures/diagnostics');
const tsx = join(root, 'node_modules/.bin/tsx');

function run(...args: string[]) {
  const r = spawnSync(tsx, ['src/cli/main.ts', 'diagnose', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'bayesbench-diagnose-'));

describe('bayesbench diagnose (spawned)', () => {
  it('a draw of Inf fails a check with its remedy (and --strict exits 1)', () => {
    const lines = ['chain,draw,mu,tau'];
    for (let c = 1; c <= 4; c++) {
      for (let d = 1; d <= 100; d++) {
        const mu = Math.sin(c * 100 + d * 1.7); // deterministic, well mixed
        const tau = c === 2 && d === 40 ? 'Inf' : String(Math.cos(c * 31 + d * 2.3));
        lines.push(`${c},${d},${mu},${tau}`);
      }
    }
    const file = join(tmp, 'inf.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = run(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /FAIL {2}No infinite draws .*1 of 2 variables has infinite draws \(tau\)/,
    );
    expect(r.stdout).toMatch(/remedy: Some draws are infinite/);
    expect(run(file, '--strict').code).toBe(1);
  });

  it('human output: banner first, then the table; exit 0 even when checks fail', () => {
    const r = run(join(fixtures, 'not_converged.csv'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Diagnostics: \d of \d checks FAILED/);
    expect(r.stdout.search(/\nvariable\s+mean/)).toBeGreaterThan(r.stdout.lastIndexOf('remedy'));
    expect(r.stdout).toMatch(/\nshifted\s+/);
    expect(r.stderr).toBe('');
  });

  it('--json: exactly one JSON document on stdout with every variable; banner on stderr; NaN as null', () => {
    const r = run(join(fixtures, 'constant.csv'), '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['variables', 'sampler', 'warnings']);
    expect(doc.variables.map((v: { variable: string }) => v.variable)).toEqual(['k', 'almost']);
    expect(doc.variables[0].rhat).toBeNull();
    expect(doc.variables[1].mcse_sd).toBeNull();
    expect(doc.sampler).toBeNull();
    expect(r.stderr).toMatch(/^Diagnostics:/);
    // full precision: the JSON number is the double itself
    const expected = JSON.parse(readFileSync(join(fixtures, 'constant.expected.json'), 'utf8'));
    const ess = doc.variables[1].ess_bulk;
    expect(Math.abs(ess - expected.variables[1].ess_bulk) / ess).toBeLessThan(1e-6); // fixture has 12 digits
  });

  it('--strict exits 1 when a check fails, 0 when all pass; --rhat and --vars apply', () => {
    expect(run(join(fixtures, 'not_converged.csv'), '--strict').code).toBe(1);
    expect(run(join(fixtures, 'iid_normal.csv'), '--strict').code).toBe(0);
    const loose = run(
      join(fixtures, 'ar_mixing.csv'),
      '--strict',
      '--vars',
      '^(fast|anti)$',
      '--rhat',
      '1.05',
      '--json',
    );
    expect(loose.code).toBe(0);
    expect(JSON.parse(loose.stdout).variables.map((v: { variable: string }) => v.variable)).toEqual(
      ['fast', 'anti'],
    );
  });

  it('CmdStan output files, one per chain, with sampler diagnostics', () => {
    const files = [1, 2, 3, 4].map((chain) => {
      const path = join(tmp, `out-${chain}.csv`);
      writeFileSync(
        path,
        cmdstanText({ chain, draws: 200, divergentAt: chain === 1 ? [3, 9] : [] }),
      );
      return path;
    });
    const r = run(...files, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.sampler.chains).toBe(4);
    expect(doc.sampler.divergent).toBe(2);
    expect(doc.sampler.max_treedepth).toBe(10);
    expect(doc.sampler.sampling_seconds).toBe(0.021);
    expect(doc.warnings.map((w: { code: string }) => w.code)).toContain('divergent');
    expect(r.stderr).toMatch(/FAIL .*Divergent transitions/);
    expect(run(...files, '--strict').code).toBe(1);
  });

  it('bad input: one line on stderr, no stack trace, exit 2', () => {
    const ragged = join(tmp, 'ragged.csv');
    writeFileSync(ragged, 'chain,draw,mu\n1,1,0.5\n1,2\n');
    const cases: [string[], RegExp][] = [
      [[ragged], /ragged\.csv: line 3: expected 3 fields/],
      [[join(tmp, 'missing.csv')], /missing\.csv: no such file/],
      [
        [join(fixtures, 'iid_normal.csv'), '--vars', '('],
        /--vars: "\(" is not a valid regular expression/,
      ],
      [[join(fixtures, 'iid_normal.csv'), '--rhat', 'abc'], /--rhat must be a number/],
      [[join(fixtures, 'iid_normal.csv'), '--vars', '^zzz$'], /--vars: no variable matches/],
    ];
    for (const [args, pattern] of cases) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });
});
