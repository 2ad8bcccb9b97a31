/**
 * What a report page prints about a comparison, as plain data (strings already formatted, no
 * HTML): the recommendation per category, rankings, pairwise decisions grouped by scope, the
 * per-task table and the posterior predictive checks. EJS prints these fields with `<%= %>`.
 */

import { decide, decisionWords, isConfident } from '../analysis/decision.js';
import { tiedForFirst } from '../analysis/format.js';
import { overallCells } from '../analysis/overall-cells.js';
import { robustnessSentence } from '../analysis/robustness.js';
import type {
  Comparison,
  ComparisonCell,
  ComparisonPair,
  RobustnessTask,
} from '../analysis/types.js';
import { medianSorted, sortedCopy } from '../math/quantile.js';
import { normalCdf } from '../math/stdlib.js';
import {
  cellOrder,
  comparisonRope,
  comparisonThreshold,
  heuristicOrder,
  higherIsBetter,
  pairScopes,
  scopeLabel,
  unitsCaption,
} from './comparison-data.js';
import {
  decimalsFor,
  formatInterval,
  formatNumber,
  formatProb,
  formatProbAt,
  formatSignificant,
  MISSING,
} from './format.js';

/** Options of `comparisonViewModel`. */
export interface ComparisonViewOptions {
  /** ROPE half-width in score units (default: the one the comparison was computed with). */
  rope?: number;
  /** Decision threshold in (0.5, 1) (default: the comparison's, else 0.95). */
  threshold?: number;
}

/** One heuristic in a ranking (overall or within a category). */
export interface RankingRow {
  name: string;
  mean: string;
  interval: string;
  pBest: string;
  expectedRank: string;
  /** 90% credible interval of the rank, e.g. '[1, 3]' ('' when the document has none). */
  rankInterval: string;
  /** True for the first row (best by expected rank). */
  best: boolean;
}

/** The recommendation for one task category. */
export interface RecommendationRow {
  category: string;
  tasks: string;
  best: string;
  pBest: string;
  /** The runner-up the data cannot yet tell apart from the best, or '—'. */
  runnerUp: string;
  /** The "tied for first" group, e.g. 'performer, linformer', 'performer alone', or '—'. */
  tiedForFirst: string;
  /** One sentence for people, e.g. 'performer; P(best) 0.80; clearly ahead of the others'. */
  caption: string;
  /** 'clear' when there is no runner-up, else 'tied'. */
  badge: 'clear' | 'tied';
}

/**
 * Badge of a pairwise decision: which side wins, practically equal, a direction short of a
 * decision ('probable': P(A > B) >= 0.9 or <= 0.1), or undecided.
 */
export type DecisionBadge = 'a' | 'b' | 'equivalent' | 'probable' | 'inconclusive';

/** One pairwise comparison. */
export interface PairRow {
  a: string;
  b: string;
  pA: string;
  pRope: string;
  pB: string;
  /** P(A > B) without ROPE, or '—' for documents without it. */
  pGreater: string;
  /** Mean and 90% interval of a - b, e.g. '2.1 [0.4, 3.9]', or '—'. */
  difference: string;
  decision: string;
  /** e.g. 'performer better', 'probably performer', 'practically equal', 'inconclusive'. */
  decisionLabel: string;
  badge: DecisionBadge;
  /** True when the probabilities come from the normal approximation (see ropeApproximate). */
  approximate: boolean;
}

/** The pairs of one scope. */
export interface PairGroup {
  scope: string;
  label: string;
  kind: 'overall' | 'category' | 'task';
  rows: PairRow[];
  /** e.g. '2 of 3 pairs decided'. */
  caption: string;
}

/** One task of the per-task table (cells in `taskColumns` order). */
export interface TaskRow {
  name: string;
  category: string;
  best: string;
  cells: { heuristic: string; mean: string; interval: string; rank: number; best: boolean }[];
}

/** One posterior predictive check row. */
export interface PpcRow {
  task: string;
  observed: string;
  replicated: string;
  pValue: string;
  /** False when the observed sd lies outside the replicated 5-95% interval. */
  ok: boolean;
  badge: 'ok' | 'misfit';
}

