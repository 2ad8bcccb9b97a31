import type { Table } from '../data/table.js';
import { DataError } from '../errors.js';
import { compileModel } from './compile.js';
import { ITEM_GROUP, type ItemData } from './item-types.js';
import { levelsPinned } from './nested-data.js';
import { defaultLocationScale, formatDist, parsePrior } from './priors.js';
import type { ModelSpec, PriorRow } from './spec.js';

export { ITEM_GROUP, type ItemData } from './item-types.js';

/**
 * Whether every score is 0 or 1 (then the item model is bernoulli with a logit link).
 * @example isZeroOne(Float64Array.of(0, 1, 1)) // true
 */
export function isZeroOne(y: ArrayLike<number>): boolean {
  for (let i = 0; i < y.length; i++) if (y[i] !== 0 && y[i] !== 1) return false;
  return y.length > 0;
}

/** The formula of the item model: the upper formula plus `(1|task:item)`. */
export function itemFormula(upper: string): string {
  return `${upper.trim()} + (1|${ITEM_GROUP})`;
}

/**
 * The sd_task:item prior: the user's `sd_task:item ~ ...`, else a class-wide `sd ~ ...` (as brms
 * applies it to every sd), else brms's default sd prior.
 */
function itemPrior(spec: ModelSpec, y: Float64Array, family: ItemData['family']): PriorRow {
  const parsed = (spec.priors ?? []).map(parsePrior);
  const own = parsed.find((p) => p.class === 'sd' && p.group === ITEM_GROUP && p.coef === '');
  const wide = parsed.find((p) => p.class === 'sd' && p.group === '' && p.coef === '');
  const user = own ?? wide;
  if (user) {
    return {
      class: 'sd',
      coef: '',
      group: ITEM_GROUP,
      prior: formatDist(user.dist),
      source: 'user',
      lb: 0,
    };
  }
  const ls = defaultLocationScale(y, family);
  return {
    class: 'sd',
    coef: '',
    group: ITEM_GROUP,
    prior: formatDist({ kind: 'student_t', df: 3, mu: 0, sigma: ls.scale }),
    source: 'default',
    lb: 0,
  };
}

