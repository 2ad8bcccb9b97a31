import { max, mean, min, standardDeviation } from 'simple-statistics';
import { z } from 'zod';
import { checkCsvHeader } from '../data/csv-header.js';
import { tableToCsv } from '../data/csv-write.js';
import { type InputFormat, type InputTable, parseInput } from '../data/input.js';
import {
  type ItemsPerTaskSpec,
  itemsPerTaskFromCsv,
  parseItemsPerTask,
} from '../data/items-per-task.js';
import type { Table } from '../data/table.js';
import { ConfigError, DataError, NotFoundError } from '../errors.js';
import type {
  ColumnMap,
  DatasetInfo,
  DatasetSummary,
  FitConfig,
  FitSpec,
  Store,
} from '../store/store.js';
import type { Engine } from './engine.js';
import { bounded, webMessage } from './messages.js';
import type { WorkerInputOptions } from './parse-in-worker.js';

/**
 * Upload limits (also enforced by multer for the byte size). A per-sample `.jsonl` (lm-evaluation-
 * harness --log_samples) may be bigger, `jsonlBytes`: it is read line by line as it arrives
 * (src/web/routes/upload.ts), only its long table kept, which is held to `rows` like any upload.
 * @example LIMITS.rows // 100000
 */
export const LIMITS = {
  bytes: 5 * 1024 * 1024,
  jsonlBytes: 256 * 1024 * 1024,
  rows: 100_000,
  columns: 200,
  previewRows: 10,
};

/**
 * Parse a URL id: a positive integer without sign, leading zeros or fraction; anything else is an
 * unknown id (404), never a 500.
 * @example parseId('12') // 12
 */
export function parseId(raw: unknown, what: 'fit' | 'dataset'): number {
  const s = String(raw);
  if (!/^[1-9][0-9]{0,14}$/.test(s)) throw new NotFoundError(`${what} ${s.slice(0, 40)} not found`);
  return Number(s);
}

/** Text of one cell of a table (for previews). */
function cellText(table: Table, name: string, row: number): string {
  const col = table.columns[name];
  if (col.type === 'numeric') {
    const v = col.values[row];
    return Number.isNaN(v) ? '' : String(v);
  }
  const code = col.codes[row];
  return code < 0 ? '' : col.levels[code];
}

/** Round for display in the column summary (4 significant digits). */
function sig(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : Number.NaN;
}

/**
 * The summary kept with a dataset: rows, per-column statistics (simple-statistics), the detected
 * mapping and a preview of the first rows.
 * @example summarizeTable(table, {}).rows
 */
export function summarizeTable(table: Table, detected: Partial<ColumnMap>): DatasetSummary {
  const columns = table.names.map((name) => {
    const col = table.columns[name];
    if (col.type === 'numeric') {
      const xs = Array.from(col.values).filter((v) => !Number.isNaN(v));
      return {
        name,
        type: 'numeric' as const,
        missing: table.nRows - xs.length,
        min: xs.length ? sig(min(xs)) : null,
        max: xs.length ? sig(max(xs)) : null,
        mean: xs.length ? sig(mean(xs)) : null,
        sd: xs.length > 1 ? sig(standardDeviation(xs)) : null,
      };
    }
    let missing = 0;
    for (const c of col.codes) if (c < 0) missing++;
    return {
      name,
      type: 'factor' as const,
      missing,
      levels: col.levels.length,
      examples: col.levels.slice(0, 5).map((x) => bounded(x)),
    };
  });
  const previewRows = Math.min(table.nRows, LIMITS.previewRows);
  const preview: string[][] = [];
  for (let r = 0; r < previewRows; r++)
    preview.push(table.names.map((n) => bounded(cellText(table, n, r))));
  return { rows: table.nRows, columns, detected, preview };
}

/** An upload as the routes receive it. */
export interface UploadInput {
  bytes: Uint8Array | undefined;
  filename?: string;
  name?: string;
  /** A per-sample .jsonl already read as it arrived (the upload route streams it). */
  parsed?: InputTable;
  /** Form field `n`: seeds behind each mean ± sd cell of a wide table. */
  n?: string;
  /** Form field `metric`: the harness metric (the CLI's --harness-metric, e.g. acc_norm). */
  metric?: string;
}

/** Whether an upload's file name says JSON (a harness results file) or JSONL (per-sample lines). */
const isJsonName = (name: string): boolean => /\.jsonl?$/i.test(name);

