import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { SCALE_MODES, type ScaleMode } from '../analysis/from-fit.js';
import type { Comparison } from '../analysis/types.js';
import type { Table } from '../data/table.js';
import { ConfigError, NotFoundError } from '../errors.js';
import { FAMILIES } from '../model/spec.js';
import type { CompareOptions, runComparison } from '../pipeline/compare.js';
import type { ProgressEvent } from '../sampler/types.js';
import { itemsPerTaskOption } from './items-per-task.js';
import {
  addInputOptions,
  boolOption,
  checkRunSize,
  collect,
  type InputCliOptions,
  inputOptions,
  intOption,
  loadInput,
  METRICS,
  metricOption,
  numOption,
} from './options.js';
import { printText, runAction, warmChainThreads } from './shell.js';

/** Raw commander options of `compare`. */
export interface RawOptions extends InputCliOptions {
  robustness?: string;
  check?: boolean;
  budgetCurve?: boolean;
  heuristic?: string;
  task?: string;
  score?: string;
  value?: string;
  category?: string;
  seed?: string;
  study?: string;
  backbone?: string;
  budget?: string;
  metric?: string;
  std?: string;
  n?: string;
  trials?: string;
  itemsPerTask?: string;
  item?: string;
  higherIsBetter?: string;
  filter: string[];
  dropMissing?: boolean;
  scale?: string;
  rope?: string;
  threshold?: string;
  model?: string;
  formula?: string;
  family?: string;
  prior: string[];
  chains?: string;
  warmup?: string;
  draws?: string;
  samplerSeed?: string;
  adaptDelta?: string;
  massMatrix?: string;
  json?: boolean;
  itemEffects?: boolean;
  html?: string;
  strict?: boolean;
  quiet?: boolean;
}

/**
 * Turn the command line into `compare` options (ConfigError naming the option on bad values).
 * @example await compareOptions({ rope: '0.5', filter: [], prior: [] }).rope // 0.5
 */
export async function compareOptions(o: RawOptions): Promise<CompareOptions> {
  if (o.score !== undefined && o.value !== undefined && o.score !== o.value) {
    throw new ConfigError('--score and --value name the same column: give one of them');
  }
  if (o.model !== undefined && o.formula !== undefined) {
    throw new ConfigError('--model and --formula both given: use one');
  }
  if (o.scale !== undefined && !SCALE_MODES.includes(o.scale as ScaleMode)) {
    throw new ConfigError(`--scale must be ${SCALE_MODES.join(', ')} (got "${o.scale}")`);
  }
  const columns = {
    heuristic: o.heuristic,
    task: o.task,
    score: o.score ?? o.value,
    category: o.category,
    seed: o.seed,
    study: o.study,
    backbone: o.backbone,
    budget: o.budget,
    metric: o.metric,
    std: o.std,
    n: o.n,
    trials: o.trials,
    item: o.item,
  };
  const sampler = {
    chains: intOption('chains', o.chains, 1),
    warmup: intOption('warmup', o.warmup, 0),
    draws: intOption('draws', o.draws, 1),
    seed: intOption('seed', o.samplerSeed, 0),
    adaptDelta: numOption('adapt-delta', o.adaptDelta, (v) => v > 0 && v < 1, 'between 0 and 1'),
    metric: metricOption(o.massMatrix),
  };
  return {
    columns: Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)),
    filters: o.filter,
    dropMissing: o.dropMissing === true,
    higherIsBetter: boolOption('higher-is-better', o.higherIsBetter),
    scale: o.scale as ScaleMode | undefined,
    rope: numOption('rope', o.rope, (v) => v >= 0, 'a number >= 0'),
    threshold: numOption('threshold', o.threshold, (v) => v > 0.5 && v < 1, 'between 0.5 and 1'),
    model:
      o.model !== undefined
        ? await (await import('../pipeline/compare.js')).readModelSpec(o.model)
        : undefined,
    formula: o.formula,
    family: o.family as CompareOptions['family'],
    priors: o.prior,
    sampler: Object.fromEntries(Object.entries(sampler).filter(([, v]) => v !== undefined)),
    ...(o.budgetCurve !== undefined ? { budgetCurve: o.budgetCurve } : {}),
    ...(o.itemsPerTask !== undefined
      ? { itemsPerTask: await itemsPerTaskOption(o.itemsPerTask) }
      : {}),
  };
}

