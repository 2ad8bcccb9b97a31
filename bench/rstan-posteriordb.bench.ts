/**
 * bayesbench vs rstan on the twelve posteriordb posteriors (fixtures/posteriordb): the same density
 * on both sides (the Stan programs in bench/reference/posteriordb/ are written to compute what the
 * log densities of test/sampler/helpers/posteriordb.ts compute: the regressions by sufficient
 * statistics), 4 chains x (1000 warmup + 1000 draws), adapt_delta 0.8, chains one after another on one
 * core on both sides. Per posterior: min ESS_bulk and min ESS_tail over the reference parameters,
 * CPU seconds of the 4 chains' warmup + sampling (rstan: get_elapsed_time, Stan's per-chain clock();
 * bayesbench: process CPU of the in-process sample() call, parallel: false), min(ESS_bulk, ESS_tail)
 * per CPU second and the ratio; rstan's C++ compile is listed separately. Posterior means of both are
 * checked against each other (4 sqrt(mcse^2 + mcse_ref^2)).
 *
 * The rstan side is read from bench/reference/rstan_posteriordb.json (recorded by this script with
 * --rerun-rstan: needs R with rstan, posterior and jsonlite; a benchmark tool only, never a test
 * dependency). bayesbench runs with the metrics given (default diag, fisher-diag, fisher-lowrank).
 *
 * Usage: npx tsx bench/rstan-posteriordb.bench.ts [--rerun-rstan] [--only a,b] [--seed 1]
 *        [--metrics diag,fisher-diag]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { essBulk, essTail } from '../src/diagnostics/ess.js';
import { mcseMean } from '../src/diagnostics/mcse.js';
import { variableBlock } from '../src/draws/draws.js';
import { sample } from '../src/sampler/sample.js';
import type { MetricKind } from '../src/sampler/types.js';
import { loadFixture, POSTERIORDB } from '../test/sampler/helpers/posteriordb.js';
import { agreement, type MeanRow } from './rstan.bench.js';
import { BENCH_DIR, machineInfo, printHeader, ROOT } from './run.js';

/** One rstan run as bench/reference/rstan_posteriordb.R prints it. */
interface RstanPdbRun {
  compile_s: number;
  compiled_fresh: boolean;
  sample_s: number;
  chain_warmup_s: number[];
  chain_sample_s: number[];
  min_ess_bulk: number;
  min_ess_tail: number;
  max_rhat: number;
  divergent: number;
  n_leapfrog_with_warmup: number;
  rstan_version: string;
  variables: MeanRow[];
  date?: string;
  loadavg_before?: number[];
}

const REF = path.join(BENCH_DIR, 'reference', 'rstan_posteriordb.json');

function arg(argv: readonly string[], name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toPrecision(d) : String(x));

