import { forEachTaskCells } from '../analysis/cells.js';
import { designFromTable } from '../analysis/design.js';
import { SCALE_MODES, scaleTable } from '../analysis/from-fit.js';
import { pairwiseComparisons } from '../analysis/pairwise.js';
import type { PreparedComparison } from '../analysis/prepare.js';
import { summarize90 } from '../analysis/stats.js';
import { parseCsv } from '../data/csv.js';
import type { FactorColumn, Table } from '../data/table.js';
import type { Draws } from '../draws/draws.js';
import { ConfigError } from '../errors.js';
import type { FitRecord, FitSpec } from '../store/store.js';
import {
  ITEM_MODEL,
  type ItemFit,
  type ItemRow,
  type ItemsDoc,
  type ItemsQuery,
  type ItemsTask,
} from './items-types.js';
import { bounded } from './messages.js';
import { prepareFor } from './rebuild.js';

/**
 * Item-level results of a stored fit of the paired item model (src/model/item-model.ts), for one
 * pair of heuristics A and B: per task the posterior of A minus B from the fit's draws (the
 * heuristic x task cell means, as the comparison computes them: src/analysis/cells.ts), and from
 * the data the items that separate the two most (per item the mean of A's and of B's scores over
 * seeds; for 0/1 scores the discordant items, A right and B wrong or the reverse: McNemar's
 * counts, McNemar 1947, Psychometrika 12(2)). One O(rows) pass over the stored dataset and one
 * O(draws x heuristics x tasks) pass over the draws; the output is bounded (top k items per task
 * and direction).
 */

/** Items listed per task and direction: the default and the most a query may ask for. */
export const ITEMS_LIMITS = Object.freeze({ k: 10, maxK: 50 });

/**
 * Parse `?a=&b=&k=` of an item view; k is 1..ITEMS_LIMITS.maxK (default ITEMS_LIMITS.k), a bad one a
 * ConfigError (400) naming the parameter.
 * @example parseItemsQuery({ a: 'snapkv', b: 'full_kv', k: '5' }) // { a: 'snapkv', b: 'full_kv', k: 5 }
 */
