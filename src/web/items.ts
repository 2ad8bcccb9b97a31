import { pairwiseComparisons } from '../analysis/pairwise.js';
import { summarize90 } from '../analysis/stats.js';
import { ConfigError } from '../errors.js';
import type { FitRecord } from '../store/store.js';
import type { CellDraws, ItemMatrix, ItemScores, ItemSettings } from './items-types.js';
import {
  ITEM_MODEL,
  type ItemFit,
  type ItemRow,
  type ItemsDoc,
  type ItemsQuery,
  type ItemsTask,
} from './items-types.js';
import { bounded } from './messages.js';

/**
 * Item-level results of a stored fit of the paired item model (src/model/item-model.ts), for one
 * pair of heuristics A and B: per task the posterior of A minus B from the fit's draws (the
 * heuristic x task cell means, as the comparison computes them: src/analysis/cells.ts), and from
 * the data the items that separate the two most (per item the mean of A's and of B's scores over
 * seeds; for 0/1 scores the discordant items, A right and B wrong or the reverse: McNemar's
 * counts, McNemar 1947, Psychometrika 12(2)). Every pair is answered from the fit's item matrix
 * (src/web/item-matrix.ts, built once per fit: one parse of the stored dataset, one pass over its
 * rows and one over the draws); the output is bounded (top k items per task and direction).
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

/**
 * Per task, the posterior of a - b from the fit's cell draws (src/web/item-matrix.ts cellDraws:
 * every heuristic's cell means on every task as the comparison computes them), the pair's draws
 * summarized by pairwiseComparisons with the fit's ROPE and threshold, so each task's numbers are
 * the comparison document's task pair. For a bernoulli fit also a - b on the logit scale.
 * @example pairPosterior(matrix.posterior, matrix.settings, true, 'snapkv', 'full_kv').get('arc_easy')
 */