/** The checks before any parse: a file is there, its name, and the header's column count. */
function checkUpload(input: UploadInput): { bytes: Uint8Array; name: string } {
  const name = (input.name?.trim() || input.filename || 'upload.csv').slice(0, 200);
  if (input.parsed) return { bytes: new Uint8Array(0), name };
  if (!input.bytes)
    throw new DataError('no file uploaded: send the file in the multipart field "file"');
  // The column limit is checked on the header line before the full parse: a 5 MB file of 500,000
  // columns would otherwise take tens of seconds and gigabytes. (A JSON file has no header line.)
  if (!isJsonName(input.filename ?? name)) {
    checkCsvHeader(input.bytes, bounded(name), { maxColumns: LIMITS.columns });
  }
  return { bytes: input.bytes, name };
}

/** The reader options of an upload's form fields. */
function uploadOptions(input: UploadInput): WorkerInputOptions {
  const out: WorkerInputOptions = {};
  const metric = input.metric?.trim();
  if (metric) out.metric = metric.slice(0, 200);
  const n = input.n?.trim();
  if (!n) return out;
  if (!/^\d+$/.test(n) || Number(n) < 1) {
    throw new ConfigError(`n must be a whole number of seeds >= 1 (got "${bounded(n)}")`);
  }
  out.n = Number(n);
  return out;
}

/** Most reader notes kept with a dataset (each one bounded like every message shown). */
export const MAX_DATASET_NOTES = 20;

/** What an upload was read as: the input format and the reader's notes, kept with the dataset. */
export interface UploadReading {
  format: InputFormat;
  notes: string[];
}

/**
 * Read an upload in any input format: the long table the dataset will hold, the CSV bytes to store
 * (the upload's own bytes for a long CSV; for a wide table or harness output its long table
 * written as CSV and read back, so that the stored dataset is what every fit reads) and the
 * reader's notes. The converted rows are held once at a time: the first table (a streamed
 * per-sample .jsonl's, owned by `input.parsed`) is let go before the CSV is read back.
 */
async function readUpload(
  engine: Engine,
  input: UploadInput,
  upload: { bytes: Uint8Array; name: string },
): Promise<{ csv: Uint8Array; table: Table; reading: UploadReading }> {
  // the file's own name picks the format (the dataset name given in the form is only a label)
  const fileName = input.filename || upload.name;
  const opts = uploadOptions(input);
  let read: InputTable | undefined =
    input.parsed ??
    (engine.parseUpload
      ? await engine.parseUpload(upload.bytes, fileName, { ...opts, source: upload.name })
      : parseInput(upload.bytes, fileName, {
          ...opts,
          source: upload.name,
          parseLong: engine.parseCsv,
        }));
  input.parsed = undefined;
  const reading: UploadReading = {
    format: read.format,
    notes: read.notes.slice(0, MAX_DATASET_NOTES).map((n) => webMessage(n)),
  };
  if (read.format === 'csv') return { csv: upload.bytes, table: read.table, reading };
  const csv = new TextEncoder().encode(tableToCsv(read.table));
  read = undefined;
  const table = engine.parseUpload
    ? (await engine.parseUpload(csv, 'converted.csv', { source: upload.name, detectWide: false }))
        .table
    : engine.parseCsv(csv, upload.name);
  return { csv, table, reading };
}

/** The checks on the parsed table, then the one store write (nothing stored before it). */
function storeUpload(
  store: Store,
  engine: Engine,
  upload: { bytes: Uint8Array; name: string },
  table: Table,
  reading?: UploadReading,
): DatasetInfo {
  const { bytes, name } = upload;
  if (table.nRows > LIMITS.rows) {
    throw new DataError(`${name}: ${table.nRows} rows is over the limit of ${LIMITS.rows} rows`);
  }
  if (table.names.length > LIMITS.columns) {
    throw new DataError(
      `${name}: ${table.names.length} columns is over the limit of ${LIMITS.columns} columns`,
    );
  }
  let detected: Partial<ColumnMap> = {};
  try {
    detected = engine.detectColumns(table);
  } catch {
    detected = {};
  }
  const summary = summarizeTable(table, detected);
  if (reading) {
    summary.format = reading.format;
    summary.notes = reading.notes;
  }
  return store.addDataset({ name, csv: bytes, summary });
}

