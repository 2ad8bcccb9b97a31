/**
 * `npm run validate` (tsx bench/validate.ts [--reps N] [--item-reps N] [--only NAME,...]): the long
 * validation of `bayesbench compare`, written to VALIDATION.md one marked section at a time
 * (bench/markdown-section.ts), so `--only` reruns some sections and keeps the others, and the
 * planner backtest's sections (bench/backtest.ts) survive. Sections: choices, fixtures, sbc,
 * sbc-backbone, sbc-curve, items, sbc-betabinomial.
 *
 * 1. Simulation-based calibration of the default comparison model (Talts et al. 2018,
 *    arXiv:1804.06788): N data sets simulated from the prior (4 heuristics, 3 categories x 2 tasks,
 *    2 seeds per cell), each fitted with 4 chains x 500 warmup + 500 draws; rank histograms of the
 *    top-level parameters with a chi-square test against uniform; coverage of the 90% intervals of
 *    the heuristic-by-category expected scores; the rate of wrong "A better by more than the ROPE"
 *    calls at threshold 0.95. The same for the backbone model (2 backbones, one row per cell), and
 *    for the budget-curve model (src/model/budget-curve.ts): coverage of the 90% intervals of each
 *    method's curve at each budget, rank histograms of its top-level parameters.
 * 2. Every CSV in fixtures/real with no options: R-hat, ESS, divergences, time, and the LRA rank flips.
 * 3. The paired item model (src/model/item-model.ts): SBC through compare for 0/1 and continuous
 *    per-example scores, and the width and coverage of the 90% interval of a heuristic difference
 *    from the paired model, from the same rows as replicates and from task means.
 * 4. Item counts with backbones (`--items-per-task`, the beta-binomial model): SBC through compare
 *    (src/pipeline/beta-binomial-calibration.ts), at most 100 replications.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { readCsvFile } from '../src/data/csv.js';
import {
  BETA_BINOMIAL_SIM_PRIORS,
  runBetaBinomialCalibration,
} from '../src/pipeline/beta-binomial-calibration.js';
import { runCurveCalibration } from '../src/pipeline/budget-curve-calibration.js';
import {
  BACKBONE_SIM_DESIGN,
  DEFAULT_SIM_DESIGN,
  rankHistogram,
  runCalibration,
  type SimDesign,
} from '../src/pipeline/calibration.js';
import { runComparison } from '../src/pipeline/compare.js';
import {
  ITEM_SIM_PRIORS,
  itemWidthStudy,
  runItemCalibration,
} from '../src/pipeline/item-calibration.js';
import { writeMarkdownSection } from './markdown-section.js';

/** The parameterization and sampler defaults of compare and the evidence for them. */
const CHOICES = [
  '- **Model**: `score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)` (+ `(1|study)` with several studies; category terms only with categories; `(1|task)` left out under `--scale task`, where task means are 0 by construction), gaussian, brms default priors from the model layer.',
  '- **Parameterization** (src/model/nested-model.ts): the heuristic-specific terms nest (rows in heuristic x task cells, cells in heuristic x category levels, those in heuristics), so they are integrated out exactly, bottom-up, by normal-normal conjugacy, and drawn back exactly given the sampled parameters. The task (and study) effects are sampled centred as an overall level plus Helmert sum-to-zero contrasts; the group mean, which only its prior identifies, is non-centred. On the Tay table the plain non-centred model (model layer) gave 71 divergences, R-hat 1.044 (sigma), E-BFMI 0.11-0.21 and 977 tree-depth hits at adapt_delta 0.95, and still 63 divergences and R-hat 1.038 at 0.99; integrating out only the heuristic:task term left 1-3 divergences and step sizes ~0.05; the ridge between the intercept and the task effects and the centred/non-centred choice of the task group set the rest (step size 0.02 -> 0.13-0.25). Non-centred contrasts for the study term were tried and were worse (44 vs 6 divergences on PyramidKV with --study model). With a residual sigma, sigma and the cell sd are sampled as log sqrt(sigma^2 + sd^2) and the logit of the cell share: with one row per cell only the total is identified, and the L-shaped ridge in (log sigma, log sd) had set the step size (LongBench 4x faster after the change, Tay 118k -> 80k leapfrog steps).',
  '- **adapt_delta 0.95** (CmdStan: 0.8): kept as a safety margin for user data; with the parameterization above the fixtures have no divergences, and 0.99 did not remove the few divergences the --study model variant of PyramidKV has (4 at 0.99 vs 6 at 0.95), so it is the geometry, not the step size.',
  "- **Chains**: 4 x (1000 warmup + 1000 draws), the CmdStan defaults; inits at the data mean with scales at half the scores' sd (random inits on (-2, 2) put the overall level near 0 with scores near 50 and one Tay chain collapsed its step size to 1e-16).",
  '- **Backbones, budgets, metrics** (src/analysis/backbones.ts, budgets.ts, standardize.ts): with a backbone column of 2+ values, heuristic and task terms plus `(1|heuristic:backbone)` and `(1|task:backbone)` (no `(1|backbone)`: 2-4 backbones do not identify its sd) and 2,000 draws per chain; each method at each budget is an arm, with the full cache as the reference; several metrics are put on one scale per metric (pooled within-task sd of each metric); a proportion at its ceiling or floor is fitted on the logit scale (src/analysis/bounded.ts). BENCHMARKS.md §9 has the fixture runs.',
  "- **ROPE** (src/analysis/rope.ts): 1% of the scale for a named proportion metric (accuracy, F1... in [0, 1] or [0, 100]; Benavoli et al. 2017, JMLR 18(77) §3.2), otherwise 0.1 x the pooled within-task sd of the scores (0.53 accuracy points on the Tay table, whose metric is not named), in the spirit of autorank's 0.1 effect-size ROPE; stated in every output.",
];

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 200;
const itemReps = Number(args[args.indexOf('--item-reps') + 1]) || 100;
const SECTIONS = [
  'choices',
  'fixtures',
  'sbc',
  'sbc-backbone',
  'sbc-curve',
  'items',
  'sbc-betabinomial',
] as const;
const onlyArg = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '') : '';
const only = onlyArg ? onlyArg.split(',') : [...SECTIONS];
for (const name of only) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    console.error(`validate: unknown section '${name}' (sections: ${SECTIONS.join(', ')})`);
    process.exit(2);
  }
}
const started = new Date();
let lines: string[] = [];
const out = (s = '') => {
  lines.push(s);
  console.log(s);
};

