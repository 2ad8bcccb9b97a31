/**
 * Scale (BENCHMARKS.md §3): a 1,000,000-row benchmark CSV (20 heuristics x 500 tasks x 100 seeds, 5 task
 * categories) through `bayesbench compare --json` end to end as a child process. Prints wall time
 * and peak RSS (from /usr/bin/time -v, which counts the worker threads: they share the process).
 * Targets: <= 60 s and < 1.5 GB.
 *
 * The CSV comes from bench/gen-synth.ts (data helper) when it exports `generateSynthCsv` or a
 * compatible CLI; otherwise from the generator below (same design as shared gen_synth.py: additive
 * heuristic, task, heuristic x category and heuristic x task effects, gaussian noise sd 0.02).
 *
 * Usage: npx tsx bench/scale.bench.ts [--rows-per-cell 100] [--heuristics 20] [--tasks 500]
 *        [--categories 5] [--reps 1] [--timeout 600] [--no-build] [--keep] [--gradient] [--chain]
 *        [-- extra compare args]
 * --gradient also times one gradient of the comparison model in-process (CPU us, median of 5 runs
 * of 500 gradients at the first chain's init); --chain then runs one in-process chain with
 * compare's sampler defaults and prints its CPU time, leapfrogs per iteration (warmup, sampling)
 * and step size: the two factors of the sampling cost, independent of the machine's load.
 * A run still going after --timeout seconds is stopped and reported as a miss (with its CPU time
 * and peak RSS so far).
 *
 * @example
 * // npx tsx bench/scale.bench.ts --rows-per-cell 10    (a 100,000-row smoke run)
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { printHeader, ROOT } from './run.js';

/** Targets of BENCHMARKS.md §3: the 1M-row compare within 60 s and 1.5 GB peak RSS. */
export const TARGET_SECONDS = 60;
export const TARGET_RSS_MB = 1.5 * 1024;

/**
 * A small, fast, seedable uniform generator (mulberry32): the bench only needs reproducible data.
 *
 * @example const u = mulberry32(1); u(); // 0.6270739405881613
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Write a synthetic benchmark CSV (header heuristic,task,category,seed,score) of H x T x R rows to
 * `file`, streaming (no per-row objects kept). Truth: mu 0.6, heuristic sd 0.05, task sd 0.10,
 * heuristic x category sd 0.04, heuristic x task sd 0.01, noise sd 0.02 (as gen_synth.py).
 *
 * @example await writeSynthCsv('/tmp/x.csv', { heuristics: 2, tasks: 3, categories: 1, runs: 2, seed: 1 });
 */
