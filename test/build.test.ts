import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The built package, as `npm run build` makes it (tsc, then scripts/bundle-stdlib.mjs and
 * scripts/bundle-cli.mjs), into a scratch directory inside the repo (so that node_modules resolves):
 * the bundled @stdlib module must load on the main thread and in the sampler's worker threads, the
 * CLI and the worker thread run as bundles. Every other test runs the sources.
 */
describe('the built CLI (tsc + bundled @stdlib, CLI and worker thread)', () => {
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
    await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle-cli.mjs'), out]);
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

  it('loads the functions called as plain functions on first call, the same functions', async () => {
    const lib = (await import(
      pathToFileURL(path.join(out, 'src', 'math', 'stdlib.js')).href
    )) as Record<string, (...args: number[]) => number>;
    const cases: [string, string, number[]][] = [
      ['gammaln', '@stdlib/math-base-special-gammaln', [3.7]],
      ['digamma', '@stdlib/math-base-special-digamma', [2.5]],
      ['betaQuantile', '@stdlib/stats-base-dists-beta-quantile', [0.3, 2, 5]],
      ['normalCdf', '@stdlib/stats-base-dists-normal-cdf', [0.4, 0, 1]],
    ];
    for (const [name, pkg, args] of cases) {
      const direct = ((await import(pkg)) as { default: (...a: number[]) => number }).default;
      expect(lib[name](...args)).toBe(direct(...args));
      // the stand-in replaced itself: importers now call the package's function
      expect(lib[name](...args)).toBe(direct(...args));
      expect(lib[name].length).toBe(direct.length);
    }
    expect(typeof (lib.mt19937 as unknown as { factory: unknown }).factory).toBe('function');
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

  it("compares on the worker bundle alone: the rebuild module and the summary task are the bundle's", async () => {
    // without the compiled files, a worker that imported them by path would fail
    const moved = ['src/model/rebuild.js', 'src/pipeline/summarize-in-workers.js'].map((f) =>
      path.join(out, f),
    );
    for (const f of moved) renameSync(f, `${f}.away`);
    try {
      const { stdout } = await run(process.execPath, [
        path.join(out, 'src', 'cli', 'main.js'),
        'compare',
        // compare's defaults (4 x 1000 + 1000): enough draws for the summary to run on the worker
        path.join(ROOT, 'fixtures', 'real', 'lra_nystromformer2021.csv'),
        '--json',
        '--quiet',
      ]);
      const doc = JSON.parse(stdout) as {
        heuristics: unknown[];
        diagnostics: { max_rhat: number };
      };
      expect(doc.heuristics.length).toBeGreaterThan(1);
      // the summary ran (on the worker thread): a finite R-hat
      expect(Number.isFinite(doc.diagnostics.max_rhat)).toBe(true);
    } finally {
      for (const f of moved) renameSync(`${f}.away`, f);
    }
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
