/**
 * The static HTML report (`bayesbench compare --html`, the web app's download): one
 * self-contained file, inline CSS and inline SVG, no scripts and no external requests. Order as
 * docs/UX.md §0 item 1 and §3 ask: diagnostics banner first, then decisions, then plots, then the mixing checks.
 */
import { budgetGrid } from '../analysis/budgets.js';
import { PROBABLE } from '../analysis/decision.js';
import type { Comparison } from '../analysis/types.js';
import type { Summary } from '../diagnostics/types.js';
import type { Draws } from '../draws/draws.js';
import type { Fit } from '../draws/fit.js';
import { backboneCurvesPlot, backboneForestPlot } from './backbone-panels.js';
import { type BannerOptions, type DiagnosticsBanner, diagnosticsBanner } from './banner.js';
import { budgetCurvePlot } from './budget-plot.js';
import { categoryForestPlot } from './category-forest-plot.js';
import { squarePlots } from './comparison-plots.js';
import {
  type ComparisonViewModel,
  comparisonViewModel,
  type PairGroup,
  type RankingRow,
} from './comparison-view-model.js';
import { forestPlot } from './forest-plot.js';
import { html, type SafeHtml, trusted } from './html.js';
import { lossHeatmap } from './loss-heatmap.js';
import { pairwiseHeatmap } from './pairwise-heatmap.js';
import { pBestBars } from './pbest-bars.js';
import { ppcPlot } from './ppc-plot.js';
import { rankProbabilityHeatmap } from './rank-heatmap.js';
import { summaryViewModel } from './summary-view-model.js';
import { taskEffectsPlot } from './task-effects-plot.js';
import { taskMeansHeatmap } from './task-heatmap.js';
import { topLevelRankPlots, topLevelVariables } from './variable-explorer.js';

/** Input of `renderStaticReport`. */
export interface StaticReportInput {
  comparison: Comparison;
  /** The fit's full summary: a fuller banner (tree depth, E-BFMI) and the top-level parameters table. */
  summary?: Summary;
  /** The fit's draws: rank plots of the top-level parameters. */
  draws?: Draws;
  /** A Fit instead of draws (its `draws` are used when `draws` is not given). */
  fit?: Pick<Fit, 'draws'>;
  title: string;
  /** Banner thresholds / chains. */
  banner?: BannerOptions;
  /** Most per-task pairwise tables shown (default 200 tasks; the rest are counted). */
  maxTasks?: number;
  /** Most top-level rank plots (default 12). */
  maxRankPlots?: number;
  /** Timestamp printed in the footer (default none, so the output is reproducible). */
  generatedAt?: string;
  /** Sections printed after the recommendation ones (`plan --html`: "What to run next"). */
  extraSections?: { id: string; title: string; body: SafeHtml }[];
}

/**
 * The report's CSS (also usable by the web app for the same look).
 * @example `<style>${reportCss}</style>`
 */
