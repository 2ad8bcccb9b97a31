/**
 * bayesbench vs rstan, side by side (BENCHMARKS.md §1-2): the heuristic x task comparison model of
 * bench/reference/heuristic_task.stan on synth_small.csv and synth_med.csv, 4 chains x 1000 warmup +
 * 1000 draws, same explicit priors. Prints min ESS_bulk per second for both and their ratio, the end
 * to end ratio (rstan's C++ compile included) and whether posterior means agree within
 * 4 * sqrt(mcse^2 + mcse_ref^2).
 *
 * The rstan side is read from bench/reference/rstan_<dataset>.json (recorded by this script); it is
 * re-run only with --rerun-rstan (needs R with rstan and posterior: a benchmark tool only).
 *
 * The twelve posteriordb posteriors side by side with rstan: bench/rstan-posteriordb.bench.ts (same
 * agreement rule, imported from here).
 *
 * Usage: npx tsx bench/rstan.bench.ts [--datasets small,med] [--reps 3] [--rerun-rstan]
 *        [--rstan-reps 1] [--fresh-compile] [--rstan-only] [--no-build] [--seed 1]
 *        [--out bench/out/rstan.json]
 *
 * @example
 * // npx tsx bench/rstan.bench.ts --datasets small --reps 1
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from '../src/math/quantile.js';
import { BENCH_DIR, machineInfo, printHeader, ROOT } from './run.js';

/** The formula of heuristic_task.stan in brms syntax. */
export const FORMULA =
  'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';

/** Stan parameter -> brms variable name (the r_ terms are s * z and are named per level). */
export const STAN_TO_BRMS: Readonly<Record<string, string>> = {
  alpha: 'b_Intercept',
  sigma: 'sigma',
  s_h: 'sd_heuristic__Intercept',
  s_t: 'sd_task__Intercept',
  s_hc: 'sd_heuristic:category__Intercept',
  s_ht: 'sd_heuristic:task__Intercept',
};

/** One posterior summary row, as both `fit --json` and the reference JSON hold them. */
export interface MeanRow {
  variable: string;
  mean: number;
  mcse_mean: number | null;
  ess_bulk: number | null;
}

/**
 * Median and sample standard deviation (n - 1, as R's sd) of the score column of a CSV whose header
 * names a `score` column. These make the explicit priors of heuristic_task.stan: my = median,
 * sy = max(sd, 1e-4).
 *
 * @example scoreStats('score\n1\n2\n4\n'); // { n: 3, median: 2, sd: 1.5275... }
 */
