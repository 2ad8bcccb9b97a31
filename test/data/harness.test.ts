import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellText } from '../../src/data/access.js';
import { detectColumns, prepareComparisonData } from '../../src/data/benchmark.js';
import { harnessResultRows, parseModelArgs, samplesTask } from '../../src/data/harness.js';
import { parseInput, readInput } from '../../src/data/input.js';
import type { Table } from '../../src/data/table.js';
import { DataError, NotFoundError } from '../../src/errors.js';

const runs = 'fixtures/harness/runs';
const DATE = '2024-06-01T10-00-00.000000';
const resultsOf = (run: string) => join(runs, run, `results_${DATE}.json`);
const samplesOf = (run: string, task: string) => join(runs, run, `samples_${task}_${DATE}.jsonl`);
const tmp = mkdtempSync(join(tmpdir(), 'bb-harness-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** heuristic|task -> value of a column. */
function byCell(table: Table, column: string): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < table.nRows; i++) {
    m.set(
      `${cellText(table, 'heuristic', i)}|${cellText(table, 'task', i)}`,
      cellText(table, column, i),
    );
  }
  return m;
}

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('lm-evaluation-harness results JSON', () => {
  it('a folder of runs: one heuristic per run folder, leaf tasks, groups left out', async () => {
    const { table, notes, format } = await readInput(runs);
    expect(format).toBe('harness-results');
    expect(table.names).toEqual([
      'heuristic',
      'task',
      'metric',
      'score',
      'std',
      'n',
      'higher_is_better',
      'n_samples',
    ]);
    expect(table.nRows).toBe(12);
    const metric = byCell(table, 'metric');
    expect(metric.get('snapkv|arc_easy')).toBe('acc,none'); // configs' metric_list[0]
    expect(metric.get('snapkv|gsm8k')).toBe('exact_match,strict-match'); // the first filter
    expect([...metric.keys()].some((k) => k.endsWith('|mmlu'))).toBe(false);
    expect(notes.join('\n')).toMatch(/group "mmlu" left out/);
    // the score and stderr are the file's
    const doc = JSON.parse(readFileSync(resultsOf('snapkv'), 'utf8'));
    expect(Number(byCell(table, 'score').get('snapkv|arc_easy'))).toBe(
      doc.results.arc_easy['acc,none'],
    );
    expect(Number(byCell(table, 'std').get('snapkv|mmlu_anatomy'))).toBe(
      doc.results.mmlu_anatomy['acc_stderr,none'],
    );
    // the comparison data take se = the harness's stderr (n = 1)
    const data = prepareComparisonData(table, detectColumns(table));
    const se = data.table.columns.se;
    const std = table.columns.std;
    if (se?.type !== 'numeric' || std.type !== 'numeric') throw new Error('no se');
    for (let k = 0; k < data.table.nRows; k++) expect(se.values[k]).toBe(std.values[data.rows[k]]);
  });

  it('agrees with the per-sample files: acc = the mean of the samples', async () => {
    const results = await readInput(runs);
    const items = await readInput(runs, { items: true });
    const sums = new Map<string, { s: number; n: number }>();
    for (let i = 0; i < items.table.nRows; i++) {
      const key = `${cellText(items.table, 'heuristic', i)}|${cellText(items.table, 'task', i)}`;
      const c = sums.get(key) ?? { s: 0, n: 0 };
      c.s += Number(cellText(items.table, 'score', i));
      c.n++;
      sums.set(key, c);
    }
    const scores = byCell(results.table, 'score');
    expect(sums.size).toBe(scores.size);
    for (const [key, { s, n }] of sums) {
      // the same mean computed in Python and here: a few ulps apart at most
      expect(Math.abs(Number(scores.get(key)) - s / n)).toBeLessThan(1e-12);
    }
  });

  it('--heuristic-from a model_args key or a field; --harness-metric picks metric and filter', async () => {
    const a = await readInput(runs, { heuristicFrom: 'model_args.kv_method' });
    expect((a.table.columns.heuristic as { levels: readonly string[] }).levels).toEqual([
      'full_kv',
      'pyramidkv',
      'snapkv',
    ]);
    const b = await readInput(resultsOf('snapkv'), { heuristicFrom: 'model_args.pretrained' });
    expect(cellText(b.table, 'heuristic', 0)).toBe('meta-llama/Meta-Llama-3-8B-Instruct');
    const c = await readInput(runs, { metric: 'exact_match,flexible-extract' });
    expect(c.table.nRows).toBe(3);
    expect(cellText(c.table, 'metric', 0)).toBe('exact_match,flexible-extract');
    expect(c.notes.join('\n')).toMatch(
      /3 tasks without metric "exact_match,flexible-extract" left out/,
    );
    const d = await readInput(runs, { metric: 'acc_norm' });
    expect(d.table.nRows).toBe(9); // arc_easy and the mmlu subtasks; gsm8k has no acc_norm
    expect(d.notes.join('\n')).toMatch(/1 task without metric "acc_norm" left out \("gsm8k"\)/);
    expect(await message(readInput(runs, { heuristicFrom: 'model_args.adapter' }))).toMatch(
      /full_kv\/results_[^:]+\.json: --heuristic-from model_args\.adapter: no "config\.model_args\.adapter" \(there: pretrained, kv_method, dtype\)/,
    );
  });

  it('runs written by --output_path RUN: the model folder names the backbone, not the run', async () => {
    const doc = JSON.parse(readFileSync(resultsOf('snapkv'), 'utf8'));
    for (const run of ['snapkv', 'h2o']) {
      for (const model of ['org/A', 'org/B']) {
        const sanitized = model.replace('/', '__');
        file(
          `out/${run}/${sanitized}/results_${DATE}.json`,
          JSON.stringify({ ...doc, model_name: model, model_name_sanitized: sanitized }),
        );
      }
    }
    const { table } = await readInput(join(tmp, 'out'));
    expect(table.nRows).toBe(2 * 2 * 4);
    expect(table.columns.heuristic).toMatchObject({ levels: ['h2o', 'snapkv'] });
    expect(table.columns.backbone).toMatchObject({ levels: ['org/A', 'org/B'] });
    expect(detectColumns(table).backbone).toBe('backbone');
    // one model: no backbone column
    expect((await readInput(runs)).table.columns.backbone).toBeUndefined();
  });

  it('a single results file is named by its run folder', async () => {
    const { table } = await readInput(resultsOf('pyramidkv'));
    expect(cellText(table, 'heuristic', 0)).toBe('pyramidkv');
    expect(parseModelArgs('pretrained=a/b,dtype=float32')).toEqual({
      pretrained: 'a/b',
      dtype: 'float32',
    });
  });

  it('a stderr of 0 (every sample right) becomes the binomial se at the add-half estimate', () => {
    const doc = {
      results: { t: { 'acc,none': 1, 'acc_stderr,none': 0 } },
      'n-samples': { t: { original: 8, effective: 8 } },
    };
    const { rows, notes } = harnessResultRows(doc, 'r.json', 'run', {});
    const p = 8.5 / 9;
    expect(rows[0].stderr).toBe(Math.sqrt((p * (1 - p)) / 8));
    expect(notes.join('\n')).toMatch(/stderr 0/);
  });

  it('bad results files: one line naming the file and the field', async () => {
    expect(await message(readInput(file('x/notjson.json', '{"results": {')))).toMatch(
      /^.*notjson\.json: not JSON \(/,
    );
    expect(await message(readInput(file('x/noresults.json', '{"config": {}}')))).toMatch(
      /noresults\.json: not an lm-evaluation-harness results file \(no "results" object at the top\)$/,
    );
    expect(
      await message(
        readInput(
          file('x/text.json', '{"results": {"t": {"acc,none": 0.5, "acc_stderr,none": "big"}}}'),
        ),
      ),
    ).toMatch(
      /text\.json: results\.t\.acc_stderr,none: "big" is not a standard error \(a number >= 0 or "N\/A"\)$/,
    );
    expect(
      await message(readInput(file('x/nometric.json', '{"results": {"t": {"alias": "t"}}}'))),
    ).toMatch(/nometric\.json: results\.t: no metric/);
    await expect(readInput(join(tmp, 'missing.json'))).rejects.toBeInstanceOf(NotFoundError);
    expect(
      await message(readInput(file('empty/readme.txt', 'x').replace('/readme.txt', ''))),
    ).toMatch(/no \.json or \.jsonl files/);
  });
});

describe('lm-evaluation-harness per-sample JSONL', () => {
  it('one row per doc (item) of the chosen filter, task from the file name', async () => {
    const f = samplesOf('snapkv', 'gsm8k');
    const { table, notes, format } = await readInput(f);
    expect(format).toBe('harness-samples');
    expect(table.names).toEqual(['heuristic', 'task', 'item', 'score']);
    expect(table.nRows).toBe(8);
    expect(cellText(table, 'heuristic', 0)).toBe('snapkv');
    expect(cellText(table, 'task', 0)).toBe('gsm8k');
    // lines of the file: strict-match lines are the odd ones
    expect(Array.from(table.lines ?? [])).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(notes.join('\n')).toMatch(/8 sample lines of other filters skipped/);
    const lines = readFileSync(f, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const flexible = await readInput(f, { metric: 'exact_match,flexible-extract' });
    const want = lines
      .filter((l) => l.filter === 'flexible-extract')
      .map((l) => String(l.exact_match === 1 ? 1 : 0));
    expect(Array.from({ length: 8 }, (_, i) => cellText(flexible.table, 'score', i))).toEqual(want);
    expect(samplesTask(`samples_mmlu_anatomy_${DATE}.jsonl`)).toBe('mmlu_anatomy');
  });

  it('a folder with --items: every run and task, the same as the uploaded bytes of one file', async () => {
    const { table } = await readInput(runs, { items: true });
    expect(table.nRows).toBe(3 * (24 + 8 + 12 + 10));
    const f = samplesOf('full_kv', 'arc_easy');
    const fromFile = await readInput(f);
    const fromBytes = parseInput(readFileSync(f), f, {});
    expect(fromBytes.table.columns.score).toEqual(fromFile.table.columns.score);
    expect(fromBytes.table.columns.item).toEqual(fromFile.table.columns.item);
    expect(fromBytes.table.lines).toEqual(fromFile.table.lines);
  });

  it('lines may name their own heuristic and task (files concatenated by hand)', () => {
    const text = [
      '{"doc_id": 0, "heuristic": "a", "task": "t", "acc": 1}',
      '{"doc_id": 0, "heuristic": "b", "task": "t", "acc": false}',
      '',
    ].join('\n');
    const { table } = parseInput(Buffer.from(text), 'mixed.jsonl');
    expect(table.nRows).toBe(2);
    expect(cellText(table, 'heuristic', 1)).toBe('b');
    expect(cellText(table, 'score', 1)).toBe('0');
  });

  it('bad lines: the file, the line and the field', () => {
    const bad = (text: string) => {
      try {
        parseInput(Buffer.from(text), 's.jsonl');
      } catch (err) {
        expect(err).toBeInstanceOf(DataError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad('{"doc_id": 0, "acc": 1}\n{"doc_id": 1, "acc": 1\n')).toMatch(
      /^s\.jsonl: line 2: not JSON \(/,
    );
    expect(bad('{"doc_id": 0, "acc": 1}\n[1, 2]\n')).toBe('s.jsonl: line 2: not a JSON object');
    expect(bad('{"doc_id": 0, "acc": 1}\n{"acc": 1}\n')).toBe(
      's.jsonl: line 2, field "doc_id": missing or not a number',
    );
    expect(bad('{"doc_id": 0, "acc": 1}\n{"doc_id": 0, "acc": 0}\n')).toBe(
      's.jsonl: line 2, field "doc_id": "0" was already read for filter "none"',
    );
    expect(bad('{"doc_id": 0, "metrics": ["acc"], "acc": 1}\n{"doc_id": 1, "acc": "yes"}\n')).toBe(
      's.jsonl: line 2, field "acc": "yes" is not a number',
    );
    expect(bad('{"doc_id": 0, "doc": {}}\n')).toBe(
      's.jsonl: line 1: no metric field (a number such as "acc" or "exact_match")',
    );
    expect(bad('\n\n')).toBe('s.jsonl: no samples to read');
  });

  it('streams a file of 30,000 lines', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++)
      lines.push(
        `{"doc_id": ${i}, "filter": "none", "metrics": ["acc"], "acc": ${i % 3 === 0 ? 1 : 0}}`,
      );
    const f = file('big/samples_big_task_2024-01-01T00-00-00.jsonl', `${lines.join('\n')}\n`);
    const { table } = await readInput(f);
    expect(table.nRows).toBe(30_000);
    expect(cellText(table, 'task', 0)).toBe('big_task');
    expect(cellText(table, 'heuristic', 0)).toBe('big');
    // acc = 1 on every third doc_id: rows keep the file's order to the last line
    expect(cellText(table, 'score', 29_997)).toBe('1');
    expect(cellText(table, 'score', 29_999)).toBe('0');
    expect(cellText(table, 'item', 29_999)).toBe('29999');
  });
});
