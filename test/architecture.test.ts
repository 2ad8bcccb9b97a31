/**
 * The import direction of src/ as a tested rule. Every import of every file under src/ (static
 * `import`/`export ... from`, `import type`, `import('...')` in code and in types, `require('...')`
 * and `new URL('...', import.meta.url)` worker/module references) is read with the TypeScript parser
 * and mapped to its folder (src/errors.ts and src/index.ts count as the folders `errors` and
 * `index`). The test fails on an edge between folders that is not in ALLOWED, on a cycle between
 * folders, on a cycle between files anywhere in src/, and on a dynamic import whose specifier is not
 * a string literal outside NON_LITERAL_IMPORTS. Known exceptions are listed with the reason they
 * exist; an exception that is no longer needed fails the test too, so the lists only shrink.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The allowed folder edges, bottom (math, errors) to top (cli, web, index), one reason each.
 * `types: true` allows only `import type` / `export type` on that edge.
 */
const ALLOWED: readonly { from: string; to: string; why: string; types?: true }[] = [
  { from: 'data', to: 'errors', why: 'bad input raises the typed errors' },
  { from: 'draws', to: 'errors', why: 'bad draws CSV raises the typed errors' },
  { from: 'sampler', to: 'math', why: 'random streams and log-sum-exp of the NUTS kernel' },
  { from: 'sampler', to: 'draws', why: 'the sampler writes its chains as Draws and a Fit' },
  { from: 'sampler', to: 'errors', why: 'bad configuration and failed initialization' },
  { from: 'diagnostics', to: 'math', why: 'FFT, moments, quantiles, normal and beta quantiles' },
  { from: 'diagnostics', to: 'draws', why: 'diagnostics read draws and a Fit, nothing else' },
  { from: 'model', to: 'data', why: 'a model is compiled from a spec and a Table' },
  { from: 'model', to: 'math', why: 'special functions and moments in log densities' },
  { from: 'model', to: 'errors', why: 'formula, prior and data errors' },
  {
    from: 'model',
    to: 'draws',
    why: 'effects integrated out are drawn back from the posterior draws (item-effects.ts)',
    types: true,
  },
  {
    from: 'model',
    to: 'sampler',
    why: 'a compiled model implements the LogDensity / ReportingModel / ModelSource contract',
    types: true,
  },
  { from: 'analysis', to: 'data', why: 'the benchmark table: columns, levels, scales' },
  { from: 'analysis', to: 'diagnostics', why: 'a Comparison carries the summary and warnings' },
  { from: 'analysis', to: 'draws', why: 'a Comparison is computed from draws' },
  { from: 'analysis', to: 'math', why: 'quantiles, moments, random variates' },
  { from: 'analysis', to: 'errors', why: 'bad comparison settings' },
  {
    from: 'analysis',
    to: 'model',
    why: 'analysis sits above the model layer: spec, prior and group types, the one rows -> cells collapse (PPC)',
  },
  { from: 'pipeline', to: 'data', why: 'fit(records) builds the Table' },
  { from: 'pipeline', to: 'errors', why: 'bad fit or comparison settings' },
  { from: 'pipeline', to: 'draws', why: 'orchestration passes Draws and a Fit along' },
  { from: 'pipeline', to: 'model', why: 'orchestration compiles the model' },
  { from: 'pipeline', to: 'sampler', why: 'orchestration samples, and uses the worker pool' },
  { from: 'pipeline', to: 'diagnostics', why: 'orchestration summarizes the draws' },
  {
    from: 'pipeline',
    to: 'analysis',
    why: 'runComparison turns the draws into a Comparison (compareFromFit)',
  },
  { from: 'report', to: 'analysis', why: 'plots and pages of a Comparison' },
  { from: 'report', to: 'diagnostics', why: 'summary tables, banners and thresholds' },
  { from: 'report', to: 'draws', why: 'trace and rank plots, draws exports' },
  { from: 'report', to: 'math', why: 'normal CDF for probabilities shown' },
  { from: 'report', to: 'errors', why: 'bad report input' },
  ...top(
    'store',
    ['analysis', 'data', 'diagnostics', 'draws', 'errors'],
    'stores fits and datasets',
  ),
  ...top(
    'web',
    ['analysis', 'data', 'diagnostics', 'draws', 'errors', 'model', 'pipeline', 'report'],
    'the web app runs and shows fits',
  ),
  ...top('web', ['sampler', 'store'], 'progress events; the SQLite store'),
  ...top(
    'cli',
    ['analysis', 'data', 'diagnostics', 'draws', 'errors', 'model', 'pipeline', 'report'],
    'the commands run and print fits',
  ),
  ...top('cli', ['sampler', 'web'], 'warm the worker pool; `serve` starts the web app'),
  ...top(
    'index',
    ['analysis', 'data', 'diagnostics', 'draws', 'errors', 'math', 'model', 'pipeline'],
    'the public API re-exports the library',
  ),
  ...top('index', ['report', 'sampler', 'store', 'web'], 'the public API re-exports the library'),
  ...top(
    'internals',
    [
      'analysis',
      'data',
      'diagnostics',
      'draws',
      'errors',
      'math',
      'model',
      'pipeline',
      'report',
      'sampler',
      'store',
      'web',
    ],
    'bayesbench/internals re-exports every part of the library',
  ),
];

