import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDatabase } from '../../src/doctor/database.js';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/storage/db.js';
import { tempDir } from '../harness/app.js';
import { callAsUnprivileged, canRunUnprivileged, openFolder } from '../harness/unprivileged.js';

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.cleanup());

const migrationCount = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;

describe('checkDatabase', () => {
  it('reports a migrated database as up to date and leaves no file behind', () => {
    const file = join(temp.dir, 'leadloop.db');
    openDatabase(file).$client.close();
    expect(readdirSync(temp.dir)).toEqual(['leadloop.db']);

    expect(checkDatabase(file)).toEqual({
      name: 'Database',
      status: 'ok',
      detail: `${file} is writable and up to date`,
    });
    expect(readdirSync(temp.dir)).toEqual(['leadloop.db']);
  });

  it('says how many migrations are pending, without applying them', () => {
    const file = join(temp.dir, 'leadloop.db');
    const db = openDatabase(file);
    db.$client.exec(
      'DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)',
    );
    db.$client.close();

    expect(checkDatabase(file).detail).toBe(
      `${file} is writable; 1 migration(s) pending, applied by leadloop start (or leadloop migrate)`,
    );
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({
      n: migrationCount - 1,
    });
    raw.close();
  });

  it('counts every migration as pending in an empty file', () => {
    const file = join(temp.dir, 'empty.db');
    writeFileSync(file, '');
    expect(checkDatabase(file)).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(`${migrationCount} migration(s) pending`),
    });
  });

  it('does not create a missing database or its folders', () => {
    const file = join(temp.dir, 'a', 'b', 'leadloop.db');
    expect(checkDatabase(file).status).toBe('ok');
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  it('warns that an in-memory database keeps nothing', () => {
    expect(checkDatabase(':memory:').status).toBe('warn');
  });
});

describe('checkDatabase without its migrations folder', () => {
  it('still reports the write test, and warns that pending migrations are unknown', () => {
    const file = join(temp.dir, 'leadloop.db');
    openDatabase(file).$client.close();
    expect(checkDatabase(file, join(temp.dir, 'no-drizzle'))).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('is writable, but whether migrations are pending is unknown'),
    });
  });
});

// Run as a user who may not write there (nobody, when the tests run as root): see unprivileged.ts.
describe.runIf(canRunUnprivileged)('checkDatabase without write permission', () => {
  const DOCTOR_DATABASE = new URL('../../src/doctor/database.ts', import.meta.url);
  const check = (file: string) => callAsUnprivileged(DOCTOR_DATABASE, 'checkDatabase', [file]);

  it('a read-only database file', () => {
    // A folder that user may write in, holding a file it may not.
    chmodSync(temp.dir, 0o777);
    const file = join(temp.dir, 'leadloop.db');
    openDatabase(file).$client.close();
    chmodSync(file, 0o444);
    expect(check(file)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^cannot write .*leadloop\.db \(SQLITE_READONLY/),
      fix: expect.stringContaining('make the file and its folder writable'),
    });
  });

  it('a database in a read-only folder', () => {
    openFolder(temp.dir);
    const file = join(temp.dir, 'leadloop.db');
    openDatabase(file).$client.close();
    chmodSync(file, 0o666);
    chmodSync(temp.dir, 0o555);
    try {
      expect(check(file)).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('is not writable (EACCES)'),
      });
    } finally {
      chmodSync(temp.dir, 0o755);
    }
  });
});
