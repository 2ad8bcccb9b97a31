/**
 * `npm run backtest [-- --fixture F --simulations N --max-runs R --batch B --seed S]`: the planner's
 * backtest on a real fixture (default fixtures/real/lra_tay2021.csv): the three strategies (plan,
 * round-robin, random) on the same simulated benchmarks (same seed: same truths, same starting
 * designs), figures printed as JSON lines and written into VALIDATION.md between the
 * `backtest:NAME` markers (the section is appended the first time). Short chains inside (2 chains x
 * 300 warmup x 250 draws per refit), stated in the table. Measures; asserts nothing.
 *
 * On 2 shared cores the strategies can run as separate processes: `--strategies plan --save DIR`
 * (one per strategy) writes DIR/NAME-STRATEGY.json, and `--from DIR` writes the section from the
 * three saved results without running anything. `--first K` runs simulations K.. of the seed (the
 * same simulations as in one long run: each depends only on the seed and its index) and saves
 * DIR/NAME-STRATEGY-from-K.json, so one strategy can run in several processes; `--from` puts the
 * files of a strategy together, and compares the strategies on the simulations all of them completed.
 * The planner is the default one (acquisition 'decide', forced exploration 0.2); `--acquisition loss`
 * runs the one that maximizes the expected reduction of the expected loss, `--explore 0` the one
 * without forced exploration, and `--acquisition settle` the one that maximizes the expected reduction of P(1 - P) of each
 * recommendation's P(within ROPE) instead of the expected loss (src/analysis/plan.ts PlanAcquisition),
 * `--batch-update ensemble` the one that values a batch by an ensemble update of the draws. With `--from`,
 * `--baseline DIR` adds a paired comparison of the planner of --from with the planner saved in DIR
 * (e.g. the other acquisition, same seed: the same simulations).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanAcquisition } from '../src/analysis/plan.js';
import { PLAN_ACQUISITION, PLAN_EXPLORE } from '../src/analysis/plan-from-fit.js';
import { readCsvFile } from '../src/data/csv.js';
import { betaQuantile } from '../src/math/beta-quantile.js';
import {
  type BacktestResult,
  type BacktestStrategy,
  backtest,
  backtestTruth,
  START_TASKS,
  summarizeBacktest,
} from '../src/pipeline/backtest.js';
import { machineLine, ROOT } from './run.js';

function textArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** What a planner's batch maximized, for the section's text (settings.acquisition). */
function acquisitionText(acquisition: string): string {
  if (acquisition === 'settle')
    return "the expected reduction of the uncertainty P(1 - P) of each recommendation's P(within ROPE), acquisition 'settle'";
  if (acquisition === 'decide')
    return "the probability that every recommendation is decided after it, by a normal approximation of the posterior, acquisition 'decide'";
  return "the expected reduction of the expected loss, acquisition 'loss'";
}

const ALL: BacktestStrategy[] = ['plan', 'round-robin', 'random'];
const FIXTURE = textArg('fixture', 'fixtures/real/lra_tay2021.csv');
const NAME = path.basename(FIXTURE, '.csv');
/** One section per fixture, between these markers. */
const BEGIN = `<!-- backtest:${NAME}:begin -->`;
const END = `<!-- backtest:${NAME}:end -->`;

/** A strategy's result with its wall time and the machine line at its start and end. */
type Row = BacktestResult & {
  seconds: number;
  machine_start: string;
  machine_end: string;
  planned_simulations?: number;
  /** Processes the strategy ran in (several with --first). */
  processes?: number;
};

const from = textArg('from', '');
/**
 * `--until 2026-12-04T22:20Z`: start no simulation after this time (a time budget; the simulations
 * done are the first ones of the seed, so strategies stopped at different points are compared on
 * the simulations all of them completed).
 */
const until = textArg('until', '');
const untilMs = until ? Date.parse(until) : Number.POSITIVE_INFINITY;
if (Number.isNaN(untilMs)) throw new Error(`--until: not a date (got ${until})`);
const save = textArg('save', '');
const first = arg('first', 0);
const saveName = (strategy: string) =>
  `${NAME}-${strategy}${first > 0 ? `-from-${first}` : ''}.json`;
const strategies = textArg('strategies', ALL.join(','))
  .split(',')
  .filter((s): s is BacktestStrategy => (ALL as string[]).includes(s));

