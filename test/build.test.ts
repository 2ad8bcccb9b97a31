import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The built package, as `npm run build` makes it (tsc, then scripts/bundle-stdlib.mjs), into a
 * scratch directory inside the repo (so that node_modules resolves): the bundled @stdlib module must
 * load on the main thread and in the sampler's worker threads. Every other test runs the sources.
 */
describe('the built CLI (tsc + bundled @stdlib)', () => {
  let out = '';
  beforeAll(async () => {
    // test-output/ is git-ignored and absent on a fresh clone: make it here.
    mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    out = mkdtempSync(path.join(ROOT, 'test-output', 'build-'));
    await run(process.execPath, [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      out,
    ]);
    await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle-stdlib.mjs'), out]);
  }, 300_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('bundles the @stdlib re-exports into one file', () => {
    const text = readFileSync(path.join(out, 'src', 'math', 'stdlib.js'), 'utf8');
    expect(text).toContain('createRequire');
    // the bundle carries the packages' code, not imports of them
    expect(text).not.toMatch(/from ['"]@stdlib\//);
  });

  it('fits on worker threads and prints one JSON document', async () => {
    const { stdout } = await run(process.execPath, [
      path.join(out, 'src', 'cli', 'main.js'),
      'fit',
      path.join(ROOT, 'bench', 'reference', 'synth_small.csv'),
      '--formula',
      'score ~ 1 + (1|heuristic) + (1|task)',
      '--chains',
      '2',
      '--warmup',
      '100',
      '--draws',
      '100',
      '--seed',
      '3',
      '--json',
      '--quiet',
    ]);
    const doc = JSON.parse(stdout) as { variables: { variable: string; mean: number }[] };
    const names = doc.variables.map((v) => v.variable);
    expect(names).toContain('b_Intercept');
    expect(names).toContain('sd_task__Intercept');
    expect(doc.variables.every((v) => Number.isFinite(v.mean))).toBe(true);
  });

  it('loads the public API and bayesbench/internals from the built files', async () => {
    const lib = (await import(pathToFileURL(path.join(out, 'src', 'index.js')).href)) as Record<
      string,
      unknown
    >;
    const internals = (await import(
      pathToFileURL(path.join(out, 'src', 'internals.js')).href
    )) as Record<string, unknown>;
    for (const name of ['sample', 'fit', 'compare', 'summarizeFit', 'readCsvFile', 'createApp']) {
      expect(typeof lib[name]).toBe('function');
    }
    // the kernels stay out of the stable API, in the internals subpath
    expect(lib.nutsTransition).toBeUndefined();
    expect(typeof internals.nutsTransition).toBe('function');
  });
});
