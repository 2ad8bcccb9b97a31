import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Family } from '../../src/model/spec.js';
import { fit as fitModel } from '../../src/pipeline/fit.js';
import { checkAgainstReference, type RefRow, readFixtureTable } from './reference-check.js';

const dir = new URL('../../fixtures/brms/', import.meta.url).pathname;
const cases = readdirSync(dir).filter((f) => f.endsWith('.json'));

interface BrmsCase {
  name: string;
  data: string;
  formula: string;
  family: Family;
  priors: string[];
  variables: (RefRow & { variable: string })[];
}

describe('brms reference fits (fixtures/brms): same formula and priors, same posterior', () => {
  it('has the six cases', () => {
    expect(cases.length).toBe(6);
  });
  for (const file of cases) {
    const meta = JSON.parse(readFileSync(dir + file, 'utf8')) as BrmsCase;
    it(`${meta.name}: ${meta.formula} (${meta.family})`, async () => {
      const table = readFixtureTable(dir + meta.data, meta.data);
      const result = await fitModel(table, {
        formula: meta.formula,
        family: meta.family,
        priors: meta.priors,
        chains: 4,
        warmup: 1000,
        // 2000 draws per chain gives ESS of a few thousand for every variable (see the sd tolerance).
        draws: 2000,
        seed: 20261127,
        // brms's reference runs used adapt_delta 0.95 (and still had one divergence on known_se).
        adaptDelta: 0.95,
        parallel: false,
      });
      // Every brms variable is reported, under the same name.
      for (const v of meta.variables) expect(result.model.variableNames).toContain(v.variable);
      const reference = Object.fromEntries(meta.variables.map((v) => [v.variable, v]));
      checkAgainstReference(result, reference, {});
      expect(result.summary.sampler?.divergent).toBe(0);
    });
  }
});
