/**
 * Metric adaptation benchmark: Stan's windowed variance adaptation ('diag') against the
 * Fisher-divergence adaptation, diagonal ('fisher-diag', src/sampler/fisher.ts) and diagonal plus
 * low rank ('fisher-lowrank', src/sampler/lowrank.ts), on every posteriordb fixture
 * (fixtures/posteriordb), 4 chains x (1000 warmup + 1000 draws), several seeds. Per run: min ESS_bulk
 * and min ESS_tail over the reported variables per gradient evaluation (every evaluation counted,
 * warmup and step-size searches included), per CPU second, and divergences. Prints one row per
 * model and metric (means over seeds) and the median over models of the per-model ratios
 * fisher-diag / diag and fisher-lowrank / diag. Runs in process (one thread) so that every gradient call is counted.
 *
 * Run: npm run bench -- metric [--seeds=3] [--seed=1]
 */
import { essBulk, essTail } from '../src/diagnostics/ess.js';
import { variableBlock } from '../src/draws/draws.js';
import type { Fit } from '../src/draws/fit.js';
import { sample } from '../src/sampler/sample.js';
import type { MetricKind, ReportingModel } from '../src/sampler/types.js';
import {
  eightSchools,
  kidiq,
  loadFixture,
  type PdbFixture,
  radon,
  seeds,
} from '../test/sampler/helpers/posteriordb.js';
import { printHeader } from './run.js';

/** `--name=value` (the form `npm run bench` passes on) or `--name value` (direct tsx runs). */
function arg(name: string, fallback: number): number {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq !== undefined) return Number(eq.slice(name.length + 3));
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const nSeeds = arg('seeds', 3);
const seed0 = arg('seed', 1);
const METRICS: readonly MetricKind[] = ['diag', 'fisher-diag', 'fisher-lowrank'];

/** The posteriordb fixtures with their hand-written log densities (test/sampler/helpers). */
const MODELS: readonly { name: string; file: string; build: (fx: PdbFixture) => ReportingModel }[] =
  [
    {
      name: 'eight_schools_noncentered',
      file: 'eight_schools-eight_schools_noncentered.json',
      build: eightSchools,
    },
    { name: 'seeds_stanified', file: 'seeds_data-seeds_stanified_model.json', build: seeds },
    {
      name: 'radon_intercept_noncentered',
      file: 'radon_mn-radon_hierarchical_intercept_noncentered.json',
      build: radon,
    },
    { name: 'kidiq_momhsiq', file: 'kidiq-kidscore_momhsiq.json', build: kidiq },
  ];

/** The model with a counter of logDensityGradient calls. */
function counted(model: ReportingModel): { model: ReportingModel; count: () => number } {
  let n = 0;
  return {
    model: {
      dim: model.dim,
      variableNames: model.variableNames,
      writeVariables: (t, o) => model.writeVariables(t, o),
      logDensityGradient(t, g) {
        n++;
        return model.logDensityGradient(t, g);
      },
    },
    count: () => n,
  };
}

function minOver(fit: Fit, ess: typeof essBulk): number {
  let m = Number.POSITIVE_INFINITY;
  for (let v = 0; v < fit.draws.variables.length; v++) {
    const e = ess(variableBlock(fit.draws, v), fit.draws.nDraws, fit.draws.nChains);
    if (e < m) m = e;
  }
  return m;
}

function sumStat(fit: Fit, name: string): number {
  const x = variableBlock(fit.stats, fit.stats.variables.indexOf(name));
  let s = 0;
  for (const v of x) s += v;
  return s;
}

interface Run {
  grads: number;
  cpu: number;
  bulk: number;
  tail: number;
  divergent: number;
}

async function run(model: ReportingModel, metric: MetricKind, seed: number): Promise<Run> {
  const c = counted(model);
  const cpu0 = process.cpuUsage().user;
  const fit = await sample(c.model, {
    chains: 4,
    warmup: 1000,
    draws: 1000,
    seed,
    metric,
    parallel: false,
  });
  const cpu = (process.cpuUsage().user - cpu0) / 1e6;
  return {
    grads: c.count(),
    cpu,
    bulk: minOver(fit, essBulk),
    tail: minOver(fit, essTail),
    divergent: sumStat(fit, 'divergent__'),
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};
const fmt = (x: number, digits = 3): string => x.toPrecision(digits);

printHeader(
  `metric adaptation: diag (Stan) vs fisher-diag and fisher-lowrank, posteriordb fixtures, 4 chains x 1000+1000, seeds ${seed0}..${seed0 + nSeeds - 1}`,
);
console.log(
  '\n| model | d | metric | grads (all) | min ESS_bulk | min ESS_tail | bulk / 1k grads | tail / 1k grads | bulk / CPU s | divergences (all seeds) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const ratios: { name: string; metric: MetricKind; bulk: number; tail: number; bulkCpu: number }[] =
  [];
for (const m of MODELS) {
  const model = m.build(loadFixture(m.file));
  const per = new Map<MetricKind, { bulk: number; tail: number; bulkCpu: number }>();
  for (const metric of METRICS) {
    const runs: Run[] = [];
    for (let s = 0; s < nSeeds; s++) runs.push(await run(model, metric, seed0 + s));
    const bulkPerGrad = mean(runs.map((r) => r.bulk / r.grads));
    const tailPerGrad = mean(runs.map((r) => r.tail / r.grads));
    const bulkCpu = mean(runs.map((r) => r.bulk / r.cpu));
    per.set(metric, { bulk: bulkPerGrad, tail: tailPerGrad, bulkCpu });
    const div = runs.map((r) => r.divergent).join('+');
    console.log(
      `| ${m.name} | ${model.dim} | ${metric} | ${fmt(mean(runs.map((r) => r.grads)), 4)} | ${fmt(mean(runs.map((r) => r.bulk)))} | ${fmt(mean(runs.map((r) => r.tail)))} | ${fmt(1000 * bulkPerGrad)} | ${fmt(1000 * tailPerGrad)} | ${fmt(bulkCpu)} | ${div} |`,
    );
  }
  const a = per.get('diag');
  for (const metric of METRICS.slice(1)) {
    const b = per.get(metric);
    if (!a || !b) continue;
    ratios.push({
      name: m.name,
      metric,
      bulk: b.bulk / a.bulk,
      tail: b.tail / a.tail,
      bulkCpu: b.bulkCpu / a.bulkCpu,
    });
  }
}
console.log(
  '\n| model | metric | ESS_bulk/grad ratio | ESS_tail/grad ratio | ESS_bulk/CPU s ratio |',
);
console.log('|---|---|---|---|---|');
for (const r of ratios) {
  console.log(`| ${r.name} | ${r.metric} | ${fmt(r.bulk)} | ${fmt(r.tail)} | ${fmt(r.bulkCpu)} |`);
}
for (const metric of METRICS.slice(1)) {
  const rs = ratios.filter((r) => r.metric === metric);
  console.log(
    `| **median** | **${metric}** | **${fmt(median(rs.map((r) => r.bulk)))}** | **${fmt(median(rs.map((r) => r.tail)))}** | **${fmt(median(rs.map((r) => r.bulkCpu)))}** |`,
  );
}
console.log('\n(ratio = metric / diag of the seed-mean of min ESS per gradient or per CPU second)');
