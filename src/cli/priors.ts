import type { Command } from 'commander';
import type { FitRowOptions } from '../data/fit-rows.js';
import type { Table } from '../data/table.js';
import { ConfigError } from '../errors.js';
import { FAMILIES, type Family, type ModelSpec, type PriorRow } from '../model/spec.js';
import {
  addInputOptions,
  collect,
  type InputCliOptions,
  inputOptions,
  loadInput,
} from './options.js';
import { printText, runAction } from './shell.js';

/** Model options shared by `fit` and `priors` (and the input formats' options). */
export interface ModelCliOptions extends InputCliOptions {
  formula?: string;
  family?: string;
  prior: string[];
  model?: string;
  dropMissing?: boolean;
}

export { FAMILIES } from '../model/spec.js';

/**
 * The ModelSpec from `--model FILE` and/or `--formula/--family/--prior` (flags override the file's
 * formula and family; `--prior` statements are added after the file's).
 *
 * @example await specFromOptions({ formula: 'y ~ 1 + (1|g)', prior: [] })
 */
export async function specFromOptions(o: ModelCliOptions): Promise<ModelSpec> {
  let spec: ModelSpec | undefined;
  if (o.model !== undefined) {
    const { readModelSpecFile } = await import('../model/specfile.js');
    spec = await readModelSpecFile(o.model);
  }
  if (o.family !== undefined && !(FAMILIES as readonly string[]).includes(o.family)) {
    throw new ConfigError(`--family must be one of ${FAMILIES.join(', ')} (got "${o.family}")`);
  }
  const formula = o.formula ?? spec?.formula;
  if (formula === undefined) {
    throw new ConfigError('give a model: --formula "y ~ 1 + (1|g)" or --model models/NAME.json');
  }
  const out: ModelSpec = {
    ...(spec ?? {}),
    formula,
    priors: [...(spec?.priors ?? []), ...o.prior],
  };
  const family = (o.family ?? spec?.family) as Family | undefined;
  if (family !== undefined) out.family = family;
  return out;
}

/**
 * Read the CSV, keep the rows `--filter` keeps and add the `--study` column (src/data/fit-rows.ts,
 * saying what was done on stderr), and drop rows with missing values when asked (saying how many).
 * @example const table = await loadTable('runs.csv', { formula: 'score ~ 1 + (1|task)' }, true);
 */
export async function loadTable(
  file: string,
  spec: ModelSpec,
  dropMissing: boolean | undefined,
  rows: FitRowOptions = {},
  input: InputCliOptions = {},
): Promise<Table> {
  const [{ prepareTable }, { fitRows }] = await Promise.all([
    import('../model/prepare.js'),
    import('../data/fit-rows.js'),
  ]);
  const selected = fitRows((await loadInput(file, inputOptions(input))).table, rows);
  for (const note of selected.notes) process.stderr.write(`note: ${note}\n`);
  if (rows.study !== undefined && !/\bstudy\b/.test(spec.formula)) {
    process.stderr.write(
      'note: --study names the study column, but the formula does not use "study"\n',
    );
  }
  const prepared = prepareTable(spec, selected.table, dropMissing ?? false);
  if (prepared.dropped > 0) {
    process.stderr.write(
      `dropped ${prepared.dropped} row${prepared.dropped === 1 ? '' : 's'} with missing values (--drop-missing)\n`,
    );
  }
  return prepared.table;
}

interface PriorsCliOptions extends ModelCliOptions {
  json?: boolean;
}

/**
 * The prior table as text: one line per parameter class / group / coefficient.
 * @example formatPriors([{ class: 'sigma', coef: '', group: '', prior: 'student_t(3, 0, 2.5)', source: 'default', lb: 0 }])
 */
export function formatPriors(rows: readonly PriorRow[]): string {
  const header = ['prior', 'class', 'coef', 'group', 'lb', 'source'];
  const body = rows.map((r) => [
    r.prior,
    r.class,
    r.coef,
    r.group,
    r.lb === undefined ? '' : String(r.lb),
    r.source,
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((b) => b[k].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, k) => c.padEnd(widths[k]))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n');
}

/**
 * Register `bayesbench priors DATA.csv --formula F`: every prior a fit would use.
 * @example register(new Command('bayesbench'))
 */
export function register(program: Command): void {
  const cmd = program
    .command('priors')
    .description(
      'Print every prior a fit of this model would use (defaults scaled from the data like brms:\n' +
        'Intercept student_t(3, median(y), max(2.5, mad(y))), sd and sigma half student_t(3, 0, same\n' +
        'scale), nu gamma(2, 0.1), phi gamma(0.01, 0.01), cor lkj(1), b flat)',
    )
    .argument('<data>', 'CSV file (long or wide), lm-evaluation-harness .json/.jsonl or a folder')
    .option('--formula <formula>', "model formula, e.g. 'score ~ 1 + (1|heuristic) + (1|task)'")
    .option('--family <family>', 'response family (default gaussian)')
    .option(
      '--prior <prior>',
      "prior, e.g. 'sd_task ~ student_t(3, 0, 2.5)' (repeatable)",
      collect,
      [],
    )
    .option('--model <file>', 'ModelSpec JSON (e.g. models/heuristic-task.json)')
    .option('--drop-missing', 'drop rows with missing values in the used columns')
    .option('--json', 'print the rows as JSON')
    .option('--n <count>', 'seeds behind each mean ± sd cell of a wide table (se = sd/sqrt(n))');
  addInputOptions(cmd).action(
    runAction(async (file: string, o: PriorsCliOptions) => {
      const { defaultPriors } = await import('../model/compile.js');
      const spec = await specFromOptions(o);
      const table = await loadTable(file, spec, o.dropMissing, {}, o);
      const rows = defaultPriors(spec, table);
      if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else printText(process.stdout, `${formatPriors(rows)}\n`);
      return 0;
    }),
  );
}
