import { DataError } from '../errors.js';
import { clip, quoted } from './access.js';
import { createTableBuilder } from './builder.js';
import type { Table } from './table.js';

/**
 * Readers of EleutherAI lm-evaluation-harness outputs (the harness's user guide, "interface", options
 * `--output_path` and `--log_samples`; its lm_eval/loggers/evaluation_tracker.py writes them):
 *
 * - the results JSON `results_<date>.json`: `results: {task: {"acc,none": x, "acc_stderr,none": se,
 *   "alias": ...}}`, `group_subtasks: {group: [tasks]}`, `configs: {task: {metric_list: [{metric}]}}`,
 *   `higher_is_better: {task: {metric: bool}}`, `n-samples: {task: {original, effective}}`,
 *   `config: {model, model_args}`, `model_name`. One long row per heuristic x task: heuristic, task,
 *   metric (`acc,none`), score, std = the harness's standard error with n = 1 (so se = std/sqrt(n) is
 *   the harness's se), higher_is_better, n_samples. Groups (tasks with subtasks) are left out: their
 *   scores are averages of the subtasks'.
 * - the per-sample JSONL `samples_<task>_<date>.jsonl`, one JSON object a line: doc_id, doc, target,
 *   arguments, resps, filtered_resps, filter, metrics (the metric names), doc_hash, prompt_hash,
 *   target_hash, and one field per metric (acc: 0/1, exact_match, f1...). One long row per line:
 *   heuristic, task, item (= doc_id), score (booleans as 0/1).
 *
 * The file readers (fs, readline) are in src/data/input.ts; this module turns parsed documents and
 * lines into rows. A per-sample line may carry its own `heuristic` (or `model`) and `task` fields
 * (files concatenated by hand): they win over the names from the folder and the file name.
 *
 * @example harnessResultRows(JSON.parse(text), 'results.json', 'snapkv', {}).rows[0]
 * // { heuristic: 'snapkv', task: 'arc_easy', metric: 'acc,none', score: 0.74, stderr: 0.009, ... }
 */

/** Options of the harness readers (the CLI's --heuristic-from and --harness-metric). */
export interface HarnessOptions {
  /**
   * What names the heuristic: `run` (default: the run's folder, or the file name without the
   * harness's `results_`/`_<date>` parts) or a path into the results JSON, e.g. `model_args.pretrained`
   * (a key of config.model_args, which may be the harness's "k=v,k=v" string), `model_name`,
   * `config.model`.
   */
  heuristicFrom?: string;
  /** The metric: `acc_norm` (filter `none` when there is one) or `exact_match,strict-match`. */
  metric?: string;
}

/** One task-level row from a results JSON. */
export interface HarnessResultRow {
  heuristic: string;
  task: string;
  /** The harness's key, `metric,filter`. */
  metric: string;
  score: number;
  /** The harness's standard error of the score (NaN when it printed "N/A"). */
  stderr: number;
  higherIsBetter: boolean;
  /** The evaluated model (the JSON's model_name; '' when not recorded): the backbone. */
  model: string;
  /** The number of samples behind the score (NaN when not recorded). */
  nSamples: number;
}

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The harness's `model_args`: a "k=v,k=v" string (the CLI's --model_args) or an object.
 *
 * @example parseModelArgs('pretrained=EleutherAI/pythia-160m,dtype=float32').pretrained // 'EleutherAI/pythia-160m'
 */
export function parseModelArgs(value: unknown): Record<string, unknown> {
  if (isObject(value)) return value;
  if (typeof value !== 'string') return {};
  const out: Record<string, unknown> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The heuristic's name by a `--heuristic-from` path into a results JSON (`model_args.KEY` is short
 * for `config.model_args.KEY`; a "k=v,k=v" string is read as an object on the way).
 *
 * @example heuristicByRule({ config: { model_args: 'pretrained=a,dtype=b' } }, 'model_args.pretrained', 'r.json') // 'a'
 */
