import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Family } from '../../src/model/spec.js';
import { checkAgainstReference, fitReferenceCase, type RefRow } from './reference-check.js';

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
      const result = await fitReferenceCase(dir, meta, 7);
      checkAgainstReference(result, meta.reference, meta.map);
    });
  }
});
