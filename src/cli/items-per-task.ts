import { readFile } from 'node:fs/promises';
import type { ItemsPerTask } from '../analysis/binomial-items.js';
import { parseCsv } from '../data/csv.js';
import { ConfigError } from '../errors.js';

/**
 * `--items-per-task SPEC`, the items of each task for the binomial model of accuracy-type scores
 * (src/analysis/binomial-items.ts): `none` (never binomial), one whole number for every task
 * (`96`), a list `task=n,task=n`, or a CSV file with columns `task` and `n` (or `items`).
 * @example await itemsPerTaskOption('niah_single_1=96,vt=96') // { niah_single_1: 96, vt: 96 }
 */
export async function itemsPerTaskOption(
  spec: string | undefined,
): Promise<ItemsPerTask | 'none' | undefined> {
  if (spec === undefined) return undefined;
  const text = spec.trim();
  if (text === 'none') return 'none';
  if (/^\d+$/.test(text)) return wholeNumber(text, 'every task');
  if (text.includes('=')) {
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
  return fromFile(text);
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

/** A CSV file of task,n rows. */
async function fromFile(path: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(
      `--items-per-task: cannot read ${path} (give none, a number, task=n,... or a CSV file with columns task,n)`,
    );
  }
  const table = parseCsv(text, { source: path });
  const task = table.columns.task;
  const nName = table.columns.n ? 'n' : 'items';
  const n = table.columns[nName];
  if (!task || !n) {
    throw new ConfigError(`--items-per-task: ${path} needs columns task and n (or items)`);
  }
  const out: Record<string, number> = {};
  for (let i = 0; i < table.nRows; i++) {
    const t = task.type === 'factor' ? task.levels[task.codes[i]] : String(task.values[i]);
    const v = n.type === 'numeric' ? n.values[i] : Number.NaN;
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new ConfigError(
        `--items-per-task: ${path} row ${i + 2}, column ${nName}: the items must be a whole number >= 1`,
      );
    }
    out[t] = v;
  }
  return out;
}