/** Runs one section and writes its lines into VALIDATION.md between its markers. */
async function section(name: (typeof SECTIONS)[number], body: () => Promise<void> | void) {
  if (!only.includes(name)) return;
  lines = [];
  const t0 = new Date();
  await body();
  out(
    `(Section \`${name}\` generated by \`npm run validate -- --only ${name}\` on ${t0.toISOString()}; machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} at the end.)`,
  );
  writeMarkdownSection('VALIDATION.md', `validate:${name}`, lines);
  console.error(`wrote section ${name} of VALIDATION.md`);
}

/** Upper tail of the chi-square distribution (Wilson-Hilferty normal approximation). */
function chi2Upper(x: number, df: number): number {
  const z = ((x / df) ** (1 / 3) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  // 1 - Phi(z) via erfc (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

await section('choices', () => {
  out('## Defaults chosen, and why');
  out();
  for (const line of CHOICES) out(line);
  out();
});

await section('fixtures', async () => {
  out('## Real fixtures, default settings');
  out();
  out(
    'Every CSV in fixtures/real with no options: default sampler settings of compare (4 chains x 1000 warmup + 1000 draws, adapt_delta 0.95, seed 1; 2,000 draws per chain when the table has a backbone column). Tables with backbones, budgets and metrics (LongBench) run the backbone model: each method at each budget is a heuristic, compared within backbone and pooled over backbones, scores standardized per metric when metrics differ. The seconds column is the wall time of this run at the load stated at the end of the section, not a speed figure (BENCHMARKS.md §9 has those).',
  );
  out();
  out(
    '| file | options | rows | formula | max R-hat | min bulk ESS | min tail ESS | divergent | budget curves | seconds |',
  );
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const fixtures: [string, Record<string, string>][] = readdirSync('fixtures/real')
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => [f, {}]);
  const flips: string[] = [];
  for (const [file, columns] of fixtures) {
    const t0 = performance.now();
    const table = await readCsvFile(`fixtures/real/${file}`);
    const run = await runComparison(table, { columns });
    const secs = (performance.now() - t0) / 1000;
    const d = run.comparison.diagnostics;
    const opt = Object.entries(columns)
      .map(([k, v]) => `--${k} ${v}`)
      .join(' ');
    const cd = run.comparison.budgets?.curve_diagnostics;
    const curves = cd
      ? `curve model: R-hat ${cd.max_rhat.toFixed(4)}, ESS ${cd.min_ess_bulk.toFixed(0)}, ${cd.divergent} div.`
      : run.comparison.budgets
        ? 'per arm'
        : '-';
    out(
      `| ${file} | ${opt || '(none)'} | ${run.prepared.table.nRows} | \`${run.spec.formula}\` | ${d.max_rhat.toFixed(4)} | ${d.min_ess_bulk.toFixed(0)} | ${d.min_ess_tail.toFixed(0)} | ${d.divergent} | ${curves} | ${secs.toFixed(1)} |`,
    );
    if (file.startsWith('lra_')) {
      for (const task of run.comparison.tasks) {
        const order = [...task.heuristics].sort((a, b) => b.mean - a.mean).map((h) => h.heuristic);
        if (order.includes('reformer')) {
          flips.push(
            `${file} ${task.name}: reformer rank ${order.indexOf('reformer') + 1} of ${order.length} (first: ${order[0]}, last: ${order.at(-1)})`,
          );
        }
      }
    }
  }
  out();
  out('Rank flips in the per-task posterior means (Reformer across the LRA tables):');
  out();
  for (const f of flips) out(`- ${f}`);
  out();
});

/**
 * One table of SBC rank histograms (10 bins) with the chi-squared test of uniformity per row;
 * `columns` names the first two columns of the header.
 */
function rankTable(
  ranksByName: Record<string, number[]>,
  rankDraws: number,
  columns: string,
): void {
  out(`| ${columns} | chi2 (9 df) | p |`);
  out('| --- | --- | --- | --- |');
  for (const [name, ranks] of Object.entries(ranksByName)) {
    const h = rankHistogram(ranks, rankDraws, 10);
    out(
      `| ${name} | ${h.counts.join(' ')} | ${h.chi2.toFixed(1)} | ${chi2Upper(h.chi2, h.df).toFixed(3)} |`,
    );
  }
}

/**
 * A calibration run, timed, with a progress line on stderr every 10 replications and at the end.
 * @example const { r, secs } = await timedRun('SBC', (onReplication) => runCalibration({ replications: 20, onReplication }));
 */
async function timedRun<R>(
  label: string,
  run: (onReplication: (done: number, total: number) => void) => Promise<R>,
): Promise<{ r: R; secs: number }> {
  const t0 = performance.now();
  const r = await run((done, total) => {
    if (done % 10 === 0 || done === total) process.stderr.write(`${label} ${done}/${total}\n`);
  });
  return { r, secs: (performance.now() - t0) / 1000 };
}

/** One SBC section: simulate, fit, and write coverage, calls, convergence and rank histograms. */
async function calibrationSection(
  title: string,
  design: SimDesign,
  designText: string,
  seed: number,
): Promise<void> {
  out(`## ${title} (${reps} replications)`);
  out();
  const { r, secs } = await timedRun(title, (onReplication) =>
    runCalibration({
      replications: reps,
      design,
      sampler: { chains: 4, warmup: 500, draws: 500 },
      seed,
      onReplication,
    }),
  );
  out(
    `Design: ${designText}; priors Intercept ~ normal(0, 1), sd ~ normal(0, 1), sigma ~ normal(0, 0.5) (half-normal for the scales), used to simulate and to fit; 4 chains x 500 warmup + 500 draws per fit; ROPE 0.1, threshold 0.95. ${secs.toFixed(0)} s in total.`,
  );
  out();
  const seCov = Math.sqrt((0.9 * 0.1) / r.intervals);
  out(
    `- Coverage of the 90% intervals of the heuristic-by-category expected scores: **${(100 * r.coverage).toFixed(1)}%** (${r.covered} of ${r.intervals}; binomial standard error ${(100 * seCov).toFixed(1)} points; target 85-95%).`,
  );
  out(
    `- Confident "A better by more than the ROPE" calls (category scope): ${r.calls}; wrong (true difference <= ROPE): **${r.wrongCalls} (${(100 * r.wrongRate).toFixed(1)}%)**, stated rate at most 5%; sign errors (true difference <= 0): ${r.signErrors}.`,
  );
  out(
    `- Largest R-hat over all fits: ${r.maxRhat.toFixed(3)}; fits with R-hat > 1.01: ${r.fitsWithHighRhat} of ${reps}; fits with any divergent transition: ${r.fitsWithDivergences} of ${reps} (${r.divergent} divergent transitions in total over ${reps} x 2000 draws). Prior draws put some scales near 0, where the sampled task term and sigma can still funnel (the marginalization removes this for the heuristic terms only); those fits stay in the coverage and SBC figures above (nothing is filtered).`,
  );
  out();
  out('### SBC rank histograms (rank of the true value among 99 thinned draws, 10 bins)');
  out();
  rankTable(r.ranks, r.rankDraws, 'parameter | counts per bin');
  out();
  out('Text histograms (each # is one replication):');
  out();
  out('```');
  for (const [name, ranks] of Object.entries(r.ranks)) {
    const h = rankHistogram(ranks, r.rankDraws, 10);
    out(name);
    h.counts.forEach((c, b) => {
      out(`  ${String(b * 10).padStart(2)}-${String(b * 10 + 9).padStart(2)} ${'#'.repeat(c)}`);
    });
  }
  out('```');
  out();
  out(
    `A p below ~0.005 for one of these parameters (${Object.keys(r.ranks).length} tests) would point at a sampler or model bug; uniform histograms with coverage near 90% mean the marginalized model, the cell means and the decision rule agree with the simulation.`,
  );
  out();
}

/** SBC of the budget-curve model: coverage of the curves and rank histograms. */
async function curveCalibrationSection(n: number, seed: number): Promise<void> {
  const title = 'Simulation-based calibration of the budget-curve model';
  out(`## ${title} (${n} replications)`);
  out();
  const { r, secs } = await timedRun(title, (onReplication) =>
    runCurveCalibration({
      replications: n,
      sampler: { chains: 4, warmup: 500, draws: 500 },
      seed,
      onReplication,
    }),
  );
  out(
    `Design: 3 methods x 4 tasks x 2 backbones at budgets 128, 256, 512, 1024, one row each plus the full cache (104 rows), simulated from the model's priors (src/model/budget-curve-sim.ts) with the standardization fixed; 4 chains x 500 warmup + 500 draws per fit. ${secs.toFixed(0)} s in total.`,
  );
  out();
  const seCov = Math.sqrt((0.9 * 0.1) / r.intervals);
  out(
    `- Coverage of the 90% intervals of each method's curve (averaged over tasks and backbones) at each budget: **${(100 * r.coverage).toFixed(1)}%** (${r.covered} of ${r.intervals}; binomial standard error ${(100 * seCov).toFixed(1)} points; target 85-95%).`,
  );
  out(
    `- Largest R-hat over all fits: ${r.maxRhat.toFixed(3)}; fits with R-hat > 1.01: ${r.fitsWithHighRhat} of ${n}; fits with any divergent transition: ${r.fitsWithDivergences} of ${n} (${r.divergent} in total); nothing is filtered.`,
  );
  out();
  rankTable(r.ranks, r.rankDraws, 'parameter | counts per bin (10 bins)');
  out();
}

/** SBC of the paired item model (both families) and the interval-width figure. */
async function itemSections(): Promise<void> {
  out(
    `## Simulation-based calibration of the paired item model (${itemReps} replications per family)`,
  );
  out();
  for (const family of ['bernoulli', 'gaussian'] as const) {
    const { r, secs } = await timedRun(`items ${family}`, (onReplication) =>
      runItemCalibration({
        family,
        replications: itemReps,
        heuristics: 3,
        tasks: 4,
        items: 25,
        seed: family === 'bernoulli' ? 31 : 32,
        onReplication,
      }),
    );
    const se = Math.sqrt((0.9 * 0.1) / r.intervals);
    out(
      `### ${family === 'bernoulli' ? '0/1 correct (bernoulli, logit link)' : 'continuous per-item scores (gaussian)'}`,
    );
    out();
    out(
      `Design: 3 heuristics x 4 tasks x 25 items, every heuristic on every item; truth drawn from the fit's priors (${ITEM_SIM_PRIORS.filter((p) => family === 'gaussian' || !p.startsWith('sigma')).join(', ')}; half-normal for the scales, the item sd too); fitted with \`compare\` (2 chains x 300 warmup + 300 draws). ${secs.toFixed(0)} s in total.`,
    );
    out();
    out(
      `- Coverage of the 90% intervals of h0 - h1 (per task and over tasks, linear-predictor scale): **${(100 * r.coverage).toFixed(1)}%** (${r.covered} of ${r.intervals}; binomial standard error ${(100 * se).toFixed(1)} points if independent; target 85-95%).`,
    );
    out(
      `- Largest R-hat: ${r.maxRhat.toFixed(3)}; fits with R-hat > 1.01: ${r.fitsWithHighRhat} of ${itemReps}; fits with divergences: ${r.fitsWithDivergences} (${r.divergent} divergent transitions in total).`,
    );
    out();
    rankTable(r.ranks, r.rankDraws, 'quantity | rank counts (10 bins)');
    out();
  }
  out('## Paired item model vs task means: width of the 90% interval of a heuristic difference');
  out();
  const wReps = Math.max(10, Math.round(itemReps / 5));
  const t0 = performance.now();
  const rows = await itemWidthStudy({
    replications: wReps,
    heuristics: 4,
    tasks: 8,
    items: 200,
    sdItem: 1,
    sigma: 0.8,
    onReplication: (done, total) => process.stderr.write(`width ${done}/${total}\n`),
  });
  out(
    `Simulated paired gaussian data: 4 heuristics x 8 tasks x 200 items, item sd 1, residual sd 0.8 (per-item correlation between heuristics 0.61), heuristic sd 0.3, task sd 0.5, heuristic x task sd 0.15; ${wReps} data sets, each fitted three ways with \`compare\` (2 chains x 500 + 500, default priors). ${((performance.now() - t0) / 1000).toFixed(0)} s in total.`,
  );
  out();
  out(
    '| analysis | mean 90% width, per task | coverage, per task | mean 90% width, over tasks | coverage, over tasks |',
  );
  out('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    out(
      `| ${r.analysis} | ${r.taskWidth.toFixed(3)} | ${(100 * r.taskCoverage).toFixed(1)}% (${r.intervals}) | ${r.overallWidth.toFixed(3)} | ${(100 * r.overallCoverage).toFixed(1)}% (${wReps}) |`,
    );
  }
  out();
}

