import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { parseConfig, readEnvironment } from '../config.js';
import { DatabaseFileError, UsageError } from '../errors.js';
import {
  checkDatabaseFile,
  copyDatabaseOnline,
  type DatabaseFileInfo,
  fileError,
  fsyncPath,
} from '../storage/backup.js';
import { type CommandIo, line } from './io.js';

export const BACKUP_HELP = `leadloop backup <file> [--force]

Copies the database (DATABASE_PATH) to <file> with SQLite's online backup: safe while the bot
runs and writes. The copy is written under a temporary name and renamed only once complete and
checked (PRAGMA integrity_check), so a file with the backup's name is always a whole backup.
Prints its size, its number of leads and its migration level. A progress bar shows on large
databases.

  --force   replace <file> if it exists (without it, an existing file is never overwritten)

Restore it with: leadloop restore <file>. A backup holds personal data: keep it as safe as the
database, and no longer than RETENTION_DAYS if you set it.`;

/** Databases smaller than this copy in a blink: no progress bar. */
const PROGRESS_BAR_PAGES = 5_000;

export async function backupCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (positionals.length !== 1 || file === undefined) {
    throw new UsageError('Name one backup file, e.g. leadloop backup backups/leadloop-2026-11-25.db');
  }
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');
  if (config.databasePath === ':memory:') {
    throw new DatabaseFileError(
      'DATABASE_PATH is :memory:, which has nothing to back up: set it to the bot’s file.',
    );
  }
  const source = resolve(io.cwd, config.databasePath);
  const destination = resolve(io.cwd, file);
  if (!existsSync(source)) {
    throw new DatabaseFileError(
      `No database at ${source}: check DATABASE_PATH (the bot creates the file when it first starts).`,
    );
  }
  if (destination === source) {
    throw new UsageError('The backup must be another file than the database itself.');
  }
  if (existsSync(destination) && !values.force) {
    throw new DatabaseFileError(
      `${destination} already exists: choose another name, or add --force to replace it.`,
    );
  }
  const folder = dirname(destination);
  if (!existsSync(folder)) {
    throw new DatabaseFileError(`The folder ${folder} does not exist: create it first (mkdir -p ${folder}).`);
  }
  if (!statSync(folder).isDirectory()) {
    throw new DatabaseFileError(`${folder} is a file, not a folder: choose a backup path inside a folder.`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw fileError(error, `Cannot write the backup in ${folder}`);
  }

  // Same folder as the destination, so the final rename is atomic.
  const partial = join(folder, `.${basename(destination)}.partial-${randomBytes(4).toString('hex')}`);
  let bar: SingleBar | undefined;
  let info: DatabaseFileInfo;
  try {
    await copyDatabaseOnline(source, partial, (copied, total) => {
      if (bar === undefined && total >= PROGRESS_BAR_PAGES) {
        bar = new SingleBar({
          stream: io.stderr,
          format: 'Backing up [{bar}] {percentage}% | {value}/{total} pages',
          hideCursor: true,
          clearOnComplete: false,
        });
        bar.start(total, copied);
      }
      bar?.setTotal(total);
      bar?.update(copied);
    });
    bar?.update(bar.getTotal());
    bar?.stop();
    info = checkDatabaseFile(partial, 'The backup');
    fsyncPath(partial);
    renameSync(partial, destination);
    fsyncPath(folder);
  } catch (error) {
    bar?.stop();
    rmSync(partial, { force: true });
    throw fileError(error, `Backing up to ${destination} failed`);
  }
  line(
    io.stdout,
    `Backed up ${source} to ${destination}: ${formatBytes(info.bytes)}, ${info.leads} lead(s), migration level ${info.migrations.applied} of ${info.migrations.known}; integrity check ok.`,
  );
  return 0;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
