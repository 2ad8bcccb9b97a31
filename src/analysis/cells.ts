import type { Draws } from '../draws/draws.js';
import { ConfigError } from '../errors.js';
import type { GroupInfo } from '../model/spec.js';
import { type Bounded, fromLogit } from './bounded.js';
import type { ComparisonDesign } from './design.js';
import { NUISANCE_FACTORS } from './design.js';
import { createNormalRng } from './random.js';

/**
 * Cell means: each heuristic's expected score on each task, draw by draw, from the draws of a
 * varying-intercept model in brms naming (Buerkner 2017, J. Stat. Softw. 80(1), section 2):
 *
 *   mu[h, t] = b_Intercept + r_heuristic[h] + r_task[t] + r_heuristic:category[h, cat(t)]
 *              + r_heuristic:task[h, t] (+ r_study / r_seed terms averaged over their observed levels)
 *
 * generalised to any `(1|g)` term whose factors are among heuristic, task, category, study, seed.
 * A level the data never saw (e.g. a heuristic never run on a category) gets a draw from its
 * population, N(0, sd_g) per posterior draw (brms' sample_new_levels = "gaussian"), so its
 * uncertainty is honest rather than zero. Results are on the response scale (inverse link).
 */

/** A grouping term of the model: the model layer's (CompiledModel.groups), one meaning. */
export type { GroupInfo };

/** Cell draws: values[s + nSamples * (h + nHeuristics * t)] = draw s of heuristic h on task t. */
export interface CellDraws {
  heuristics: readonly string[];
  tasks: readonly string[];
  nSamples: number;
  values: Float64Array;
}

/** Options of `cellDraws`. */
export interface CellOptions {
  /** Group metadata from the compiled model; parsed from variable names when absent. */
  groups?: readonly GroupInfo[];
  /** Response family (inverse link): identity for gaussian/student, logistic for binomial/beta. */
  family?: string;
  /** Seed of the new-level draws (default 1). */
  seed?: number;
  /**
   * A bounded score fitted on the logit scale (src/analysis/bounded.ts): cell means are
   * `fromLogit(eta)` (upper * logistic(eta), the squeeze of 0 and 1 undone), in score units.
   */
  bounded?: Pick<Bounded, 'upper' | 'n'> | null;
  /**
   * Factors held at one value in every cell instead of averaged out (e.g. `{ backbone: 'llama' }`
   * for the results on one backbone); a level the data never saw is drawn from its population.
   */
  fixed?: Readonly<Record<string, string>>;
}

/**
 * Index of every variable by name.
 * @example variableIndex(draws).get('b_Intercept') // 0
 */
export function variableIndex(draws: Pick<Draws, 'variables'>): Map<string, number> {
  return new Map(draws.variables.map((v, i) => [v, i]));
}

/**
 * Recover the grouping terms from brms variable names (`r_GROUP[LEVEL,COEF]`) when the model's
 * metadata is not at hand (e.g. draws read back from a store). Levels are matched against the
 * combinations the data hold, so level names containing '_' stay unambiguous.
 * @example groupsFromVariables(draws.variables, design)[0].group // 'heuristic'
 */
export function groupsFromVariables(
  variables: readonly string[],
  design: ComparisonDesign,
): GroupInfo[] {
  const names = new Set(variables);
  const groupNames = new Set<string>();
  for (const v of variables) {
    const m = /^r_(.+)\[.*\]$/.exec(v);
    if (m) groupNames.add(m[1]);
  }
  const out: GroupInfo[] = [];
  for (const group of groupNames) {
    const factors = group.split(':');
    const cols = factors.map((f) => design.rowValues[f]);
    if (cols.some((c) => c === undefined)) continue;
    const seen = new Set<string>();
    const levels: string[][] = [];
    for (let i = 0; i < design.nRows; i++) {
      const combo = cols.map((c) => (c as readonly (string | null)[])[i]);
      if (combo.some((x) => x === null)) continue;
      const key = combo.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      if (names.has(`r_${group}[${combo.join('_')},Intercept]`)) levels.push(combo as string[]);
    }
    out.push({ group, factors, levels, coefs: ['Intercept'] });
  }
  return out;
}

function inverseLink(family: string | undefined): (eta: number) => number {
  switch (family) {
    case 'binomial':
    case 'bernoulli':
    case 'beta':
    case 'beta_binomial':
      return (eta) => 1 / (1 + Math.exp(-eta));
    case 'lognormal':
      return (eta) => Math.exp(eta);
    default:
      return identityLink;
  }
}

