/**
 * `npm run bench [-- NAME... [--flag...]]`: runs every bench/*.bench.ts in turn (or only the ones
 * named: `rstan`, `rstan.bench`, `bench/rstan.bench.ts` all mean the same file) with tsx, each as
 * its own child process, after printing the machine and the date. Arguments that start with `-` are
 * passed on to every bench script (for example `npm run bench -- rstan --rerun-rstan`).
 *
 * Benchmarks print figures; they never assert speed. A bench that exits non-zero is reported and
 * the others still run; the exit code is then 1.
 *
 * @example
 * // npm run bench                      (all benches)
 * // npm run bench -- rstan scale        (two of them)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The bench/ folder. */
export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = path.resolve(BENCH_DIR, '..');

/**
 * One line describing the machine: CPU model, core count, total memory, Node version, load.
 *
 * @example console.log(machineLine()); // "machine: AMD EPYC, 2 cores, 23.5 GiB, node v20.20.2, load 0.10 0.20 0.30"
 */
export function machineLine(): string {
  const cpus = os.cpus();
  const gib = os.totalmem() / 2 ** 30;
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  return `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${gib.toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.release()}, load ${load}`;
}

/**
 * Machine facts as an object (for JSON records).
 *
 * @example const m = machineInfo(); m.cores; // 2
 */
export function machineInfo(): {
  cpu: string;
  cores: number;
  memory_gib: number;
  node: string;
  os: string;
  loadavg: number[];
} {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.platform()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Print the header every bench script starts with: title, machine, date (UTC ISO). */
export function printHeader(title: string): void {
  console.log(`# ${title}`);
  console.log(machineLine());
  console.log(`date: ${new Date().toISOString()}`);
}

/**
 * Resolve bench names to files: `rstan` -> bench/rstan.bench.ts. With no names, every
 * bench/*.bench.ts in alphabetical order. Unknown names throw with the list of available ones.
 *
 * @example resolveBenches(['rstan'], ['rstan.bench.ts', 'scale.bench.ts']); // ['rstan.bench.ts']
 */
export function resolveBenches(names: readonly string[], available: readonly string[]): string[] {
  const sorted = [...available].filter((f) => f.endsWith('.bench.ts')).sort();
  if (names.length === 0) return sorted;
  return names.map((n) => {
    const base = path
      .basename(n)
      .replace(/\.ts$/, '')
      .replace(/\.bench$/, '');
    const file = `${base}.bench.ts`;
    if (!sorted.includes(file)) {
      throw new Error(`no bench named '${n}'; available: ${sorted.join(', ') || '(none)'}`);
    }
    return file;
  });
}

function main(argv: readonly string[]): number {
  const flags = argv.filter((a) => a.startsWith('-'));
  const names = argv.filter((a) => !a.startsWith('-'));
  let files: string[];
  try {
    files = resolveBenches(names, readdirSync(BENCH_DIR));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  printHeader(`npm run bench ${argv.join(' ')}`.trim());
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const runner = existsSync(tsx) ? tsx : 'npx';
  const failed: string[] = [];
  for (const file of files) {
    console.log(`\n## ${file}`);
    const t0 = performance.now();
    const args =
      runner === 'npx'
        ? ['tsx', path.join(BENCH_DIR, file), ...flags]
        : [path.join(BENCH_DIR, file), ...flags];
    const r = spawnSync(runner, args, { cwd: ROOT, stdio: 'inherit' });
    const secs = (performance.now() - t0) / 1000;
    const status = r.status ?? (r.signal ? `signal ${r.signal}` : 'unknown');
    console.log(`## ${file}: exit ${status} after ${secs.toFixed(1)} s`);
    if (r.status !== 0) failed.push(file);
  }
  if (failed.length > 0) {
    console.log(`\nbench: ${failed.length} of ${files.length} failed: ${failed.join(', ')}`);
    return 1;
  }
  console.log(`\nbench: ${files.length} bench script(s) done`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
