/**
 * Which metric adaptation should be the default: Stan's windowed variance adaptation ('diag')
 * against the Fisher-divergence adaptation, diagonal ('fisher-diag', src/sampler/fisher.ts) and
 * diagonal plus low rank ('fisher-lowrank', src/sampler/lowrank.ts), 4 chains x (1000 warmup + 1000
 * draws), several seeds, on
 * - all twelve posteriordb fixtures (fixtures/posteriordb, log densities in
 *   test/sampler/helpers/posteriordb.ts), adapt_delta 0.8 (Stan's default), every gradient call
 *   counted (warmup and step-size searches included);
 * - the comparison models of three real fixtures (`compare`'s pipeline, runComparison with its
 *   defaults: adapt_delta 0.95, nested marginalization), whose gradients are counted as the
 *   leapfrog steps of warmup and sampling (Fit.warmup stats; the step-size searches' few dozen calls
 *   per chain are left out).
 * Everything runs in process on one thread (parallel: false), so CPU seconds are the run's own.
 * Per model and metric (seed means): min ESS_bulk and min ESS_tail over the reported variables, per
 * 1000 gradients and per CPU second, divergences. Then the ratios to 'diag', their medians, and the
 * verdict of the default rule (docs in BENCHMARKS.md §8):
 *   a metric LOSES BADLY on a model when its min(ESS_bulk, ESS_tail) per gradient or per CPU second
 *   is below 0.5x diag's, or its divergences (summed over seeds) exceed diag's by more than
 *   3 sqrt(sum of both) (a difference of two Poisson counts beyond 3 sd);
 *   it WINS when the medians over models of its min-ESS ratios, per gradient and per CPU second,
 *   are both above 1 and it loses badly nowhere.
 *
 * Run: npm run bench -- metric-compare [--seeds=5] [--seed=1] [--only=name,name]
 */
import { readCsvFile } from '../src/data/csv.js';
import { essBulk, essTail } from '../src/diagnostics/ess.js';
import { variableBlock } from '../src/draws/draws.js';
import type { Fit } from '../src/draws/fit.js';
import { runComparison } from '../src/pipeline/compare.js';
import { sample } from '../src/sampler/sample.js';
import type { MetricKind, ReportingModel } from '../src/sampler/types.js';
import { loadFixture, POSTERIORDB } from '../test/sampler/helpers/posteriordb.js';
import { counted } from './counted-model.js';
import { printHeader, ROOT } from './run.js';

/** `--name=value` (the form `npm run bench` passes on) or `--name value` (direct tsx runs). */
function arg(name: string, fallback: string): string {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq !== undefined) return eq.slice(name.length + 3);
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const nSeeds = Number(arg('seeds', '5'));
const seed0 = Number(arg('seed', '1'));
const only = arg('only', '')
  .split(',')
  .filter((s) => s.length > 0);
const METRICS: readonly MetricKind[] = ['diag', 'fisher-diag', 'fisher-lowrank'];
/** Real fixtures whose comparison model is benchmarked (small, medium and a per-task scaled one). */
const REAL = ['lra_tay2021', 'lra_xformers', 'longbench_pyramidkv2024'];

interface Run {
  grads: number;
  cpu: number;
  bulk: number;
  tail: number;
  divergent: number;
}

function minOver(fit: Fit, ess: typeof essBulk): number {
  let m = Number.POSITIVE_INFINITY;
  for (let v = 0; v < fit.draws.variables.length; v++) {
    const e = ess(variableBlock(fit.draws, v), fit.draws.nDraws, fit.draws.nChains);
    if (e < m) m = e;
  }
  return m;
}

function sumStat(stats: Fit['stats'], name: string): number {
  const x = variableBlock(stats, stats.variables.indexOf(name));
  let s = 0;
  for (const v of x) s += v;
  return s;
}

const cpuNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

async function runPdb(model: ReportingModel, metric: MetricKind, seed: number): Promise<Run> {
  const c = counted(model);
  const cpu0 = cpuNow();
  const fit = await sample(c.model, {
    chains: 4,
    warmup: 1000,
    draws: 1000,
    seed,
    metric,
    parallel: false,
  });
  const cpu = cpuNow() - cpu0;
  return {
    grads: c.count(),
    cpu,
    bulk: minOver(fit, essBulk),
    tail: minOver(fit, essTail),
    divergent: sumStat(fit.stats, 'divergent__'),
  };
}

