import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Clock } from '../clock.js';
import { parseConfig, readEnvironment } from '../config.js';
import { DatabaseFileError, UsageError } from '../errors.js';
import {
  checkDatabaseFile,
  type DatabaseFileInfo,
  fileError,
  fsyncPath,
  takeDatabaseOffline,
} from '../storage/backup.js';
import { formatBytes } from './backup.js';
import { type CommandIo, line } from './io.js';

export const RESTORE_HELP = `leadloop restore <file>

Replaces the database (DATABASE_PATH) with the backup <file>. Stop the bot first: restore
refuses while the bot (or any program) has the database open.

Before anything is replaced, a copy of the backup is checked: that it is a SQLite database, whole
(PRAGMA integrity_check), Leadloop's, and not migrated by a newer Leadloop than this one. Then the
current database is kept aside as <DATABASE_PATH>.before-restore-<time>, the checked copy is
renamed into place, and the old database's -wal and -shm files are removed. The next start
applies any migration the backup lacks.

To undo a restore, restore the .before-restore file the same way.`;

export async function restoreCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const file = positionals[0];
  if (positionals.length !== 1 || file === undefined) {
    throw new UsageError(
      'Name one backup file to restore, e.g. leadloop restore backups/leadloop-2026-11-25.db',
    );
  }
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');
  if (config.databasePath === ':memory:') {
    throw new DatabaseFileError(
      'DATABASE_PATH is :memory:, which cannot be restored into: set it to the bot’s file.',
    );
  }
  const backup = resolve(io.cwd, file);
  const target = resolve(io.cwd, config.databasePath);
  if (!existsSync(backup) || !statSync(backup).isFile()) {
    throw new DatabaseFileError(`No backup file at ${backup}: check the path.`);
  }
  if (backup === target) {
    throw new UsageError('That file is the database itself (DATABASE_PATH): name a backup file.');
  }
  if (existsSync(`${backup}-wal`) && statSync(`${backup}-wal`).size > 0) {
    throw new DatabaseFileError(
      `${backup} has a write-ahead log beside it (${basename(backup)}-wal): it is a database in use, not a backup. Make a backup of it with leadloop backup and restore that.`,
    );
  }

  const folder = dirname(target);
  // A checked copy next to the target, so that putting it in place is one atomic rename.
  const incoming = join(folder, `.${basename(target)}.restoring-${randomBytes(4).toString('hex')}`);
  let info: DatabaseFileInfo;
  try {
    mkdirSync(folder, { recursive: true });
    copyFileSync(backup, incoming);
    info = checkDatabaseFile(incoming, backup);
    if (info.migrations.newer) {
      throw new DatabaseFileError(
        `${backup} was made by a newer Leadloop (it has migrations this version does not know): upgrade Leadloop first, then restore.`,
      );
    }
    fsyncPath(incoming);
  } catch (error) {
    rmSync(incoming, { force: true });
    throw fileError(error, `Cannot restore ${backup}`);
  }

  let aside: string | undefined;
  try {
    if (existsSync(target)) {
      takeDatabaseOffline(target);
      aside = `${target}.before-restore-${stamp(clock.now())}`;
      renameSync(target, aside);
    }
    // Whatever is left of the replaced database's log would be applied to the restored file.
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
    renameSync(incoming, target);
    fsyncPath(folder);
  } catch (error) {
    rmSync(incoming, { force: true });
    const kept =
      aside && !existsSync(target)
        ? ` (the database it was replacing is at ${aside}; rename it back to ${target})`
        : '';
    throw fileError(error, `Cannot restore ${backup}${kept}`);
  }

  line(
    io.stdout,
    `Restored ${backup} to ${target}: ${formatBytes(info.bytes)}, ${info.leads} lead(s), migration level ${info.migrations.applied} of ${info.migrations.known}.`,
  );
  if (aside) line(io.stdout, `The database it replaced is kept as ${aside}.`);
  if (info.migrations.pending > 0) {
    line(
      io.stdout,
      `The next start (or leadloop migrate) applies the ${info.migrations.pending} newer migration(s).`,
    );
  }
  return 0;
}

/** A file-name-safe UTC time: 2026-11-25T120000Z. */
function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '');
}
