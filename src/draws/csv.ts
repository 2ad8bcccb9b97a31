import { DataError } from '../errors.js';
import { csvField, formatCell, parseCell, splitCsvLine, textLines } from './csv-cells.js';
import type { Draws, SamplerStats } from './draws.js';
import { createDraws } from './draws.js';

/**
 * Draws CSV in and out (docs/ARCHITECTURE.md "Contracts"): header `chain,draw,<variables...>` (1-based chain and
 * draw), optional sampler columns ending `__`; posterior's `.chain,.iteration,.draw` is read too.
 */

/**
 * Draws read from files, with what the files say about the run.
 * @example const { draws, stats } = readDrawsFiles([{ text, source: 'fit.csv' }]);
 */
export interface DrawsInput {
  draws: Draws;
  /** Sampler fields (columns ending `__`), or null when the file has none. */
  stats: SamplerStats | null;
  /** CmdStan's max_depth, when the file records it. */
  maxTreeDepth?: number;
  /** Wall clock of warmup and sampling (CmdStan: the slowest chain). */
  timing?: { warmupSeconds: number; samplingSeconds: number };
}

const CHAIN_COLUMNS = ['chain', '.chain'];
const META_COLUMNS = ['draw', '.draw', '.iteration', 'iteration'];

/**
 * Split parsed columns (row-major values, chain index per row) into Draws and SamplerStats.
 * Chains keep their order of first appearance; all chains must have the same number of draws.
 * @example assembleDraws(['mu', 'lp__'], rowValues, rowChain, nRows, ['1', '2'], 'fit.csv')
 */
export function assembleDraws(
  names: readonly string[],
  rowValues: Float64Array,
  rowChain: Int32Array,
  nRows: number,
  chainLabels: readonly string[],
  source: string,
): { draws: Draws; stats: SamplerStats | null } {
  const nChains = chainLabels.length;
  const counts = new Int32Array(nChains);
  for (let r = 0; r < nRows; r++) counts[rowChain[r]]++;
  const nDraws = nChains > 0 ? counts[0] : 0;
  for (let c = 1; c < nChains; c++) {
    if (counts[c] !== nDraws) {
      throw new DataError(
        `${source}: chains have unequal lengths: chain ${chainLabels[0]} has ${nDraws} draws, ` +
          `chain ${chainLabels[c]} has ${counts[c]}`,
      );
    }
  }
  const width = names.length;
  const varIdx: number[] = [];
  const statIdx: number[] = [];
  names.forEach((name, j) => {
    if (name.endsWith('__')) statIdx.push(j);
    else varIdx.push(j);
  });
  const draws = createDraws(
    nDraws,
    nChains,
    varIdx.map((j) => names[j]),
  );
  const stats =
    statIdx.length > 0
      ? createDraws(
          nDraws,
          nChains,
          statIdx.map((j) => names[j]),
        )
      : null;
  const next = new Int32Array(nChains);
  for (let r = 0; r < nRows; r++) {
    const c = rowChain[r];
    const d = next[c]++;
    const base = r * width;
    for (let v = 0; v < varIdx.length; v++) {
      draws.values[d + nDraws * (c + nChains * v)] = rowValues[base + varIdx[v]];
    }
    if (stats) {
      for (let v = 0; v < statIdx.length; v++) {
        stats.values[d + nDraws * (c + nChains * v)] = rowValues[base + statIdx[v]];
      }
    }
  }
  return { draws, stats };
}

/**
 * Read a draws CSV (header chain,draw,<variables>; or posterior's .chain,.iteration,.draw). Lines
 * starting with `#` and blank lines are skipped. Bad input throws a DataError naming the file, the
 * line and the column: ragged row, non-numeric cell, no chain column, unequal chain lengths.
 * @example
 * const { draws, stats } = readDrawsCsv('chain,draw,mu\n1,1,0.5\n1,2,0.7\n', 'mu.csv');
 */
