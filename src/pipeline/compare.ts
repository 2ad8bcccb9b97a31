import { readFile } from 'node:fs/promises';
import {
  BETA_BINOMIAL_SAMPLER,
  boundedTable,
  COUNT_FAMILIES,
  countModel,
  type ItemsPerTask,
} from '../analysis/binomial-items.js';
import {
  budgetCurvePlan,
  CURVE_MIN_BUDGETS,
  type CurveFit,
  curveBudgetSection,
} from '../analysis/budget-curves.js';
import { likelyCauses } from '../analysis/causes.js';
import { adaptFormula, type DataShape, itemModelChoice } from '../analysis/formula.js';
import {
  compareFromFit,
  comparisonDiagnostics,
  type DecisionOptions,
  isStandardized,
  SCALE_MODES,
  type ScaleMode,
  scaleTable,
} from '../analysis/from-fit.js';
import {
  type ColumnOverrides,
  type PreparedComparison,
  prepareComparison,
} from '../analysis/prepare.js';
import {
  priorRowsInUserUnits,
  standardizedInput,
  unstandardizeDraws,
} from '../analysis/standardize.js';
import type { Comparison } from '../analysis/types.js';
import { assertTable } from '../data/access.js';
import type { Table } from '../data/table.js';
import { summarizeFit } from '../diagnostics/summarize.js';
import type { Summary, Thresholds } from '../diagnostics/types.js';
import { ConfigError } from '../errors.js';
import { buildBudgetCurveModel } from '../model/budget-curve.js';
import { compileModel, type Model } from '../model/compile.js';
import { isZeroOne, itemData, itemFormula } from '../model/item-data.js';
import { buildItemModel, type ItemModel, isItemModel } from '../model/item-model.js';
import { isNestedModel, type NestedModel } from '../model/nested-model.js';
import type { CompiledModel, Family, ModelSpec, PriorRow } from '../model/spec.js';
import { sample } from '../sampler/sample.js';
import type { Fit, ProgressEvent, SamplerConfig } from '../sampler/types.js';
import { summarizeFitInWorkers } from './summarize-in-workers.js';

/**
 * The default comparison model (models/heuristic-task.json, owner: model layer), repeated here so
 * the library works from any working directory and from the built package.
 */
export const DEFAULT_FORMULA =
  'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:category) + (1|heuristic:task)';

/**
 * Default sampler settings of `compare`. adapt_delta 0.95 (CmdStan's default is 0.8): the default
 * model has four or five variance components and, with one row per heuristic x task cell (as in
 * published tables), the heuristic:task sd and sigma are only weakly identified; the narrower steps
 * of a higher target acceptance remove the divergences those funnels produce (Betancourt & Girolami
 * 2015; Stan User's Guide, "Reparameterization"). See VALIDATION.md for the fixture runs.
 */
export const COMPARE_SAMPLER_DEFAULTS = {
  chains: 4,
  warmup: 1000,
  draws: 1000,
  adaptDelta: 0.95,
  seed: 1,
} as const;

/**
 * Post-warmup draws per chain when the model has backbone terms: ~200-300 variables whose R-hat
 * is estimated from ESS ~500 each put the largest of them near the 1.01 bar by estimation noise
 * alone (seen on the LongBench fixtures: 1.011 at 1,000 draws, 1.005 at 2,000); twice the draws
 * halve that noise's variance (Vehtari et al. 2021, "Rank-normalization, folding, and
 * localization", section 4.4 on the variability of R-hat).
 */
export const COMPARE_BACKBONE_DRAWS = 2000;

/**
 * The metric of the comparison model with backbone terms (the nested model, heuristic x task
 * integrated out): the Fisher-divergence diagonal metric (src/sampler/fisher.ts) instead of Stan's
 * windowed variances. On the six fixtures with backbones, sampler seeds 1-5, it kept R-hat <= 1.006
 * and 0 divergences with 9-38% less CPU (the question-agnostic Ada-KV table 15.6 instead of 19.9
 * CPU s, HeadKV 12.0 instead of 19.3); its ESS is lower (bulk >= 1,250, tail >= 919 against
 * >= 1,550 and >= 1,671 with diag), far above the 400 the diagnostics ask (BENCHMARKS.md §9.6).
 * Without backbones `diag` stays: there fisher-diag had less ESS per CPU second on lra_xformers
 * (BENCHMARKS.md §8.1).
 */