/** Everything a report page prints about a Comparison. */
export interface ComparisonViewModel {
  units: string;
  higherIsBetter: boolean;
  rope: number;
  ropeText: string;
  threshold: number;
  thresholdText: string;
  /** True when `rope` differs from the comparison's and pair probabilities were approximated. */
  ropeApproximate: boolean;
  /** Sentence to show when ropeApproximate (else null). */
  ropeNote: string | null;
  counts: { heuristics: number; tasks: number; categories: number; pairs: number };
  recommendations: RecommendationRow[];
  /** The recommendation over all tasks ('(all tasks)'), or null for documents without one. */
  overallRecommendation: RecommendationRow | null;
  heuristics: RankingRow[];
  categoryRankings: { category: string; rows: RankingRow[] }[];
  pairGroups: PairGroup[];
  taskColumns: string[];
  tasks: TaskRow[];
  ppc: PpcRow[];
  /** Leave-one-task-out robustness (`robustness`), or null for documents without it. */
  robustness: RobustnessView | null;
  /** Group-level sds and sigma (`variance_components`), formatted; [] for documents without them. */
  varianceComponents: VarianceRow[];
  notes: string[];
}

/** One scope of the leave-one-task-out check: the sentence and its per-task rows. */
export interface RobustnessRow {
  /** '(all tasks)' or the category's name. */
  scope: string;
  best: string;
  sentence: string;
  /** 'ok' when no single task changes the best or a confident decision about it, else 'misfit'. */
  badge: 'ok' | 'misfit';
  tasks: {
    task: string;
    bestWithout: string;
    pBestWithout: string;
    changesBest: boolean;
    /** The confident decisions about the best that do not hold without the task, in words ('' when none). */
    flipped: string;
  }[];
}

/** The leave-one-task-out section. */
export interface RobustnessView {
  kind: 'same_draws' | 'refit';
  method: string;
  minTasks: number;
  rows: RobustnessRow[];
  /** Categories with fewer than minTasks tasks (not checked). */
  skipped: string[];
  /** Same-draws check while the overall best is tied for first: a refit can differ (say so). */
  refitHint: boolean;
}

/** One variance component, formatted. */
export interface VarianceRow {
  name: string;
  mean: string;
  interval: string;
}

/** z of the 95% quantile: a 90% central interval spans 2 * 1.6449 standard deviations. */
const Z95 = 1.6448536269514722;

/**
 * Build the report page's view model. Without options it prints the decisions stored in the
 * document. With another threshold, decisions are re-made from the stored probabilities (the
 * rule of src/analysis/decision.ts: one of P(A better), P(B better), P(ROPE) reaching the
 * threshold). With another ROPE, exact probabilities need the draws (the web app rebuilds the
 * comparison with compareFromFit); here each difference is approximated by a normal with the
 * pair's posterior mean and the sd implied by its 90% interval, and the rows say so.
 *
 * @example
 * const vm = comparisonViewModel(comparison, { threshold: 0.9 });
 * vm.recommendations[0].caption
 */
