/**
 * Transcription checks for the published KV-cache tables added to fixtures/real (see
 * fixtures/real/SOURCES.md). Each printed table row has an average column; the test recomputes
 * every row's mean from the CSV and compares it with the printed value, so a mistyped cell, a
 * swapped column or a row under the wrong budget fails here.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvFile } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';

const REAL = path.resolve('fixtures/real');

/** A cell as text: the factor level, the number, or '' when missing. */
function cell(t: Table, name: string, row: number): string {
  const c = t.columns[name];
  if (c === undefined) throw new Error(`no column ${name}`);
  if (c.type === 'factor') {
    const k = c.codes[row] ?? -1;
    return k < 0 ? '' : (c.levels[k] ?? '');
  }
  const v = c.values[row] ?? Number.NaN;
  return Number.isNaN(v) ? '' : String(v);
}

/** The 16 LongBench datasets in the column order of the Ada-KV tables. */
const LONGBENCH = [
  'NarrativeQA',
  'Qasper',
  'MultiFieldQA-en',
  'HotpotQA',
  '2WikiMQA',
  'Musique',
  'GovReport',
  'QMSum',
  'MultiNews',
  'TREC',
  'TriviaQA',
  'SAMSum',
  'PassageCount',
  'PassageRetrieval-en',
  'LCC',
  'RepoBench-P',
];

/**
 * Row order of the Ada-KV detailed LongBench tables: Full Cache, then for each budget block
 * B=128, 256, 512, 1024, 2048 the rows SLM, Pyramid, SnapKV, Ada-Pyramid, Ada-SnapKV.
 */
const ADAKV_ROWS: readonly (readonly [string, string])[] = [
  ['full_kv', ''],
  ...['128', '256', '512', '1024', '2048'].flatMap((b) =>
    ['streamingllm', 'pyramidkv', 'snapkv', 'ada_pyramidkv', 'ada_snapkv'].map(
      (h) => [h, b] as const,
    ),
  ),
];

interface AdakvTable {
  /** Where the printed averages come from. */
  readonly source: string;
  readonly model: string;
  /** The printed "Ave. Score" column, one per row of ADAKV_ROWS, as printed (2 decimals). */
  readonly avg: readonly number[];
}

/**
 * Feng et al., "Ada-KV: Optimizing KV Cache Eviction by Adaptive Budget Allocation for Efficient
 * LLM Inference" (arXiv:2407.11550), detailed LongBench tables as captioned in the project page's
 * images (FFY0/AdaKV, branch _page, docs/static/assets/image/table3.png ... table6.png).
 */
const ADAKV: Readonly<Record<string, readonly AdakvTable[]>> = {
  'longbench_adakv2024_question_aware.csv': [
    {
      source: 'Table 3 (Llama-3.1-8B-Instruct, question-aware)',
      model: 'Llama-3.1-8B-Instruct',
      avg: [
        49.2, 38.43, 41.78, 42.03, 42.96, 42.81, 39.76, 44.47, 44.48, 45.23, 45.44, 41.37, 46.59,
        46.76, 46.98, 47.15, 42.58, 47.7, 47.84, 48.0, 48.16, 44.58, 48.84, 49.09, 49.05, 49.15,
      ],
    },
    {
      source: 'Table 4 (Mistral-7B-Instruct-v0.2, question-aware)',
      model: 'Mistral-7B-Instruct-v0.2',
      avg: [
        42.83, 28.57, 34.69, 34.55, 35.83, 35.48, 29.6, 37.35, 37.9, 38.49, 38.61, 31.4, 39.69,
        40.35, 40.04, 40.58, 33.0, 41.01, 41.35, 41.22, 41.61, 34.83, 41.84, 42.2, 42.04, 42.31,
      ],
    },
  ],
  'longbench_adakv2024_question_agnostic.csv': [
    {
      source: 'Table 5 (Llama-3.1-8B-Instruct, question-agnostic)',
      model: 'Llama-3.1-8B-Instruct',
      avg: [
        49.2, 23.49, 26.35, 26.26, 27.45, 27.06, 25.35, 28.27, 28.18, 29.55, 29.41, 27.66, 31.56,
        31.2, 32.71, 32.82, 30.68, 36.49, 37.56, 37.98, 37.99, 36.13, 42.15, 42.86, 43.02, 43.55,
      ],
    },
    {
      source: 'Table 6 (Mistral-7B-Instruct-v0.2, question-agnostic)',
      model: 'Mistral-7B-Instruct-v0.2',
      avg: [
        42.83, 22.14, 24.55, 24.51, 24.97, 25.16, 23.97, 26.21, 26.59, 27.09, 27.26, 25.95, 28.54,
        29.04, 29.64, 30.1, 28.13, 31.88, 32.0, 32.76, 33.27, 30.86, 35.81, 36.26, 36.63, 37.27,
      ],
    },
  ],
};

