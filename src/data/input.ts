import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ConfigError, DataError, NotFoundError } from '../errors.js';
import { parseCsv, parseCsvRecords, readCsvFile } from './csv.js';
import {
  createSamplesAccumulator,
  type HarnessOptions,
  type HarnessResultRow,
  harnessResultRows,
  harnessResultsTable,
  heuristicByRule,
  resultsRunName,
  samplesTask,
} from './harness.js';
import type { Table } from './table.js';
import { looksWide, parseWide, WIDE_MAX_BYTES, type WideLabelRole, wideToLong } from './wide.js';

/**
 * One entry point for every input format the CLI and the web app read: a long CSV, a wide CSV
 * (src/data/wide.ts), an lm-evaluation-harness results JSON, a folder of them, or per-sample JSONL
 * (src/data/harness.ts). The format comes from the path (a folder, `.json`, `.jsonl`) and, for a
 * CSV, from `--wide` or its content (a small CSV without a task column whose columns are tasks).
 *
 * @example const { table, notes, format } = await readInput('results/', { heuristicFrom: 'model_args.pretrained' });
 */

/** Options of readInput and parseInput (the CLI's --wide, --n, --heuristic-from, --harness-metric, --items). */
export interface InputOptions extends HarnessOptions {
  /** Name used in error messages (default: the path or the upload's name). */
  source?: string;
  /** Read a CSV as a wide table; a role names what the label column holds (default heuristic). */
  wide?: boolean | WideLabelRole;
  /** Seeds behind each mean ± sd cell of a wide table. */
  n?: number;
  /** Look at a small CSV's content to tell a wide table (default true; off when --task is given). */
  detectWide?: boolean;
  /** In a folder with both, read the per-sample JSONL (item level) rather than the results JSON. */
  items?: boolean;
  /** The parser of a long CSV in parseInput (default parseCsv; the web app's engine injects its own). */
  parseLong?: (bytes: Uint8Array, source: string) => Table;
}

/** What was read. */
export type InputFormat = 'csv' | 'wide' | 'harness-results' | 'harness-samples';

/** A long table, the notes of its conversion and the format it came from. */
export interface InputTable {
  table: Table;
  notes: string[];
  format: InputFormat;
}

/** CSV files up to this size are looked at for a wide layout (papers' tables are kilobytes). */
export const WIDE_SNIFF_BYTES = 1024 * 1024;

/** Files looked at in a folder of harness outputs (its subfolders to a depth of 4). */
export const FOLDER_LIMITS = Object.freeze({ files: 10_000, depth: 4 });

function wideRole(wide: InputOptions['wide']): WideLabelRole | undefined {
  if (wide === undefined || wide === false) return undefined;
  if (wide === true) return 'heuristic';
  if (wide !== 'heuristic' && wide !== 'task') {
    throw new ConfigError(
      `--wide takes heuristic or task (the label column's role), got "${wide}"`,
    );
  }
  return wide;
}

/**
 * A long table from the bytes of one file named `name` (the web upload): `.json` a harness results
 * JSON, `.jsonl` per-sample lines (read line by line from the bytes), else CSV, long or wide.
 *
 * @example parseInput(bytes, 'table1.csv', { n: 3 }).format // 'wide'
 */
