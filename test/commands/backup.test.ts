import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { lead, startTestBot, type TestBot, tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';
import { DAY, historicalLeads, MINUTE } from '../harness/fixtures.js';

/** How many migrations this version has: a fresh database is at this level. */
const MIGRATIONS = (
  JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;

/*
 * leadloop backup and restore on real files: a real bot taking POST /leads traffic while the
 * backup runs, then the backup restored in place of its database and the bot started on it.
 */

let temp: ReturnType<typeof tempDir>;

beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.cleanup());

const leadloop = (databasePath: string, ...argv: string[]) =>
  runLeadloop(argv, { DATABASE_PATH: databasePath }, temp.dir);

function leadIds(path: string): number[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id FROM leads ORDER BY id').pluck().all() as number[];
  } finally {
    db.close();
  }
}

/** A migrated database with `n` posted leads spread over the last 20 days. */
function seededDatabase(path: string, n: number): void {
  const db = openDatabase(path);
  try {
    const now = Date.now();
    new Store(db).insertHistory(
      historicalLeads(
        Array.from({ length: n }, (_, i) => ({
          campaign: `Campaign ${i % 7}`,
          source: 'webinar',
          postedAt: now - 20 * DAY + i * MINUTE,
          decisions:
            i % 3 === 0 ? [{ user: 'U0ANNA0001', verdict: 'accept' as const, after: 5 * MINUTE }] : [],
        })),
      ),
    );
  } finally {
    db.$client.close();
  }
}

