import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CostOf } from '../analysis/plan-inputs.js';
import type { PreparedComparison } from '../analysis/prepare.js';
import type { Table } from '../data/table.js';
import { NotFoundError } from '../errors.js';
import {
  addDecisionOptions,
  addModelOptions,
  compareOptions,
  type RawOptions,
  readComparisonInput,
} from './compare.js';
import { addInputOptions, checkRunSize, intOption, numOption } from './options.js';
import { printText, runAction, warmChainThreads } from './shell.js';

/** Raw commander options of `plan`. */
interface RawPlanOptions extends RawOptions {
  runs?: string;
  stopRuns?: string;
  stopThreshold?: string;
  outcomes?: string;
  planDraws?: string;
  planSeed?: string;
  cost?: string;
  candidates?: string;
  html?: string;
}

/** Whether a path names a file. */
async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() === true;
}

/** --cost COLUMN|FILE: a cost file when the path is a file, else a column of the data. */
async function costOption(
  text: string,
  table: Table,
  prepared: PreparedComparison,
): Promise<CostOf> {
  const { costFromColumn, costFromTable } = await import('../analysis/plan-inputs.js');
  if (await isFile(text)) {
    const { readCsvFile } = await import('../data/csv.js');
    return costFromTable(await readCsvFile(text));
  }
  return costFromColumn(table, text, prepared.mapping.heuristic, prepared.mapping.task);
}

/** The planner's options from the command line (ConfigError naming the option on bad values). */
export function planSettings(raw: RawPlanOptions) {
  return {
    runs: intOption('runs', raw.runs, 1) ?? 5,
    stopRuns: intOption('stop-runs', raw.stopRuns, 1),
    stopThreshold: numOption(
      'stop-threshold',
      raw.stopThreshold,
      (v) => v > 0 && v < 1,
      'between 0 and 1',
    ),
    outcomes: intOption('outcomes', raw.outcomes, 1),
    maxDraws: intOption('plan-draws', raw.planDraws, 10),
    seed: intOption('plan-seed', raw.planSeed, 0),
  };
}

/** Register the `plan` command. */
export function register(program: Command): void {
  const cmd = program
    .command('plan')
    .description(
      'Which runs next, and can we stop: fit the comparison (as compare) and rank candidate runs ' +
        '(another seed of a cell, a missing cell, a new task) by the value of their information ' +
        'for the recommendations; a batch chosen together and a stopping verdict per category.',
    )
    .argument(
      '<data>',
      'benchmark data in any format compare reads (long or wide CSV, harness outputs)',
    );
  addInputOptions(addDecisionOptions(addModelOptions(cmd)))
    .option('--runs <n>', 'runs in the batch (default 5)')
    .option(
      '--stop-runs <n>',
      'N of the stopping rule: the batch whose value it checks (default: --runs)',
    )
    .option(
      '--stop-threshold <p>',
      'alpha: decided when the expected loss beyond ROPE/2 is <= alpha x ROPE/2 (so P(more than a ROPE behind the best) <= alpha) and N runs would not reduce it by more (default 0.05)',
    )
    .option(
      '--cost <column|file>',
      'cost per run: a column of the data, or a CSV heuristic[,task],cost',
    )
    .option('--candidates <file>', 'CSV heuristic,task[,category]: the runs to consider')
    .option('--outcomes <n>', 'simulated outcomes per candidate (default 64)')
    .option('--plan-draws <n>', 'posterior draws the planner uses (default 1000)')
    .option('--plan-seed <n>', 'seed of the simulated outcomes (default 1)')
    .option(
      '--html <file>',
      'also write the self-contained HTML report with a "What to run next" section',
    )
    .option('--json', 'print the plan (JSON) on stdout; everything else on stderr')
    .option('--quiet', 'no progress lines')
    .action(
      runAction(async (file: string, raw: RawPlanOptions) => {
        warmChainThreads();
        const [{ runComparison }, { planFromRun }, { readCsvFile }, { formatPlan }] =
          await Promise.all([
            import('../pipeline/compare.js'),
            import('../pipeline/plan.js'),
            import('../data/csv.js'),
            import('../analysis/plan-format.js'),
          ]);
        const options = await compareOptions(raw);
        const settings = planSettings(raw);
        await checkRunSize(options.sampler ?? {});
        if (!(await isFile(file))) throw new NotFoundError(`${file}: no such file`);
        if (raw.candidates !== undefined && !(await isFile(raw.candidates))) {
          throw new NotFoundError(`--candidates: ${raw.candidates}: no such file`);
        }
        const table = await readComparisonInput(file, raw, options);
        const candidates =
          raw.candidates === undefined
            ? undefined
            : (await import('../analysis/plan-inputs.js')).candidatesFromTable(
                await readCsvFile(raw.candidates),
              );
        // the cost column is checked before the fit, so a typo does not cost a fit
        const { prepareComparison } = await import('../analysis/prepare.js');
        const cost =
          raw.cost === undefined
            ? undefined
            : await costOption(raw.cost, table, prepareComparison(table, options));
        if (!raw.quiet) process.stderr.write('fitting the comparison...\n');
        // the plan reads recommendations and pairs, never the budget-curve section: no curve fit
        const run = await runComparison(table, { ...options, budgetCurve: false, source: file });
        if (!raw.quiet) process.stderr.write('planning...\n');
        const plan = planFromRun(run, {
          ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
          ...(candidates ? { candidates } : {}),
          ...(cost ? { cost } : {}),
        });
        if (raw.html) {
          const { renderPlanReport } = await import('../report/plan-report.js');
          await writeFile(
            raw.html,
            renderPlanReport({
              comparison: run.comparison,
              summary: run.summary,
              fit: run.fit,
              plan,
              title: `bayesbench plan: ${file}`,
            }),
            'utf8',
          );
          if (!raw.quiet) printText(process.stderr, `wrote ${raw.html}\n`);
        }
        if (raw.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
        else printText(process.stdout, formatPlan(plan));
        return 0;
      }),
    );
}