/**
 * Check, parse and store an upload: a long or wide CSV, a harness results JSON or per-sample JSONL
 * (src/data/input.ts). The parse runs off the event loop when the engine can (`parseUpload`: a
 * worker thread; 0.3-0.7 s for a 5 MB file). Every problem is a DataError with the CLI's words, and
 * nothing is stored unless all checks pass. The reader's format and notes (a wide table converted,
 * an Avg column left out, harness lines skipped) are kept in the dataset's summary.
 * @example await ingestUpload(store, engine, { bytes, filename: 'lra.csv' })
 */
export async function ingestUpload(
  store: Store,
  engine: Engine,
  input: UploadInput,
): Promise<DatasetInfo> {
  const upload = checkUpload(input);
  const { csv, table, reading } = await readUpload(engine, input, upload);
  return storeUpload(store, engine, { bytes: csv, name: upload.name }, table, reading);
}

/**
 * ingestUpload on this thread (the demo import at start-up: a small, known file).
 * @example ingestUploadSync(store, engine, { bytes, filename: 'lra.csv' })
 */
export function ingestUploadSync(store: Store, engine: Engine, input: UploadInput): DatasetInfo {
  const upload = checkUpload(input);
  return storeUpload(store, engine, upload, engine.parseCsv(upload.bytes, upload.name));
}

const optionalName = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((s) => (s ? s : undefined));

const intIn = (lo: number, hi: number, dflt: number) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number().int().min(lo).max(hi).default(dflt),
  );
const numberIn = (lo: number, hi: number) =>
  z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.coerce.number().min(lo).max(hi).optional(),
  );

/** The body of POST /api/fits (and the New fit form, flattened). */
export const FitRequestSchema = z.object({
  dataset: z.preprocess((v) => String(v ?? ''), z.string()),
  mapping: z.object({
    heuristic: z.string().trim().min(1, 'required'),
    task: z.string().trim().min(1, 'required'),
    score: z.string().trim().min(1, 'required'),
    category: optionalName,
    seed: optionalName,
    study: optionalName,
    std: optionalName,
    n: optionalName,
    trials: optionalName,
    item: optionalName,
  }),
  model: optionalName,
  formula: z
    .string()
    .trim()
    .max(2000)
    .optional()
    .transform((s) => (s ? s : undefined)),
  priors: z.array(z.string().max(500)).max(50).optional(),
  filters: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
  chains: intIn(1, 16, 4),
  warmup: intIn(10, 20_000, 1000),
  draws: intIn(10, 20_000, 1000),
  seed: intIn(0, 2 ** 31 - 1, 1),
  adapt_delta: numberIn(0.5, 0.9999),
  rope: numberIn(0, 1e12),
  threshold: numberIn(0.5, 0.9999),
  higher_is_better: z.boolean().optional(),
  /** The CLI's --items-per-task: none, a number, task=n,... or CSV text with columns task,n. */
  items_per_task: z.union([z.string().max(20_000), z.number()]).optional(),
});

/**
 * The items per task of a fit request (the CLI's --items-per-task, src/data/items-per-task.ts):
 * `none`, a whole number, `task=n,...`, or CSV text with columns task,n (several lines; the web
 * reads no files); undefined when empty. A bad one is a ConfigError in the CLI's words.
 * @example itemsPerTaskField('vt=96,qa=200') // { vt: 96, qa: 200 }
 */
export function itemsPerTaskField(
  value: string | number | undefined,
): ItemsPerTaskSpec | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/[\r\n]/.test(text)) return itemsPerTaskFromCsv(`${text}\n`, 'items_per_task');
  const parsed = parseItemsPerTask(text);
  if (parsed === null) {
    throw new ConfigError(
      `--items-per-task: "${bounded(text)}" is not none, a number, task=n,... or CSV text with columns task,n`,
    );
  }
  return parsed;
}

/**
 * The new-fit form's fields with its items-per-task file (a CSV with columns task,n) read into
 * `items_per_task`, checked here so that an error names the file, its row and column. A file and
 * a non-empty text field together are refused: which one was meant is not known.
 * @example withItemsPerTaskFile(form, { originalname: 'n.csv', buffer: Buffer.from('task,n\nqa,96\n') })
 */