export function parseItemsQuery(q: Record<string, unknown>): ItemsQuery {
  const out: ItemsQuery = { k: ITEMS_LIMITS.k };
  for (const key of ['a', 'b'] as const) {
    const v = q[key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string') throw new ConfigError(`${key}: give one heuristic name`);
    out[key] = v;
  }
  const k = q.k;
  if (k !== undefined && k !== '') {
    const s = typeof k === 'string' ? k : '';
    if (!/^[0-9]{1,3}$/.test(s) || Number(s) < 1 || Number(s) > ITEMS_LIMITS.maxK) {
      throw new ConfigError(
        `k: "${bounded(String(k), 40)}" is not a whole number from 1 to ${ITEMS_LIMITS.maxK}`,
      );
    }
    out.k = Number(s);
  }
  return out;
}

/**
 * What an item view keeps of a finished fit (src/web/items-types.ts ItemFit), from its full record.
 * @example itemFitOf(store.getFit(3)).ranked[0] // the best heuristic
 */
export function itemFitOf(fit: FitRecord): ItemFit {
  const ranked = [...(fit.comparison?.heuristics ?? [])]
    .sort((x, y) => x.expected_rank - y.expected_rank)
    .map((h) => h.name);
  return {
    fit: { ...fit, comparison: null, summary: null },
    settings: fit.comparison?.settings ?? {},
    ranked,
  };
}

/**
 * A 400 for a finished fit of another model than the paired item model (one line saying so).
 * @example checkItemsFit(itemFitOf(store.getFit(3)))
 */
export function checkItemsFit(info: ItemFit): void {
  if (info.settings.model !== ITEM_MODEL) {
    throw new ConfigError(
      `fit ${info.fit.id}: item-level results are for fits of the paired item model (per-example rows with an item column); this fit's model is ${String(info.settings.model ?? 'another model')}`,
    );
  }
}

/**
 * Whether a finished fit is a fit of the paired item model.
 * @example isItemFit(store.getFit(3)) // true
 */
export function isItemFit(fit: FitRecord): boolean {
  return fit.comparison?.settings?.model === ITEM_MODEL;
}

/**
 * The pair of an item view: the query's, or the fit's two best heuristics (by expected rank) for
 * what is left out. An unknown name or A = B is a ConfigError (400) naming the parameter.
 * @example itemsPair(info, { k: 10 }) // { a: 'snapkv', b: 'pyramidkv' }
 */
export function itemsPair(info: ItemFit, query: ItemsQuery): { a: string; b: string } {
  const { ranked } = info;
  for (const key of ['a', 'b'] as const) {
    const name = query[key];
    if (name !== undefined && !ranked.includes(name)) {
      const list = ranked.slice(0, 20).map((n) => bounded(n, 40));
      throw new ConfigError(
        `${key}: no heuristic "${bounded(name)}" in fit ${info.fit.id} (heuristics: ${list.join(', ')}${ranked.length > 20 ? ', ...' : ''})`,
      );
    }
  }
  if (ranked.length < 2) throw new ConfigError(`fit ${info.fit.id} has fewer than two heuristics`);
  const a = query.a ?? ranked.find((n) => n !== query.b) ?? ranked[0];
  const b = query.b ?? ranked.find((n) => n !== a) ?? ranked[1];
  if (a === b) throw new ConfigError(`a and b are the same heuristic ("${bounded(a)}")`);
  return { a, b };
}

/** The fit's settings an item view reads. */
interface ItemSettings {
  family: string;
  rope: number;
  threshold: number;
  scale: (typeof SCALE_MODES)[number];
}

function settingsOf(settings: Record<string, unknown>): ItemSettings {
  return {
    family: typeof settings.family === 'string' ? settings.family : 'gaussian',
    rope: typeof settings.rope === 'number' ? settings.rope : 0,
    threshold: typeof settings.threshold === 'number' ? settings.threshold : 0.95,
    scale: SCALE_MODES.find((m) => m === settings.scale) ?? 'none',
  };
}

/**
 * Per task, the posterior of a - b from the fit's draws: the cell means of every heuristic on
 * every task as the comparison computes them (forEachTaskCells with the fit's family and seed; the
 * item model fits the scores as they are, so no logit of a bounded score), the pair's draws then
 * summarized by pairwiseComparisons with the fit's ROPE and threshold, so each task's numbers are
 * the comparison document's task pair. For a bernoulli fit also a - b on the logit scale.
 * @example pairPosterior(draws, prepared, fit.comparison.settings, 1, 'snapkv', 'full_kv').get('arc_easy')
 */
export function pairPosterior(
  draws: Draws,
  prepared: PreparedComparison,
  rawSettings: Record<string, unknown>,
  seed: number,
  a: string,
  b: string,
): Map<string, Pick<ItemsTask, 'category' | 'posterior' | 'log_odds'>> {
  const settings = settingsOf(rawSettings);
  const { scales, design } = scaleTable(prepared.table, settings.scale);
  const ia = design.heuristics.indexOf(a);
  const ib = design.heuristics.indexOf(b);
  if (ia < 0 || ib < 0) {
    throw new ConfigError(`the fit's dataset has no rows of "${bounded(ia < 0 ? a : b)}"`);
  }
  const S = draws.nDraws * draws.nChains;
  const pair = new Float64Array(2 * S);
  const out = new Map<string, Pick<ItemsTask, 'category' | 'posterior' | 'log_odds'>>();
  forEachTaskCells(draws, design, { family: settings.family, seed, bounded: null }, (t, block) => {
    pair.set(block.subarray(S * ia, S * (ia + 1)), 0);
    pair.set(block.subarray(S * ib, S * (ib + 1)), S);
    const back = scales ? { center: scales.center[t], scale: scales.scale[t] } : undefined;
    if (back) for (let i = 0; i < pair.length; i++) pair[i] = back.center + back.scale * pair[i];
    const name = design.tasks[t];
    const [p] = pairwiseComparisons(
      { names: [a, b], nSamples: S, values: pair },
      {
        rope: back ? settings.rope * back.scale : settings.rope,
        threshold: settings.threshold,
        higherIsBetter: prepared.higherIsBetter,
        scope: `task:${name}`,
      },
    );
    const { a: _a, b: _b, scope: _s, ...posterior } = p;
    out.set(name, { category: design.taskCategory[t], posterior, log_odds: null });
  });
  if (settings.family === 'bernoulli' || settings.family === 'binomial') {
    // the linear predictor (identity link): a - b is the log odds ratio, the same for every item
    const d = new Float64Array(S);
    const sign = prepared.higherIsBetter ? 1 : -1;
    forEachTaskCells(draws, design, { seed, bounded: null }, (t, block) => {
      let positive = 0;
      let zero = 0;
      for (let s = 0; s < S; s++) {
        d[s] = block[S * ia + s] - block[S * ib + s];
        const o = sign * d[s];
        if (o > 0) positive++;
        else if (o === 0) zero++;
      }
      const entry = out.get(design.tasks[t]);
      if (entry) entry.log_odds = { ...summarize90(d), p_a_greater: (positive + 0.5 * zero) / S };
    });
  }
  return out;
}

function factorOf(table: Table, name: string): FactorColumn | null {
  const c = table.columns[name];
  return c?.type === 'factor' ? c : null;
}

/** Per (task, item) slot: the sums and counts of A's and B's rows. */
interface Slots {
  task: number[];
  item: number[];
  sumA: number[];
  nA: number[];
  sumB: number[];
  nB: number[];
}

/** Item names in natural order (doc_id "2" before "10"), the same on every machine. */
const itemCollator = new Intl.Collator('en', { numeric: true });

/** Compare two item rows: larger |diff| first, then more rows, then the item's name. */
function byDifference(x: ItemRow, y: ItemRow): number {
  const d = Math.abs(y.diff) - Math.abs(x.diff);
  if (d !== 0) return d;
  const n = y.n_a + y.n_b - (x.n_a + x.n_b);
  if (n !== 0) return n;
  return itemCollator.compare(x.item, y.item);
}

/**
 * From the prepared table (columns heuristic, task, item, score; score negated for lower-is-better
 * scores, as prepareComparison leaves it), per task: the counts of the pair's items and the k
 * items A did best on against B and the k the reverse (means over each heuristic's seeds, in
 * score units). One pass over the rows; a Map over the (task, item) pairs of A's and B's rows.
 * @example pairedItems(prepared.table, 'snapkv', 'full_kv', 10, true).get('arc_easy')?.items.a_better
 */
export function pairedItems(
  table: Table,
  a: string,
  b: string,
  k: number,
  higherIsBetter: boolean,
): { zeroOne: boolean; tasks: Map<string, Pick<ItemsTask, 'items' | 'top_a' | 'top_b'>> } {
  const h = factorOf(table, 'heuristic');
  const t = factorOf(table, 'task');
  const it = factorOf(table, 'item');
  const y = table.columns.score;
  if (!h || !t || !it || y?.type !== 'numeric') {
    throw new ConfigError('the fit has no item column: item-level results need per-example rows');
  }
  const ia = h.levels.indexOf(a);
  const ib = h.levels.indexOf(b);
  const sign = higherIsBetter ? 1 : -1;
  const L = it.levels.length;
  const slotOf = new Map<number, number>();
  const s: Slots = { task: [], item: [], sumA: [], nA: [], sumB: [], nB: [] };
  let zeroOne = true;
  for (let r = 0; r < table.nRows; r++) {
    const v = y.values[r];
    if (Number.isNaN(v)) continue;
    const raw = sign * v;
    if (raw !== 0 && raw !== 1) zeroOne = false;
    const hc = h.codes[r];
    if (hc !== ia && hc !== ib) continue;
    const tc = t.codes[r];
    const ic = it.codes[r];
    if (tc < 0 || ic < 0) continue;
    const key = tc * L + ic;
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = s.task.length;
      slotOf.set(key, slot);
      s.task.push(tc);
      s.item.push(ic);
      s.sumA.push(0);
      s.nA.push(0);
      s.sumB.push(0);
      s.nB.push(0);
    }
    if (hc === ia) {
      s.sumA[slot] += raw;
      s.nA[slot]++;
    } else {
      s.sumB[slot] += raw;
      s.nB[slot]++;
    }
  }
  const perTask = t.levels.map(() => ({
    rows: [] as ItemRow[],
    only_a: 0,
    only_b: 0,
    both_right: 0,
    both_wrong: 0,
  }));
  for (let i = 0; i < s.task.length; i++) {
    const acc = perTask[s.task[i]];
    if (s.nB[i] === 0) acc.only_a++;
    else if (s.nA[i] === 0) acc.only_b++;
    else {
      const ma = s.sumA[i] / s.nA[i];
      const mb = s.sumB[i] / s.nB[i];
      if (ma === 1 && mb === 1) acc.both_right++;
      else if (ma === 0 && mb === 0) acc.both_wrong++;
      acc.rows.push({
        item: it.levels[s.item[i]],
        a: ma,
        b: mb,
        diff: ma - mb,
        n_a: s.nA[i],
        n_b: s.nB[i],
      });
    }
  }
  const tasks = new Map<string, Pick<ItemsTask, 'items' | 'top_a' | 'top_b'>>();
  t.levels.forEach((name, tc) => {
    const acc = perTask[tc];
    const better = acc.rows.filter((r) => sign * r.diff > 0).sort(byDifference);
    const worse = acc.rows.filter((r) => sign * r.diff < 0).sort(byDifference);
    let sa = 0;
    let sb = 0;
    for (const r of acc.rows) {
      sa += r.a;
      sb += r.b;
    }
    const n = acc.rows.length;
    tasks.set(name, {
      items: {
        paired: n,
        a_better: better.length,
        b_better: worse.length,
        tied: n - better.length - worse.length,
        both_right: zeroOne ? acc.both_right : null,
        both_wrong: zeroOne ? acc.both_wrong : null,
        only_a: acc.only_a,
        only_b: acc.only_b,
        a_mean: n ? sa / n : Number.NaN,
        b_mean: n ? sb / n : Number.NaN,
        diff_mean: n ? (sa - sb) / n : Number.NaN,
      },
      top_a: better.slice(0, k),
      top_b: worse.slice(0, k),
    });
  });
  return { zeroOne, tasks };
}