function top(from: string, tos: string[], why: string) {
  return tos.map((to) => ({ from, to, why }));
}

/**
 * Imports that break the rule today, by file. Each must go: an entry whose import is gone fails the
 * test ("no longer needed"), so delete the entry with the import.
 */
const EXCEPTIONS: readonly { file: string; to: string; why: string }[] = [];

/**
 * File edges that close a cycle today. Empty: the web app's context lives in web/context.ts, which
 * imports no route and not app.ts. Add an entry only with the reason and the plan to remove it.
 */
const FILE_CYCLE_EXCEPTIONS: readonly { file: string; imports: string }[] = [];

/** Files allowed a dynamic import whose specifier is computed. */
const NON_LITERAL_IMPORTS: readonly { file: string; why: string }[] = [
  {
    file: 'sampler/load-model.ts',
    why: 'a worker imports the module its caller named in a ModelSource or module task',
  },
];

interface Import {
  file: string; // relative to src/, e.g. 'sampler/pool.ts'
  target: string; // relative to src/ (relative specifiers), or '' for a computed specifier
  typeOnly: boolean;
}

function isLiteral(node: ts.Node | undefined): node is ts.StringLiteralLike {
  return node !== undefined && ts.isStringLiteralLike(node);
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    clause.name === undefined &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((e) => e.isTypeOnly)
  );
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  const c = node.exportClause;
  return (
    node.isTypeOnly ||
    (c !== undefined &&
      ts.isNamedExports(c) &&
      c.elements.length > 0 &&
      c.elements.every((e) => e.isTypeOnly))
  );
}