export async function writeSynthCsv(
  file: string,
  o: { heuristics: number; tasks: number; categories: number; runs: number; seed: number },
): Promise<number> {
  const u = mulberry32(o.seed);
  const gauss = (sd: number) => {
    // Box-Muller; 1 - u() avoids log(0).
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    return sd * r * Math.cos(2 * Math.PI * u());
  };
  const b = Array.from({ length: o.heuristics }, () => gauss(0.05));
  const g = Array.from({ length: o.tasks }, () => gauss(0.1));
  const hc = Array.from({ length: o.heuristics }, () =>
    Array.from({ length: o.categories }, () => gauss(0.04)),
  );
  const out = createWriteStream(file);
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write('heuristic,task,category,seed,score\n');
  let rows = 0;
  for (let h = 0; h < o.heuristics; h++) {
    let chunk = '';
    for (let t = 0; t < o.tasks; t++) {
      const c = t % o.categories;
      const m = 0.6 + b[h] + g[t] + hc[h][c] + gauss(0.01);
      for (let r = 0; r < o.runs; r++) {
        chunk += `h${h},t${t},c${c},${r},${(m + gauss(0.02)).toFixed(6)}\n`;
        rows++;
      }
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return rows;
}

/**
 * Parse the parts of GNU `time -v` output the bench reports.
 *
 * @example parseTimeV('\tMaximum resident set size (kbytes): 2048\n\tElapsed (wall clock) time (h:mm:ss or m:ss): 0:01.50\n');
 * // { peakRssMb: 2, wallSeconds: 1.5, userSeconds: NaN, systemSeconds: NaN, cpuPercent: NaN }
 */
export function parseTimeV(text: string): {
  peakRssMb: number;
  wallSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  cpuPercent: number;
} {
  const grab = (re: RegExp) => {
    const m = re.exec(text);
    return m ? m[1] : undefined;
  };
  const rss = grab(/Maximum resident set size \(kbytes\): (\d+)/);
  const wall = grab(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/);
  let wallSeconds = Number.NaN;
  if (wall) {
    wallSeconds = wall
      .split(':')
      .map(Number)
      .reduce((acc, x) => acc * 60 + x, 0);
  }
  const user = grab(/User time \(seconds\): ([\d.]+)/);
  const sys = grab(/System time \(seconds\): ([\d.]+)/);
  const cpu = grab(/Percent of CPU this job got: (\d+)%/);
  return {
    peakRssMb: rss ? Number(rss) / 1024 : Number.NaN,
    wallSeconds,
    userSeconds: user ? Number(user) : Number.NaN,
    systemSeconds: sys ? Number(sys) : Number.NaN,
    cpuPercent: cpu ? Number(cpu) : Number.NaN,
  };
}

function num(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
}

/**
 * Run `cmd` (here /usr/bin/time wrapping node) and collect its output. After `timeoutS` seconds the
 * wrapped grandchild (found with `pgrep -P`) is killed, so /usr/bin/time still writes its report
 * (peak RSS, CPU time) for the part that ran; `timedOut` is then true.
 */
function runChild(
  cmd: string,
  args: readonly string[],
  timeoutS: number,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT });
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const r = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' });
      const pids = (r.stdout ?? '').split('\n').filter((x) => /^\d+$/.test(x));
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      if (pids.length === 0) child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr, timedOut });
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  printHeader('scale: 1,000,000-row CSV through `bayesbench compare --json`');
  const dash = argv.indexOf('--');
  const extra = dash >= 0 ? argv.slice(dash + 1) : [];
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const H = num(own, '--heuristics', 20);
  const T = num(own, '--tasks', 500);
  const C = num(own, '--categories', 5);
  const R = num(own, '--rows-per-cell', 100);
  const reps = num(own, '--reps', 1);
  const timeoutS = num(own, '--timeout', 600);
  if (!own.includes('--no-build')) {
    const b = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) console.log('bench: npm run build failed; using whatever dist/ holds');
  }
  const cli = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    console.log(`scale: ${cli} missing (build first)`);
    return 1;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-scale-'));
  const csv = path.join(dir, `synth_${H}x${T}x${R}.csv`);
  const tg = performance.now();
  const gen = { heuristics: H, tasks: T, categories: C, runs: R, seed: 1 };
  let rows: number;
  let generator = 'bench/gen-synth.ts (gen_synth.py port)';
  try {
    const mod = (await import('./gen-synth.js')) as {
      generateSynthCsv?: (out: string, a: typeof gen) => Promise<{ rows: number }>;
    };
    if (!mod.generateSynthCsv) throw new Error('no generateSynthCsv export');
    rows = (await mod.generateSynthCsv(csv, gen)).rows;
  } catch (err) {
    generator = `scale.bench.ts fallback (${(err as Error).message})`;
    rows = await writeSynthCsv(csv, gen);
  }
  console.log(
    `data: ${rows} rows (${H} heuristics x ${T} tasks x ${R} seeds, ${C} categories), ` +
      `${(statSync(csv).size / 2 ** 20).toFixed(1)} MiB, generated by ${generator} in ${((performance.now() - tg) / 1000).toFixed(1)} s -> ${csv}`,
  );
  if (own.includes('--gradient')) await gradientFigures(csv, own.includes('--chain'));
  let failed = false;
  const walls: number[] = [];
  const rsss: number[] = [];
  for (let i = 0; i < reps; i++) {
    const timeFile = path.join(dir, `time${i}.txt`);
    const args = ['-v', '-o', timeFile, process.execPath, cli, 'compare', csv, '--json', ...extra];
    const t0 = performance.now();
    const res = await runChild('/usr/bin/time', args, timeoutS);
    const wallJs = (performance.now() - t0) / 1000;
    const tv = existsSync(timeFile) ? parseTimeV(readFileSync(timeFile, 'utf8')) : null;
    if (res.timedOut) {
      console.log(
        `run ${i + 1}: did NOT finish within ${timeoutS} s (stopped)` +
          (timeoutS > TARGET_SECONDS
            ? `: target ${TARGET_SECONDS} s missed by more than ${(timeoutS - TARGET_SECONDS).toFixed(0)} s`
            : '') +
          `; until then peak RSS ${tv ? tv.peakRssMb.toFixed(0) : 'NA'} MB, ` +
          `user ${tv?.userSeconds.toFixed(1)} s, sys ${tv?.systemSeconds.toFixed(1)} s, CPU ${tv?.cpuPercent}%`,
      );
      const tail = res.stderr.trim().split('\n').slice(-3).join(' | ');
      if (tail) console.log(`  last stderr lines: ${tail}`);
      failed = true;
      break;
    }
    if (res.code !== 0) {
      console.log(
        `compare failed (exit ${res.code}) after ${wallJs.toFixed(1)} s:\n${res.stderr.slice(-3000)}`,
      );
      failed = true;
      break;
    }
    let diag = '';
    try {
      const doc = JSON.parse(res.stdout) as {
        diagnostics?: { max_rhat: number; min_ess_bulk: number; divergent: number };
        heuristics?: unknown[];
      };
      const d = doc.diagnostics;
      diag = d
        ? `; max rhat ${d.max_rhat?.toFixed(3)}, min ESS_bulk ${d.min_ess_bulk?.toFixed(0)}, divergent ${d.divergent}, ${doc.heuristics?.length} heuristics`
        : '';
    } catch {
      diag = '; stdout was not one JSON document';
      failed = true;
    }
    const wall = tv?.wallSeconds ?? wallJs;
    walls.push(wall);
    if (tv) rsss.push(tv.peakRssMb);
    console.log(
      `run ${i + 1}: wall ${wall.toFixed(1)} s (target ${TARGET_SECONDS} s), peak RSS ${tv ? tv.peakRssMb.toFixed(0) : 'NA'} MB ` +
        `(target ${TARGET_RSS_MB.toFixed(0)} MB), user ${tv?.userSeconds.toFixed(1)} s, sys ${tv?.systemSeconds.toFixed(1)} s, CPU ${tv?.cpuPercent}%${diag}`,
    );
    const phases = res.stderr
      .split('\n')
      .filter((l) => /second|elapsed|took|\bs\b/i.test(l))
      .slice(-8);
    if (phases.length > 0) console.log(`  stderr (timing lines): ${phases.join(' | ')}`);
  }
  if (walls.length > 0) {
    const w = [...walls].sort((a, b) => a - b)[Math.floor(walls.length / 2)];
    const m = rsss.length
      ? [...rsss].sort((a, b) => a - b)[Math.floor(rsss.length / 2)]
      : Number.NaN;
    console.log(
      `scale: median wall ${w.toFixed(1)} s (${w <= TARGET_SECONDS ? 'meets' : `misses by ${(w - TARGET_SECONDS).toFixed(1)} s`} the ${TARGET_SECONDS} s target), ` +
        `peak RSS ${m.toFixed(0)} MB (${m < TARGET_RSS_MB ? 'meets' : `misses by ${(m - TARGET_RSS_MB).toFixed(0)} MB`} the 1.5 GB target)`,
    );
  }
  if (!own.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  return failed ? 1 : 0;
}

