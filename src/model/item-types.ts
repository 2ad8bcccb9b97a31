import type { GroupInfo, ModelSpec, PriorRow } from './spec.js';

/**
 * The data of the paired item model (item-model.ts) in compact, structured-cloneable form: per
 * heuristic x task cell the sufficient statistics of its rows, and per task the items grouped by
 * their pattern (how many rows each cell of the task holds for the item; every heuristic once in a
 * balanced design, so one pattern per task), so a gradient costs O(tasks x heuristics x patterns)
 * after this one pass over the rows.
 *
 * Gaussian: per pattern the number of items, the mean and the sum of squares of the item totals
 * (sum of an item's rows). Bernoulli (0/1 scores, logit link): per pattern the number of items with
 * each sum score s (rows correct): for a random intercept u on the logit scale the item's
 * likelihood is exp(sum_r y_r eta_r) times an integral that depends on the item only through its
 * pattern and s (the sum score is sufficient for u: Rasch 1960; Andersen 1970), so items that share
 * a pattern and a sum score share one integral. This collapses more than "the same response
 * pattern": 2^H response vectors of H heuristics become H + 1 sum scores.
 */
export interface ItemData {
  spec: ModelSpec;
  family: 'gaussian' | 'bernoulli';
  /** Group terms of the model above the items (brms order; task:item is not among them). */
  groups: GroupInfo[];
  priors: PriorRow[];
  variableNames: string[];
  /** Index in `groups` of the heuristic:task term, whose levels are the cells. */
  cellGroup: number;
  /**
   * The other terms: group index, each cell's level, and whether the term is sampled centred
   * (single-factor terms whose levels the cell estimates pin down, nested-data.ts levelsPinned).
   */
  terms: { group: number; level: Int32Array; centred: boolean }[];
  /**
   * Whether the cells' predictors are sampled as they are (centred) or as mu + sd z: centred when
   * the spread of the cells' empirical predictors about the additive heuristic + task fit is more
   * than twice their standard error (the data pin the cells down, Betancourt & Girolami 2015).
   */
  cellCentred: boolean;
  nRows: number;
  nItems: number;
  /** Per cell: rows, mean score, sum of squares about the mean (gaussian), rows correct (bernoulli). */
  cells: { n: Float64Array; mean: Float64Array; ss: Float64Array; successes: Float64Array };
  /** Patterns, CSR: pattern p holds cells patCell[patStart[p]..patStart[p+1]) with multiplicities patK. */
  patStart: Int32Array;
  patCell: Int32Array;
  patK: Float64Array;
  /** Per pattern: items, rows per item, mean and sum of squares of the item totals (gaussian). */
  patItems: Float64Array;
  patRows: Float64Array;
  patMean: Float64Array;
  patSs: Float64Array;
  /** Bernoulli, CSR per pattern: sum scores sVal[sStart[p]..sStart[p+1]) with sCount items each. */
  sStart: Int32Array;
  sVal: Float64Array;
  sCount: Float64Array;
  /**
   * Each item (in order of first appearance): its pattern, the total and the sum of squares about
   * its own mean of its scores, and its task and item labels (codes into taskLevels / itemLevels).
   * Only for drawing item effects back (item-effects.ts): not sent to sampler workers.
   */
  items?: ItemRecords;
  /** Mean and sd of the scores (inits). */
  yMean: number;
  ySd: number;
}

/** The item term's group name (brms: items nested in tasks). */
export const ITEM_GROUP = 'task:item';

/** The items of an ItemData one by one (see ItemData.items). */
export interface ItemRecords {
  pattern: Int32Array;
  total: Float64Array;
  ss: Float64Array;
  task: Int32Array;
  label: Int32Array;
  taskLevels: readonly string[];
  itemLevels: readonly string[];
}
