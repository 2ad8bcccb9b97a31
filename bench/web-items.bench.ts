/**
 * Web app figures of per-example data (README "The web app"): (1) a per-sample `.jsonl` upload
 * over loopback (POST /api/datasets, curl as the client in its own process): wall time and the
 * server's peak RSS and JS heap while it streams, against the file's size; (2) the item-level
 * results of a paired item model fit (src/web/items.ts itemsOfStoredFit: parse and prepare the
 * stored rows, the pair's per-task posterior from the draws, the paired items), per part.
 *
 *   npx tsx bench/web-items.bench.ts            (100,000 lines ~192 MB; 20 x 5 x 1,000 items, 4 x 1,000 draws)
 *   npx tsx bench/web-items.bench.ts --quick    (20,000 lines; 20 x 5 x 200 items)
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { designFromTable } from '../src/analysis/design.js';
import { parseCsv } from '../src/data/csv.js';
import { tableToCsv } from '../src/data/csv-write.js';
import { simulateItems } from '../src/data/synth-items.js';
import { runComparison } from '../src/pipeline/compare.js';
import { openStore } from '../src/store/store.js';
import { createApp } from '../src/web/app.js';
import { compareOptions, readModels } from '../src/web/fit-options.js';
import { pairedItems, pairPosterior } from '../src/web/items.js';
import { packageRoot } from '../src/web/paths.js';
import { prepareFor } from '../src/web/rebuild.js';
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
  for (let rep = 0; rep < 3; rep++) {
    const t = [performance.now()];
    const parsed = parseCsv(csv, { source: 'x' });
    t.push(performance.now());
    const { prepared } = prepareFor(parsed, spec, path.join(packageRoot(), 'models'));
    t.push(performance.now());
    pairPosterior(run.fit.draws, prepared, run.comparison.settings ?? {}, 3, hs[0], hs[1]);
    t.push(performance.now());
    pairedItems(prepared.table, hs[0], hs[1], 10, true);
    designFromTable(prepared.table);
    t.push(performance.now());
    const ms = t.slice(1).map((x, i) => (x - t[i]).toFixed(0));
    console.log(
      `item view: parse ${ms[0]} ms, prepare ${ms[1]} ms, posterior (${run.fit.draws.nDraws * run.fit.draws.nChains} draws) ${ms[2]} ms, items ${ms[3]} ms`,
    );
  }
}

console.log(machineLine());
const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-web-items-'));
try {
  await uploadFigures(dir);
  await itemFigures();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