function identityLink(eta: number): number {
  return eta;
}

/**
 * The variable indices of a term's levels that match a cell's non-nuisance factors (null: a
 * nuisance factor, averaged over) and that are in the draws, in the levels' order.
 */
function presentLevels(
  term: GroupTerm,
  keyFactors: readonly (string | null | undefined)[],
): Int32Array {
  const g = term.info;
  const matching: number[] = [];
  if (term.nuisance.some(Boolean)) {
    g.levels.forEach((lv, i) => {
      if (lv.every((x, k) => term.nuisance[k] || x === keyFactors[k])) matching.push(i);
    });
  } else {
    const i = term.byKey.get((keyFactors as string[]).join('\u0000'));
    if (i !== undefined) matching.push(i);
  }
  return Int32Array.from(
    matching.filter((i) => term.levelVar[i] >= 0),
    (i) => term.levelVar[i],
  );
}

/**
 * acc[s] += w * draws of each variable in `vars`, variable by variable (the order of the sum is
 * the order of `vars`). A small function of its own so that V8 optimizes it after a few calls and
 * every cell of every pass shares the optimized code.
 */
function addAverage(
  acc: Float64Array,
  all: Float64Array,
  vars: Int32Array,
  S: number,
  w: number,
): void {
  for (let j = 0; j < vars.length; j++) {
    const base = vars[j] * S;
    for (let s = 0; s < S; s++) acc[s] += w * all[base + s];
  }
}

/** acc[s] += x[s]. */
function addInto(acc: Float64Array, x: Float64Array): void {
  for (let s = 0; s < acc.length; s++) acc[s] += x[s];
}

/** Per-draw contribution of one group to a cell or row, with its source for notes. */
interface GroupTerm {
  info: GroupInfo;
  /** variable index of each level's Intercept coefficient (-1 when missing). */
  levelVar: Int32Array;
  /** key (joined factor values) -> level index */
  byKey: Map<string, number>;
  sdVar: number;
  nuisance: boolean[];
}

function prepareGroups(
  draws: Draws,
  groups: readonly GroupInfo[],
  fixed: Readonly<Record<string, string>> = {},
): { terms: GroupTerm[]; ignored: string[] } {
  const idx = variableIndex(draws);
  const terms: GroupTerm[] = [];
  const ignored: string[] = [];
  const known = new Set<string>(['heuristic', 'task', 'category', ...NUISANCE_FACTORS]);
  for (const g of groups) {
    if (!g.coefs.includes('Intercept') || g.factors.some((f) => !known.has(f))) {
      ignored.push(g.group);
      continue;
    }
    if (g.coefs.length > 1) ignored.push(`${g.group} (slopes)`);
    const levelVar = Int32Array.from(
      g.levels,
      (lv) => idx.get(`r_${g.group}[${lv.join('_')},Intercept]`) ?? -1,
    );
    const byKey = new Map(g.levels.map((lv, i) => [lv.join('\u0000'), i]));
    terms.push({
      info: g,
      levelVar,
      byKey,
      sdVar: idx.get(`sd_${g.group}__Intercept`) ?? -1,
      nuisance: g.factors.map(
        (f) => (NUISANCE_FACTORS as readonly string[]).includes(f) && !Object.hasOwn(fixed, f),
      ),
    });
  }
  return { terms, ignored };
}

/** Population-level terms other than the intercept, which cell means cannot place. */
function otherPopulationTerms(draws: Draws): string[] {
  return draws.variables.filter((v) => v.startsWith('b_') && v !== 'b_Intercept');
}

/** Result of `cellDraws`: the cells plus notes about terms it could not place. */
export interface CellResult {
  cells: CellDraws;
  notes: string[];
}

/**
 * Cell means of every heuristic on every task, per posterior draw (all chains pooled).
 * @example
 * const { cells } = cellDraws(fit.draws, designFromTable(prepared.table), { groups: model.groups });
 * cells.values[s + cells.nSamples * (h + cells.heuristics.length * t)]
 */
export function cellDraws(
  draws: Draws,
  design: ComparisonDesign,
  options: CellOptions = {},
): CellResult {
  const S = draws.nDraws * draws.nChains;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  const values = new Float64Array(S * H * T);
  const { notes } = forEachTaskCells(draws, design, options, (t, block) => {
    values.set(block, S * H * t);
  });
  return {
    cells: { heuristics: design.heuristics, tasks: design.tasks, nSamples: S, values },
    notes,
  };
}

