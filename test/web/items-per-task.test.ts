import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { createApp } from '../../src/web/app.js';
import { packageRoot } from '../../src/web/paths.js';
import { itemsPerTaskField } from '../../src/web/requests.js';
import { workerRunFit } from '../../src/web/run-fit.js';
import { createRunner } from '../../src/web/runner.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const modelsDir = join(packageRoot(), 'models');
/** 3 methods x 6 tasks of accuracies that are whole counts of 200 items (fixtures/binomial). */
const accuracies = readFileSync(join(packageRoot(), 'fixtures/binomial/accuracy_200_items.csv'));
const mapping = { heuristic: 'method', task: 'task', score: 'accuracy' };

/** An app over the default engine; fits run on worker threads as in `serve`. */
async function setup() {
  const store = openStore(':memory:');
  stores.push(store);
  const runner = createRunner({ store, runFit: workerRunFit(modelsDir), storeIntervalMs: 0 });
  const app = createApp({ store, runner });
  const up = await request(app)
    .post('/api/datasets')
    .attach('file', accuracies, 'accuracy.csv')
    .expect(201);
  return { store, runner, app, dataset: up.body.id as number };
}

describe('items per task in a web fit request (the CLI --items-per-task)', () => {
  it('parses the field as the CLI does: none, a number, task=n,... or CSV text', () => {
    expect(itemsPerTaskField(undefined)).toBeUndefined();
    expect(itemsPerTaskField('  ')).toBeUndefined();
    expect(itemsPerTaskField(' none ')).toBe('none');
    expect(itemsPerTaskField(200)).toBe(200);
    expect(itemsPerTaskField('task1=200, task2 = 150')).toEqual({ task1: 200, task2: 150 });
    expect(itemsPerTaskField('task,n\ntask1,200\r\ntask2,150')).toEqual({
      task1: 200,
      task2: 150,
    });
    expect(() => itemsPerTaskField('1.5')).toThrow(
      '--items-per-task: "1.5" is not none, a number, task=n,... or CSV text with columns task,n',
    );
    expect(() => itemsPerTaskField('task,n\ntask1,0')).toThrow(
      '--items-per-task: items_per_task row 2, column n: the items must be a whole number >= 1',
    );
  });

  it('a valid spec fits the binomial model, shows on the fit page, and a rebuild keeps it', {
    timeout: 120_000,
  }, async () => {
    const { store, runner, app, dataset } = await setup();
    const created = await request(app)
      .post('/api/fits')
      .send({ dataset, mapping, items_per_task: '200', chains: 2, warmup: 150, draws: 150 })
      .expect(202);
    const id = created.body.id as number;
    expect(store.getFit(id).spec.itemsPerTask).toBe(200);
    await runner.idle();
    const fit = store.getFit(id);
    expect(fit.status).toBe('done');
    expect(fit.comparison?.settings?.family).toBe('binomial');
    expect(fit.comparison?.settings?.bounded).toMatchObject({
      likelihood: 'binomial',
      items_per_task: { task1: 200, task6: 200 },
    });
    const page = await request(app).get(`/fits/${id}`).expect(200);
    expect(page.text).toContain('<span id="items-per-task">items per task <code>200</code>');

    // another ROPE rebuilds the comparison from the stored draws with the fit's binomial
    // likelihood (without it the draws of the logit-scale cells would be read as raw scores):
    // the same heuristic means to the last bit, every one inside [0, 100]
    const rebuilt = await request(app).get(`/api/fits/${id}/summary?rope=1.5`).expect(200);
    expect(rebuilt.body.settings.rope).toBe(1.5);
    expect(rebuilt.body.settings.bounded.likelihood).toBe('binomial');
    const means = rebuilt.body.heuristics.map((h: { mean: number }) => h.mean);
    expect(means).toEqual(fit.comparison?.heuristics.map((h) => h.mean));
    for (const m of means) expect(m > 0 && m < 100).toBe(true);
  });

  it('an invalid spec is a 400 with one line, from the API and the form, and stores nothing', async () => {
    const { store, runner, app, dataset } = await setup();
    const cases: [unknown, string][] = [
      [
        'task1=0',
        '--items-per-task: the items of task "task1" must be a whole number >= 1, got "0"',
      ],
      ['=5', '--items-per-task: "=5" is not task=n'],
      [
        -3,
        '--items-per-task: "-3" is not none, a number, task=n,... or CSV text with columns task,n',
      ],
      [{ task1: 200 }, 'items_per_task: '],
      [
        'task,items\ntask1,x',
        'items_per_task row 2, column items: the items must be a whole number',
      ],
    ];
    for (const [value, msg] of cases) {
      const res = await request(app)
        .post('/api/fits')
        .send({ dataset, mapping, items_per_task: value })
        .expect(400);
      expect(res.body.error, String(value)).toContain(msg);
      expect(res.body.error).not.toContain('\n');
    }
    // the model layer's refusal, in the CLI's words: binomial counts need the scores in their units
    const scaled = await request(app)
      .post('/api/fits')
      .send({
        dataset,
        mapping: { ...mapping, score: 'accuracy' },
        items_per_task: '200',
        higher_is_better: false,
      })
      .expect(400);
    expect(scaled.body.error).toContain('--items-per-task needs the scores in their own units');
    const form = await request(app)
      .post('/fits')
      .type('form')
      .send({ dataset: String(dataset), ...mapping, items_per_task: 'task1=many' })
      .expect(400);
    expect(form.text).toContain(
      '--items-per-task: the items of task &#34;task1&#34; must be a whole number &gt;= 1, got &#34;many&#34;',
    );
    expect(store.listFits()).toHaveLength(0);

    // the New fit form has the field, and a valid value goes into the stored fit
    const newFit = await request(app)
      .get(`/fits/new?dataset=${dataset}&heuristic=method&task=task&score=accuracy`)
      .expect(200);
    expect(newFit.text).toContain('name="items_per_task"');
    await request(app)
      .post('/fits')
      .type('form')
      .send({ dataset: String(dataset), ...mapping, items_per_task: 'task1=200,task2=200' })
      .expect(400)
      .expect(/--items-per-task: no item count for task &#34;task3&#34;/);
    const every = [1, 2, 3, 4, 5, 6].map((t) => `task${t}=200`).join(',');
    await request(app)
      .post('/fits')
      .type('form')
      .send({ dataset: String(dataset), ...mapping, items_per_task: every })
      .expect(303);
    const [fit] = store.listFits();
    expect(fit.spec.itemsPerTask).toMatchObject({ task1: 200, task6: 200 });
    await runner.stop(fit.id);
  });

  it('the form takes a CSV file of items per task (multipart), naming the file in its errors', async () => {
    const { store, runner, app, dataset } = await setup();
    const newFit = await request(app)
      .get(`/fits/new?dataset=${dataset}&heuristic=method&task=task&score=accuracy`)
      .expect(200);
    expect(newFit.text).toContain('enctype="multipart/form-data"');
    expect(newFit.text).toContain('name="items_per_task_file"');
    const post = (file: string, name: string, typed = '') => {
      const r = request(app).post('/fits').field('dataset', String(dataset));
      for (const [k, v] of Object.entries(mapping)) r.field(k, v);
      r.field('items_per_task', typed);
      return r.attach('items_per_task_file', Buffer.from(file), name);
    };
    const rows = [1, 2, 3, 4, 5, 6].map((t) => `task${t},${t === 3 ? 150 : 200}`);
    // a bad row: the file's name, row and column, one line, nothing stored
    const bad = await post(['task,n', ...rows.slice(0, 2), 'task3,0'].join('\n'), 'n.csv').expect(
      400,
    );
    expect(bad.text).toContain(
      '--items-per-task: n.csv row 4, column n: the items must be a whole number &gt;= 1',
    );
    // a file and typed text together: which was meant is unknown
    await post(['task,n', ...rows].join('\n'), 'n.csv', '200')
      .expect(400)
      .expect(/give the items per task as text or as a file, not both/);
    // over the size limit: a 400 in one line, not a 413 about dataset uploads
    await post(`task,n\n${'t,1\n'.repeat(6000)}`, 'big.csv')
      .expect(400)
      .expect(/items per task file: over the limit of 20 kB/);
    expect(store.listFits()).toHaveLength(0);

    await post(['task,n', ...rows].join('\r\n'), 'n.csv').expect(303);
    const [fit] = store.listFits();
    expect(fit.spec.itemsPerTask).toEqual({
      task1: 200,
      task2: 200,
      task3: 150,
      task4: 200,
      task5: 200,
      task6: 200,
    });
    await runner.stop(fit.id);
  });
});