export function readDrawsCsv(text: string, source = 'draws.csv'): DrawsInput {
  const lines = textLines(text);
  let h = 0;
  while (h < lines.length && (lines[h].trim() === '' || lines[h].startsWith('#'))) h++;
  if (h >= lines.length)
    throw new DataError(`${source}: no header line (expected chain,draw,<variables>)`);
  const header = splitCsvLine(lines[h], source, h + 1).map((s) => s.trim());
  const chainCol = header.findIndex((name) => CHAIN_COLUMNS.includes(name));
  if (chainCol < 0) {
    throw new DataError(
      `${source}: line ${h + 1}: no "chain" column (expected a header chain,draw,<variables>, or CmdStan output)`,
    );
  }
  const keep: number[] = [];
  header.forEach((name, j) => {
    // j = 0 with an empty name: R's write.csv row names
    if (j !== chainCol && !META_COLUMNS.includes(name) && !(j === 0 && name === '')) keep.push(j);
  });
  const names = keep.map((j) => header[j]);
  const seen = new Set<string>();
  for (const [k, name] of names.entries()) {
    if (name === '')
      throw new DataError(`${source}: line ${h + 1}, column ${keep[k] + 1}: empty column name`);
    if (seen.has(name)) throw new DataError(`${source}: line ${h + 1}: duplicate column "${name}"`);
    seen.add(name);
  }
  const width = names.length;
  let capacity = Math.max(16, lines.length - h);
  let rowValues = new Float64Array(capacity * width);
  let rowChain = new Int32Array(capacity);
  const chainIndex = new Map<string, number>();
  const chainLabels: string[] = [];
  let nRows = 0;
  for (let i = h + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || line.startsWith('#') || line.trim() === '') continue;
    const lineNo = i + 1;
    const cells = splitCsvLine(line, source, lineNo);
    if (cells.length !== header.length) {
      throw new DataError(
        `${source}: line ${lineNo}: expected ${header.length} fields (as the header), found ${cells.length}`,
      );
    }
    const chainCell = cells[chainCol].trim();
    const chainNum = Number(chainCell);
    if (chainCell === '' || !Number.isInteger(chainNum) || chainNum < 1) {
      throw new DataError(
        `${source}: line ${lineNo}, column "${header[chainCol]}": "${chainCell}" is not a chain number (1, 2, ...)`,
      );
    }
    const label = String(chainNum);
    let c = chainIndex.get(label);
    if (c === undefined) {
      c = chainLabels.length;
      chainIndex.set(label, c);
      chainLabels.push(label);
    }
    if (nRows === capacity) {
      capacity *= 2;
      const nv = new Float64Array(capacity * width);
      nv.set(rowValues);
      rowValues = nv;
      const nc = new Int32Array(capacity);
      nc.set(rowChain);
      rowChain = nc;
    }
    rowChain[nRows] = c;
    const base = nRows * width;
    for (let k = 0; k < width; k++) {
      rowValues[base + k] = parseCell(cells[keep[k]], source, lineNo, names[k]);
    }
    nRows++;
  }
  if (nRows === 0) throw new DataError(`${source}: no draws after the header (line ${h + 1})`);
  return assembleDraws(names, rowValues, rowChain, nRows, chainLabels, source);
}

/**
 * Write draws (and sampler statistics) as a draws CSV: header chain,draw,<variables>,<sampler
 * fields>, one row per draw, chains and draws 1-based, numbers at full precision (shortest
 * round-trip decimal; NaN, Inf, -Inf). Names holding commas or quotes are quoted.
 * @example writeDrawsCsv(fit.draws, fit.stats).split('\n')[0] // 'chain,draw,mu,tau,lp__,...'
 */
export function writeDrawsCsv(draws: Draws, stats?: SamplerStats | null): string {
  const { nDraws, nChains } = draws;
  if (stats && (stats.nDraws !== nDraws || stats.nChains !== nChains)) {
    throw new DataError(
      `writeDrawsCsv: sampler statistics are ${stats.nDraws} x ${stats.nChains}, draws ${nDraws} x ${nChains}`,
    );
  }
  const header = ['chain', 'draw', ...draws.variables, ...(stats?.variables ?? [])].map(csvField);
  const parts: string[] = [header.join(',')];
  const nv = draws.variables.length;
  const ns = stats?.variables.length ?? 0;
  const cells: string[] = new Array(2 + nv + ns);
  for (let c = 0; c < nChains; c++) {
    for (let d = 0; d < nDraws; d++) {
      cells[0] = String(c + 1);
      cells[1] = String(d + 1);
      for (let v = 0; v < nv; v++)
        cells[2 + v] = formatCell(draws.values[d + nDraws * (c + nChains * v)]);
      for (let v = 0; v < ns; v++) {
        cells[2 + nv + v] = formatCell(
          (stats as SamplerStats).values[d + nDraws * (c + nChains * v)],
        );
      }
      parts.push(cells.join(','));
    }
  }
  return `${parts.join('\n')}\n`;
}