/** CPU seconds of this process (all threads) so far. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Per-gradient CPU cost of the comparison model `compare` samples, built in-process from the
 * sources as runComparison builds it, and optionally one chain's NUTS figures.
 */
async function gradientFigures(csv: string, chain: boolean): Promise<void> {
  const { readCsvFile } = await import('../src/data/csv.js');
  const { prepareComparison } = await import('../src/analysis/prepare.js');
  const { comparisonSpec, COMPARE_SAMPLER_DEFAULTS } = await import('../src/pipeline/compare.js');
  const { scaleTable } = await import('../src/analysis/from-fit.js');
  const { compileModel } = await import('../src/model/compile.js');
  const { isNestedModel } = await import('../src/model/nested-model.js');
  const { sample } = await import('../src/sampler/sample.js');
  let t = cpuSeconds();
  const prepared = prepareComparison(await readCsvFile(csv), {});
  const spec = comparisonSpec(prepared, {});
  const fitted = scaleTable(prepared.table, 'none').table;
  const model = compileModel(spec, fitted, { marginalize: 'nested' });
  if (!isNestedModel(model)) throw new Error('scale.bench: the comparison model is not nested');
  console.log(
    `model: dim ${model.dim}, ${model.data.cells.n.length} cells from ${model.data.nRows} rows, built in ${(cpuSeconds() - t).toFixed(1)} CPU s (read, prepare, compile)`,
  );
  const theta = model.inits(1, 1)[0];
  const grad = new Float64Array(model.dim);
  for (let i = 0; i < 200; i++) model.logDensityGradient(theta, grad);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    t = cpuSeconds();
    for (let i = 0; i < 500; i++) model.logDensityGradient(theta, grad);
    runs.push(((cpuSeconds() - t) / 500) * 1e6);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `gradient: ${runs[2].toFixed(0)} CPU us (median of 5 x 500; range ${runs[0].toFixed(0)}-${runs[4].toFixed(0)})`,
  );
  if (!chain) return;
  t = cpuSeconds();
  const fit = await sample(model, {
    ...COMPARE_SAMPLER_DEFAULTS,
    chains: 1,
    parallel: false,
    saveWarmup: true,
    inits: model.inits(1, 1),
  });
  const meanOf = (d: { nDraws: number; variables: readonly string[]; values: Float64Array }) => {
    const k = d.variables.indexOf('n_leapfrog__');
    const x = d.values.subarray(k * d.nDraws, (k + 1) * d.nDraws);
    return x.reduce((a, b) => a + b, 0) / x.length;
  };
  const warm = fit.warmup ? meanOf(fit.warmup.stats) : Number.NaN;
  console.log(
    `one chain (${COMPARE_SAMPLER_DEFAULTS.warmup} + ${COMPARE_SAMPLER_DEFAULTS.draws}, in-process): ${(cpuSeconds() - t).toFixed(1)} CPU s; leapfrogs per iteration ${warm.toFixed(1)} (warmup), ${meanOf(fit.stats).toFixed(1)} (sampling); step size ${fit.adaptation.stepSize[0].toPrecision(3)}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`scale.bench: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
