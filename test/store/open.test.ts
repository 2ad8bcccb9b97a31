import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseError } from '../../src/errors.js';
import { openStore, SCHEMA_VERSION } from '../../src/store/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-open-'));
  dirs.push(dir);
  return dir;
}

/** The DatabaseError openStore throws for a path (fails the test when it opens). */
function refusal(path: string): DatabaseError {
  try {
    openStore(path).close();
  } catch (err) {
    expect(err).toBeInstanceOf(DatabaseError);
    return err as DatabaseError;
  }
  throw new Error(`openStore(${path}) opened`);
}

/** A store file with one dataset of `bytes` bytes, closed (WAL checkpointed into the file). */
function storeFile(dir: string, bytes = 200_000): string {
  const path = join(dir, 'x.db');
  const store = openStore(path);
  store.addDataset({
    name: 'd.csv',
    csv: new Uint8Array(bytes).fill(7),
    summary: { rows: 0, columns: [] },
  });
  store.close();
  return path;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('openStore refuses unusable database files, naming them', () => {
  it('a directory', () => {
    const dir = tempDir();
    expect(refusal(dir).message).toBe(
      `${dir}: is a directory, not a database file: give --db the path of a file`,
    );
  });

  it('a path that cannot be opened (its folder does not exist, or is a file)', () => {
    const dir = tempDir();
    const missing = join(dir, 'no', 'such', 'x.db');
    expect(refusal(missing).message).toMatch(
      new RegExp(
        `^${missing}: cannot open the database file for reading and writing \\(.+\\): check the path and its permissions, or give --db another file$`,
      ),
    );
    writeFileSync(join(dir, 'plain'), 'x');
    expect(refusal(join(dir, 'plain', 'x.db')).message).toMatch(
      /plain\/x\.db: cannot open the database file/,
    );
  });

  it('a file that is not a database, untouched', () => {
    const path = join(tempDir(), 'notes.db');
    writeFileSync(path, 'heuristic,task,score\n'.repeat(500));
    const before = sha(path);
    expect(refusal(path).message).toMatch(
      new RegExp(
        `^${path}: the database file is corrupt \\(file is not a database\\): restore it from a backup, or give --db another file$`,
      ),
    );
    expect(sha(path)).toBe(before);
  });

  it('a database whose pages were damaged (quick_check fails)', () => {
    const dir = tempDir();
    const path = storeFile(dir);
    const bytes = readFileSync(path);
    // Overwrite pages 2.. (4096-byte pages) with noise; page 1 (header and schema) stays valid.
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
    writeFileSync(path, bytes);
    expect(refusal(path).message).toMatch(
      new RegExp(
        `^${path}: the database file is corrupt \\(Tree \\d+ page \\d+: [^\\n]+, and \\d+ more problems\\): restore it from a backup, or give --db another file$`,
      ),
    );
  });

  it('a newer schema: refused, and the file is not written (not even switched to WAL)', () => {
    const path = join(tempDir(), 'new.db');
    const db = new Database(path);
    db.exec('CREATE TABLE future (x)');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = sha(path);
    expect(refusal(path).message).toBe(
      `${path}: the database was written by a newer bayesbench (schema ${SCHEMA_VERSION + 1}; this one knows up to ${SCHEMA_VERSION}) and is left untouched: upgrade bayesbench, or give --db another file`,
    );
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('opens a good file again, and creates a new one in an existing folder', () => {
    const dir = tempDir();
    const path = storeFile(dir);
    const store = openStore(path);
    expect(store.listDatasets()).toHaveLength(1);
    store.close();
    mkdirSync(join(dir, 'sub'));
    const fresh = openStore(join(dir, 'sub', 'new.db'));
    expect(fresh.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    fresh.close();
  });
});