export const COMPARE_BACKBONE_METRIC = 'fisher-diag' as const;

/**
 * Whether `compare` fits the budget-curve model when it applies (every method at 3+ budgets) and
 * neither `--budget-curve` nor `--no-budget-curve` is given: true. It samples cleanly (0
 * divergences, R-hat <= 1.007 on both Ada-KV tables, seeds 1-5; BENCHMARKS.md §9.5), and with the
 * backbone models' COMPARE_BACKBONE_METRIC and its chains on worker threads beside the document the
 * whole question-agnostic run takes 12.9-13.1 s of wall (24 CPU s) on 2 idle cores, the
 * question-aware one 11.5 s, inside the 15 s a default must meet (BENCHMARKS.md §9.6). (An earlier
 * 15.4-15.7 s was measured while another process held a core.)
 */
export const BUDGET_CURVE_DEFAULT = true;

/** Options of `compare`. */
export interface CompareOptions extends DecisionOptions {
  /** Column names to use instead of the detected ones. */
  columns?: ColumnOverrides;
  /** Row filters `column=value` (all must hold). */
  filters?: readonly string[];
  /** Drop rows whose score is missing or not finite (default: such rows are an error). */
  dropMissing?: boolean;
  /** 'task' standardizes the scores per task before fitting (mixed metrics). Default 'none'. */
  scale?: ScaleMode;
  /** A whole model (as in models/*.json); default: the heuristic-task model adapted to the data. */
  model?: ModelSpec;
  /** A formula on the canonical columns (score, heuristic, task, category, study, seed, se, trials). */
  formula?: string;
  family?: Family;
  /** Extra priors in the CLI syntax, e.g. 'sd_task ~ student_t(3, 0, 5)'. */
  priors?: readonly string[];
  /** Sampler settings (defaults: COMPARE_SAMPLER_DEFAULTS). */
  sampler?: SamplerConfig;
  /**
   * Integrate the heuristic x task effect out of gaussian varying-intercept models (default true;
   * compileModel's `marginalize: 'nested'`, src/model/nested-model.ts). false samples the model
   * layer's default parameterization.
   */
  marginalize?: boolean;
  /** Diagnostic thresholds. */
  thresholds?: Partial<Thresholds>;
  onProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Where the table came from (recorded in settings). */
  source?: string;
  /**
   * Fit the budget-curve model for the budgets section (curves, losses, crossings and the
   * decisions at each observed budget) when every method has >= 3 distinct budgets
   * (src/analysis/budget-curves.ts). true: `--budget-curve`; false: `--no-budget-curve`, the
   * per-arm curves of the comparison model; default BUDGET_CURVE_DEFAULT. Not with binomial item
   * counts (per-arm curves, with a note).
   */
  budgetCurve?: boolean;
  /**
   * Items per task of accuracy-type scores: one number, or per task (src/analysis/binomial-items.ts;
   * `--items-per-task`). Default: the table of test-set sizes when it fits; 'none': not binomial.
   */
  itemsPerTask?: ItemsPerTask | 'none';
}

/** Everything a run of `compare` produced (the CLI and web app use more than the document). */
export interface ComparisonRun {
  comparison: Comparison;
  prepared: PreparedComparison;
  spec: ModelSpec;
  /**
   * The model that was sampled (the nested-chain model or the model layer's default), on the
   * standardized scale when `comparison.settings.response_scale` is set; `fit.draws` are in the
   * user's units.
   */
  model: CompiledModel | NestedModel | ItemModel;
  fit: Fit;
  summary: Summary;
}

/**
 * Read a model spec file (models/*.json).
 * @example await readModelSpec('models/heuristic-task.json')
 */
