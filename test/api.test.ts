import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

/**
 * README's library section stays true: every name it imports from 'bayesbench' or shows as a call
 * (`sample(...)`) is a function exported by src/index.ts, the package's "." export.
 */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, { default?: string } | string>;
};

function librarySection(): string {
  const start = README.indexOf('\n## Library');
  expect(start).toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** Names in `import { a, b } from 'bayesbench'` lines and in `name(` code spans of the section. */
function documentedNames(section: string): string[] {
  const names = new Set<string>();
  for (const m of section.matchAll(/import \{([^}]+)\} from 'bayesbench'/g)) {
    for (const n of m[1].split(',')) names.add(n.trim());
  }
  for (const m of section.matchAll(/`([a-z][A-Za-z]+)\(/g)) {
    // `index(d, c, v)` is the layout formula, not a function of the library
    if (m[1] !== 'index') names.add(m[1]);
  }
  return [...names].filter((n) => n.length > 0).sort();
}

describe('the public library API', () => {
  it("exports every function README's library section uses", () => {
    const names = documentedNames(librarySection());
    expect(names).toEqual(expect.arrayContaining(['compare', 'fit', 'readCsvFile', 'sample']));
    const exported = lib as Record<string, unknown>;
    const missing = names.filter((n) => typeof exported[n] !== 'function');
    expect(missing).toEqual([]);
  });

  it('is the package entry point', () => {
    const root = PACKAGE.exports['.'];
    expect(typeof root === 'string' ? root : root.default).toBe('./dist/src/index.js');
  });

  it('keeps the rest under bayesbench/internals, and the stable set small', () => {
    const sub = PACKAGE.exports['./internals'];
    expect(typeof sub === 'string' ? sub : sub.default).toBe('./dist/src/internals.js');
    // the stable API is the documented handful (src/index.ts); internals.ts holds everything
    expect(Object.keys(lib).length).toBeLessThan(80);
  });
});
