/**
 * Build step after `tsc`: bundle OUT_DIR/src/math/stdlib.js (the compiled re-export of the @stdlib
 * functions bayesbench uses) into one ES module with esbuild, in place.
 *
 * Why: each @stdlib package is a tree of small CommonJS files (~700 for the five functions), and
 * resolving them cost 0.3-0.5 s at the start of every process and every sampler worker thread
 * (BENCHMARKS.md section 1). The bundle holds the packages' own code, unchanged; `require` is
 * provided for the few Node built-ins they load (tty, util, fs, net through `debug`).
 *
 * Usage: node scripts/bundle-stdlib.mjs [OUT_DIR]   (default dist; `npm run build` runs it)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outDir = process.argv[2] ?? 'dist';
const file = path.join(outDir, 'src', 'math', 'stdlib.js');
if (!existsSync(file)) {
  process.stderr.write(`bundle-stdlib: ${file} not found (run tsc first)\n`);
  process.exit(1);
}
await build({
  entryPoints: [file],
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
