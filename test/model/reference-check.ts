import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import type { Table } from '../../src/data/table.js';
import { summarizeDraws } from '../../src/diagnostics/summarize.js';
import { createDraws, variableBlock } from '../../src/draws/draws.js';
import type { Family } from '../../src/model/spec.js';
import { type FitResult, fit as fitModel } from '../../src/pipeline/fit.js';

/** A reference summary of one quantity. */
export interface RefRow {
  mean: number;
  sd: number;
  mcse_mean: number;
}

/** A brms reference case (fixtures/brms, fixtures/beta-binomial): data, model, brms's summaries. */
export interface BrmsCase {
  name: string;
  data: string;
  formula: string;
  family: Family;
  priors: string[];
  variables: (RefRow & { variable: string })[];
}

/**
 * Fit a reference case's formula, family and priors to its data (`dir + data`) with the settings
 * every reference comparison uses: 4 chains x 1000 warmup + 2000 draws (ESS of a few thousand for
 * every variable, which the 10% sd tolerance of checkAgainstReference needs: ~5 standard errors at
 * ESS >= 1500), adapt_delta 0.95 (as brms's reference runs; eight schools keeps a funnel in tau even
 * non-centred), chains one after another.
 */
export function fitReferenceCase(
  dir: string,
  c: { data: string; formula: string; family: Family; priors: string[] },
  seed: number,
): Promise<FitResult> {
  return fitModel(readFixtureTable(dir + c.data, c.data), {
    formula: c.formula,
    family: c.family,
    priors: c.priors,
    chains: 4,
    warmup: 1000,
    draws: 2000,
    seed,
    adaptDelta: 0.95,
    parallel: false,
  });
}

/** Read a fixture CSV with the data layer's parser. */
export function readFixtureTable(path: string, source: string): Table {
  return parseCsv(readFileSync(path), { source });
}

/**
 * Compare a fit with reference summaries. `map` gives each reference quantity as a sum of model
 * variables (a single name for most). Returns the worst |z| and relative sd error for reporting.
 */
export function checkAgainstReference(
  result: FitResult,
  reference: Record<string, RefRow>,
  map: Record<string, string[]>,
): { maxZ: number; maxSdRel: number } {
  const { draws } = result.fit;
  const names = Object.keys(reference);
  const derived = createDraws(draws.nDraws, draws.nChains, names);
  names.forEach((name, k) => {
    const parts = map[name] ?? [name];
    const out = variableBlock(derived, k);
    for (const p of parts) {
      const v = draws.variables.indexOf(p);
      // Every reference variable must exist under its brms name.
      expect(
        v,
        `variable ${p} (for ${name}) missing; have ${draws.variables.slice(0, 8).join(', ')}...`,
      ).toBeGreaterThanOrEqual(0);
      const block = variableBlock(draws, v);
      for (let i = 0; i < out.length; i++) out[i] += block[i];
    }
  });
  const rows = summarizeDraws(derived);
  let maxZ = 0;
  let maxSdRel = 0;
  for (const row of rows) {
    const ref = reference[row.variable];
    const tol = Math.sqrt(row.mcse_mean ** 2 + ref.mcse_mean ** 2);
    const z = Math.abs(row.mean - ref.mean) / tol;
    const sdRel = Math.abs(row.sd / ref.sd - 1);
    maxZ = Math.max(maxZ, z);
    maxSdRel = Math.max(maxSdRel, sdRel);
    // The rule of docs/ARCHITECTURE.md "Testing rules": |mean - ref| < 4 * sqrt(mcse^2 + mcse_ref^2) (4 MCSEs keeps the chance
    // of a false alarm below 1e-4 per variable, so a few hundred variables stay safe) ...
    expect(
      z,
      `${row.variable}: mean ${row.mean} vs ${ref.mean} (mcse ${row.mcse_mean}, ref ${ref.mcse_mean})`,
    ).toBeLessThan(4);
    // ... and sd within 10%: with ESS >= ~1500 the sd estimate's relative error is about
    // 1/sqrt(2 ESS) < 2%, so 10% is about 5 standard errors.
    expect(sdRel, `${row.variable}: sd ${row.sd} vs ${ref.sd}`).toBeLessThan(0.1);
  }
  return { maxZ, maxSdRel };
}
