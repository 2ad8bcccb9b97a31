import { ITEM_EFFECT_DRAWS, type ItemEffect, itemEffects } from '../model/item-effects.js';
import { isItemModel } from '../model/item-model.js';
import type { ComparisonRun } from './compare.js';

/**
 * The item effects of a paired item-model run for the Comparison document (`compare
 * --item-effects`; src/model/item-effects.ts draws them). Every item is listed when the file has
 * at most ITEM_EFFECTS_ALL_MAX items; above that (a 1M-row file has 50,000: a 10 MB JSON section
 * nobody reads item by item) each task lists its ITEM_EFFECTS_K lowest and highest effects (the
 * hardest and easiest items) and the ITEM_EFFECTS_K items whose scores differ most between the
 * heuristics (largest sd of the item's scores; for 0/1 scores the items split closest to half),
 * the items that separate heuristics. Each listed item says why it is listed. With 0/1 scores the
 * items of one task with the same pattern and number correct share one posterior (they are
 * exchangeable), so the ten lowest are often ten of the hundreds every heuristic got wrong:
 * `same_posterior` says how many.
 */

/** Every item is listed up to this many items in the file. */
export const ITEM_EFFECTS_ALL_MAX = 5000;
/** Above it, per task: this many lowest, highest and most-disagreed-on items. */
export const ITEM_EFFECTS_K = 10;

export type ListedItem = Omit<ItemEffect, 'task'> & {
  /** Why the item is listed (absent when every item is). */
  listed_as?: ('lowest' | 'highest' | 'disagreement')[];
};

/** The `item_effects` section of the Comparison document. */
export interface ItemEffectsSection {
  /** The scale of the effects: logit (0/1 scores) or the scores' own units. */
  scale: 'logit' | 'score';
  method: string;
  draws_used: number;
  seed: number;
  items: number;
  listed: 'all' | 'extremes';
  tasks: { task: string; items: number; listed: ListedItem[] }[];
}

function listedOf(all: ItemEffect[], k: number): ListedItem[] {
  const byMean = all.map((_, i) => i).sort((a, b) => all[a].mean - all[b].mean || a - b);
  const bySpread = all.map((_, i) => i).sort((a, b) => all[b].score_sd - all[a].score_sd || a - b);
  const why = new Map<number, ('lowest' | 'highest' | 'disagreement')[]>();
  const add = (i: number, w: 'lowest' | 'highest' | 'disagreement') =>
    why.set(i, [...(why.get(i) ?? []), w]);
  for (const i of byMean.slice(0, k)) add(i, 'lowest');
  for (const i of byMean.slice(Math.max(k, byMean.length - k))) add(i, 'highest');
  for (const i of bySpread.slice(0, k)) add(i, 'disagreement');
  return byMean
    .filter((i) => why.has(i))
    .map((i) => {
      const { task: _t, ...rest } = all[i];
      return { ...rest, listed_as: why.get(i) };
    });
}

/**
 * The item effects of a run of the paired item model; null for any other model.
 * @example const section = itemEffectsSection(run); // run = await runComparison(itemTable)
 */
export function itemEffectsSection(
  run: ComparisonRun,
  opts: { allMax?: number; k?: number; maxDraws?: number } = {},
): ItemEffectsSection | null {
  const model = run.model;
  if (!isItemModel(model) || !model.data.items) return null;
  const data = model.data;
  const seed = run.fit.config.seed;
  const rs = run.comparison.settings?.response_scale as
    | { center: number; scale: number }
    | undefined;
  const response = rs ?? null;
  const effects = itemEffects(data, run.fit.draws, {
    seed,
    response,
    ...(opts.maxDraws ? { maxDraws: opts.maxDraws } : {}),
  });
  const all = effects.length <= (opts.allMax ?? ITEM_EFFECTS_ALL_MAX);
  const byTask = new Map<string, ItemEffect[]>();
  for (const e of effects) byTask.set(e.task, [...(byTask.get(e.task) ?? []), e]);
  const S = run.fit.draws.nDraws * run.fit.draws.nChains;
  return {
    scale: data.family === 'bernoulli' ? 'logit' : 'score',
    method:
      data.family === 'bernoulli'
        ? 'per posterior draw, the conditional posterior of each (pattern, sum score) class on the quadrature grid, one inverse-CDF draw; mean Rao-Blackwellized'
        : 'per posterior draw, the exact conditional normal of each item, one draw; mean Rao-Blackwellized',
    draws_used: Math.min(S, opts.maxDraws ?? ITEM_EFFECT_DRAWS),
    seed,
    items: effects.length,
    listed: all ? 'all' : 'extremes',
    tasks: [...byTask].map(([task, list]) => ({
      task,
      items: list.length,
      listed: all
        ? [...list].sort((a, b) => a.mean - b.mean).map(({ task: _t, ...rest }) => rest)
        : listedOf(list, opts.k ?? ITEM_EFFECTS_K),
    })),
  };
}

/**
 * A few text lines per task: the lowest and highest item effects.
 * @example process.stdout.write(formatItemEffects(section));
 */
export function formatItemEffects(s: ItemEffectsSection, n = 3): string {
  const f = (e: ListedItem) =>
    `${e.item} ${e.mean.toFixed(2)} [${e.q5.toFixed(2)}, ${e.q95.toFixed(2)}]`;
  const lines = [
    `Item effects (${s.scale} scale; posterior mean [90% interval]; ${s.items} items, --json lists ${s.listed === 'all' ? 'all' : 'the extremes'}):`,
  ];
  for (const t of s.tasks) {
    const lo = t.listed.slice(0, n).map(f).join('; ');
    const hi = t.listed.slice(-n).reverse().map(f).join('; ');
    lines.push(`  ${t.task} (${t.items} items): lowest ${lo}; highest ${hi}`);
  }
  return `${lines.join('\n')}\n`;
}
