import { readFile } from 'node:fs/promises';
import type { ItemsPerTask } from '../analysis/binomial-items.js';
import { itemsPerTaskFromCsv, parseItemsPerTask } from '../data/items-per-task.js';
import { ConfigError } from '../errors.js';

/**
 * `--items-per-task SPEC`, the items of each task for the binomial model of accuracy-type scores
 * (src/analysis/binomial-items.ts): `none` (never binomial), one whole number for every task
 * (`96`), a list `task=n,task=n`, or a CSV file with columns `task` and `n` (or `items`); the
 * parsing is the data layer's (src/data/items-per-task.ts), the file read here.
 * @example await itemsPerTaskOption('niah_single_1=96,vt=96') // { niah_single_1: 96, vt: 96 }
 */
export async function itemsPerTaskOption(
  spec: string | undefined,
): Promise<ItemsPerTask | 'none' | undefined> {
  if (spec === undefined) return undefined;
  const parsed = parseItemsPerTask(spec);
  if (parsed !== null) return parsed;
  const path = spec.trim();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(
      `--items-per-task: cannot read ${path} (give none, a number, task=n,... or a CSV file with columns task,n)`,
    );
  }
  return itemsPerTaskFromCsv(text, path);
}