export function comparisonViewModel(
  c: Comparison,
  options: ComparisonViewOptions = {},
): ComparisonViewModel {
  const docRope = comparisonRope(c);
  const docThreshold = comparisonThreshold(c);
  const rope = options.rope ?? docRope;
  const threshold = options.threshold ?? docThreshold;
  const ropeChanged =
    options.rope !== undefined && !(Number.isFinite(docRope) && Math.abs(rope - docRope) < 1e-12);
  const thresholdChanged = Math.abs(threshold - docThreshold) > 1e-12;
  const order = heuristicOrder(c);
  const overallDecimals = decimalsFor(medianWidth(c.heuristics));

  const heuristics = cellOrder(overallCells(c)).map((h, i) =>
    rankingRow(h, i === 0, overallDecimals),
  );

  const categoryRankings = c.categories.map((k) => {
    const d = decimalsFor(medianWidth(k.heuristics));
    return {
      category: k.name,
      rows: cellOrder(k.heuristics).map((h, i) => rankingRow(h, i === 0, d)),
    };
  });

  const recommendations: RecommendationRow[] = c.categories.map((k) =>
    recommendationRow(k.name, k.tasks.join(', '), k),
  );
  const overallRecommendation = c.recommendation
    ? recommendationRow('(all tasks)', `all ${c.tasks.length}`, c.recommendation)
    : null;

  let approximatedAny = false;
  let keptAny = false;
  const byScope = new Map<string, ComparisonPair[]>();
  for (const p of c.pairs) {
    const list = byScope.get(p.scope);
    if (list) list.push(p);
    else byScope.set(p.scope, [p]);
  }
  const pairGroups: PairGroup[] = pairScopes(c).map((scope) => {
    const pairs = byScope.get(scope) ?? [];
    const d = decimalsFor(medianDiffWidth(pairs));
    const rows = pairs.map((p) => {
      const row = pairRow(p, { rope, threshold, ropeChanged, thresholdChanged, decimals: d });
      approximatedAny ||= row.approximate;
      keptAny ||= ropeChanged && !row.approximate;
      return row;
    });
    const decided = rows.filter((r) => isConfident(r.decision)).length;
    return {
      scope,
      label: scopeLabel(scope),
      kind: scope === 'overall' ? 'overall' : scope.startsWith('category:') ? 'category' : 'task',
      rows,
      caption: `${decided} of ${rows.length} pair${rows.length === 1 ? '' : 's'} decided at ${formatNumber(threshold, 2)}`,
    };
  });

  const tasks: TaskRow[] = c.tasks.map((t) => {
    const d = decimalsFor(medianWidth(t.heuristics));
    const ranked = cellOrder(t.heuristics);
    const rank = new Map(ranked.map((h, i) => [h.heuristic, i + 1]));
    const byName = new Map(t.heuristics.map((h) => [h.heuristic, h]));
    return {
      name: t.name,
      category: t.category ?? MISSING,
      best: ranked[0]?.heuristic ?? MISSING,
      cells: order.map((name) => {
        const h = byName.get(name);
        return h
          ? {
              heuristic: name,
              mean: formatNumber(h.mean, d),
              interval: formatInterval(h.q5, h.q95, d),
              rank: rank.get(name)!,
              best: rank.get(name) === 1,
            }
          : { heuristic: name, mean: MISSING, interval: MISSING, rank: 0, best: false };
      }),
    };
  });

  const ppc: PpcRow[] = c.tasks
    .filter((t) => t.ppc)
    .map((t) => {
      const p = t.ppc!;
      const ok = p.observed_sd >= p.replicated_sd_q5 && p.observed_sd <= p.replicated_sd_q95;
      const d = decimalsFor((p.replicated_sd_q95 - p.replicated_sd_q5) / 2);
      return {
        task: t.name,
        observed: formatNumber(p.observed_sd, d),
        replicated: formatInterval(p.replicated_sd_q5, p.replicated_sd_q95, d),
        pValue: formatProb(p.p_value),
        ok,
        badge: ok ? 'ok' : 'misfit',
      };
    });

  const robustness = robustnessView(c);
  const vc = c.variance_components ?? [];
  const vcDecimals = decimalsFor(
    vc.length > 0 ? Math.min(...vc.map((v) => Math.max(v.q95 - v.q5, 0) / 2)) : 1,
  );
  const varianceComponents: VarianceRow[] = vc.map((v) => ({
    name: v.name,
    mean: formatNumber(v.mean, vcDecimals),
    interval: formatInterval(v.q5, v.q95, vcDecimals),
  }));

  return {
    units: unitsCaption(c),
    higherIsBetter: higherIsBetter(c),
    rope,
    ropeText: Number.isFinite(rope) ? `± ${formatSignificant(rope, 3)}` : MISSING,
    threshold,
    thresholdText: formatNumber(threshold, 2),
    ropeApproximate: approximatedAny || keptAny,
    ropeNote: ropeNote(rope, docRope, approximatedAny, keptAny),
    counts: {
      heuristics: c.heuristics.length,
      tasks: c.tasks.length,
      categories: c.categories.length,
      pairs: c.pairs.length,
    },
    recommendations,
    overallRecommendation,
    heuristics,
    categoryRankings,
    pairGroups,
    taskColumns: order,
    tasks,
    ppc,
    robustness,
    varianceComponents,
    notes: [...(c.notes ?? [])],
  };
}