/**
 * `cellDraws` one task at a time: calls `fn(t, block)` for t = 0, 1, ... with the task's cell
 * draws (block[s + S * h]; the buffer is reused, copy what you keep), with the same values and the
 * same random draws (unobserved levels) as `cellDraws`. Memory O(S x H) instead of O(S x H x T)
 * (320 MB at 500 tasks, 20 heuristics and 4,000 draws).
 * @example forEachTaskCells(fit.draws, design, {}, (t, block) => console.log(t, block[0]))
 */
export function forEachTaskCells(
  draws: Draws,
  design: ComparisonDesign,
  options: CellOptions,
  fn: (t: number, block: Float64Array) => void,
): { notes: string[] } {
  const idx = variableIndex(draws);
  const S = draws.nDraws * draws.nChains;
  const H = design.heuristics.length;
  const T = design.tasks.length;
  const interceptVar = idx.get('b_Intercept');
  if (interceptVar === undefined) {
    throw new ConfigError('the draws have no b_Intercept: compare needs a model with an intercept');
  }
  const groups = options.groups ?? groupsFromVariables(draws.variables, design);
  const { terms, ignored } = prepareGroups(draws, groups, options.fixed);
  const notes: string[] = [];
  if (ignored.length > 0) {
    notes.push(`terms not part of the cell means (left out): ${ignored.join(', ')}`);
  }
  const others = otherPopulationTerms(draws);
  if (others.length > 0) {
    notes.push(`population-level terms left out of the cell means: ${others.join(', ')}`);
  }
  const rng = createNormalRng(options.seed ?? 1);
  const all = draws.values;
  const newLevelCache = new Map<string, Float64Array>();
  const newLevels = new Set<string>();
  const eta = new Float64Array(S);
  const values = new Float64Array(S * H);
  const bounded = options.bounded;
  const inv = bounded ? (eta: number) => fromLogit(eta, bounded) : inverseLink(options.family);
  const identity = !bounded && inverseLink(options.family) === identityLink;
  const sigmaVar = idx.get('sigma');
  const lognormal = options.family === 'lognormal' && sigmaVar !== undefined;
  // the levels a term averages for a cell depend only on the cell's non-nuisance factors:
  // computed once per term and key, not once per cell
  const plans = terms.map(() => new Map<string, Int32Array>());
  for (let t = 0; t < T; t++) {
    const cellFactor: Record<string, string | null> = {
      ...options.fixed,
      task: design.tasks[t],
      category: design.taskCategory[t],
    };
    for (let h = 0; h < H; h++) {
      cellFactor.heuristic = design.heuristics[h];
      const out = values.subarray(S * h, S * (h + 1));
      // identity link: the sums go straight into the output (the same additions in the same order)
      const acc = identity && !lognormal ? out : eta;
      acc.set(all.subarray(interceptVar * S, (interceptVar + 1) * S));
      for (let k = 0; k < terms.length; k++) {
        const term = terms[k];
        const g = term.info;
        const keyFactors = g.factors.map((f, j) => (term.nuisance[j] ? null : cellFactor[f]));
        if (keyFactors.some((v, j) => !term.nuisance[j] && (v === null || v === undefined))) {
          continue; // e.g. a category term while this task has no category
        }
        const keyText = keyFactors.join('\u0000');
        let present = plans[k].get(keyText);
        if (!present) {
          present = presentLevels(term, keyFactors);
          plans[k].set(keyText, present);
        }
        if (present.length > 0) {
          addAverage(acc, all, present, S, 1 / present.length);
          continue;
        }
        // a level the data never saw: draw it from the group's population, once per level
        const key = `${g.group}\u0001${keyText}`;
        let draw = newLevelCache.get(key);
        if (!draw) {
          draw = new Float64Array(S);
          if (term.sdVar >= 0) {
            const sdv = all.subarray(term.sdVar * S, (term.sdVar + 1) * S);
            for (let s = 0; s < S; s++) draw[s] = sdv[s] * rng.normal();
          }
          newLevelCache.set(key, draw);
          newLevels.add(`${g.group}[${keyFactors.filter((x) => x !== null).join('_')}]`);
        }
        addInto(acc, draw);
      }
      if (lognormal) {
        const sg = all.subarray((sigmaVar as number) * S, ((sigmaVar as number) + 1) * S);
        for (let s = 0; s < S; s++) out[s] = Math.exp(eta[s] + 0.5 * sg[s] * sg[s]);
      } else if (!identity) {
        for (let s = 0; s < S; s++) out[s] = inv(eta[s]);
      }
    }
    fn(t, values);
  }
  if (newLevels.size > 0) {
    const list = [...newLevels];
    notes.push(
      `${list.length} unobserved level(s) drawn from their population (no data): ` +
        `${list.slice(0, 5).join(', ')}${list.length > 5 ? ', ...' : ''}`,
    );
  }
  return { notes };
}

