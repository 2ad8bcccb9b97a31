import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BrmsCase, checkAgainstReference, fitReferenceCase } from './reference-check.js';

const dir = new URL('../../fixtures/brms/', import.meta.url).pathname;
const cases = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('brms reference fits (fixtures/brms): same formula and priors, same posterior', () => {
  it('has the six cases', () => {
    expect(cases.length).toBe(6);
  });
  for (const file of cases) {
    const meta = JSON.parse(readFileSync(dir + file, 'utf8')) as BrmsCase;
    it(`${meta.name}: ${meta.formula} (${meta.family})`, async () => {
      // brms's reference runs used adapt_delta 0.95 too (and still had one divergence on known_se)
      const result = await fitReferenceCase(dir, meta, 20261127);
      // Every brms variable is reported, under the same name.
      for (const v of meta.variables) expect(result.model.variableNames).toContain(v.variable);
      const reference = Object.fromEntries(meta.variables.map((v) => [v.variable, v]));
      checkAgainstReference(result, reference, {});
      expect(result.summary.sampler?.divergent).toBe(0);
    });
  }
});
