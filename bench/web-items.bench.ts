/**
 * Web app figures of per-example data (README "The web app"): (1) a per-sample `.jsonl` upload
 * over loopback (POST /api/datasets, curl as the client in its own process): wall time and the
 * server's peak RSS and JS heap while it streams, against the file's size; (2) the item-level
 * results of a paired item model fit: the CPU time of each part of its item matrix, built once
 * per fit (src/web/item-matrix.ts: parse and prepare the stored rows, the per-heuristic item
 * means, the cell draws), and of each pair answered from it (src/web/items.ts itemsDoc); then the
 * same over loopback HTTP (GET /api/fits/:id/items: the first pair builds the matrix on a worker
 * thread, every further pair reads it), wall and CPU (all threads of the process).
 *
 *   npx tsx bench/web-items.bench.ts            (100,000 lines ~192 MB; 20 x 5 x 1,000 items, 4 x 1,000 draws)
 *   npx tsx bench/web-items.bench.ts --quick    (20,000 lines; 20 x 5 x 200 items)
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../src/data/csv.js';
import { tableToCsv } from '../src/data/csv-write.js';
import { simulateItems } from '../src/data/synth-items.js';
import { runComparison } from '../src/pipeline/compare.js';
import { openStore } from '../src/store/store.js';
import { createApp } from '../src/web/app.js';
import { compareOptions, readModels } from '../src/web/fit-options.js';
import { cellDraws, itemScores, itemSettings, matrixBytes } from '../src/web/item-matrix.js';
import { itemsDoc } from '../src/web/items.js';
import { packageRoot } from '../src/web/paths.js';
import { prepareFor } from '../src/web/rebuild.js';
import { createRunner } from '../src/web/runner.js';
import { machineLine } from './run.js';

const quick = process.argv.includes('--quick');
const MB = (x: number) => (x / 1048576).toFixed(0);

/** A per-sample JSONL of `n` lines (4 heuristics x 5 tasks, a 1,900-character doc per line). */
async function writeSamples(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const pad = 'x'.repeat(1900);
  const heuristics = ['snapkv', 'pyramidkv', 'full_kv', 'h2o'];
  for (let i = 0; i < n; i++) {
    const line = JSON.stringify({
      heuristic: heuristics[i % 4],
      task: `task${(i >> 2) % 5}`,
      doc_id: i >> 2,
      doc: { q: pad },
      filter: 'none',
      metrics: ['acc'],
      acc: (i * 7919) % 3 === 0 ? 1 : 0,
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function uploadFigures(dir: string): Promise<void> {
  const file = path.join(dir, 'samples.jsonl');
  await writeSamples(file, quick ? 20_000 : 100_000);
  const store = openStore(':memory:');
  const server = createApp({ store }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  const base = process.memoryUsage();
  const peak = { rss: base.rss, heap: base.heapUsed };
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  }, 20);
  const t0 = performance.now();
  const answer = await new Promise<string>((resolve, reject) =>
    execFile(
      'curl',
      ['-s', '-F', `file=@${file}`, `http://127.0.0.1:${port}/api/datasets`],
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
  clearInterval(timer);
  console.log(
    `upload: ${MB(statSync(file).size)} MB .jsonl in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${answer.slice(0, 80)}`,
  );
  console.log(
    `  server RSS ${MB(base.rss)} -> peak ${MB(peak.rss)} MB; JS heap ${MB(base.heapUsed)} -> peak ${MB(peak.heap)} MB; stored CSV ${MB(store.getDatasetCsv(1).length)} MB`,
  );
  await new Promise((r) => server.close(r));
  store.close();
}

/** CPU milliseconds (user + system, all threads of this process) and wall milliseconds of `fn`. */
async function measured<T>(
  fn: () => T | Promise<T>,
): Promise<{ value: T; cpu: number; wall: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

/**
 * The item view over loopback HTTP (GET /api/fits/:id/items), the app's own path (matrix on a
 * worker thread, pairs from it): the first pair, then every further pair.
 */
async function httpFigures(
  csv: Uint8Array,
  run: Awaited<ReturnType<typeof runComparison>>,
  pairs: [string, string][],
): Promise<void> {
  const store = openStore(':memory:');
  const result = { comparison: run.comparison, summary: run.summary, draws: run.fit.draws };
  const runner = createRunner({ store, runFit: async () => result, storeIntervalMs: 0 });
  const app = createApp({ store, runner });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const up = new FormData();
  up.append('file', new Blob([csv]), 'items.csv');
  const ds = (await (await fetch(`${base}/api/datasets`, { method: 'POST', body: up })).json()) as {
    id: number;
  };
  const body = {
    dataset: ds.id,
    mapping: { heuristic: 'heuristic', task: 'task', score: 'score', item: 'item' },
    chains: 4,
    warmup: 150,
    draws: 1000,
    seed: 3,
  };
  const created = await fetch(`${base}/api/fits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { id } = (await created.json()) as { id: number };
  await runner.idle();
  const get = async ([a, b]: [string, string]) => {
    const res = await fetch(`${base}/api/fits/${id}/items?a=${a}&b=${b}&k=10`);
    if (res.status !== 200) throw new Error(`items: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const first = await measured(() => get(pairs[0]));
  const rest = [];
  for (const p of pairs.slice(1)) rest.push(await measured(() => get(p)));
  console.log(
    `http: first pair ${ms(first.wall)} wall, ${ms(first.cpu)} CPU; ${rest.length} further pairs: median ${ms(median(rest.map((r) => r.wall)))} wall, ${ms(median(rest.map((r) => r.cpu)))} CPU, max ${ms(Math.max(...rest.map((r) => r.wall)))} wall`,
  );
  await new Promise((r) => server.close(r));
  store.close();
}

async function itemFigures(): Promise<void> {
  const items = quick ? 200 : 1000;
  const { table } = simulateItems({ heuristics: 20, tasks: 5, items, family: 'gaussian', seed: 7 });
  const csv = new TextEncoder().encode(tableToCsv(table));
  const spec = { mapping: { heuristic: 'heuristic', task: 'task', score: 'score', item: 'item' } };
  const config = { chains: 4, warmup: 150, draws: 1000, seed: 3 };
  const models = readModels(path.join(packageRoot(), 'models'));
  const t0 = performance.now();
  const run = await runComparison(
    parseCsv(csv, { source: 'x' }),
    compareOptions(spec, config, models),
  );
  console.log(
    `item model fit: ${table.nRows} rows, ${((performance.now() - t0) / 1000).toFixed(1)} s (${run.comparison.settings?.model})`,
  );
  const hs = run.comparison.heuristics.map((h) => h.name);
  const pairs: [string, string][] = [];
  for (let i = 0; i < 11; i++) pairs.push([hs[i % hs.length], hs[(i + 1) % hs.length]]);
  const settings = itemSettings(run.comparison.settings ?? {});
  const S = run.fit.draws.nDraws * run.fit.draws.nChains;
  for (let rep = 0; rep < 3; rep++) {
    // once per fit: what the item matrix is built from (src/web/item-matrix.ts)
    const parsed = await measured(() => parseCsv(csv, { source: 'x' }));
    const prep = await measured(() =>
      prepareFor(parsed.value, spec, path.join(packageRoot(), 'models')),
    );
    const { prepared } = prep.value;
    const sc = await measured(() => itemScores(prepared.table, prepared.higherIsBetter));
    const cd = await measured(() => cellDraws(run.fit.draws, prepared, settings, 3));
    const matrix = {
      fit: 1,
      scores: sc.value,
      posterior: cd.value,
      settings,
      higherIsBetter: prepared.higherIsBetter,
      columns: { item: 'item', score: 'score' },
    };
    // per pair: from the matrix
    const per = [];
    for (const [a, b] of pairs) per.push(await measured(() => itemsDoc(matrix, a, b, 10)));
    console.log(
      `item matrix (CPU): parse ${ms(parsed.cpu)}, prepare ${ms(prep.cpu)}, item scores ${ms(sc.cpu)}, cell draws (${S} draws) ${ms(cd.cpu)}; ${(matrixBytes(matrix) / 1048576).toFixed(1)} MB; per pair (CPU, ${pairs.length} pairs): median ${ms(median(per.map((p) => p.cpu)))}, max ${ms(Math.max(...per.map((p) => p.cpu)))}`,
    );
  }
  await httpFigures(csv, run, pairs);
}

console.log(machineLine());
const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-web-items-'));
try {
  await uploadFigures(dir);
  await itemFigures();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
