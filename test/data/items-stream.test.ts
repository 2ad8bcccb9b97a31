import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInput } from '../../src/data/input.js';
import { simulateItems } from '../../src/data/synth-items.js';
import type { Table } from '../../src/data/table.js';
import { isItemModel } from '../../src/model/item-model.js';
import { runComparison } from '../../src/pipeline/compare.js';

/**
 * The per-example path of `compare` (CSV file -> columnar Table -> canonical table -> the item
 * model's data and default priors -> draws -> document) must give the same numbers after it was
 * made to scale to 10,000,000 rows (chunked column storage in the reader, exact medians by
 * selection, no per-row strings in the design): each case reads a small simulated per-example CSV
 * from disk as `bayesbench compare` does and compares SHA-256 hashes of the item model's data, the
 * draws (same seed) and the document with the values the code gave before those changes (commit
 * c608cf0). A deliberate change of the model or the document changes them: print the new ones (the
 * failure shows them) and say in the commit why.
 */

const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-items-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table as the bench writes it (heuristic,task,item,score), minus the rows `drop` names. */
function writeCsv(table: Table, file: string, drop: (i: number) => boolean): void {
  const col = (n: string) => table.columns[n] as { levels: readonly string[]; codes: Int32Array };
  const h = col('heuristic');
  const t = col('task');
  const it = col('item');
  const y = (table.columns.score as { values: Float64Array }).values;
  const lines = ['heuristic,task,item,score'];
  for (let i = 0; i < table.nRows; i++) {
    if (drop(i)) continue;
    const v = Number.isInteger(y[i]) ? String(y[i]) : y[i].toFixed(4);
    lines.push(`${h.levels[h.codes[i]]},${t.levels[t.codes[i]]},${it.levels[it.codes[i]]},${v}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const sha = (x: string | Float64Array) =>
  createHash('sha256')
    .update(typeof x === 'string' ? x : new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
    .digest('hex')
    .slice(0, 16);

/** Typed arrays as plain lists, so JSON.stringify sees their numbers. */
function plain(x: unknown): unknown {
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  }
  return x;
}

async function hashes(
  family: 'gaussian' | 'bernoulli',
  size: { heuristics: number; tasks: number; items: number },
  drop: (i: number) => boolean,
) {
  const { table } = simulateItems({
    ...size,
    family,
    seed: 7,
    intercept: 0.5,
    sdItem: family === 'bernoulli' ? 1.5 : 0.15,
    sigma: 0.1,
  });
  const file = path.join(dir, `items_${family}.csv`);
  writeCsv(table, file, drop);
  const read = await readInput(file, { source: 'items.csv' });
  const run = await runComparison(read.table, {
    source: 'items.csv',
    sampler: { chains: 2, warmup: 150, draws: 100, seed: 3, parallel: false },
  });
  if (!isItemModel(run.model)) throw new Error('not the item model');
  return {
    data: sha(JSON.stringify(plain(run.model.data))),
    draws: sha(run.fit.draws.values),
    document: sha(JSON.stringify(run.comparison)),
  };
}

describe('per-example CSV through compare: same numbers as before the 10M-row changes', () => {
  it('0/1 scores, every heuristic on every item', async () => {
    expect(await hashes('bernoulli', { heuristics: 5, tasks: 4, items: 60 }, () => false)).toEqual({
      data: '2ccf056dde981516',
      draws: '02718d586ec848cb',
      document: '735e04dfb0087d7d',
    });
  });
  // 80,000 rows less the dropped ones: more than one chunk of the reader's column storage
  it('continuous scores, some rows missing (several patterns per task)', async () => {
    const size = { heuristics: 8, tasks: 5, items: 2000 };
    expect(await hashes('gaussian', size, (i) => i % 7 === 3)).toEqual({
      data: '60fb909b5f1158c1',
      draws: 'e911c30b2ef96d0a',
      document: '412ba5d1c4246eff',
    });
  });
});
