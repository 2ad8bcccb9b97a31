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

interface PrintedTable {
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
const ADAKV: Readonly<Record<string, readonly PrintedTable[]>> = {
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

describe('Ada-KV LongBench tables: every row against the printed average', () => {
  for (const [file, tables] of Object.entries(ADAKV)) {
    it(`${file}: 2 backbones x 26 rows x 16 datasets, each row's mean equals the printed Ave. Score`, async () => {
      const t = await readCsvFile(path.join(REAL, file), { source: file });
      expect(t.nRows).toBe(2 * ADAKV_ROWS.length * LONGBENCH.length);
      const rows = byRow(t);
      expect(rows.size).toBe(2 * ADAKV_ROWS.length);
      for (const table of tables) {
        expect(table.avg).toHaveLength(ADAKV_ROWS.length);
        ADAKV_ROWS.forEach(([heuristic, budget], i) => {
          const key = `${table.model}|${heuristic}|${budget}`;
          const row = rows.get(key);
          expect(row, `${file}: no row ${key}`).toBeDefined();
          expect([...(row?.keys() ?? [])]).toEqual(LONGBENCH);
          const values = [...(row?.values() ?? [])];
          const mean = values.reduce((s, v) => s + v, 0) / values.length;
          // The printed average is the mean rounded to 2 decimals, so the exact mean lies within
          // half a unit of the last printed digit (0.005); 1e-9 absorbs float summation error.
          expect(
            Math.abs(mean - (table.avg[i] ?? Number.NaN)),
            `${file} ${table.source}: ${key} mean ${mean.toFixed(4)} vs printed ${table.avg[i]}`,
          ).toBeLessThanOrEqual(0.005 + 1e-9);
        });
      }
    });
  }

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

  it('keeps the shared schema: LongBench categories and metrics as in SOURCES.md, agg runs, no std', async () => {
    const metricOf: Record<string, [string, string]> = {};
    const ref = await readCsvFile(path.join(REAL, 'longbench_snapkv2024.csv'));
    for (let r = 0; r < ref.nRows; r++) {
      metricOf[cell(ref, 'task', r)] = [cell(ref, 'task_category', r), cell(ref, 'metric', r)];
    }
    for (const file of Object.keys(ADAKV)) {
      const t = await readCsvFile(path.join(REAL, file), { source: file });
      expect(t.names).toEqual(ref.names);
      for (let r = 0; r < t.nRows; r++) {
        const task = cell(t, 'task', r);
        expect([cell(t, 'task_category', r), cell(t, 'metric', r)]).toEqual(metricOf[task]);
        expect(cell(t, 'seed_or_run', r)).toBe('agg');
        expect(cell(t, 'higher_is_better', r)).toBe('true');
        expect(cell(t, 'std', r)).toBe('');
        const v = Number(cell(t, 'value', r));
        expect(v >= 0 && v <= 100, `${file} line ${r + 2}: ${v}`).toBe(true);
      }
    }
  });
});