export function withItemsPerTaskFile(
  form: Record<string, unknown>,
  file: { originalname: string; buffer: Buffer } | undefined,
): Record<string, unknown> {
  if (!file || file.buffer.length === 0) return form;
  const typed = typeof form.items_per_task === 'string' ? form.items_per_task.trim() : '';
  if (typed !== '') {
    throw new ConfigError(
      '--items-per-task: give the items per task as text or as a file, not both',
    );
  }
  const text = file.buffer.toString('utf8');
  itemsPerTaskFromCsv(text.endsWith('\n') ? text : `${text}\n`, bounded(file.originalname));
  return { ...form, items_per_task: text.includes('\n') ? text : `${text}\n` };
}

/** A fit request after validation. */
export interface FitRequest {
  datasetId: number;
  spec: FitSpec;
  config: FitConfig;
}

/**
 * Validate a fit request body: ConfigError naming the field for a bad value, NotFoundError for an
 * unknown dataset, and the CLI's DataError/FormulaError (via engine.checkFit) when the mapping or the
 * model does not fit the dataset.
 * @example parseFitRequest(store, engine, { dataset: 1, mapping: { heuristic: 'h', task: 't', score: 'y' } })
 */
export function parseFitRequest(store: Store, engine: Engine, body: unknown): FitRequest {
  const parsed = FitRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.') || 'body';
    throw new ConfigError(`${field}: ${issue.message}`);
  }
  const b = parsed.data;
  const datasetId = parseId(b.dataset, 'dataset');
  store.getDataset(datasetId);
  if (b.model && b.formula) throw new ConfigError('give either model or formula, not both');
  if (b.model && !engine.models().some((m) => m.name === b.model)) {
    throw new ConfigError(`model: unknown model "${b.model}" (see models/)`);
  }
  const mapping: ColumnMap = {
    heuristic: b.mapping.heuristic,
    task: b.mapping.task,
    score: b.mapping.score,
  };
  for (const k of ['category', 'seed', 'study', 'std', 'n', 'trials', 'item'] as const) {
    if (b.mapping[k]) mapping[k] = b.mapping[k];
  }
  const spec: FitSpec = { mapping };
  if (b.model) spec.model = b.model;
  if (b.formula) spec.formula = b.formula;
  if (b.priors?.length) spec.priors = b.priors;
  if (b.filters?.length) spec.filters = b.filters;
  if (b.rope !== undefined) spec.rope = b.rope;
  if (b.threshold !== undefined) spec.threshold = b.threshold;
  if (b.higher_is_better !== undefined) spec.higherIsBetter = b.higher_is_better;
  const itemsPerTask = itemsPerTaskField(b.items_per_task);
  if (itemsPerTask !== undefined) spec.itemsPerTask = itemsPerTask;
  const config: FitConfig = { chains: b.chains, warmup: b.warmup, draws: b.draws, seed: b.seed };
  if (b.adapt_delta !== undefined) config.adaptDelta = b.adapt_delta;
  const dataset = store.getDataset(datasetId);
  const table = engine.parseCsv(store.getDatasetCsv(datasetId), dataset.name);
  engine.checkFit(table, spec);
  return { datasetId, spec, config };
}

/**
 * Non-empty trimmed lines of a textarea.
 * @example splitLines('a\n\n b ') // ['a', 'b']
 */
export function splitLines(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Turn the flat New fit form (mapping fields at the top level, priors one per line) into the API body.
 * @example formToFitBody({ dataset: '1', heuristic: 'h', task: 't', score: 'y' })
 */
export function formToFitBody(form: Record<string, unknown>): Record<string, unknown> {
  const s = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
  const mapping: Record<string, string | undefined> = {};
  for (const k of [
    'heuristic',
    'task',
    'score',
    'category',
    'seed',
    'study',
    'std',
    'n',
    'trials',
    'item',
  ]) {
    mapping[k] = s(k);
  }
  const priors = (s('priors') ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const filters = splitLines(s('filters'));
  const source = s('source');
  return {
    dataset: s('dataset'),
    mapping,
    model: source === 'formula' ? undefined : s('model'),
    formula: source === 'formula' ? s('formula') : undefined,
    priors: priors.length ? priors : undefined,
    filters: filters.length ? filters : undefined,
    chains: s('chains'),
    warmup: s('warmup'),
    draws: s('draws'),
    seed: s('sampler_seed'),
    adapt_delta: s('adapt_delta'),
    rope: s('rope'),
    threshold: s('threshold'),
    items_per_task: s('items_per_task'),
  };
}
