/**
 * Hand-built Comparison documents and Draws for the report tests (the analysis layer is not
 * needed: the report only reads the document's shape, src/analysis/types.ts).
 */
import type { Comparison, ComparisonCell, ComparisonPair } from '../../src/analysis/types.js';
import type { Summary } from '../../src/diagnostics/types.js';
import { createDraws, type Draws, drawIndex } from '../../src/draws/draws.js';

export const XSS = '<script>alert(1)</script>';

/**
 * Three heuristics on four tasks in two categories, with a rank flip: 'reformer' is best on
 * ListOps and worst on Image. `evil` replaces one heuristic's name with an XSS string.
 */
export function makeComparison(opts: { evil?: boolean; ppc?: boolean } = {}): Comparison {
  const names = ['performer', opts.evil ? XSS : 'reformer', 'linformer'];
  const [P, R, L] = names;
  const cell = (heuristic: string, mean: number, rank: number, pBest: number): ComparisonCell => ({
    heuristic,
    mean,
    q5: mean - 2,
    q95: mean + 2,
    p_best: pBest,
    expected_rank: rank,
  });
  const pair = (
    a: string,
    b: string,
    scope: string,
    pa: number,
    pr: number,
    decision: string,
  ): ComparisonPair => ({
    a,
    b,
    scope,
    p_a_better: pa,
    p_rope: pr,
    p_b_better: 1 - pa - pr,
    decision,
    diff_mean: (pa - (1 - pa - pr)) * 3,
    diff_q5: (pa - (1 - pa - pr)) * 3 - 2,
    diff_q95: (pa - (1 - pa - pr)) * 3 + 2,
  });
  const scopes = ['overall', 'category:text', 'category:vision', 'task:ListOps', 'task:Image'];
  const pairs: ComparisonPair[] = [];
  for (const scope of scopes) {
    pairs.push(pair(P, R, scope, scope === 'task:ListOps' ? 0.02 : 0.97, 0.02, 'a_better'));
    pairs.push(pair(P, L, scope, 0.6, 0.3, 'inconclusive'));
    pairs.push(pair(R, L, scope, 0.1, 0.88, 'inconclusive'));
  }
  return {
    heuristics: [
      { name: P, mean: 55.2, q5: 53.1, q95: 57.4, p_best: 0.7, expected_rank: 1.3 },
      { name: R, mean: 50.1, q5: 47.9, q95: 52.2, p_best: 0.05, expected_rank: 2.6 },
      { name: L, mean: 53.8, q5: 51.5, q95: 56.0, p_best: 0.25, expected_rank: 2.1 },
    ],
    pairs,
    categories: [
      {
        name: 'text',
        tasks: ['ListOps', 'Text'],
        heuristics: [cell(P, 50, 1.2, 0.8), cell(R, 48, 2.5, 0.1), cell(L, 47, 2.3, 0.1)],
        best: P,
        p_best: 0.8,
        runner_up: null,
      },
      {
        name: 'vision',
        tasks: ['Image', 'Pathfinder'],
        heuristics: [cell(P, 60, 1.5, 0.55), cell(R, 52, 3, 0.0), cell(L, 59, 1.5, 0.45)],
        best: P,
        p_best: 0.55,
        runner_up: L,
      },
    ],
    tasks: [
      {
        name: 'ListOps',
        category: 'text',
        heuristics: [cell(P, 18, 3, 0.01), cell(R, 37, 1, 0.98), cell(L, 19, 2, 0.01)],
        ppc: opts.ppc === false ? undefined : ppc(2.1, 1.5, 3.0),
      },
      {
        name: 'Text',
        category: 'text',
        heuristics: [cell(P, 65, 1, 0.6), cell(R, 56, 3, 0.1), cell(L, 64, 2, 0.3)],
        ppc: opts.ppc === false ? undefined : ppc(4.0, 1.0, 2.5),
      },
      {
        name: 'Image',
        category: 'vision',
        heuristics: [cell(P, 42, 1, 0.7), cell(R, 38, 3, 0.0), cell(L, 41, 2, 0.3)],
      },
      {
        name: 'Pathfinder',
        category: 'vision',
        heuristics: [cell(P, 77, 1, 0.5), cell(R, 68, 3, 0.0), cell(L, 77, 2, 0.5)],
      },
    ],
    diagnostics: { max_rhat: 1.004, min_ess_bulk: 850, min_ess_tail: 720, divergent: 0 },
    warnings: [],
    rank_probabilities: [
      { heuristic: P, p: [0.7, 0.25, 0.05] },
      { heuristic: R, p: [0.05, 0.25, 0.7] },
      { heuristic: L, p: [0.25, 0.5, 0.25] },
    ],
    settings: { rope: 1, threshold: 0.95, higher_is_better: true, scale: 'none' },
    notes: ['Seeds are treated as replicates.'],
  };
}

function ppc(observed: number, lo: number, hi: number) {
  return { observed_sd: observed, replicated_sd_q5: lo, replicated_sd_q95: hi, p_value: 0.4 };
}

/**
 * Deterministic draws: `nChains` chains of AR(1)-like series for each variable, built from a
 * linear congruential generator (fixed seed), chain c shifted by `shift * c` (a non-mixing chain
 * when shift is large).
 */
export function makeDraws(
  variables: string[],
  opts: { nDraws?: number; nChains?: number; shift?: number; seed?: number } = {},
): Draws {
  const nDraws = opts.nDraws ?? 200;
  const nChains = opts.nChains ?? 4;
  const d = createDraws(nDraws, nChains, variables);
  let state = opts.seed ?? 12345;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  for (let v = 0; v < variables.length; v++) {
    for (let c = 0; c < nChains; c++) {
      let x = 0;
      for (let i = 0; i < nDraws; i++) {
        // Box-Muller normal
        const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
        x = 0.5 * x + z;
        d.values[drawIndex(d, i, c, v)] = x + (opts.shift ?? 0) * c;
      }
    }
  }
  return d;
}

/** A Summary with one bad R-hat row and some divergences. */
export function makeSummary(opts: { bad?: boolean } = {}): Summary {
  const row = (variable: string, rhat: number, ess: number) => ({
    variable,
    mean: 1.23456,
    median: 1.2,
    sd: 0.5,
    mad: 0.49,
    q5: 0.4,
    q95: 2.1,
    rhat,
    ess_bulk: ess,
    ess_tail: ess * 0.9,
    mcse_mean: 0.0123,
    mcse_sd: 0.01,
  });
  const variables = [row('b_Intercept', 1.001, 1500), row('sigma', 1.002, 1300)];
  for (let i = 0; i < 120; i++) variables.push(row(`r_task[t${i},Intercept]`, 1.003, 1200));
  if (opts.bad) variables.push(row(`r_heuristic[${XSS},Intercept]`, 1.2, 30));
  return {
    variables,
    sampler: {
      chains: 4,
      draws_per_chain: 1000,
      divergent: opts.bad ? 7 : 0,
      treedepth_hits: 0,
      n_leapfrog: 100000,
      ebfmi: [0.9, 0.8, 1.0, 0.95],
      step_size: [0.3, 0.31, 0.29, 0.3],
      warmup_seconds: 1.2,
      sampling_seconds: 1.5,
    },
    warnings: opts.bad
      ? [
          {
            code: 'rhat',
            message: '1 variable has R-hat > 1.01',
            remedy: 'Run longer chains or reparameterize.',
          },
          {
            code: 'divergent',
            message: '7 divergent transitions after warmup',
            remedy: 'Increase adapt_delta (e.g. 0.95).',
          },
        ]
      : [],
  };
}
