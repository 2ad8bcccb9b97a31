/**
 * `npx tsx bench/report.bench.ts`: how long the report's pure functions take (plots, view models,
 * static report) on a small (LRA-like: 6 heuristics, 6 tasks, 3 categories) and a large (12
 * heuristics, 40 tasks, 5 categories) synthetic Comparison, plus the variable explorer on 4 x 1000
 * draws. Prints the median of repeated runs after one warm-up call. Figures only, no assertions.
 */
import os from 'node:os';
import type { Comparison, ComparisonCell, ComparisonPair } from '../src/analysis/types.js';
import type { Summary, SummaryRow } from '../src/diagnostics/types.js';
import { createDraws, drawIndex } from '../src/draws/draws.js';
import { median } from '../src/math/quantile.js';
import { diagnosticsBanner } from '../src/report/banner.js';
import { categoryForestPlot } from '../src/report/category-forest-plot.js';
import { renderComparisonPlots } from '../src/report/comparison-plots.js';
import { comparisonViewModel } from '../src/report/comparison-view-model.js';
import { forestPlot } from '../src/report/forest-plot.js';
import { pairwiseHeatmap } from '../src/report/pairwise-heatmap.js';
import { pBestBars } from '../src/report/pbest-bars.js';
import { ppcPlot } from '../src/report/ppc-plot.js';
import { rankProbabilityHeatmap } from '../src/report/rank-heatmap.js';
import { renderStaticReport } from '../src/report/static-report.js';
import { summaryViewModel } from '../src/report/summary-view-model.js';
import { taskMeansHeatmap } from '../src/report/task-heatmap.js';
import { variableExplorer } from '../src/report/variable-explorer.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}

function syntheticComparison(nH: number, nT: number, nC: number, seed = 1): Comparison {
  const u = lcg(seed);
  const names = Array.from({ length: nH }, (_, i) => `heuristic_${i + 1}`);
  const tasks = Array.from({ length: nT }, (_, i) => `task_${i + 1}`);
  const cats = Array.from({ length: nC }, (_, i) => `category_${i + 1}`);
  const cells = (scale: number): ComparisonCell[] =>
    names.map((h, i) => {
      const mean = 50 + scale * (u() - 0.5) * 20;
      return {
        heuristic: h,
        mean,
        q5: mean - 2,
        q95: mean + 2,
        p_best: 1 / nH,
        expected_rank: i + 1,
      };
    });
  const scopes = ['overall', ...cats.map((c) => `category:${c}`), ...tasks.map((t) => `task:${t}`)];
  const pairs: ComparisonPair[] = [];
  for (const scope of scopes) {
    for (let i = 0; i < nH; i++) {
      for (let j = i + 1; j < nH; j++) {
        const a = u() * 0.9;
        const r = (1 - a) * u();
        pairs.push({
          a: names[i],
          b: names[j],
          scope,
          p_a_better: a,
          p_rope: r,
          p_b_better: 1 - a - r,
          decision: 'inconclusive',
          diff_mean: a - (1 - a - r),
          diff_q5: -1,
          diff_q95: 1,
        });
      }
    }
  }
  return {
    heuristics: cells(1).map((c) => ({ name: c.heuristic, ...c })),
    pairs,
    categories: cats.map((name, k) => ({
      name,
      tasks: tasks.filter((_, t) => t % nC === k),
      heuristics: cells(1),
      best: names[0],
      p_best: 0.6,
      runner_up: names[1],
    })),
    tasks: tasks.map((name, t) => ({
      name,
      category: cats[t % nC],
      heuristics: cells(2),
      ppc: { observed_sd: 2, replicated_sd_q5: 1, replicated_sd_q95: 3, p_value: 0.4 },
    })),
    diagnostics: { max_rhat: 1.003, min_ess_bulk: 900, min_ess_tail: 800, divergent: 0 },
    warnings: [],
    rank_probabilities: names.map((h) => ({ heuristic: h, p: names.map(() => 1 / nH) })),
    settings: { rope: 1, threshold: 0.95 },
  };
}