export async function readModelSpec(path: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`--model: cannot read ${path}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--model: ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (!spec || typeof spec !== 'object' || typeof (spec as ModelSpec).formula !== 'string') {
    throw new ConfigError(`--model: ${path} needs a "formula" string`);
  }
  return spec as ModelSpec;
}

/**
 * The model spec a comparison fits: the user's model or formula as given, else the default
 * heuristic-task model adapted to the data (category terms only with categories, `(1|study)` with
 * several studies, `se(se)` for mean +- sd rows, `trials(trials)` with a binomial family for counts).
 * @example comparisonSpec(prepared, {}).formula
 */
export function comparisonSpec(prepared: PreparedComparison, options: CompareOptions): ModelSpec {
  const priors = [...(options.model?.priors ?? []), ...(options.priors ?? [])];
  const isDefault = (f: string) => f.replace(/\s+/g, '') === DEFAULT_FORMULA.replace(/\s+/g, '');
  // models/heuristic-task.json given explicitly is the default model: adapt it like the default
  if (options.model && !isDefault(options.model.formula)) {
    return { ...options.model, priors, ...(options.family ? { family: options.family } : {}) };
  }
  if (options.formula)
    return { formula: options.formula, family: options.family ?? 'gaussian', priors };
  const shape = dataShape(prepared);
  // item counts with backbones: the beta-binomial, whose precision carries each row's variation
  // beyond item sampling (src/analysis/binomial-items.ts countModel)
  const counts = countModel(prepared.bounded, shape.hasBackbone, options.family);
  return {
    name: options.model?.name ?? 'heuristic-task',
    formula: adaptFormula(DEFAULT_FORMULA, shape) + counts.rowTerm,
    family: options.family ?? counts.family ?? (shape.hasTrials ? 'binomial' : 'gaussian'),
    priors,
  };
}

/** What the prepared table holds, deciding how the default model is adapted. */
function dataShape(prepared: PreparedComparison): DataShape {
  const t = prepared.table;
  const levels = (name: string) => {
    const c = t.columns[name];
    return c?.type === 'factor' ? new Set(Array.from(c.codes).filter((x) => x >= 0)).size : 0;
  };
  return {
    hasCategory: levels('category') > 0,
    hasStudy: levels('study') > 1,
    hasSe: t.columns.se?.type === 'numeric',
    // a trials column, or counts of the items per task (src/analysis/binomial-items.ts)
    hasTrials: t.columns.trials?.type === 'numeric' || prepared.bounded?.likelihood === 'binomial',
    taskScaled: isStandardized(prepared.scale),
    hasBackbone: levels('backbone') > 1,
  };
}

/**
 * The paired item model's family when `compare` fits it (an item column, the default model; see
 * analysis/formula.ts itemModelChoice), else null; why not goes into the notes.
 */
function itemFamily(
  prepared: PreparedComparison,
  options: CompareOptions,
): 'gaussian' | 'bernoulli' | null {
  const t = prepared.table;
  if (t.columns.item?.type !== 'factor' || options.model || options.formula) return null;
  const score = t.columns.score;
  const zeroOne = score?.type === 'numeric' && isZeroOne(score.values);
  const choice = itemModelChoice(
    { ...dataShape(prepared), hasItem: true, zeroOne },
    options.family,
  );
  if (!choice) return null;
  if ('reason' in choice) {
    prepared.notes.push(choice.reason);
    return null;
  }
  return choice.family;
}

/** The model layer's parameterization as the settings state it (which terms it centred). */
function centredNote(centred: readonly string[]): string {
  return centred.length > 0
    ? `group effects ${centred.join(', ')} centred, the others non-centred (model layer)`
    : 'non-centred group effects (model layer)';
}

/**
 * The table the model is fitted to, in the units of the draws: the prepared table, scaled per task
 * with `--scale task`, and a bounded score at its ceiling on the logit scale (src/analysis/bounded.ts).
 * @example pointwiseLogLik(run.spec, fittedTable(run.prepared), run.fit.draws)
 */
export function fittedTable(prepared: PreparedComparison): Table {
  const scaledTable = scaleTable(prepared.table, prepared.scale).table;
  return prepared.bounded ? boundedTable(scaledTable, prepared.bounded) : scaledTable;
}

/**
 * The table `runComparison` fits its model to: `fittedTable`, except for the paired item model,
 * which fits per-example scores as they are (0/1 on the logit link, gaussian otherwise), not their
 * logit. The web app's pre-fit check and priors preview use it too, so they see what the fit sees.
 * @example comparisonPriors(modelInputTable(prepared, options), comparisonSpec(prepared, options))
 */
export function modelInputTable(prepared: PreparedComparison, options: CompareOptions): Table {
  return itemFamily(prepared, options)
    ? scaleTable(prepared.table, prepared.scale).table
    : fittedTable(prepared);
}

/**
 * The whole pipeline with its intermediate results: prepare the data, fit the model with NUTS,
 * summarize the diagnostics and build the Comparison.
 * @example const run = await runComparison(table, { rope: 1 }); run.summary.warnings
 */
export async function runComparison(
  table: Table,
  options: CompareOptions = {},
): Promise<ComparisonRun> {
  assertTable(table, 'compare');
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('compare: options must be an object (CompareOptions)');
  }
  if (options.scale !== undefined && !SCALE_MODES.includes(options.scale)) {
    throw new ConfigError(
      `--scale must be ${SCALE_MODES.join(', ')} (got ${String(options.scale)})`,
    );
  }
  const prepared = prepareComparison(table, options);
  const scale = prepared.scale;
  const itemFam = itemFamily(prepared, options);
  const upper = comparisonSpec(prepared, options);
  // per-example rows with an item column: the paired item model (src/model/item-model.ts), whose
  // upper part is the default model; its spec (reported) adds (1|task:item)
  const spec = itemFam
    ? {
        ...upper,
        name: 'heuristic-task-item',
        formula: itemFormula(upper.formula),
        family: itemFam,
      }
    : upper;
  // a bounded score at its ceiling is fitted on the logit scale (src/analysis/bounded.ts); the
  // item model fits per-example scores as they are (0/1 on the logit link, gaussian otherwise)
  const bounded = itemFam ? null : prepared.bounded;
  if (
    bounded?.likelihood === 'binomial' &&
    (!COUNT_FAMILIES.includes(spec.family ?? 'gaussian') || !/trials\(/.test(spec.formula))
  ) {
    throw new ConfigError(
      'the items per task make the scores binomial counts: the model needs family binomial or beta_binomial and score | trials(trials) (or give --items-per-task none)',
    );
  }
  if (itemFam && prepared.bounded) {
    // the preparation's note says the model is fitted on the logit: not so here
    const reason = prepared.bounded.reason;
    const k = prepared.notes.findIndex((n) => n.startsWith(`${reason}: `));
    const note = `${reason}: the paired item model fits the per-example scores as they are (${itemFam === 'bernoulli' ? 'bernoulli, logit link' : 'gaussian'}), not their logit`;
    if (k >= 0) prepared.notes[k] = note;
    else prepared.notes.push(note);
  }
  const fitted = modelInputTable(prepared, options);
  // Scale-free fit (src/analysis/standardize.ts): the model sees (score - center) / scale and the
  // user's priors in those units; the draws are put back in the fitted table's units right after
  // sampling, so everything downstream is unchanged. null: family not standardized.
  const {
    scale: std,
    spec: modelSpec,
    table: modelTable,
  } = standardizedInput(fitted, itemFam ? { ...upper, family: itemFam } : spec);
  const model = itemFam
    ? buildItemModel(itemData(modelTable, modelSpec, itemFam))
    : options.marginalize === false
      ? compileModel(modelSpec, modelTable)
      : compileModel(modelSpec, modelTable, { marginalize: 'nested' });
  const item = isItemModel(model);
  const nested = !item && isNestedModel(model);
  const config: SamplerConfig = {
    ...COMPARE_SAMPLER_DEFAULTS,
    ...(/\bbackbone\b/.test(spec.formula)
      ? { draws: COMPARE_BACKBONE_DRAWS, ...(nested ? { metric: COMPARE_BACKBONE_METRIC } : {}) }
      : {}),
    ...(spec.family === 'beta_binomial' ? BETA_BINOMIAL_SAMPLER : {}),
    ...options.sampler,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if ((nested || item) && config.inits === undefined) {
    config.inits = model.inits(config.chains ?? 4, config.seed ?? 1);
  }
  // the budget-curve model fits scores, not counts: with the binomial model the per-arm curves
  const counts = bounded?.likelihood === 'binomial';
  const curvePlan = budgetCurveFitPlan(fitted, options, config, counts);
  const fit = await sample(model, config);
  if (std) unstandardizeDraws(fit.draws, std);
  // the rows on the chains' worker threads when the chains ran there (same rows either way); the
  // Comparison document (the larger part: ~10 CPU s at 500 tasks) is built on this thread
  // meanwhile, and the summary's two fields (diagnostics, warnings) are filled in afterwards
  const inWorkers =
    config.parallel === false ? null : summarizeFitInWorkers(fit, options.thresholds);
  // if building the document throws, the summary's own failure is not left unhandled
  inWorkers?.catch(() => undefined);
  // the budget-curve model's chains start now, on worker threads only, so they run while this
  // thread builds the document: started beside the comparison's chains, half of them ran on this
  // thread and the document waited for them (BENCHMARKS.md §9.6)
  const curve = { notes: curvePlan.notes, fit: curvePlan.start?.() };
  curve.fit?.catch(() => undefined);
  const summaryHere = inWorkers ? undefined : summarizeFit(fit, options.thresholds);
  const comparison = compareFromFit(
    {
      table: prepared.table,
      draws: fit.draws,
      summary: summaryHere,
      groups: model.groups,
      family: spec.family ?? 'gaussian',
      formula: spec.formula,
      scale,
      bounded,
      proportionUpper: prepared.proportionUpper,
      notes: [...prepared.notes, ...curve.notes],
      ...(item ? { ppc: false } : {}),
      settings: {
        ...prepared.settings,
        ...(options.source ? { source: options.source } : {}),
        model: spec.name ?? null,
        parameterization: item
          ? `item effects integrated out (${itemFam === 'gaussian' ? 'exact, compound-symmetric normal' : 'trapezoid rule per (pattern, sum score) class'}), heuristic x task predictors ${model.data.cellCentred ? 'centred' : 'non-centred'}, other group effects as their mean and Helmert contrasts`
          : nested
            ? 'heuristic:task effect integrated out (exact), other group effects non-centred'
            : centredNote((model as Model).internals.centred),
        priors: std ? priorRowsInUserUnits(model.priors, std) : model.priors.map((p) => ({ ...p })),
        ...(std ? { response_scale: { center: std.center, scale: std.scale } } : {}),
        chains: fit.config.chains,
        warmup: fit.config.warmup,
        draws: fit.config.draws,
        seed: fit.config.seed,
        adapt_delta: fit.config.adaptDelta,
      },
    },
    {
      rope: options.rope,
      threshold: options.threshold,
      higherIsBetter: prepared.higherIsBetter,
      seed: fit.config.seed,
    },
  );
  if (curve.fit) {
    // the budgets section from the curve posterior; its note where the per-arm note would be
    const curveFit = await curve.fit;
    comparison.budgets = curveBudgetSection(curveFit, comparison, { bounded }) ?? undefined;
    comparison.notes?.splice(prepared.notes.length, 0, curveNote(curveFit));
  }
  const summary = summaryHere ?? (await (inWorkers as Promise<Summary>));
  comparison.diagnostics = comparisonDiagnostics(summary);
  comparison.warnings = summary.warnings;
  const causes = likelyCauses(
    model.groups,
    comparison.diagnostics,
    1.01,
    prepared.table,
    // the logit-normal model already keeps a bounded score inside its bounds; lower-is-better
    // scores are negated in prepared.table
    prepared.bounded || !prepared.higherIsBetter ? 0 : prepared.proportionUpper,
  );
  if (causes.length > 0) comparison.likely_causes = causes;
  return { comparison, prepared, spec, model, fit, summary };
}

/**
 * The budget-curve model's fit on the fitted table (after `--scale task` and the logit of a
 * bounded score) when it applies (src/analysis/budget-curves.ts) and is not turned off: `start`
 * starts it (its promise), with the comparison's sampler settings but 1,000 draws per chain, the
 * `fisher-diag` metric and every chain on a worker thread of its own; else the note that says
 * which curves the budgets section reports and why. No budget column: nothing.
 */
function budgetCurveFitPlan(
  fitted: Table,
  options: CompareOptions,
  config: SamplerConfig,
  counts: boolean,
): { start?: () => Promise<CurveFit>; notes: string[] } {
  if (!fitted.columns.budget) return { notes: [] };
  const plan = budgetCurvePlan(fitted);
  const why =
    plan.reason !== undefined
      ? plan.reason
      : counts
        ? 'the scores are binomial counts of items'
        : options.budgetCurve === false
          ? 'turned off, --no-budget-curve'
          : options.budgetCurve !== true && !BUDGET_CURVE_DEFAULT
            ? 'it is opt-in, --budget-curve'
            : undefined;
  if (why !== undefined || !plan.data) {
    return {
      notes: [
        `budget curves: each method@budget arm of the comparison model at the observed budgets (the budget-curve model is not used: ${why})`,
      ],
    };
  }
  const data = plan.data;
  const model = buildBudgetCurveModel(data);
  const curveConfig: SamplerConfig = {
    ...config,
    draws: options.sampler?.draws ?? COMPARE_SAMPLER_DEFAULTS.draws,
    // the Fisher-divergence diagonal metric: on the Ada-KV tables 0 divergences and ~35% less
    // CPU than Stan's windowed variances, which left 2 (BENCHMARKS.md §9.3)
    metric: options.sampler?.metric ?? 'fisher-diag',
    // every chain on a worker thread (none on this one, which builds the document meanwhile);
    // where a chain runs does not change its draws
    threads: options.sampler?.threads ?? 'each',
    onProgress: undefined,
  };
  // its own starting points (config.inits, when set, are the comparison model's)
  curveConfig.inits = model.inits(curveConfig.chains ?? 4, curveConfig.seed ?? 1);
  // its diagnostics on the pool's threads too (the same rows), beside the document
  const start = () =>
    sample(model, curveConfig).then(async (f) => ({
      data,
      draws: f.draws,
      diagnostics: comparisonDiagnostics(
        config.parallel === false
          ? summarizeFit(f, options.thresholds)
          : await summarizeFitInWorkers(f, options.thresholds),
      ),
    }));
  return { start, notes: [] };
}

/** The note of a fitted budget-curve model: what it is, on how many methods, how it sampled. */
function curveNote(fit: CurveFit): string {
  const d = fit.diagnostics;
  return `budget curves: the budget-curve model (src/model/budget-curve.ts: per method a smooth loss against the full cache, decreasing in log budget, hierarchical over methods, tasks and backbones; ${fit.data.methods.length} methods with >= ${CURVE_MIN_BUDGETS} budgets each), read at the observed budgets and on a grid between them, with the decisions at each observed budget; R-hat ${d.max_rhat.toFixed(3)}, ${d.divergent} divergent transitions (--no-budget-curve: each method@budget arm instead)`;
}

/**
 * From a benchmark table to decisions: which heuristic is better on which kind of task, and how
 * sure that is (the Comparison document of `bayesbench compare --json`).
 * @example
 * const table = await readCsvFile('fixtures/real/lra_tay2021.csv');
 * const c = await compare(table, { sampler: { seed: 1 } });
 * c.categories.map((k) => [k.name, k.best, k.p_best]);
 */
export async function compare(table: Table, options: CompareOptions = {}): Promise<Comparison> {
  return (await runComparison(table, options)).comparison;
}

/**
 * The priors a comparison of `table` (the table the model sees before standardizing: after
 * `scaleTable`) with `spec` uses, in the score's units: what `runComparison` records in
 * `settings.priors`, for previews (`bayesbench priors`, the web app's new-fit page).
 * @example comparisonPriors(prepared.table, comparisonSpec(prepared, {}))[0].prior
 */
export function comparisonPriors(table: Table, spec: ModelSpec): PriorRow[] {
  const input = standardizedInput(table, spec);
  const priors = compileModel(input.spec, input.table).priors;
  return input.scale ? priorRowsInUserUnits(priors, input.scale) : priors.map((p) => ({ ...p }));
}
