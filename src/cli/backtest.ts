import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError, NotFoundError } from '../errors.js';
import type { BacktestStrategy } from '../pipeline/backtest.js';
import { intOption, numOption } from './options.js';
import { printText, runAction, warmChainThreads } from './shell.js';

/** Raw commander options of `backtest`. */
interface RawBacktestOptions {
  strategy?: string;
  seed?: string;
  simulations?: string;
  first?: string;
  batch?: string;
  maxRuns?: string;
  settle?: string;
  stopThreshold?: string;
  json?: boolean;
  quiet?: boolean;
}

const STRATEGIES: readonly BacktestStrategy[] = ['plan', 'round-robin', 'random'];

/** Register the `backtest` command. */
export function register(program: Command): void {
  program
    .command('backtest')
    .description(
      "Backtest the planner: simulate benchmarks from the table's fitted posterior, start each " +
        'from a small design, add batches chosen by a strategy and count the runs until every ' +
        'scope is settled (the recommendation within the ROPE of the true best, with posterior ' +
        'P(within ROPE) >= 0.95), and how often the stopping verdict stopped with a recommendation ' +
        'more than a ROPE behind the true best.',
    )
    .argument('<data.csv>', 'long CSV: one row per run or published number')
    .option('--strategy <name>', `how batches are chosen: ${STRATEGIES.join(', ')} (default plan)`)
    .option('--seed <n>', 'seed of the simulations (default 1)')
    .option('--simulations <n>', 'simulated benchmarks (default 6)')
    .option(
      '--first <i>',
      'index of the first simulation (default 0): --first 2 --simulations 1 reruns the third simulation of the seed alone',
    )
    .option('--batch <n>', 'runs per batch, also the N of the stopping verdict (default 5)')
    .option('--max-runs <n>', 'most runs added to the small design (default 40)')
    .option('--settle <p>', 'posterior P(within ROPE) that settles a scope (default 0.95)')
    .option(
      '--stop-threshold <p>',
      'alpha of the stopping rule on the expected loss (default 0.05)',
    )
    .option('--json', 'print the result (JSON) on stdout')
    .option('--quiet', 'no progress lines')
    .action(
      runAction(async (file: string, raw: RawBacktestOptions) => {
        warmChainThreads();
        const strategy = (raw.strategy ?? 'plan') as BacktestStrategy;
        if (!STRATEGIES.includes(strategy)) {
          throw new ConfigError(
            `--strategy must be ${STRATEGIES.join(', ')} (got "${raw.strategy}")`,
          );
        }
        const between = (v: number) => v > 0 && v < 1;
        const options = {
          strategy,
          seed: intOption('seed', raw.seed, 0),
          simulations: intOption('simulations', raw.simulations, 1),
          first: intOption('first', raw.first, 0),
          batch: intOption('batch', raw.batch, 1),
          maxRuns: intOption('max-runs', raw.maxRuns, 1),
          settle: numOption('settle', raw.settle, between, 'between 0 and 1'),
          stopThreshold: numOption('stop-threshold', raw.stopThreshold, between, 'between 0 and 1'),
        };
        if (!(await stat(file).catch(() => null))?.isFile()) {
          throw new NotFoundError(`${file}: no such file`);
        }
        const [{ backtest }, { readCsvFile }] = await Promise.all([
          import('../pipeline/backtest.js'),
          import('../data/csv.js'),
        ]);
        const table = await readCsvFile(file);
        const result = await backtest(table, {
          ...(Object.fromEntries(
            Object.entries(options).filter(([, v]) => v !== undefined),
          ) as typeof options),
          ...(raw.quiet
            ? {}
            : {
                onStep: (e) =>
                  process.stderr.write(
                    `simulation ${e.simulation + 1}: ${e.added} runs added${e.settled ? ', settled' : ''}${e.decided ? ', verdict decided' : ''}\n`,
                  ),
              }),
        });
        if (raw.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          printText(
            process.stdout,
            `strategy ${result.strategy}: ${result.simulations} simulations; median runs added until settled ${result.runs_median} (unsettled counted as ${String(result.settings.unsettled_counted_as)}; settled in ${(100 * result.settled_share).toFixed(0)}%); early stops with a wrong recommendation ${(100 * result.early_stop_rate).toFixed(0)}%\n`,
          );
        }
        return 0;
      }),
    );
}