export function parseInput(bytes: Uint8Array, name: string, opts: InputOptions = {}): InputTable {
  const source = opts.source ?? name;
  const ext = extname(name).toLowerCase();
  if (ext === '.json') {
    const doc = parseJson(bytes, source);
    const run = resultsRunName(basename(name)) || modelName(doc) || basename(name, ext);
    const { rows, notes } = harnessResultRows(doc, source, run, opts);
    return { table: harnessResultsTable(rows, source), notes, format: 'harness-results' };
  }
  if (ext === '.jsonl') {
    const acc = createSamplesAccumulator(opts);
    const task = samplesTask(basename(name));
    const run = basename(name, ext);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    let line = 1;
    while (start < buf.length) {
      let end = buf.indexOf(10, start);
      if (end < 0) end = buf.length;
      const text = buf.toString('utf8', start, end);
      acc.addLine(
        line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
        line,
        run,
        task,
        source,
      );
      start = end + 1;
      line++;
    }
    const { table, notes } = acc.finish(source, true);
    return { table, notes, format: 'harness-samples' };
  }
  const role = wideRole(opts.wide);
  if (role !== undefined) {
    const { table, notes } = parseWide(bytes, { source, labelRole: role, n: opts.n });
    return { table, notes, format: 'wide' };
  }
  if (opts.detectWide !== false && bytes.byteLength <= WIDE_SNIFF_BYTES) {
    const wide = sniffWide(bytes, source, opts.n);
    if (wide) return wide;
  }
  checkNUnused(opts);
  const table = opts.parseLong ? opts.parseLong(bytes, source) : parseCsv(bytes, { source });
  return { table, notes: [], format: 'csv' };
}

/** The wide conversion when the CSV looks wide; undefined otherwise (and for CSV errors: the long read reports them). */
function sniffWide(bytes: Uint8Array, source: string, n?: number): InputTable | undefined {
  let parsed: ReturnType<typeof parseCsvRecords>;
  try {
    parsed = parseCsvRecords(bytes, { source });
  } catch {
    return undefined;
  }
  if (!looksWide(parsed.records)) return undefined;
  const { table, notes } = wideToLong(parsed.records, parsed.lines, { source, n });
  notes.unshift('read as a wide table: no task column, and the columns hold scores (--wide)');
  return { table, notes, format: 'wide' };
}

function checkNUnused(opts: InputOptions): void {
  if (opts.n !== undefined) {
    throw new ConfigError('--n COUNT is for wide tables (mean ± sd cells); name an n column here');
  }
}

function parseJson(bytes: Uint8Array | string, source: string): unknown {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 says "... in JSON at position 123 (line 4 column 7)"; keep its words, they name the place
    throw new DataError(`${source}: not JSON (${(err as Error).message})`);
  }
}

function modelName(doc: unknown): string {
  const m = (doc as { model_name?: unknown } | null)?.model_name;
  return typeof m === 'string' ? m : '';
}

/**
 * Read one input path: a folder of harness outputs, a results `.json`, a per-sample `.jsonl`
 * (streamed with readline) or a CSV (long, or wide by `--wide` or by its content). Throws
 * NotFoundError for a missing path and DataError (file, line, field) for bad content.
 *
 * @example const { table } = await readInput('fixtures/wide/lra_tay2021_wide.csv');
 */
export async function readInput(path: string, opts: InputOptions = {}): Promise<InputTable> {
  const source = opts.source ?? path;
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new NotFoundError(`${source}: no such file`);
    throw new DataError(`${source}: cannot read (${err.message})`);
  });
  if (opts.wide && (st.isDirectory() || /\.jsonl?$/i.test(path))) {
    throw new ConfigError('--wide reads a CSV file');
  }
  if (st.isDirectory()) return readHarnessFolder(path, { ...opts, source });
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    checkNUnused(opts);
    const doc = parseJson(await readFile(path, 'utf8'), source);
    const { rows, notes } = harnessResultRows(doc, source, defaultRunName(path, doc), opts);
    return { table: harnessResultsTable(rows, source), notes, format: 'harness-results' };
  }
  if (ext === '.jsonl') {
    checkNUnused(opts);
    const acc = createSamplesAccumulator(opts);
    const run = await samplesRunName(path, basename(dirname(path)), opts, source);
    await streamLines(path, source, (text, line) =>
      acc.addLine(text, line, run, samplesTask(basename(path)), source),
    );
    const { table, notes } = acc.finish(source, true);
    return { table, notes, format: 'harness-samples' };
  }
  const role = wideRole(opts.wide);
  if (role !== undefined || (opts.detectWide !== false && st.size <= WIDE_SNIFF_BYTES)) {
    if (st.size > WIDE_MAX_BYTES) {
      throw new DataError(
        `${source}: ${st.size} bytes is over the ${WIDE_MAX_BYTES / 1024 / 1024} MB limit of a wide table`,
      );
    }
    return parseInput(await readFile(path), basename(path), { ...opts, source });
  }
  checkNUnused(opts);
  return { table: await readCsvFile(path, { source }), notes: [], format: 'csv' };
}

