import { writeFile } from 'node:fs/promises';
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import type { fit as FitModel } from '../pipeline/fit.js';
import type { ProgressEvent, SamplerConfig } from '../sampler/types.js';
import {
  addInputOptions,
  checkRunSize,
  collect,
  intOption,
  METRICS,
  metricOption,
  numOption,
} from './options.js';
import { FAMILIES, loadTable, type ModelCliOptions, specFromOptions } from './priors.js';
import { printText, runAction, warmChainThreads } from './shell.js';

interface FitCliOptions extends ModelCliOptions {
  chains?: string;
  warmup?: string;
  draws?: string;
  seed?: string;
  adaptDelta?: string;
  maxTreedepth?: string;
  massMatrix?: string;
  json?: boolean;
  drawsOut?: string;
  quiet?: boolean;
  maxRows?: string;
  vars?: string;
  filter: string[];
  study?: string;
}

/**
 * Progress per chain: cli-progress bars on a TTY, plain lines on stderr elsewhere. cli-progress (and
 * its ~20 files) loads only for the bars, not when every command starts (BENCHMARKS.md §12.5).
 */
async function progress(
  nChains: number,
): Promise<{ onProgress: (e: ProgressEvent) => void; stop: () => void }> {
  if (process.stderr.isTTY) {
    const cliProgress = (await import('cli-progress')).default;
    const multi = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        format: 'chain {chain} |{bar}| {value}/{total} {phase} divergent: {divergent}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<number, SingleBar>();
    return {
      onProgress(e) {
        let bar = bars.get(e.chain);
        if (!bar) {
          bar = multi.create(e.total, 0, { chain: e.chain + 1, phase: e.phase, divergent: 0 });
          bars.set(e.chain, bar);
        }
        bar.update(e.iteration, { phase: e.phase, divergent: e.divergent });
      },
      stop: () => multi.stop(),
    };
  }
  const lastQuarter = new Int32Array(nChains).fill(-1);
  const lastPhase: string[] = [];
  return {
    onProgress(e) {
      const q = Math.floor((4 * e.iteration) / Math.max(1, e.total));
      if (q !== lastQuarter[e.chain] || e.phase !== lastPhase[e.chain]) {
        lastQuarter[e.chain] = q;
        lastPhase[e.chain] = e.phase;
        process.stderr.write(
          `chain ${e.chain + 1}: ${e.phase} ${e.iteration}/${e.total}${e.divergent ? ` (${e.divergent} divergent)` : ''}\n`,
        );
      }
    },
    stop: () => {},
  };
}

/**
 * Register `bayesbench fit DATA.csv --formula F ...`.
 * @example register(new Command('bayesbench'))
 */
