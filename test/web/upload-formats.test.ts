import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { parseInput, readInput } from '../../src/data/input.js';
import { parseWide } from '../../src/data/wide.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { LIMITS } from '../../src/web/requests.js';
import { controllableRunFit, fakeEngine } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** The app with the fake engine (uploads parsed on this thread) or the default one (worker parse). */
function setup(engine: 'fake' | 'default' = 'fake') {
  const store = openStore(':memory:');
  stores.push(store);
  const fake = controllableRunFit();
  const app = createApp({
    store,
    engine:
      engine === 'fake'
        ? fakeEngine(fake.runFit)
        : { runFit: async () => Promise.reject(new Error('no fits')) },
  });
  return { store, app };
}

const tayWide = readFileSync('fixtures/wide/lra_tay2021_wide.csv');
const speWide = readFileSync('fixtures/wide/lra_spe2021_mean_sd_wide.csv');
const DATE = '2024-06-01T10-00-00.000000';
const results = readFileSync(`fixtures/harness/runs/snapkv/results_${DATE}.json`);
const samplesName = `samples_gsm8k_${DATE}.jsonl`;
const samples = readFileSync(`fixtures/harness/runs/snapkv/${samplesName}`);

describe('web upload of wide tables and harness outputs', () => {
  for (const engine of ['fake', 'default'] as const) {
    it(`a wide CSV is stored as its long table (${engine} engine)`, {
      timeout: 60_000,
    }, async () => {
      const { app, store } = setup(engine);
      const res = await request(app)
        .post('/api/datasets')
        .attach('file', tayWide, 'table1.csv')
        .expect(201);
      expect(res.body).toEqual({
        id: 1,
        rows: 55,
        columns: ['heuristic', 'category', 'task', 'score'],
      });
      // what is stored is the long table every fit reads
      const stored = parseCsv(store.getDatasetCsv(1), { source: 'table1.csv' });
      const converted = parseWide(tayWide, { source: 'table1.csv' }).table;
      expect(stored.columns).toEqual(converted.columns);
      expect(store.getDataset(1).summary.detected).toMatchObject({
        heuristic: 'heuristic',
        task: 'task',
        score: 'score',
        category: 'category',
      });
      // the reader's notes are stored with the dataset and shown on its page, in the web's words
      const notes = parseInput(tayWide, 'table1.csv').notes;
      expect(notes[0]).toBe(
        'read as a wide table: no task column, and the columns hold scores (--wide)',
      );
      const info = await request(app).get('/api/datasets/1').expect(200);
      expect(info.body.format).toBe('wide');
      expect(info.body.notes).toEqual([
        'read as a wide table: no task column, and the columns hold scores',
        ...notes.slice(1),
      ]);
      const page = await request(app).get('/datasets/1').expect(200);
      expect(page.text).toContain('<li>read as a wide table: no task column');
      expect(page.text).toContain(
        'Read as a wide table, converted to one row per heuristic and task.',
      );
    });
  }

  it('the form field n gives a wide table its seeds (se = sd/sqrt(n))', async () => {
    const { app, store } = setup();
    const res = await request(app)
      .post('/api/datasets')
      .field('n', '3')
      .attach('file', speWide, 'spe.csv')
      .expect(201);
    expect(res.body.columns).toEqual(['heuristic', 'task', 'score', 'std', 'n']);
    const stored = parseCsv(store.getDatasetCsv(1));
    expect(stored.columns.n).toEqual({ type: 'numeric', values: new Float64Array(15).fill(3) });
    const bad = await request(app)
      .post('/api/datasets')
      .field('n', 'three')
      .attach('file', speWide, 'spe.csv')
      .expect(400);
    expect(bad.body.error).toBe('n must be a whole number of seeds >= 1 (got "three")');
    expect(store.listDatasets()).toHaveLength(1);
  });

  for (const engine of ['fake', 'default'] as const) {
    it(`a harness results JSON (${engine} engine)`, { timeout: 60_000 }, async () => {
      const { app, store } = setup(engine);
      const res = await request(app)
        .post('/api/datasets')
        .attach('file', results, `results_${DATE}.json`)
        .expect(201);
      expect(res.body.rows).toBe(4);
      expect(res.body.columns).toEqual([
        'heuristic',
        'task',
        'metric',
        'score',
        'std',
        'n',
        'higher_is_better',
        'n_samples',
      ]);
      const stored = parseCsv(store.getDatasetCsv(1));
      const direct = parseInput(results, `results_${DATE}.json`).table;
      expect(stored.columns.score).toEqual(direct.columns.score);
      expect(stored.columns.std).toEqual(direct.columns.std);
    });
  }

  it('a per-sample JSONL is read as it arrives: item-level rows', async () => {
    const { app, store } = setup();
    const res = await request(app)
      .post('/api/datasets')
      .field('name', 'snapkv gsm8k')
      .attach('file', samples, samplesName)
      .expect(201);
    expect(res.body).toEqual({
      id: 1,
      rows: 8,
      columns: ['heuristic', 'task', 'item', 'score'],
    });
    const stored = parseCsv(store.getDatasetCsv(1));
    const fromFile = (await readInput(`fixtures/harness/runs/snapkv/${samplesName}`)).table;
    expect(stored.columns.score).toEqual(fromFile.columns.score);
    expect(store.getDataset(1).name).toBe('snapkv gsm8k');
    // the form's metric field (sent before the file) picks the filter while the file streams
    const flexible = await request(app)
      .post('/api/datasets')
      .field('metric', 'exact_match,flexible-extract')
      .attach('file', samples, samplesName)
      .expect(201);
    const want = (
      await readInput(`fixtures/harness/runs/snapkv/${samplesName}`, {
        metric: 'exact_match,flexible-extract',
      })
    ).table;
    expect(parseCsv(store.getDatasetCsv(flexible.body.id)).columns.score).toEqual(
      want.columns.score,
    );
    expect(want.columns.score).not.toEqual(fromFile.columns.score);
  });

  it("the form's metric field picks the metric of a results JSON", async () => {
    const { app, store } = setup();
    const res = await request(app)
      .post('/api/datasets')
      .field('metric', 'acc_norm')
      .attach('file', results, `results_${DATE}.json`)
      .expect(201);
    expect(res.body.rows).toBe(3); // gsm8k has no acc_norm
    expect(parseCsv(store.getDatasetCsv(1)).columns.metric).toMatchObject({
      levels: ['acc_norm,none'],
    });
  });

  it("bad input: 400 with the readers' one line, nothing stored", async () => {
    const { app, store } = setup();
    const wide = await request(app)
      .post('/api/datasets')
      .attach(
        'file',
        Buffer.from('Model,ListOps,Text\nA,36.4 ± 0.2,64.3\nB,37.1 ± x,65.0\n'),
        'w.csv',
      )
      .expect(400);
    expect(wide.body.error).toBe(
      'w.csv: line 3, column "ListOps": "37.1 ± x" is not a score (a number, mean ± sd, mean +- sd or mean (sd); read as a wide table)',
    );
    const json = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from('{"config": {}}'), 'r.json')
      .expect(400);
    expect(json.body.error).toBe(
      'r.json: not an lm-evaluation-harness results file (no "results" object at the top)',
    );
    const lines = `${samples.toString('utf8')}{"doc_id": 99, "exact_match": }\n`;
    const jsonl = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(lines), 's.jsonl')
      .expect(400);
    expect(jsonl.body.error).toMatch(/^s\.jsonl: line 17: not JSON \(/);
    // the HTML form answers the same words
    const page = await request(app)
      .post('/upload')
      .attach('file', Buffer.from('{"doc_id": 0}\n'), 's.jsonl')
      .expect(400);
    expect(page.text).toContain('s.jsonl: line 1: no metric field');
    expect(store.listDatasets()).toEqual([]);
  });

  it(`a JSONL over ${LIMITS.rows} samples is refused while it streams`, async () => {
    const { app, store } = setup();
    const lines: string[] = [];
    for (let i = 0; i <= LIMITS.rows; i++) lines.push(`{"doc_id":${i},"acc":1}`);
    const res = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(`${lines.join('\n')}\n`), 'big.jsonl')
      .expect(400);
    expect(res.body.error).toBe(
      `big.jsonl: line ${LIMITS.rows + 1}: more than ${LIMITS.rows} samples (the limit of one input)`,
    );
    expect(store.listDatasets()).toEqual([]);
  });

  it('a CSV over the 5 MB limit is still refused (the .jsonl limit is the larger one)', async () => {
    const { app, store } = setup();
    const big = Buffer.alloc(LIMITS.bytes + 10, 'a');
    const res = await request(app).post('/api/datasets').attach('file', big, 'big.csv').expect(413);
    expect(res.body.error).toMatch(/^the file is over the upload limit of 5 MB/);
    expect(store.listDatasets()).toEqual([]);
  });
});