/**
 * Each row's variable index (into the draws) of every group term's level (-1 = none), nuisance
 * levels included as observed. One Map lookup per row and term on a numeric key of per-factor codes
 * (joined strings per row took seconds at 1M rows).
 * @example rowLevelVariables(draws, design, groups).rowLevel[0][0] // variable index of row 0's level
 */
export function rowLevelVariables(
  draws: Pick<Draws, 'variables'>,
  design: ComparisonDesign,
  groups: readonly GroupInfo[],
): { rowLevel: Int32Array[] } {
  const N = design.nRows;
  const { terms } = prepareGroups(draws as Draws, groups);
  const codesOf = new Map<string, { codes: Int32Array; values: (string | null)[] }>();
  const factorCodes = (f: string) => {
    const known = codesOf.get(f);
    if (known) return known;
    const col = design.rowValues[f];
    const codes = new Int32Array(N).fill(-1);
    const values: (string | null)[] = [];
    if (col) {
      const code = new Map<string, number>();
      for (let i = 0; i < N; i++) {
        const v = col[i];
        if (v === null) continue;
        let c = code.get(v);
        if (c === undefined) {
          c = values.length;
          code.set(v, c);
          values.push(v);
        }
        codes[i] = c;
      }
    }
    const entry = { codes, values };
    codesOf.set(f, entry);
    return entry;
  };
  const rowLevel = terms.map((term) => {
    const fs = term.info.factors.map(factorCodes);
    const out = new Int32Array(N);
    const cache = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      let key = 0;
      let missing = false;
      for (const f of fs) {
        const c = f.codes[i];
        if (c < 0) missing = true;
        key = key * (f.values.length + 1) + c + 1;
      }
      if (missing) {
        out[i] = -1;
        continue;
      }
      let v = cache.get(key);
      if (v === undefined) {
        const l = term.byKey.get(fs.map((f) => f.values[f.codes[i]]).join('\u0000'));
        v = l === undefined ? -1 : term.levelVar[l];
        cache.set(key, v);
      }
      out[i] = v;
    }
    return out;
  });
  return { rowLevel };
}

/**
 * The linear predictor (link scale) at draw s for n places, each given by its level variables:
 * out[offset + j] = b_Intercept + sum over g of draws[levelVars[g][j]] (a level variable of -1
 * adds nothing). Places are data rows (`rowPredictors`) or atoms of identical rows (the PPC).
 * @example predictorAt(draws, 7, interceptVar, rowLevel, nRows, eta) // eta[i]: row i at draw 7
 */
export function predictorAt(
  draws: Draws,
  s: number,
  interceptVar: number,
  levelVars: readonly Int32Array[],
  n: number,
  out: Float64Array,
  offset = 0,
): void {
  const S = draws.nDraws * draws.nChains;
  const base = interceptVar >= 0 ? draws.values[interceptVar * S + s] : 0;
  for (let j = 0; j < n; j++) {
    let e = base;
    for (let g = 0; g < levelVars.length; g++) {
      const v = levelVars[g][j];
      if (v >= 0) e += draws.values[v * S + s];
    }
    out[offset + j] = e;
  }
}

/**
 * The linear predictor of each data row (link scale) for a subset of draws, nuisance levels
 * included as observed (for posterior predictive replicates).
 * @example rowPredictors(draws, design, groups, [0, 10, 20]) // Float64Array(3 * nRows)
 */
export function rowPredictors(
  draws: Draws,
  design: ComparisonDesign,
  groups: readonly GroupInfo[],
  drawIds: readonly number[],
): Float64Array {
  const N = design.nRows;
  const out = new Float64Array(drawIds.length * N);
  const interceptVar = variableIndex(draws).get('b_Intercept') ?? -1;
  const { rowLevel } = rowLevelVariables(draws, design, groups);
  for (let k = 0; k < drawIds.length; k++) {
    predictorAt(draws, drawIds[k], interceptVar, rowLevel, N, out, k * N);
  }
  return out;
}
