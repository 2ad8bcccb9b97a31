/**
 * The parts of `compare`'s fixed cost that do not depend on the sampler's speed, in CPU ms (not
 * wall clock: on a shared machine the CPU time of a part moves far less with the load than its wall
 * time), each in a fresh process so that the first call pays V8's compilation as the CLI does:
 *
 * - document: `compareFromFit` on the draws of one `compare` run of the table (seed 1), first call
 *   (cold) and third call (warm), with a SHA-256 of the JSON (the same before and after a speed-up);
 * - summary: `summarizeDraws` of the same draws, cold (the CLI splits it over two worker threads);
 * - one chain thread's start, one thread at a time (CPU of that thread, /proc/thread-self/schedstat):
 *   Node's worker bootstrap, piscina, the worker module's graph, the model module's graph, the
 *   model's rebuild from its source.
 *
 * Needs a built dist/ (npm run build) and Linux (/proc). Medians over --reps fresh processes.
 *
 * Run: npm run bench -- document-cost [--reps=3] [--files=lra_tay2021,longbench_pyramidkv2024]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { printHeader, ROOT } from './run.js';

const DIST = pathToFileURL(path.join(ROOT, 'dist', 'src')).href;

function arg(name: string, fallback: string): string {
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq !== undefined ? eq.slice(name.length + 3) : fallback;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};

/** CPU ms of this process (all threads: V8's compiler and GC threads included). */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

interface Dump {
  variables: string[];
  nDraws: number;
  nChains: number;
  groups: unknown;
  family: string;
  formula: string;
}

/** One compare run (seed 1): its draws and what compareFromFit was given, into dir. */
async function dump(file: string, dir: string): Promise<void> {
  const pool = await import(`${DIST}/sampler/pool.js`);
  const { runComparison } = await import(`${DIST}/pipeline/compare.js`);
  const { readCsvFile } = await import(`${DIST}/data/csv.js`);
  const run = await runComparison(await readCsvFile(file), { source: file });
  const d = run.fit.draws;
  writeFileSync(
    path.join(dir, 'draws.bin'),
    new Uint8Array(d.values.buffer, 0, d.values.length * 8),
  );
  const meta: Dump = {
    variables: d.variables,
    nDraws: d.nDraws,
    nChains: d.nChains,
    groups: run.model.groups,
    family: run.spec.family ?? 'gaussian',
    formula: run.spec.formula,
  };
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify(meta));
  await pool.destroySamplerPool();
}

function loadDump(dir: string) {
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Dump;
  const buf = readFileSync(path.join(dir, 'draws.bin'));
  const values = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  return {
    meta,
    draws: { variables: meta.variables, nDraws: meta.nDraws, nChains: meta.nChains, values },
  };
}

/** compareFromFit three times in this fresh process: cold and warm CPU ms, JSON hash. */
async function documentChild(file: string, dir: string): Promise<void> {
  const { compareFromFit } = await import(`${DIST}/analysis/from-fit.js`);
  const { prepareComparison } = await import(`${DIST}/analysis/prepare.js`);
  const { readCsvFile } = await import(`${DIST}/data/csv.js`);
  const { meta, draws } = loadDump(dir);
  const prepared = prepareComparison(await readCsvFile(file), {});
  const cpu: number[] = [];
  let json = '';
  for (let r = 0; r < 3; r++) {
    const c0 = cpuMs();
    const doc = compareFromFit(
      {
        table: prepared.table,
        draws,
        groups: meta.groups,
        family: meta.family,
        formula: meta.formula,
        scale: prepared.scale,
        bounded: prepared.bounded,
        proportionUpper: prepared.proportionUpper,
        notes: [...prepared.notes],
        settings: {},
      },
      { higherIsBetter: prepared.higherIsBetter, seed: 1 },
    );
    cpu.push(cpuMs() - c0);
    json = JSON.stringify(doc);
  }
  const sha = createHash('sha256').update(json).digest('hex').slice(0, 16);
  process.stdout.write(`${JSON.stringify({ cold: cpu[0], warm: cpu[2], sha })}\n`);
}

/** summarizeDraws once in this fresh process (cold), CPU ms. */
async function summaryChild(dir: string): Promise<void> {
  const { summarizeDraws } = await import(`${DIST}/diagnostics/summarize.js`);
  const { draws } = loadDump(dir);
  const c0 = cpuMs();
  summarizeDraws(draws);
  process.stdout.write(`${JSON.stringify({ cold: cpuMs() - c0 })}\n`);
}