function ropeNote(
  rope: number,
  docRope: number,
  approximated: boolean,
  kept: boolean,
): string | null {
  if (!approximated && !kept) return null;
  const asked = `± ${formatSignificant(rope, 3)}`;
  const used = Number.isFinite(docRope) ? `± ${formatSignificant(docRope, 3)}` : 'another ROPE';
  const parts: string[] = [];
  if (approximated) {
    parts.push(
      `Pairwise probabilities for ROPE ${asked} are approximate (normal approximation of each difference from its mean and 90% interval); the comparison was computed with ${used}.`,
    );
  }
  if (kept) {
    parts.push(
      `Pairs without a stored difference interval still show the probabilities for ${used}, not ${asked}.`,
    );
  }
  return parts.join(' ');
}

function robustnessView(c: Comparison): RobustnessView | null {
  const r = c.robustness;
  if (!r) return null;
  const row = (scope: string, best: string, tasks: RobustnessTask[]): RobustnessRow => ({
    scope,
    best,
    sentence: robustnessSentence({ best, tasks }),
    badge: tasks.some((t) => t.changes_best || t.flipped_pairs.length > 0) ? 'misfit' : 'ok',
    tasks: tasks.map((t) => ({
      task: t.task,
      bestWithout: t.best_without,
      pBestWithout: formatProb(t.p_best_without),
      changesBest: t.changes_best,
      flipped: t.refit_error
        ? `refit failed: ${t.refit_error}`
        : t.flipped_pairs
            .map(
              (f) =>
                `${f.decision === 'equivalent' ? `${f.a} ≈ ${f.b}` : f.decision === 'a_better' ? `${f.a} > ${f.b}` : `${f.b} > ${f.a}`}: P ${formatProb(f.p)} → ${formatProb(f.p_without)}`,
            )
            .join('; '),
    })),
  });
  const rows: RobustnessRow[] = [];
  if (r.best !== undefined && r.tasks.length > 0) rows.push(row('(all tasks)', r.best, r.tasks));
  for (const k of r.categories) rows.push(row(k.name, k.best, k.tasks));
  return {
    kind: r.kind === 'refit' ? 'refit' : 'same_draws',
    method: r.method,
    minTasks: r.min_tasks,
    rows,
    skipped: c.categories
      .filter((k) => !r.categories.some((x) => x.name === k.name))
      .map((k) => k.name),
    refitHint:
      r.kind !== 'refit' &&
      r.tasks.length > 0 &&
      (c.recommendation?.tie_groups?.[0]?.length ?? 1) > 1,
  };
}

function recommendationRow(
  category: string,
  tasks: string,
  k: { best: string; p_best: number; runner_up: string | null; tie_groups?: string[][] },
): RecommendationRow {
  const lead = `${k.best} (P(best) ${formatProb(k.p_best)})`;
  const tied = k.tie_groups?.[0];
  let caption: string;
  if (tied && tied.length > 1) caption = `${lead}; tied for first: ${tiedForFirst(k.tie_groups)}`;
  else if (k.runner_up) caption = `${lead}, but it cannot yet be told apart from ${k.runner_up}`;
  else caption = `${lead}, ahead of the others at this threshold`;
  return {
    category,
    tasks,
    best: k.best,
    pBest: formatProb(k.p_best),
    runnerUp: k.runner_up ?? MISSING,
    tiedForFirst: tied ? tiedForFirst(k.tie_groups) : MISSING,
    caption,
    badge: k.runner_up ? 'tied' : 'clear',
  };
}

function rankingRow(h: ComparisonCell, best: boolean, decimals: number): RankingRow {
  return {
    name: h.heuristic,
    mean: formatNumber(h.mean, decimals),
    interval: formatInterval(h.q5, h.q95, decimals),
    pBest: formatProb(h.p_best),
    expectedRank: formatNumber(h.expected_rank, 1),
    rankInterval: h.rank_q5 === undefined ? '' : `[${h.rank_q5}, ${h.rank_q95}]`,
    best,
  };
}