export const reportCss = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--ok:#166534;--okbg:#dcfce7;--bad:#991b1b;--badbg:#fee2e2;--warnbg:#fef9c3;--accent:#1d4ed8}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
p.meta,.caption{color:var(--muted);margin:4px 0 10px}
nav ol{columns:2;margin:8px 0;padding-left:20px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{font-weight:600;background:#f9fafb}td.num{text-align:right}
tr.best td{font-weight:600}
.badge{display:inline-block;border-radius:9px;padding:0 8px;font-size:12px;line-height:18px;white-space:nowrap}
.badge.a,.badge.b,.badge.clear,.badge.pass,.badge.ok{background:var(--okbg);color:var(--ok)}
.badge.equivalent{background:#e0e7ff;color:#3730a3}
.badge.probable{background:#fef3c7;color:#92400e}
.badge.inconclusive,.badge.tied,.badge.unknown{background:#f3f4f6;color:#374151}
.badge.fail,.badge.misfit{background:#fecaca;color:var(--bad);font-weight:600}
.banner{border-radius:8px;padding:10px 14px;margin:12px 0}
.banner.ok{background:var(--okbg);border:1px solid #86efac}.banner.fail{background:var(--badbg);border:1px solid #fca5a5}
.banner ul{margin:6px 0 0;padding-left:0;list-style:none}.banner li{margin:4px 0}
.banner .remedy{display:block;color:var(--fg);margin-left:64px}
.note{background:var(--warnbg);border-radius:6px;padding:6px 10px}
figure{margin:8px 0 16px}figure svg{max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:13px}
details{margin:6px 0}summary{cursor:pointer}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:8px 16px}
td.best-cell{font-weight:600;background:#eff6ff}
footer{margin-top:32px;color:var(--muted);font-size:12px}
`;

/**
 * Render the whole report as one HTML document string. Pure (no I/O, no clock unless
 * `generatedAt` is given); every user string (heuristic, task, category, variable names, notes,
 * formula, title) is HTML-escaped.
 *
 * @example
 * writeFileSync('report.html', renderStaticReport({ comparison, summary, draws, title: 'LRA' }));
 */
export function renderStaticReport(input: StaticReportInput): string {
  const c = input.comparison;
  const vm = comparisonViewModel(c);
  const banner = diagnosticsBanner(
    input.summary ?? { diagnostics: c.diagnostics, warnings: c.warnings, settings: c.settings },
    { chains: input.summary?.sampler?.chains, ...input.banner },
  );
  const sections: { id: string; title: string; body: SafeHtml }[] = [];
  const add = (id: string, title: string, body: SafeHtml | null) => {
    if (body) sections.push({ id, title, body });
  };
  add('recommendations', 'Recommendation per task category', recommendationSection(vm));
  add('robustness', 'Does the recommendation rest on one task?', robustnessSection(vm));
  for (const x of input.extraSections ?? []) add(x.id, x.title, x.body);
  add('p-best', 'P(best) and expected rank', pBestSection(vm));
  add('pairs', 'Pairwise decisions', pairsSection(vm, input.maxTasks ?? 200));
  add('forest', 'Heuristic effects (forest plot)', forestSection(c, vm));
  add('budgets', 'Score by cache budget', budgetsSection(c));
  add('backbones', `Per ${c.backbones?.column ?? 'backbone'}`, backboneTable(c));
  add(
    'pairwise-heatmap',
    'Pairwise probability heatmap',
    figure(
      squarePlots(c) ? pairwiseHeatmap(c) : '',
      'Cell (row, column) = P(row better than column by more than the ROPE), overall. Rows and columns ordered best first.',
    ),
  );
  add(
    'p-best-bars',
    'P(best) bars',
    figure(
      pBestBars(c),
      'Posterior probability that each heuristic has the best expected score overall.',
    ),
  );
  add(
    'rank-probabilities',
    'Rank probabilities',
    figure(
      squarePlots(c) ? rankProbabilityHeatmap(c) : '',
      'P(heuristic has rank r), 1 = best. A sharp diagonal means the ranking is settled.',
    ),
  );
  add('variance-components', 'Variance components', varianceSection(vm));
  add('tasks', 'Per task', tasksSection(c, vm));
  add('parameters', 'Top-level parameters', parametersSection(input.summary));
  add(
    'mixing',
    'Rank plots of the top-level parameters',
    mixingSection(input.draws ?? input.fit?.draws, input.maxRankPlots ?? 12),
  );
  add('notes', 'Notes and settings', notesSection(c, vm));

  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bayesbench">
<title>${input.title}</title>
<style>${trusted(reportCss)}</style>
</head>
<body>
<header>
<h1>${input.title}</h1>
<p class="meta">${vm.counts.heuristics} heuristics · ${vm.counts.tasks} tasks · ${vm.counts.categories} categories · results in ${vm.units}${vm.higherIsBetter ? '' : ' (lower scores are better; differences are oriented so that positive = better)'} · ROPE ${vm.ropeText} · decision threshold ${vm.thresholdText}</p>
</header>
${bannerSection(banner)}
<nav aria-label="Contents"><ol>${sections.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}</ol></nav>
${sections.map(
  (s) => html`<section id="${s.id}">
<h2>${s.title}</h2>
${s.body}
</section>
`,
)}<footer>Generated by bayesbench${input.generatedAt ? html` on ${input.generatedAt}` : ''}. Self-contained file: no scripts, no external resources.</footer>
</body>
</html>
`;
  return doc.__html;
}

function bannerSection(b: DiagnosticsBanner): SafeHtml {
  return html`<section id="diagnostics" class="banner ${b.ok ? 'ok' : 'fail'}" aria-label="Diagnostics">
<strong>${b.headline}</strong>
<ul>${b.items.map(
    (i) =>
      html`<li><span class="badge ${i.status}">${i.status}</span> <strong>${i.label}</strong>: ${i.value} (rule ${i.threshold}). ${i.message}${i.remedy ? html`<span class="remedy">${i.remedy}</span>` : ''}</li>`,
  )}</ul>
</section>`;
}

function recommendationSection(vm: ComparisonViewModel): SafeHtml {
  const overall = vm.overallRecommendation;
  if (vm.recommendations.length === 0) {
    const best = vm.heuristics[0];
    if (!best) return html`<p>No heuristics.</p>`;
    return html`<p class="caption">The data has no task categories; the overall recommendation:</p>
<table><thead><tr><th>Best overall</th><th class="num">P(best)</th><th>Mean [90% interval]</th><th>Tied for first</th></tr></thead>
<tbody><tr class="best"><td>${best.name}</td><td class="num">${best.pBest}</td><td>${best.mean} ${best.interval}</td><td>${overall?.tiedForFirst ?? ''}</td></tr></tbody></table>`;
  }
  const rows = overall ? [overall, ...vm.recommendations] : vm.recommendations;
  return html`<p class="caption">Over all tasks and for each task category: the heuristic most likely to be best, its P(best), the runner-up the data cannot yet tell apart from it, and the group tied for first (the best and every other heuristic whose pairwise decision against it is not a confident "best is better").</p>
<table id="recommendation-table"><thead><tr><th>Category</th><th>Tasks</th><th>Best</th><th class="num">P(best)</th><th>Cannot yet be told apart from</th><th>Tied for first</th><th></th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.category}</td><td>${r.tasks}</td><td><strong>${r.best}</strong></td><td class="num">${r.pBest}</td><td>${r.runnerUp}</td><td>${r.tiedForFirst}</td><td><span class="badge ${r.badge}">${r.badge}</span></td></tr>`,
  )}</tbody></table>`;
}

function robustnessSection(vm: ComparisonViewModel): SafeHtml | null {
  const r = vm.robustness;
  if (!r) return null;
  const skipped =
    r.skipped.length > 0
      ? html`<p class="caption">Not checked (fewer than ${String(r.minTasks)} tasks): ${r.skipped.join(', ')}.</p>`
      : '';
  if (r.rows.length === 0) {
    return html`<p>Not checked: every scope has fewer than ${String(r.minTasks)} tasks.</p>${skipped}`;
  }
  return html`<p class="caption">${r.kind === 'refit' ? 'The model refitted without each task in turn' : 'Each task left out of the average over tasks in turn (same posterior draws)'}, and the best heuristic and the confident decisions about it set against those with all tasks, at the same ROPE and threshold. Method: ${r.method}. A task listed here carries the result; it does not mean the task is wrong.</p>
<table id="robustness-table"><thead><tr><th>Scope</th><th>Best (all tasks)</th><th>Without any single task</th><th></th></tr></thead>
<tbody>${r.rows.map(
    (x) =>
      html`<tr><td>${x.scope}</td><td><strong>${x.best}</strong></td><td>${x.sentence}</td><td><span class="badge ${x.badge}">${x.badge === 'ok' ? 'robust' : 'rests on a task'}</span></td></tr>`,
  )}</tbody></table>
${r.rows.map(
  (x) => html`<details><summary>${x.scope}: each task left out</summary>
<table><thead><tr><th>Left out</th><th>Best without it</th><th class="num">P(best)</th><th>Confident decisions about ${x.best} that no longer hold</th></tr></thead>
<tbody>${x.tasks.map(
    (t) =>
      html`<tr${t.changesBest ? trusted(' class="best"') : ''}><td>${t.task}</td><td>${t.bestWithout}</td><td class="num">${t.pBestWithout}</td><td>${t.flipped || '—'}</td></tr>`,
  )}</tbody></table></details>`,
)}
${r.refitHint ? html`<p class="note">The best is tied for first with others: refitting without each task (<code>bayesbench compare --robustness refit</code>) can change the best where this check does not.</p>` : ''}
${skipped}`;
}

function rankingTable(rows: RankingRow[]): SafeHtml {
  return html`<table><thead><tr><th>Heuristic</th><th class="num">Mean</th><th>90% interval</th><th class="num">P(best)</th><th class="num">Expected rank</th><th>Rank 90%</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr${r.best ? trusted(' class="best"') : ''}><td>${r.name}</td><td class="num">${r.mean}</td><td>${r.interval}</td><td class="num">${r.pBest}</td><td class="num">${r.expectedRank}</td><td>${r.rankInterval}</td></tr>`,
  )}</tbody></table>`;
}

function pBestSection(vm: ComparisonViewModel): SafeHtml {
  return html`<h3>Overall</h3>
${rankingTable(vm.heuristics)}
${vm.categoryRankings.map(
  (k) => html`<h3>Category: ${k.category}</h3>
${rankingTable(k.rows)}`,
)}`;
}

function pairTable(g: PairGroup): SafeHtml {
  return html`<table class="pairs"><thead><tr><th>A</th><th>B</th><th class="num">P(A &gt; B)</th><th class="num">P(A better)</th><th class="num">P(ROPE)</th><th class="num">P(B better)</th><th>A − B [90%]</th><th>Decision</th></tr></thead>
<tbody>${g.rows.map(
    (r) =>
      html`<tr><td>${r.a}</td><td>${r.b}</td><td class="num">${r.pGreater}</td><td class="num">${r.pA}</td><td class="num">${r.pRope}</td><td class="num">${r.pB}</td><td>${r.difference}</td><td><span class="badge ${r.badge}">${r.decisionLabel}</span></td></tr>`,
  )}</tbody></table>`;
}

function pairsSection(vm: ComparisonViewModel, maxTasks: number): SafeHtml | null {
  if (vm.pairGroups.length === 0) return null;
  const overall = vm.pairGroups.filter((g) => g.kind === 'overall');
  const categories = vm.pairGroups.filter((g) => g.kind === 'category');
  const tasks = vm.pairGroups.filter((g) => g.kind === 'task');
  const shown = tasks.slice(0, maxTasks);
  return html`<p class="caption">P(A better) = P(A − B &gt; ROPE), P(ROPE) = P(|A − B| ≤ ROPE), P(B better) = P(A − B &lt; −ROPE), with ROPE ${vm.ropeText} (${vm.units}). A decision is made when one of them reaches ${vm.thresholdText}; otherwise the pair reads "probably A" when P(A &gt; B) (the direction, without a ROPE) is at least ${String(PROBABLE)}, "probably B" when it is at most ${String(Math.round((1 - PROBABLE) * 100) / 100)}, else inconclusive.</p>
${overall.map((g) => html`<h3>${g.label}</h3><p class="caption">${g.caption}</p>${pairTable(g)}`)}
${categories.map((g) => html`<h3>${g.label}</h3><p class="caption">${g.caption}</p>${pairTable(g)}`)}
${shown.length > 0 ? html`<h3>Per task</h3>` : ''}
${shown.map((g) => html`<details><summary>${g.label} — ${g.caption}</summary>${pairTable(g)}</details>`)}
${tasks.length > shown.length ? html`<p class="note">${tasks.length - shown.length} more tasks not shown.</p>` : ''}`;
}

function figure(svg: string, caption: string): SafeHtml | null {
  if (!svg) return null;
  return html`<figure>${trusted(svg)}<figcaption>${caption}</figcaption></figure>`;
}

/** The budget curves (overall, then per category) and the budget table with losses vs full cache. */
function budgetsSection(c: Comparison): SafeHtml | null {
  const b = c.budgets;
  if (!b) return null;
  const { budgets, methods, at } = budgetGrid(b);
  if (methods.length === 0) return null;
  const cell = (m: string, bud: string) => {
    const p = at(m, bud);
    if (!p) return '';
    const l = p.loss_vs_full;
    return `${p.mean.toFixed(2)} [${p.q5.toFixed(2)}, ${p.q95.toFixed(2)}]${l ? `; loss ${l.mean.toFixed(2)}, P(loss < ROPE) ${l.p_within_rope.toFixed(2)}` : ''}`;
  };
  const cats = c.categories
    .map((k) => ({
      name: k.name,
      svg: budgetCurvePlot(c, { scope: `category:${k.name}`, width: 420 }),
    }))
    .filter((x) => x.svg);
  const crossings = b.crossings.filter((x) => x.scope === 'overall');
  const decisions = (b.decisions ?? []).filter((x) => x.scope === 'overall');
  const decided = (x: (typeof decisions)[number]) =>
    x.pairs
      .filter((p) => ['a_better', 'b_better', 'equivalent'].includes(p.decision))
      .map((p) =>
        p.decision === 'a_better'
          ? `${p.a} > ${p.b}`
          : p.decision === 'b_better'
            ? `${p.b} > ${p.a}`
            : `${p.a} = ${p.b}`,
      )
      .join(', ');
  return html`${figure(
    budgetCurvePlot(c),
    `Each method's expected score over all tasks at each observed ${b.column} (dot: posterior mean; bar: 90% interval)${b.reference ? `; black line and dashed band: ${b.reference} (full cache), the reference` : ''}. ${b.model === 'curve' ? 'Curves: the budget-curve model, read between the observed budgets.' : 'Budgets are not interpolated.'}`,
  )}
<table id="budgets-table"><thead><tr><th>Heuristic</th>${budgets.map((x) => html`<th>${x}</th>`)}</tr></thead>
<tbody>${methods.map((m) => html`<tr><td>${m}</td>${budgets.map((x) => html`<td>${cell(m, x)}</td>`)}</tr>`)}</tbody></table>
${crossings.length > 0 ? html`<ul>${crossings.map((x) => html`<li>${x.a} beats ${x.b} from ${b.column} ${x.budget} on (P(A &gt; B) ${x.p_a_greater.map((p) => p.toFixed(2)).join(', ')})</li>`)}</ul>` : ''}
${
  decisions.length > 0
    ? html`<table id="budget-decisions"><caption>Decisions at each ${b.column} from the budget-curve model (all tasks): the best method there, P(best) among the methods, and the pairs decided at the threshold ("=": within the ROPE)</caption><thead><tr><th>${b.column}</th><th>Best</th><th>P(best)</th><th>Pairs decided</th></tr></thead>
<tbody>${decisions.map((x) => html`<tr><td>${x.budget}</td><td>${x.best}</td><td>${x.p_best.toFixed(3)}</td><td>${decided(x)}</td></tr>`)}</tbody></table>`
    : ''
}
${figure(
  lossHeatmap(c),
  `Posterior mean of each setting's score minus ${b.reference ?? 'the full cache'} on each task, in the task's own units (blue: above the full cache, red: below).`,
)}
${cats.length > 0 ? html`<div class="grid">${cats.map((x) => html`<figure>${trusted(x.svg)}<figcaption>${x.name}</figcaption></figure>`)}</div>` : ''}`;
}

/** Each heuristic's expected score and rank on each backbone (the overall table averages these). */
function backboneTable(c: Comparison): SafeHtml | null {
  const b = c.backbones;
  if (!b) return null;
  const order = [...c.heuristics]
    .sort((x, y) => x.expected_rank - y.expected_rank)
    .map((h) => h.name);
  const cell = (h: string, l: (typeof b.levels)[number]) => {
    const x = l.heuristics.find((q) => q.heuristic === h);
    return x
      ? `${x.mean.toFixed(2)} [${x.q5.toFixed(2)}, ${x.q95.toFixed(2)}], rank ${x.expected_rank.toFixed(1)}`
      : '';
  };
  const curves = backboneCurvesPlot(c);
  const panels = figure(
    curves || backboneForestPlot(c),
    curves
      ? `Each method's expected score over all tasks on each ${b.column} at each observed ${c.budgets?.column ?? 'budget'} (dot: posterior mean; bar: 90% interval); black line and dashed band: ${c.budgets?.reference ?? 'the full cache'} on that ${b.column}, the reference.`
      : `Each heuristic's expected score over all tasks on each ${b.column} (dot: posterior mean; line: 90% interval; the ${b.column}'s best in blue).`,
  );
  return html`${panels}<p class="caption">Each heuristic's expected score over all tasks on each ${b.column} (90% interval, expected rank there); the overall results average these.</p>
<table id="backbones-table"><thead><tr><th>Heuristic</th>${b.levels.map((l) => html`<th>${l.name}</th>`)}</tr></thead>
<tbody>${order.map((h) => html`<tr><td>${h}</td>${b.levels.map((l) => html`<td>${cell(h, l)}</td>`)}</tr>`)}</tbody></table>`;
}

function forestSection(c: Comparison, vm: ComparisonViewModel): SafeHtml | null {
  const forest = figure(
    forestPlot(c),
    `Posterior mean (dot) and 90% interval (line) of each heuristic's expected score, best first. The grey band is the best heuristic's mean ${vm.ropeText} (the ROPE).`,
  );
  const byCategory = figure(
    categoryForestPlot(c),
    'The same per task category (best of each category in blue).',
  );
  const effects = figure(
    taskEffectsPlot(c),
    "Each heuristic's effect relative to the average heuristic: overall (black, 90% interval) and per task (coloured by category; the model's partially pooled estimates). Dots on both sides of zero in one row are rank flips.",
  );
  if (!forest && !byCategory && !effects) return null;
  return html`${forest}${effects}${byCategory}`;
}

function varianceSection(vm: ComparisonViewModel): SafeHtml | null {
  if (vm.varianceComponents.length === 0) return null;
  return html`<p class="caption">Standard deviations of the model's group-level effects (<code>sd_GROUP__Intercept</code>) and of the residual (<code>sigma</code>), posterior mean and 90% interval, in ${vm.units}. They show where the spread of the scores sits: a heuristic x task sd large next to the heuristic sd means the ranking changes from task to task, which is what keeps overall decisions inconclusive.</p>
<table id="variance-table"><thead><tr><th>Component</th><th class="num">Mean</th><th>90% interval</th></tr></thead>
<tbody>${vm.varianceComponents.map(
    (v) => html`<tr><td>${v.name}</td><td class="num">${v.mean}</td><td>${v.interval}</td></tr>`,
  )}</tbody></table>`;
}

function tasksSection(c: Comparison, vm: ComparisonViewModel): SafeHtml | null {
  if (vm.tasks.length === 0) return null;
  const heat = figure(
    taskMeansHeatmap(c),
    "Expected score of each heuristic on each task (text, in the task's units); colour = rank within the task. Colour changes along a row are rank flips.",
  );
  const ppc = figure(
    ppcPlot(c),
    'Posterior predictive check: observed sd of each task’s scores (dot) vs the 5–95% interval of the sd in replicated data (line); red = outside.',
  );
  return html`<p class="caption">Expected score per task, mean and [90% interval]; the best on each task in bold.</p>
<table id="task-table"><thead><tr><th>Task</th><th>Category</th>${vm.taskColumns.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${vm.tasks.map(
    (t) =>
      html`<tr><td>${t.name}</td><td>${t.category}</td>${t.cells.map(
        (cell) =>
          html`<td${cell.best ? trusted(' class="best-cell"') : ''}>${cell.mean} <small>${cell.interval}</small></td>`,
      )}</tr>`,
  )}</tbody></table>
${heat}
${
  vm.ppc.length > 0
    ? html`<h3>Posterior predictive check</h3>
<table id="ppc-table"><thead><tr><th>Task</th><th class="num">Observed sd</th><th>Replicated sd [5%, 95%]</th><th class="num">p</th><th></th></tr></thead>
<tbody>${vm.ppc.map(
        (p) =>
          html`<tr><td>${p.task}</td><td class="num">${p.observed}</td><td>${p.replicated}</td><td class="num">${p.pValue}</td><td><span class="badge ${p.badge}">${p.badge}</span></td></tr>`,
      )}</tbody></table>`
    : ''
}
${ppc}`;
}

function parametersSection(summary: Summary | undefined): SafeHtml | null {
  if (!summary) return null;
  const top = new Set(topLevelVariables(summary.variables.map((r) => r.variable)));
  if (top.size === 0) return null;
  const vm = summaryViewModel(
    { ...summary, variables: summary.variables.filter((r) => top.has(r.variable)) },
    { pageSize: 500 },
  );
  return html`<p class="caption">${vm.matched} top-level parameters of ${summary.variables.length} variables (group-level effects omitted). Rounded to what the Monte Carlo standard error supports.</p>
<table id="parameters-table"><thead><tr>${vm.columns.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${vm.rows.map(
    (r) =>
      html`<tr${r.flagged ? trusted(' class="flagged"') : ''}><td>${r.variable}${r.flagged ? html` <span class="badge fail">check</span>` : ''}</td>${r.cells.map((x) => html`<td class="num">${x}</td>`)}</tr>`,
  )}</tbody></table>`;
}

function mixingSection(draws: Draws | undefined, max: number): SafeHtml | null {
  if (!draws) return null;
  const plots = topLevelRankPlots(draws, { max });
  if (plots.length === 0) return null;
  return html`<p class="caption">Rank histograms per chain (Vehtari et al. 2021): all draws ranked together; with good mixing each chain's histogram is flat at the dashed line.</p>
<div class="grid">${plots.map(
    (p) => html`<figure>${trusted(p.svg)}<figcaption>${p.variable}</figcaption></figure>`,
  )}</div>`;
}

function notesSection(c: Comparison, vm: ComparisonViewModel): SafeHtml {
  const s = c.settings ?? {};
  const priors = Array.isArray(s.priors)
    ? (s.priors as unknown[]).filter(
        (p): p is Record<string, unknown> => typeof p === 'object' && p !== null && 'prior' in p,
      )
    : [];
  const shown = Object.entries(s).filter(
    ([k, v]) => v !== null && v !== undefined && !(k === 'priors' && priors.length > 0),
  );
  return html`${vm.notes.length > 0 ? html`<ul>${vm.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
${
  shown.length > 0
    ? html`<table id="settings-table"><tbody>${shown.map(
        ([k, v]) => html`<tr><th>${k}</th><td>${settingText(v)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  priors.length > 0
    ? html`<h3>Priors</h3><table id="priors-table"><thead><tr><th>class</th><th>group</th><th>coef</th><th>prior</th><th>source</th></tr></thead><tbody>${priors.map(
        (p) =>
          html`<tr><td>${settingText(p.class)}</td><td>${settingText(p.group)}</td><td>${settingText(p.coef)}</td><td><code>${settingText(p.prior)}</code></td><td>${settingText(p.source)}</td></tr>`,
      )}</tbody></table>`
    : ''
}
<p class="caption">Probabilities are Monte Carlo estimates from the posterior draws; “&lt; 0.01” and “&gt; 0.99” mark values too close to 0 or 1 to print honestly with two decimals.</p>`;
}

/** A settings value as one line of text: lists joined, objects as key: value pairs (depth-limited). */
function settingText(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'object') return String(v);
  if (depth > 2) return '…';
  if (Array.isArray(v)) return v.map((x) => settingText(x, depth + 1)).join('; ');
  return Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== '' && x !== null && x !== undefined)
    .map(([k, x]) => `${k}: ${settingText(x, depth + 1)}`)
    .join(', ');
}