export function heuristicByRule(doc: unknown, rule: string, source: string): string {
  const path = rule.startsWith('model_args.') ? `config.${rule}` : rule;
  let at: unknown = doc;
  const walked: string[] = [];
  for (const key of path.split('.')) {
    const obj = walked.at(-1) === 'model_args' ? parseModelArgs(at) : at;
    if (!isObject(obj) || !Object.hasOwn(obj, key)) {
      const keys = isObject(obj) ? Object.keys(obj).slice(0, 12).map(clip).join(', ') : '';
      throw new DataError(
        `${source}: --heuristic-from ${rule}: no ${quoted([...walked, key].join('.'))}${keys ? ` (there: ${keys})` : ''}`,
      );
    }
    at = obj[key];
    walked.push(key);
  }
  if (typeof at !== 'string' && typeof at !== 'number' && typeof at !== 'boolean') {
    throw new DataError(`${source}: --heuristic-from ${rule}: not a name (${typeof at})`);
  }
  const name = String(at).trim();
  if (name === '') throw new DataError(`${source}: --heuristic-from ${rule}: empty`);
  return name;
}

/** `name,filter` of a metric option: filter undefined when not given. */
function splitMetric(metric: string): { name: string; filter?: string } {
  const comma = metric.indexOf(',');
  return comma < 0
    ? { name: metric.trim() }
    : { name: metric.slice(0, comma).trim(), filter: metric.slice(comma + 1).trim() };
}

/** The metric keys (`name,filter`) of one task's results, standard errors and alias left out. */
function metricKeys(result: Record<string, unknown>): string[] {
  return Object.keys(result).filter((k) => {
    const comma = k.indexOf(',');
    if (comma < 0) return false;
    return !k.slice(0, comma).endsWith('_stderr') && typeof result[k] === 'number';
  });
}

/** The key of the metric to read for a task, or undefined when the task does not have it. */
function chooseMetric(
  task: string,
  result: Record<string, unknown>,
  configs: Record<string, unknown>,
  wanted: string | undefined,
): string | undefined {
  const keys = metricKeys(result);
  const pick = (name: string, filter?: string) =>
    filter !== undefined
      ? keys.find((k) => k === `${name},${filter}`)
      : (keys.find((k) => k === `${name},none`) ?? keys.find((k) => k.startsWith(`${name},`)));
  if (wanted !== undefined) {
    const { name, filter } = splitMetric(wanted);
    return pick(name, filter);
  }
  const config = configs[task];
  const list = isObject(config) && Array.isArray(config.metric_list) ? config.metric_list : [];
  for (const m of list) {
    if (isObject(m) && typeof m.metric === 'string') {
      const k = pick(m.metric);
      if (k !== undefined) return k;
    }
  }
  return keys[0];
}

/**
 * Task-level rows of one parsed results JSON. `run` names the heuristic unless a
 * `--heuristic-from` path does. Throws DataError naming the file and the field for a document that
 * is not a results JSON or holds a score that is not a number.
 *
 * @example harnessResultRows(doc, 'runs/snapkv/results_2024-06-01T10-00-00.json', 'snapkv', {})
 */