/** Each row's item index (task, item pairs numbered in order of first appearance). */
function itemIndex(task: Int32Array, item: Int32Array, nItemLevels: number): Int32Array {
  const n = task.length;
  const out = new Int32Array(n);
  let next = 0;
  let nTask = 0;
  for (let i = 0; i < n; i++) nTask = Math.max(nTask, task[i] + 1);
  if (nTask * nItemLevels <= 1 << 26) {
    const slot = new Int32Array(nTask * nItemLevels).fill(-1);
    for (let i = 0; i < n; i++) {
      const k = task[i] * nItemLevels + item[i];
      if (slot[k] < 0) slot[k] = next++;
      out[i] = slot[k];
    }
    return out;
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = task[i] * nItemLevels + item[i];
    let v = map.get(k);
    if (v === undefined) {
      v = next++;
      map.set(k, v);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Whether the cells' empirical predictors are pinned down: their residual sd about the additive
 * fit of the single-factor terms (two-way means, as in nested-data.ts mainEffectsRemoved) is more
 * than twice the root mean square of their standard errors (gaussian: the within-cell sd over
 * sqrt(rows), which also holds the item spread and so errs towards non-centred; bernoulli:
 * 1 / sqrt(n p (1 - p))).
 */
function cellsPinned(
  cellEta: Float64Array,
  single: { level: Int32Array }[],
  n: Float64Array,
  ss: Float64Array,
  successes: Float64Array,
  family: ItemData['family'],
): boolean {
  const C = cellEta.length;
  let grand = 0;
  for (const e of cellEta) grand += e;
  grand /= Math.max(1, C);
  const res = Float64Array.from(cellEta, (e) => e - grand);
  let df = C - 1;
  for (const t of single) {
    let L = 0;
    for (const l of t.level) L = Math.max(L, l + 1);
    const sum = new Float64Array(L);
    const cnt = new Float64Array(L);
    for (let c = 0; c < C; c++) {
      if (t.level[c] < 0) continue;
      sum[t.level[c]] += res[c];
      cnt[t.level[c]]++;
    }
    for (let c = 0; c < C; c++) if (t.level[c] >= 0) res[c] -= sum[t.level[c]] / cnt[t.level[c]];
    df -= L - 1;
  }
  if (df < 1) return false;
  let rr = 0;
  for (const r of res) rr += r * r;
  let se2 = 0;
  for (let c = 0; c < C; c++) {
    if (family === 'bernoulli') {
      const p = (successes[c] + 0.5) / (n[c] + 1);
      se2 += 1 / (n[c] * p * (1 - p));
    } else se2 += n[c] > 1 ? ss[c] / (n[c] - 1) / n[c] : Number.POSITIVE_INFINITY;
  }
  return Math.sqrt(rr / df) > 2 * Math.sqrt(se2 / C);
}

/**
 * Build the item model's data from a canonical comparison table (columns heuristic, task, item,
 * score, category?) and the spec of the model above the items (the default comparison formula on
 * heuristic, task and category, with a heuristic:task term). The groups, brms names and default
 * priors come from compiling that spec on the rows (model layer), so they are the ones brms would
 * use for `upper + (1|task:item)`.
 *
 * @example const data = itemData(table, { formula: 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:task)' }, 'gaussian');
 */
export function itemData(table: Table, upper: ModelSpec, family: ItemData['family']): ItemData {
  const src = table.source ?? 'data';
  const itemCol = table.columns.item;
  const taskCol = table.columns.task;
  if (itemCol?.type !== 'factor' || taskCol?.type !== 'factor') {
    throw new DataError(`${src}: the item model needs factor columns item and task`);
  }
  // the item term's prior is not a slot of the upper model: resolved here (itemPrior)
  const upperPriors = (upper.priors ?? []).filter((t) => {
    const p = parsePrior(t);
    return !(p.class === 'sd' && p.group === ITEM_GROUP);
  });
  const ref = compileModel({ ...upper, priors: upperPriors, family }, table);
  const d = ref.internals.design;
  if (d.nRows !== table.nRows) {
    throw new DataError(`${src}: the item model needs every row complete (score, groups)`);
  }
  const y = d.y;
  if (family === 'bernoulli' && !isZeroOne(y)) {
    throw new DataError(`${src}: a bernoulli item model needs scores that are 0 or 1`);
  }
  const cellGroup = ref.groups.findIndex(
    (g) => g.factors.length === 2 && g.factors.includes('heuristic') && g.factors.includes('task'),
  );
  if (cellGroup < 0) {
    throw new DataError(`${src}: the item model needs a (1|heuristic:task) term`);
  }
  const cellOfRow = d.groups[cellGroup].idx;
  const nCells = ref.groups[cellGroup].levels.length;
  const N = table.nRows;
  // the other terms' level of each cell, which must be the same on every row of the cell
  const terms = ref.groups
    .map((_, g) => g)
    .filter((g) => g !== cellGroup)
    .map((g) => {
      const level = new Int32Array(nCells).fill(-1);
      const idx = d.groups[g].idx;
      for (let i = 0; i < N; i++) {
        const c = cellOfRow[i];
        if (level[c] < 0) level[c] = idx[i];
        else if (level[c] !== idx[i]) {
          throw new DataError(
            `${src}: the term (1|${ref.groups[g].group}) varies within a heuristic x task cell; the item model needs terms at the heuristic x task level or above`,
          );
        }
      }
      return { group: g, level, centred: false };
    });

  // cells
  const n = new Float64Array(nCells);
  const mean = new Float64Array(nCells);
  const ss = new Float64Array(nCells);
  const successes = new Float64Array(nCells);
  for (let i = 0; i < N; i++) {
    n[cellOfRow[i]]++;
    mean[cellOfRow[i]] += y[i];
  }
  for (let c = 0; c < nCells; c++) {
    successes[c] = mean[c];
    mean[c] /= n[c];
  }
  for (let i = 0; i < N; i++) ss[cellOfRow[i]] += (y[i] - mean[cellOfRow[i]]) ** 2;

  // items: rows grouped by (task, item) with a counting sort
  const item = itemIndex(taskCol.codes, itemCol.codes, itemCol.levels.length);
  let nItems = 0;
  for (let i = 0; i < N; i++) nItems = Math.max(nItems, item[i] + 1);
  const start = new Int32Array(nItems + 1);
  for (let i = 0; i < N; i++) start[item[i] + 1]++;
  for (let k = 0; k < nItems; k++) start[k + 1] += start[k];
  const fill = start.slice(0, nItems);
  const order = new Int32Array(N);
  for (let i = 0; i < N; i++) order[fill[item[i]]++] = i;

  // patterns: the item's cells with multiplicities (sorted), as a text key
  const patOf = new Map<string, number>();
  const patCells: number[][] = [];
  const patKs: number[][] = [];
  const acc: { items: number; rows: number; mean: number; m2: number; s: Map<number, number> }[] =
    [];
  const cellsOfItem: number[] = [];
  const itemPattern = new Int32Array(nItems);
  const itemTotal = new Float64Array(nItems);
  const itemSs = new Float64Array(nItems);
  const itemTask = new Int32Array(nItems);
  const itemLabel = new Int32Array(nItems);
  for (let k = 0; k < nItems; k++) {
    cellsOfItem.length = 0;
    let total = 0;
    for (let j = start[k]; j < start[k + 1]; j++) {
      cellsOfItem.push(cellOfRow[order[j]]);
      total += y[order[j]];
    }
    const itemMean = total / (start[k + 1] - start[k]);
    let iss = 0;
    for (let j = start[k]; j < start[k + 1]; j++) iss += (y[order[j]] - itemMean) ** 2;
    itemTotal[k] = total;
    itemSs[k] = iss;
    itemTask[k] = taskCol.codes[order[start[k]]];
    itemLabel[k] = itemCol.codes[order[start[k]]];
    cellsOfItem.sort((a, b) => a - b);
    const key = cellsOfItem.join(',');
    let p = patOf.get(key);
    if (p === undefined) {
      p = patCells.length;
      patOf.set(key, p);
      const cs: number[] = [];
      const ks: number[] = [];
      for (const c of cellsOfItem) {
        if (cs.length > 0 && cs[cs.length - 1] === c) ks[ks.length - 1]++;
        else {
          cs.push(c);
          ks.push(1);
        }
      }
      patCells.push(cs);
      patKs.push(ks);
      acc.push({ items: 0, rows: cellsOfItem.length, mean: 0, m2: 0, s: new Map() });
    }
    itemPattern[k] = p;
    const a = acc[p];
    // Welford's update of the item totals' mean and sum of squares
    a.items++;
    const delta = total - a.mean;
    a.mean += delta / a.items;
    a.m2 += delta * (total - a.mean);
    if (family === 'bernoulli') a.s.set(total, (a.s.get(total) ?? 0) + 1);
  }
  const P = patCells.length;
  const patStart = new Int32Array(P + 1);
  for (let p = 0; p < P; p++) patStart[p + 1] = patStart[p] + patCells[p].length;
  const sStart = new Int32Array(P + 1);
  const sVal: number[] = [];
  const sCount: number[] = [];
  for (let p = 0; p < P; p++) {
    const entries = [...acc[p].s.entries()].sort((a, b) => a[0] - b[0]);
    for (const [s, c] of entries) {
      sVal.push(s);
      sCount.push(c);
    }
    sStart[p + 1] = sVal.length;
  }

  // centred terms: single-factor terms whose levels the cells' empirical predictors pin down
  const cellEta = Float64Array.from({ length: nCells }, (_, c) =>
    family === 'bernoulli' ? Math.log((successes[c] + 0.5) / (n[c] - successes[c] + 0.5)) : mean[c],
  );
  // (each judged with the other single-factor terms' level means removed: crossed heuristic and
  // task effects otherwise count as within-level noise of each other)
  const single = terms.filter((t) => ref.groups[t.group].factors.length === 1);
  const levelMeans = (t: (typeof terms)[number]) => {
    const n = ref.groups[t.group].levels.length;
    const sum = new Float64Array(n);
    const cnt = new Float64Array(n);
    for (let c = 0; c < nCells; c++) {
      if (t.level[c] < 0) continue;
      sum[t.level[c]] += cellEta[c];
      cnt[t.level[c]]++;
    }
    return Float64Array.from(sum, (x, l) => (cnt[l] > 0 ? x / cnt[l] : 0));
  };
  let grand = 0;
  for (const e of cellEta) grand += e;
  grand /= Math.max(1, nCells);
  for (const t of single) {
    const y = cellEta.slice();
    for (const u of single) {
      if (u === t) continue;
      const m = levelMeans(u);
      for (let c = 0; c < nCells; c++) if (u.level[c] >= 0) y[c] -= m[u.level[c]] - grand;
    }
    t.centred = levelsPinned(y, t.level, ref.groups[t.group].levels.length);
  }

  const cellCentred = cellsPinned(
    cellEta,
    terms.filter((t) => ref.groups[t.group].factors.length === 1),
    n,
    ss,
    successes,
    family,
  );

  let ySum = 0;
  for (let i = 0; i < N; i++) ySum += y[i];
  const yMean = ySum / N;
  let ySs = 0;
  for (let i = 0; i < N; i++) ySs += (y[i] - yMean) ** 2;
  const ySd = N > 1 && ySs > 0 ? Math.sqrt(ySs / (N - 1)) : 1;

  const formula = itemFormula(upper.formula);
  const spec: ModelSpec = { ...upper, formula, family };
  const variableNames = [...ref.variableNames];
  const lastSd = variableNames.reduce((k, v, i) => (v.startsWith('sd_') ? i : k), -1);
  variableNames.splice(lastSd + 1, 0, `sd_${ITEM_GROUP}__Intercept`);
  const priors = ref.priors.map((p) => ({ ...p }));
  const lastSdPrior = priors.reduce((k, p, i) => (p.class === 'sd' ? i : k), -1);
  priors.splice(lastSdPrior + 1, 0, itemPrior(upper, y, family));
  return {
    spec,
    family,
    groups: ref.groups.map((g) => ({ ...g })),
    priors,
    variableNames,
    cellGroup,
    terms,
    cellCentred,
    nRows: N,
    nItems,
    cells: { n, mean, ss, successes },
    patStart,
    patCell: Int32Array.from(patCells.flat()),
    patK: Float64Array.from(patKs.flat()),
    patItems: Float64Array.from(acc, (a) => a.items),
    patRows: Float64Array.from(acc, (a) => a.rows),
    patMean: Float64Array.from(acc, (a) => a.mean),
    patSs: Float64Array.from(acc, (a) => a.m2),
    sStart,
    sVal: Float64Array.from(sVal),
    sCount: Float64Array.from(sCount),
    yMean,
    ySd,
    items: {
      pattern: itemPattern,
      total: itemTotal,
      ss: itemSs,
      task: itemTask,
      label: itemLabel,
      taskLevels: taskCol.levels,
      itemLevels: itemCol.levels,
    },
  };
}
