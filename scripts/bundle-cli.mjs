/**
 * Build step after `tsc` and bundle-stdlib: bundle the command line (OUT_DIR/src/cli/main.js and the
 * modules it imports, the commands' lazy imports as chunks under OUT_DIR/src/cli/chunks) with
 * esbuild, in place of the compiled main.js, so that a `bayesbench` process loads a few files
 * instead of ~200 small modules. Resolving and loading those one by one costs CPU at the start of
 * every command (Node 20 has no module compile cache; BENCHMARKS.md §12.3).
 *
 * The rest of the compiled tree stays as it is: the library's entry points, the sampler's worker
 * thread, the model's rebuild module and the summary's module task load it as before. A bundled
 * module whose code reads `import.meta.url` (to find a worker file, name itself to a worker thread,
 * or find the web app's files) gets the URL of its own compiled file, so it names the same files it
 * named unbundled. Packages from node_modules are not bundled (better-sqlite3 is native).
 *
 * Usage: node scripts/bundle-cli.mjs [OUT_DIR]   (default dist; `npm run build` runs it)
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outDir = path.resolve(process.argv[2] ?? 'dist');
const cliDir = path.join(outDir, 'src', 'cli');
const entry = path.join(cliDir, 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`bundle-cli: ${entry} not found (run tsc first)\n`);
  process.exit(1);
}
if (readFileSync(entry, 'utf8').includes('./chunks/')) {
  process.stderr.write(`bundle-cli: ${entry} is already a bundle (run tsc first)\n`);
  process.exit(1);
}
rmSync(path.join(cliDir, 'chunks'), { recursive: true, force: true });

/**
 * Each compiled module's `import.meta.url` as the URL of its own file: the path from the CLI's
 * directory, resolved against that directory's URL (main.js is in it, the chunks one level down).
 */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes('import.meta.url')) return undefined;
      const rel = path.relative(cliDir, args.path).split(path.sep).join('/');
      const own = `new URL(${JSON.stringify(rel)}, import.meta.url.replace(/(\\/chunks)?\\/[^/]*$/, '/')).href`;
      return { contents: code.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

await build({
  entryPoints: [entry],
  outdir: cliDir,
  allowOverwrite: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [ownUrl],
});
const chunks = readdirSync(path.join(cliDir, 'chunks')).filter((f) => f.endsWith('.js')).length;
process.stdout.write(`bundle-cli: ${entry} and ${chunks} chunks\n`);