async function runReal(file: string, metric: MetricKind, seed: number): Promise<Run> {
  const table = await readCsvFile(`${ROOT}/fixtures/real/${file}.csv`);
  const cpu0 = cpuNow();
  const run = await runComparison(table, {
    sampler: { seed, metric, parallel: false, saveWarmup: true },
  });
  const cpu = cpuNow() - cpu0;
  const fit = run.fit;
  const d = run.comparison.diagnostics;
  const warm = fit.warmup ? sumStat(fit.warmup.stats, 'n_leapfrog__') : Number.NaN;
  return {
    grads: warm + sumStat(fit.stats, 'n_leapfrog__'),
    cpu,
    bulk: d.min_ess_bulk,
    tail: d.min_ess_tail,
    divergent: d.divergent,
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};
const fmt = (x: number, digits = 3): string => x.toPrecision(digits);

interface Row {
  name: string;
  kind: 'posteriordb' | 'compare';
  runs: Map<MetricKind, Run[]>;
}

const cases: { name: string; kind: Row['kind']; go: (m: MetricKind, s: number) => Promise<Run> }[] =
  [
    ...POSTERIORDB.map((c) => {
      const model = c.build(loadFixture(c.file));
      return {
        name: c.name,
        kind: 'posteriordb' as const,
        go: (m: MetricKind, s: number) => runPdb(model, m, s),
      };
    }),
    ...REAL.map((f) => ({
      name: f,
      kind: 'compare' as const,
      go: (m: MetricKind, s: number) => runReal(f, m, s),
    })),
  ].filter((c) => only.length === 0 || only.includes(c.name));

printHeader(
  `metric adaptation: diag (Stan) vs fisher-diag and fisher-lowrank, 12 posteriordb fixtures + ${REAL.length} compare models, 4 chains x 1000+1000, seeds ${seed0}..${seed0 + nSeeds - 1}`,
);
console.log(
  '\n| model | metric | grads (all) | min ESS_bulk | min ESS_tail | min ESS / 1k grads | min ESS / CPU s | CPU s | divergences (per seed) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
const rows: Row[] = [];
const minEss = (r: Run): number => Math.min(r.bulk, r.tail);
for (const c of cases) {
  const row: Row = { name: c.name, kind: c.kind, runs: new Map() };
  for (const metric of METRICS) {
    const runs: Run[] = [];
    for (let s = 0; s < nSeeds; s++) runs.push(await c.go(metric, seed0 + s));
    row.runs.set(metric, runs);
    console.log(
      `| ${c.name} | ${metric} | ${fmt(mean(runs.map((r) => r.grads)), 4)} | ${fmt(mean(runs.map((r) => r.bulk)))} | ${fmt(mean(runs.map((r) => r.tail)))} | ${fmt(mean(runs.map((r) => (1000 * minEss(r)) / r.grads)))} | ${fmt(mean(runs.map((r) => minEss(r) / r.cpu)))} | ${fmt(mean(runs.map((r) => r.cpu)))} | ${runs.map((r) => r.divergent).join('+')} |`,
    );
  }
  rows.push(row);
}

/** Ratios of one metric to diag on one model (seed means), and whether it loses badly there. */
function versus(row: Row, metric: MetricKind) {
  const a = row.runs.get('diag') ?? [];
  const b = row.runs.get(metric) ?? [];
  const per = (rs: Run[], f: (r: Run) => number) => mean(rs.map(f));
  const grad = per(b, (r) => minEss(r) / r.grads) / per(a, (r) => minEss(r) / r.grads);
  const bulk = per(b, (r) => r.bulk / r.grads) / per(a, (r) => r.bulk / r.grads);
  const tail = per(b, (r) => r.tail / r.grads) / per(a, (r) => r.tail / r.grads);
  const cpu = per(b, (r) => minEss(r) / r.cpu) / per(a, (r) => minEss(r) / r.cpu);
  const da = a.reduce((s, r) => s + r.divergent, 0);
  const db = b.reduce((s, r) => s + r.divergent, 0);
  const why: string[] = [];
  if (grad < 0.5) why.push('ESS/grad < 0.5x');
  if (cpu < 0.5) why.push('ESS/CPU s < 0.5x');
  if (db - da > 3 * Math.sqrt(da + db)) why.push(`divergences ${db} vs ${da}`);
  return { grad, bulk, tail, cpu, da, db, why };
}

console.log(
  '\n| model | metric | min ESS / grad | ESS_bulk / grad | ESS_tail / grad | min ESS / CPU s | divergences (all seeds) vs diag | loses badly |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  for (const metric of METRICS.slice(1)) {
    const v = versus(row, metric);
    console.log(
      `| ${row.name} | ${metric} | ${fmt(v.grad)} | ${fmt(v.bulk)} | ${fmt(v.tail)} | ${fmt(v.cpu)} | ${v.db} vs ${v.da} | ${v.why.join('; ') || 'no'} |`,
    );
  }
}
console.log(
  '\n| metric | set | median min ESS / grad | median ESS_bulk / grad | median ESS_tail / grad | median min ESS / CPU s | loses badly on | verdict |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const metric of METRICS.slice(1)) {
  for (const set of ['posteriordb', 'compare', 'all'] as const) {
    const vs = rows
      .filter((r) => set === 'all' || r.kind === set)
      .map((r) => ({ name: r.name, ...versus(r, metric) }));
    if (vs.length === 0) continue;
    const bad = vs.filter((v) => v.why.length > 0).map((v) => v.name);
    const medGrad = median(vs.map((v) => v.grad));
    const medCpu = median(vs.map((v) => v.cpu));
    const wins = medGrad > 1 && medCpu > 1 && bad.length === 0;
    const verdict = set !== 'all' ? '' : wins ? 'wins' : 'does not win';
    console.log(
      `| ${metric} | ${set} | ${fmt(medGrad)} | ${fmt(median(vs.map((v) => v.bulk)))} | ${fmt(median(vs.map((v) => v.tail)))} | ${fmt(medCpu)} | ${bad.join(', ') || '-'} | ${verdict} |`,
    );
  }
}
