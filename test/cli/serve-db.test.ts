import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bb-serve-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bayesbench serve --db <db>` from the sources; killed after 60 s (it should exit at once). */
function serve(db: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--db', db, '--port', '0', '--no-demo'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('bayesbench serve --db with a database it cannot use', () => {
  // Each case starts node with tsx (a few seconds on a busy 2-core machine).
  it('exits 2 with one line naming the file: a directory, a missing folder', {
    timeout: 120_000,
  }, async () => {
    const missing = join(dir, 'nope', 'x.db');
    const [a, b] = await Promise.all([serve(dir), serve(missing)]);
    expect(a).toEqual({
      code: 2,
      stdout: '',
      stderr: `bayesbench: ${dir}: is a directory, not a database file: give --db the path of a file\n`,
    });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(
      new RegExp(
        `^bayesbench: ${missing}: cannot open the database file for reading and writing \\(.+\\): check the path and its permissions, or give --db another file\\n$`,
      ),
    );
  });

  it('exits 2 for a corrupt file and for a newer schema', { timeout: 120_000 }, async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database\n'.repeat(400));
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const [a, b] = await Promise.all([serve(junk), serve(newer)]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      `bayesbench: ${junk}: the database file is corrupt (file is not a database): restore it from a backup, or give --db another file\n`,
    );
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      `bayesbench: ${newer}: the database was written by a newer bayesbench (schema ${SCHEMA_VERSION + 5}; this one knows up to ${SCHEMA_VERSION}) and is left untouched: upgrade bayesbench, or give --db another file\n`,
    );
  });
});