/**
 * Per-sample JSONL from a byte stream (the web upload's file stream), line by line with readline:
 * only one line and the long table are in memory. `name` gives the task (samples_<task>_<date>) and
 * the heuristic (the name without the extension) unless the lines carry their own. The first bad
 * line or the row past `maxRows` throws; the caller drains the stream.
 *
 * @example const { table } = await readSamplesStream(file.stream, 'samples_arc_easy_2024-01-01T00-00-00.jsonl', { maxRows: 100_000 });
 */
export async function readSamplesStream(
  stream: Readable,
  name: string,
  opts: InputOptions & { maxRows?: number } = {},
): Promise<InputTable> {
  const source = opts.source ?? name;
  const acc = createSamplesAccumulator(opts);
  const run = basename(name, extname(name));
  const task = samplesTask(basename(name));
  await streamLinesOf(stream, source, (text, line) => acc.addLine(text, line, run, task, source));
  const { table, notes } = acc.finish(source, true);
  return { table, notes, format: 'harness-samples' };
}

/** The harness's own `results_<date>.json` is named by its folder; another file by its name. */
function defaultRunName(path: string, doc: unknown): string {
  return (
    resultsRunName(basename(path)) ||
    basename(dirname(path)) ||
    modelName(doc) ||
    basename(path, '.json')
  );
}

/** The heuristic of a per-sample file: its run folder, or the --heuristic-from rule on the results JSON beside it. */
async function samplesRunName(
  path: string,
  run: string,
  opts: InputOptions,
  source: string,
): Promise<string> {
  const rule = opts.heuristicFrom;
  if (rule === undefined || rule === 'run') return run;
  const dir = dirname(path);
  const results = (await readdir(dir)).filter((f) => /\.json$/i.test(f)).sort();
  for (const f of results) {
    const doc = parseJson(await readFile(join(dir, f), 'utf8'), join(dir, f));
    if (doc !== null && typeof doc === 'object' && 'results' in doc) {
      return heuristicByRule(doc, rule, join(dir, f));
    }
  }
  throw new DataError(
    `${source}: --heuristic-from ${rule}: no results JSON beside the samples file to read it from`,
  );
}

/** Call `onLine` for every line of a file, read with readline (one line in memory at a time). */
function streamLines(
  path: string,
  source: string,
  onLine: (text: string, line: number) => void,
): Promise<void> {
  return streamLinesOf(createReadStream(path, { highWaterMark: 1 << 16 }), source, onLine);
}

