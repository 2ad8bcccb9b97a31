import { DataError } from '../errors.js';
import { assembleDraws, type DrawsInput } from './csv.js';
import { parseCell, splitCsvLine, textLines } from './csv-cells.js';

/**
 * CmdStan output CSV (one file per chain): `#` comment lines (configuration, adaptation, timing),
 * one header line, one row per saved iteration; sampler columns end in `__`. With save_warmup the
 * warmup rows (num_warmup / thin of them) are dropped.
 */

/**
 * A text with the name used in error messages.
 * @example { text: readFileSync('out-1.csv', 'utf8'), source: 'out-1.csv' }
 */
export interface SourceText {
  text: string;
  source: string;
}

interface ParsedChain {
  source: string;
  header: string[];
  headerLine: number;
  rows: Float64Array;
  nRows: number;
  maxDepth?: number;
  warmupSeconds?: number;
  samplingSeconds?: number;
}

function configValue(comment: string, key: string): string | undefined {
  const m = comment.match(new RegExp(`^#\\s*${key}\\s*=\\s*([^\\s(]+)`));
  return m ? m[1] : undefined;
}

function parseChain({ text, source }: SourceText): ParsedChain {
  const lines = textLines(text);
  let header: string[] | null = null;
  let headerLine = 0;
  let saveWarmup = false;
  let numWarmup = 0;
  let thin = 1;
  let maxDepth: number | undefined;
  let warmupSeconds: number | undefined;
  let samplingSeconds: number | undefined;
  let rows = new Float64Array(0);
  let nRows = 0;
  let width = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const sw = configValue(line, 'save_warmup');
      if (sw !== undefined) saveWarmup = sw === '1' || sw === 'true';
      const nw = configValue(line, 'num_warmup');
      if (nw !== undefined) numWarmup = Number(nw);
      const th = configValue(line, 'thin');
      if (th !== undefined) thin = Math.max(1, Number(th));
      const md = configValue(line, 'max_depth');
      if (md !== undefined) maxDepth = Number(md);
      const w = line.match(/([0-9.eE+-]+)\s+seconds\s+\(Warm-up\)/);
      if (w) warmupSeconds = Number(w[1]);
      const s = line.match(/([0-9.eE+-]+)\s+seconds\s+\(Sampling\)/);
      if (s) samplingSeconds = Number(s[1]);
      continue;
    }
    const lineNo = i + 1;
    if (!header) {
      header = splitCsvLine(line, source, lineNo).map((c) => c.trim());
      headerLine = lineNo;
      width = header.length;
      rows = new Float64Array(Math.max(16, lines.length - i) * width);
      continue;
    }
    const cells = splitCsvLine(line, source, lineNo);
    if (cells.length !== width) {
      throw new DataError(
        `${source}: line ${lineNo}: expected ${width} fields (as the header), found ${cells.length}`,
      );
    }
    const base = nRows * width;
    for (let k = 0; k < width; k++) rows[base + k] = parseCell(cells[k], source, lineNo, header[k]);
    nRows++;
  }
  if (!header) throw new DataError(`${source}: no header line in CmdStan output`);
  const skip = saveWarmup ? Math.ceil(numWarmup / thin) : 0;
  if (skip > 0) {
    if (nRows <= skip) {
      throw new DataError(`${source}: only ${nRows} rows, all warmup (num_warmup = ${numWarmup})`);
    }
    rows = rows.subarray(skip * width);
    nRows -= skip;
  }
  if (nRows === 0) throw new DataError(`${source}: no draws after the header (line ${headerLine})`);
  return { source, header, headerLine, rows, nRows, maxDepth, warmupSeconds, samplingSeconds };
}

/**
 * Read CmdStan output CSVs, one file per chain. Headers must agree across files and chains must have
 * the same number of draws; errors name the file, the line and the column.
 * @example const { draws, stats, maxTreeDepth } = readCmdStanCsv([{ text, source: 'out-1.csv' }]);
 */
export function readCmdStanCsv(files: readonly SourceText[]): DrawsInput {
  if (files.length === 0) throw new DataError('no CmdStan output files given');
  const chains = files.map(parseChain);
  const first = chains[0];
  for (const ch of chains.slice(1)) {
    const a = first.header;
    const b = ch.header;
    const k = a.findIndex((name, j) => b[j] !== name);
    if (k >= 0 || a.length !== b.length) {
      const col = k >= 0 ? k : Math.min(a.length, b.length);
      throw new DataError(
        `${ch.source}: line ${ch.headerLine}, column ${col + 1}: header differs from ${first.source} ` +
          `("${b[col] ?? '(missing)'}" where ${first.source} has "${a[col] ?? '(missing)'}")`,
      );
    }
    if (ch.nRows !== first.nRows) {
      throw new DataError(
        `${ch.source}: ${ch.nRows} draws, but ${first.source} has ${first.nRows} (chains must have equal lengths)`,
      );
    }
  }
  const width = first.header.length;
  const nRows = first.nRows * chains.length;
  const rowValues = new Float64Array(nRows * width);
  const rowChain = new Int32Array(nRows);
  chains.forEach((ch, c) => {
    rowValues.set(ch.rows.subarray(0, ch.nRows * width), c * first.nRows * width);
    rowChain.fill(c, c * first.nRows, (c + 1) * first.nRows);
  });
  const labels = chains.map((_, c) => String(c + 1));
  const out: DrawsInput = assembleDraws(
    first.header,
    rowValues,
    rowChain,
    nRows,
    labels,
    first.source,
  );
  const depths = chains.map((ch) => ch.maxDepth).filter((d): d is number => d !== undefined);
  if (depths.length > 0) out.maxTreeDepth = Math.max(...depths);
  if (chains.every((ch) => ch.warmupSeconds !== undefined && ch.samplingSeconds !== undefined)) {
    out.timing = {
      warmupSeconds: Math.max(...chains.map((ch) => ch.warmupSeconds as number)),
      samplingSeconds: Math.max(...chains.map((ch) => ch.samplingSeconds as number)),
    };
  }
  return out;
}

/**
 * True when a text looks like CmdStan output: its header (first line that is not a `#` comment)
 * has no chain column, and the file has `#` comment lines or an `lp__` column.
 * @example isCmdStanCsv('# model = bern\nlp__,theta\n') // true
 */
export function isCmdStanCsv(text: string): boolean {
  const lines = textLines(text.slice(0, 1 << 20));
  let comments = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      comments = true;
      continue;
    }
    const header = line.split(',').map((c) => c.trim().replaceAll('"', ''));
    if (header.includes('chain') || header.includes('.chain')) return false;
    return comments || header.includes('lp__');
  }
  return comments;
}
