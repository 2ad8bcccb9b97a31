/**
 * Data layer benchmark (BENCHMARKS.md §3, streaming CSV import): write a 1,000,000-row synthetic benchmark CSV
 * (20 heuristics x 500 tasks x 100 seeds, bench/gen-synth.ts, same bytes as gen_synth.py 20 500 5 100 1)
 * to a temp file, then in a fresh child process time `readCsvFile` (csv-parse streaming API into typed
 * columns) and `prepareComparisonData`, and report wall and CPU seconds and peak RSS
 * (process.resourceUsage().maxRSS of the child, which only reads). Also times `parseCsv` on the same
 * bytes in memory, in a second child. Targets: a few seconds, peak RSS well under 1.5 GB.
 *
 *   npx tsx bench/data.bench.ts                       (1,000,000 rows)
 *   npx tsx bench/data.bench.ts --quick               (100,000 rows: a smoke run; or --runs N)
 *   npx tsx bench/data.bench.ts --keep                (keep the CSV; its path is printed)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detectColumns, prepareComparisonData } from '../src/data/benchmark.js';
import { parseCsv, readCsvFile } from '../src/data/csv.js';
import type { Table } from '../src/data/table.js';
import { generateSynthCsv } from './gen-synth.js';

const SELF = fileURLToPath(import.meta.url);

interface ChildResult {
  mode: string;
  rows: number;
  columns: string;
  readWall: number;
  readCpu: number;
  prepareWall: number;
  baseRssMb: number;
  peakRssMb: number;
  heapMb: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** Runs in the child: read the file once (streaming or in memory) and print one JSON line. */
async function child(file: string, mode: 'stream' | 'memory'): Promise<void> {
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let table: Table;
  if (mode === 'stream') table = await readCsvFile(file);
  else table = parseCsv(readFileSync(file), { source: file });
  const readWall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const t1 = performance.now();
  const data = prepareComparisonData(table, detectColumns(table));
  const prepareWall = (performance.now() - t1) / 1000;
  const result: ChildResult = {
    mode,
    rows: data.table.nRows,
    columns: table.names.map((n) => `${n}:${table.columns[n].type}`).join(' '),
    readWall,
    readCpu: (cpu.user + cpu.system) / 1e6,
    prepareWall,
    baseRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapMb: mb(process.memoryUsage().heapUsed),
  };
  console.log(JSON.stringify(result));
}

function runChild(file: string, mode: 'stream' | 'memory'): ChildResult {
  const res = spawnSync(process.execPath, [...process.execArgv, SELF, '--child', mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (res.status !== 0) throw new Error(`child (${mode}) failed: ${res.stderr}`);
  const line = res.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as ChildResult;
}

async function main(argv: readonly string[]): Promise<void> {
  const num = (flag: string, dflt: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const args = {
    heuristics: num('--heuristics', 20),
    tasks: num('--tasks', 500),
    categories: num('--categories', 5),
    runs: num('--runs', argv.includes('--quick') ? 10 : 100),
    seed: num('--seed', 1),
  };
  console.log(
    '# data: CSV import (readCsvFile streaming, parseCsv in memory) and prepareComparisonData',
  );
  const cpu = os.cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, ${mb(os.totalmem()).toFixed(0)} MiB, node ${process.version}, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log(`date: ${new Date().toISOString()}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-data-bench-'));
  const file = path.join(dir, 'synth.csv');
  try {
    const tg = performance.now();
    const { rows } = await generateSynthCsv(file, args);
    const size = mb(statSync(file).size);
    console.log(
      `data: ${rows} rows (${args.heuristics} heuristics x ${args.tasks} tasks x ${args.runs} seeds, ${args.categories} categories), ${size.toFixed(1)} MiB, generated in ${((performance.now() - tg) / 1000).toFixed(2)} s`,
    );
    for (const mode of ['stream', 'memory'] as const) {
      const r = runChild(file, mode);
      console.log(
        `${mode === 'stream' ? 'readCsvFile (streaming)' : 'parseCsv (in memory) '}: ${r.readWall.toFixed(2)} s wall, ${r.readCpu.toFixed(2)} s CPU, ${(r.rows / r.readWall / 1e6).toFixed(2)} M rows/s; ` +
          `peak RSS ${r.peakRssMb.toFixed(0)} MiB (node at start ${r.baseRssMb.toFixed(0)} MiB), heap after ${r.heapMb.toFixed(0)} MiB; prepareComparisonData ${r.prepareWall.toFixed(2)} s`,
      );
      if (mode === 'stream') console.log(`columns: ${r.columns}`);
    }
    console.log('targets: a few seconds; peak RSS well under 1536 MiB (BENCHMARKS.md §3)');
    if (argv.includes('--keep')) console.log(`kept: ${file}`);
  } finally {
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const c = argv.indexOf('--child');
  if (c >= 0) await child(argv[c + 2], argv[c + 1] as 'stream' | 'memory');
  else await main(argv);
}