/** Progress for people on stderr: a rewritten line on a terminal, phase lines otherwise. */
function progressReporter(nChains: number): (e: ProgressEvent) => void {
  const tty = process.stderr.isTTY === true;
  const done = new Float64Array(nChains);
  const phase: string[] = Array.from({ length: nChains }, () => 'warmup');
  return (e) => {
    if (tty) {
      done[e.chain] = e.iteration / e.total;
      const pct = (100 * done.reduce((a, b) => a + b, 0)) / nChains;
      process.stderr.write(`\rsampling: ${pct.toFixed(0).padStart(3)}% `);
      if (pct >= 100) process.stderr.write('\n');
    } else if (e.phase !== phase[e.chain]) {
      phase[e.chain] = e.phase;
      process.stderr.write(
        `chain ${e.chain + 1}: ${e.phase === 'done' ? 'done' : `${e.phase} started`}\n`,
      );
    }
  };
}

/** Lines that must come before any decision when the fit is not trustworthy. */
export function convergenceAlarm(c: Comparison, rhatThreshold = 1.01): string | null {
  const parts: string[] = [];
  if (c.diagnostics.max_rhat > rhatThreshold) {
    parts.push(`R-hat up to ${c.diagnostics.max_rhat.toFixed(3)} (> ${rhatThreshold})`);
  }
  if (c.diagnostics.divergent > 0) parts.push(`${c.diagnostics.divergent} divergent transitions`);
  if (parts.length === 0) return null;
  const causes = c.likely_causes ?? [];
  return (
    `WARNING: the fit has not converged cleanly: ${parts.join(', ')}. The decisions below may be ` +
    'wrong; rerun with more --warmup/--draws or a higher --adapt-delta (e.g. 0.99) before using them.' +
    causes.map((x) => `\nLikely cause: ${x}`).join('')
  );
}

async function writeHtml(
  path: string,
  run: Awaited<ReturnType<typeof runComparison>>,
): Promise<void> {
  const mod = (await import('../report/static.js')) as Record<string, unknown>;
  const render = mod.renderStaticReport as ((input: unknown) => string) | undefined;
  if (typeof render !== 'function')
    throw new ConfigError('--html: the static report is not available');
  const html = render({
    comparison: run.comparison,
    fit: run.fit,
    summary: run.summary,
    title: `bayesbench compare: ${String(run.comparison.settings?.source ?? '')}`,
  });
  await writeFile(path, html, 'utf8');
}

/**
 * The data, model and sampler options `compare` shares with the commands built on it (`plan`,
 * `backtest`, `loo`): column roles, filters, scale, model, priors and sampler settings (read by
 * `compareOptions`). The decision options are `addDecisionOptions`.
 */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--heuristic <column>', 'column naming the heuristic (default: detected)')
    .option('--task <column>', 'column naming the task')
    .option('--score <column>', 'column with the score')
    .option('--value <column>', 'same as --score')
    .option('--category <column>', 'column with the task category (task type)')
    .option('--seed <column>', 'column with the seed or run id')
    .option(
      '--study <column>',
      'column with the study / paper / setup (detected: study, source_id; used when it has 5+ values)',
    )
    .option(
      '--backbone <column>',
      'column with the backbone model (detected: backbone, model, llm, base_model); "" = none',
    )
    .option(
      '--budget <column>',
      'column with the cache budget (detected: budget, cache_budget, kv_size, ...; empty/full = full cache)',
    )
    .option('--metric <column>', "column naming each row's metric (detected: metric)")
    .option(
      '--std <column>',
      'column with the std of rows that are means over n seeds (se = std/sqrt(n))',
    )
    .option(
      '--n <column>',
      'column with the number of seeds behind each mean; for a wide table, the number itself (se = sd/sqrt(n))',
    )
    .option('--trials <column>', 'column with trial counts (binomial scores)')
    .option(
      '--items-per-task <spec>',
      'items per task of accuracy-type scores (binomial counts round(score x n)): a number for every task, task=n,task=n, a CSV file task,n, or none; default: the table of test-set sizes (docs/benchmark-sizes.md) when the scores are whole counts of it',
    )
    .option(
      '--item <column>',
      'column with the item / example id of per-example rows (detected: item, doc_id, example, sample_id, question_id, ...): paired item model; "" = none',
    )
    .option('--higher-is-better <bool>', 'true (default) or false')
    .option(
      '--filter <column=value>',
      'keep only rows where column = value; column=a,b keeps either, column!=a,b drops them (repeatable, all must hold)',
      collect,
      [],
    )
    .option('--drop-missing', 'drop rows whose score is missing or not a number (and say how many)')
    .option(
      '--scale <mode>',
      "none, task or metric: standardize scores per task, or per metric (each task centred, divided by its metric's pooled within-task sd; the default when a metric column names several metrics, else none)",
    )
    .option(
      '--model <file.json>',
      'model spec file (default models/heuristic-task.json adapted to the data)',
    )
    .option(
      '--formula <formula>',
      'brms-style formula on the columns score, heuristic, task, category, study, seed',
    )
    .option(
      '--family <family>',
      `response family: ${FAMILIES.join(', ')} (default: chosen from the data, see the note)`,
    )
    .option(
      '--prior <prior>',
      "prior, e.g. 'sd_task ~ student_t(3, 0, 5)' (repeatable)",
      collect,
      [],
    )
    .option('--chains <n>', 'chains (default 4)')
    .option('--warmup <n>', 'warmup iterations per chain (default 1000)')
    .option('--draws <n>', 'post-warmup draws per chain (default 1000)')
    .option('--sampler-seed <n>', 'random seed of the sampler (default 1)')
    .option('--adapt-delta <p>', 'target acceptance rate (default 0.95 for compare)')
    .option(
      '--mass-matrix <kind>',
      `the sampler's metric and its adaptation: ${METRICS.join(', ')} (default diag)`,
    );
}