export function harnessResultRows(
  doc: unknown,
  source: string,
  run: string,
  opts: HarnessOptions = {},
): { rows: HarnessResultRow[]; notes: string[] } {
  if (!isObject(doc) || !isObject(doc.results)) {
    throw new DataError(
      `${source}: not an lm-evaluation-harness results file (no "results" object at the top)`,
    );
  }
  const rule = opts.heuristicFrom;
  const heuristic = rule === undefined || rule === 'run' ? run : heuristicByRule(doc, rule, source);
  const groups = new Set<string>();
  if (isObject(doc.group_subtasks)) {
    for (const [g, subs] of Object.entries(doc.group_subtasks)) {
      if (Array.isArray(subs) && subs.length > 0) groups.add(g);
    }
  }
  if (isObject(doc.groups)) for (const g of Object.keys(doc.groups)) groups.add(g);
  const configs = isObject(doc.configs) ? doc.configs : {};
  const hib = isObject(doc.higher_is_better) ? doc.higher_is_better : {};
  const nSamples = isObject(doc['n-samples']) ? doc['n-samples'] : {};
  const rows: HarnessResultRow[] = [];
  const skippedGroups: string[] = [];
  const withoutMetric: string[] = [];
  const zeroSe: string[] = [];
  for (const [task, result] of Object.entries(doc.results)) {
    if (groups.has(task)) {
      skippedGroups.push(task);
      continue;
    }
    if (!isObject(result)) {
      throw new DataError(`${source}: results.${clip(task)}: not an object`);
    }
    const key = chooseMetric(task, result, configs, opts.metric);
    if (key === undefined) {
      if (opts.metric === undefined) {
        throw new DataError(
          `${source}: results.${clip(task)}: no metric (no "name,filter" number)`,
        );
      }
      withoutMetric.push(task);
      continue;
    }
    const score = result[key] as number;
    if (!Number.isFinite(score)) {
      throw new DataError(`${source}: results.${clip(task)}.${clip(key)}: not a finite number`);
    }
    const { name, filter } = splitMetric(key);
    const se = result[`${name}_stderr,${filter}`];
    if (se !== undefined && se !== 'N/A' && !(typeof se === 'number' && se >= 0)) {
      throw new DataError(
        `${source}: results.${clip(task)}.${clip(`${name}_stderr,${filter}`)}: ${clip(JSON.stringify(se))} is not a standard error (a number >= 0 or "N/A")`,
      );
    }
    const taskHib = hib[task];
    const h = isObject(taskHib) ? taskHib[name] : undefined;
    const ns = nSamples[task];
    const effective = isObject(ns) ? ns.effective : undefined;
    const n = typeof effective === 'number' ? effective : Number.NaN;
    let stderr = typeof se === 'number' ? se : Number.NaN;
    if (stderr === 0 && n >= 1 && score >= 0 && score <= 1) {
      // Every sample scored the same (acc 0 or 1): the sample se is 0, which would claim the exact
      // accuracy. Use the binomial se at the add-half estimate p = (k + 1/2)/(n + 1) instead.
      const p = (score * n + 0.5) / (n + 1);
      stderr = Math.sqrt((p * (1 - p)) / n);
      zeroSe.push(task);
    }
    rows.push({
      heuristic,
      task,
      metric: key,
      score,
      stderr,
      higherIsBetter: h !== false,
      nSamples: n,
      model: typeof doc.model_name === 'string' ? doc.model_name : '',
    });
  }
  const notes: string[] = [];
  if (zeroSe.length > 0) {
    notes.push(
      `${heuristic}: stderr 0 (every sample scored the same) on ${zeroSe.map(quoted).join(', ')}: se from the binomial at p = (k + 1/2)/(n + 1) instead`,
    );
  }
  if (skippedGroups.length > 0) {
    notes.push(
      `group${skippedGroups.length === 1 ? '' : 's'} ${skippedGroups.slice(0, 8).map(quoted).join(', ')}${skippedGroups.length > 8 ? ', ...' : ''} left out (averages of their subtasks, which are read)`,
    );
  }
  if (withoutMetric.length > 0) {
    notes.push(
      `${withoutMetric.length} task${withoutMetric.length === 1 ? '' : 's'} without metric ${quoted(opts.metric)} left out (${withoutMetric.slice(0, 8).map(quoted).join(', ')}${withoutMetric.length > 8 ? ', ...' : ''})`,
    );
  }
  return { rows, notes };
}

/**
 * The long table of task-level rows (several runs' rows concatenated): heuristic, task, metric,
 * score, std (the harness's standard error), n (1, so that se = std), higher_is_better, n_samples,
 * and `backbone` (the model_name) when the runs evaluated more than one model: heuristics are then
 * compared within backbone (src/data/benchmark.ts).
 *
 * @example harnessResultsTable(rows, 'runs/').columns.std
 */