export function pairPosterior(
  cells: CellDraws,
  settings: ItemSettings,
  higherIsBetter: boolean,
  a: string,
  b: string,
): Map<string, Pick<ItemsTask, 'category' | 'posterior' | 'log_odds'>> {
  const ia = cells.heuristics.indexOf(a);
  const ib = cells.heuristics.indexOf(b);
  if (ia < 0 || ib < 0) {
    throw new ConfigError(`the fit's dataset has no rows of "${bounded(ia < 0 ? a : b)}"`);
  }
  const S = cells.draws;
  const H = cells.heuristics.length;
  const pair = new Float64Array(2 * S);
  const d = new Float64Array(S);
  const sign = higherIsBetter ? 1 : -1;
  const out = new Map<string, Pick<ItemsTask, 'category' | 'posterior' | 'log_odds'>>();
  cells.tasks.forEach((name, t) => {
    const block = cells.cells.subarray(t * H * S, (t + 1) * H * S);
    pair.set(block.subarray(S * ia, S * (ia + 1)), 0);
    pair.set(block.subarray(S * ib, S * (ib + 1)), S);
    const [p] = pairwiseComparisons(
      { names: [a, b], nSamples: S, values: pair },
      {
        // a fit on per-task standardized scores has its ROPE in standard deviations: score units here
        rope: cells.taskScale ? settings.rope * cells.taskScale[t] : settings.rope,
        threshold: settings.threshold,
        higherIsBetter,
        scope: `task:${name}`,
      },
    );
    const { a: _a, b: _b, scope: _s, ...posterior } = p;
    let logOdds: ItemsTask['log_odds'] = null;
    if (cells.logits) {
      // the linear predictor (identity link): a - b is the log odds ratio, the same for every item
      const lp = cells.logits.subarray(t * H * S, (t + 1) * H * S);
      let positive = 0;
      let zero = 0;
      for (let s = 0; s < S; s++) {
        d[s] = lp[S * ia + s] - lp[S * ib + s];
        const o = sign * d[s];
        if (o > 0) positive++;
        else if (o === 0) zero++;
      }
      logOdds = { ...summarize90(d), p_a_greater: (positive + 0.5 * zero) / S };
    }
    out.set(name, { category: cells.taskCategory[t], posterior, log_odds: logOdds });
  });
  return out;
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
 * From a fit's item scores (src/web/item-matrix.ts itemScores), per task: the counts of the pair's
 * items and the k items A did best on against B and the k the reverse (means over each
 * heuristic's seeds, in score units). One merge of A's and B's entries (both ascending by slot):
 * O(items of A and B), whatever the size of the rest of the table.
 * @example pairedItems(itemScores(prepared.table, true), 'snapkv', 'full_kv', 10, true).get('arc_easy')?.items.a_better
 */
export function pairedItems(
  scores: ItemScores,
  a: string,
  b: string,
  k: number,
  higherIsBetter: boolean,
): Map<string, Pick<ItemsTask, 'items' | 'top_a' | 'top_b'>> {
  const { zeroOne, start, slot, mean, seeds, slotTask } = scores;
  const sign = higherIsBetter ? 1 : -1;
  const ia = scores.levels.indexOf(a);
  const ib = scores.levels.indexOf(b);
  // a heuristic without rows is an empty run
  let i = ia < 0 ? 0 : start[ia];
  const iEnd = ia < 0 ? 0 : start[ia + 1];
  let j = ib < 0 ? 0 : start[ib];
  const jEnd = ib < 0 ? 0 : start[ib + 1];
  const perTask = scores.tasks.map(() => ({
    rows: [] as ItemRow[],
    only_a: 0,
    only_b: 0,
    both_right: 0,
    both_wrong: 0,
  }));
  while (i < iEnd || j < jEnd) {
    const sa = i < iEnd ? slot[i] : Number.POSITIVE_INFINITY;
    const sb = j < jEnd ? slot[j] : Number.POSITIVE_INFINITY;
    if (sa < sb) {
      perTask[slotTask[sa]].only_a++;
      i++;
    } else if (sb < sa) {
      perTask[slotTask[sb]].only_b++;
      j++;
    } else {
      const acc = perTask[slotTask[sa]];
      const ma = mean[i];
      const mb = mean[j];
      if (ma === 1 && mb === 1) acc.both_right++;
      else if (ma === 0 && mb === 0) acc.both_wrong++;
      acc.rows.push({
        item: scores.items[scores.slotItem[sa]],
        a: ma,
        b: mb,
        diff: ma - mb,
        n_a: seeds[i],
        n_b: seeds[j],
      });
      i++;
      j++;
    }
  }
  const tasks = new Map<string, Pick<ItemsTask, 'items' | 'top_a' | 'top_b'>>();
  scores.tasks.forEach((name, tc) => {
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
  return tasks;
}

/**
 * The item-level document of a fit for one pair, from its item matrix (built once per fit,
 * src/web/item-matrix.ts): per task the posterior of A minus B and the paired items. O(draws x
 * tasks + items of A and B): no parsing, no pass over the other heuristics' rows.
 * @example itemsDoc(matrix, 'snapkv', 'full_kv', 10).tasks[0].items.a_better
 */
export function itemsDoc(matrix: ItemMatrix, a: string, b: string, k: number): ItemsDoc {
  const { settings, higherIsBetter } = matrix;
  const posterior = pairPosterior(matrix.posterior, settings, higherIsBetter, a, b);
  const items = pairedItems(matrix.scores, a, b, k, higherIsBetter);
  const tasks: ItemsTask[] = [];
  for (const [task, post] of posterior) {
    const it = items.get(task);
    if (!it) continue;
    tasks.push({ task, ...post, ...it });
  }
  return {
    fit: matrix.fit,
    a,
    b,
    heuristics: [...matrix.posterior.heuristics],
    family: settings.family,
    zero_one: matrix.scores.zeroOne,
    higher_is_better: higherIsBetter,
    rope: settings.rope,
    threshold: settings.threshold,
    k,
    draws: matrix.posterior.draws,
    columns: matrix.columns,
    tasks,
  };
}
