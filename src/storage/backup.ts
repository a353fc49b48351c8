import { closeSync, fsyncSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { DatabaseFileError } from '../errors.js';
import { MIGRATIONS_FOLDER } from './db.js';
import { LEASE_KEY } from './lease.js';

/**
 * Whole database files: SQLite's online backup, checking a copy, and taking the database out of
 * use for a restore. These work below drizzle, on files that may be old, foreign or damaged, and
 * never migrate what they open.
 */

export interface DatabaseFileInfo {
  bytes: number;
  leads: number;
  migrations: {
    /** Migrations recorded in the file. */
    applied: number;
    /** Migrations this version of Leadloop ships. */
    known: number;
    /** This version's migrations the file lacks: the next start applies them. */
    pending: number;
    /** The file was migrated by a newer Leadloop than this one. */
    newer: boolean;
  };
}

/**
 * Copies the database at `source` to `destination` with SQLite's online backup API, page by
 * page, while other connections (a running bot) keep reading and writing. A write by another
 * connection restarts the copy, so every restart makes the steps bigger: under constant writes
 * the copy ends in one step, a single read transaction that in WAL mode blocks no writer.
 */
export async function copyDatabaseOnline(
  source: string,
  destination: string,
  onProgress: (copied: number, total: number) => void,
): Promise<void> {
  const db = openExisting(source, 'the database');
  try {
    let pagesPerStep = 0;
    let lastRemaining = Number.POSITIVE_INFINITY;
    await db.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        if (pagesPerStep === 0) pagesPerStep = Math.max(100, Math.ceil(totalPages / 100));
        else if (remainingPages > lastRemaining) pagesPerStep *= 4;
        lastRemaining = remainingPages;
        onProgress(totalPages - remainingPages, totalPages);
        return pagesPerStep;
      },
    });
  } catch (error) {
    throw fileError(error, `Backing up to ${destination} failed`);
  } finally {
    db.close();
  }
}

/**
 * Checks a database file (a fresh backup, or one about to be restored): that it is SQLite, whole
 * (PRAGMA integrity_check), and Leadloop's; what it holds and how far it is migrated. Leaves it
 * in rollback-journal mode, so it is one self-contained file (the bot turns WAL back on), and
 * without the instance lease a running bot held when it was copied: the bot that will run on
 * this file is not that one (docs/decisions/0008). `label` names the file in messages. Only ever
 * called on a copy made by the caller.
 */
export function checkDatabaseFile(path: string, label: string): DatabaseFileInfo {
  const db = openExisting(path, label);
  try {
    let lines: string[];
    try {
      db.pragma('journal_mode = DELETE');
      lines = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (row) => row.integrity_check,
      );
    } catch (error) {
      throw fileError(error, `Cannot read ${label}`);
    }
    if (lines.length !== 1 || lines[0] !== 'ok') {
      throw new DatabaseFileError(
        `${label} is damaged (integrity check: ${lines.slice(0, 3).join('; ')}). Use another backup.`,
      );
    }
    const tables = new Set(
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[],
    );
    if (!tables.has('leads') || !tables.has('__drizzle_migrations')) {
      throw new DatabaseFileError(
        `${label} is a SQLite database but not Leadloop's (it has no leads or migrations table). Check the file name.`,
      );
    }
    if (tables.has('app_meta')) db.prepare('DELETE FROM app_meta WHERE key = ?').run(LEASE_KEY);
    const applied = db.prepare('SELECT created_at FROM __drizzle_migrations').pluck().all() as number[];
    const known = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
    const latestApplied = Math.max(0, ...applied.map(Number));
    const latestKnown = Math.max(0, ...known.map((m) => m.folderMillis));
    const leads = db.prepare('SELECT count(*) FROM leads').pluck().get() as number;
    return {
      bytes: statSync(path).size,
      leads,
      migrations: {
        applied: applied.length,
        known: known.length,
        pending: known.filter((m) => m.folderMillis > latestApplied).length,
        newer: latestApplied > latestKnown,
      },
    };
  } finally {
    db.close();
  }
}

/**
 * Makes sure no other connection has the database open, and leaves it as one self-contained file
 * (its write-ahead log checkpointed into it and removed). Leaving WAL mode needs the only
 * connection, so this fails at once while a bot (or any other program) has the file open.
 * A file that is not a readable database is left as it is: a restore is how one replaces it.
 */
export function takeDatabaseOffline(path: string): void {
  const db = openExisting(path, 'the current database');
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new DatabaseFileError(
        `The database ${path} is in use (is the bot running?). Stop the bot, then run leadloop restore again.`,
      );
    }
    throw fileError(error, `Cannot take ${path} out of use`);
  } finally {
    db.close();
  }
}

/** Flushes a file (or a folder, after a rename in it) to disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function openExisting(path: string, label: string): Database.Database {
  try {
    const db = new Database(path, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (error) {
    throw fileError(error, `Cannot open ${label} at ${path}`);
  }
}

/** One line for a failed file operation: what failed, why in words, and what to do. */
export function fileError(error: unknown, what: string): DatabaseFileError {
  if (error instanceof DatabaseFileError) return error;
  const code = String((error as { code?: unknown })?.code ?? '');
  const why: Record<string, string> = {
    SQLITE_FULL: 'the disk is full; free some space or choose another disk',
    ENOSPC: 'the disk is full; free some space or choose another disk',
    SQLITE_CANTOPEN: 'the file cannot be opened or created; check that the folder exists and is writable',
    EACCES: 'permission denied; check that the user running leadloop may write there',
    EPERM: 'permission denied; check that the user running leadloop may write there',
    EROFS: 'the disk is read-only; choose another place',
    SQLITE_READONLY: 'the file or its folder is read-only; check permissions',
    SQLITE_NOTADB: 'it is not a SQLite database; check the file name',
    SQLITE_CORRUPT: 'the file is damaged; use another backup',
    SQLITE_BUSY: 'the database stayed locked; try again in a moment',
    ENOENT: 'no such file or folder; check the path',
  };
  const reason = why[code] ?? (error as Error)?.message ?? String(error);
  return new DatabaseFileError(`${what}: ${reason}.`, { cause: error });
}
