/**
 * `npx tsx bench/compare.bench.ts`: `compare` end to end on the Tay et al. (2021) LRA table
 * (fixtures/real/lra_tay2021.csv, 11 heuristics x 5 tasks): read the CSV, prepare, compile, sample
 * (default settings: 4 chains x 1000 warmup + 1000 draws, adapt_delta 0.95), summarize, build the
 * Comparison and format the terminal tables. Target: under 5 s on this machine, so a compare feels interactive.
 * Prints figures only; never asserts speed. `--reps N` repeats the run (default 3).
 */
import os from 'node:os';
import { formatComparison } from '../src/analysis/format.js';
import { readCsvFile } from '../src/data/csv.js';
import { runComparison } from '../src/pipeline/compare.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 3;
const file = 'fixtures/real/lra_tay2021.csv';
console.log(`compare.bench: ${file}, default settings, ${reps} runs`);
console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, node ${process.version}, ${new Date().toISOString()}`,
);
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const table = await readCsvFile(file);
  const run = await runComparison(table, { sampler: { seed: r + 1 } });
  formatComparison(run.comparison);
  const secs = (performance.now() - t0) / 1000;
  times.push(secs);
  const s = run.summary.sampler;
  const d = run.comparison.diagnostics;
  console.log(
    `run ${r + 1}: ${secs.toFixed(2)} s total; per chain warmup ${s?.warmup_seconds.toFixed(2)} s + sampling ${s?.sampling_seconds.toFixed(2)} s; ` +
      `leapfrog steps ${s?.n_leapfrog}; max R-hat ${d.max_rhat.toFixed(4)}, min bulk ESS ${d.min_ess_bulk.toFixed(0)}, divergent ${d.divergent}`,
  );
}
times.sort((a, b) => a - b);
console.log(
  `median ${times[Math.floor(times.length / 2)].toFixed(2)} s, min ${times[0].toFixed(2)} s (target < 5 s)`,
);
