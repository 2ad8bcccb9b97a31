/**
 * `npx tsx bench/plan.bench.ts [--fixture fixtures/real/longbench_pyramidkv2024.csv] [--runs 5]`
 * [--acquisition loss|settle|decide] (or `npm run bench -- plan`): the planner's time on a fixture-size table (PyramidKV LongBench: 288
 * rows, 9 heuristic x budget arms x 16 tasks x 2 backbones = 288 candidates, 6 categories + overall).
 * The fit (compare's defaults) is timed apart; the plan (every candidate scored, the batch, and one
 * greedy batch per scope for the stopping verdicts) is what the 30 s target is about. Also plans
 * a synthetic 200-candidate table (20 heuristics x 10 tasks, 400 rows). Prints figures only.
 */

import type { PlanAcquisition } from '../src/analysis/plan.js';
import { PLAN_ACQUISITION } from '../src/analysis/plan-from-fit.js';
import { parseCsv, readCsvFile } from '../src/data/csv.js';
import type { Table } from '../src/data/table.js';
import { runComparison } from '../src/pipeline/compare.js';
import { planFromRun } from '../src/pipeline/plan.js';
import { printHeader } from './run.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** 20 heuristics x 10 tasks in 3 categories, 2 seeds per cell: 400 rows, 200 candidates. */
function syntheticTable(): Table {
  let a = 7;
  const u = () => {
    a = (a * 16807) % 2147483647;
    return a / 2147483647;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const lines = ['heuristic,task,category,seed,score'];
  const zt = Array.from({ length: 10 }, normal);
  for (let h = 0; h < 20; h++) {
    const zh = normal();
    for (let t = 0; t < 10; t++) {
      const mu = 50 + 2 * zh + 5 * zt[t] + normal();
      for (let s = 0; s < 2; s++) {
        lines.push(`h${h},t${t},c${t % 3},${s},${(mu + 0.5 * normal()).toFixed(2)}`);
      }
    }
  }
  return parseCsv(`${lines.join('\n')}\n`, { source: 'synthetic-200' });
}

async function measure(label: string, table: Table, runs: number): Promise<void> {
  const t0 = performance.now();
  const run = await runComparison(table, {});
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  // as `bayesbench plan` does: compare's ROPE, orientation and cell seed
  const plan = planFromRun(run, { runs, acquisition });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${label}: ${table.nRows} rows, ${plan.candidates.length} candidates, ${plan.scopes.length} scopes, ` +
      `${plan.settings.draws_used} draws x ${plan.settings.outcomes} outcomes, batch of ${runs} (${plan.settings.acquisition}): ` +
      `fit ${((t1 - t0) / 1000).toFixed(1)} s, plan ${((t2 - t1) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`,
  );
}

printHeader('bench/plan.bench.ts');
const runs = Number(arg('runs', '5'));
/** `--acquisition loss|settle|decide` (default: the planner's, 'decide'). */
const acquisition = arg('acquisition', PLAN_ACQUISITION) as PlanAcquisition;
const fixture = arg('fixture', 'fixtures/real/longbench_pyramidkv2024.csv');
await measure(fixture, await readCsvFile(fixture), runs);
await measure('synthetic 20 x 10 (2 seeds per cell)', syntheticTable(), runs);
