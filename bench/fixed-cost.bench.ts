/**
 * Where the time of `bayesbench compare FILE --json --quiet` goes (4 chains x 1000 + 1000, the
 * defaults): for each table, (1) Node's own start (`node -e 0`), (2) the CLI's start-up and module
 * loading (`main.js --version`), (3) the whole process (wall and CPU, /usr/bin/time), and (4) the
 * phases of one run inside a process that does what the compare command does, with timestamps: module
 * loading of the pipeline (the compiled modules, not the CLI's bundle), reading the CSV, the model
 * built and the first chain going (its first progress event), the chains until the last is done,
 * split into warmup and sampling as fit.timing splits it (a thread may run several chains in turn,
 * so no one chain's events mark the phases), summary and document building (until runComparison
 * returns), JSON serialization. Wall clock in ms; medians over --reps runs. Needs a built dist/
 * (npm run build).
 *
 * Run: npm run bench -- fixed-cost [--reps=3] [--files=lra_tay2021,longbench_pyramidkv2024]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { printHeader, ROOT } from './run.js';

function arg(name: string, fallback: string): string {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq !== undefined) return eq.slice(name.length + 3);
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** Warmup's share of the chains' wall time, as fit.timing splits it. */
const warmupShare = (p: Record<string, number>): number =>
  p.fitWarmup + p.fitSampling > 0 ? p.fitWarmup / (p.fitWarmup + p.fitSampling) : 0.5;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};

/** Wall ms and CPU ms (user + sys, all threads) of a command, via /usr/bin/time. */
function timed(cmd: string, args: string[]): { wall: number; cpu: number } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bb-fixed-'));
  const tf = path.join(tmp, 't');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', tf, cmd, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const [u, s] = readFileSync(tf, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  rmSync(tmp, { recursive: true, force: true });
  return { wall, cpu: 1000 * (u + s) };
}

/** The child: the compare command's steps with timestamps (ms since the process started). */
async function child(file: string): Promise<void> {
  const stamp: Record<string, number> = { start: performance.now() };
  const cpuMs = (): number => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const cpu: Record<string, number> = { start: cpuMs() };
  const dist = pathToFileURL(path.join(ROOT, 'dist', 'src')).href;
  const pool = await import(`${dist}/sampler/pool.js`);
  pool.warmSamplerPool();
  const [{ runComparison }, { readCsvFile }] = await Promise.all([
    import(`${dist}/pipeline/compare.js`),
    import(`${dist}/data/csv.js`),
    import(`${dist}/analysis/format.js`),
    import(`${dist}/report/text.js`),
  ]);
  stamp.modules = performance.now();
  cpu.modules = cpuMs();
  const table = await readCsvFile(file);
  stamp.read = performance.now();
  cpu.read = cpuMs();
  const first: number[] = [];
  const sampling: number[] = [];
  const done: number[] = [];
  const run = await runComparison(table, {
    source: file,
    onProgress: (e: { chain: number; phase: string }) => {
      const t = performance.now();
      first[e.chain] ??= t;
      if (e.phase === 'sampling') sampling[e.chain] ??= t;
      if (e.phase === 'done') done[e.chain] ??= t;
    },
  });
  stamp.run = performance.now();
  cpu.run = cpuMs();
  const json = JSON.stringify(run.comparison, null, 2);
  stamp.json = performance.now();
  await pool.destroySamplerPool();
  process.stdout.write(
    `${JSON.stringify({
      ...stamp,
      chainsStarted: Math.max(...first),
      firstChain: Math.min(...first),
      warmupDone: Math.max(...sampling),
      samplingDone: Math.max(...done),
      cpuModules: cpu.modules - cpu.start,
      cpuRead: cpu.read - cpu.modules,
      cpuRun: cpu.run - cpu.read,
      fitWarmup: 1000 * run.fit.timing.warmupSeconds,
      fitSampling: 1000 * run.fit.timing.samplingSeconds,
      bytes: json.length,
      rows: table.nRows ?? null,
    })}\n`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('no dist/: run npm run build first');
  const reps = Number(arg('reps', '3'));
  const files = arg(
    'files',
    'lra_tay2021,longbench_pyramidkv2024,longbench_adakv2024_question_aware',
  )
    .split(',')
    .map((f) => path.join('fixtures', 'real', `${f}.csv`));
  printHeader(`fixed cost of compare (whole process), ${reps} reps`);
  const nodeStart = median(
    Array.from({ length: 5 }, () => timed(process.execPath, ['-e', '0']).wall),
  );
  const cliStart = median(
    Array.from({ length: 5 }, () => timed(process.execPath, [CLI, '--version']).wall),
  );
  console.log(
    `node -e 0: ${nodeStart.toFixed(0)} ms; main.js --version: ${cliStart.toFixed(0)} ms`,
  );
  console.log(
    '\n| table | rows | process wall ms | process CPU ms | node start | CLI + modules | read CSV | model built, first chain going | chains: warmup | chains: sampling | summary + document | JSON | unaccounted | CPU ms: modules / read / runComparison (all threads) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const f of files) {
    const rows = readFileSync(path.join(ROOT, f), 'utf8').trim().split('\n').length - 1;
    const whole = Array.from({ length: reps }, () =>
      timed(process.execPath, [CLI, 'compare', f, '--json', '--quiet']),
    );
    const phases = Array.from({ length: reps }, () => {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'bench', 'fixed-cost.bench.ts'), '--child', f],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      if (r.status !== 0) throw new Error(`child failed: ${r.stderr.slice(-800)}`);
      return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    });
    const m = (k: (p: Record<string, number>) => number) => median(phases.map(k));
    const wall = median(whole.map((w) => w.wall));
    const parts = {
      modules: m((p) => p.modules - p.start),
      read: m((p) => p.read - p.modules),
      up: m((p) => p.firstChain - p.read),
      // the chains' wall time split as fit.timing splits it (summed per-chain warmup vs sampling):
      // a thread may run its chains in turn, so no chain's own events mark the phases
      warmup: m((p) => (p.samplingDone - p.firstChain) * warmupShare(p)),
      sampling: m((p) => (p.samplingDone - p.firstChain) * (1 - warmupShare(p))),
      summary: m((p) => p.run - p.samplingDone),
      json: m((p) => p.json - p.run),
    };
    const accounted = nodeStart + Object.values(parts).reduce((a, b) => a + b, 0);
    console.log(
      `| ${path.basename(f, '.csv')} | ${rows} | ${wall.toFixed(0)} | ${median(whole.map((w) => w.cpu)).toFixed(0)} | ${nodeStart.toFixed(0)} | ${parts.modules.toFixed(0)} | ${parts.read.toFixed(0)} | ${parts.up.toFixed(0)} | ${parts.warmup.toFixed(0)} | ${parts.sampling.toFixed(0)} | ${parts.summary.toFixed(0)} | ${parts.json.toFixed(0)} | ${(wall - accounted).toFixed(0)} | ${m((p) => p.cpuModules).toFixed(0)} / ${m((p) => p.cpuRead).toFixed(0)} / ${m((p) => p.cpuRun).toFixed(0)} |`,
    );
  }
  console.log(
    '\n(phases from a child that runs the compare steps with timestamps under tsx: its module loading includes tsx; the whole-process columns are the real CLI)',
  );
}

const ci = process.argv.indexOf('--child');
if (ci >= 0) await child(path.resolve(ROOT, process.argv[ci + 1]));
else await main();
