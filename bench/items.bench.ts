/**
 * Items (BENCHMARKS.md "Per-example files"): a per-example CSV of 1,000,000 rows (20 heuristics x
 * 10 tasks x 5,000 items, every heuristic on every item), 0/1 correct and a continuous per-item
 * score, through `bayesbench compare --json` end to end as a child process: the paired item model
 * (src/model/item-model.ts). Prints wall time and peak RSS (/usr/bin/time -v, worker threads
 * included), R-hat, bulk ESS and divergences from the JSON document, the machine's load average
 * before and after, and (in-process, independent of the load) the CPU time of one gradient, of
 * building the item model's data and of drawing every item effect back (`--item-effects`; skipped
 * past 100,000 items). Targets: 1,000,000 rows in <= 60 s, 10,000,000 rows (`--rows 10000000`) in
 * <= 5 min, both <= 1.5 GB and converged (R-hat <= 1.01, no divergences). The CSV is written under
 * the system's temporary folder (160-210 MB at 10M rows) and removed afterwards.
 *
 * Usage: npx tsx bench/items.bench.ts [--heuristics 20] [--tasks 10] [--items 5000 | --rows N]
 *        [--family both|bernoulli|gaussian] [--timeout 900] [--no-build] [-- extra compare args]
 *
 * @example
 * // npm run bench -- items
 * // npx tsx bench/items.bench.ts --items 500 --no-build   (a 100,000-row smoke run)
 * // npx tsx bench/items.bench.ts --rows 10000000 --no-build   (20 x 10 x 50,000 items)
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simulateItems } from '../src/data/synth-items.js';
import type { Table } from '../src/data/table.js';
import { itemData } from '../src/model/item-data.js';
import { ITEM_EFFECT_DRAWS, itemEffects } from '../src/model/item-effects.js';
import { buildItemModel } from '../src/model/item-model.js';
import { printHeader, ROOT } from './run.js';
import { parseTimeV, TARGET_RSS_MB, TARGET_SECONDS } from './scale.bench.js';

/** The wall-time target of a 10,000,000-row file (the item-level targets of BENCHMARKS.md §13). */
const TARGET_10M_SECONDS = 300;

function num(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
}

/** The table as CSV text (columns heuristic, task, item, score), written ~1 MB at a time. */
function writeCsv(table: Table, file: string): void {
  const col = (n: string) => table.columns[n] as { levels: readonly string[]; codes: Int32Array };
  const h = col('heuristic');
  const t = col('task');
  const it = col('item');
  const y = (table.columns.score as { values: Float64Array }).values;
  const fd = openSync(file, 'w');
  try {
    let text = 'heuristic,task,item,score\n';
    for (let i = 0; i < table.nRows; i++) {
      const v = Number.isInteger(y[i]) ? String(y[i]) : y[i].toFixed(4);
      text += `${h.levels[h.codes[i]]},${t.levels[t.codes[i]]},${it.levels[it.codes[i]]},${v}\n`;
      if (text.length >= 1 << 20) {
        writeSync(fd, text);
        text = '';
      }
    }
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Items past which the in-process figure of drawing every item effect back is skipped (minutes). */
const ITEM_EFFECTS_MAX_ITEMS = 100_000;

/** Run a command; after timeoutS the wrapped grandchild is killed so /usr/bin/time still reports. */
function runChild(
  cmd: string,
  args: readonly string[],
  timeoutS: number,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT });
    const out: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const r = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' });
      const pids = (r.stdout ?? '').split('\n').filter((x) => /^\d+$/.test(x));
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      if (pids.length === 0) child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr, timedOut });
    });
  });
}

/** CPU milliseconds of one gradient (median of 5 runs of 200) and of building the data. */
function gradientFigures(table: Table, family: 'gaussian' | 'bernoulli'): string {
  const upper = { formula: 'score ~ 1 + (1|heuristic) + (1|task) + (1|heuristic:task)' };
  const c0 = process.cpuUsage();
  const data = itemData(table, upper, family);
  const c1 = process.cpuUsage(c0);
  const m = buildItemModel(data);
  const theta = m.inits(1, 1)[0];
  const g = new Float64Array(m.dim);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.cpuUsage();
    for (let k = 0; k < 200; k++) m.logDensityGradient(theta, g);
    const d = process.cpuUsage(t);
    runs.push((d.user + d.system) / 1000 / 200);
  }
  runs.sort((a, b) => a - b);
  const patterns = data.patStart.length - 1;
  const head =
    `in-process: item data built in ${((c1.user + c1.system) / 1e6).toFixed(2)} CPU s ` +
    `(${patterns} patterns, ${data.sVal.length} sum-score classes), model dim ${m.dim}, ` +
    `one gradient ${runs[2].toFixed(3)} CPU ms (median of 5 x 200)`;
  if (data.nItems > ITEM_EFFECTS_MAX_ITEMS) {
    return `${head}; item effects of ${data.nItems} items not timed (over ${ITEM_EFFECTS_MAX_ITEMS})`;
  }
  // drawing the item effects back (--item-effects) from ITEM_EFFECT_DRAWS draws: here the
  // brms variables of the four inits, each repeated (the cost does not depend on the values)
  const nv = data.variableNames.length;
  const per = Math.ceil(ITEM_EFFECT_DRAWS / 4);
  const values = new Float64Array(nv * 4 * per);
  const row = new Float64Array(nv);
  m.inits(4, 2).forEach((th, c) => {
    m.writeVariables(th, row);
    for (let v = 0; v < nv; v++) values.fill(row[v], (v * 4 + c) * per, (v * 4 + c + 1) * per);
  });
  const e0 = process.cpuUsage();
  itemEffects(
    data,
    { nDraws: per, nChains: 4, variables: data.variableNames, values },
    { seed: 1 },
  );
  const e1 = process.cpuUsage(e0);
  return (
    `${head}; item effects of ${data.nItems} items from ${4 * per} draws in ` +
    `${((e1.user + e1.system) / 1e6).toFixed(2)} CPU s`
  );
}