function pairRow(
  p: ComparisonPair,
  o: {
    rope: number;
    threshold: number;
    ropeChanged: boolean;
    thresholdChanged: boolean;
    decimals: number;
  },
): PairRow {
  let probs = { a: p.p_a_better, rope: p.p_rope, b: p.p_b_better };
  let approximate = false;
  const haveDiff =
    Number.isFinite(p.diff_mean) && Number.isFinite(p.diff_q5) && Number.isFinite(p.diff_q95);
  if (o.ropeChanged && haveDiff && Number.isFinite(o.rope)) {
    probs = normalRopeProbabilities(p.diff_mean!, p.diff_q5!, p.diff_q95!, o.rope);
    approximate = true;
  }
  // P(A > B) does not depend on the ROPE: the stored value stays exact when the ROPE changes
  const decision =
    o.ropeChanged || o.thresholdChanged || !isDecision(p.decision)
      ? decide(
          {
            p_a_better: probs.a,
            p_rope: probs.rope,
            p_b_better: probs.b,
            p_a_greater: p.p_a_greater,
          },
          o.threshold,
        )
      : (p.decision as PairRow['decision']);
  const badge: DecisionBadge =
    decision === 'a_better'
      ? 'a'
      : decision === 'b_better'
        ? 'b'
        : decision === 'equivalent'
          ? 'equivalent'
          : decision === 'probably_a' || decision === 'probably_b'
            ? 'probable'
            : 'inconclusive';
  const decisionLabel = decisionWords(decision, p.a, p.b);
  return {
    a: p.a,
    b: p.b,
    pA: formatProbAt(probs.a, o.threshold),
    pRope: formatProbAt(probs.rope, o.threshold),
    pB: formatProbAt(probs.b, o.threshold),
    pGreater: p.p_a_greater === undefined ? MISSING : formatProb(p.p_a_greater),
    difference: haveDiff
      ? `${formatNumber(p.diff_mean!, o.decimals)} ${formatInterval(p.diff_q5!, p.diff_q95!, o.decimals)}`
      : MISSING,
    decision,
    decisionLabel: approximate ? `${decisionLabel} (approx.)` : decisionLabel,
    badge,
    approximate,
  };
}

const DECISIONS = new Set([
  'a_better',
  'b_better',
  'equivalent',
  'probably_a',
  'probably_b',
  'inconclusive',
]);

function isDecision(d: string): boolean {
  return DECISIONS.has(d);
}

/**
 * P(d > rope), P(|d| <= rope), P(d < -rope) for d ~ Normal(mean, sd) with sd = (q95 - q5) /
 * (2 z_0.95). Used only when the page asks for another ROPE than the document's.
 *
 * @example normalRopeProbabilities(0, -1.645, 1.645, 0) // { a: 0.5, rope: 0, b: 0.5 }
 */
export function normalRopeProbabilities(
  mean: number,
  q5: number,
  q95: number,
  rope: number,
): { a: number; rope: number; b: number } {
  const sd = (q95 - q5) / (2 * Z95);
  if (!(sd > 0)) {
    const a = mean > rope ? 1 : 0;
    const b = mean < -rope ? 1 : 0;
    return { a, rope: 1 - a - b, b };
  }
  const a = 1 - normalCdf(rope, mean, sd);
  const b = normalCdf(-rope, mean, sd);
  return { a, rope: Math.max(0, 1 - a - b), b };
}

function medianWidth(cells: readonly { q5: number; q95: number }[]): number {
  return median(cells.map((h) => h.q95 - h.q5));
}

function medianDiffWidth(pairs: readonly ComparisonPair[]): number {
  return median(
    pairs
      .filter((p) => Number.isFinite(p.diff_q5) && Number.isFinite(p.diff_q95))
      .map((p) => p.diff_q95! - p.diff_q5!),
  );
}

/** Median of the finite values (NaN when there are none). */
function median(xs: number[]): number {
  return medianSorted(sortedCopy(xs.filter((x) => Number.isFinite(x))));
}
