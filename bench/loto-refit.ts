/**
 * `npx tsx bench/loto-refit.ts FILE.csv [--seed 1]`: how the default leave-one-task-out check
 * (each task left out of the average over tasks, same draws; src/analysis/robustness.ts) compares
 * with refitting without each task (`compare --robustness refit`; src/pipeline/robustness-refit.ts)
 * on one table, with the default sampler settings. Prints, per task, the best heuristic and the
 * confident decisions about the best that do not hold, by both methods, and the agreement counts
 * that docs/UX.md ("Does the recommendation rest on one task?") quotes. Figures only; never asserts.
 */
import { pathToFileURL } from 'node:url';
import type { RobustnessTask } from '../src/analysis/types.js';
import { readCsvFile } from '../src/data/csv.js';
import { runComparison } from '../src/pipeline/compare.js';
import { refitRobustness } from '../src/pipeline/robustness-refit.js';
import { printHeader } from './run.js';

function flips(t: RobustnessTask): string {
  return t.flipped_pairs
    .map((f) => `${f.a}-${f.b}`)
    .sort()
    .join(' ');
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: npx tsx bench/loto-refit.ts FILE.csv [--seed N]');
  const i = process.argv.indexOf('--seed');
  const seed = i >= 0 ? Number(process.argv[i + 1]) : 1;
  printHeader('loto-refit');
  const table = await readCsvFile(file);
  const sampler = { seed };
  const t0 = performance.now();
  const run = await runComparison(table, { sampler });
  const fitMs = performance.now() - t0;
  const same = run.comparison.robustness;
  const t1 = performance.now();
  const refit = await refitRobustness(table, { sampler }, run);
  const refitMs = performance.now() - t1;
  console.log(
    `${file}: best ${refit.best} (P(best) ${run.comparison.recommendation?.p_best.toFixed(3)}), ` +
      `${run.comparison.tasks.length} tasks; full fit ${(fitMs / 1000).toFixed(1)} s, refits ${(refitMs / 1000).toFixed(1)} s`,
  );
  let best = 0;
  let decisions = 0;
  for (const r of refit.tasks) {
    const s = same?.tasks.find((x) => x.task === r.task);
    if (!s) continue;
    if (r.refit_error) {
      console.log(`  without ${r.task}: refit refused (${r.refit_error})`);
      continue;
    }
    const okBest = s.best_without === r.best_without;
    const okFlips = flips(s) === flips(r);
    best += okBest ? 1 : 0;
    decisions += okFlips ? 1 : 0;
    console.log(
      `  without ${r.task}: best ${s.best_without} (same draws, P ${s.p_best_without.toFixed(3)}) / ` +
        `${r.best_without} (refit, P ${r.p_best_without.toFixed(3)}); not holding: [${flips(s)}] / ` +
        `[${flips(r)}]; refit R-hat ${r.refit_diagnostics?.max_rhat.toFixed(3)}, ` +
        `${r.refit_diagnostics?.divergent} divergent${okBest && okFlips ? '' : '  <- differ'}`,
    );
  }
  const n = refit.tasks.filter((t) => !t.refit_error).length;
  console.log(
    `  agree on the best: ${best}/${n}; on the decisions that do not hold: ${decisions}/${n}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
