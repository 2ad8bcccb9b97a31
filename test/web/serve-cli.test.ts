import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bb-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `bayesbench serve ARGS` (tsx on the sources), killed after `ms` if it has not exited. */
function serve(args: string[], env: Record<string, string> = {}, ms = 60_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>(
    (resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args],
        {
          cwd: ROOT,
          env: { ...process.env, BAYESBENCH_TOKEN: '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, ms);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, killed });
      });
    },
  );
}

describe('bayesbench serve (spawned)', () => {
  it('a port in use is one line naming the port and exit 2, nothing stored', async () => {
    const held: Server = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', () => r()));
    const port = (held.address() as { port: number }).port;
    const db = join(dir, 'inuse.db');
    try {
      const r = await serve(['--port', String(port), '--db', db]);
      expect(r.killed).toBe(false);
      expect(r.code).toBe(2);
      expect(r.stdout).not.toContain('serving');
      expect(r.stderr).toBe(
        `bayesbench: --port ${port}: the port is in use on 127.0.0.1 (try another --port)\n`,
      );
      // The database is not even created (the port is bound before it is opened).
      expect(existsSync(db)).toBe(false);
    } finally {
      await new Promise<void>((r) => held.close(() => r()));
    }
  }, 90_000);

  it('a token shorter than 16 characters is refused: one line, exit 2', async () => {
    const db = join(dir, 'short.db');
    const r = await serve(['--port', '0', '--db', db], { BAYESBENCH_TOKEN: 'abc' });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'bayesbench: --token: at least 16 characters (got 3); e.g. openssl rand -hex 16\n',
    );
    expect(existsSync(db)).toBe(false);
  }, 90_000);
});