/** What the item view of a stored fit needs: its dataset's bytes, spec, settings, seed and draws. */
export interface StoredItemsInput {
  fitId: number;
  csv: Uint8Array;
  datasetName: string;
  spec: FitSpec;
  settings: Record<string, unknown>;
  seed: number;
  draws: Draws;
  a: string;
  b: string;
  k: number;
}

/**
 * The item-level document of a stored fit and pair: the dataset parsed and prepared as the fit
 * did (prepareFor: the same mapping, filters and orientation), the per-task posterior from the
 * stored draws and the paired items from the rows. Runs where it is called (the web app: a worker
 * thread, items-worker.ts).
 * @example itemsOfStoredFit({ fitId: 3, csv, datasetName, spec, settings, seed: 1, draws, a: 'x', b: 'y', k: 10 }, modelsDir)
 */
export function itemsOfStoredFit(input: StoredItemsInput, modelsDir: string): ItemsDoc {
  const table = parseCsv(input.csv, { source: input.datasetName });
  const { prepared } = prepareFor(table, input.spec, modelsDir);
  const { a, b, k } = input;
  const posterior = pairPosterior(input.draws, prepared, input.settings, input.seed, a, b);
  const items = pairedItems(prepared.table, a, b, k, prepared.higherIsBetter);
  const settings = settingsOf(input.settings);
  const columns = (input.settings.columns ?? {}) as Record<string, unknown>;
  const tasks: ItemsTask[] = [];
  for (const [task, post] of posterior) {
    const it = items.tasks.get(task);
    if (!it) continue;
    tasks.push({ task, ...post, ...it });
  }
  return {
    fit: input.fitId,
    a,
    b,
    heuristics: [...designFromTable(prepared.table).heuristics],
    family: settings.family,
    zero_one: items.zeroOne,
    higher_is_better: prepared.higherIsBetter,
    rope: settings.rope,
    threshold: settings.threshold,
    k,
    draws: input.draws.nDraws * input.draws.nChains,
    columns: {
      item: typeof columns.item === 'string' ? columns.item : null,
      score: typeof columns.score === 'string' ? columns.score : null,
    },
    tasks,
  };
}