function syntheticSummary(n: number): Summary {
  const variables: SummaryRow[] = [];
  for (let i = 0; i < n; i++) {
    variables.push({
      variable: i < 5 ? `b_${i}` : `r_heuristic:task[h${i % 12}_t${i},Intercept]`,
      mean: 1.234,
      median: 1.2,
      sd: 0.5,
      mad: 0.5,
      q5: 0.4,
      q95: 2.1,
      rhat: 1.001,
      ess_bulk: 1500,
      ess_tail: 1400,
      mcse_mean: 0.012,
      mcse_sd: 0.01,
    });
  }
  return { variables, sampler: null, warnings: [] };
}

function draws4x1000(variables: string[]) {
  const d = createDraws(1000, 4, variables);
  const u = lcg(7);
  for (let v = 0; v < variables.length; v++)
    for (let c = 0; c < 4; c++) {
      let x = 0;
      for (let i = 0; i < 1000; i++) {
        x = 0.5 * x + Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
        d.values[drawIndex(d, i, c, v)] = x;
      }
    }
  return d;
}

function time(label: string, f: () => unknown, runs = 15): void {
  f(); // warm-up (JIT, module init)
  const t: number[] = [];
  let size = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = f();
    t.push(performance.now() - t0);
    if (typeof out === 'string') size = out.length;
  }
  const kb = size ? `  (${(size / 1024).toFixed(1)} kB)` : '';
  const min = Math.min(...t);
  console.log(
    `${label.padEnd(52)} ${median(t).toFixed(2).padStart(8)} ms  (min ${min.toFixed(2)})${kb}`,
  );
}

const cpus = os.cpus();
console.log(
  `report bench — ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, node ${process.version}, ${new Date().toISOString()}`,
);
console.log(
  `median (and min) of repeated runs after a warm-up call; load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (on a busy machine the min is the better estimate of the cost)`,
);

for (const [label, c] of [
  ['small (6 heuristics, 6 tasks, 3 categories)', syntheticComparison(6, 6, 3)],
  ['large (12 heuristics, 40 tasks, 5 categories)', syntheticComparison(12, 40, 5)],
] as const) {
  console.log(`\n${label}: ${c.pairs.length} pairs`);
  time('forestPlot', () => forestPlot(c));
  time('categoryForestPlot', () => categoryForestPlot(c));
  time('pairwiseHeatmap', () => pairwiseHeatmap(c));
  time('pBestBars', () => pBestBars(c));
  time('rankProbabilityHeatmap', () => rankProbabilityHeatmap(c));
  time('taskMeansHeatmap', () => taskMeansHeatmap(c));
  time('ppcPlot', () => ppcPlot(c));
  time('renderComparisonPlots (fresh object each run)', () => renderComparisonPlots({ ...c }));
  time('renderComparisonPlots (memoized object)', () => renderComparisonPlots(c));
  time('comparisonViewModel', () => comparisonViewModel(c));
  time('comparisonViewModel (other rope: approx.)', () => comparisonViewModel(c, { rope: 2 }));
  time('diagnosticsBanner', () => diagnosticsBanner(c));
  time(
    'renderStaticReport (no draws)',
    () => renderStaticReport({ comparison: c, title: 'bench' }),
    5,
  );
}

const summary = syntheticSummary(10_000);
console.log('\nparameters table, 10,000 rows');
time('summaryViewModel page 1', () => summaryViewModel(summary, { page: 1 }));
time('summaryViewModel regex filter', () => summaryViewModel(summary, { filter: 'h3_t\\d+1,' }));

const draws = draws4x1000(['b_Intercept', 'sd_task__Intercept', 'sigma', 'r_task[a,Intercept]']);
console.log('\nvariable explorer, 4 chains x 1000 draws');
time('variableExplorer (4 plots)', () => variableExplorer(draws, 0), 10);
time(
  'renderStaticReport (small, with draws, 3 rank plots)',
  () => renderStaticReport({ comparison: syntheticComparison(6, 6, 3), draws, title: 'bench' }),
  5,
);
