/**
 * Sampler benchmark: gradients per second, min ESS_bulk per second and per gradient
 * on the 100-d standard normal and eight schools (non-centred), 4 chains x (1000 warmup + 1000 draws),
 * in-process (one thread, chains interleaved) and on worker threads (piscina).
 * Run: npx tsx bench/sampler.bench.ts [--runs 3] [--seed 1]
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { essBulk } from '../src/diagnostics/ess.js';
import { variableBlock } from '../src/draws/draws.js';
import type { Fit } from '../src/draws/fit.js';
import { destroySamplerPool } from '../src/sampler/pool.js';
import { sample } from '../src/sampler/sample.js';
import type { ReportingModel } from '../src/sampler/types.js';
import { eightSchools, stdNormal100 } from '../test/sampler/fixtures/bench-models.js';
import { counted } from './counted-model.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const runs = arg('runs', 3);
const seed0 = arg('seed', 1);
const modelsPath = fileURLToPath(
  new URL('../test/sampler/fixtures/bench-models.ts', import.meta.url),
);

function minEss(fit: Fit): number {
  let m = Number.POSITIVE_INFINITY;
  for (let v = 0; v < fit.draws.variables.length; v++) {
    const e = essBulk(variableBlock(fit.draws, v), fit.draws.nDraws, fit.draws.nChains);
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(name: string, model: ReportingModel, exportName: string) {
  const rows: Record<string, number>[] = [];
  for (let r = 0; r < runs; r++) {
    const seed = seed0 + r;
    const c = counted(model);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage().user;
    const fit = await sample(c.model, { chains: 4, warmup: 1000, draws: 1000, seed });
    const cpu = (process.cpuUsage().user - cpu0) / 1e6;
    const wall = (performance.now() - t0) / 1000;
    const grads = c.count();
    // the same number of bare gradient calls, to split CPU time between model and sampler
    const theta = Float64Array.from({ length: model.dim }, (_, i) => 0.1 * Math.sin(i + 1));
    const g = new Float64Array(model.dim);
    const gc0 = process.cpuUsage().user;
    for (let i = 0; i < grads; i++) {
      theta[0] += 1e-12;
      model.logDensityGradient(theta, g);
    }
    const gradCpu = (process.cpuUsage().user - gc0) / 1e6;
    const ess = minEss(fit);
    const t1 = performance.now();
    const fitW = await sample(
      { ...model, source: { kind: 'module', path: modelsPath, exportName } },
      { chains: 4, warmup: 1000, draws: 1000, seed },
    );
    const wallW = (performance.now() - t1) / 1000;
    const sameDraws = fitW.draws.values.every((x, i) => x === fit.draws.values[i]);
    const samplingGrads = sumStat(fit, 'n_leapfrog__');
    rows.push({
      wall,
      grads,
      gradsPerSec: grads / wall,
      cpu,
      gradsPerCpuSec: grads / cpu,
      essPerCpuSec: ess / cpu,
      samplerShare: 1 - gradCpu / cpu,
      usPerGradSampler: ((cpu - gradCpu) / grads) * 1e6,
      minEss: ess,
      essPerSec: ess / wall,
      essPerSecSampling: ess / (fit.timing.samplingSeconds * 4),
      essPerGrad: ess / grads,
      essPerSamplingGrad: ess / samplingGrads,
      meanLeapfrog: samplingGrads / 4000,
      divergent: sumStat(fit, 'divergent__'),
      wallWorkers: wallW,
      essPerSecWorkers: ess / wallW,
      sameDraws: sameDraws ? 1 : 0,
    });
  }
  const med = (k: string) => median(rows.map((x) => x[k]));
  console.log(`\n${name} (4 chains x 1000+1000, median of ${runs} runs)`);
  console.log(`  wall clock in-process (1 thread)   ${med('wall').toFixed(2)} s`);
  console.log(`  gradient evaluations                ${med('grads').toFixed(0)}`);
  console.log(`  CPU seconds in-process              ${med('cpu').toFixed(2)}`);
  console.log(`  gradients / s (in-process wall)     ${med('gradsPerSec').toExponential(3)}`);
  console.log(`  gradients / CPU s                   ${med('gradsPerCpuSec').toExponential(3)}`);
  console.log(`  sampler share of CPU (vs gradient)  ${(100 * med('samplerShare')).toFixed(0)}%`);
  console.log(`  sampler CPU per gradient            ${med('usPerGradSampler').toFixed(2)} us`);
  console.log(`  mean n_leapfrog (sampling)          ${med('meanLeapfrog').toFixed(2)}`);
  console.log(`  min ESS_bulk                        ${med('minEss').toFixed(0)}`);
  console.log(`  min ESS_bulk / s (in-process wall)  ${med('essPerSec').toFixed(0)}`);
  console.log(`  min ESS_bulk / CPU s                ${med('essPerCpuSec').toFixed(0)}`);
  console.log(`  min ESS_bulk / s (sampling, 1 core) ${med('essPerSecSampling').toFixed(0)}`);
  console.log(`  min ESS_bulk / gradient (all)       ${med('essPerGrad').toExponential(3)}`);
  console.log(
    `  min ESS_bulk / gradient (sampling)  ${med('essPerSamplingGrad').toExponential(3)}`,
  );
  console.log(`  divergences                         ${med('divergent').toFixed(0)}`);
  console.log(`  wall clock on worker threads        ${med('wallWorkers').toFixed(2)} s`);
  console.log(`  min ESS_bulk / s (workers wall)     ${med('essPerSecWorkers').toFixed(0)}`);
  console.log(`  worker draws == in-process draws    ${rows.every((x) => x.sameDraws === 1)}`);
}

console.log(
  `bayesbench sampler bench — ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores, node ${process.version}, ${new Date().toISOString()}, load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('(wall-clock figures depend on machine load; CPU-second figures much less so)');
await bench('100-d standard normal', stdNormal100, 'stdNormal100');
await bench('eight schools (non-centred)', eightSchools, 'eightSchools');
await destroySamplerPool();
