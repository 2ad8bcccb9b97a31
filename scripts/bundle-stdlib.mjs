/**
 * Build step after `tsc`: bundle OUT_DIR/src/math/stdlib.js (the compiled re-export of the @stdlib
 * functions bayesbench uses) into one ES module with esbuild, in place.
 *
 * Why: each @stdlib package is a tree of small CommonJS files (~700 for the five functions), and
 * resolving them cost 0.3-0.5 s at the start of every process and every sampler worker thread
 * (BENCHMARKS.md section 1). The bundle holds the packages' own code, unchanged; `require` is
 * provided for the few Node built-ins they load (tty, util, fs, net through `debug`).
 *
 * The functions that are called as plain functions (no property of theirs is read: LAZY below) load
 * on their first call: the export is a stand-in that requires the package's bundled code, replaces
 * itself (an ES module's exported `let` is a live binding, so every importer then calls the
 * package's function directly) and returns its result. A process or worker thread that never calls
 * one (a gaussian comparison does not call the Beta quantile or digamma) does not evaluate its
 * modules: ~8 ms less CPU at every start of a process and of a sampler thread (BENCHMARKS.md §12.5).
 * The same functions, the same numbers.
 *
 * Usage: node scripts/bundle-stdlib.mjs [OUT_DIR]   (default dist; `npm run build` runs it)
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outDir = process.argv[2] ?? 'dist';
const file = path.join(outDir, 'src', 'math', 'stdlib.js');
if (!existsSync(file)) {
  process.stderr.write(`bundle-stdlib: ${file} not found (run tsc first)\n`);
  process.exit(1);
}
/** Exports called as plain functions only (src/math/stdlib.ts), loaded on their first call. */
const LAZY = new Set(['digamma', 'gammaln', 'betaQuantile', 'normalCdf']);
const reexport = /^export \{ default as (\w+) \} from '(@stdlib\/[\w-]+)';$/gm;
const exports = [...readFileSync(file, 'utf8').matchAll(reexport)].map((m) => ({
  name: m[1],
  pkg: m[2],
}));
if (exports.length === 0) {
  process.stderr.write(
    `bundle-stdlib: ${file} has no @stdlib re-exports (already bundled? run tsc first)\n`,
  );
  process.exit(1);
}
for (const name of LAZY) {
  if (!exports.some((e) => e.name === name)) {
    process.stderr.write(`bundle-stdlib: ${file} does not export ${name}: update LAZY\n`);
    process.exit(1);
  }
}
const entry = path.join(outDir, 'src', 'math', 'stdlib-bundle-entry.js');
writeFileSync(
  entry,
  exports
    .map(({ name, pkg }) =>
      LAZY.has(name)
        ? `export let ${name} = function (...args) {\n  ${name} = require(${JSON.stringify(pkg)});\n  return ${name}(...args);\n};`
        : `import ${name}$ from ${JSON.stringify(pkg)};\nexport { ${name}$ as ${name} };`,
    )
    .join('\n')
    .concat('\n'),
);
try {
  await build({
    entryPoints: [entry],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
} finally {
  rmSync(entry, { force: true });
}
