import { DataError } from '../errors.js';
import { bindChains } from './bind.js';
import { isCmdStanCsv, readCmdStanCsv, type SourceText } from './cmdstan.js';
import { type DrawsInput, readDrawsCsv } from './csv.js';

/**
 * Read one or more draws files, detecting the format: CmdStan output CSVs (one chain per file) or
 * draws CSVs (chain,draw,<variables>; several files are bound as further chains).
 * @example const input = readDrawsFiles([{ text, source: 'fit.csv' }]);
 */
export function readDrawsFiles(files: readonly SourceText[]): DrawsInput {
  if (files.length === 0) throw new DataError('no draws files given');
  const kinds = files.map((f) => isCmdStanCsv(f.text));
  if (kinds.every(Boolean)) return readCmdStanCsv(files);
  if (kinds.some(Boolean)) {
    const i = kinds.indexOf(true);
    const j = kinds.indexOf(false);
    throw new DataError(
      `${files[j].source}: a draws CSV (chain,draw,...) given together with CmdStan output ${files[i].source}`,
    );
  }
  const parts = files.map((f) => readDrawsCsv(f.text, f.source));
  if (parts.length === 1) return parts[0];
  return bindChains(
    parts,
    files.map((f) => f.source),
  );
}
