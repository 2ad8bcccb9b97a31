import { ConfigError } from '../errors.js';
import { parseCsv } from './csv.js';

/**
 * The items of each task as a user gives them (`--items-per-task SPEC` of `compare`, the web fit
 * request's `items_per_task`), for the binomial model of accuracy-type scores
 * (src/analysis/binomial-items.ts): `none` (never binomial), one whole number for every task
 * (`96`), a list `task=n,task=n`, or a CSV with columns `task` and `n` (or `items`). Errors are
 * ConfigErrors in the CLI's words, one line naming the part, row or column.
 */

/** Items per task as parsed: one n for every task, n per task name, or `none`. */
export type ItemsPerTaskSpec = number | Readonly<Record<string, number>> | 'none';

/**
 * Parse `none`, a whole number or `task=n,...`; null when the text is none of these (the CLI then
 * reads it as a CSV file's path).
 * @example parseItemsPerTask('niah_single_1=96,vt=96') // { niah_single_1: 96, vt: 96 }
 */
export function parseItemsPerTask(spec: string): ItemsPerTaskSpec | null {
  const text = spec.trim();
  if (text === 'none') return 'none';
  if (/^\d+$/.test(text)) return wholeNumber(text, 'every task');
  if (!text.includes('=')) return null;
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const eq = part.lastIndexOf('=');
    const task = part.slice(0, eq).trim();
    if (eq < 0 || task === '') {
      throw new ConfigError(`--items-per-task: "${part}" is not task=n`);
    }
    out[task] = wholeNumber(part.slice(eq + 1).trim(), `task "${task}"`);
  }
  return out;
}

function wholeNumber(text: string, what: string): number {
  const n = Number(text);
  if (!(/^\d+$/.test(text) && n >= 1)) {
    throw new ConfigError(
      `--items-per-task: the items of ${what} must be a whole number >= 1, got "${text}"`,
    );
  }
  return n;
}

/**
 * The items per task of a CSV text with columns `task` and `n` (or `items`); `source` names it in
 * errors (a file's path).
 * @example itemsPerTaskFromCsv('task,n\nvt,96\n', 'sizes.csv') // { vt: 96 }
 */
export function itemsPerTaskFromCsv(text: string, source: string): Record<string, number> {
  const table = parseCsv(text, { source });
  const task = table.columns.task;
  const nName = table.columns.n ? 'n' : 'items';
  const n = table.columns[nName];
  if (!task || !n) {
    throw new ConfigError(`--items-per-task: ${source} needs columns task and n (or items)`);
  }
  const out: Record<string, number> = {};
  for (let i = 0; i < table.nRows; i++) {
    const t = task.type === 'factor' ? task.levels[task.codes[i]] : String(task.values[i]);
    const v = n.type === 'numeric' ? n.values[i] : Number.NaN;
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new ConfigError(
        `--items-per-task: ${source} row ${i + 2}, column ${nName}: the items must be a whole number >= 1`,
      );
    }
    out[t] = v;
  }
  return out;
}
