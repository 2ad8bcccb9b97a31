import { budgetGrid } from './budgets.js';
import { decisionWords, PROBABLE, swapDecision } from './decision.js';
import { isStandardized } from './from-fit.js';
import { overallCells } from './overall-cells.js';
import { robustnessSentence } from './robustness.js';
import type {
  Comparison,
  ComparisonBackbones,
  ComparisonBudgets,
  ComparisonCell,
  ComparisonPair,
} from './types.js';

/**
 * Terminal tables of a Comparison (pure: document in, text out; the CLI prints it). Order follows
 * docs/UX.md §3: recommendation per category, P(best) and expected rank, rank probabilities,
 * pairwise decisions overall and per category, the per-task table (where rank flips show) and the
 * per-task posterior predictive check.
 */

/**
 * Format a number with a fixed number of decimals; '-' for NaN or null.
 * @example num(0.12345, 2) // '0.12'
 */
export function num(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/**
 * Lay out rows as a left/right-aligned text table (numbers right-aligned).
 * @example textTable(['a', 'b'], [['x', '1']]) // 'a  b\nx  1'
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)));
  const numeric = header.map((_, j) =>
    rows.every((r) => /^[-+]?[\d.]+%?$|^-$|^\[.*\]$|^[\d.]+ \(\d+\)$/.test(r[j] ?? '')),
  );
  const line = (r: readonly string[]) =>
    r
      .map((c, j) =>
        numeric[j] && j > 0 ? (c ?? '').padStart(widths[j]) : (c ?? '').padEnd(widths[j]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Digits for means: enough to see a ROPE-sized difference (at least 2, at most 4). */
function digitsFor(rope: number): number {
  if (!(rope > 0)) return 2;
  return Math.min(4, Math.max(2, Math.ceil(-Math.log10(rope)) + 1));
}

function pairTable(pairs: readonly ComparisonPair[], order: readonly string[], d: number): string {
  const pos = new Map(order.map((n, i) => [n, i]));
  const sorted = pairs.map((p) => {
    // show the better-ranked heuristic first
    if ((pos.get(p.a) ?? 0) <= (pos.get(p.b) ?? 0)) return p;
    return {
      ...p,
      a: p.b,
      b: p.a,
      p_a_better: p.p_b_better,
      p_b_better: p.p_a_better,
      p_a_greater: p.p_a_greater === undefined ? undefined : 1 - p.p_a_greater,
      decision: swapDecision(p.decision),
      diff_mean: p.diff_mean === undefined ? undefined : -p.diff_mean,
      diff_q5: p.diff_q95 === undefined ? undefined : -p.diff_q95,
      diff_q95: p.diff_q5 === undefined ? undefined : -p.diff_q5,
    };
  });
  sorted.sort(
    (x, y) =>
      (pos.get(x.a) ?? 0) - (pos.get(y.a) ?? 0) || (pos.get(x.b) ?? 0) - (pos.get(y.b) ?? 0),
  );
  return textTable(
    [
      'A',
      'B',
      'A-B',
      '90% interval',
      'P(A > B)',
      'P(A better)',
      'P(rope)',
      'P(B better)',
      'decision',
    ],
    sorted.map((p) => [
      p.a,
      p.b,
      num(p.diff_mean, d),
      `[${num(p.diff_q5, d)}, ${num(p.diff_q95, d)}]`,
      num(p.p_a_greater, 3),
      num(p.p_a_better, 3),
      num(p.p_rope, 3),
      num(p.p_b_better, 3),
      decisionWords(p.decision, p.a, p.b),
    ]),
  );
}

/**
 * The "tied for first" group as text: 'A, B, C' (at most 6 names, then '... (N in all)'), 'A alone', or
 * '-' for documents without tie_groups.
 * @example tiedForFirst([['a', 'b'], ['c']]) // 'a, b'
 */
export function tiedForFirst(groups: readonly (readonly string[])[] | undefined): string {
  const first = groups?.[0];
  if (!first || first.length === 0) return '-';
  if (first.length === 1) return `${first[0]} alone`;
  const shown = first.slice(0, 6).join(', ');
  return first.length > 6 ? `${shown}, ... (${first.length} in all)` : shown;
}

function cellTable(cells: readonly ComparisonCell[], d: number): string {
  const sorted = [...cells].sort((a, b) => a.expected_rank - b.expected_rank);
  return textTable(
    ['heuristic', 'mean', '90% interval', 'P(best)', 'E[rank]', 'rank 90%'],
    sorted.map((c) => [
      c.heuristic,
      num(c.mean, d),
      `[${num(c.q5, d)}, ${num(c.q95, d)}]`,
      num(c.p_best, 3),
      num(c.expected_rank, 2),
      c.rank_q5 === undefined ? '-' : `[${c.rank_q5}, ${c.rank_q95}]`,
    ]),
  );
}

/**
 * The leave-one-task-out lines (src/analysis/robustness.ts): one sentence for all tasks and one per
 * category checked; [] for documents without `robustness`.
 * @example robustnessLines(c) // ['Robustness ...', '(all tasks): No single task changes ...']
 */
export function robustnessLines(c: Comparison): string[] {
  const r = c.robustness;
  if (!r) return [];
  const how =
    r.kind === 'refit'
      ? 'the model refitted without each task'
      : 'each task left out of the average over tasks (same posterior draws; --robustness refit refits)';
  const out = [`Robustness: ${how}; scopes with >= ${r.min_tasks} tasks`];
  if (r.best !== undefined && r.tasks.length > 0) {
    out.push(`(all tasks): ${robustnessSentence({ best: r.best, tasks: r.tasks })}`);
  } else out.push(`(all tasks): not checked (fewer than ${r.min_tasks} tasks)`);
  for (const k of r.categories) out.push(`${k.name}: ${robustnessSentence(k)}`);
  if (r.backbones) {
    out.push(
      `(each ${r.backbones.column} left out of the average over ${r.backbones.column}s): ${robustnessSentence({ best: r.backbones.best, tasks: r.backbones.left_out }, r.backbones.column)}`,
    );
  }
  // measured (docs/UX.md "Does the recommendation rest on one task?"): where the best is not
  // confidently ahead, refits without a task changed the best where this check did not
  const tied = (c.recommendation?.tie_groups?.[0]?.length ?? 1) > 1;
  if (r.kind !== 'refit' && tied && r.tasks.length > 0) {
    out.push(
      'note: the best is tied for first with others; a refit without each task (--robustness refit) can change the best where this check does not',
    );
  }
  const skipped = c.categories.filter((k) => !r.categories.some((x) => x.name === k.name));
  if (skipped.length > 0) {
    out.push(
      `not checked (fewer than ${r.min_tasks} tasks): ${skipped.map((k) => k.name).join(', ')}`,
    );
  }
  return out;
}

/** Options of `formatComparison`. */
export interface FormatOptions {
  /** Print pairwise tables per category too (default true). */
  categoryPairs?: boolean;
  /** Above this many heuristics, category pair tables keep only pairs with the 3 best (default 8). */
  maxFullPairs?: number;
  /** Task columns per block of the per-task table (default 6). */
  tasksPerBlock?: number;
  /** Most heuristics whose H x H rank-probability table is printed (default 20; wider: --json). */
  maxRankTable?: number;
  /** Rows of each category's ranking; the rest are counted and left to --json (default 12). */
  maxCategoryRows?: number;
}

/**
 * The budgets block: each method's score at each budget over all tasks with its loss against the
 * full cache and P(loss < ROPE), then where one method starts to beat another for good.
 * @example budgetLines(c.budgets, 'score units', 2, 0.95).join('\n')
 */
export function budgetLines(
  b: ComparisonBudgets,
  units: string,
  d: number,
  threshold: number,
): string[] {
  const { budgets, methods, at } = budgetGrid(b);
  const ref = b.reference;
  const out = [
    ref
      ? `Score by ${b.column} over all tasks (${units}): mean, and in brackets the loss against ${ref} (full cache) with P(loss < ROPE)`
      : `Score by ${b.column} over all tasks (${units}; no full-cache reference found)`,
  ];
  const rows = methods.map((m) => [
    m,
    ...budgets.map((bud) => {
      const p = at(m, bud);
      if (!p) return '';
      const l = p.loss_vs_full;
      return l
        ? `${num(p.mean, d)} (${num(l.mean, d)}, ${num(l.p_within_rope, 2)})`
        : num(p.mean, d);
    }),
  ]);
  out.push(textTable(['heuristic', ...budgets], rows));
  const cross = b.crossings.filter((x) => x.scope === 'overall');
  for (const x of cross) {
    out.push(
      `${x.a} beats ${x.b} with P >= ${threshold} from ${b.column} ${x.budget} on (every larger common budget too)`,
    );
  }
  out.push(...budgetDecisionLines(b, d));
  return out;
}

/**
 * With the budget-curve model, the decisions at each observed budget over all tasks: the best
 * method there with P(best) among the methods, and the pairs decided at the threshold
 * ("a > b" better, "a = b" equivalent within the ROPE).
 */
function budgetDecisionLines(b: ComparisonBudgets, d: number): string[] {
  const at = (b.decisions ?? []).filter((x) => x.scope === 'overall');
  if (at.length === 0) return [];
  const rows = at.map((x) => {
    const decided = x.pairs.flatMap((p) =>
      p.decision === 'a_better'
        ? [`${p.a} > ${p.b}`]
        : p.decision === 'b_better'
          ? [`${p.b} > ${p.a}`]
          : p.decision === 'equivalent'
            ? [`${p.a} = ${p.b}`]
            : [],
    );
    const best = x.heuristics.find((h) => h.heuristic === x.best);
    return [
      x.budget,
      x.best,
      num(best?.mean, d),
      num(x.p_best, 3),
      `${decided.length} of ${x.pairs.length}${decided.length > 0 ? `: ${decided.join(', ')}` : ''}`,
    ];
  });
  return [
    `Decisions at each ${b.column} from the budget-curve model (all tasks; P(best) among the methods at that ${b.column}; pairs decided at the threshold, "=" within the ROPE)`,
    textTable([b.column, 'best', 'mean', 'P(best)', 'pairs decided'], rows),
  ];
}

/**
 * The per-backbone block: each heuristic's expected score over all tasks on each backbone (the
 * overall table averages these), with its rank on that backbone.
 * @example backboneLines(c.backbones, ['a', 'b'], 'score units', 2).join('\n')
 */
export function backboneLines(
  b: ComparisonBackbones,
  order: readonly string[],
  units: string,
  d: number,
): string[] {
  const rows = order.map((h) => [
    h,
    ...b.levels.map((l) => {
      const cell = l.heuristics.find((x) => x.heuristic === h);
      return cell ? `${num(cell.mean, d)} (#${num(cell.expected_rank, 1)})` : '';
    }),
  ]);
  return [
    `Expected score over all tasks on each ${b.column} (${units}; expected rank on that ${b.column} in brackets)`,
    textTable(['heuristic', ...b.levels.map((l) => l.name)], rows),
  ];
}

/**
 * With budgets, the pairs a reader asks about: two methods at the same budget, or a setting against
 * the full-cache reference (a method at 128 against another at 2048 answers no question).
 * @example c.pairs.filter(budgetPairFilter(c.budgets))
 */
export function budgetPairFilter(b: ComparisonBudgets): (p: ComparisonPair) => boolean {
  const budgetOf = new Map<string, string>();
  for (const q of b.curves) budgetOf.set(`${q.heuristic}@${q.budget}`, q.budget);
  // with the budget-curve model the pairs at the same budget are its decisions (budgetLines)
  const sameBudget = b.model !== 'curve';
  return (p) =>
    p.a === b.reference ||
    p.b === b.reference ||
    (sameBudget && budgetOf.has(p.a) && budgetOf.get(p.a) === budgetOf.get(p.b)) ||
    (!budgetOf.has(p.a) && !budgetOf.has(p.b));
}

/**
 * The terminal report of a comparison (everything after the diagnostics banner).
 * @example process.stdout.write(formatComparison(comparison));
 */
export function formatComparison(c: Comparison, options: FormatOptions = {}): string {
  const s = c.settings ?? {};
  const rope = typeof s.rope === 'number' ? s.rope : Number.NaN;
  const d = digitsFor(rope);
  const units = isStandardized(s.scale) ? 'sd units' : 'score units';
  const out: string[] = [];
  const threshold = typeof s.threshold === 'number' ? s.threshold : 0.95;
  out.push(
    `ROPE +-${num(rope, d + 1)} ${units} (${String(s.rope_source ?? '')}); decisions at probability >= ${threshold}; ` +
      `${s.higher_is_better === false ? 'lower' : 'higher'} scores are better.`,
  );
  for (const n of c.notes ?? []) if (!n.startsWith('ROPE =')) out.push(`note: ${n}`);
  const order = [...c.heuristics]
    .sort((a, b) => a.expected_rank - b.expected_rank)
    .map((h) => h.name);

  out.push(
    '',
    'Recommendation (best heuristic; runner-up = best other one it cannot yet be told apart from;',
    'tied for first = the best and every other whose decision against it is not a confident "best is better")',
  );
  const recRows: string[][] = [];
  const recRow = (
    label: string,
    r: { best: string; p_best: number; runner_up: string | null; tie_groups?: string[][] },
  ) => [
    label,
    r.best,
    num(r.p_best, 3),
    r.runner_up ?? '(none: best is confidently better)',
    tiedForFirst(r.tie_groups),
  ];
  if (c.recommendation) recRows.push(recRow('(all tasks)', c.recommendation));
  for (const cat of c.categories) recRows.push(recRow(cat.name, cat));
  out.push(textTable(['category', 'best', 'P(best)', 'runner-up', 'tied for first'], recRows));
  const robust = robustnessLines(c);
  if (robust.length > 0) out.push('', ...robust);

  out.push('', `Expected score over all tasks (${units}), P(best), expected rank (1 = best)`);
  out.push(cellTable(overallCells(c), d));
  if (c.budgets) out.push('', ...budgetLines(c.budgets, units, d, threshold));
  if (c.backbones) out.push('', ...backboneLines(c.backbones, order, units, d));
  const maxRanks = options.maxRankTable ?? 20;
  if (c.rank_probabilities && c.rank_probabilities.length > maxRanks) {
    out.push(
      '',
      `Rank probabilities: ${c.rank_probabilities.length} x ${c.rank_probabilities.length} table in --json (rank_probabilities)`,
    );
  } else if (c.rank_probabilities && c.rank_probabilities.length > 0) {
    const H = c.rank_probabilities.length;
    const byName = new Map(c.rank_probabilities.map((r) => [r.heuristic, r.p]));
    out.push('', 'Rank probabilities, all tasks (P(rank = r))');
    out.push(
      textTable(
        ['heuristic', ...Array.from({ length: H }, (_, r) => `${r + 1}`)],
        order.map((h) => [h, ...(byName.get(h) ?? []).map((p) => num(p, 2))]),
      ),
    );
  }
  const maxRows = options.maxCategoryRows ?? 12;
  for (const cat of c.categories) {
    out.push('', `Category ${cat.name} (tasks: ${cat.tasks.join(', ')}), ${units}`);
    // with many heuristics (26 method x budget settings on a KV-cache table) the category's
    // leaders are what is read; the full ranking stays in --json and the HTML report
    const top = [...cat.heuristics].sort((a, b) => a.expected_rank - b.expected_rank);
    out.push(cellTable(top.slice(0, maxRows), d));
    if (top.length > maxRows) {
      out.push(`... ${top.length - maxRows} more (all ${top.length} in --json and --html)`);
    }
  }

  out.push(
    '',
    `Pairwise decisions, all tasks (P(A > B) without ROPE; undecided pairs read "probably A" when it is >= ${PROBABLE})${c.budgets ? (c.budgets.model === 'curve' ? `; with budgets: each method@${c.budgets.column} arm against the full cache (the pairs at the same ${c.budgets.column} from the budget-curve model above; all pairs of arms in --json)` : `; with budgets: pairs at the same ${c.budgets.column} and against the full cache (all pairs in --json)`) : ''}`,
  );
  const sameSetting = c.budgets ? budgetPairFilter(c.budgets) : () => true;
  out.push(
    pairTable(
      c.pairs.filter((p) => p.scope === 'overall' && sameSetting(p)),
      order,
      d,
    ),
  );
  if (options.categoryPairs !== false) {
    const many = c.heuristics.length > (options.maxFullPairs ?? 8);
    for (const cat of c.categories) {
      let pairs = c.pairs.filter((p) => p.scope === `category:${cat.name}` && sameSetting(p));
      let title = `Pairwise decisions, category ${cat.name}`;
      if (many) {
        // long lists help nobody: the pairs that involve the category's three best heuristics
        const top = new Set(
          [...cat.heuristics]
            .sort((a, b) => a.expected_rank - b.expected_rank)
            .slice(0, 3)
            .map((h) => h.heuristic),
        );
        pairs = pairs.filter((p) => top.has(p.a) || top.has(p.b));
        title += ' (pairs with its 3 best heuristics; all pairs in --json)';
      }
      out.push('', title);
      out.push(pairTable(pairs, order, d));
    }
  }

  const vc = c.variance_components ?? [];
  if (vc.length > 0) {
    out.push(
      '',
      `Variance components (posterior mean and 90% interval, ${units}): where the scores' spread sits`,
    );
    out.push(
      textTable(
        ['component', 'mean', '90% interval'],
        vc.map((v) => [v.name, num(v.mean, d), `[${num(v.q5, d)}, ${num(v.q95, d)}]`]),
      ),
    );
  }

  out.push('', "Per task: posterior mean (rank by posterior mean) in each task's own units");
  const per = options.tasksPerBlock ?? 6;
  for (let start = 0; start < c.tasks.length; start += per) {
    const block = c.tasks.slice(start, start + per);
    const ranked = block.map((t) => {
      const sorted = [...t.heuristics].sort((a, b) =>
        s.higher_is_better === false ? a.mean - b.mean : b.mean - a.mean,
      );
      return new Map(sorted.map((h, i) => [h.heuristic, { mean: h.mean, rank: i + 1 }]));
    });
    out.push(
      textTable(
        ['heuristic', ...block.map((t) => (t.category ? `${t.name} [${t.category}]` : t.name))],
        order.map((h) => [
          h,
          ...ranked.map((m) => {
            const v = m.get(h);
            return v ? `${num(v.mean, 2)} (${v.rank})` : '-';
          }),
        ]),
      ),
    );
    out.push('');
  }
  out.push('Per-task pairwise decisions are in --json (scope "task:NAME").');

  const ppcRows = c.tasks
    .filter((t) => t.ppc)
    .map((t) => [
      t.name,
      num(t.ppc?.observed_sd, 3),
      `[${num(t.ppc?.replicated_sd_q5, 3)}, ${num(t.ppc?.replicated_sd_q95, 3)}]`,
      num(t.ppc?.p_value, 3),
    ]);
  if (ppcRows.length > 0) {
    out.push(
      '',
      "Posterior predictive check: spread (sd) of each task's scores, observed vs replicated",
    );
    out.push(textTable(['task', 'observed sd', 'replicated 90%', 'p'], ppcRows));
    const off = c.tasks.filter((t) => t.ppc && (t.ppc.p_value < 0.05 || t.ppc.p_value > 0.95));
    if (off.length > 0) {
      out.push(
        `note: the model reproduces the spread poorly on ${off.map((t) => t.name).join(', ')} (p < 0.05 or > 0.95).`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
