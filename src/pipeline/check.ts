/**
 * `compare --check`: does the recommendation depend on the modelling choices? The default model and
 * its nearest variants (without the category terms, student-t residuals, without the
 * heuristic x backbone interaction) are fitted to the same rows, compared by PSIS-LOO
 * (loo_compare) and by their recommendations (overall and per category).
 */

import { topLevelTerms } from '../analysis/formula.js';
import { statedQuantities } from '../analysis/sensitivity-quantities.js';
import type {
  CheckModel,
  Comparison,
  ComparisonCheck,
  ComparisonPriorSensitivity,
} from '../analysis/types.js';
import type { Table } from '../data/table.js';
import { powerScaleSensitivity } from '../diagnostics/powerscale.js';
import { pointwiseLogLik } from '../model/log-lik.js';
import { logPriorDraws } from '../model/log-prior.js';
import { parsePrior } from '../model/priors.js';
import type { Family, ModelSpec, PriorRow } from '../model/spec.js';
import { type CompareOptions, type ComparisonRun, fittedTable, runComparison } from './compare.js';
import { compareLoos, looOfRun, type RunLoo } from './loo.js';

/** One variant: its name and model. */
export interface CheckVariant {
  name: string;
  formula: string;
  family: Family;
}

/** The method as stated in the JSON (`check.method`). */
export const CHECK_METHOD =
  'each model fitted to the same rows with the same sampler settings; PSIS-LOO (Vehtari, Gelman & ' +
  'Gabry 2017) with the nested gaussian effects integrated out where the model allows, ' +
  'loo_compare (elpd_diff, se_diff); a model is clearly better when |elpd_diff| > 4 and > 2 se_diff ' +
  '(Sivula, Magnusson, Matamoros & Vehtari 2022)';

function withoutTerms(formula: string, drop: (term: string) => boolean): string | null {
  const tilde = formula.indexOf('~');
  const terms = topLevelTerms(formula.slice(tilde + 1));
  const kept = terms.filter((t) => !drop(t));
  if (kept.length === terms.length) return null;
  return `${formula.slice(0, tilde).trim()} ~ ${kept.join(' + ')}`;
}

/**
 * The nearest variants of a comparison model, with a note for each variant that does not apply.
 * @example checkVariants({ formula: DEFAULT_FORMULA, family: 'gaussian' }).variants.map((v) => v.name)
 */
export function checkVariants(spec: ModelSpec): { variants: CheckVariant[]; notes: string[] } {
  const family = spec.family ?? 'gaussian';
  const variants: CheckVariant[] = [];
  const notes: string[] = [];
  const noCategory = withoutTerms(spec.formula, (t) => /\bcategory\b/.test(t));
  if (noCategory) variants.push({ name: 'without category terms', formula: noCategory, family });
  const lhs = spec.formula.slice(0, spec.formula.indexOf('~'));
  if (family === 'gaussian' && !lhs.includes('|')) {
    variants.push({ name: 'student-t residuals', formula: spec.formula, family: 'student' });
  } else if (family === 'student') {
    variants.push({ name: 'gaussian residuals', formula: spec.formula, family: 'gaussian' });
  } else {
    notes.push(
      `no residual-family variant: the ${family} family${lhs.includes('|') ? ` with ${lhs.trim()}` : ''} has no student-t counterpart here`,
    );
  }
  const noBackbone = withoutTerms(spec.formula, (t) =>
    /^\(\s*1\s*\|\s*heuristic\s*:\s*backbone\s*\)$/.test(t),
  );
  if (noBackbone) {
    variants.push({ name: 'without heuristic:backbone', formula: noBackbone, family });
  }
  return { variants, notes };
}

function bestOf(c: Comparison): { best: string | null; category_best: Record<string, string> } {
  return {
    best: c.recommendation?.best ?? null,
    category_best: Object.fromEntries(c.categories.map((k) => [k.name, k.best])),
  };
}

function modelRow(
  name: string,
  run: ComparisonRun,
  l: RunLoo,
  reference: Comparison | null,
): CheckModel {
  const { best, category_best } = bestOf(run.comparison);
  const changes: string[] = [];
  if (reference) {
    const ref = bestOf(reference);
    if (ref.best !== best) changes.push('overall');
    for (const [k, b] of Object.entries(ref.category_best)) {
      if (category_best[k] !== b) changes.push(`category:${k}`);
    }
  }
  const thr = l.loo.pareto_k_threshold;
  return {
    name,
    formula: run.spec.formula,
    family: run.spec.family ?? 'gaussian',
    elpd_loo: l.loo.elpd_loo,
    se_elpd_loo: l.loo.se_elpd_loo,
    p_loo: l.loo.p_loo,
    se_p_loo: l.loo.se_p_loo,
    looic: l.loo.looic,
    se_looic: l.loo.se_looic,
    pointwise: l.logLik.pointwise,
    high_k: l.loo.pointwise.pareto_k.filter((k) => !(k <= thr)).length,
    pareto_k_threshold: thr,
    max_rhat: run.comparison.diagnostics.max_rhat,
    divergent: run.comparison.diagnostics.divergent,
    best,
    category_best,
    changes,
  };
}

