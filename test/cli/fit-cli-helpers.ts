import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { vi } from 'vitest';
import { register as registerFit } from '../../src/cli/fit.js';
import { register as registerPriors } from '../../src/cli/priors.js';

/** Run `bayesbench <args>` in-process (fit and priors only); capture stdout, stderr, exit code. */
export async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('bayesbench').exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerFit(program);
  registerPriors(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  const before = process.exitCode;
  process.exitCode = 0;
  let code = 0;
  try {
    await program.parseAsync(['node', 'bayesbench', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch {
    code = 2; // commander usage error (main.ts maps these to exit 2)
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = before;
  }
  return { code, stdout, stderr };
}

/** Write a CSV into a fresh temporary directory and return its path. */
export function tempCsv(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bayesbench-fit-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
