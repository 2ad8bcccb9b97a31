/**
 * `npx tsx bench/compare-size.bench.ts [--heuristics 50,100,200,500] [--tasks 3] [--chains 4]
 * [--warmup 1000] [--draws 1000] [--all-pairs]`: how the Comparison document and the time of
 * `compare` grow with the number of heuristics (the figures behind src/analysis/limits.ts). For each
 * H it prints the compare wall time (prepare, compile, sample, summarize, document), the time of
 * rebuilding the document from the draws (`compareFromFit`, what the web app does for a new ROPE),
 * the JSON size, the number of pairs and the heap in use. `--all-pairs` measures the document with
 * every pair at every scope (the behaviour before the limits), rebuilt from the same draws.
 * Prints figures only; never asserts speed.
 */
import { pathToFileURL } from 'node:url';
import { compareFromFit } from '../src/analysis/from-fit.js';
import { pairwiseComparisons } from '../src/analysis/pairwise.js';
import { parseCsv } from '../src/data/csv.js';
import { runComparison } from '../src/pipeline/compare.js';
import { printHeader } from './run.js';

/**
 * A synthetic benchmark table, one row per heuristic x task (as published tables are):
 * score = 50 + 5 z_h + 3 z_t + 1 e (z, e standard normal from a seeded generator), 2 decimals.
 * The 2,000 x 3 table is ~96 KB.
 * @example manyHeuristicsCsv(2000, 3).length // ~96,000
 */
export function manyHeuristicsCsv(heuristics: number, tasks: number, seed = 1): string {
  let a = seed >>> 0 || 1;
  const u = () => {
    a = (a * 16807) % 2147483647;
    return a / 2147483647;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const zt = Array.from({ length: tasks }, normal);
  const lines = ['heuristic,task,score'];
  for (let h = 0; h < heuristics; h++) {
    const zh = normal();
    for (let t = 0; t < tasks; t++) {
      lines.push(`h${h},t${t},${(50 + 5 * zh + 3 * zt[t] + normal()).toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const hs = arg('heuristics', '50,100,200,500').split(',').map(Number);
  const T = Number(arg('tasks', '3'));
  const sampler = {
    chains: Number(arg('chains', '4')),
    warmup: Number(arg('warmup', '1000')),
    draws: Number(arg('draws', '1000')),
    seed: 1,
  };
  const allPairs = process.argv.includes('--all-pairs');
  printHeader('compare-size.bench');
  console.log(`H heuristics x ${T} tasks, one row per cell; sampler ${JSON.stringify(sampler)}`);
  for (const H of hs) {
    const table = parseCsv(manyHeuristicsCsv(H, T), { source: `synthetic ${H}x${T}` });
    const t0 = performance.now();
    const run = await runComparison(table, { sampler });
    const total = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const input = {
      table: run.prepared.table,
      draws: run.fit.draws,
      summary: run.summary,
      groups: run.model.groups,
      formula: run.spec.formula,
    };
    const rebuilt = compareFromFit(input, { higherIsBetter: run.prepared.higherIsBetter });
    const rebuild = (performance.now() - t1) / 1000;
    const json = JSON.stringify(run.comparison);
    const d = run.comparison.diagnostics;
    console.log(
      `H=${H}: compare ${total.toFixed(1)} s, document rebuild ${rebuild.toFixed(2)} s, ` +
        `JSON ${(json.length / 1e6).toFixed(2)} MB, ${rebuilt.pairs.length} pairs, ` +
        `heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, ` +
        `max R-hat ${d.max_rhat.toFixed(3)}, divergent ${d.divergent}`,
    );
    if (allPairs) {
      // every pair at every scope, from the same draws: the size the document had before the limits
      const per = (H * (H - 1)) / 2;
      const S = run.fit.draws.nDraws * run.fit.draws.nChains;
      const one = pairwiseComparisons(
        {
          names: Array.from({ length: H }, (_, h) => `h${h}`),
          nSamples: S,
          values: new Float64Array(S * H).map((_, i) => Math.sin(i)),
        },
        { rope: 0.1, scope: 'task:t0' },
      );
      const bytesPerPair = JSON.stringify(one).length / one.length;
      console.log(
        `  all pairs: ${per * (1 + T)} pairs (overall + ${T} tasks), ~${((bytesPerPair * per * (1 + T)) / 1e6).toFixed(1)} MB of pairs`,
      );
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