/** A string literal's text, or both branches of `cond ? 'a.ts' : 'a.js'`; null if computed. */
function literals(node: ts.Node | undefined): string[] | null {
  if (isLiteral(node)) return [node.text];
  if (node && ts.isConditionalExpression(node)) {
    const [a, b] = [literals(node.whenTrue), literals(node.whenFalse)];
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

/** `new URL('x.js', import.meta.url)`: a module or worker named by path (not a folder or asset). */
function urlSpecifiers(node: ts.NewExpression): string[] {
  const [first, base] = node.arguments ?? [];
  const isUrl = ts.isIdentifier(node.expression) && node.expression.text === 'URL';
  if (!isUrl || base === undefined || base.getText() !== 'import.meta.url') return [];
  return (literals(first) ?? []).filter((s) => /\.[cm]?[jt]s$/.test(s));
}

/** The specifiers a source text imports: [specifier or null if computed, type only]. */
function importsOf(text: string): [string | null, boolean][] {
  const out: [string | null, boolean][] = [];
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && isLiteral(node.moduleSpecifier)) {
      out.push([node.moduleSpecifier.text, isTypeOnlyImport(node)]);
    } else if (ts.isExportDeclaration(node) && isLiteral(node.moduleSpecifier)) {
      out.push([node.moduleSpecifier.text, isTypeOnlyExport(node)]);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && isLiteral(arg.literal)) out.push([arg.literal.text, true]);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const dynamic =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && callee.text === 'require');
      if (dynamic) {
        const specs = literals(node.arguments[0]);
        for (const spec of specs ?? [null]) out.push([spec, false]);
      }
    } else if (ts.isNewExpression(node)) {
      for (const spec of urlSpecifiers(node)) out.push([spec, false]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** A relative specifier's file, relative to src/ (a .js specifier names its .ts source). */
function resolveTarget(file: string, spec: string): string {
  const abs = resolve(dirname(join(SRC, file)), spec);
  const ts = abs.replace(/\.js$/, '.ts');
  const found = existsSync(ts) ? ts : abs;
  if (!existsSync(found)) throw new Error(`${file}: cannot resolve import "${spec}"`);
  return relative(SRC, found);
}

function readImports(): Import[] {
  return sourceFiles(SRC).flatMap((abs) => {
    const file = relative(SRC, abs);
    return importsOf(readFileSync(abs, 'utf8')).flatMap(([spec, typeOnly]): Import[] => {
      if (spec === null) return [{ file, target: '', typeOnly }];
      if (!spec.startsWith('.')) return []; // packages and node: builtins
      return [{ file, target: resolveTarget(file, spec), typeOnly }];
    });
  });
}

/** The folder of a file under src/: its first directory, or the file's name for root files. */
function folderOf(file: string): string {
  const [head, ...rest] = file.split('/');
  return rest.length > 0 ? head : head.replace(/(\.d)?\.ts$/, '');
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
function cycles(edges: readonly (readonly [string, string])[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const [a, b] of edges) adj.set(a, [...(adj.get(a) ?? []), b]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of adj.get(v) ?? []) {
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = stack.splice(stack.indexOf(v));
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of adj.keys()) if (!index.has(v)) visit(v);
  return out;
}

const imports = readImports();
const local = imports.filter((i) => i.target !== '');
const crossing = local.filter((i) => folderOf(i.file) !== folderOf(i.target));

function allowedEdge(i: Import): boolean {
  const from = folderOf(i.file);
  const to = folderOf(i.target);
  return ALLOWED.some((e) => e.from === from && e.to === to && (!e.types || i.typeOnly));
}

function excepted(i: Import): boolean {
  return EXCEPTIONS.some((e) => e.file === i.file && e.to === folderOf(i.target));
}

describe('architecture: imports point one way', () => {
  it('the parser sees static, type, re-export, dynamic, require and new URL imports', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "import { type C, type D } from './c.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "const g = await import('./g.js'); const h = import(name); const r = require('./r.js');",
      "type I = import('./i.js').I; const w = new URL(ts ? './w.ts' : './w.js', import.meta.url);",
      "const root = new URL('../..', import.meta.url); const x = await import(ts ? './x.ts' : y);",
      "const s = 'import(\"./not-code.js\")'; // import('./not-code-either.js')",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      ['./a.js', false],
      ['../b/b.js', true],
      ['./c.js', true],
      ['./e.js', false],
      ['./f.js', true],
      ['./g.js', false],
      [null, false],
      ['./r.js', false],
      ['./i.js', true],
      ['./w.ts', false],
      ['./w.js', false],
      [null, false],
    ]);
  });

  it('reads every file under src/ (a sample of known edges is found)', () => {
    const has = (file: string, target: string) =>
      local.some((i) => i.file === file && i.target === target);
    expect(has('sampler/sample.ts', 'draws/draws.ts')).toBe(true);
    expect(has('sampler/pool.ts', 'sampler/worker.ts')).toBe(true); // new URL(worker, import.meta.url)
    expect(has('cli/fit.ts', 'pipeline/fit.ts')).toBe(true); // dynamic import
  });

  it('every import between folders runs along an allowed edge (or a listed exception)', () => {
    const wrong = crossing
      .filter((i) => !allowedEdge(i) && !excepted(i))
      .map((i) => `${i.file} -> ${i.target}${i.typeOnly ? ' (type)' : ''}`);
    expect(wrong).toEqual([]);
  });

  it('the allowed edges are a layering (no cycle among them)', () => {
    expect(cycles(ALLOWED.map((e) => [e.from, e.to] as const))).toEqual([]);
  });

  it('no cycle between folders (type imports and exceptions included)', () => {
    const edges = crossing.map((i) => [folderOf(i.file), folderOf(i.target)] as const);
    expect(cycles(edges)).toEqual([]);
  });

  it('no cycle between files in src/, except the listed web edges', () => {
    const skip = (i: Import) =>
      FILE_CYCLE_EXCEPTIONS.some((e) => e.file === i.file && e.imports === i.target);
    const edges = local.filter((i) => !skip(i)).map((i) => [i.file, i.target] as const);
    expect(cycles(edges)).toEqual([]);
  });

  it('dynamic imports use a string literal, except in the listed loaders', () => {
    const computed = [...new Set(imports.filter((i) => i.target === '').map((i) => i.file))];
    expect(computed.filter((f) => !NON_LITERAL_IMPORTS.some((e) => e.file === f))).toEqual([]);
  });

  it('every listed exception is still needed (the lists only shrink)', () => {
    const stale = [
      ...EXCEPTIONS.filter(
        (e) => !crossing.some((i) => i.file === e.file && excepted(i) && !allowedEdge(i)),
      ).map((e) => `EXCEPTIONS: ${e.file} -> ${e.to}`),
      ...FILE_CYCLE_EXCEPTIONS.filter((e) => {
        const all = local.map((i) => [i.file, i.target] as const);
        // needed while the edge exists and lies on a cycle
        return !cycles(all).some((c) => c.includes(e.file) && c.includes(e.imports));
      }).map((e) => `FILE_CYCLE_EXCEPTIONS: ${e.file} -> ${e.imports}`),
      ...NON_LITERAL_IMPORTS.filter(
        (e) => !imports.some((i) => i.file === e.file && i.target === ''),
      ).map((e) => `NON_LITERAL_IMPORTS: ${e.file}`),
    ];
    expect(stale).toEqual([]);
  });
});