/** What a chain thread does before its first iteration, one thread at a time, thread CPU ms. */
async function threadChild(file: string): Promise<void> {
  const { readCsvFile } = await import(`${DIST}/data/csv.js`);
  const { prepareComparison } = await import(`${DIST}/analysis/prepare.js`);
  const { comparisonSpec } = await import(`${DIST}/pipeline/compare.js`);
  const { compileModel } = await import(`${DIST}/model/compile.js`);
  const { standardizedInput } = await import(`${DIST}/analysis/standardize.js`);
  const prepared = prepareComparison(await readCsvFile(file), {});
  const input = standardizedInput(prepared.table, comparisonSpec(prepared, {}));
  const model = compileModel(input.spec, input.table, { marginalize: 'nested' });
  const piscina = pathToFileURL(path.join(ROOT, 'node_modules', 'piscina', 'dist', 'main.js')).href;
  const code = `
    const { readFileSync } = await import('node:fs');
    const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
    const boot = cpu();
    const { parentPort, workerData } = await import('node:worker_threads');
    const c0 = cpu(); await import('${piscina}');
    const c1 = cpu(); await import('${DIST}/sampler/worker.js');
    const c2 = cpu(); const { loadModelFromSource } = await import('${DIST}/sampler/load-model.js');
    await import(workerData.path);
    const c3 = cpu(); await loadModelFromSource(workerData);
    const c4 = cpu();
    parentPort.postMessage({ bootstrap: boot, piscina: c1 - c0, worker: c2 - c1, model: c3 - c2, rebuild: c4 - c3 });`;
  const w = new Worker(code, { eval: true, type: 'module', workerData: model.source } as never);
  const m = await new Promise((resolve) => w.once('message', resolve));
  await w.terminate();
  process.stdout.write(`${JSON.stringify(m)}\n`);
}

function child(args: string[]): Record<string, number | string> {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'document-cost.bench.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`child ${args[0]} failed: ${r.stderr.slice(-800)}`);
  const last = r.stdout.trim().split('\n').pop();
  return last ? JSON.parse(last) : {};
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    throw new Error('no dist/: run npm run build first');
  }
  const reps = Number(arg('reps', '3'));
  const files = arg('files', 'lra_tay2021,longbench_pyramidkv2024').split(',');
  printHeader(`CPU cost of the document, the summary and a chain thread's start, ${reps} reps`);
  console.log(
    '\n| table | document cold | document warm | document JSON sha256 | summary cold | thread: bootstrap | piscina | worker module graph | model module graph | model rebuild |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const name of files) {
    const file = path.join(ROOT, 'fixtures', 'real', `${name}.csv`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-doc-'));
    try {
      child(['--dump', file, dir]);
      const docs = Array.from({ length: reps }, () => child(['--document', file, dir]));
      const sums = Array.from({ length: reps }, () => child(['--summary', dir]));
      const threads = Array.from({ length: reps }, () => child(['--thread', file]));
      const m = (xs: Record<string, number | string>[], k: string) =>
        median(xs.map((x) => Number(x[k]))).toFixed(0);
      const shas = [...new Set(docs.map((d) => d.sha))].join(' / ');
      console.log(
        `| ${name} | ${m(docs, 'cold')} | ${m(docs, 'warm')} | ${shas} | ${m(sums, 'cold')} | ${m(threads, 'bootstrap')} | ${m(threads, 'piscina')} | ${m(threads, 'worker')} | ${m(threads, 'model')} | ${m(threads, 'rebuild')} |`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    '\n(CPU ms; document and summary: the whole process, V8 compiler and GC threads included; thread: that thread only)',
  );
}

const mode = process.argv.find((a) => /^--(dump|document|summary|thread)$/.test(a));
const at = mode ? process.argv.indexOf(mode) : -1;
if (mode === '--dump') await dump(process.argv[at + 1], process.argv[at + 2]);
else if (mode === '--document') await documentChild(process.argv[at + 1], process.argv[at + 2]);
else if (mode === '--summary') await summaryChild(process.argv[at + 1]);
else if (mode === '--thread') await threadChild(process.argv[at + 1]);
else await main();
