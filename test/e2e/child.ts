import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A server child process (test/e2e/serve-child.ts under tsx) and its URL. */
export interface ServerChild {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/**
 * Start the server in a child process on a free loopback port with a file database.
 * @example const s = await startChild('/tmp/x.db'); s.child.kill('SIGKILL');
 */
export function startChild(
  db: string,
  demo = false,
  env: Record<string, string> = {},
): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/e2e/serve-child.ts', db, ...(demo ? ['--demo'] : [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`server child exited (${code}): ${err}`)));
  });
}

/** Wait for a child to exit. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Poll until `check` returns a value (not undefined), at most `tries` x `ms`. */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  tries = 1500,
  ms = 200,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, ms));
  }
  throw new Error('timed out waiting');
}
