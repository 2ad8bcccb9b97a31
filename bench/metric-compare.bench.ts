/**
 * Metric adaptation on the comparison models of the real fixtures: `compare` (runComparison, default
 * settings: 4 chains x 1000 warmup + 1000 draws, adapt_delta 0.95, chains on worker threads) on every
 * fixtures/real/*.csv with metric 'diag' (Stan), 'fisher-diag' and 'fisher-lowrank', several seeds.
 * Per run: min ESS_bulk and ESS_tail of the comparison (its diagnostics), per post-warmup leapfrog
 * step (the gradients of warmup run on worker threads and are not counted here) and per CPU second
 * of the whole run (process CPU, all threads: read, compile, warmup, sampling, summary), and
 * divergences. Prints one row per fixture and metric (seed means) and the median ratios to 'diag'.
 *
 * Run: npm run bench -- metric-compare [--seeds=3] [--seed=1]
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readCsvFile } from '../src/data/csv.js';
import { runComparison } from '../src/pipeline/compare.js';
import { destroySamplerPool } from '../src/sampler/pool.js';
import type { MetricKind } from '../src/sampler/types.js';
import { printHeader, ROOT } from './run.js';

/** `--name=value` (the form `npm run bench` passes on) or `--name value`. */
function arg(name: string, fallback: number): number {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq !== undefined) return Number(eq.slice(name.length + 3));
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const nSeeds = arg('seeds', 3);
const seed0 = arg('seed', 1);
const METRICS: readonly MetricKind[] = ['diag', 'fisher-diag', 'fisher-lowrank'];
const dir = path.join(ROOT, 'fixtures/real');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.csv'))
  .sort();

interface Run {
  bulk: number;
  tail: number;
  leapfrog: number;
  cpu: number;
  divergent: number;
  rhat: number;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};
const fmt = (x: number, digits = 3): string => x.toPrecision(digits);

printHeader(
  `metric adaptation in compare: diag vs fisher-diag vs fisher-lowrank, fixtures/real, seeds ${seed0}..${seed0 + nSeeds - 1}`,
);
console.log(
  '\n| fixture | metric | min ESS_bulk | min ESS_tail | bulk / 1k sampling leapfrogs | tail / 1k sampling leapfrogs | bulk / CPU s | CPU s | max R-hat | divergences |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const ratios: { metric: MetricKind; perLeap: number; perCpu: number }[] = [];
for (const f of files) {
  const table = await readCsvFile(path.join(dir, f));
  const per = new Map<MetricKind, Run[]>();
  for (const metric of METRICS) {
    const runs: Run[] = [];
    for (let s = 0; s < nSeeds; s++) {
      const cpu0 = process.cpuUsage();
      const run = await runComparison(table, { sampler: { seed: seed0 + s, metric } });
      const c = process.cpuUsage(cpu0);
      const d = run.comparison.diagnostics;
      runs.push({
        bulk: d.min_ess_bulk,
        tail: d.min_ess_tail,
        leapfrog: run.summary.sampler?.n_leapfrog ?? Number.NaN,
        cpu: (c.user + c.system) / 1e6,
        divergent: d.divergent,
        rhat: d.max_rhat,
      });
    }
    per.set(metric, runs);
    console.log(
      `| ${f.replace('.csv', '')} | ${metric} | ${fmt(mean(runs.map((r) => r.bulk)))} | ${fmt(mean(runs.map((r) => r.tail)))} | ${fmt(mean(runs.map((r) => (1000 * r.bulk) / r.leapfrog)))} | ${fmt(mean(runs.map((r) => (1000 * r.tail) / r.leapfrog)))} | ${fmt(mean(runs.map((r) => r.bulk / r.cpu)))} | ${fmt(mean(runs.map((r) => r.cpu)))} | ${Math.max(...runs.map((r) => r.rhat)).toFixed(3)} | ${runs.map((r) => r.divergent).join('+')} |`,
    );
  }
  const base = per.get('diag') ?? [];
  for (const metric of METRICS.slice(1)) {
    const runs = per.get(metric) ?? [];
    ratios.push({
      metric,
      perLeap:
        mean(runs.map((r) => r.bulk / r.leapfrog)) / mean(base.map((r) => r.bulk / r.leapfrog)),
      perCpu: mean(runs.map((r) => r.bulk / r.cpu)) / mean(base.map((r) => r.bulk / r.cpu)),
    });
  }
}
console.log('\n| metric | median ratio to diag: ESS_bulk / sampling leapfrog | ESS_bulk / CPU s |');
console.log('|---|---|---|');
for (const metric of METRICS.slice(1)) {
  const rs = ratios.filter((r) => r.metric === metric);
  console.log(
    `| ${metric} | ${fmt(median(rs.map((r) => r.perLeap)))} | ${fmt(median(rs.map((r) => r.perCpu)))} |`,
  );
}
await destroySamplerPool();
