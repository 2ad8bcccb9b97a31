/**
 * Per-sample JSONL reading benchmark (src/data/input.ts readInput, readline streaming into typed
 * columns): write an lm-evaluation-harness-shaped `--log_samples` file (every field the harness
 * writes, a ~120-character doc, 20 heuristics x 10 tasks x N/200 items carried in `heuristic` and
 * `task` fields of the lines) to a temp file, then in a fresh child process time readInput and
 * report wall and CPU seconds, rows per second and peak RSS (process.resourceUsage().maxRSS).
 *
 *   npx tsx bench/harness.bench.ts              (1,000,000 lines, ~540 MB)
 *   npx tsx bench/harness.bench.ts --quick      (100,000 lines; or --lines N)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInput } from '../src/data/input.js';

const SELF = fileURLToPath(import.meta.url);

/** One harness sample line (the fields of lm_eval/evaluator.py's sample record). */
function line(i: number, items: number): string {
  const item = i % items;
  const h = Math.floor(i / items) % 20;
  const t = Math.floor(i / (items * 20));
  return JSON.stringify({
    doc_id: item,
    doc: {
      question: `Question ${item} of task ${t}: which option is right? `.repeat(2),
      answer: 'A',
    },
    target: '0',
    arguments: { gen_args_0: { arg_0: `Question ${item}`, arg_1: ' A' } },
    resps: [[[-1.25, false]], [[-2.5, false]]],
    filtered_resps: [
      [-1.25, false],
      [-2.5, false],
    ],
    filter: 'none',
    metrics: ['acc', 'acc_norm'],
    doc_hash: 'd'.repeat(64),
    prompt_hash: 'p'.repeat(64),
    target_hash: 't'.repeat(64),
    acc: (item * 7 + h) % 3 === 0 ? 0 : 1,
    acc_norm: 1,
    heuristic: `h${h}`,
    task: `task${t}`,
  });
}

async function write(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const items = Math.max(1, Math.floor(n / 200));
  for (let i = 0; i < n; i++) {
    if (!out.write(`${line(i, items)}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
}

async function child(file: string): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { table } = await readInput(file);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      rows: table.nRows,
      wall,
      cpu: (cpu.user + cpu.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--lines');
  const n = at >= 0 ? Number(argv[at + 1]) : argv.includes('--quick') ? 100_000 : 1_000_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-harness-bench-'));
  const file = path.join(dir, 'samples_bench_2024-01-01T00-00-00.jsonl');
  try {
    await write(file, n);
    const mb = statSync(file).size / 2 ** 20;
    const res = spawnSync(process.execPath, [...process.execArgv, SELF, '--child', file], {
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
    const r = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}');
    console.log(
      `per-sample JSONL: ${r.rows} lines, ${mb.toFixed(0)} MB: readInput ${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${Math.round(r.rows / r.wall)} lines/s, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv[1]);
else await main(argv);