/** SBC of the beta-binomial model of item counts with backbones, through `compare`. */
async function betaBinomialSection(n: number, seed: number): Promise<void> {
  const title =
    'Simulation-based calibration of the beta-binomial model (item counts with backbones)';
  out(`## ${title} (${n} replications)`);
  out();
  const { r, secs } = await timedRun(title, (onReplication) =>
    runBetaBinomialCalibration({
      replications: n,
      sampler: { chains: 4, warmup: 500, draws: 500 },
      seed,
      onReplication,
    }),
  );
  out(
    `Design: 4 heuristics, 3 categories x 2 tasks, 2 backbones, one row per heuristic x task x backbone (48 rows), 96 items per task: each row's count drawn from a beta-binomial with logit-scale mean from the backbone model's terms and precision phi, given to \`compare\` as the proportion with \`--items-per-task 96\` (so the fit goes through the counts, the choice of the family and the cell means). Priors used to simulate and to fit: ${BETA_BINOMIAL_SIM_PRIORS.join(', ')} (half-normal for the sds). 4 chains x 500 warmup + 500 draws per fit. ${secs.toFixed(0)} s in total.`,
  );
  out();
  const seCov = Math.sqrt((0.9 * 0.1) / r.intervals);
  out(
    `- Coverage of the 90% intervals of the heuristic-by-category expected proportions (logit^-1 of the linear predictor averaged over backbones, averaged over the category's tasks): **${(100 * r.coverage).toFixed(1)}%** (${r.covered} of ${r.intervals}; binomial standard error ${(100 * seCov).toFixed(1)} points if independent; target 85-95%).`,
  );
  out(
    `- Largest R-hat over all fits: ${r.maxRhat.toFixed(3)}; fits with R-hat > 1.01: ${r.fitsWithHighRhat} of ${n}; fits with any divergent transition: ${r.fitsWithDivergences} of ${n} (${r.divergent} in total over ${n} x 2000 draws); fits not by the beta-binomial: ${r.otherFamily}. Nothing is filtered.`,
  );
  out();
  rankTable(r.ranks, r.rankDraws, 'parameter | rank counts (10 bins)');
  out();
}

await section('sbc', () =>
  calibrationSection(
    'Simulation-based calibration',
    DEFAULT_SIM_DESIGN,
    '4 heuristics, 3 categories x 2 tasks, 2 seeds per cell (48 rows)',
    2026,
  ),
);
await section('sbc-backbone', () =>
  calibrationSection(
    'Simulation-based calibration of the backbone model',
    BACKBONE_SIM_DESIGN,
    '4 heuristics, 3 categories x 2 tasks, 2 backbones, one row per heuristic x task x backbone (48 rows, the shape of a published table); model with (1|task:backbone) + (1|heuristic:backbone), truth averaged over the backbones',
    2027,
  ),
);
await section('sbc-curve', () => curveCalibrationSection(Math.min(reps, 200), 2028));
await section('items', itemSections);
await section('sbc-betabinomial', () => betaBinomialSection(Math.min(reps, 100), 2029));
console.error(`validate: done in ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min`);
