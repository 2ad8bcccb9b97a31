import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Family } from '../../src/model/spec.js';
import { fit as fitModel } from '../../src/pipeline/fit.js';
import { checkAgainstReference, type RefRow, readFixtureTable } from './reference-check.js';

const dir = new URL('../../fixtures/posteriordb-glmm/', import.meta.url).pathname;
const cases = readdirSync(dir).filter((f) => f.endsWith('.json'));

interface PdbCase {
  posterior: string;
  data: string;
  formula: string;
  family: Family;
  priors: string[];
  map: Record<string, string[]>;
  reference: Record<string, RefRow>;
}

describe('posteriordb GLMM-shaped posteriors written as brms formulas', () => {
  it('has the six cases', () => {
    expect(cases.map((c) => c.replace('.json', '')).sort()).toEqual([
      'blr',
      'eight_schools',
      'kidiq',
      'nes',
      'radon',
      'seeds',
    ]);
  });
  for (const file of cases) {
    const meta = JSON.parse(readFileSync(dir + file, 'utf8')) as PdbCase;
    it(`${meta.posterior}: ${meta.formula}`, async () => {
      const table = readFixtureTable(dir + meta.data, meta.data);
      const result = await fitModel(table, {
        formula: meta.formula,
        family: meta.family,
        priors: meta.priors,
        chains: 4,
        warmup: 1000,
        // See the sd tolerance in reference-check.ts: 2000 draws per chain keeps ESS high.
        draws: 2000,
        seed: 7,
        // Eight schools has a funnel in tau even non-centred; a higher target avoids divergences.
        adaptDelta: 0.95,
        parallel: false,
      });
      checkAgainstReference(result, meta.reference, meta.map);
    });
  }
});
