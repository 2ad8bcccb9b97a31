import { DataError } from '../errors.js';
import type { DrawsInput } from './csv.js';
import type { Draws } from './draws.js';
import { createDraws } from './draws.js';

function bind(parts: readonly Draws[]): Draws {
  const nDraws = parts[0].nDraws;
  const nChains = parts.reduce((s, p) => s + p.nChains, 0);
  const out = createDraws(nDraws, nChains, parts[0].variables);
  for (let v = 0; v < out.variables.length; v++) {
    let c0 = 0;
    for (const p of parts) {
      const n = p.nDraws * p.nChains;
      out.values.set(p.values.subarray(v * n, (v + 1) * n), nDraws * (c0 + nChains * v));
      c0 += p.nChains;
    }
  }
  return out;
}

function sameNames(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/**
 * Bind draws read from several files as chains of one Draws (posterior `bind_draws(along =
 * "chain")`). Variables must match and every chain must have the same number of draws.
 * @example bindChains([readDrawsCsv(a, 'a.csv'), readDrawsCsv(b, 'b.csv')], ['a.csv', 'b.csv'])
 */
export function bindChains(parts: readonly DrawsInput[], sources: readonly string[]): DrawsInput {
  const first = parts[0];
  parts.forEach((p, i) => {
    if (i === 0) return;
    const k = sameNames(first.draws.variables, p.draws.variables);
    if (k >= 0) {
      throw new DataError(
        `${sources[i]}: variable ${k + 1} is "${p.draws.variables[k] ?? '(missing)'}" but ${sources[0]} has ` +
          `"${first.draws.variables[k] ?? '(missing)'}"`,
      );
    }
    const ks = sameNames(first.stats?.variables ?? [], p.stats?.variables ?? []);
    if (ks >= 0) throw new DataError(`${sources[i]}: sampler columns differ from ${sources[0]}`);
    if (p.draws.nDraws !== first.draws.nDraws) {
      throw new DataError(
        `${sources[i]}: chains have ${p.draws.nDraws} draws, but ${sources[0]} has ${first.draws.nDraws} ` +
          '(chains must have equal lengths)',
      );
    }
  });
  const draws = bind(parts.map((p) => p.draws));
  const stats = first.stats ? bind(parts.map((p) => p.stats as Draws)) : null;
  return { draws, stats };
}
