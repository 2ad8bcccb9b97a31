import type { Comparison } from '../../src/analysis/types.js';
import { parseCsv } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { DataError } from '../../src/errors.js';
import type { ColumnMap, FitSpec, StoredFitResult } from '../../src/store/store.js';
import type { Engine, FitContext, FitJob, RunFit } from '../../src/web/engine.js';

/** A small benchmark CSV: 3 heuristics x 2 tasks, one of them with a hostile name. */
export const CSV = [
  'heuristic,task,task_category,score',
  'local,ListOps,symbolic,15.8',
  'local,Image,vision,41.5',
  '"<script>alert(1)</script>",ListOps,symbolic,37.1',
  '"<script>alert(1)</script>",Image,vision,42.4',
  'reformer,ListOps,symbolic,37.3',
  'reformer,Image,vision,38.1',
  '',
].join('\n');

/** A fixed comparison document naming the CSV's heuristics (the hostile one first). */
export function fakeComparison(names: string[]): Comparison {
  return {
    heuristics: names.map((name, i) => ({
      name,
      mean: 40 - i,
      q5: 35 - i,
      q95: 45 - i,
      p_best: i === 0 ? 0.8 : 0.1,
      expected_rank: i + 1,
    })),
    pairs: [
      {
        a: names[0],
        b: names[1],
        scope: 'overall',
        p_a_better: 0.9,
        p_rope: 0.05,
        p_b_better: 0.05,
        decision: 'inconclusive',
        diff_mean: 1,
        diff_q5: -0.5,
        diff_q95: 2.5,
      },
    ],
    categories: [
      {
        name: 'symbolic',
        tasks: ['ListOps'],
        heuristics: names.map((heuristic, i) => ({
          heuristic,
          mean: 30 - i,
          q5: 25 - i,
          q95: 35 - i,
          p_best: i === 0 ? 0.8 : 0.1,
          expected_rank: i + 1,
        })),
        best: names[0],
        p_best: 0.8,
        runner_up: names[1],
      },
    ],
    tasks: [],
    diagnostics: { max_rhat: 1.002, min_ess_bulk: 900, min_ess_tail: 850, divergent: 0 },
    warnings: [],
    settings: { rope: 1, threshold: 0.95, higher_is_better: true },
    variance_components: [{ name: 'sd_heuristic__Intercept', mean: 2.5, q5: 1.1, q95: 4.2 }],
    robustness: {
      kind: 'same_draws',
      method: 'each task left out of the average over tasks',
      min_tasks: 3,
      best: names[0],
      tasks: ['ListOps', 'Image', 'Text'].map((task, i) => ({
        task,
        best_without: i === 0 ? names[1] : names[0],
        p_best_without: 0.6,
        changes_best: i === 0,
        flipped_pairs: [],
      })),
      categories: [],
    },
  };
}

/** Detected mapping by the usual names (the fake engine's stand-in for the data layer). */
function detect(table: Table): Partial<ColumnMap> {
  const pick = (...names: string[]) => names.find((n) => table.names.includes(n));
  const out: Partial<ColumnMap> = {};
  const h = pick('heuristic');
  const t = pick('task');
  const s = pick('score', 'value');
  const c = pick('category', 'task_category');
  if (h) out.heuristic = h;
  if (t) out.task = t;
  if (s) out.score = s;
  if (c) out.category = c;
  return out;
}

/** Fake checkFit: missing columns and non-numeric scores are errors, like the CLI's. */
function check(table: Table, spec: FitSpec): void {
  for (const [key, col] of Object.entries(spec.mapping)) {
    if (col && !table.names.includes(col)) {
      throw new DataError(`${table.source}: no column "${col}" (--${key})`);
    }
  }
  if (table.columns[spec.mapping.score].type !== 'numeric') {
    throw new DataError(`${table.source}: column "${spec.mapping.score}" is not numeric`);
  }
}

/** A runFit that reports progress and finishes when `release()` is called (or at once). */
export function controllableRunFit(opts: { immediate?: boolean } = {}): {
  runFit: RunFit;
  release: () => void;
  started: Promise<FitJob>;
} {
  let release: () => void = () => {};
  let onStart: (job: FitJob) => void = () => {};
  const started = new Promise<FitJob>((r) => {
    onStart = r;
  });
  const runFit: RunFit = (job: FitJob, ctx: FitContext) =>
    new Promise<StoredFitResult>((resolve, reject) => {
      onStart(job);
      const table = parseCsv(job.csv, { source: job.datasetName });
      const h = table.columns[job.spec.mapping.heuristic];
      const names = h.type === 'factor' ? [...h.levels] : ['a', 'b'];
      for (let c = 0; c < job.config.chains; c++) {
        ctx.onProgress({ chain: c, iteration: 5, total: 10, phase: 'warmup', divergent: 0 });
      }
      const finish = () =>
        resolve({
          comparison: fakeComparison(names),
          draws: {
            nDraws: 2,
            nChains: 1,
            variables: ['b_Intercept', 'sigma'],
            values: Float64Array.from([1, 2, 3, 4]),
          },
          summary: { variables: [], sampler: null, warnings: [] },
        });
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
      if (opts.immediate) finish();
      else release = finish;
    });
  return {
    runFit,
    release: () => release(),
    started,
  };
}

/** An engine whose data checks are the fake ones above and whose runFit is given. */
export function fakeEngine(runFit: RunFit): Engine {
  return {
    parseCsv: (bytes, source) => parseCsv(bytes, { source }),
    detectColumns: detect,
    checkFit: check,
    priors: () => [
      { class: 'sd', coef: '', group: 'task', prior: 'student_t(3, 0, 2.5)', source: 'default' },
    ],
    models: () => [{ name: 'heuristic-task', description: 'default', formula: 'score ~ 1' }],
    runFit,
  };
}
