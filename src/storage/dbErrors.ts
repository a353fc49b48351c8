import { basename } from 'node:path';
import { DatabaseOpenError } from '../errors.js';

/**
 * What a problem with the database file means for the person starting Leadloop, as one line:
 * what is wrong with which file and what to do. SQLite's and Node's error codes say which
 * problem it is (better-sqlite3 reports extended codes such as SQLITE_READONLY_DBMOVED, hence the
 * prefixes). Anything else (a bug, a bad migration) is returned as it is, to be seen in full.
 */
export function databaseProblem(path: string, error: unknown): unknown {
  const code = String((error as { code?: unknown })?.code ?? '');
  const said = `(${code}: ${String((error as Error)?.message ?? error).replace(/\s+/g, ' ')})`;
  const sidecars = `${basename(path)}-wal and ${basename(path)}-shm`;
  const message = ((): string | undefined => {
    if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT'))
      return `The database ${path} is damaged or is not a SQLite database ${said}. Restore the last backup (leadloop restore <backup file>), or move the file away to start with an empty database.`;
    if (code.startsWith('SQLITE_READONLY'))
      return `The database ${path} is read-only for the user running Leadloop ${said}. Make the file, ${sidecars} beside it and its folder writable by that user (e.g. chown leadloop ${path}), or set DATABASE_PATH to a writable place.`;
    if (
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_PERM') ||
      code === 'EACCES' ||
      code === 'EPERM'
    )
      return `Cannot open the database ${path} ${said}. DATABASE_PATH must name a file (not a folder) that the user running Leadloop can read and write, in a folder it can write (SQLite keeps ${sidecars} there).`;
    if (code === 'ENOTDIR' || code === 'EEXIST')
      return `Cannot create the folder of the database ${path} ${said}: a file stands where a folder should be. Set DATABASE_PATH to a file in a writable folder (e.g. ./data/leadloop.db).`;
    if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC')
      return `The disk holding the database ${path} is full ${said}. Free some space, then start Leadloop again.`;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
      return `The database ${path} is locked by another program ${said}. Wait for it or stop it (a long import, an open sqlite3 shell), then start Leadloop again.`;
    if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'EROFS')
      return `Reading or writing the database ${path} failed ${said}. Check the disk and how it is mounted (read-only, network share), then start Leadloop again.`;
    return undefined;
  })();
  return message === undefined ? error : new DatabaseOpenError(message, { cause: error });
}
