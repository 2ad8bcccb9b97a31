import type { ScaleMode } from '../analysis/from-fit.js';
import type { ComparisonPair } from '../analysis/types.js';
import type { FitRecord } from '../store/store.js';

/**
 * The item-level document of a fit of the paired item model for one pair of heuristics
 * (GET /api/fits/:id/items; computed by src/web/items.ts) and its parts.
 */

/** The comparison model name `compare` records for the paired item model (settings.model). */
export const ITEM_MODEL = 'heuristic-task-item';

/**
 * What an item view keeps of a finished fit: its record without the summary and comparison
 * documents (tens of MB on a big comparison, not parsed again per request), the comparison's
 * settings and its heuristics by expected rank (best first).
 */
export interface ItemFit {
  fit: FitRecord;
  settings: Record<string, unknown>;
  ranked: string[];
}

/** The query of an item view: the pair (default: the two best heuristics) and k. */
export interface ItemsQuery {
  a?: string;
  b?: string;
  k: number;
}

/** One item of a task with both heuristics' mean scores (score units, over their seeds). */
export interface ItemRow {
  item: string;
  a: number;
  b: number;
  /** a - b (score units). */
  diff: number;
  /** Rows (seeds) behind each mean. */
  n_a: number;
  n_b: number;
}

/** Counts of a task's items for the pair (from the data). */
export interface ItemCounts {
  /** Items both heuristics scored. */
  paired: number;
  /** Paired items on which A scored better (higher, or lower for lower-is-better scores), B better, equal. */
  a_better: number;
  b_better: number;
  tied: number;
  /** 0/1 scores: paired items both got right / both got wrong (null otherwise). */
  both_right: number | null;
  both_wrong: number | null;
  /** Items only one of the two scored. */
  only_a: number;
  only_b: number;
  /** Mean over the paired items of A's, B's score and of a - b (NaN without paired items). */
  a_mean: number;
  b_mean: number;
  diff_mean: number;
}

/** One task's results for the pair. */
export interface ItemsTask {
  task: string;
  category: string | null;
  /**
   * The posterior of a - b on the task from the fit's draws, with the fit's ROPE and threshold:
   * the comparison document's task pair (score units; for 0/1 scores the probability of a right
   * answer on an item of typical difficulty).
   */
  posterior: Omit<ComparisonPair, 'a' | 'b' | 'scope'>;
  /** Bernoulli fits: a - b on the logit scale (the log odds ratio, the same for every item). */
  log_odds: { mean: number; q5: number; q95: number; p_a_greater: number } | null;
  items: ItemCounts;
  /** Up to k paired items on which A did best against B, largest difference first; and the reverse. */
  top_a: ItemRow[];
  top_b: ItemRow[];
}

/** The item-level document of one fit and pair (GET /api/fits/:id/items). */
export interface ItemsDoc {
  fit: number;
  a: string;
  b: string;
  heuristics: string[];
  family: string;
  /** Every score is 0 or 1 (then a_better/b_better are the discordant items). */
  zero_one: boolean;
  higher_is_better: boolean;
  rope: number;
  threshold: number;
  k: number;
  /** Posterior draws behind each interval (all chains). */
  draws: number;
  /** The dataset's columns of the item and the score. */
  columns: { item: string | null; score: string | null };
  tasks: ItemsTask[];
}

/**
 * Per heuristic, the mean score of each (task, item) slot it scored over its rows (seeds), with
 * the number of rows: compressed rows by heuristic (`start[h]..start[h + 1]` index `slot`, `mean`,
 * `seeds`, slots ascending), so a pair reads two contiguous runs and memory is O(rows) however
 * sparse the items are.
 */
export interface ItemScores {
  /** The table's heuristic levels (entry runs follow this order). */
  levels: string[];
  /** The table's task levels and item levels. */
  tasks: string[];
  items: string[];
  /** Every score is 0 or 1 (in the original orientation). */
  zeroOne: boolean;
  /** Per slot (task, item pairs, numbered by first appearance in the rows): its task and item. */
  slotTask: Int32Array;
  slotItem: Int32Array;
  /** Offsets per heuristic into the entries (length levels + 1). */
  start: Int32Array;
  /** Per entry: its slot, the heuristic's mean score there (original orientation), its rows. */
  slot: Int32Array;
  mean: Float64Array;
  seeds: Int32Array;
}

/**
 * What the pair posteriors of a fit are read from: per task the cell means of every heuristic in
 * every draw (`cells[(t * H + h) * S + s]`, score units, as the comparison computes them), and for
 * 0/1 fits the same cells on the linear predictor (the logit scale).
 */
export interface CellDraws {
  /** Heuristics, tasks and categories of the design (the cells' order). */
  heuristics: string[];
  tasks: string[];
  taskCategory: (string | null)[];
  /** Draws per cell (all chains). */
  draws: number;
  cells: Float64Array;
  logits: Float64Array | null;
  /** Per task, the scale the fit standardized its scores by (null: scores as they are). */
  taskScale: Float64Array | null;
}

/** The fit's settings an item view reads. */
export interface ItemSettings {
  family: string;
  rope: number;
  threshold: number;
  scale: ScaleMode;
}

/** Everything a fit's item view needs for any pair: scores, cell draws, settings. */
export interface ItemMatrix {
  fit: number;
  scores: ItemScores;
  posterior: CellDraws;
  settings: ItemSettings;
  higherIsBetter: boolean;
  /** The dataset's columns of the item and the score. */
  columns: { item: string | null; score: string | null };
}
