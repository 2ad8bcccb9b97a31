import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import {
  addModelOptions,
  compareOptions,
  type RawOptions,
  readComparisonInput,
} from './compare.js';
import { addInputOptions, checkRunSize } from './options.js';
import { printText, runAction, warmChainThreads } from './shell.js';

/** Raw options of `loo` (the compare input options and its own). */
interface LooRawOptions extends RawOptions {
  logLikOut?: string;
  pointwise?: string;
}

/** Register the `loo` command. */
export function register(program: Command): void {
  const command = program
    .command('loo')
    .description(
      'Model checking: fit the comparison model and estimate its expected log predictive density ' +
        'by PSIS-LOO (elpd_loo, p_loo, looic, their SEs and the Pareto k diagnostics).',
    )
    .argument(
      '<data>',
      'benchmark data in any format compare reads (long or wide CSV, harness outputs)',
    );
  addInputOptions(addModelOptions(command))
    .option(
      '--pointwise <mode>',
      'auto (default: nested gaussian effects integrated out when the model allows) or conditional',
    )
    .option(
      '--log-lik-out <file>',
      'write the pointwise log-likelihood as CSV chain,draw,log_lik[1],...',
    )
    .option('--json', 'print the LOO document (JSON) on stdout; everything else on stderr')
    .option('--quiet', 'no progress lines')
    .addHelpText(
      'after',
      '\nExit status: 0 done, 2 bad input. Compare variants with `compare --check`.',
    )
    .action(
      runAction(async (file: string, raw: LooRawOptions) => {
        const pointwise = raw.pointwise ?? 'auto';
        if (pointwise !== 'auto' && pointwise !== 'conditional') {
          throw new ConfigError(`--pointwise must be auto or conditional (got "${pointwise}")`);
        }
        warmChainThreads();
        const [{ runComparison }, { looOfRun, looJson, logLikCsv }, { formatLoo }] =
          await Promise.all([
            import('../pipeline/compare.js'),
            import('../pipeline/loo.js'),
            import('../report/loo-text.js'),
          ]);
        const options = await compareOptions(raw);
        await checkRunSize(options.sampler ?? {});
        const table = await readComparisonInput(file, raw, options);
        const run = await runComparison(table, {
          ...options,
          source: file,
          ...(raw.quiet
            ? {}
            : {
                onProgress: (e) => {
                  if (e.phase === 'done') process.stderr.write(`chain ${e.chain + 1}: done\n`);
                },
              }),
        });
        const r = looOfRun(run, { pointwise });
        const doc = looJson(run, r);
        if (raw.logLikOut) {
          await writeFile(raw.logLikOut, logLikCsv(r.logLik), 'utf8');
          printText(process.stderr, `wrote ${raw.logLikOut}\n`);
        }
        if (raw.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        else printText(process.stdout, formatLoo(doc));
        return 0;
      }),
    );
}
