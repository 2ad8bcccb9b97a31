/**
 * Benchmark: summarize 4 chains x 1000 draws x 1000 variables (target: < 2 s, so `diagnose` on a large fit stays interactive).
 * Also times one write and one read of the same draws as a draws CSV (what `diagnose` parses).
 * Run: npx tsx bench/diagnostics.bench.ts [--runs 5] [--variables 1000] [--no-io]
 */
import os from 'node:os';
import { summarize } from '../src/diagnostics/summarize.js';
import { readDrawsCsv, writeDrawsCsv } from '../src/draws/csv.js';
import { createDraws } from '../src/draws/draws.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const runs = arg('runs', 5);
const nVars = arg('variables', 1000);
const nChains = 4;
const nDraws = 1000;

// Deterministic AR(1) draws (phi varies by variable, so ESS loops run to different lags).
const draws = createDraws(
  nDraws,
  nChains,
  Array.from({ length: nVars }, (_, i) => `theta[${i + 1}]`),
);
let s = 12345;
const uniform = () => {
  s = (Math.imul(69069, s) + 1) >>> 0;
  return (s + 0.5) / 2 ** 32;
};
for (let v = 0; v < nVars; v++) {
  const phi = -0.5 + (1.45 * v) / nVars;
  for (let c = 0; c < nChains; c++) {
    let x = 0;
    for (let d = 0; d < nDraws; d++) {
      // Box-Muller normal innovations
      const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      x = phi * x + z;
      draws.values[d + nDraws * (c + nChains * v)] = x;
    }
  }
}

const times: number[] = [];
const cpu: number[] = [];
summarize(draws); // warm-up run (JIT)
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = summarize(draws);
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  if (summary.variables.length !== nVars) throw new Error('wrong row count');
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const medianCpu = cpu[Math.floor(cpu.length / 2)];
console.log(
  `diagnostics: summarize ${nChains} chains x ${nDraws} draws x ${nVars} variables: ` +
    `median ${(median / 1000).toFixed(3)} s over ${runs} runs ` +
    `(min ${(times[0] / 1000).toFixed(3)} s, max ${(times[times.length - 1] / 1000).toFixed(3)} s); ` +
    `median CPU time ${(medianCpu / 1000).toFixed(3)} s`,
);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, node ${process.version}, ` +
    `load average ${os.loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`,
);

if (!process.argv.includes('--no-io')) {
  let t0 = performance.now();
  const text = writeDrawsCsv(draws);
  const writeMs = performance.now() - t0;
  t0 = performance.now();
  const back = readDrawsCsv(text, 'bench.csv');
  const readMs = performance.now() - t0;
  if (back.draws.variables.length !== nVars) throw new Error('wrong variable count');
  console.log(
    `diagnostics: draws CSV of ${(text.length / 1e6).toFixed(1)} MB: writeDrawsCsv ${(writeMs / 1000).toFixed(3)} s, ` +
      `readDrawsCsv ${(readMs / 1000).toFixed(3)} s (one run each)`,
  );
}
