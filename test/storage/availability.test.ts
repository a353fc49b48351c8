import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../../src/errors.js';
import { BUSY_TIMEOUT_MS, retryWhileBusy } from '../../src/storage/availability.js';
import { tempDir } from '../harness/app.js';

let dir: { dir: string; cleanup: () => void };
let ours: Database.Database;
let theirs: Database.Database;
beforeEach(() => {
  dir = tempDir();
  const path = join(dir.dir, 'db.sqlite');
  ours = new Database(path);
  ours.pragma('journal_mode = WAL');
  ours.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  theirs = new Database(path);
  // Another process's write lock, as a backup or an import holds it.
  theirs.exec('BEGIN IMMEDIATE');
});
afterEach(() => {
  if (theirs.inTransaction) theirs.exec('ROLLBACK');
  theirs.close();
  ours.close();
  dir.cleanup();
});

const busyTimeout = () => ours.pragma('busy_timeout', { simple: true });
const takeWriteLock = () => {
  ours.exec('BEGIN IMMEDIATE');
  ours.exec('ROLLBACK');
};

describe('retryWhileBusy', () => {
  it('waits inside SQLite on the first attempt only: its retries do not block the thread, and the busy timeout is restored', async () => {
    const seen: unknown[] = [];
    const written = await retryWhileBusy(
      () => {
        seen.push(busyTimeout());
        if (seen.length === 3) theirs.exec('ROLLBACK');
        takeWriteLock();
        return 'written';
      },
      { client: ours },
    );
    expect(written).toBe('written');
    expect(seen).toEqual([BUSY_TIMEOUT_MS, 0, 0]);
    expect(busyTimeout()).toBe(BUSY_TIMEOUT_MS);
  });

  it('past its deadline fails as storage unavailable, the busy timeout restored', async () => {
    const failed = retryWhileBusy(takeWriteLock, { client: ours, deadlineMs: 100 });
    await expect(failed).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(failed).rejects.toThrow(/locked by another process/);
    expect(busyTimeout()).toBe(BUSY_TIMEOUT_MS);
  });
});
