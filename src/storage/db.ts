import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { databaseProblem } from './dbErrors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** drizzle/ sits at the package root, two levels above this file in both src/ and dist/. */
export const MIGRATIONS_FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/**
 * Opens (creating its folder if needed) and migrates the SQLite database.
 *
 * WAL lets readers (stats, /healthz) run while the poster writes. synchronous=FULL makes every
 * commit survive power loss, not only a killed process: a 202 from POST /leads promises the lead
 * is stored. busy_timeout covers a CLI command (import, migrate) writing at the same time; the
 * running bot passes a short one (src/storage/availability.ts) and waits for locks on a timer.
 */
export function openDatabase(path: string, options: { migrate?: boolean; busyTimeoutMs?: number } = {}): Db {
  let client: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    client = new Database(path);
    client.pragma('journal_mode = WAL');
    client.pragma('synchronous = FULL');
    client.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    client.pragma('foreign_keys = ON');
    const db = drizzle({ client, schema });
    // A second connection of a process that migrated already (the stats thread) skips it.
    if (options.migrate ?? true) migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return db;
  } catch (error) {
    client?.close();
    throw databaseProblem(path, error);
  }
}
