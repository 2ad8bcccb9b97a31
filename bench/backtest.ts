/**
 * `npm run backtest [-- --simulations N --max-runs R --batch B --seed S]`: the planner's backtest on
 * a real fixture (fixtures/real/lra_tay2021.csv): the three strategies (plan, round-robin, random)
 * on the same simulated benchmarks (same seed: same truths, same starting designs), figures printed
 * as JSON lines and written into VALIDATION.md between the `backtest` markers (the section is
 * appended the first time). Short chains inside (2 chains x 300 warmup x 250 draws per refit),
 * stated in the table. Measures; asserts nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readCsvFile } from '../src/data/csv.js';
import {
  type BacktestResult,
  type BacktestStrategy,
  backtest,
  backtestTruth,
} from '../src/pipeline/backtest.js';
import { machineLine, ROOT } from './run.js';

function textArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const FIXTURE = textArg('fixture', 'fixtures/real/lra_tay2021.csv');
const NAME = path.basename(FIXTURE, '.csv');
/** One section per fixture, between these markers. */
const BEGIN = `<!-- backtest:${NAME}:begin -->`;
const END = `<!-- backtest:${NAME}:end -->`;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const simulations = arg('simulations', 5);
const maxRuns = arg('max-runs', 40);
const batch = arg('batch', 5);
const seed = arg('seed', 1);
const table = await readCsvFile(path.join(ROOT, FIXTURE));
const started = Date.now();
const truth = await backtestTruth(table, {});
const results: (BacktestResult & { seconds: number })[] = [];
for (const strategy of ['plan', 'round-robin', 'random'] as BacktestStrategy[]) {
  const t0 = Date.now();
  const r = await backtest(table, { strategy, simulations, maxRuns, batch, seed, truth });
  const row = { ...r, seconds: (Date.now() - t0) / 1000 };
  results.push(row);
  console.log(JSON.stringify({ ...row, per_simulation: undefined }));
}
const minutes = (Date.now() - started) / 60000;
const cap = maxRuns + 1;
const fmt = (x: number) => (x >= cap ? `> ${maxRuns}` : String(x));
const H = truth.heuristics.length;
const startRuns = H * truth.scopes.reduce((a, s) => a + Math.ceil(s.tasks.length / 2), 0);
/** Mean over simulations of the last step's smallest P(best) of the true best over categories. */
const finalP = (r: BacktestResult) =>
  r.per_simulation.reduce((a, p) => a + (p.trace.at(-1)?.p_true_best_min ?? 0), 0) /
  r.per_simulation.length;
const lines = [
  BEGIN,
  `## Planner backtest: ${NAME} (\`npm run backtest -- --fixture ${FIXTURE}\`)`,
  '',
  `Fixture ${FIXTURE} (${H} heuristics x ${truth.tasks.length} tasks, ${truth.scopes.length} categories), fitted once (2 chains x 500 + 500);`,
  `${simulations} simulated benchmarks, each with one posterior draw as the truth (cell means and`,
  'sigma) and a small start (every heuristic on half the tasks of each category, rounded up:',
  `${startRuns} runs); batches of ${batch} runs; refits with short chains (2 chains x 300`,
  `warmup x 250 draws) and the planner on 500 draws with 64 simulated outcomes; at most ${maxRuns}`,
  'runs added. "Settled": every category recommends the true best with P(best) >= 0.95; unsettled',
  `simulations count as ${cap} in the medians. Early stop: the stopping verdict (N = ${batch} runs, 5%)`,
  'first said "decided" in every category while some recommendation was wrong. Seed',
  `${seed}; ${machineLine()}; ${minutes.toFixed(1)} min in all.`,
  '',
  '| strategy | runs to settle (median) | settled | runs until P(best) >= 0.8 (median) | runs until all correct (median) | P(best) of the true best at the end (mean of the smallest over categories) | early stops | minutes |',
  '|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.strategy} | ${fmt(r.runs_median)} | ${Math.round(r.settled_share * r.simulations)}/${r.simulations} | ${fmt(r.runs_median_at_80)} | ${fmt(r.runs_correct_median)} | ${finalP(r).toFixed(2)} | ${Math.round(r.early_stop_rate * r.simulations)}/${r.simulations} | ${(r.seconds / 60).toFixed(1)} |`,
  ),
  '',
  'Per simulation (runs added until settled / until P(best) >= 0.8 / stopped by the verdict at):',
  '',
  ...results.map(
    (r) =>
      `- ${r.strategy}: ${r.per_simulation
        .map(
          (p) =>
            `${p.runs_to_settle ?? '-'} / ${p.trace.find((x) => x.correct && x.p_true_best_min >= 0.8)?.added ?? '-'} / ${p.stopped_at ?? '-'}${p.stopped_wrong ? ' (wrong)' : ''}`,
        )
        .join('; ')}`,
  ),
  END,
];
const file = path.join(ROOT, 'VALIDATION.md');
const text = readFileSync(file, 'utf8');
const section = lines.join('\n');
const next =
  text.includes(BEGIN) && text.includes(END)
    ? text.slice(0, text.indexOf(BEGIN)) + section + text.slice(text.indexOf(END) + END.length)
    : `${text.trimEnd()}\n\n${section}\n`;
writeFileSync(file, next);
console.error(`wrote the backtest section of VALIDATION.md (${minutes.toFixed(1)} min)`);