/** Scores of one file by "model|heuristic|budget" and then by task; throws on a repeated cell. */
function byRow(t: Table): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (let r = 0; r < t.nRows; r++) {
    const key = ['model', 'heuristic', 'budget'].map((n) => cell(t, n, r)).join('|');
    const task = cell(t, 'task', r);
    const row = out.get(key) ?? new Map<string, number>();
    if (row.has(task)) throw new Error(`line ${r + 2}: ${key} ${task} appears twice`);
    row.set(task, Number(cell(t, 'value', r)));
    out.set(key, row);
  }
  return out;
}

/** One printed row: its keys in the CSV and its printed averages, one per task group. */
type Printed = readonly [heuristic: string, budget: string, ...avg: number[]];

interface PrintedTable {
  /** Where the printed averages come from. */
  readonly source: string;
  readonly model: string;
  readonly rows: readonly Printed[];
}

interface PrintedFile {
  readonly file: string;
  /** The task groups whose means the table prints, in the CSV's task order. */
  readonly groups: readonly (readonly string[])[];
  readonly tables: readonly PrintedTable[];
  /**
   * Rows ("model|heuristic|budget") whose printed average is the mean truncated, not rounded, to
   * 2 decimals; SOURCES.md lists them. Every other row must round to the printed value.
   */
  readonly truncated?: readonly string[];
}

/** The Ada-KV rows in table order, with one printed Ave. Score each. */
function adakvRows(avg: readonly number[]): Printed[] {
  expect(avg).toHaveLength(ADAKV_ROWS.length);
  return ADAKV_ROWS.map(([h, b], i) => [h, b, avg[i] ?? Number.NaN] as const);
}

/**
 * The mean of each group against its printed value. The printed average is the mean rounded to
 * 2 decimals, so the exact mean lies within half a unit of the last printed digit (0.005); 1e-9
 * absorbs float summation error. A row listed as truncated must equal floor(100 x mean) / 100.
 */
function checkPrinted(spec: PrintedFile, rows: Map<string, Map<string, number>>): void {
  const tasks = spec.groups.flat();
  let count = 0;
  for (const table of spec.tables) {
    for (const [heuristic, budget, ...avg] of table.rows) {
      const key = `${table.model}|${heuristic}|${budget}`;
      const row = rows.get(key);
      expect(row, `${spec.file}: no row ${key}`).toBeDefined();
      expect([...(row?.keys() ?? [])], `${spec.file} ${key}: tasks`).toEqual(tasks);
      expect(avg).toHaveLength(spec.groups.length);
      spec.groups.forEach((group, g) => {
        const values = group.map((task) => row?.get(task) ?? Number.NaN);
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const printed = avg[g] ?? Number.NaN;
        const what = `${spec.file} ${table.source}: ${key} mean ${mean.toFixed(4)} vs printed ${printed}`;
        if (spec.truncated?.includes(key)) {
          expect(Math.floor(mean * 100 + 1e-9) / 100, what).toBeCloseTo(printed, 9);
        } else {
          expect(Math.abs(mean - printed), what).toBeLessThanOrEqual(0.005 + 1e-9);
        }
      });
      count++;
    }
  }
  expect(rows.size, `${spec.file}: rows in the CSV that the test does not check`).toBe(count);
}