export function scoreStats(csv: string): { n: number; median: number; sd: number } {
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const k = header.indexOf('score');
  if (k < 0) throw new Error('no score column');
  const y = lines.slice(1).map((l) => Number(l.split(',')[k]));
  const n = y.length;
  // this summation order is kept: the priors it prints feed the recorded benchmark runs, and
  // math/moments' variance differs from it in the last bit on synth_small and synth_med
  let mean = 0;
  for (const v of y) mean += v / n;
  let ss = 0;
  for (const v of y) ss += (v - mean) ** 2;
  return { n, median: median(y), sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * The explicit priors of heuristic_task.stan in bayesbench's --prior syntax: Intercept
 * student_t(3, median, sd), sd and sigma half student_t(3, 0, sd) (sd floored at 1e-4 as the R
 * runner does). Numbers are printed with 17 significant digits so both sides use the same values.
 *
 * @example stanPriors({ median: 0.6, sd: 0.1 }); // ['Intercept ~ student_t(3, 0.6, 0.1)', ...]
 */
export function stanPriors(stats: { median: number; sd: number }): string[] {
  const sy = Math.max(stats.sd, 0.0001);
  const f = (x: number) => String(Number(x.toPrecision(17)));
  return [
    `Intercept ~ student_t(3, ${f(stats.median)}, ${f(sy)})`,
    `sd ~ student_t(3, 0, ${f(sy)})`,
    `sigma ~ student_t(3, 0, ${f(sy)})`,
  ];
}

/** Result of comparing posterior means of two fits variable by variable. */
export interface Agreement {
  compared: number;
  failed: { variable: string; mean: number; ref: number; z: number }[];
  /** Largest |mean - ref| / sqrt(mcse^2 + mcse_ref^2) over the compared variables. */
  maxZ: number;
  maxZVariable: string;
  /** Reference variables bayesbench does not report (or reports without an MCSE). */
  missing: string[];
}

/**
 * Check |mean - ref| <= k * sqrt(mcse^2 + mcse_ref^2) for every reference variable (k = 4, the
 * project's statistical tolerance: about 6e-5 two-sided per variable if both MCSEs are right).
 *
 * @example agreement([{variable:'a',mean:1,mcse_mean:0.1,ess_bulk:400}], [{variable:'a',mean:1.2,mcse_mean:0.1,ess_bulk:400}]).failed.length; // 0
 */
export function agreement(rows: readonly MeanRow[], ref: readonly MeanRow[], k = 4): Agreement {
  const byName = new Map(rows.map((r) => [r.variable, r]));
  const out: Agreement = { compared: 0, failed: [], maxZ: 0, maxZVariable: '', missing: [] };
  for (const r of ref) {
    const b = byName.get(r.variable);
    if (!b || b.mcse_mean == null || r.mcse_mean == null || !Number.isFinite(b.mean)) {
      out.missing.push(r.variable);
      continue;
    }
    out.compared++;
    const z = Math.abs(b.mean - r.mean) / Math.sqrt(b.mcse_mean ** 2 + r.mcse_mean ** 2);
    if (z > out.maxZ || Number.isNaN(z)) {
      out.maxZ = z;
      out.maxZVariable = r.variable;
    }
    if (!(z <= k)) out.failed.push({ variable: r.variable, mean: b.mean, ref: r.mean, z });
  }
  return out;
}

/**
 * Minimum ESS_bulk over the variables both fits report (the fair min-ESS: rstan's own figure is
 * over its raw parameters z_*, bayesbench's over its reported r_*; these are s * z, so the sets
 * differ; the common brms-named set is the same quantities on both sides).
 *
 * @example minCommonEss([{variable:'a',mean:0,mcse_mean:0,ess_bulk:5}], new Set(['a'])); // 5
 */
export function minCommonEss(rows: readonly MeanRow[], names: ReadonlySet<string>): number {
  let m = Number.POSITIVE_INFINITY;
  for (const r of rows) {
    if (names.has(r.variable) && r.ess_bulk != null && Number.isFinite(r.ess_bulk)) {
      m = Math.min(m, r.ess_bulk);
    }
  }
  return m;
}

/** Sum of numbers. @example sum([1, 2]); // 3 */
export function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

/** R's median (src/math/quantile.ts), re-exported for the other benchmarks and their tests. */
export { median };

/** One rstan run as rstan_fit_full.R prints it. */
export interface RstanRun {
  seed: number;
  compile_s: number;
  sample_s: number;
  min_ess_bulk: number;
  median_ess_bulk: number;
  min_ess_tail: number;
  max_rhat: number;
  divergent: number;
  n_leapfrog: number;
  n_leapfrog_with_warmup?: number;
  compiled_fresh?: boolean;
  chain_warmup_s?: number[];
  chain_sample_s?: number[];
  variables: MeanRow[];
  date?: string;
  loadavg_before?: number[];
  loadavg_after?: number[];
  process_wall_s?: number;
}

/** The recorded reference file bench/reference/rstan_<dataset>.json. */
export interface RstanReference {
  dataset: string;
  command: string;
  machine: ReturnType<typeof machineInfo>;
  note: string;
  runs: RstanRun[];
  /** Seconds of a fresh C++ compile (stan_model), measured in the run with compiled_fresh. */
  compile_s: number | null;
}

/** One bayesbench `fit --json` run. */
export interface BayesbenchRun {
  seed: number;
  warmup_s: number;
  sampling_s: number;
  process_wall_s: number;
  /** User + system CPU seconds of the whole process (all threads), from /usr/bin/time. */
  cpu_s: number;
  loadavg_before: number[];
  peak_rss_mb: number | null;
  min_ess_bulk: number;
  min_common_ess_bulk: number;
  median_ess_bulk: number;
  divergent: number;
  n_leapfrog: number;
  max_rhat: number;
  rows: MeanRow[];
}

const DATASETS: Record<string, string> = {
  small: 'synth_small.csv',
  med: 'synth_med.csv',
};

function arg(argv: readonly string[], name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}

/** Run the R reference once and parse its JSON line. */
async function runRstanOnce(csv: string, seed: number, fresh: boolean): Promise<RstanRun> {
  const script = path.join(BENCH_DIR, 'reference', 'rstan_fit_full.R');
  const loadBefore = os.loadavg();
  const date = new Date().toISOString();
  const t0 = performance.now();
  const { code, stdout, stderr } = await run(
    'Rscript',
    [script, csv, '4', '1000', '1000', String(seed)],
    fresh ? { ...process.env, BAYESBENCH_RSTAN_FRESH: '1' } : process.env,
  );
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`Rscript failed (${code}): ${stderr.slice(-2000)}`);
  const line = stdout.trim().split('\n').pop() ?? '';
  const r = JSON.parse(line) as RstanRun;
  return {
    ...r,
    seed,
    date,
    loadavg_before: loadBefore,
    loadavg_after: os.loadavg(),
    process_wall_s: wall,
  };
}

function run(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Run `bayesbench fit --json` as a child process under /usr/bin/time (peak RSS) and parse it.
 * Timing of warmup and sampling comes from the document's sampler block.
 */
async function runBayesbench(
  csv: string,
  priors: readonly string[],
  seed: number,
  common: ReadonlySet<string>,
): Promise<BayesbenchRun> {
  const cli = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bb-bench-'));
  const timeFile = path.join(tmp, 'time.txt');
  const args = [
    'fit',
    csv,
    '--formula',
    FORMULA,
    ...priors.flatMap((p) => ['--prior', p]),
    '--chains',
    '4',
    '--warmup',
    '1000',
    '--draws',
    '1000',
    '--seed',
    String(seed),
    '--json',
  ];
  const useTime = existsSync('/usr/bin/time');
  const load = os.loadavg();
  const t0 = performance.now();
  const res = useTime
    ? await run('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, process.execPath, cli, ...args])
    : await run(process.execPath, [cli, ...args]);
  const wall = (performance.now() - t0) / 1000;
  if (res.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`bayesbench fit failed (${res.code}): ${res.stderr.slice(-2000)}`);
  }
  const tv = useTime
    ? (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number)
    : [Number.NaN, Number.NaN, Number.NaN];
  const peakKb = tv[0];
  rmSync(tmp, { recursive: true, force: true });
  const doc = JSON.parse(res.stdout) as {
    variables: (MeanRow & { rhat: number | null })[];
    sampler: {
      warmup_seconds: number;
      sampling_seconds: number;
      divergent: number;
      n_leapfrog: number;
    };
  };
  const ess = doc.variables
    .map((r) => r.ess_bulk)
    .filter((x): x is number => x != null && Number.isFinite(x));
  return {
    seed,
    warmup_s: doc.sampler.warmup_seconds,
    sampling_s: doc.sampler.sampling_seconds,
    process_wall_s: wall,
    cpu_s: tv[1] + tv[2],
    loadavg_before: load,
    peak_rss_mb: Number.isFinite(peakKb) ? peakKb / 1024 : null,
    min_ess_bulk: Math.min(...ess),
    min_common_ess_bulk: minCommonEss(doc.variables, common),
    median_ess_bulk: median(ess),
    divergent: doc.sampler.divergent,
    n_leapfrog: doc.sampler.n_leapfrog,
    max_rhat: Math.max(...doc.variables.map((r) => r.rhat ?? 0)),
    rows: doc.variables.map((r) => ({
      variable: r.variable,
      mean: r.mean,
      mcse_mean: r.mcse_mean,
      ess_bulk: r.ess_bulk,
    })),
  };
}

function fmt(x: number | null | undefined, d = 1): string {
  return x == null || !Number.isFinite(x) ? 'NA' : x.toFixed(d);
}

async function main(argv: readonly string[]): Promise<number> {
  printHeader('bayesbench vs rstan: heuristic_task model, 4 chains x 1000 warmup + 1000 draws');
  const names = arg(argv, '--datasets', 'small,med').split(',');
  const reps = Number(arg(argv, '--reps', '3'));
  const rstanReps = Number(arg(argv, '--rstan-reps', '1'));
  const seed0 = Number(arg(argv, '--seed', '1'));
  const rerun = argv.includes('--rerun-rstan');
  const freshCompile = argv.includes('--fresh-compile');
  const outFile = path.resolve(ROOT, arg(argv, '--out', 'bench/out/rstan.json'));
  console.log(
    'note: shared 2-core machine; other work may run at the same time, so figures are noisy (see load).',
  );
  if (!argv.includes('--no-build') && !argv.includes('--rstan-only')) {
    const b = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) console.log('bench: npm run build failed; using whatever dist/ holds');
  }
  const results: Record<string, unknown> = {};
  let failedAny = false;
  for (const name of names) {
    const file = DATASETS[name];
    if (!file) throw new Error(`unknown dataset '${name}'; use ${Object.keys(DATASETS).join(',')}`);
    const csv = path.join(BENCH_DIR, 'reference', file);
    const refPath = path.join(BENCH_DIR, 'reference', `rstan_${path.basename(file, '.csv')}.json`);
    const stats = scoreStats(readFileSync(csv, 'utf8'));
    const priors = stanPriors(stats);
    console.log(`\n=== ${file}: ${stats.n} rows; priors: ${priors.join('; ')}`);

    let ref: RstanReference | null = existsSync(refPath)
      ? (JSON.parse(readFileSync(refPath, 'utf8')) as RstanReference)
      : null;
    if (rerun || !ref) {
      const runs: RstanRun[] = [];
      for (let i = 0; i < rstanReps; i++) {
        const fresh = freshCompile && i === 0;
        console.log(
          `rstan: run ${i + 1}/${rstanReps} (seed ${seed0 + i}${fresh ? ', fresh compile' : ''})...`,
        );
        runs.push(await runRstanOnce(csv, seed0 + i, fresh));
      }
      const freshRun = runs.find((r) => r.compiled_fresh);
      ref = {
        dataset: file,
        command: `Rscript bench/reference/rstan_fit_full.R bench/reference/${file} 4 1000 1000 SEED`,
        machine: machineInfo(),
        note: 'shared 2-core machine (other engineers run builds/tests at the same time): noisy',
        runs,
        compile_s: freshRun ? freshRun.compile_s : (ref?.compile_s ?? null),
      };
      writeFileSync(refPath, `${JSON.stringify(ref, null, 2)}\n`);
      // Keep the recorded file in the repo's format (biome checks bench/**).
      spawnSync('npx', ['biome', 'format', '--write', refPath], { cwd: ROOT, stdio: 'ignore' });
      console.log(`rstan: recorded ${path.relative(ROOT, refPath)}`);
    } else {
      console.log(
        `rstan: reusing ${path.relative(ROOT, refPath)} (${ref.runs.length} run(s); --rerun-rstan to redo)`,
      );
    }
    if (argv.includes('--rstan-only')) continue;
    const refRows = ref.runs[0].variables;
    const common = new Set(refRows.map((r) => r.variable));
    const rs = ref.runs.map((r) => ({
      sample_s: r.sample_s,
      min_ess: r.min_ess_bulk,
      min_common: minCommonEss(r.variables, common),
    }));
    const rSample = median(rs.map((r) => r.sample_s));
    const rMinEssPerS = median(rs.map((r) => r.min_ess / r.sample_s));
    const compile = ref.compile_s ?? Number.NaN;
    console.log(
      `rstan: sampling call ${fmt(rSample)} s (median of ${rs.length}); compile ${fmt(compile)} s; ` +
        `min ESS_bulk ${fmt(median(rs.map((r) => r.min_ess)))} (raw parameters), ` +
        `${fmt(median(rs.map((r) => r.min_common)))} (brms-named quantities); ` +
        `divergent ${ref.runs.map((r) => r.divergent).join('/')}`,
    );

    const bb: BayesbenchRun[] = [];
    for (let i = 0; i < reps; i++) {
      const r = await runBayesbench(csv, priors, seed0 + i, common);
      bb.push(r);
      console.log(
        `bayesbench seed ${r.seed}: fit --json phases warmup ${fmt(r.warmup_s, 2)} s + sampling ${fmt(r.sampling_s, 2)} s; ` +
          `process wall ${fmt(r.process_wall_s, 2)} s, CPU ${fmt(r.cpu_s, 1)} s, peak RSS ${fmt(r.peak_rss_mb, 0)} MB, load ${r.loadavg_before.map((x) => x.toFixed(1)).join(' ')}; ` +
          `min ESS_bulk ${fmt(r.min_ess_bulk)} (all), ${fmt(r.min_common_ess_bulk)} (common); ` +
          `n_leapfrog ${r.n_leapfrog}; divergent ${r.divergent}; max rhat ${fmt(r.max_rhat, 3)}`,
      );
    }
    const rCpu = ref.runs.map((r) => sum(r.chain_warmup_s ?? []) + sum(r.chain_sample_s ?? []));
    const ess = (r: BayesbenchRun) => r.min_common_ess_bulk;
    const figs = {
      // A: the definition (fit --json warmup_seconds + sampling_seconds vs rstan's sampling call)
      reported: {
        bayesbench: median(bb.map((r) => ess(r) / (r.warmup_s + r.sampling_s))),
        rstan: median(rs.map((r) => r.min_common / r.sample_s)),
      },
      // B: wall clock of the whole bayesbench process (startup, CSV, compile, sampling, summary)
      wall: {
        bayesbench: median(bb.map((r) => ess(r) / r.process_wall_s)),
        rstan: median(rs.map((r) => r.min_common / r.sample_s)),
      },
      // C: CPU seconds (robust to other load): bayesbench process user+sys vs Stan's per-chain clock()
      cpu: {
        bayesbench: median(bb.map((r) => ess(r) / r.cpu_s)),
        rstan: median(rs.map((r, k) => r.min_common / rCpu[k])),
      },
      endToEnd: {
        bayesbench: median(bb.map((r) => ess(r) / r.process_wall_s)),
        rstan: median(rs.map((r) => r.min_common / (r.sample_s + compile))),
      },
      endToEndCpu: {
        bayesbench: median(bb.map((r) => ess(r) / r.cpu_s)),
        rstan: median(rs.map((r, k) => r.min_common / (rCpu[k] + compile))),
      },
    };
    const agree = agreement(bb[0].rows, refRows);
    const line = (label: string, f: { bayesbench: number; rstan: number }, target: string) =>
      console.log(
        `${label.padEnd(58)} bayesbench ${fmt(f.bayesbench, 1).padStart(7)}  rstan ${fmt(f.rstan, 2).padStart(7)}  ratio ${fmt(f.bayesbench / f.rstan, 1).padStart(6)}x${target}`,
      );
    console.log(
      `\nmin ESS_bulk per second over the ${common.size} brms-named quantities both report (medians):`,
    );
    line('A. fit --json warmup+sampling vs rstan sampling call', figs.reported, ' (target >= 10x)');
    line('B. bayesbench whole process wall vs rstan sampling call', figs.wall, '');
    line('C. per CPU second (bayesbench process vs Stan chain clock())', figs.cpu, '');
    line(
      'end to end: process wall vs rstan compile + sampling',
      figs.endToEnd,
      ' (target >= 100x)',
    );
    line('end to end per CPU second (compile counted as CPU)', figs.endToEndCpu, '');
    console.log(
      `rstan's own figure (min over raw parameters / sampling call): ${fmt(rMinEssPerS, 2)} min-ESS/s; ` +
        `rstan gradients: ${median(ref.runs.map((r) => r.n_leapfrog_with_warmup ?? Number.NaN))} leapfrog steps with warmup (median), ` +
        `${median(ref.runs.map((r) => r.n_leapfrog))} after warmup; bayesbench after warmup ${median(bb.map((r) => r.n_leapfrog))}`,
    );
    const phaseShare = median(bb.map((r) => (r.warmup_s + r.sampling_s) / r.process_wall_s));
    if (phaseShare < 0.75) {
      console.log(
        `note: fit --json warmup+sampling (the wall clock of sample(), threads' start-up included) is ` +
          `${(100 * phaseShare).toFixed(0)}% of the process wall clock; the rest is Node's start-up, reading and ` +
          'compiling before sampling, and the summary after it: B and the end-to-end figure include it.',
      );
    }
    console.log(
      `posterior means (bayesbench seed ${bb[0].seed} vs rstan seed ${ref.runs[0].seed}): ${agree.compared - agree.failed.length}/${agree.compared} within 4*sqrt(mcse^2+mcse_ref^2); ` +
        `max z ${fmt(agree.maxZ, 2)} (${agree.maxZVariable}); missing in bayesbench: ${agree.missing.length}`,
    );
    for (const f of agree.failed.slice(0, 10)) {
      console.log(`  disagree: ${f.variable}: ${f.mean} vs ${f.ref} (z ${fmt(f.z, 2)})`);
    }
    if (agree.missing.length > 0)
      console.log(`  missing e.g. ${agree.missing.slice(0, 5).join(', ')}`);
    if (agree.failed.length > 0 || agree.missing.length > 0) failedAny = true;
    results[name] = {
      dataset: file,
      priors,
      rstan: {
        sample_s: rSample,
        compile_s: compile,
        cpu_s: rCpu,
        min_ess_per_s: rMinEssPerS,
      },
      bayesbench: bb.map(({ rows: _rows, ...r }) => r),
      figures: figs,
      ratios: Object.fromEntries(Object.entries(figs).map(([k, f]) => [k, f.bayesbench / f.rstan])),
      agreement: { ...agree, failed: agree.failed.slice(0, 50) },
    };
  }
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), results }, null, 1)}\n`,
  );
  console.log(`\nwrote ${path.relative(ROOT, outFile)}`);
  return failedAny ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`rstan.bench: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