describe('leadloop backup and restore', () => {
  let harness: TestBot | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('backs up a running bot under ingest with every acknowledged lead, and restores it in place', async () => {
    harness = await startTestBot();
    const bot = harness;
    // Enough pages that the backup takes many steps, with ingest writing between them.
    bot.bot.store.insertHistory(
      historicalLeads(
        Array.from({ length: 20_000 }, (_, i) => ({
          campaign: `Campaign ${i % 7}`,
          postedAt: Date.now() - 30 * DAY + i * MINUTE,
        })),
      ),
    );

    const acknowledged: number[] = [];
    let ingesting = true;
    const sender = async (worker: number) => {
      for (let i = 0; ingesting; i += 1) {
        const res = await bot.ingest(lead({ externalId: `w${worker}-${i}`, name: `Lead ${worker}-${i}` }));
        expect(res.status).toBe(202);
        const body = (await res.json()) as { results: { id: string }[] };
        acknowledged.push(Number(body.results[0]?.id));
      }
    };
    const senders = [sender(1), sender(2), sender(3)];
    while (acknowledged.length < 30) await new Promise((resolve) => setTimeout(resolve, 5));

    const backupFile = join(temp.dir, 'backups', 'leadloop-backup.db');
    mkdirSync(join(temp.dir, 'backups'));
    const ackedBeforeBackup = [...acknowledged];
    const backup = await leadloop(bot.databasePath, 'backup', backupFile);
    const ackedDuringBackup = acknowledged.length - ackedBeforeBackup.length;
    ingesting = false;
    await Promise.all(senders);

    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      /^Backed up .+leadloop\.db to .+leadloop-backup\.db: [\d.]+ MB, \d+ lead\(s\), migration level (\d+) of \1; integrity check ok\.\n$/,
    );
    // Ingest went on while the backup ran: the test exercised a live database.
    expect(ackedDuringBackup).toBeGreaterThan(0);
    const inBackup = new Set(leadIds(backupFile));
    expect(ackedBeforeBackup.filter((id) => !inBackup.has(id))).toEqual([]);
    expect(backup.stdout).toContain(`, ${inBackup.size} lead(s),`);
    // No temporary file is left beside the backup, and the backup stands alone (no -wal).
    expect(readdirSync(join(temp.dir, 'backups'))).toEqual(['leadloop-backup.db']);
    // The running bot's lease is not in the copy: a bot started on it after a restore owes it nothing.
    const copy = new Database(backupFile, { readonly: true });
    expect(copy.prepare("SELECT key FROM app_meta WHERE key = 'instance_lease'").all()).toEqual([]);
    copy.close();

    // Restore: refused while the bot has the database open, then done once it is stopped.
    const refused = await leadloop(bot.databasePath, 'restore', backupFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `Leadloop: The database ${bot.databasePath} is in use (is the bot running?). Stop the bot, then run leadloop restore again.\n`,
    );
    const allLeads = leadIds(bot.databasePath).length;
    await bot.stopBot();
    expect(leadIds(bot.databasePath).length).toBe(allLeads);

    const restored = await leadloop(bot.databasePath, 'restore', backupFile);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const folder = join(bot.databasePath, '..');
    const keptAside = readdirSync(folder).filter((f) => f.startsWith('leadloop.db.before-restore-'));
    expect(keptAside).toHaveLength(1);
    expect(restored.stdout).toContain(
      `The database it replaced is kept as ${join(folder, keptAside[0] ?? '')}.`,
    );
    expect(leadIds(join(folder, keptAside[0] ?? '')).length).toBe(allLeads);
    expect(leadIds(bot.databasePath)).toEqual([...inBackup].sort((a, b) => a - b));

    // The restored database opens, migrates and answers: the bot on it, and the numbers.
    await bot.restart();
    const health = await fetch(`${bot.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const stats = await leadloop(bot.databasePath, 'stats', '90d', '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).totals.posted).toBeGreaterThanOrEqual(20_000);
  });

  it('refuses to overwrite an existing file unless --force', async () => {
    const database = join(temp.dir, 'leadloop.db');
    seededDatabase(database, 10);
    const target = join(temp.dir, 'backup.db');
    writeFileSync(target, 'precious');

    const refused = await leadloop(database, 'backup', target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `Leadloop: ${target} already exists: choose another name, or add --force to replace it.\n`,
    );
    expect(readFileSync(target, 'utf8')).toBe('precious');

    const forced = await leadloop(database, 'backup', target, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(
      `, 10 lead(s), migration level ${MIGRATIONS} of ${MIGRATIONS}; integrity check ok.`,
    );
    expect(leadIds(target)).toHaveLength(10);
  });

  it('says what to fix when there is no database or the destination cannot be written', async () => {
    const missing = await leadloop(join(temp.dir, 'nope.db'), 'backup', join(temp.dir, 'b.db'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `Leadloop: No database at ${join(temp.dir, 'nope.db')}: check DATABASE_PATH (the bot creates the file when it first starts).\n`,
    );

    const database = join(temp.dir, 'leadloop.db');
    seededDatabase(database, 3);
    const noFolder = await leadloop(database, 'backup', join(temp.dir, 'missing', 'b.db'));
    expect(noFolder.stderr).toBe(
      `Leadloop: The folder ${join(temp.dir, 'missing')} does not exist: create it first (mkdir -p ${join(temp.dir, 'missing')}).\n`,
    );
    // A "folder" that is a file: the copy cannot be created there.
    writeFileSync(join(temp.dir, 'plain-file'), '');
    const notFolder = await leadloop(database, 'backup', join(temp.dir, 'plain-file', 'b.db'));
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toBe(
      `Leadloop: ${join(temp.dir, 'plain-file')} is a file, not a folder: choose a backup path inside a folder.\n`,
    );

    const usage = await leadloop(database, 'backup');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      'Name one backup file, e.g. leadloop backup backups/leadloop-2026-11-25.db',
    );
  });
});

describe('leadloop restore refusals', () => {
  let database: string;
  let before: Buffer;
  beforeEach(() => {
    database = join(temp.dir, 'data', 'leadloop.db');
    seededDatabase(database, 12);
    before = readFileSync(database);
  });
  /** A refusal leaves the database exactly as it was, and no file beside it. */
  afterEach(() => {
    expect(readFileSync(database).equals(before)).toBe(true);
    expect(readdirSync(join(temp.dir, 'data')).filter((f) => !f.startsWith('leadloop.db'))).toEqual([]);
    expect(readdirSync(join(temp.dir, 'data')).filter((f) => f.includes('before-restore'))).toEqual([]);
  });

  it('refuses a file that is not a SQLite database', async () => {
    const junk = join(temp.dir, 'junk.db');
    writeFileSync(junk, 'id,email\n1,ana@acme.io\n'.repeat(200));
    const run = await leadloop(database, 'restore', junk);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Leadloop: Cannot read ${junk}: it is not a SQLite database; check the file name.\n`,
    );
  });

  it('refuses a SQLite database that is not Leadloop’s', async () => {
    const other = join(temp.dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const run = await leadloop(database, 'restore', other);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Leadloop: ${other} is a SQLite database but not Leadloop's (it has no leads or migrations table). Check the file name.\n`,
    );
  });

  it('refuses a backup made by a newer Leadloop', async () => {
    const newer = join(temp.dir, 'newer.db');
    expect((await leadloop(database, 'backup', newer)).code).toBe(0);
    const db = new Database(newer);
    db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run(
      'future',
      9_999_999_999_999,
    );
    db.close();
    const run = await leadloop(database, 'restore', newer);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `Leadloop: ${newer} was made by a newer Leadloop (it has migrations this version does not know): upgrade Leadloop first, then restore.\n`,
    );
  });

  it('refuses a missing file', async () => {
    const run = await leadloop(database, 'restore', join(temp.dir, 'absent.db'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Leadloop: No backup file at ${join(temp.dir, 'absent.db')}: check the path.\n`);
    expect(existsSync(join(temp.dir, 'absent.db'))).toBe(false);
  });
});
