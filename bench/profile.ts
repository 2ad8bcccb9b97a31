/**
 * Where the time goes (issue 7): one gradient evaluation and one NUTS iteration of the default
 * comparison model, `score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)`,
 * with the explicit priors of bench/reference/heuristic_task.stan.
 *
 * 1. Gradient: builds the model with `compileModel` on synth_med.csv (and on a generated table of
 *    --rows rows, default 1,000,000, to show the cost per row vs per cell), then times repeated
 *    `logDensityGradient` calls at a fixed point: microseconds per gradient.
 * 2. NUTS iteration: one in-process chain (no workers), counts gradient calls, splits its CPU
 *    time into gradient time (calls x measured cost) and sampler overhead (the rest).
 * Times are CPU time (process.cpuUsage), so other load on a shared machine inflates them little.
 * 3. With --cpu-prof it re-runs itself under `node --cpu-prof` and prints the top functions by
 *    self time (from the .cpuprofile), so the figures point at source lines.
 *
 * Usage: npx tsx bench/profile.ts [--rows 1000000] [--warmup 1000] [--draws 1000] [--dist]
 *        [--cpu-prof [--top 15] [--keep] [--no-build]]   (--cpu-prof profiles dist/, built first)
 *        [--callgrind [--cg-base 2000] [--cg-more 6000]]  (instructions per gradient, valgrind)
 *
 * @example
 * // npx tsx bench/profile.ts --cpu-prof
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FORMULA, scoreStats, stanPriors } from './rstan.bench.js';
import { BENCH_DIR, printHeader, ROOT } from './run.js';

/** A V8 .cpuprofile (the parts used here). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Self time per function (summed over call sites) from a .cpuprofile, largest first, with the share
 * of all samples. Sample weights come from timeDeltas when present (microseconds).
 *
 * @example topSelfTime(profile, 10)[0]; // { name: 'logDensityGradient', where: 'compile.ts:120', ms: 812.3, share: 0.61 }
 */