const HEADKV_TASKS = [
  ['NarrativeQA', 'Qasper', 'MultiFieldQA-en', 'HotpotQA', '2WikiMQA', 'Musique'],
  ['Doc.QA', 'Info. Retrieval', 'Timeline', 'Computation'],
];

const RULER_TASKS = [
  [
    'niah_single_1',
    'niah_single_2',
    'niah_single_3',
    'niah_multikey_1',
    'niah_multikey_2',
    'niah_multikey_3',
    'fwe',
    'niah_multiquery',
    'niah_multivalue',
    'qa_1',
    'qa_2',
    'vt',
  ],
];

const PRINTED: readonly PrintedFile[] = [
  ...Object.entries(ADAKV).map(([file, tables]) => ({
    file,
    groups: [LONGBENCH],
    tables: tables.map((t) => ({ source: t.source, model: t.model, rows: adakvRows(t.avg) })),
  })),
  {
    // Fu et al., "Not All Heads Matter" (ICLR 2025, arXiv:2410.19258), the results table in the
    // authors' README (FYYFU/HeadKV performance_table.png): LongBench QA "Avg." and LooGLE
    // long-dependency QA "Avg.", per row.
    file: 'headkv2025_longbench_loogle.csv',
    groups: HEADKV_TASKS,
    tables: (
      [
        [
          'Meta-Llama-3-8B-Instruct',
          [32.9, 7.01],
          [
            [26.43, 6.29],
            [26.2, 6.46],
            [28.52, 6.63],
            [30.38, 6.88],
            [32.0, 7.16],
          ],
          [
            [31.65, 7.18],
            [31.49, 6.97],
            [32.31, 7.08],
            [32.68, 7.28],
            [32.95, 7.21],
          ],
        ],
        [
          'Mistral-7B-Instruct-v0.2',
          [32.98, 9.55],
          [
            [26.65, 8.12],
            [26.42, 7.93],
            [28.09, 8.38],
            [31.01, 8.82],
            [31.41, 8.84],
          ],
          [
            [31.9, 9.16],
            [31.54, 9.25],
            [31.98, 9.06],
            [32.63, 9.37],
            [32.87, 9.47],
          ],
        ],
      ] as const
    ).map(([model, full, b128, b1024]) => ({
      source: `README table, ${model}`,
      model,
      rows: [
        ['full_kv', '', ...full] as Printed,
        ...(['128', '1024'] as const).flatMap((b) =>
          (b === '128' ? b128 : b1024).map(
            (avg, i) =>
              [
                ['snapkv', 'pyramidkv', 'ada_snapkv', 'headkv_r', 'headkv_r2'][i] ?? '',
                b,
                ...avg,
              ] as Printed,
          ),
        ),
      ],
    })),
  },
  {
    // Jiang et al., "CateKV" (ICML 2025, PMLR 267:27569-27585), Table 1: RULER at 128K, the
    // printed "Avg." of the 12 tasks per row; full attention (100%) and 41% cache.
    file: 'ruler_catekv2025.csv',
    groups: RULER_TASKS,
    tables: [
      {
        source: 'Table 1, Llama-3-8B-1M',
        model: 'Llama-3-8B-1M',
        rows: [
          ['full_kv', '', 84.1],
          ['streamingllm', '41%', 47.34],
          ['snapkv', '41%', 83.28],
          ['pyramidkv', '41%', 83.6],
          ['duoattention', '41%', 83.76],
          ['catekv', '41%', 84.61],
        ],
      },
      {
        source: 'Table 1, Phi-3-Mini-128K',
        model: 'Phi-3-Mini-128K',
        rows: [
          ['full_kv', '', 72.06],
          ['streamingllm', '41%', 41.29],
          ['snapkv', '41%', 65.08],
          ['pyramidkv', '41%', 66.22],
          ['catekv', '41%', 71.69],
        ],
      },
      {
        source: 'Table 1, Llama-3.1-8B',
        model: 'Llama-3.1-8B',
        rows: [
          ['full_kv', '', 84.55],
          ['streamingllm', '41%', 48.11],
          ['snapkv', '41%', 82.8],
          ['pyramidkv', '41%', 83.07],
          ['duoattention', '41%', 84.59],
          ['catekv', '41%', 84.66],
        ],
      },
      {
        source: 'Table 1, Yi-9B-200K',
        model: 'Yi-9B-200K',
        rows: [
          ['full_kv', '', 64.52],
          ['streamingllm', '41%', 39.35],
          ['snapkv', '41%', 61.47],
          ['pyramidkv', '41%', 60.83],
          ['catekv', '41%', 65.76],
        ],
      },
    ],
    truncated: ['Phi-3-Mini-128K|streamingllm|41%'],
  },
];