export function register(program: Command): void {
  const cmd = program
    .command('fit')
    .description(
      'Fit a brms-style hierarchical model to a CSV with NUTS; print diagnostics and a summary\n' +
        '(variables under brms names: b_Intercept, sd_task__Intercept, r_task[ListOps,Intercept], sigma)',
    )
    .argument('<data>', 'CSV file (long or wide), lm-evaluation-harness .json/.jsonl or a folder')
    .option('--formula <formula>', "model formula, e.g. 'score ~ 1 + (1|heuristic) + (1|task)'")
    .option('--family <family>', `response family: ${FAMILIES.join(', ')} (default gaussian)`)
    .option(
      '--prior <prior>',
      "prior, e.g. 'sd_task ~ student_t(3, 0, 2.5)' (repeatable)",
      collect,
      [],
    )
    .option('--model <file>', 'ModelSpec JSON (e.g. models/heuristic-task.json)')
    .option('--chains <n>', 'number of chains (default 4)')
    .option('--warmup <n>', 'warmup iterations per chain (default 1000)')
    .option('--draws <n>', 'draws per chain after warmup (default 1000)')
    .option('--seed <n>', 'random seed')
    .option('--adapt-delta <x>', 'target acceptance statistic in (0, 1) (default 0.8)')
    .option('--max-treedepth <n>', 'maximum tree depth (default 10)')
    .option(
      '--mass-matrix <kind>',
      `metric and its adaptation: ${METRICS.join(', ')} (default diag; fisher-diag: from the gradients, docs/ALGORITHMS.md §3.7)`,
    )
    .option('--json', 'print one JSON document {variables, sampler, warnings} on stdout')
    .option('--draws-out <file>', 'write the draws (and sampler fields) as CSV')
    .option(
      '--filter <column=value>',
      'keep only rows where column = value; column=a,b keeps either, column!=a,b drops them (repeatable, all must hold)',
      collect,
      [],
    )
    .option(
      '--study <column>',
      'column with the study / paper / setup (a+b joins columns): the formula uses it as "study", e.g. (1|study)',
    )
    .option('--drop-missing', 'drop rows with missing values in the used columns')
    .option('--quiet', 'no progress output')
    .option('--vars <regex>', 'show only matching variables in the human summary table')
    .option(
      '--max-rows <n>',
      'rows of the human summary table (default 100; 0 = all; --json has all)',
    )
    .option('--n <count>', 'seeds behind each mean ± sd cell of a wide table (se = sd/sqrt(n))');
  addInputOptions(cmd).action(
    runAction(async (file: string, o: FitCliOptions) => {
      warmChainThreads();
      // The sampler, the model layer and the reports load here, not when the CLI starts, so
      // `--help` and the other commands do not pay for them.
      const [{ compileModel }, { fit: fitModel }, { formatBanner, formatSummaryTable }] =
        await Promise.all([
          import('../model/compile.js'),
          import('../pipeline/fit.js'),
          import('../report/text.js'),
        ]);
      const spec = await specFromOptions(o);
      const config: SamplerConfig = {};
      const chains = intOption('chains', o.chains, 1);
      if (chains !== undefined) config.chains = chains;
      const warmup = intOption('warmup', o.warmup, 0);
      if (warmup !== undefined) config.warmup = warmup;
      const draws = intOption('draws', o.draws, 1);
      if (draws !== undefined) config.draws = draws;
      const seed = intOption('seed', o.seed, 0);
      if (seed !== undefined) config.seed = seed;
      const depth = intOption('max-treedepth', o.maxTreedepth, 1);
      if (depth !== undefined) config.maxTreeDepth = depth;
      const adaptDelta = numOption(
        'adapt-delta',
        o.adaptDelta,
        (v) => v > 0 && v < 1,
        'a number in (0, 1)',
      );
      if (adaptDelta !== undefined) config.adaptDelta = adaptDelta;
      const metric = metricOption(o.massMatrix);
      if (metric !== undefined) config.metric = metric;
      await checkRunSize(config);
      const table = await loadTable(
        file,
        spec,
        o.dropMissing,
        { filters: o.filter, ...(o.study !== undefined ? { study: o.study } : {}) },
        o,
      );
      // Compile once here so that every bad-input error surfaces before sampling starts.
      compileModel(spec, table);
      const maxRows = intOption('max-rows', o.maxRows, 0) ?? 100;
      let varsRe: RegExp | null = null;
      if (o.vars !== undefined) {
        try {
          varsRe = new RegExp(o.vars);
        } catch {
          throw new ConfigError(`--vars: not a regular expression: ${o.vars}`);
        }
      }
      const bar = o.quiet ? null : await progress(config.chains ?? 4);
      let result: Awaited<ReturnType<typeof FitModel>>;
      try {
        result = await fitModel(table, {
          formula: spec.formula,
          ...(spec.family !== undefined ? { family: spec.family } : {}),
          priors: spec.priors ?? [],
          ...config,
          ...(bar ? { onProgress: bar.onProgress } : {}),
        });
      } finally {
        bar?.stop();
      }
      const { summary } = result;
      if (o.drawsOut !== undefined) {
        const { writeDrawsCsv } = await import('../draws/csv.js');
        await writeFile(o.drawsOut, writeDrawsCsv(result.fit.draws, result.fit.stats));
      }
      const banner = formatBanner(summary);
      printText(process.stderr, banner.endsWith('\n') ? banner : `${banner}\n`);
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ variables: summary.variables, sampler: summary.sampler, warnings: summary.warnings })}\n`,
        );
      } else {
        const rows = varsRe
          ? summary.variables.filter((v) => (varsRe as RegExp).test(v.variable))
          : summary.variables;
        const t = formatSummaryTable(rows, maxRows > 0 ? { maxRows } : {});
        printText(process.stdout, t.endsWith('\n') ? t : `${t}\n`);
      }
      return 0;
    }),
  );
}