export function harnessResultsTable(rows: readonly HarnessResultRow[], source: string): Table {
  if (rows.length === 0) throw new DataError(`${source}: no task results to read`);
  const withModel = new Set(rows.map((r) => r.model)).size > 1;
  const names = [
    'heuristic',
    ...(withModel ? ['backbone'] : []),
    'task',
    'metric',
    'score',
    'std',
    'n',
    'higher_is_better',
    'n_samples',
  ];
  const text = ['heuristic', 'backbone', 'task', 'metric', 'higher_is_better'];
  const b = createTableBuilder(
    new Set(names.flatMap((name, k) => (text.includes(name) ? [k] : []))),
  );
  b.setHeader(names, 0);
  rows.forEach((r, i) => {
    b.addValues(
      [
        r.heuristic,
        ...(withModel ? [r.model] : []),
        r.task,
        r.metric,
        r.score,
        r.stderr,
        1,
        r.higherIsBetter ? 'true' : 'false',
        r.nSamples,
      ],
      i + 1,
    );
  });
  return b.finish({ source, withLines: false });
}

/** Fields of a per-sample line that are not metrics (evaluator.py's sample record). */
const SAMPLE_FIELDS = new Set([
  'doc_id',
  'doc',
  'target',
  'arguments',
  'resps',
  'filtered_resps',
  'filter',
  'metrics',
  'doc_hash',
  'prompt_hash',
  'target_hash',
]);

/**
 * Limits of a per-sample JSONL: rows (lines) of one input, and bytes of one line (a line holds the
 * document and the model's responses; readline holds one line whole).
 *
 * @example SAMPLES_LIMITS.rows // 10000000
 */
export const SAMPLES_LIMITS = Object.freeze({ rows: 10_000_000, lineBytes: 16 * 1024 * 1024 });

/**
 * Item-level rows of per-sample JSONL, one line at a time (no line is kept after it is read). Lines
 * of other filters than the chosen one (the `--harness-metric` filter, else the first line's) are
 * skipped; a doc_id seen twice for the chosen filter, a line that is not a JSON object, a missing
 * doc_id and a metric that is not a number or boolean are errors naming the file and the line.
 *
 * @example
 * const acc = createSamplesAccumulator({});
 * acc.addLine('{"doc_id":0,"filter":"none","metrics":["acc"],"acc":1.0}', 1, 'snapkv', 'arc_easy', 'x.jsonl');
 * acc.finish('x.jsonl').columns.item;
 */
