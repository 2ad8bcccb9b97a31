import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { createContext } from '../../src/web/context.js';
import { defaultEngine } from '../../src/web/default-engine.js';
import type { Engine, RunFit } from '../../src/web/engine.js';
import type { ItemsDoc } from '../../src/web/items-types.js';
import { storedItems } from '../../src/web/items-view.js';
import { packageRoot } from '../../src/web/paths.js';
import { workerRunFit } from '../../src/web/run-fit.js';
import { createRunner } from '../../src/web/runner.js';
import { controllableRunFit, fakeComparison } from './helpers.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const modelsDir = join(packageRoot(), 'models');
const runs = join(packageRoot(), 'fixtures/harness/runs');

/**
 * One per-sample JSONL of the harness fixture (fixtures/harness: 3 runs x 4 tasks, the harness's
 * --log_samples format), each line with its run as `heuristic` and its file's task as `task`, as a
 * single upload carries several heuristics and tasks.
 */
function fixtureJsonl(): string {
  const lines: string[] = [];
  for (const run of readdirSync(runs).sort()) {
    for (const f of readdirSync(join(runs, run)).sort()) {
      if (!f.endsWith('.jsonl')) continue;
      const task = f.replace(/^samples_/, '').replace(/_\d{4}-\d\d-\d\dT.*$/, '');
      for (const line of readFileSync(join(runs, run, f), 'utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.stringify({ heuristic: run, task, ...JSON.parse(line) }));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Per task, the items heuristic a got right and b got wrong (and the reverse), read directly from
 * the stored dataset's CSV text (heuristic,task,item,score rows: one seed per item here).
 */
function discordantFromCsv(csv: string, a: string, b: string) {
  const [header, ...rows] = csv.trim().split('\n');
  const cols = header.split(',');
  const at = (name: string) => cols.indexOf(name);
  const score = new Map<string, number>();
  for (const row of rows) {
    const f = row.split(',');
    score.set(`${f[at('heuristic')]}|${f[at('task')]}|${f[at('item')]}`, Number(f[at('score')]));
  }
  const out = new Map<string, { aOnly: string[]; bOnly: string[]; paired: number }>();
  for (const [key, ya] of score) {
    const [h, task, item] = key.split('|');
    if (h !== a) continue;
    const yb = score.get(`${b}|${task}|${item}`);
    if (yb === undefined) continue;
    const entry = out.get(task) ?? { aOnly: [], bOnly: [], paired: 0 };
    entry.paired++;
    if (ya === 1 && yb === 0) entry.aOnly.push(item);
    if (ya === 0 && yb === 1) entry.bOnly.push(item);
    out.set(task, entry);
  }
  return out;
}

/** An app over the default engine; fits run on worker threads as in `serve`, or by `runFit`. */
function setup(runFit: RunFit = workerRunFit(modelsDir), engine?: Partial<Engine>) {
  const store = openStore(':memory:');
  stores.push(store);
  const runner = createRunner({ store, runFit, storeIntervalMs: 0 });
  return { store, runner, app: createApp({ store, runner, engine }) };
}

/** The default engine's item matrix builder, counting its calls. */
function countedMatrix() {
  const build = defaultEngine(modelsDir).itemMatrix;
  const counted = { calls: 0, engine: {} as Partial<Engine> };
  counted.engine.itemMatrix = (input) => {
    counted.calls++;
    if (!build) throw new Error('the default engine builds item matrices');
    return build(input);
  };
  return counted;
}

describe('item-level results of a paired item model fit (GET /api/fits/:id/items, /fits/:id/items)', () => {
  it('per-task posterior = the comparison task pairs; discordant items = a direct count from the CSV', {
    timeout: 180_000,
  }, async () => {
    const matrix = countedMatrix();
    const { store, runner, app } = setup(undefined, matrix.engine);
    const up = await request(app)
      .post('/api/datasets')
      .attach('file', Buffer.from(fixtureJsonl()), 'kv_runs.jsonl')
      .expect(201);
    expect(up.body.columns).toEqual(['heuristic', 'task', 'item', 'score']);
    // the reader's notes are kept with the dataset (gsm8k logs two filters; one is read)
    const ds = await request(app).get(`/api/datasets/${up.body.id}`).expect(200);
    expect(ds.body.format).toBe('harness-samples');
    expect(ds.body.detected.item).toBe('item');
    expect(ds.body.notes).toEqual([
      "24 sample lines of other filters skipped (one filter per task is read; choose it in the upload form's metric field as METRIC,FILTER)",
    ]);
    const dsPage = await request(app).get(`/datasets/${up.body.id}`).expect(200);
    expect(dsPage.text).toContain('<li>24 sample lines of other filters skipped');
    expect(dsPage.text).toContain('<option value="item" selected>item</option>');

    const created = await request(app)
      .post('/api/fits')
      .send({
        dataset: up.body.id,
        mapping: { heuristic: 'heuristic', task: 'task', score: 'score', item: 'item' },
        chains: 2,
        warmup: 100,
        draws: 100,
        seed: 3,
      })
      .expect(202);
    const id = created.body.id as number;
    await runner.idle();
    const fit = store.getFit(id);
    expect(fit.status).toBe('done');
    expect(fit.comparison?.settings?.model).toBe('heuristic-task-item');
    expect(fit.comparison?.settings?.family).toBe('bernoulli');

    const res = await request(app).get(`/api/fits/${id}/items?a=snapkv&b=full_kv&k=3`).expect(200);
    const doc = res.body as ItemsDoc;
    expect(doc.a).toBe('snapkv');
    expect(doc.b).toBe('full_kv');
    expect(doc.zero_one).toBe(true);
    expect(doc.draws).toBe(200);
    expect(doc.tasks.map((t) => t.task).sort()).toEqual([
      'arc_easy',
      'gsm8k',
      'mmlu_anatomy',
      'mmlu_astronomy',
    ]);

    // the data side, against a count made here from the stored CSV
    const direct = discordantFromCsv(
      new TextDecoder().decode(store.getDatasetCsv(up.body.id)),
      'snapkv',
      'full_kv',
    );
    for (const t of doc.tasks) {
      const d = direct.get(t.task);
      expect(d, t.task).toBeDefined();
      expect(t.items.paired).toBe(d?.paired);
      expect(t.items.a_better).toBe(d?.aOnly.length);
      expect(t.items.b_better).toBe(d?.bOnly.length);
      expect(t.items.a_better + t.items.b_better + t.items.tied).toBe(t.items.paired);
      expect(t.top_a.length).toBe(Math.min(3, d?.aOnly.length ?? 0));
      expect(t.top_b.length).toBe(Math.min(3, d?.bOnly.length ?? 0));
      for (const r of t.top_a) expect(d?.aOnly).toContain(r.item);
      for (const r of t.top_b) expect(d?.bOnly).toContain(r.item);
      for (const r of [...t.top_a, ...t.top_b]) expect(Math.abs(r.diff)).toBe(1);
    }
    // full_kv is right on 8 arc_easy items snapkv gets wrong, never the reverse (fixture data)
    expect(doc.tasks.find((t) => t.task === 'arc_easy')?.items.b_better).toBeGreaterThan(0);

    // the posterior side: exactly the comparison document's task pairs (same draws, same
    // arithmetic; the document orders a pair by the heuristics' names: full_kv, snapkv)
    const flipped = (await request(app).get(`/api/fits/${id}/items?a=full_kv&b=snapkv`))
      .body as ItemsDoc;
    for (const t of flipped.tasks) {
      const pair = fit.comparison?.pairs.find(
        (p) => p.scope === `task:${t.task}` && p.a === 'full_kv' && p.b === 'snapkv',
      );
      expect(pair, t.task).toBeDefined();
      const { a: _a, b: _b, scope: _s, ...posterior } = pair ?? { a: '', b: '', scope: '' };
      expect(t.posterior).toEqual(posterior);
      // swapping A and B swaps the counts and the lists
      const same = doc.tasks.find((x) => x.task === t.task);
      expect(t.items.a_better).toBe(same?.items.b_better);
      expect(t.top_a.slice(0, 3)).toEqual(
        same?.top_b.map((r) => ({ ...r, a: r.b, b: r.a, diff: -r.diff, n_a: r.n_b, n_b: r.n_a })),
      );
      expect(t.log_odds).not.toBeNull();
      // the logit link is increasing: the log odds ratio has the sign of the probability difference
      expect(Math.sign(t.log_odds?.mean ?? 0)).toBe(Math.sign(t.posterior.diff_mean ?? 0));
    }

    // a report rebuilt for another ROPE keeps the item model's cells (no logit squeeze of the
    // 0/1 scores, which the item model does not fit): the same expected scores to the last bit
    const rebuilt = await request(app).get(`/api/fits/${id}/summary?rope=0.05`).expect(200);
    expect(rebuilt.body.heuristics.map((h: { mean: number }) => h.mean)).toEqual(
      fit.comparison?.heuristics.map((h) => h.mean),
    );

    // the default pair: the two best heuristics by expected rank
    const ranked = [...(fit.comparison?.heuristics ?? [])].sort(
      (x, y) => x.expected_rank - y.expected_rank,
    );
    const dflt = await request(app).get(`/api/fits/${id}/items`).expect(200);
    expect([dflt.body.a, dflt.body.b]).toEqual([ranked[0].name, ranked[1].name]);
    expect(dflt.body.k).toBe(10);

    // the page: chooser, per-task table, item lists; the report links to it
    const page = await request(app).get(`/fits/${id}/items?a=snapkv&b=full_kv&k=3`).expect(200);
    expect(page.text).toContain('id="pair-form"');
    expect(page.text).toContain('<option value="snapkv" selected>snapkv</option>');
    expect(page.text).toContain('id="items-task-table"');
    expect(page.text).toContain('<figure class="plot" id="plot-item-diffs"><svg');
    const arc = doc.tasks.find((t) => t.task === 'arc_easy');
    expect(page.text).toContain(
      `full_kv better on ${arc?.items.b_better} of ${arc?.items.paired} paired items`,
    );
    const report = await request(app).get(`/fits/${id}`).expect(200);
    expect(report.text).toContain(`href="/fits/${id}/items"`);

    // bad queries: 400 with one line, the page too
    const cases: [string, string][] = [
      ['a=nope&b=snapkv', 'a: no heuristic "nope" in fit'],
      ['a=snapkv&b=snapkv', 'a and b are the same heuristic ("snapkv")'],
      ['k=0', 'k: "0" is not a whole number from 1 to 50'],
      ['k=51', 'k: "51" is not a whole number from 1 to 50'],
    ];
    for (const [q, msg] of cases) {
      const bad = await request(app).get(`/api/fits/${id}/items?${q}`).expect(400);
      expect(bad.body.error).toContain(msg);
      expect(bad.body.error).not.toContain('\n');
      const badPage = await request(app).get(`/fits/${id}/items?${q}`).expect(400);
      expect(badPage.text).toContain(msg.replace(/"/g, '&#34;'));
    }
    // every pair, k and page above was answered from one item matrix, built once for the fit
    expect(matrix.calls).toBe(1);
    // a fit with more tasks x draws than the on-thread bound answers each pair on a worker thread
    // from the pair's part of the matrix: the same document (here with the bound at 0)
    const ctx = createContext({ store, runner, engine: matrix.engine });
    const there = await storedItems(ctx, id, { a: 'snapkv', b: 'full_kv', k: 3 }, 0);
    expect(JSON.parse(JSON.stringify(there.doc))).toEqual(doc);
    const unknown = await request(app).get('/api/fits/99/items').expect(404);
    expect(unknown.body.error).toBe('fit 99 not found');
    await request(app).get('/fits/99/items').expect(404);
  });

  it('answers 409 before the fit is done and 400 for a fit of another model', async () => {
    const { store, app } = setup();
    const ds = store.addDataset({
      name: 'x.csv',
      csv: new TextEncoder().encode('heuristic,task,score\na,t,1\nb,t,2\n'),
      summary: { rows: 2, columns: [] },
    });
    const spec = { mapping: { heuristic: 'heuristic', task: 'task', score: 'score' } };
    const config = { chains: 1, warmup: 10, draws: 10, seed: 1 };
    const queued = store.createFit({ datasetId: ds.id, spec, config });
    const early = await request(app).get(`/api/fits/${queued.id}/items`).expect(409);
    expect(early.body.error).toBe(`fit ${queued.id} is queued: no item-level results yet`);
    store.markRunning(queued.id);
    const comparison = fakeComparison(['a', 'b']);
    comparison.settings = { ...comparison.settings, model: 'heuristic-task' };
    store.completeFit(queued.id, {
      comparison,
      draws: { nDraws: 1, nChains: 1, variables: ['b_Intercept'], values: Float64Array.from([1]) },
      summary: { variables: [], sampler: null, warnings: [] },
    });
    const other = await request(app).get(`/api/fits/${queued.id}/items`).expect(400);
    expect(other.body.error).toBe(
      `fit ${queued.id}: item-level results are for fits of the paired item model (per-example rows with an item column); this fit's model is heuristic-task`,
    );
    const report = await request(app).get(`/fits/${queued.id}`).expect(200);
    expect(report.text).not.toContain('id="items-link"');
  });

  it('the fit request names the item column or leaves it out; a bad column is a 400 and no fit', async () => {
    // the fits are queued, never sampled here (the fake runner finishes them at once)
    const { store, runner, app } = setup(controllableRunFit({ immediate: true }).runFit);
    const rows = [
      'a,t,1,1',
      'b,t,1,0',
      'a,t,2,0',
      'b,t,2,1',
      'a,u,1,1',
      'b,u,1,1',
      'a,u,2,0',
      'b,u,2,1',
    ];
    const csv = `heuristic,task,item,score\n${rows.join('\n')}\n`;
    const ds = store.addDataset({
      name: 'items.csv',
      csv: new TextEncoder().encode(csv),
      summary: { rows: 4, columns: [] },
    });
    const base = { heuristic: 'heuristic', task: 'task', score: 'score' };
    const bad = await request(app)
      .post('/api/fits')
      .send({ dataset: ds.id, mapping: { ...base, item: 'question' } })
      .expect(400);
    expect(bad.body.error).toMatch(/no column "question"/);
    expect(store.listFits()).toEqual([]);
    const named = await request(app)
      .post('/api/fits')
      .send({ dataset: ds.id, mapping: { ...base, item: 'item' } });
    expect(named.body.error).toBeUndefined();
    expect(named.status).toBe(202);
    expect(store.getFit(named.body.id).spec.mapping.item).toBe('item');
    // left out (or empty, the form's "(none)"): no item role, as `--item ''`, so the rows of a
    // heuristic on a task are duplicates now (the column is not detected behind the user's back)
    for (const mapping of [base, { ...base, item: '' }]) {
      const off = await request(app)
        .post('/api/fits')
        .send({ dataset: ds.id, mapping })
        .expect(400);
      expect(off.body.error).toMatch(/^items\.csv: .*duplicate rows/);
    }
    expect(store.listFits().length).toBe(1);
    await runner.idle();
  });
});