async function runStrategies(): Promise<Row[]> {
  const simulations = arg('simulations', 5);
  const maxRuns = arg('max-runs', 40);
  const batch = arg('batch', 5);
  const seed = arg('seed', 1);
  const table = await readCsvFile(path.join(ROOT, FIXTURE));
  const truth = await backtestTruth(table, {});
  const rows: Row[] = [];
  for (const strategy of strategies) {
    const t0 = Date.now();
    const machineStart = machineLine();
    const r = await backtest(table, {
      strategy,
      simulations,
      maxRuns,
      batch,
      seed,
      first,
      truth,
      acquisition: textArg('acquisition', PLAN_ACQUISITION) as PlanAcquisition,
      batchUpdate: textArg('batch-update', 'reweight') as 'reweight' | 'ensemble',
      explore: arg('explore', PLAN_EXPLORE),
      stop: () => Date.now() >= untilMs,
      onSimulation: (soFar) => {
        if (!save) return;
        mkdirSync(save, { recursive: true });
        const partial = {
          ...soFar,
          seconds: (Date.now() - t0) / 1000,
          machine_start: machineStart,
          machine_end: machineLine(),
          planned_simulations: simulations,
        };
        writeFileSync(path.join(save, saveName(strategy)), JSON.stringify(partial));
      },
      onStep: (e) =>
        console.error(
          `${strategy} simulation ${e.simulation + 1}: ${e.added} runs added${e.settled ? ', settled' : ''}${e.decided ? ', decided' : ''} (${((Date.now() - t0) / 60000).toFixed(1)} min)`,
        ),
    });
    const row = {
      ...r,
      seconds: (Date.now() - t0) / 1000,
      machine_start: machineStart,
      machine_end: machineLine(),
    };
    rows.push(row);
    console.log(JSON.stringify({ ...row, per_simulation: undefined }));
    if (save) {
      mkdirSync(save, { recursive: true });
      writeFileSync(path.join(save, saveName(strategy)), JSON.stringify(row));
    }
  }
  return rows;
}

/** Numbers of added runs at which the strategies are compared on the same simulations. */
const BUDGETS = [0, 50, 100, 200, 300, 400];

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Distribution-free 95% interval of a median from n values: the order statistics x_(l) and
 * x_(n+1-l) with l the largest such that P(Binomial(n, 1/2) < l) <= 0.025 (e.g. Conover 1999,
 * "Practical Nonparametric Statistics", section 3.2); null when n is too small (n < 6).
 */
function medianInterval(xs: readonly number[]): [number, number] | null {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let cdf = 0;
  let l = 0;
  let pmf = 0.5 ** n;
  for (let k = 0; k < n; k++) {
    if (cdf + pmf > 0.025) break;
    cdf += pmf;
    l = k + 1;
    pmf = (pmf * (n - k)) / (k + 1);
  }
  return l >= 1 ? [s[l - 1], s[n - l]] : null;
}

/** One-sided 95% Clopper-Pearson upper bound of a proportion x/n (1 when x = n). */
function upper95(x: number, n: number): number {
  return x >= n ? 1 : betaQuantile(0.95, x + 1, n - x);
}

/**
 * The planner against round-robin simulation by simulation (the same truths and starts): who
 * settled first, the two-sided sign test of those counts, and a paired bootstrap (4,000 resamples
 * of the simulations, a fixed LCG seed) of the ratio of the median runs to settle, unsettled
 * counted as the cap + 1 (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13).
 */
