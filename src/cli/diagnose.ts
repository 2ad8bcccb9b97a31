import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Thresholds } from '../diagnostics/types.js';
import { ConfigError, DataError, NotFoundError } from '../errors.js';
import { numOption } from './options.js';
import { printText, runAction } from './shell.js';

/**
 * Rows shown in the human table by default (--max-rows changes it; --json has them all).
 * @example formatSummaryTable(rows, { maxRows: DEFAULT_MAX_ROWS })
 */
export const DEFAULT_MAX_ROWS = 100;

/** Raw commander options of `diagnose`. */
interface DiagnoseOptions {
  json?: boolean;
  vars?: string;
  rhat?: string;
  essPerChain?: string;
  ebfmi?: string;
  maxTreedepth?: string;
  strict?: boolean;
  maxRows?: string;
}

async function readSource(path: string): Promise<{ text: string; source: string }> {
  try {
    return { text: await readFile(path, 'utf8'), source: path };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${path}: no such file`);
    if (code === 'EISDIR') throw new DataError(`${path}: is a directory, not a draws CSV`);
    throw new DataError(`${path}: cannot read (${code ?? 'error'})`);
  }
}

/**
 * The diagnose action: read draws (draws CSV or CmdStan CSVs), summarize, print banner + table (or
 * one JSON document). Returns the exit code: 0, or 1 with --strict when a check fails.
 * @example await diagnose(['fit.csv'], { json: true })
 */
export async function diagnose(files: string[], o: DiagnoseOptions): Promise<number> {
  const [
    { resolveThresholds },
    { summarize },
    { readDrawsFiles },
    { selectVariables },
    { formatBanner, formatSummaryTable },
  ] = await Promise.all([
    import('../diagnostics/checks.js'),
    import('../diagnostics/summarize.js'),
    import('../draws/read.js'),
    import('../draws/select.js'),
    import('../report/text.js'),
  ]);
  // `diagnose big.csv | head`: a closed pipe ends the output quietly, not with a stack trace.
  process.stdout.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const thresholds: Partial<Thresholds> = {
    rhat: numOption('rhat', o.rhat, (v) => v >= 1, 'a number >= 1'),
    essPerChain: numOption('ess-per-chain', o.essPerChain, (v) => v >= 0, 'a number >= 0'),
    ebfmi: numOption('ebfmi', o.ebfmi, (v) => v >= 0, 'a number >= 0'),
    maxTreeDepth: numOption('max-treedepth', o.maxTreedepth, (v) => v >= 1, 'a number >= 1'),
  };
  // docs/UX.md §0 item 6: long tables need a cap; --vars selects, --json has every variable.
  const maxRows =
    numOption('max-rows', o.maxRows, (v) => v >= 0, 'a number >= 0') ?? DEFAULT_MAX_ROWS;
  let pattern: RegExp | undefined;
  if (o.vars !== undefined) {
    try {
      pattern = new RegExp(o.vars);
    } catch {
      throw new ConfigError(`--vars: "${o.vars}" is not a valid regular expression`);
    }
  }
  const input = readDrawsFiles(await Promise.all(files.map(readSource)));
  let draws = input.draws;
  if (pattern) {
    const re = pattern;
    const keep = draws.variables.flatMap((name, i) => (re.test(name) ? [i] : []));
    if (keep.length === 0) {
      throw new ConfigError(
        `--vars: no variable matches /${o.vars}/ (variables: ${draws.variables.slice(0, 8).join(', ')}` +
          `${draws.variables.length > 8 ? ', ...' : ''})`,
      );
    }
    draws = selectVariables(draws, keep);
  }
  if (thresholds.maxTreeDepth === undefined && input.maxTreeDepth !== undefined) {
    thresholds.maxTreeDepth = input.maxTreeDepth;
  }
  const th = resolveThresholds(thresholds);
  const summary = summarize(draws, input.stats, th);
  if (summary.sampler && input.timing) {
    summary.sampler.warmup_seconds = input.timing.warmupSeconds;
    summary.sampler.sampling_seconds = input.timing.samplingSeconds;
  }
  const banner = formatBanner(summary, { thresholds: th, chains: draws.nChains });
  if (o.json) {
    printText(process.stderr, banner);
    const doc = {
      variables: summary.variables,
      sampler: summary.sampler,
      warnings: summary.warnings,
    };
    process.stdout.write(`${JSON.stringify(doc)}\n`); // NaN and +-Infinity become null
  } else {
    printText(process.stdout, `${banner}\n`);
    printText(process.stdout, formatSummaryTable(summary.variables, { maxRows }));
  }
  return o.strict && summary.warnings.length > 0 ? 1 : 0;
}

/**
 * Register `bayesbench diagnose FILE... [--json] [--vars REGEX] [--rhat 1.01] [--strict]`.
 * @example register(program)
 */
export function register(program: Command): void {
  program
    .command('diagnose')
    .description(
      'Convergence diagnostics of MCMC draws: R-hat, bulk/tail ESS and MCSE as the R package ' +
        'posterior computes them; divergences, tree depth and E-BFMI from sampler columns. Reads a ' +
        'draws CSV (chain,draw,<variables>) or CmdStan output CSVs (one file per chain).',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  bayesbench diagnose fit.csv\n' +
        '  bayesbench diagnose output_*.csv --vars "^(mu|tau)" --strict\n' +
        '  bayesbench diagnose fit.csv --json > summary.json\n\n' +
        'Exit status: 0; with --strict 1 when a check fails; 2 for bad input.',
    )
    .argument('<files...>', 'draws CSV, or CmdStan output CSVs (one per chain)')
    .option(
      '--json',
      'print one JSON document {variables, sampler, warnings} to stdout (banner to stderr)',
    )
    .option('--vars <regex>', 'only variables whose name matches this regular expression')
    .option('--rhat <threshold>', 'R-hat threshold (default 1.01)')
    .option('--ess-per-chain <n>', 'bulk/tail ESS threshold per chain (default 100)')
    .option('--ebfmi <threshold>', 'E-BFMI threshold (default 0.3)')
    .option(
      '--max-treedepth <depth>',
      'maximum tree depth of the run (default: from CmdStan files, else 10)',
    )
    .option('--max-rows <n>', `show at most n rows in the table (default ${DEFAULT_MAX_ROWS})`)
    .option('--strict', 'exit 1 when any check fails')
    .action(runAction((files: string[], o: DiagnoseOptions) => diagnose(files, o)));
}