/**
 * Read the data of a command built on compare (any input format: long or wide CSV, harness JSON or
 * JSONL, a folder); the reader's notes go to stderr. For a converted input the `n` column is the
 * reader's (wide: --n COUNT; harness: n = 1 beside the stderr), so `options.columns.n` follows it.
 * @example const table = await readComparisonInput('runs.csv', raw, await compareOptions(raw));
 */
export async function readComparisonInput(
  file: string,
  raw: InputCliOptions,
  options: CompareOptions,
): Promise<Table> {
  const st = await stat(file).catch(() => null);
  if (!st) throw new NotFoundError(`${file}: no such file`);
  const read = await loadInput(file, inputOptions(raw));
  if (read.format !== 'csv' && options.columns) {
    const cols = options.columns as Record<string, string | null | undefined>;
    if (read.table.columns.n) cols.n = 'n';
    else delete cols.n;
  }
  return read.table;
}

/** The decision options of the commands that make decisions (`compare`, `plan`, `backtest`). */
export function addDecisionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--rope <x>',
      'half-width of the region of practical equivalence (default: 1% of a proportion scale such as accuracy, else 0.1 x the pooled within-task sd)',
    )
    .option('--threshold <p>', 'decision threshold (default 0.95)');
}

/** Register the `compare` command. */
export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      'Which heuristic is better on which kind of task, and how sure is that: fit the hierarchical ' +
        'model to a benchmark CSV and report P(A better), P(best), expected ranks, recommendations.',
    )
    .argument(
      '<data>',
      'long CSV (one row per run or published number), wide CSV (methods x tasks), lm-evaluation-harness results .json, per-sample .jsonl, or a folder of them',
    );
  addDecisionOptions(addModelOptions(cmd))
    .option(
      '--robustness <mode>',
      'leave-one-task-out check: draws (default: each task left out of the average, same draws), refit (one refit per task) or psis (draws reweighted without each task, refit only where Pareto k is too high)',
    )
    .option(
      '--budget-curve',
      'budgets section (curves, losses, crossings, decisions at each budget) from the smooth monotone budget-curve model when every method has 3+ budgets (the default; ~9-10 CPU s more on the Ada-KV tables, BENCHMARKS.md §9.6)',
    )
    .option(
      '--no-budget-curve',
      'budgets section from each method@budget arm of the comparison model, without the budget-curve model',
    )
    .option(
      '--check',
      'model check: refit without the category terms, with student-t residuals and without heuristic:backbone; compare by PSIS-LOO and say whether the recommendation changes',
    )
    .option('--json', 'print the Comparison document (JSON) on stdout; everything else on stderr')
    .option(
      '--item-effects',
      'per-example rows (paired item model): each item effect drawn back from the posterior (mean and 90% interval; all items up to 5,000, else per task the extremes and the items the heuristics disagree on most)',
    )
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--strict', 'exit 1 when any diagnostic warning was raised')
    .option('--quiet', 'no progress lines');
  addInputOptions(cmd)
    .addHelpText(
      'after',
      '\nThe --seed option names the seed column; the sampler seed is --sampler-seed.\n' +
        'Exit status: 0 done (even with convergence warnings), 1 with --strict and warnings, 2 bad input.',
    )
    .action(
      runAction(async (file: string, raw: RawOptions) => {
        warmChainThreads();
        // The analysis, the sampler and the reports load here, not when the CLI starts.
        const [{ runComparison }, { formatComparison }, { formatBanner }] = await Promise.all([
          import('../pipeline/compare.js'),
          import('../analysis/format.js'),
          import('../report/text.js'),
        ]);
        const options = await compareOptions(raw);
        const robustness = raw.robustness ?? 'draws';
        if (robustness !== 'draws' && robustness !== 'refit' && robustness !== 'psis') {
          throw new ConfigError(`--robustness must be draws, refit or psis (got "${robustness}")`);
        }
        await checkRunSize(options.sampler ?? {});
        const table = await readComparisonInput(file, raw, options);
        const chains = options.sampler?.chains ?? 4;
        const run = await runComparison(table, {
          ...options,
          source: file,
          ...(raw.quiet ? {} : { onProgress: progressReporter(chains) }),
        });
        if (robustness === 'refit' || robustness === 'psis') {
          const onRefit = (task: string, i: number, n: number) => {
            if (!raw.quiet) process.stderr.write(`refit ${i + 1}/${n}: without task ${task}\n`);
          };
          const opts = { ...options, source: file };
          run.comparison.robustness =
            robustness === 'refit'
              ? await (await import('../pipeline/robustness-refit.js')).refitRobustness(
                  table,
                  opts,
                  run,
                  { onRefit },
                )
              : await (await import('../pipeline/robustness-psis.js')).psisRobustness(
                  table,
                  opts,
                  run,
                  {
                    onRefit: (task, i, n) => {
                      if (!raw.quiet)
                        process.stderr.write(`without task ${task} (${i + 1}/${n})\n`);
                    },
                  },
                );
        }
        if (raw.check) {
          const { modelCheck, priorSensitivity } = await import('../pipeline/check.js');
          run.comparison.prior_sensitivity = priorSensitivity(run);
          run.comparison.check = await modelCheck(table, { ...options, source: file }, run, {
            onVariant: (name, i, n) => {
              if (!raw.quiet) process.stderr.write(`check ${i + 1}/${n}: ${name}\n`);
            },
          });
        }
        const items = raw.itemEffects
          ? await import('../pipeline/item-effects.js').then((m) => ({
              m,
              section: m.itemEffectsSection(run),
            }))
          : null;
        if (items && !items.section) {
          printText(process.stderr, '--item-effects: no item model was fitted (no item column)\n');
        }
        if (items?.section) Object.assign(run.comparison, { item_effects: items.section });
        const c = run.comparison;
        const banner = formatBanner(run.summary);
        printText(process.stderr, banner.endsWith('\n') ? banner : `${banner}\n`);
        const alarm = convergenceAlarm(c);
        if (raw.json) {
          if (alarm) printText(process.stderr, `${alarm}\n`);
          process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
        } else {
          if (alarm) printText(process.stdout, `${alarm}\n\n`);
          printText(process.stdout, formatComparison(c));
          if (items?.section)
            printText(process.stdout, `\n${items.m.formatItemEffects(items.section)}`);
          if (c.check) {
            const text = await import('../report/loo-text.js');
            printText(process.stdout, text.formatCheck(c.check));
            if (c.prior_sensitivity) {
              printText(process.stdout, text.formatPriorSensitivity(c.prior_sensitivity));
            }
          }
        }
        if (raw.html) {
          await writeHtml(raw.html, run);
          printText(process.stderr, `wrote ${raw.html}\n`);
        }
        return raw.strict && c.warnings.length > 0 ? 1 : 0;
      }),
    );
}
