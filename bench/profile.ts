/**
 * Where the time goes (BENCHMARKS.md §4): one gradient evaluation and one NUTS iteration of the default
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
 *        [--efficiency [--data synth_small] [--seeds 1,2,3] [--geometry]]
 *
 * 4. --efficiency: the sampling efficiency of that model on bench/reference/<data>.csv, in-process
 *    (one thread, 4 chains x 1000 + 1000): per seed the CPU seconds of `sample`, gradients (warmup
 *    included), leapfrog steps per iteration after warmup and by warmup window, step sizes, min
 *    ESS_bulk over the reported variables, min ESS per 1,000 gradients and per CPU second; medians
 *    over the seeds. Gradients per ESS do not depend on the machine's load. --geometry adds, for the
 *    first seed, each unconstrained coordinate's posterior sd against the adapted metric's and the
 *    smallest eigenvalues of the posterior correlation matrix with their largest loadings: the
 *    directions that limit the step size of a diagonal metric.
 *
 * @example
 * // npx tsx bench/profile.ts --cpu-prof
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from '../src/math/quantile.js';
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

/** Eigenvalues and eigenvectors (columns of V) of a symmetric matrix, cyclic Jacobi rotations. */
function jacobiEigen(C: number[][]): { values: number[]; V: number[][] } {
  const D = C.length;
  const A = C.map((r) => r.slice());
  const V: number[][] = C.map((_, i) => C.map((__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < D; i++) for (let j = i + 1; j < D; j++) off += A[i][j] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < D; p++) {
      for (let q = p + 1; q < D; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const th = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = (th >= 0 ? 1 : -1) / (Math.abs(th) + Math.sqrt(th * th + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < D; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < D; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < D; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: A.map((r, i) => r[i]), V };
}

/** --efficiency (see the header): in-process fits of the comparison model, medians over seeds. */
async function efficiency(argv: readonly string[]): Promise<void> {
  const { parseCsv } = await import('../src/data/csv.js');
  const { compileModel } = await import('../src/model/compile.js');
  const { sample } = await import('../src/sampler/sample.js');
  const { essBulk } = await import('../src/diagnostics/ess.js');
  const { variableBlock } = await import('../src/draws/draws.js');
  const i = argv.indexOf('--data');
  const data = i >= 0 && i + 1 < argv.length ? argv[i + 1] : 'synth_small';
  const j = argv.indexOf('--seeds');
  const seeds = (j >= 0 && j + 1 < argv.length ? argv[j + 1] : '1,2,3').split(',').map(Number);
  const csv = readFileSync(path.join(BENCH_DIR, 'reference', `${data}.csv`), 'utf8');
  const spec = {
    formula: FORMULA,
    family: 'gaussian' as const,
    priors: stanPriors(scoreStats(csv)),
  };
  const model = compileModel(spec, parseCsv(csv, { source: `${data}.csv` }));
  const V = model.variableNames.length;
  const D = model.dim;
  console.log(
    `${data}: dim ${D}; centred ${model.internals.centred.join(', ') || '-'}; integrated out ${model.internals.marginal ?? '-'}`,
  );
  const rows: { cpu: number; grads: number; perIter: number; ess: number }[] = [];
  for (const [si, seed] of seeds.entries()) {
    let grads = 0;
    // Reports the model's variables and, after them, the unconstrained coordinates (--geometry).
    const counted = {
      dim: D,
      parameterNames: model.parameterNames,
      variableNames: [...model.variableNames, ...model.parameterNames],
      logDensityGradient(t: Float64Array, g: Float64Array): number {
        grads++;
        return model.logDensityGradient(t, g);
      },
      writeVariables(t: Float64Array, o: Float64Array): void {
        model.writeVariables(t, o);
        o.set(t, V);
      },
    };
    const c0 = process.cpuUsage();
    const fit = await sample(counted, { chains: 4, seed, parallel: false, saveWarmup: true });
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    const dr = fit.draws;
    let ess = Number.POSITIVE_INFINITY;
    let worst = '';
    for (let v = 0; v < V; v++) {
      const e = essBulk(variableBlock(dr, v), dr.nDraws, dr.nChains);
      if (e < ess) {
        ess = e;
        worst = dr.variables[v];
      }
    }
    const leap = (st: typeof fit.stats, from: number, to: number): number => {
      const x = variableBlock(st, st.variables.indexOf('n_leapfrog__'));
      let s = 0;
      for (let ch = 0; ch < st.nChains; ch++)
        for (let it = from; it < to; it++) s += x[ch * st.nDraws + it];
      return s / st.nChains / (to - from);
    };
    const perIter = leap(fit.stats, 0, fit.stats.nDraws);
    const w = fit.warmup?.stats;
    const windows = [0, 75, 100, 150, 250, 450, 950, 1000];
    const byWindow =
      w && w.nDraws === 1000
        ? windows
            .slice(0, -1)
            .map((a, k) => `${a}-${windows[k + 1]}:${leap(w, a, windows[k + 1]).toFixed(0)}`)
            .join(' ')
        : '';
    console.log(
      `seed ${seed}: CPU ${cpu.toFixed(2)} s, ${grads} gradients, ${perIter.toFixed(1)} leapfrogs/iteration after warmup, step ${Array.from(
        fit.adaptation.stepSize,
        (x) => x.toFixed(3),
      ).join(
        '/',
      )}, min ESS_bulk ${ess.toFixed(0)} (${worst}), ${((1000 * ess) / grads).toFixed(2)} per 1k gradients, ${(ess / cpu).toFixed(0)} per CPU s`,
    );
    if (byWindow) console.log(`  warmup leapfrogs/iteration by window: ${byWindow}`);
    rows.push({ cpu, grads, perIter, ess });
    if (si === 0 && argv.includes('--geometry')) {
      const N = dr.nDraws * dr.nChains;
      const X = Array.from({ length: D }, (_, k) => Float64Array.from(variableBlock(dr, V + k)));
      const mean = X.map((x) => x.reduce((a, b) => a + b, 0) / N);
      const sd = X.map((x, k) =>
        Math.sqrt(x.reduce((a, b) => a + (b - mean[k]) ** 2, 0) / (N - 1)),
      );
      const inv = fit.adaptation.invMetric[0];
      console.log('  coordinate: posterior sd / sqrt(adapted inverse metric, chain 1)');
      for (let k = 0; k < D; k++)
        console.log(
          `    ${model.parameterNames[k]}: ${sd[k].toPrecision(3)} / ${Math.sqrt(inv[k]).toPrecision(3)}`,
        );
      const C = X.map((xi, a) =>
        X.map((xj, b) => {
          let s = 0;
          for (let n = 0; n < N; n++) s += (xi[n] - mean[a]) * (xj[n] - mean[b]);
          return s / (N - 1) / (sd[a] * sd[b]);
        }),
      );
      const { values, V: vec } = jacobiEigen(C);
      const order = values.map((x, k) => [x, k] as const).sort((a, b) => a[0] - b[0]);
      console.log('  smallest eigenvalues of the posterior correlation matrix (largest loadings):');
      for (const [val, k] of order.slice(0, 10)) {
        const load = vec
          .map((r, a) => [r[k], model.parameterNames[a]] as const)
          .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
          .slice(0, 4)
          .map(([x, n]) => `${x.toFixed(2)} ${n}`);
        console.log(`    ${val.toFixed(4)}: ${load.join(', ')}`);
      }
      console.log(
        `    largest: ${order
          .slice(-3)
          .map(([x]) => x.toFixed(2))
          .join(', ')}`,
      );
    }
  }
  const med = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
  console.log(
    `median of ${rows.length} seeds: CPU ${med((r) => r.cpu).toFixed(2)} s, ${med((r) => r.grads).toFixed(0)} gradients, ${med((r) => r.perIter).toFixed(1)} leapfrogs/iteration, min ESS ${med((r) => r.ess).toFixed(0)}, ${med((r) => (1000 * r.ess) / r.grads).toFixed(2)} per 1k gradients, ${med((r) => r.ess / r.cpu).toFixed(0)} per CPU s`,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--efficiency')) {
    await efficiency(argv);
    return 0;
  }
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
