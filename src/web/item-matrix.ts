import { forEachTaskCells } from '../analysis/cells.js';
import { SCALE_MODES, scaleTable } from '../analysis/from-fit.js';
import type { PreparedComparison } from '../analysis/prepare.js';
import { parseCsv } from '../data/csv.js';
import type { FactorColumn, Table } from '../data/table.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError } from '../errors.js';
import type { FitSpec } from '../store/store.js';
import type { CellDraws, ItemMatrix, ItemScores, ItemSettings } from './items-types.js';
import { prepareFor } from './rebuild.js';

/**
 * The per-fit matrix the item view of a paired item model fit answers every pair from
 * (src/web/items.ts itemsDoc): built once per fit from its stored rows and draws (one parse and
 * preparation of the dataset, one pass over the rows, one over the draws), then each pair of
 * heuristics is a merge of two heuristics' item lists and a summary of two rows of cell draws per
 * task, with no parsing. Plain typed arrays, so a worker thread can post it back.
 */

/**
 * The settings of a stored comparison an item view reads (defaults as compare's).
 * @example itemSettings({ family: 'bernoulli' }).rope // 0
 */
export function itemSettings(settings: Record<string, unknown>): ItemSettings {
  return {
    family: typeof settings.family === 'string' ? settings.family : 'gaussian',
    rope: typeof settings.rope === 'number' ? settings.rope : 0,
    threshold: typeof settings.threshold === 'number' ? settings.threshold : 0.95,
    scale: SCALE_MODES.find((m) => m === settings.scale) ?? 'none',
  };
}

function factorOf(table: Table, name: string): FactorColumn | null {
  const c = table.columns[name];
  return c?.type === 'factor' ? c : null;
}

/**
 * The rows whose `code` is >= 0, stably ordered by code (0..buckets-1): those of `within` in its
 * order when given, else all rows in row order.
 */
function countingSort(
  code: Int32Array,
  buckets: number,
  kept: number,
  within: Int32Array | null,
): Int32Array {
  const at = new Int32Array(buckets + 1);
  for (let r = 0; r < code.length; r++) if (code[r] >= 0) at[code[r] + 1]++;
  for (let b = 0; b < buckets; b++) at[b + 1] += at[b];
  const out = new Int32Array(kept);
  const place = (r: number) => {
    if (code[r] >= 0) out[at[code[r]]++] = r;
  };
  if (within) for (let i = 0; i < within.length; i++) place(within[i]);
  else for (let r = 0; r < code.length; r++) place(r);
  return out;
}

/**
 * The per-heuristic item means of a prepared table (columns heuristic, task, item, score; score
 * negated for lower-is-better scores, as prepareComparison leaves it, so `higherIsBetter` turns it
 * back): rows with a missing score, task or item are left out. Each mean is the sum of the item's
 * rows in row order divided by their number, the same arithmetic as a direct count.
 * @example itemScores(prepared.table, true).levels // ['full_kv', 'snapkv']
 */
