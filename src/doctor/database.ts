import { mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { MIGRATIONS_FOLDER } from '../storage/db.js';
import type { CheckResult } from './checks.js';

/**
 * Whether the bot will be able to write DATABASE_PATH, without changing anything: no file or
 * folder is created, nothing is migrated, and the test write is rolled back. This is the one
 * place outside src/storage/ with SQL, because it must not open the database the way the bot
 * does (openDatabase creates and migrates).
 */

const NAME = 'Database';
const BUSY_TIMEOUT_MS = 5_000;

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? e.code : String(e?.message ?? error);
}

/** The deepest part of `path` that exists: where the bot's mkdir -p would start creating folders. */
function nearestExisting(path: string): { path: string; isDirectory: boolean } {
  let current = path;
  for (;;) {
    try {
      return { path: current, isDirectory: statSync(current).isDirectory() };
    } catch (error) {
      const parent = dirname(current);
      // ENOTDIR: a file stands where a folder should be; the walk up finds it.
      if (!['ENOENT', 'ENOTDIR'].includes(errorCode(error)) || parent === current) throw error;
      current = parent;
    }
  }
}

/** Creates and removes an empty folder: the one test of "can create files here" that root cannot skip past. */
function folderWritable(folder: string): string | undefined {
  try {
    rmdirSync(mkdtempSync(join(folder, '.leadloop-doctor-')));
    return undefined;
  } catch (error) {
    return errorCode(error);
  }
}

const MAKE_WRITABLE = (what: string) =>
  `make ${what} writable by the user that runs Leadloop, or set DATABASE_PATH to a file in a writable folder (e.g. ./data/leadloop.db)`;

/** Migrations in drizzle/ that the database has not had yet; all of them for an empty file. */
function pendingMigrations(db: Database.Database, migrationsFolder: string): number {
  const migrations = readMigrationFiles({ migrationsFolder });
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return migrations.length;
  const last = db.prepare('SELECT max(created_at) AS at FROM __drizzle_migrations').get() as {
    at: number | string | null;
  };
  // drizzle's migrator applies every migration newer than the latest one recorded.
  return migrations.filter((m) => last.at === null || Number(last.at) < m.folderMillis).length;
}

function probeExistingFile(file: string, migrationsFolder: string): CheckResult {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    return {
      name: NAME,
      status: 'fail',
      detail: `cannot open ${file} (${errorCode(error)}: ${(error as Error).message})`,
      fix: MAKE_WRITABLE('the file and its folder'),
    };
  }
  try {
    // BEGIN IMMEDIATE takes the write lock, and the table is never committed: a real write that
    // leaves the file as it was. A bot running at the same time only makes this wait briefly.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec('CREATE TABLE leadloop_doctor_probe (x INTEGER)');
    } finally {
      db.exec('ROLLBACK');
    }
    let pending: number;
    try {
      pending = pendingMigrations(db, migrationsFolder);
    } catch (error) {
      // The write worked; only this installation's drizzle/ folder could not be read.
      return {
        name: NAME,
        status: 'warn',
        detail: `${file} is writable, but whether migrations are pending is unknown (${(error as Error).message})`,
        fix: 'reinstall Leadloop so that its drizzle/ folder is complete',
      };
    }
    return {
      name: NAME,
      status: 'ok',
      detail:
        pending === 0
          ? `${file} is writable and up to date`
          : `${file} is writable; ${pending} migration(s) pending, applied by leadloop start (or leadloop migrate)`,
    };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'SQLITE_NOTADB') {
      return {
        name: NAME,
        status: 'fail',
        detail: `${file} is not a SQLite database`,
        fix: 'point DATABASE_PATH at Leadloop’s database, or at a new file (e.g. ./data/leadloop.db)',
      };
    }
    if (code === 'SQLITE_BUSY') {
      return {
        name: NAME,
        status: 'fail',
        detail: `${file} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000} s`,
        fix: 'stop whatever holds a long write on it (a sqlite3 shell with an open transaction?) and run doctor again',
      };
    }
    return {
      name: NAME,
      status: 'fail',
      detail: `cannot write ${file} (${code}: ${(error as Error).message})`,
      fix: MAKE_WRITABLE('the file and its folder'),
    };
  } finally {
    db.close();
  }
}

export function checkDatabase(path: string, migrationsFolder: string = MIGRATIONS_FOLDER): CheckResult {
  if (path === ':memory:') {
    return {
      name: NAME,
      status: 'warn',
      detail: 'DATABASE_PATH is :memory:, so every lead and decision is lost when the bot stops',
      fix: 'set DATABASE_PATH to a file, e.g. ./data/leadloop.db',
    };
  }
  // Relative paths resolve as openDatabase resolves them: against the working directory.
  const file = resolve(path);
  let existing: { path: string; isDirectory: boolean };
  try {
    existing = nearestExisting(file);
  } catch (error) {
    return {
      name: NAME,
      status: 'fail',
      detail: `cannot look at ${file} (${errorCode(error)})`,
      fix: MAKE_WRITABLE('its folder'),
    };
  }
  if (existing.path === file) {
    if (existing.isDirectory) {
      return {
        name: NAME,
        status: 'fail',
        detail: `${file} is a folder, not a database file`,
        fix: `set DATABASE_PATH to a file inside it, e.g. ${join(path, 'leadloop.db')}`,
      };
    }
    // SQLite creates its -wal and -shm files next to the database, so the folder must be writable too.
    const folderProblem = folderWritable(dirname(file));
    if (folderProblem) {
      return {
        name: NAME,
        status: 'fail',
        detail: `the folder of ${file} is not writable (${folderProblem}); SQLite needs to create files next to the database`,
        fix: MAKE_WRITABLE(dirname(file)),
      };
    }
    return probeExistingFile(file, migrationsFolder);
  }
  if (!existing.isDirectory) {
    return {
      name: NAME,
      status: 'fail',
      detail: `cannot create ${file}: ${existing.path} is a file, not a folder`,
      fix: 'set DATABASE_PATH to a file in a writable folder, e.g. ./data/leadloop.db',
    };
  }
  const problem = folderWritable(existing.path);
  if (problem) {
    return {
      name: NAME,
      status: 'fail',
      detail: `cannot create ${file}: ${existing.path} is not writable (${problem})`,
      fix: MAKE_WRITABLE(existing.path),
    };
  }
  return {
    name: NAME,
    status: 'ok',
    detail: `${file} does not exist yet; leadloop start (or leadloop migrate) will create it`,
  };
}