export function topSelfTime(
  p: CpuProfile,
  n: number,
): { name: string; where: string; ms: number; share: number }[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const selfUs = new Map<number, number>();
  if (p.samples && p.timeDeltas && p.samples.length === p.timeDeltas.length) {
    for (let i = 0; i < p.samples.length; i++) {
      // timeDeltas[i] is the time before sample i; attribute the next delta to sample i.
      const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0;
      selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + Math.max(dt, 0));
    }
  } else {
    const total = p.endTime - p.startTime;
    const hits = p.nodes.reduce((a, x) => a + (x.hitCount ?? 0), 0) || 1;
    for (const x of p.nodes) selfUs.set(x.id, ((x.hitCount ?? 0) * total) / hits);
  }
  const agg = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const cf = node.callFrame;
    const file = cf.url ? path.basename(cf.url.replace(/^file:\/\//, '')) : '';
    const name = cf.functionName || '(anonymous)';
    const where = file ? `${file}:${cf.lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const e = agg.get(key) ?? { name, where, us: 0 };
    e.us += us;
    agg.set(key, e);
  }
  return [...agg.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((e) => ({
      name: e.name,
      where: e.where,
      ms: e.us / 1000,
      share: total > 0 ? e.us / total : 0,
    }));
}

function num(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
}

interface Lib {
  parseCsv: (text: string, o?: { source?: string }) => unknown;
  compileModel: (
    spec: unknown,
    table: unknown,
  ) => {
    dim: number;
    logDensityGradient(theta: Float64Array, grad: Float64Array): number;
    variableNames: readonly string[];
    writeVariables(theta: Float64Array, out: Float64Array): void;
  };
  sample: (
    model: unknown,
    config: Record<string, unknown>,
  ) => Promise<{
    stats: { variables: readonly string[]; values: Float64Array; nDraws: number; nChains: number };
    timing: { warmupSeconds: number; samplingSeconds: number };
  }>;
}

async function loadLib(useDist: boolean): Promise<Lib> {
  // dist/ (tsc output) keeps the source's line structure, so profiles point at real lines; tsx's
  // on-the-fly transform reports everything on line 1.
  const entry = useDist
    ? path.join(ROOT, 'dist', 'src', 'index.js')
    : path.join(ROOT, 'src', 'index.ts');
  console.log(`library: ${path.relative(ROOT, entry)}`);
  const lib = (await import(pathToFileURL(entry).href)) as Partial<Lib>;
  const missing = (['parseCsv', 'compileModel', 'sample'] as const).filter((k) => !lib[k]);
  if (missing.length > 0) throw new Error(`src/index.ts does not export ${missing.join(', ')} yet`);
  return lib as Lib;
}

/** Time `logDensityGradient` at a fixed point for about `seconds`; returns microseconds per call. */
function timeGradient(
  model: { dim: number; logDensityGradient(t: Float64Array, g: Float64Array): number },
  seconds: number,
): { usPerGradient: number; calls: number; lp: number } {
  const theta = new Float64Array(model.dim);
  // A fixed, typical-set-like point: small random effects, moderate log-sds (seeded, no Math.random).
  let s = 12345;
  for (let i = 0; i < model.dim; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    theta[i] = (s / 0x7fffffff - 0.5) * 0.5;
  }
  const grad = new Float64Array(model.dim);
  let lp = model.logDensityGradient(theta, grad);
  for (let i = 0; i < 20; i++) lp = model.logDensityGradient(theta, grad); // warm the JIT
  let calls = 0;
  // CPU time of this thread's process (robust to other load on a shared machine), not wall clock.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    for (let i = 0; i < 10; i++) lp = model.logDensityGradient(theta, grad);
    calls += 10;
    t = performance.now();
  }
  const c = process.cpuUsage(c0);
  return { usPerGradient: (c.user + c.system) / calls, calls, lp };
}

function synthCsv(H: number, T: number, C: number, R: number): string {
  // Same design as scale.bench.ts but in memory (deterministic LCG; values only need to be plausible).
  let s = 7;
  const u = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const parts: string[] = ['heuristic,task,category,seed,score\n'];
  for (let h = 0; h < H; h++) {
    for (let t = 0; t < T; t++) {
      const m = 0.5 + 0.1 * u();
      let chunk = '';
      for (let r = 0; r < R; r++)
        chunk += `h${h},t${t},c${t % C},${r},${(m + 0.04 * (u() - 0.5)).toFixed(6)}\n`;
      parts.push(chunk);
    }
  }
  return parts.join('');
}

/**
 * Exactly `calls` gradient evaluations of the synth_med model after setup: the workload that
 * `--callgrind` runs twice under valgrind so that the difference of instruction counts is the cost
 * of the extra gradients alone (startup and JIT warm-up cancel).
 */
async function gradOnly(argv: readonly string[]): Promise<void> {
  const lib = await loadLib(true);
  const csv = readFileSync(path.join(BENCH_DIR, 'reference', 'synth_med.csv'), 'utf8');
  const spec = { formula: FORMULA, family: 'gaussian', priors: stanPriors(scoreStats(csv)) };
  const model = lib.compileModel(spec, lib.parseCsv(csv, { source: 'synth_med.csv' }));
  const theta = new Float64Array(model.dim).fill(0.1);
  const grad = new Float64Array(model.dim);
  const calls = num(argv, '--grad-only', 0);
  let lp = 0;
  for (let i = 0; i < calls; i++) lp += model.logDensityGradient(theta, grad);
  if (!Number.isFinite(lp) && calls > 0) console.log('non-finite lp');
}

/** Total instructions (Ir) from a callgrind output file's `summary:` / `totals:` line. */
export function callgrindTotal(text: string): number {
  const m = /^(?:summary|totals):\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

function callgrind(argv: readonly string[]): number {
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-cg-'));
  const counts = [num(argv, '--cg-base', 2000), num(argv, '--cg-more', 6000)];
  const ir: number[] = [];
  for (const n of counts) {
    const out = path.join(dir, `cg.${n}.out`);
    const r = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--smc-check=all-non-file',
        `--callgrind-out-file=${out}`,
        process.execPath,
        '--import',
        'tsx',
        self,
        '--grad-only',
        String(n),
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'] },
    );
    if (r.status !== 0) {
      console.log(`callgrind failed: ${r.stderr?.toString().slice(-1500)}`);
      return 1;
    }
    ir.push(callgrindTotal(readFileSync(out, 'utf8')));
  }
  const per = (ir[1] - ir[0]) / (counts[1] - counts[0]);
  console.log(
    `callgrind: ${ir[0]} Ir with ${counts[0]} gradients, ${ir[1]} Ir with ${counts[1]}: ` +
      `${per.toFixed(0)} instructions per gradient (synth_med.csv model; repeatable, load-independent)`,
  );
  rmSync(dir, { recursive: true, force: true });
  return 0;
}

async function child(argv: readonly string[]): Promise<void> {
  const lib = await loadLib(argv.includes('--dist'));
  const rows = num(argv, '--rows', 1_000_000);
  const datasets: { name: string; csv: string }[] = [
    {
      name: 'synth_med.csv',
      csv: readFileSync(path.join(BENCH_DIR, 'reference', 'synth_med.csv'), 'utf8'),
    },
  ];
  if (rows > 0) {
    const R = Math.max(1, Math.round(rows / (20 * 500)));
    datasets.push({
      name: `generated ${20 * 500 * R} rows (20 x 500 x ${R})`,
      csv: synthCsv(20, 500, 5, R),
    });
  }
  let medModel: ReturnType<Lib['compileModel']> | null = null;
  let medUs = Number.NaN;
  for (const d of datasets) {
    const t0 = performance.now();
    const table = lib.parseCsv(d.csv, { source: d.name });
    const t1 = performance.now();
    const spec = { formula: FORMULA, family: 'gaussian', priors: stanPriors(scoreStats(d.csv)) };
    const model = lib.compileModel(spec, table);
    const t2 = performance.now();
    const g = timeGradient(model, 2);
    console.log(
      `gradient [${d.name}]: dim ${model.dim}, ${g.usPerGradient.toFixed(2)} CPU us per gradient ` +
        `(${g.calls} calls, ${((g.usPerGradient * 1000) / model.dim).toFixed(1)} ns per coordinate); ` +
        `parseCsv ${(t1 - t0).toFixed(0)} ms, compileModel ${(t2 - t1).toFixed(0)} ms`,
    );
    if (!medModel) {
      medModel = model;
      medUs = g.usPerGradient;
    }
  }
  if (!medModel) return;
  // One chain in-process with a gradient counter: overhead = wall - calls * cost.
  const m = medModel;
  let calls = 0;
  const counted = {
    dim: m.dim,
    variableNames: m.variableNames,
    writeVariables: (t: Float64Array, o: Float64Array) => m.writeVariables(t, o),
    logDensityGradient(t: Float64Array, g: Float64Array) {
      calls++;
      return m.logDensityGradient(t, g);
    },
  };
  const warmup = num(argv, '--warmup', 1000);
  const draws = num(argv, '--draws', 1000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const fit = await lib.sample(counted, { chains: 1, warmup, draws, seed: 1, parallel: false });
  const cu = process.cpuUsage(c0);
  const wallClock = (performance.now() - t0) / 1000;
  // CPU seconds (one thread busy): the figure that other load on the machine does not inflate.
  const wall = (cu.user + cu.system) / 1e6;
  const iters = warmup + draws;
  const gradS = (calls * medUs) / 1e6;
  const li = fit.stats.variables.indexOf('treedepth__');
  let depth = 0;
  if (li >= 0) {
    const n = fit.stats.nDraws;
    for (let d = 0; d < n; d++) depth += fit.stats.values[d + n * fit.stats.nChains * li] / n;
  }
  console.log(
    `NUTS [synth_med.csv, 1 chain in-process, ${warmup}+${draws}]: ${wall.toFixed(2)} CPU s (${wallClock.toFixed(2)} s wall), ` +
      `${(calls / iters).toFixed(1)} gradients per iteration, ${((wall / iters) * 1e3).toFixed(3)} ms per iteration, ` +
      `mean tree depth ${depth.toFixed(2)} (sampling); gradient share ${((100 * gradS) / wall).toFixed(0)}% ` +
      `(${calls} calls x ${medUs.toFixed(2)} us), sampler overhead ${(((wall - gradS) / calls) * 1e6).toFixed(2)} us per leapfrog step`,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--grad-only')) {
    await gradOnly(argv);
    return 0;
  }
  if (argv.includes('--callgrind')) {
    printHeader('profile: instructions per gradient under valgrind --tool=callgrind');
    if (!argv.includes('--no-build'))
      spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'ignore' });
    return callgrind(argv);
  }
  if (argv.includes('--child')) {
    await child(argv);
    return 0;
  }
  printHeader('profile: gradient and NUTS iteration of the heuristic_task comparison model');
  if (!argv.includes('--cpu-prof')) {
    await child(argv);
    return 0;
  }
  if (!argv.includes('--no-build')) {
    const b = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0)
      console.log('profile: npm run build reported errors; dist/ may be partly stale');
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-prof-'));
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', self, '--child', '--dist', ...argv],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (r.status !== 0) return r.status ?? 1;
  const top = num(argv, '--top', 15);
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile;
    const idle = topSelfTime(p, 1e9).find((e) => e.name === '(idle)')?.share ?? 0;
    if (idle > 0.8) {
      console.log(
        `\n(${f}: ${(100 * idle).toFixed(0)}% idle, a helper thread such as tsx's loader; skipped)`,
      );
      continue;
    }
    console.log(`\ntop ${top} functions by self time (${f}):`);
    for (const e of topSelfTime(p, top)) {
      console.log(
        `  ${(100 * e.share).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}  ${e.where}`,
      );
    }
  }
  if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  else console.log(`profiles kept in ${dir}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`profile: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