function pairedLine(
  plan: Row,
  rr: Row,
  cap: number,
  names: [string, string] = ['the planner', 'round-robin'],
): string {
  const a = plan.per_simulation.map((p) => p.runs_to_settle ?? cap);
  const b = rr.per_simulation.map((p) => p.runs_to_settle ?? cap);
  let first = 0;
  let later = 0;
  let tied = 0;
  let neither = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === cap && b[i] === cap) neither++;
    else if (a[i] < b[i]) first++;
    else if (a[i] > b[i]) later++;
    else tied++;
  }
  // two-sided sign test: 2 P(Binomial(first + later, 1/2) <= min(first, later))
  const m = first + later;
  let tail = 0;
  let pmf = 0.5 ** m;
  for (let k = 0; k <= Math.min(first, later); k++) {
    tail += pmf;
    pmf = (pmf * (m - k)) / (k + 1);
  }
  const pSign = Math.min(1, 2 * tail);
  let state = 12345;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const B = 4000;
  const ratios: number[] = [];
  for (let r = 0; r < B; r++) {
    const pick = a.map(() => Math.floor(uniform() * a.length));
    ratios.push(medianOf(pick.map((i) => a[i])) / medianOf(pick.map((i) => b[i])));
  }
  ratios.sort((x, y) => x - y);
  const q = (p: number) => ratios[Math.floor(p * (B - 1))].toFixed(2);
  return `Simulation by simulation: ${names[0]} settled first in ${first}, ${names[1]} in ${later}, tied ${tied}, neither within ${cap - 1} runs ${neither} (two-sided sign test p = ${pSign.toPrecision(2)}). Paired bootstrap of the ratio of medians (${names[0]} / ${names[1]}, unsettled = ${cap}): ${q(0.5)} [${q(0.025)}, ${q(0.975)}], share of resamples <= 0.5: ${(ratios.filter((x) => x <= 0.5).length / B).toFixed(2)}.`;
}

/**
 * The first step where P(within ROPE) minus 1.645 Monte Carlo standard errors is >= 0.95 in every
 * scope, read from a trace: the smallest P over scopes, and as its ESS the refit's smallest bulk
 * ESS (at most the 500 draws), a conservative stand-in for the indicator's own ESS that the rule
 * uses in the loop (plan-from-fit.ts `probabilityRule`; traces saved before it was recorded).
 */
function marginStop(
  p: Row['per_simulation'][number],
): Row['per_simulation'][number]['trace'][number] | undefined {
  return p.trace.find((x) => {
    const S = 500;
    const pt = (x.p_within_rope_min * S + 0.5) / (S + 1);
    const ess = Number.isFinite(x.ess_bulk_min) ? Math.min(x.ess_bulk_min, S) : S;
    return x.p_within_rope_min - 1.6448536269514722 * Math.sqrt((pt * (1 - pt)) / ess) >= 0.95;
  });
}

