import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const WEB = fileURLToPath(new URL('../../src/web/', import.meta.url));

/** Every .ts file under src/web, relative to it. */
function files(dir = WEB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? files(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [relative(WEB, join(dir, e.name))]
        : [],
  );
}

/** The src/web modules a file imports (static and dynamic, type-only included). */
function webImports(file: string): string[] {
  const text = readFileSync(join(WEB, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
    const target = relative(WEB, resolve(dirname(join(WEB, file)), `${m[1]}.ts`));
    if (!target.startsWith('..')) out.push(target);
  }
  return out;
}

describe('src/web imports', () => {
  const graph = new Map(files().map((f) => [f, webImports(f)]));

  it('only server.ts (the entry that listens) imports app.ts', () => {
    const importers = [...graph].filter(([, deps]) => deps.includes('app.ts')).map(([f]) => f);
    expect(importers).toEqual(['server.ts']);
  });

  it('have no cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
