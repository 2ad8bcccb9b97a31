import { compareFromFit } from '../analysis/from-fit.js';
import type { ComparisonRobustness } from '../analysis/types.js';
import { selectRows } from '../data/access.js';
import type { Table } from '../data/table.js';
import { relativeEff } from '../diagnostics/loo.js';
import { normalizeLogWeights, paretoKThreshold, psis } from '../diagnostics/psis.js';
import type { Draws } from '../draws/draws.js';
import { blockLogLik } from '../model/log-lik.js';
import { type CompareOptions, type ComparisonRun, fittedTable, runComparison } from './compare.js';
import { type RefitRobustnessOptions, refitRobustness } from './robustness-refit.js';

/**
 * Leave-one-task-out by PSIS (`bayesbench compare --robustness psis`): the posterior without task
 * t is approximated by importance weighting the full run's draws with w_s ∝ 1 / p(y_t | phi_s),
 * the task's joint likelihood with the effects nested in it integrated out
 * (src/model/log-lik.ts `blockLogLik`; Vehtari, Gelman & Gabry 2017, section 4, leaving out groups
 * of observations), Pareto smoothed (Vehtari et al. 2024). Where the task's Pareto k is at most
 * min(1 - 1/log10 S, 0.7) and the PSIS effective sample size is at least MIN_PSIS_ESS, the weighted
 * draws are resampled (systematic resampling, deterministic)
 * and the comparison without the task is rebuilt from them (compareFromFit on the rows of the other
 * tasks, the full run's ROPE, threshold and orientation); where k is higher the comparison is
 * refitted without the task, as `--robustness refit` does. The estimand is the refit's, at the cost
 * of the refits PSIS cannot replace.
 */

/**
 * Fewest effective draws (PSIS n_eff = r_eff / sum w^2) for a reweighted leave-one-task-out
 * decision, the bulk-ESS bar of the convergence checks (100 per chain of 4). On the Tay LRA table a
 * task with k = 0.58 below the k threshold but n_eff 220 gave P(best) 0.52 against 0.68 from
 * refits (two seeds, priors pinned): k alone let a too-noisy reweighting through.
 */
export const MIN_PSIS_ESS = 400;

/** The method as stated in the JSON (`robustness.method`). */
export const PSIS_METHOD =
  'leave-one-task-out by PSIS: the full run\u2019s draws importance-weighted by 1 / p(task\u2019s ' +
  'scores | parameters) (effects nested in the task integrated out), Pareto smoothed and ' +
  'resampled, and the comparison rebuilt without the task; refitted where the task\u2019s Pareto k ' +
  'is above min(1 - 1/log10 S, 0.7) or the PSIS effective sample size is below 400; best and ' +
  'confident decisions set against the full run\u2019s';

/**
 * Systematic resampling of S draws by normalized weights at the fixed offsets (i + 1/2) / S (no
 * random stream: the same weights give the same draws). Returns the S chosen indices.
 * @example systematicResample(Float64Array.of(0.5, 0.5, 0, 0)) // [0, 0, 1, 1]
 */
export function systematicResample(weights: Float64Array): Int32Array {
  const S = weights.length;
  const out = new Int32Array(S);
  let j = 0;
  let c = weights[0];
  for (let i = 0; i < S; i++) {
    const u = (i + 0.5) / S;
    while (c < u && j < S - 1) c += weights[++j];
    out[i] = j;
  }
  return out;
}

/** The draws at the chosen indices, as one chain. */
function resampledDraws(draws: Draws, idx: Int32Array): Draws {
  const S = draws.nDraws * draws.nChains;
  const V = draws.variables.length;
  const values = new Float64Array(S * V);
  for (let v = 0; v < V; v++) {
    const o = v * S;
    for (let s = 0; s < S; s++) values[o + s] = draws.values[o + idx[s]];
  }
  return { nDraws: S, nChains: 1, variables: draws.variables, values };
}

/**
 * The comparison without a task from the run's own draws by PSIS, or by a refit where PSIS is not
 * reliable (the `withoutTask` source of `refitRobustness`).
 * @example const without = psisSource(table, options, run); (await without('ListOps', keep, pinned)).via
 */
export function psisSource(
  table: Table,
  options: CompareOptions,
  run: ComparisonRun,
): NonNullable<RefitRobustnessOptions['withoutTask']> {
  const { prepared, fit, comparison: c } = run;
  const ll = blockLogLik(run.spec, fittedTable(prepared), fit.draws, 'task');
  const S = ll.nDraws * ll.nChains;
  const rEff = relativeEff(ll);
  const threshold = paretoKThreshold(S);
  const taskCol = prepared.table.columns.task;
  const settings = c.settings ?? {};
  return async (task, keep, pinned) => {
    const b = ll.levels.indexOf(task);
    const ratios = new Float64Array(S);
    for (let s = 0; s < S; s++) ratios[s] = -ll.values[b * S + s];
    const res = b >= 0 ? psis(ratios, rEff[b]) : null;
    const k = res ? res.k : Number.POSITIVE_INFINITY;
    const w = new Float64Array(S);
    let w2 = 0;
    if (res) {
      const lw = normalizeLogWeights(res.logWeights);
      for (let s = 0; s < S; s++) {
        w[s] = Math.exp(lw[s]);
        w2 += w[s] * w[s];
      }
    }
    const nEff = res ? rEff[b] / w2 : 0;
    if (!(k <= threshold) || !(nEff >= MIN_PSIS_ESS) || taskCol?.type !== 'factor') {
      const refit = await runComparison(selectRows(table, keep), pinned);
      return { comparison: refit.comparison, via: 'refit', pareto_k: k };
    }
    const draws = resampledDraws(fit.draws, systematicResample(w));
    const code = taskCol.levels.indexOf(task);
    const rows: number[] = [];
    for (let i = 0; i < prepared.table.nRows; i++) if (taskCol.codes[i] !== code) rows.push(i);
    const comparison = compareFromFit(
      {
        table: selectRows(prepared.table, Int32Array.from(rows)),
        draws,
        groups: run.model.groups,
        family: run.spec.family ?? 'gaussian',
        formula: run.spec.formula,
        scale: prepared.scale,
        bounded: prepared.bounded,
      },
      {
        rope: typeof settings.rope === 'number' ? settings.rope : options.rope,
        threshold: typeof settings.threshold === 'number' ? settings.threshold : options.threshold,
        higherIsBetter: prepared.higherIsBetter,
        seed: fit.config.seed,
      },
    );
    return { comparison, via: 'psis', pareto_k: k };
  };
}

/**
 * Leave-one-task-out robustness by PSIS with refits where needed (kind 'psis'; each task entry has
 * `via` and `pareto_k`).
 * @example run.comparison.robustness = await psisRobustness(table, options, run);
 */
export async function psisRobustness(
  table: Table,
  options: CompareOptions,
  run: ComparisonRun,
  hooks: Pick<RefitRobustnessOptions, 'onRefit'> = {},
): Promise<ComparisonRobustness> {
  return refitRobustness(table, options, run, {
    kind: 'psis',
    method: PSIS_METHOD,
    ...(hooks.onRefit ? { onRefit: hooks.onRefit } : {}),
    withoutTask: psisSource(table, options, run),
  });
}