function runRstan(name: string, file: string, seed: number): RstanPdbRun {
  const script = path.join(BENCH_DIR, 'reference', 'rstan_posteriordb.R');
  const stan = path.join(BENCH_DIR, 'reference', 'posteriordb', `${name}.stan`);
  const fx = path.join(ROOT, 'fixtures', 'posteriordb', file);
  const loadavg = os.loadavg();
  const date = new Date().toISOString();
  const r = spawnSync('Rscript', [script, stan, fx, '4', '1000', '1000', String(seed), '0.8'], {
    encoding: 'utf8',
    env: { ...process.env, BAYESBENCH_RSTAN_FRESH: '1' },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`Rscript failed on ${name}: ${r.stderr.slice(-1500)}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(line) as RstanPdbRun), date, loadavg_before: loadavg };
}

/** bayesbench on one fixture: in process, one thread, CPU seconds of the sample() call. */
async function runBayesbench(c: (typeof POSTERIORDB)[number], metric: MetricKind, seed: number) {
  const fx = loadFixture(c.file);
  const model = c.build(fx);
  const c0 = process.cpuUsage();
  const fit = await sample(model, {
    chains: 4,
    warmup: 1000,
    draws: 1000,
    seed,
    metric,
    parallel: false,
  });
  const cu = process.cpuUsage(c0);
  const rows: MeanRow[] = [];
  let bulk = Number.POSITIVE_INFINITY;
  let tail = Number.POSITIVE_INFINITY;
  const { nDraws, nChains } = fit.draws;
  for (let v = 0; v < fit.draws.variables.length; v++) {
    const x = variableBlock(fit.draws, v);
    const b = essBulk(x, nDraws, nChains);
    bulk = Math.min(bulk, b);
    tail = Math.min(tail, essTail(x, nDraws, nChains));
    rows.push({
      variable: fit.draws.variables[v],
      mean: sum(Array.from(x)) / x.length,
      mcse_mean: mcseMean(x, nDraws, nChains),
      ess_bulk: b,
    });
  }
  const div = variableBlock(fit.stats, fit.stats.variables.indexOf('divergent__'));
  return { cpu: (cu.user + cu.system) / 1e6, bulk, tail, divergent: sum(Array.from(div)), rows };
}

export async function main(argv: readonly string[]): Promise<number> {
  const only = arg(argv, '--only', '')
    .split(',')
    .filter((s) => s.length > 0);
  const seed = Number(arg(argv, '--seed', '1'));
  const metrics = arg(argv, '--metrics', 'diag,fisher-diag,fisher-lowrank').split(
    ',',
  ) as MetricKind[];
  const cases = POSTERIORDB.filter((c) => only.length === 0 || only.includes(c.name));
  let ref: Record<string, RstanPdbRun> = existsSync(REF)
    ? (JSON.parse(readFileSync(REF, 'utf8')).runs as Record<string, RstanPdbRun>)
    : {};
  if (argv.includes('--rerun-rstan')) {
    for (const c of cases) {
      console.log(`rstan: ${c.name} (fresh compile + 4 chains)`);
      ref = { ...ref, [c.name]: runRstan(c.name, c.file, seed) };
      writeFileSync(
        REF,
        `${JSON.stringify({ command: 'npx tsx bench/rstan-posteriordb.bench.ts --rerun-rstan', machine: machineInfo(), runs: ref }, null, 1)}\n`,
      );
    }
  }
  printHeader(
    `bayesbench vs rstan ${Object.values(ref)[0]?.rstan_version ?? '?'} on the posteriordb fixtures, 4 chains x 1000+1000, adapt_delta 0.8, seed ${seed}`,
  );
  console.log(
    '\n| posterior | rstan min ESS bulk / tail | rstan CPU s (4 chains) | rstan min ESS / CPU s | rstan compile s | bayesbench metric | min ESS bulk / tail | CPU s | min ESS / CPU s | ratio to rstan | divergences (rstan, bayesbench) | means agree (max z) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  let failed = false;
  for (const c of cases) {
    const r = ref[c.name];
    if (!r) {
      console.log(`| ${c.name} | (no rstan run recorded: --rerun-rstan) |`);
      continue;
    }
    const rCpu = sum(r.chain_warmup_s) + sum(r.chain_sample_s);
    const rRate = Math.min(r.min_ess_bulk, r.min_ess_tail) / rCpu;
    for (const metric of metrics) {
      const b = await runBayesbench(c, metric, seed);
      const bRate = Math.min(b.bulk, b.tail) / b.cpu;
      const agree = agreement(b.rows, r.variables);
      if (agree.failed.length > 0) failed = true;
      console.log(
        `| ${c.name} | ${fmt(r.min_ess_bulk)} / ${fmt(r.min_ess_tail)} | ${fmt(rCpu)} | ${fmt(rRate)} | ${fmt(r.compile_s)} | ${metric} | ${fmt(b.bulk)} / ${fmt(b.tail)} | ${fmt(b.cpu)} | ${fmt(bRate)} | ${fmt(bRate / rRate)}x | ${r.divergent}, ${b.divergent} | ${agree.compared - agree.failed.length}/${agree.compared} (${fmt(agree.maxZ, 2)}) |`,
      );
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`rstan-posteriordb.bench: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
