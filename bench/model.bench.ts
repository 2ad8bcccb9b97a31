/**
 * Model-layer benchmark: gradient evaluations per second of the default comparison model
 * (models/heuristic-task.json) on synthetic tables shaped like bench/reference/synth_small.csv (480 rows:
 * 8 heuristics x 12 tasks x 4 categories x 5 seeds), synth_med (4,000 rows: 10 x 40 x 5 x 10) and the
 * 1,000,000-row scale case (20 x 500 x 100 seeds), with and without sufficient statistics, plus
 * compile time.
 *
 * Run: npx tsx bench/model.bench.ts [--quick]
 */
import os from 'node:os';
import { generateSynthetic } from '../src/data/synth.js';
import { compileModel } from '../src/model/compile.js';
import type { ModelSpec } from '../src/model/spec.js';

const spec: ModelSpec = {
  formula: 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)',
  family: 'gaussian',
};

function gradsPerSecond(model: ReturnType<typeof compileModel>, minSeconds: number): number {
  const theta = new Float64Array(model.dim);
  for (let i = 0; i < model.dim; i++) theta[i] = 0.1 * Math.sin(i);
  const grad = new Float64Array(model.dim);
  for (let i = 0; i < 200; i++) model.logDensityGradient(theta, grad); // warm up the JIT
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < minSeconds * 1000) {
    for (let k = 0; k < 100; k++) {
      theta[0] += 1e-12;
      model.logDensityGradient(theta, grad);
    }
    n += 100;
    elapsed = performance.now() - t0;
  }
  return (n * 1000) / elapsed;
}

const quick = process.argv.includes('--quick');
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(
  `model.bench: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString()}`,
);
console.log(`model: ${spec.formula} (gaussian)`);
const shapes = [
  { label: 'synth_small', heuristics: 8, tasks: 12, categories: 4, runs: 5 },
  { label: 'synth_med', heuristics: 10, tasks: 40, categories: 5, runs: 10 },
  ...(quick ? [] : [{ label: 'scale_1M', heuristics: 20, tasks: 500, categories: 10, runs: 100 }]),
];
console.log('data         rows      suff.stats  cells    dim     compile ms  grads/s      us/grad');
for (const s of shapes) {
  const { table } = generateSynthetic({ ...s, seed: 1 });
  for (const ss of [true, false]) {
    if (!ss && table.nRows > 100_000 && quick) continue;
    const t0 = performance.now();
    const model = compileModel(spec, table, { sufficientStats: ss });
    const compileMs = performance.now() - t0;
    const gps = gradsPerSecond(model, table.nRows > 100_000 ? 3 : 1.5);
    console.log(
      [
        s.label.padEnd(12),
        String(table.nRows).padEnd(9),
        (ss ? 'yes' : 'no').padEnd(11),
        String(model.internals.nCells).padEnd(8),
        String(model.dim).padEnd(7),
        compileMs.toFixed(0).padEnd(11),
        gps.toFixed(0).padEnd(12),
        (1e6 / gps).toFixed(2),
      ].join(' '),
    );
  }
}