/** Dropped terms' priors would name a missing parameter: keep only the priors the variant can use. */
function priorsFor(spec: ModelSpec, formula: string): string[] {
  const groups = [...formula.matchAll(/\|\s*([^)]+)\)/g)].map((m) => m[1].replace(/\s+/g, ''));
  return (spec.priors ?? []).filter((p) => {
    const parsed = parsePrior(p);
    return parsed.class !== 'sd' || groups.includes(parsed.group.replace(/\s+/g, ''));
  });
}

/**
 * Fit the variants of a comparison run and compare them with it (the `check` section of the
 * Comparison document).
 * @example run.comparison.check = await modelCheck(table, options, run);
 */
export async function modelCheck(
  table: Table,
  options: CompareOptions,
  run: ComparisonRun,
  hooks: { onVariant?: (name: string, i: number, n: number) => void } = {},
): Promise<ComparisonCheck> {
  const { variants, notes } = checkVariants(run.spec);
  const base = looOfRun(run);
  const fitted: { name: string; run: ComparisonRun; loo: RunLoo }[] = [
    { name: 'default', run, loo: base },
  ];
  for (const [i, v] of variants.entries()) {
    hooks.onVariant?.(v.name, i, variants.length);
    const { model: _model, ...rest } = options;
    const vrun = await runComparison(table, {
      ...rest,
      formula: v.formula,
      family: v.family,
      priors: priorsFor(run.spec, v.formula),
      // the variants are compared by PSIS-LOO and their recommendations: no budget-curve fit
      budgetCurve: false,
    });
    fitted.push({ name: v.name, run: vrun, loo: looOfRun(vrun) });
  }
  const models = fitted.map((f, i) =>
    modelRow(f.name, f.run, f.loo, i === 0 ? null : run.comparison),
  );
  const cmp = compareLoos(fitted.map((f) => ({ model: f.name, loo: f.loo })));
  const def = cmp.find((r) => r.model === 'default');
  const top = cmp[0];
  const gap = def ? -def.elpd_diff : 0;
  const clearly = top.model !== 'default' && gap > 4 && gap > 2 * (def?.se_diff ?? 0);
  for (const m of models) {
    if (m.high_k > 0) {
      notes.push(
        `${m.name}: ${m.high_k} row(s) with Pareto k above ${m.pareto_k_threshold.toFixed(2)}; its elpd_loo is unreliable (${m.pointwise} pointwise log-likelihood)`,
      );
    }
  }
  return {
    method: CHECK_METHOD,
    models,
    loo_compare: cmp.map((r) => ({
      model: r.model,
      elpd_diff: r.elpd_diff,
      se_diff: r.se_diff,
      elpd_loo: r.elpd_loo,
      se_elpd_loo: r.se_elpd_loo,
    })),
    recommendation_changes: models.some((m) => m.changes.length > 0),
    preferred: top.model,
    clearly_better_than_default: clearly,
    notes,
  };
}

/** The method as stated in the JSON (`prior_sensitivity.method`). */
export const SENSITIVITY_METHOD =
  'power-scaling (Kallioinen, Paananen, Bürkner & Vehtari 2024; as the R package priorsense): the ' +
  'draws importance-weighted (PSIS) by the prior (brms lprior: intercept, coefficients, sds, ' +
  'family parameters) or the likelihood (conditional, summed over rows) raised to alpha - 1 for ' +
  'alpha = 0.99 and 1.01; sensitivity = (CJS(base, lower) + CJS(base, upper)) / (2 log2 1.01) for ' +
  'each stated quantity; flagged at >= 0.05';

/**
 * Power-scaling prior and likelihood sensitivity of the quantities the comparison states, from the
 * run's own draws (no refit).
 * @example run.comparison.prior_sensitivity = priorSensitivity(run);
 */
export function priorSensitivity(run: ComparisonRun): ComparisonPriorSensitivity {
  const { comparison: c, prepared, fit } = run;
  const table = fittedTable(prepared);
  const rows = (c.settings?.priors as PriorRow[] | undefined) ?? run.model.priors;
  const prior = logPriorDraws(run.spec, table, rows, fit.draws);
  const ll = pointwiseLogLik(run.spec, table, fit.draws, { pointwise: 'conditional' });
  const S = ll.nDraws * ll.nChains;
  const logLik = new Float64Array(S);
  for (let n = 0; n < ll.nObs; n++) for (let s = 0; s < S; s++) logLik[s] += ll.values[n * S + s];
  const quantities = statedQuantities(
    {
      table: prepared.table,
      draws: fit.draws,
      groups: run.model.groups,
      family: run.spec.family,
      scale: prepared.scale,
      bounded: prepared.bounded,
    },
    c.recommendation?.best ?? null,
    fit.config.seed,
  );
  const res = powerScaleSensitivity(quantities, prior.values, logLik);
  return {
    method: SENSITIVITY_METHOD,
    threshold: res.threshold,
    lower_alpha: res.lower_alpha,
    upper_alpha: res.upper_alpha,
    pareto_k: res.pareto_k,
    quantities: res.quantities,
    flagged: res.quantities.filter((q) => q.prior >= res.threshold).map((q) => q.quantity),
    skipped_priors: prior.skipped,
  };
}