async function main(argv: readonly string[]): Promise<number> {
  printHeader('items: per-example rows through `bayesbench compare --json` (paired item model)');
  const dash = argv.indexOf('--');
  const extra = dash >= 0 ? argv.slice(dash + 1) : [];
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const H = num(own, '--heuristics', 20);
  const T = num(own, '--tasks', 10);
  // --rows N: that many rows as N / (heuristics x tasks) items per task
  const rows = num(own, '--rows', 0);
  const I = rows > 0 ? Math.round(rows / (H * T)) : num(own, '--items', 5000);
  // the targets: 60 s at 1,000,000 rows, 5 min at 10,000,000 (streamed) and for bigger files
  const targetS = H * T * I > 2_000_000 ? TARGET_10M_SECONDS : TARGET_SECONDS;
  const timeoutS = num(own, '--timeout', 900);
  const fi = own.indexOf('--family');
  const which = fi >= 0 ? own[fi + 1] : 'both';
  const families = (which === 'both' ? ['bernoulli', 'gaussian'] : [which]) as (
    | 'gaussian'
    | 'bernoulli'
  )[];
  if (!own.includes('--no-build')) {
    const b = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) console.log('bench: npm run build failed; using whatever dist/ holds');
  }
  const cli = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    console.log(`items: ${cli} missing (build first)`);
    return 1;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-items-'));
  let failed = false;
  for (const family of families) {
    // item sd 1.5 on the logit scale / per-item sd 1.5 x the residual: per-item correlations
    // between heuristics of 0.4-0.7, the range the paired analysis is for
    const { table } = simulateItems({
      heuristics: H,
      tasks: T,
      items: I,
      family,
      seed: 1,
      intercept: family === 'bernoulli' ? 0.5 : 0.6,
      sdHeuristic: family === 'bernoulli' ? 0.3 : 0.05,
      sdTask: family === 'bernoulli' ? 0.5 : 0.1,
      sdCell: family === 'bernoulli' ? 0.2 : 0.03,
      sdItem: family === 'bernoulli' ? 1.5 : 0.15,
      sigma: 0.1,
    });
    const csv = path.join(dir, `items_${family}_${H}x${T}x${I}.csv`);
    writeCsv(table, csv);
    console.log(
      `data (${family}): ${table.nRows} rows (${H} heuristics x ${T} tasks x ${I} items), ` +
        `${(statSync(csv).size / 2 ** 20).toFixed(1)} MiB`,
    );
    console.log(`  ${gradientFigures(table, family)}`);
    const timeFile = path.join(dir, `time_${family}.txt`);
    const load0 = os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    const args = ['-v', '-o', timeFile, process.execPath, cli, 'compare', csv, '--json', ...extra];
    const res = await runChild('/usr/bin/time', args, timeoutS);
    const load1 = os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    const tv = existsSync(timeFile) ? parseTimeV(readFileSync(timeFile, 'utf8')) : null;
    const rss = tv ? `${tv.peakRssMb.toFixed(0)} MB` : 'NA';
    if (res.timedOut || res.code !== 0) {
      console.log(
        `  compare ${res.timedOut ? `did NOT finish within ${timeoutS} s` : `failed (exit ${res.code})`}; peak RSS ${rss}, user ${tv?.userSeconds.toFixed(1)} s; ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
      failed = true;
      continue;
    }
    let diag = '';
    try {
      const doc = JSON.parse(res.stdout) as {
        diagnostics?: { max_rhat: number; min_ess_bulk: number; divergent: number };
        settings?: { model?: string };
      };
      const d = doc.diagnostics;
      diag = d
        ? `max R-hat ${d.max_rhat?.toFixed(3)}, min bulk ESS ${d.min_ess_bulk?.toFixed(0)}, divergent ${d.divergent}, model ${doc.settings?.model}`
        : 'no diagnostics';
    } catch {
      diag = 'stdout was not one JSON document';
      failed = true;
    }
    const wall = tv?.wallSeconds ?? Number.NaN;
    console.log(
      `  compare: wall ${wall.toFixed(1)} s (target ${targetS} s), peak RSS ${rss} (target ${TARGET_RSS_MB.toFixed(0)} MB), ` +
        `user ${tv?.userSeconds.toFixed(1)} s, sys ${tv?.systemSeconds.toFixed(1)} s, CPU ${tv?.cpuPercent}%; ${diag}; load ${load0} -> ${load1}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`items.bench: ${(err as Error).message}`);
      process.exitCode = 1;
    },
  );
}
