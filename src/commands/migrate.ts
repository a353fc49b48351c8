import { parseConfig, readEnvironment } from '../config.js';
import { openDatabase } from '../storage/db.js';
import { type CommandIo, line } from './io.js';

export const MIGRATE_HELP = `leadloop migrate

Creates the database (DATABASE_PATH) if needed and applies every pending migration from drizzle/.
'leadloop start' does this by itself; run it alone before an upgrade to check the database first.`;

export async function migrateCommand(_args: string[], io: CommandIo): Promise<number> {
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');
  const db = openDatabase(config.databasePath);
  const applied = db.$client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
  db.$client.close();
  line(io.stdout, `Database ${config.databasePath} is up to date (${applied.n} migration(s) applied).`);
  return 0;
}