function writeSection(all: Row[], baseline: Row | null = null): void {
  // the strategies on the same simulations: those every strategy completed (by index)
  const indexed = (r: Row) => r.per_simulation.map((p, i) => ({ ...p, index: p.index ?? i }));
  const sets = ALL.map(
    (s) => new Set(indexed(all.find((r) => r.strategy === s) as Row).map((p) => p.index)),
  );
  const common = new Set([...sets[0]].filter((i) => sets.every((set) => set.has(i))));
  const n = common.size;
  const results: Row[] = ALL.map((s) => all.find((r) => r.strategy === s) as Row).map((r) => ({
    ...r,
    ...summarizeBacktest(
      indexed(r)
        .filter((p) => common.has(p.index))
        .sort((a, b) => a.index - b.index),
      r.strategy,
      r.settings,
    ),
  }));
  const st = results[0].settings as Record<string, unknown>;
  const maxRuns = Number(st.max_runs);
  const cap = maxRuns + 1;
  const fmt = (x: number) => (x >= cap ? `> ${maxRuns}` : String(x));
  const count = (r: Row, f: (p: Row['per_simulation'][number]) => boolean) =>
    `${r.per_simulation.filter(f).length}/${r.simulations}`;
  const at80 = (p: Row['per_simulation'][number]) =>
    p.trace.find((x) => x.correct && x.p_within_rope_min >= 0.8)?.added;
  const plan = results.find((r) => r.strategy === 'plan') as Row;
  const rr = results.find((r) => r.strategy === 'round-robin') as Row;
  const minutes = results.reduce((a, r) => a + r.seconds, 0) / 60;
  const planned = Math.max(...results.map((r) => r.planned_simulations ?? n));
  const processes = results.map((r) => `${r.strategy} ${r.processes ?? 1}`).join(', ');
  const lines = [
    BEGIN,
    `## Planner backtest: ${NAME} (\`npm run backtest -- --fixture ${FIXTURE} --simulations ${planned} --max-runs ${maxRuns} --batch ${String(st.batch)}\`; processes per strategy: ${processes})`,
    '',
    `Fixture ${FIXTURE}, fitted once (2 chains x 500 + 500); ${n} simulated benchmark${n === 1 ? '' : 's'} (the same ones for every strategy: the ${n} of the ${planned} planned that every strategy completed within the time budget), each`,
    'with one posterior draw as the truth (cell means and sigma) and a small start (every heuristic on',
    `${START_TASKS} tasks of each category, all when it has fewer, one run each); batches of ${String(st.batch)} runs (the`,
    `planner may put several in one cell); refits with short chains (2 chains x 300 warmup x 250`,
    `draws, on the process's own thread) and the ROPE of the real table (${String(st.rope)}); the planner (batch chosen by ${acquisitionText(String(st.acquisition ?? 'loss'))}${Number(st.explore ?? 0) > 0 ? `, ${Math.floor(Number(st.explore) * Number(st.batch))} of each batch by forced exploration of the cells with the fewest runs` : ''}) on 500 draws with 64 simulated outcomes;`,
    `at most ${maxRuns} runs added. "Correct": the recommended heuristic's true value is within the ROPE of`,
    'the true best. "Settled": correct in every scope (overall and each category) with posterior',
    `P(within ROPE) >= ${String(st.settle)}; unsettled simulations count as ${cap} in the medians. Early stop: the`,
    `stopping verdict (expected loss beyond ROPE/2 <= ${String(st.stop_threshold)} x ROPE/2, N = ${String(st.batch)}) first said "decided" in every`,
    `scope while some recommendation was not correct. Seed ${String(st.seed)}; ${minutes.toFixed(1)} min of wall time`,
    'in all (strategies run as parallel processes when saved with --save).',
    '',
    '| strategy | runs to settle (median [95% interval]) | settled | runs to correct with P(within ROPE) >= 0.8 (median) | runs until all correct (median) | stopped by the verdict (median runs) | early stops (95% upper bound) | wrong at the last step | refits with R-hat > 1.01 or divergences | minutes |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const ci = medianInterval(r.per_simulation.map((p) => p.runs_to_settle ?? cap));
      const wrong = r.per_simulation.filter((p) => p.stopped_wrong).length;
      const unconverged = r.per_simulation.reduce(
        (a, p) => a + p.trace.filter((x) => x.rhat_max > 1.01 || x.divergent > 0).length,
        0,
      );
      const refits = r.per_simulation.reduce((a, p) => a + p.trace.length, 0);
      return `| ${r.strategy} | ${fmt(r.runs_median)} [${ci ? `${fmt(ci[0])}, ${fmt(ci[1])}` : 'n < 6'}] | ${count(r, (p) => p.runs_to_settle !== null)} | ${fmt(r.runs_median_at_80)} | ${fmt(r.runs_correct_median)} | ${count(r, (p) => p.stopped_at !== null)} (${fmt(r.stopped_median)}) | ${wrong}/${r.simulations} (<= ${(100 * upper95(wrong, r.simulations)).toFixed(0)}%) | ${count(r, (p) => p.trace.at(-1)?.correct === false)} | ${unconverged}/${refits} | ${(r.seconds / 60).toFixed(1)} |`;
    }),
    '',
    `Planner / round-robin, median runs to settle: ${plan.runs_median} / ${rr.runs_median}${plan.runs_median < cap && rr.runs_median < cap ? ` = ${(plan.runs_median / rr.runs_median).toFixed(2)}` : ' (a censored median: the ratio is not known)'} (target <= 0.5). Planner's early stops: ${count(plan, (p) => p.stopped_wrong)} (one-sided 95% Clopper-Pearson upper bound ${(100 * upper95(plan.per_simulation.filter((p) => p.stopped_wrong).length, plan.simulations)).toFixed(0)}%; target <= 5%). Median intervals: distribution-free 95% (order statistics).`,
    '',
    pairedLine(plan, rr, cap),
    '',
    ...(baseline
      ? (() => {
          const base = {
            ...baseline,
            per_simulation: baseline.per_simulation
              .filter((p) => common.has(p.index as number))
              .sort((a, b) => (a.index as number) - (b.index as number)),
          };
          const bs = base.settings as Record<string, unknown>;
          const same = base.per_simulation.length === plan.per_simulation.length;
          return same
            ? [
                `The planner against the planner of the baseline run (acquisition '${String(bs.acquisition ?? 'loss')}', same seed, same simulations): median runs to settle ${fmt(plan.runs_median)} against ${fmt(medianOf(base.per_simulation.map((p) => p.runs_to_settle ?? cap)))}, settled ${count(plan, (p) => p.runs_to_settle !== null)} against ${base.per_simulation.filter((p) => p.runs_to_settle !== null).length}/${base.per_simulation.length}, wrong at the last step ${count(plan, (p) => p.trace.at(-1)?.correct === false)} against ${base.per_simulation.filter((p) => p.trace.at(-1)?.correct === false).length}/${base.per_simulation.length}. ${pairedLine(plan, base as Row, cap, ['this planner', 'the baseline planner'])}`,
                '',
              ]
            : [
                'The baseline planner did not complete the same simulations: no paired comparison.',
                '',
              ];
        })()
      : []),
    'The same simulations at fixed numbers of added runs (from the traces; a simulation that settled',
    'earlier counts with its last state): the mean over simulations of the smallest posterior',
    'P(within ROPE) over scopes, and how many simulations had every recommendation correct.',
    '',
    `| strategy | ${BUDGETS.filter((b) => b <= maxRuns)
      .map((b) => `${b} runs: mean P(within ROPE), correct`)
      .join(' | ')} | runs to correct with P(within ROPE) >= 0.9 (median) |`,
    `|---|${BUDGETS.filter((b) => b <= maxRuns)
      .map(() => '---|')
      .join('')}---|`,
    ...results.map(
      (r) =>
        `| ${r.strategy} | ${BUDGETS.filter((b) => b <= maxRuns)
          .map((b) => {
            const at = r.per_simulation.map((p) => p.trace.filter((x) => x.added <= b).at(-1));
            const mean = at.reduce((a, x) => a + (x?.p_within_rope_min ?? 0), 0) / at.length;
            return `${mean.toFixed(2)}, ${at.filter((x) => x?.correct).length}/${at.length}`;
          })
          .join(
            ' | ',
          )} | ${fmt(medianOf(r.per_simulation.map((p) => p.trace.find((x) => x.correct && x.p_within_rope_min >= 0.9)?.added ?? cap)))} |`,
    ),
    '',
    'Convergence of the refits (short chains: 2 chains, so R-hat of the largest of ~30 variables is',
    "itself noisy; the bar of compare is 1.01): quantiles of each refit's largest R-hat, refits above",
    '1.05, divergent transitions, and the 10% quantile of the smallest bulk ESS.',
    '',
    '| strategy | refits | max R-hat: median, 90%, max | R-hat > 1.01 | R-hat > 1.05 | refits with divergences | smallest bulk ESS, 10% quantile |',
    '|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const tr = r.per_simulation.flatMap((p) => p.trace);
      const rh = tr.map((x) => x.rhat_max).sort((a, b) => a - b);
      const ess = tr.map((x) => x.ess_bulk_min).sort((a, b) => a - b);
      const q = (xs: number[], p: number) => xs[Math.floor(p * (xs.length - 1))];
      return rh.length === 0 || rh.some((x) => x === undefined || Number.isNaN(x))
        ? `| ${r.strategy} | ${tr.length} | not recorded | | | | |`
        : `| ${r.strategy} | ${tr.length} | ${q(rh, 0.5).toFixed(3)}, ${q(rh, 0.9).toFixed(3)}, ${q(rh, 1).toFixed(3)} | ${tr.filter((x) => x.rhat_max > 1.01).length} | ${tr.filter((x) => x.rhat_max > 1.05).length} | ${tr.filter((x) => x.divergent > 0).length} | ${q(ess, 0.1).toFixed(0)} |`;
    }),
    '',
    'A stopping rule on the posterior probability itself, read from the same traces: stop at the first',
    'step where P(within ROPE) >= 0.95 in every scope (the "settled" threshold without knowing the',
    'truth); a wrong stop is one where some recommendation was then more than a ROPE behind the true best.',
    '',
    "With a Monte Carlo margin (the rule of `stopRule: 'p-within-rope'`): P(within ROPE) - 1.645 se >= 0.95,",
    "se = sqrt(p (1 - p) / ESS) with the refit's smallest bulk ESS (at most 500) standing in for the",
    "indicator's ESS (the traces do not hold it); a simulation ends when settled, so a stop this rule",
    'would make later is not seen.',
    '',
    '| strategy | stopped | wrong stops (95% upper bound) | median runs at the stop | with the margin: stopped | wrong stops (95% upper bound) | median runs at the stop |',
    '|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const stops = r.per_simulation.map((p) => p.trace.find((x) => x.p_within_rope_min >= 0.95));
      const wrong = stops.filter((x) => x !== undefined && !x.correct).length;
      const marg = r.per_simulation.map(marginStop);
      const mWrong = marg.filter((x) => x !== undefined && !x.correct).length;
      return `| ${r.strategy} | ${stops.filter((x) => x !== undefined).length}/${r.simulations} | ${wrong}/${r.simulations} (<= ${(100 * upper95(wrong, r.simulations)).toFixed(0)}%) | ${fmt(medianOf(stops.map((x) => x?.added ?? cap)))} | ${marg.filter((x) => x !== undefined).length}/${r.simulations} | ${mWrong}/${r.simulations} (<= ${(100 * upper95(mWrong, r.simulations)).toFixed(0)}%) | ${fmt(medianOf(marg.map((x) => x?.added ?? cap)))} |`;
    }),
    '',
    'Per simulation (runs added until settled / until correct with P(within ROPE) >= 0.8 / stopped by the verdict at):',
    '',
    ...results.map(
      (r) =>
        `- ${r.strategy}: ${r.per_simulation
          .map(
            (p) =>
              `${p.runs_to_settle ?? '-'} / ${at80(p) ?? '-'} / ${p.stopped_at ?? '-'}${p.stopped_wrong ? ' (wrong)' : ''}${p.truth_sigma !== undefined ? ` (sigma ${p.truth_sigma.toFixed(2)})` : ''}`,
          )
          .join('; ')}`,
    ),
    '',
    'Load while running:',
    '',
    ...results.map(
      (r) =>
        `- ${r.strategy}: ${r.machine_start
          .split('; ')
          .map(
            (m, i) =>
              `${loadOf(m)} at the start, ${loadOf(r.machine_end.split('; ')[i] ?? '')} at the end`,
          )
          .join('; ')}`,
    ),
    '',
    `Machine: ${results[0].machine_start
      .split('; ')[0]
      .replace(/^machine: /, '')
      .replace(/, load .*$/, '')}.`,
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
  console.error(`wrote the backtest section ${NAME} of VALIDATION.md`);
}