export function createSamplesAccumulator(
  opts: HarnessOptions & {
    /** Rows of one input (default SAMPLES_LIMITS.rows; the web upload's is lower). */
    maxRows?: number;
  } = {},
) {
  const maxRows = Math.min(opts.maxRows ?? SAMPLES_LIMITS.rows, SAMPLES_LIMITS.rows);
  const wanted = opts.metric !== undefined ? splitMetric(opts.metric) : undefined;
  const b = createTableBuilder(new Set([0, 1, 2]));
  b.setHeader(['heuristic', 'task', 'item', 'score'], 0);
  /** Per heuristic/task file: the chosen filter and the doc_ids seen. */
  const files = new Map<string, { filter?: string; metric?: string; seen: Set<string> }>();
  let current: { filter?: string; metric?: string; seen: Set<string> } | undefined;
  let rows = 0;
  let skippedFilter = 0;
  const values: (string | number)[] = ['', '', '', 0];
  const notes: string[] = [];
  return {
    /** Read one line (1-based `line` of `source`); blank lines are skipped. */
    addLine(text: string, line: number, runName: string, taskName: string, source: string): void {
      let heuristic = runName;
      let task = taskName;
      if (text.trim() === '') return;
      const at = `${source}: line ${line}`;
      if (text.length > SAMPLES_LIMITS.lineBytes) {
        throw new DataError(
          `${at}: a line longer than ${SAMPLES_LIMITS.lineBytes / 1024 / 1024} MB (the limit)`,
        );
      }
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        throw new DataError(`${at}: not JSON (${clip((err as Error).message)})`);
      }
      if (!isObject(obj)) throw new DataError(`${at}: not a JSON object`);
      const own = typeof obj.heuristic === 'string' ? obj.heuristic : obj.model;
      if (typeof own === 'string' && own.trim() !== '') heuristic = own.trim();
      if (typeof obj.task === 'string' && obj.task.trim() !== '') task = obj.task.trim();
      const key = `${heuristic}\u0000${task}`;
      current = files.get(key);
      if (current === undefined) {
        current = { seen: new Set() };
        files.set(key, current);
      }
      const filter = typeof obj.filter === 'string' ? obj.filter : 'none';
      current.filter ??= wanted?.filter ?? filter;
      if (filter !== current.filter) {
        skippedFilter++;
        return;
      }
      const id = obj.doc_id;
      if (typeof id !== 'number' && typeof id !== 'string') {
        throw new DataError(`${at}, field "doc_id": missing or not a number`);
      }
      const item = String(id);
      if (current.seen.has(item)) {
        throw new DataError(
          `${at}, field "doc_id": ${quoted(item)} was already read for filter ${quoted(filter)}`,
        );
      }
      current.seen.add(item);
      if (current.metric === undefined) {
        const names = Array.isArray(obj.metrics)
          ? obj.metrics.filter((m): m is string => typeof m === 'string')
          : [];
        const fallback = Object.keys(obj).find(
          (k) =>
            !SAMPLE_FIELDS.has(k) && (typeof obj[k] === 'number' || typeof obj[k] === 'boolean'),
        );
        current.metric = wanted?.name ?? names[0] ?? fallback;
        if (current.metric === undefined) {
          throw new DataError(`${at}: no metric field (a number such as "acc" or "exact_match")`);
        }
      }
      const v = obj[current.metric];
      const score = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new DataError(
          `${at}, field ${quoted(current.metric)}: ${v === undefined ? 'missing' : `${clip(JSON.stringify(v))} is not a number`}`,
        );
      }
      if (++rows > maxRows) {
        throw new DataError(`${at}: more than ${maxRows} samples (the limit of one input)`);
      }
      values[0] = heuristic;
      values[1] = task;
      values[2] = item;
      values[3] = score;
      b.addValues(values, line);
    },
    /** The long table (heuristic, task, item, score) and notes; `withLines` for a single file. */
    finish(source: string, withLines = false): { table: Table; notes: string[] } {
      if (rows === 0) throw new DataError(`${source}: no samples to read`);
      if (skippedFilter > 0) {
        notes.push(
          `${skippedFilter} sample line${skippedFilter === 1 ? '' : 's'} of other filters skipped (one filter per task is read; choose it with --harness-metric METRIC,FILTER)`,
        );
      }
      return { table: b.finish({ source, withLines }), notes };
    },
  };
}

/** A date stamp as the harness writes it into file names (`2024-06-01T10-00-00.123456`). */
const DATE_SUFFIX = /_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?$/;

/**
 * The task of a per-sample file name: `samples_<task>_<date>.jsonl` gives `<task>`; another name
 * its stem.
 *
 * @example samplesTask('samples_arc_easy_2024-06-01T10-00-00.123.jsonl') // 'arc_easy'
 */
export function samplesTask(fileName: string): string {
  const stem = fileName.replace(/\.jsonl$/i, '');
  return stem.replace(/^samples_/, '').replace(DATE_SUFFIX, '');
}

/**
 * The run name of a results file without a run folder: its name without `results_`, the date stamp
 * and `.json` (empty for the harness's own `results_<date>.json`).
 *
 * @example resultsRunName('snapkv.json') // 'snapkv'
 */
export function resultsRunName(fileName: string): string {
  return fileName
    .replace(/\.json$/i, '')
    .replace(DATE_SUFFIX, '')
    .replace(/^results_?/, '');
}
