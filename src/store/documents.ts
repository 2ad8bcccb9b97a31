import type { Comparison } from '../analysis/types.js';
import type { Summary } from '../diagnostics/types.js';
import type { Draws, SamplerStats } from '../draws/draws.js';

/*
 * A finished fit's documents as the store keeps them (JSON text), kept apart from the SQLite code so
 * that a fit's worker thread makes them without loading the database driver.
 */

/** Everything a finished fit writes at once, as objects (the store serializes them). */
export interface ComputedFitResult {
  comparison: Comparison;
  summary?: Summary | null;
  draws?: Draws | null;
  stats?: SamplerStats | null;
  timings?: Record<string, number>;
}

/**
 * A finished fit whose documents are already JSON text (`serializeFitResult`, run on the fit's worker
 * thread), so the server's main thread never stringifies a large comparison.
 */
export interface SerializedFitResult {
  comparisonJson: string;
  /** JSON of the comparison's `diagnostics` (or `null`). */
  diagnosticsJson: string;
  /** JSON of the diagnostics summary (or `null`). */
  summaryJson: string;
  draws?: Draws | null;
  stats?: SamplerStats | null;
  timings?: Record<string, number>;
}

/** Everything a finished fit writes at once. */
export type StoredFitResult = ComputedFitResult | SerializedFitResult;

/**
 * JSON with NaN/Infinity as null (docs/ARCHITECTURE.md "Contracts").
 * @example toJson({ a: NaN }) // '{"a":null}'
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );
}

/**
 * The JSON text the store keeps for a fit's documents (NaN/Infinity as null), made wherever the fit
 * ran; draws, stats and timings pass through.
 * @example serializeFitResult({ comparison }).comparisonJson.startsWith('{') // true
 */
export function serializeFitResult(result: StoredFitResult): SerializedFitResult {
  if ('comparisonJson' in result) return result;
  const { comparison, summary, ...rest } = result;
  return {
    ...rest,
    comparisonJson: toJson(comparison),
    diagnosticsJson: toJson(comparison.diagnostics ?? null),
    summaryJson: toJson(summary ?? null),
  };
}
