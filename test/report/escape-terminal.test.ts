import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Comparison } from '../../src/analysis/types.js';
import { reportError } from '../../src/cli/shell.js';
import { DataError } from '../../src/errors.js';
import { escapeTerminal } from '../../src/report/escape.js';
import { runCli } from '../cli/fit-cli-helpers.js';

const ESC = '\u001b';
const BEL = '\u0007';
/** Names a CSV can carry: clear screen, an OSC 8 hyperlink hiding its target, a right-to-left override. */
const CLEAR = `clear${ESC}[2Jscreen`;
const LINK = `${ESC}]8;;https://evil.example/${BEL}docs${ESC}]8;;${BEL}`;
const RLO = 'report\u202Etxt.exe';
const EVIL = [CLEAR, LINK, RLO];

/** Any C0 control but line feed, DEL, C1, or a bidi control: what must never be printed raw. */
const RAW = {
  asymmetricMatch: (s: string) =>
    [...s].some((ch) => {
      const c = ch.codePointAt(0) as number;
      return (
        (c < 0x20 && c !== 10) ||
        (c >= 0x7f && c <= 0x9f) ||
        [0x61c, 0x200e, 0x200f].includes(c) ||
        (c >= 0x202a && c <= 0x202e) ||
        (c >= 0x2066 && c <= 0x2069)
      );
    }),
};

function evilCsv(): string {
  const rows = ['heuristic,task,seed,score'];
  const names = ['plain', ...EVIL];
  names.forEach((h, k) => {
    for (let t = 1; t <= 3; t++) {
      for (let s = 0; s < 3; s++) {
        const score = 0.5 + 0.05 * k + 0.02 * t + 0.01 * ((s * 7 + k * 3 + t) % 5);
        rows.push(`"${h}",t${t},${s},${score.toFixed(3)}`);
      }
    }
  });
  const dir = mkdtempSync(join(tmpdir(), 'bb-escape-'));
  const file = join(dir, 'evil.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('escapeTerminal', () => {
  it('shows controls and bidi overrides as visible escapes and leaves other text alone', () => {
    expect(escapeTerminal(CLEAR)).toBe('clear\\x1b[2Jscreen');
    expect(escapeTerminal(LINK)).toBe('\\x1b]8;;https://evil.example/\\x07docs\\x1b]8;;\\x07');
    expect(escapeTerminal(RLO)).toBe('report\\u202etxt.exe');
    expect(escapeTerminal('a\u009b31mb\u007f\u2066c\u2069\u200f\u061c')).toBe(
      'a\\x9b31mb\\x7f\\u2066c\\u2069\\u200f\\u061c',
    );
    expect(escapeTerminal('two\nlines\tand\r')).toBe('two\\nlines\\tand\\r');
    expect(escapeTerminal('two\nlines\tand\r', { keepLineBreaks: true })).toBe(
      'two\nlines\tand\\r',
    );
    const plain = 'Größe ≤ 1.01 — 日本語 😀 "q" \\x1b';
    expect(escapeTerminal(plain)).toBe(plain);
    expect(escapeTerminal(42)).toBe('42');
  });
});

describe('names from a CSV reach the terminal escaped', () => {
  const file = evilCsv();

  it('fit: the summary table and the banner print the names with visible escapes', async () => {
    const r = await runCli([
      'fit',
      file,
      '--formula',
      'score ~ 1 + (1|heuristic)',
      '--chains',
      '2',
      '--warmup',
      '200',
      '--draws',
      '200',
      '--seed',
      '3',
      '--quiet',
    ]);
    expect(r.stderr).not.toEqual(RAW);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toEqual(RAW);
    expect(r.stdout).toContain('r_heuristic[clear\\x1b[2Jscreen,Intercept]');
    expect(r.stdout).toContain('r_heuristic[report\\u202etxt.exe,Intercept]');
    expect(r.stdout).toContain('\\x1b]8;;https://evil.example/\\x07docs\\x1b]8;;\\x07');
  });

  it('an error message quoting a cell is printed escaped', () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      err += String(s);
      return true;
    });
    const code = reportError(new DataError(`x.csv: line 2: "${CLEAR}\t${RLO}" is not a number`));
    expect(code).toBe(2);
    expect(err).toBe(
      'bayesbench: x.csv: line 2: "clear\\x1b[2Jscreen\treport\\u202etxt.exe" is not a number\n',
    );
  });

  it('compare: the text report is escaped, the JSON document keeps the exact names', () => {
    const root = resolve(import.meta.dirname, '../..');
    const run = (...extra: string[]) =>
      spawnSync(
        join(root, 'node_modules/.bin/tsx'),
        [
          'src/cli/main.ts',
          'compare',
          file,
          '--chains',
          '2',
          '--warmup',
          '200',
          '--draws',
          '200',
          '--quiet',
          ...extra,
        ],
        { cwd: root, encoding: 'utf8', timeout: 120_000 },
      );
    const text = run();
    expect(text.status).toBe(0);
    expect(text.stdout + text.stderr).not.toEqual(RAW);
    expect(text.stdout).toContain('clear\\x1b[2Jscreen');
    expect(text.stdout).toContain('report\\u202etxt.exe');
    const json = run('--json');
    expect(json.status).toBe(0);
    expect(json.stderr).not.toEqual(RAW);
    const c = JSON.parse(json.stdout) as Comparison;
    expect(c.heuristics.map((h) => h.name).sort()).toEqual(['plain', ...EVIL].sort());
  });
});
