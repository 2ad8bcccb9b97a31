import { decisionWords } from '../analysis/decision.js';
import {
  decimalsFor,
  formatInterval,
  formatNumber,
  formatProbAt,
  formatSignificant,
} from '../report/format.js';
import { itemDiffPlot } from '../report/item-diff-plot.js';
import type { ItemRow, ItemsDoc } from './items-types.js';

/**
 * What the item-level page (views/items.ejs) prints, formatted here: the view does no arithmetic.
 */

/** A mean score over seeds: a whole number as it is, else 3 significant figures. */
function score(x: number): string {
  return Number.isInteger(x) ? String(x) : formatSignificant(x, 3);
}

function itemRows(rows: readonly ItemRow[]) {
  return rows.map((r) => ({
    item: r.item,
    a: score(r.a),
    b: score(r.b),
    diff: score(r.diff),
    seeds: r.n_a === r.n_b ? String(r.n_a) : `${r.n_a} / ${r.n_b}`,
  }));
}

/**
 * The page's view model of an item document: per task the posterior of A - B (mean, 90% interval,
 * ROPE probabilities, decision in words; the log odds ratio for a bernoulli fit), the item counts
 * and the top items each way.
 * @example itemsPageModel(doc).tasks[0].diff
 */
export function itemsPageModel(doc: ItemsDoc) {
  const { a, b } = doc;
  const bernoulli = doc.tasks.some((t) => t.log_odds !== null);
  return {
    a,
    b,
    k: doc.k,
    zeroOne: doc.zero_one,
    bernoulli,
    draws: doc.draws,
    rope: formatSignificant(doc.rope, 3),
    threshold: String(doc.threshold),
    higherIsBetter: doc.higher_is_better,
    itemColumn: doc.columns.item ?? 'item',
    plot: itemDiffPlot(
      doc.tasks.map((t) => ({
        task: t.task,
        mean: t.posterior.diff_mean ?? Number.NaN,
        q5: t.posterior.diff_q5 ?? Number.NaN,
        q95: t.posterior.diff_q95 ?? Number.NaN,
        observed: t.items.diff_mean,
      })),
      doc,
    ),
    tasks: doc.tasks.map((t) => {
      const p = t.posterior;
      const d = decimalsFor((p.diff_q95 ?? Number.NaN) - (p.diff_q5 ?? Number.NaN));
      const lo = t.log_odds;
      const n = t.items;
      return {
        task: t.task,
        category: t.category ?? '',
        diff: formatNumber(p.diff_mean ?? Number.NaN, d),
        interval: formatInterval(p.diff_q5 ?? Number.NaN, p.diff_q95 ?? Number.NaN, d),
        pA: formatProbAt(p.p_a_better, doc.threshold),
        pRope: formatProbAt(p.p_rope, doc.threshold),
        pB: formatProbAt(p.p_b_better, doc.threshold),
        decision: decisionWords(p.decision, a, b),
        logOdds: lo ? `${formatNumber(lo.mean, 2)} ${formatInterval(lo.q5, lo.q95, 2)}` : '',
        paired: n.paired,
        aBetter: n.a_better,
        bBetter: n.b_better,
        tied:
          n.both_right !== null && n.both_wrong !== null
            ? `${n.tied} (${n.both_right} both right, ${n.both_wrong} both wrong)`
            : String(n.tied),
        unpaired: n.only_a + n.only_b,
        observed: Number.isNaN(n.diff_mean) ? '' : score(n.diff_mean),
        topA: itemRows(t.top_a),
        topB: itemRows(t.top_b),
      };
    }),
  };
}