export function itemScores(table: Table, higherIsBetter: boolean): ItemScores {
  const h = factorOf(table, 'heuristic');
  const t = factorOf(table, 'task');
  const it = factorOf(table, 'item');
  const y = table.columns.score;
  if (!h || !t || !it || y?.type !== 'numeric') {
    throw new ConfigError('the fit has no item column: item-level results need per-example rows');
  }
  const sign = higherIsBetter ? 1 : -1;
  const L = it.levels.length;
  const n = table.nRows;
  // pass 1: the slot of each row (-1: left out), slots by first appearance
  const rowSlot = new Int32Array(n).fill(-1);
  const slotOf = new Map<number, number>();
  const slotTask: number[] = [];
  const slotItem: number[] = [];
  let zeroOne = true;
  let kept = 0;
  for (let r = 0; r < n; r++) {
    const v = y.values[r];
    if (Number.isNaN(v)) continue;
    const raw = sign * v;
    if (raw !== 0 && raw !== 1) zeroOne = false;
    const tc = t.codes[r];
    const ic = it.codes[r];
    if (tc < 0 || ic < 0 || h.codes[r] < 0) continue;
    const key = tc * L + ic;
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = slotTask.length;
      slotOf.set(key, slot);
      slotTask.push(tc);
      slotItem.push(ic);
    }
    rowSlot[r] = slot;
    kept++;
  }
  // pass 2: the kept rows ordered by (heuristic, slot, row): a stable counting sort by slot, then
  // one by heuristic (O(rows + slots + heuristics))
  const nSlots = slotTask.length;
  const H = h.levels.length;
  const bySlot = countingSort(rowSlot, nSlots, kept, null);
  const hCodes = new Int32Array(n);
  for (let r = 0; r < n; r++) hCodes[r] = rowSlot[r] >= 0 ? h.codes[r] : -1;
  const order = countingSort(hCodes, H, kept, bySlot);
  const start = new Int32Array(H + 1);
  const slot: number[] = [];
  const mean: number[] = [];
  const seeds: number[] = [];
  let i = 0;
  while (i < kept) {
    const hc = hCodes[order[i]];
    const sc = rowSlot[order[i]];
    let sum = 0;
    let count = 0;
    for (; i < kept && hCodes[order[i]] === hc && rowSlot[order[i]] === sc; i++) {
      sum += sign * y.values[order[i]];
      count++;
    }
    start[hc + 1]++;
    slot.push(sc);
    mean.push(sum / count);
    seeds.push(count);
  }
  for (let k = 0; k < H; k++) start[k + 1] += start[k];
  return {
    levels: [...h.levels],
    tasks: [...t.levels],
    items: [...it.levels],
    zeroOne,
    slotTask: Int32Array.from(slotTask),
    slotItem: Int32Array.from(slotItem),
    start,
    slot: Int32Array.from(slot),
    mean: Float64Array.from(mean),
    seeds: Int32Array.from(seeds),
  };
}

/**
 * The cell draws of every heuristic on every task (forEachTaskCells with the fit's family and
 * seed; the item model fits the scores as they are, so no logit of a bounded score), put back in
 * score units when the fit scaled the scores per task; for a bernoulli or binomial fit also the
 * cells on the linear predictor (identity link), whose pair difference is the log odds ratio.
 * @example cellDraws(draws, prepared, itemSettings(settings), 1).cells.length // T x H x S
 */
export function cellDraws(
  draws: Draws,
  prepared: PreparedComparison,
  settings: ItemSettings,
  seed: number,
): CellDraws {
  const { scales, design } = scaleTable(prepared.table, settings.scale);
  const S = draws.nDraws * draws.nChains;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  const cells = new Float64Array(T * H * S);
  forEachTaskCells(draws, design, { family: settings.family, seed, bounded: null }, (t, block) => {
    const out = cells.subarray(t * H * S, (t + 1) * H * S);
    out.set(block.subarray(0, H * S));
    if (scales) {
      const center = scales.center[t];
      const scale = scales.scale[t];
      for (let i = 0; i < out.length; i++) out[i] = center + scale * out[i];
    }
  });
  let logits: Float64Array | null = null;
  if (settings.family === 'bernoulli' || settings.family === 'binomial') {
    const lp = new Float64Array(T * H * S);
    forEachTaskCells(draws, design, { seed, bounded: null }, (t, block) => {
      lp.set(block.subarray(0, H * S), t * H * S);
    });
    logits = lp;
  }
  return {
    heuristics: [...design.heuristics],
    tasks: [...design.tasks],
    taskCategory: [...design.taskCategory],
    draws: S,
    cells,
    logits,
    taskScale: scales ? Float64Array.from(scales.scale) : null,
  };
}

/**
 * Bytes a matrix holds (its typed arrays; the names are small beside them), for the cache's bound.
 * @example matrixBytes(matrix) // 3_200_000 for 20 heuristics x 5 tasks x 4,000 draws
 */