/**
 * A strategy's saved results put together: NAME-STRATEGY.json (simulations from 0) and any
 * NAME-STRATEGY-from-K.json, each simulation once (by index), wall times added.
 */
/** The "load a b c" part of a machine line. */
function loadOf(machine: string): string {
  return machine.match(/load [\d. ]+/)?.[0].trim() ?? machine;
}

function loadSaved(dir: string, strategy: BacktestStrategy): Row {
  const files = readdirSync(dir).filter(
    (f) => f === `${NAME}-${strategy}.json` || f.startsWith(`${NAME}-${strategy}-from-`),
  );
  const parts = files.map((f) => {
    const r = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Row;
    const k = f.match(/-from-(\d+)\.json$/);
    const start = k ? Number(k[1]) : 0;
    return {
      ...r,
      start,
      per_simulation: r.per_simulation.map((p, i) => ({ ...p, index: p.index ?? start + i })),
    };
  });
  if (parts.length === 0) throw new Error(`${dir}: no saved results of ${NAME} ${strategy}`);
  const byIndex = new Map<number, Row['per_simulation'][number]>();
  for (const part of parts) for (const p of part.per_simulation) byIndex.set(p.index as number, p);
  const per = [...byIndex.values()].sort((a, b) => (a.index as number) - (b.index as number));
  return {
    ...parts[0],
    ...summarizeBacktest(per, strategy, parts[0].settings),
    seconds: parts.reduce((a, r) => a + r.seconds, 0),
    machine_end: parts.map((r) => r.machine_end).join('; '),
    machine_start: parts.map((r) => r.machine_start).join('; '),
    planned_simulations: Math.max(
      ...parts.map((r) => r.start + (r.planned_simulations ?? r.per_simulation.length)),
    ),
    processes: parts.length,
  };
}

const rows: Row[] = from ? ALL.map((s) => loadSaved(from, s)) : await runStrategies();
const baselineDir = textArg('baseline', '');

if (ALL.every((s) => rows.some((r) => r.strategy === s)))
  writeSection(rows, baselineDir ? loadSaved(baselineDir, 'plan') : null);
else console.error('not every strategy was run: VALIDATION.md left as it is');