describe('published KV-cache tables: every row against the printed averages', () => {
  for (const spec of PRINTED) {
    it(`${spec.file}: each row's mean equals the printed average`, async () => {
      const t = await readCsvFile(path.join(REAL, spec.file), { source: spec.file });
      checkPrinted(spec, byRow(t));
    });
  }

  it('the Ada-KV files hold 2 backbones x 26 rows x 16 datasets', async () => {
    for (const file of Object.keys(ADAKV)) {
      const t = await readCsvFile(path.join(REAL, file));
      expect(t.nRows).toBe(2 * ADAKV_ROWS.length * LONGBENCH.length);
    }
  });

  it('the Full Cache rows printed in the question-aware and question-agnostic tables are the same runs and agree cell by cell', async () => {
    const [aware, agnostic] = await Promise.all(
      Object.keys(ADAKV).map(async (f) => byRow(await readCsvFile(path.join(REAL, f)))),
    );
    for (const model of ['Llama-3.1-8B-Instruct', 'Mistral-7B-Instruct-v0.2']) {
      const key = `${model}|full_kv|`;
      expect([...(aware?.get(key)?.entries() ?? [])]).toEqual([
        ...(agnostic?.get(key)?.entries() ?? []),
      ]);
    }
  });

  it('keeps the shared schema: categories and metrics as in SOURCES.md, agg runs, no std, scores in [0, 100]', async () => {
    const ref = await readCsvFile(path.join(REAL, 'longbench_snapkv2024.csv'));
    const expected: Record<string, readonly [string, string]> = {};
    for (let r = 0; r < ref.nRows; r++) {
      expected[cell(ref, 'task', r)] = [cell(ref, 'task_category', r), cell(ref, 'metric', r)];
    }
    // LooGLE long-dependency QA, scored with qa_f1 by the HeadKV authors' eval.py.
    for (const task of HEADKV_TASKS[1] ?? []) expected[task] = ['long_dependency_qa', 'qa_f1'];
    // RULER, grouped as in the RULER paper (Hsieh et al. 2024, arXiv:2404.06654, Section 3:
    // retrieval (NIAH), multi-hop tracing (VT), aggregation (CWE, FWE), question answering).
    for (const task of RULER_TASKS[0] ?? []) {
      const category = task.startsWith('niah')
        ? 'niah'
        : task === 'vt'
          ? 'multi_hop_tracing'
          : task === 'fwe'
            ? 'aggregation'
            : 'qa';
      expected[task] = [category, 'accuracy_pct'];
    }
    for (const { file } of PRINTED) {
      const t = await readCsvFile(path.join(REAL, file), { source: file });
      expect(t.names).toEqual(ref.names);
      for (let r = 0; r < t.nRows; r++) {
        const task = cell(t, 'task', r);
        const at = `${file} line ${r + 2}`;
        expect([cell(t, 'task_category', r), cell(t, 'metric', r)], at).toEqual(expected[task]);
        expect(cell(t, 'seed_or_run', r), at).toBe('agg');
        expect(cell(t, 'higher_is_better', r), at).toBe('true');
        expect(cell(t, 'std', r), at).toBe('');
        const v = Number(cell(t, 'value', r));
        expect(v >= 0 && v <= 100, `${at}: ${v}`).toBe(true);
      }
    }
  });
});