/** Call `onLine` for every line of a byte stream (UTF-8), read with readline. */
async function streamLinesOf(
  stream: Readable,
  source: string,
  onLine: (text: string, line: number) => void,
): Promise<void> {
  stream.setEncoding('utf8');
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const text of lines)
      onLine(text.charCodeAt(0) === 0xfeff && n === 0 ? text.slice(1) : text, ++n);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${source}: cannot read (${(err as Error).message})`);
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Files of a folder, its subfolders to FOLDER_LIMITS.depth, sorted by path. */
async function listFiles(root: string, source: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < FOLDER_LIMITS.depth) await walk(p, depth + 1);
      else if (e.isFile() && /\.jsonl?$/i.test(e.name)) {
        out.push(p);
        if (out.length > FOLDER_LIMITS.files) {
          throw new DataError(
            `${source}: more than ${FOLDER_LIMITS.files} JSON files (the limit of one folder)`,
          );
        }
      }
    }
  };
  await walk(root, 0);
  return out;
}

/** The run a file of the folder belongs to: its folder below the root ('' for a file in the root). */
function runFolder(root: string, file: string): string {
  return relative(root, dirname(file)).split(sep).join('/');
}

/**
 * A folder of harness outputs, one run (heuristic) per subfolder or per file: the results JSON
 * files (task level), or with `items` (or when there is no results JSON) the per-sample JSONL
 * files (item level). A run's later files (by name, i.e. by date stamp) win for a task read twice.
 */
async function readHarnessFolder(root: string, opts: InputOptions): Promise<InputTable> {
  const source = opts.source ?? root;
  checkNUnused(opts);
  const files = await listFiles(root, source);
  const jsons = files.filter((f) => /\.json$/i.test(f));
  const samples = files.filter((f) => /\.jsonl$/i.test(f));
  if (jsons.length === 0 && samples.length === 0) {
    throw new DataError(`${source}: no .json or .jsonl files (lm-evaluation-harness outputs)`);
  }
  if (opts.items || jsons.length === 0) {
    if (samples.length === 0) {
      throw new DataError(`${source}: --items: no per-sample .jsonl files (--log_samples)`);
    }
    const acc = createSamplesAccumulator(opts);
    for (const f of samples) {
      const run = runFolder(root, f) || basename(root);
      const name = await samplesRunName(f, run, opts, f);
      await streamLines(f, f, (text, line) =>
        acc.addLine(text, line, name, samplesTask(basename(f)), f),
      );
    }
    const { table, notes } = acc.finish(source);
    notes.unshift(`${samples.length} per-sample file${samples.length === 1 ? '' : 's'} read`);
    return { table, notes, format: 'harness-samples' };
  }
  const byKey = new Map<string, HarnessResultRow>();
  const notes: string[] = [];
  let skipped = 0;
  let replaced = 0;
  for (const f of jsons) {
    const doc = parseJson(await readFile(f, 'utf8'), f);
    if (doc === null || typeof doc !== 'object' || !('results' in doc)) {
      skipped++;
      continue;
    }
    // `--output_path out/snapkv` writes out/snapkv/<model_name_sanitized>/results_<date>.json:
    // the run is out/snapkv, the model folder names the backbone (a column when there are several)
    const parts = runFolder(root, f).split('/');
    const sanitized = (doc as { model_name_sanitized?: unknown }).model_name_sanitized;
    if (parts.length > 1 && parts.at(-1) === sanitized) parts.pop();
    const run =
      parts.join('/') || resultsRunName(basename(f)) || modelName(doc) || basename(f, '.json');
    const read = harnessResultRows(doc, f, run, opts);
    for (const note of read.notes) if (!notes.includes(note)) notes.push(note);
    for (const r of read.rows) {
      const key = `${r.heuristic}\u0000${r.model}\u0000${r.task}`;
      if (byKey.has(key)) replaced++;
      byKey.set(key, r);
    }
  }
  if (byKey.size === 0) {
    throw new DataError(
      `${source}: no lm-evaluation-harness results JSON (with a "results" object)`,
    );
  }
  const runs = new Set([...byKey.values()].map((r) => r.heuristic));
  notes.unshift(
    `${jsons.length - skipped} results file${jsons.length - skipped === 1 ? '' : 's'}: ${runs.size} run${runs.size === 1 ? '' : 's'} (heuristics) x ${new Set([...byKey.values()].map((r) => r.task)).size} tasks; se = the harness's stderr`,
  );
  if (skipped > 0)
    notes.push(`${skipped} JSON file${skipped === 1 ? '' : 's'} without "results" skipped`);
  if (replaced > 0) {
    notes.push(
      `${replaced} task result${replaced === 1 ? '' : 's'} read again in a later file of the same run: the later file's kept`,
    );
  }
  return {
    table: harnessResultsTable([...byKey.values()], source),
    notes,
    format: 'harness-results',
  };
}