export function matrixBytes(m: ItemMatrix): number {
  const s = m.scores;
  const arrays = [
    s.slotTask,
    s.slotItem,
    s.start,
    s.slot,
    s.mean,
    s.seeds,
    m.posterior.cells,
    m.posterior.logits,
    m.posterior.taskScale,
  ];
  let bytes = 0;
  for (const a of arrays) bytes += a?.byteLength ?? 0;
  return bytes;
}

/** What the item matrix of a stored fit is built from: its dataset's bytes, spec, settings, draws. */
export interface StoredMatrixInput {
  fitId: number;
  csv: Uint8Array;
  datasetName: string;
  spec: FitSpec;
  settings: Record<string, unknown>;
  seed: number;
  draws: Draws;
}

/**
 * The item matrix of a stored fit: the dataset parsed and prepared as the fit did (prepareFor: the
 * same mapping, filters and orientation), its item scores and the cell draws. Runs where it is
 * called (the web app: a worker thread, items-worker.ts).
 * @example itemMatrixOfStoredFit({ fitId: 3, csv, datasetName, spec, settings, seed: 1, draws }, modelsDir)
 */
export function itemMatrixOfStoredFit(input: StoredMatrixInput, modelsDir: string): ItemMatrix {
  const table = parseCsv(input.csv, { source: input.datasetName });
  const { prepared } = prepareFor(table, input.spec, modelsDir);
  const settings = itemSettings(input.settings);
  const columns = (input.settings.columns ?? {}) as Record<string, unknown>;
  return {
    fit: input.fitId,
    scores: itemScores(prepared.table, prepared.higherIsBetter),
    posterior: cellDraws(input.draws, prepared, settings, input.seed),
    settings,
    higherIsBetter: prepared.higherIsBetter,
    columns: {
      item: typeof columns.item === 'string' ? columns.item : null,
      score: typeof columns.score === 'string' ? columns.score : null,
    },
  };
}

/**
 * The part of a matrix one pair reads: the two heuristics' item entries and cell draws, the rest
 * as it is; itemsDoc of it is itemsDoc of the whole matrix for that pair, but for the document's
 * list of heuristics (the pair's two). What a worker thread is sent for a pair on a large fit.
 * @example pairMatrix(matrix, 'snapkv', 'full_kv').posterior.heuristics // ['snapkv', 'full_kv']
 */
export function pairMatrix(m: ItemMatrix, a: string, b: string): ItemMatrix {
  const s = m.scores;
  const runs = [a, b].map((name) => {
    const h = s.levels.indexOf(name);
    return h < 0 ? [0, 0] : [s.start[h], s.start[h + 1]];
  });
  const take = <T extends Int32Array | Float64Array>(x: T): T => {
    const out = new (x.constructor as new (n: number) => T)(
      runs[0][1] - runs[0][0] + runs[1][1] - runs[1][0],
    );
    out.set(x.subarray(runs[0][0], runs[0][1]), 0);
    out.set(x.subarray(runs[1][0], runs[1][1]), runs[0][1] - runs[0][0]);
    return out;
  };
  const p = m.posterior;
  const H = p.heuristics.length;
  const S = p.draws;
  const hs = [a, b].map((name) => p.heuristics.indexOf(name));
  const cellsOf = (x: Float64Array): Float64Array => {
    const out = new Float64Array(p.tasks.length * 2 * S);
    for (let t = 0; t < p.tasks.length; t++) {
      hs.forEach((h, j) => {
        out.set(x.subarray((t * H + h) * S, (t * H + h + 1) * S), (t * 2 + j) * S);
      });
    }
    return out;
  };
  const nA = runs[0][1] - runs[0][0];
  return {
    ...m,
    scores: {
      ...s,
      levels: [a, b],
      start: Int32Array.from([0, nA, nA + runs[1][1] - runs[1][0]]),
      slot: take(s.slot),
      mean: take(s.mean),
      seeds: take(s.seeds),
    },
    posterior: {
      ...p,
      heuristics: [a, b],
      cells: cellsOf(p.cells),
      logits: p.logits ? cellsOf(p.logits) : null,
    },
  };
}
