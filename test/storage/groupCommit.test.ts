import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/storage/groupCommit.js';

let client: Database.Database;
let group: GroupCommit;

const insert = (value: string) => client.prepare('INSERT INTO t VALUES (?)').run(value);
/** Violates a deferred foreign key: SQLite notices only at COMMIT, so the whole commit fails. */
const orphan = () => client.prepare("INSERT INTO child VALUES ('nobody')").run();
const rows = () =>
  (client.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: string }[]).map((r) => r.v);
const statuses = (outcomes: PromiseSettledResult<unknown>[]) =>
  outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : String(o.reason).replace(/^\w*Error: /, '')));

beforeEach(() => {
  client = new Database(':memory:');
  client.exec(`
    PRAGMA foreign_keys = ON;
    CREATE TABLE t (v TEXT NOT NULL UNIQUE);
    CREATE TABLE child (parent TEXT REFERENCES t (v) DEFERRABLE INITIALLY DEFERRED);
  `);
  group = new GroupCommit(client);
});

afterEach(() => client.close());

describe('GroupCommit', () => {
  it('runs the work of one event-loop turn in submission order and resolves each with its result', async () => {
    const results = await Promise.all([
      group.run(() => insert('a').changes),
      group.run(() => insert('b').changes),
      group.run(() => rows()),
    ]);
    expect(results).toEqual([1, 1, ['a', 'b']]);
    expect(rows()).toEqual(['a', 'b']);
  });

  it('commits one turn as one transaction: a failing commit takes every piece of that turn with it', async () => {
    const outcomes = await Promise.allSettled([
      group.run(() => insert('a')),
      group.run(() => orphan()),
      group.run(() => insert('b')),
    ]);
    expect(statuses(outcomes)).toEqual([
      'FOREIGN KEY constraint failed',
      'FOREIGN KEY constraint failed',
      'FOREIGN KEY constraint failed',
    ]);
    expect(rows()).toEqual([]);
  });

  it('commits separate turns separately', async () => {
    await group.run(() => insert('a'));
    await expect(group.run(() => orphan())).rejects.toThrow('FOREIGN KEY');
    expect(rows()).toEqual(['a']);
  });

  it('rolls back and rejects only the piece that threw, with all of its writes', async () => {
    const outcomes = await Promise.allSettled([
      group.run(() => insert('a')),
      group.run(() => {
        insert('b');
        insert('a'); // UNIQUE violation: this piece's own 'b' must go too
      }),
      group.run(() => insert('c')),
    ]);
    expect(statuses(outcomes)).toEqual(['ok', 'UNIQUE constraint failed: t.v', 'ok']);
    expect(rows()).toEqual(['a', 'c']);
  });
});
