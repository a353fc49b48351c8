import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LeadInput, leadInputSchema } from '../../src/domain/lead.js';
import { DatabaseOpenError } from '../../src/errors.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import * as schema from '../../src/storage/schema.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';

const NOW = Date.UTC(2026, 10, 20, 14, 0);

/** Leads as they reach the store: through the same schema as POST /leads and the CSV import. */
function leads(...bodies: Record<string, unknown>[]): LeadInput[] {
  return bodies.map((b) => leadInputSchema.parse({ name: 'Ana Silva', campaign: 'Webinar A', ...b }));
}

let temp: ReturnType<typeof tempDir>;
let db: Db;
let store: Store;

const count = (table: 'leads' | 'campaigns') =>
  (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeEach(() => {
  temp = tempDir();
  db = openDatabase(join(temp.dir, 'leadloop.db'));
  store = new Store(db);
});

afterEach(() => {
  if (db.$client.open) db.$client.close();
  temp.cleanup();
});

describe('Store.insertLeads', () => {
  it('stores leads and returns string ids with status queued', () => {
    const results = store.insertLeads(
      leads(
        {
          externalId: 'hs-1',
          email: 'ana@acme.io',
          company: 'Acme',
          score: 72,
          url: 'https://crm.example.com/1',
          createdAt: '2026-11-19T10:00:00Z',
        },
        { name: 'Bo' },
      ),
      NOW,
    );
    expect(results).toEqual([
      { id: expect.stringMatching(/^\d+$/), status: 'queued' },
      { id: expect.stringMatching(/^\d+$/), status: 'queued' },
    ]);
    expect(results[0]?.id).not.toBe(results[1]?.id);

    const row = store.leadById(Number(results[0]?.id));
    expect(row).toMatchObject({
      externalId: 'hs-1',
      email: 'ana@acme.io',
      name: 'Ana Silva',
      company: 'Acme',
      score: 72,
      url: 'https://crm.example.com/1',
      createdAt: Date.UTC(2026, 10, 19, 10),
      receivedAt: NOW,
      postStatus: 'queued',
      postAttempts: 0,
      postNextAt: NOW,
      postTs: null,
    });
    // Without createdAt the lead was created when it was received.
    expect(store.leadById(Number(results[1]?.id))?.createdAt).toBe(NOW);
    expect(store.queueDepth()).toBe(2);
  });

  it('reports a known externalId as a duplicate of the stored lead', () => {
    const [first] = store.insertLeads(leads({ externalId: 'hs-48213' }), NOW);
    const again = store.insertLeads(
      leads({ externalId: 'hs-48213', name: 'Changed' }, { externalId: 'hs-2' }),
      NOW + 1,
    );
    expect(again[0]).toEqual({ id: first?.id, status: 'duplicate' });
    expect(again[1]?.status).toBe('queued');
    expect(count('leads')).toBe(2);
    expect(store.leadById(Number(first?.id))?.name).toBe('Ana Silva');
  });

  it('reports a repeated externalId within one batch as a duplicate of the first', () => {
    const results = store.insertLeads(
      leads({ externalId: 'x-1' }, { externalId: 'x-2' }, { externalId: 'x-1' }, {}, {}),
      NOW,
    );
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'duplicate', 'queued', 'queued']);
    expect(results[2]?.id).toBe(results[0]?.id);
    // Leads without an externalId are never duplicates of each other.
    expect(results[3]?.id).not.toBe(results[4]?.id);
    expect(count('leads')).toBe(4);
  });

  it('keeps one campaign per normalised name, with the first spelling', () => {
    const results = store.insertLeads(
      leads({ campaign: ' Webinar A ' }, { campaign: 'webinar a' }, { campaign: 'WEBINAR   A' }),
      NOW,
    );
    store.insertLeads(leads({ campaign: 'Webinar a' }, { campaign: 'Trade Show' }), NOW + 1);
    const rows = db.$client.prepare('SELECT key, name FROM campaigns ORDER BY id').all();
    expect(rows).toEqual([
      { key: 'webinar a', name: 'Webinar A' },
      { key: 'trade show', name: 'Trade Show' },
    ]);
    const campaignIds = results.map((r) => store.leadById(Number(r.id))?.campaignId);
    expect(new Set(campaignIds).size).toBe(1);
  });

  it('stores nothing from a batch when one insert fails', () => {
    store.insertLeads(leads({ externalId: 'before' }), NOW);
    db.$client.exec(`
      CREATE TRIGGER test_boom BEFORE INSERT ON leads WHEN NEW.name = 'boom'
      BEGIN SELECT RAISE(ABORT, 'boom'); END;
    `);
    expect(() =>
      store.insertLeads(
        leads(
          { externalId: 'a', campaign: 'New Campaign' },
          { externalId: 'b', name: 'boom' },
          { externalId: 'c', campaign: 'Other Campaign' },
        ),
        NOW + 1,
      ),
    ).toThrow(/boom/);
    expect(count('leads')).toBe(1);
    expect(count('campaigns')).toBe(1);
    expect(db.$client.inTransaction).toBe(false);

    // The failed batch left no trace: its externalIds are new afterwards.
    db.$client.exec('DROP TRIGGER test_boom');
    const retry = store.insertLeads(leads({ externalId: 'a' }, { externalId: 'b', name: 'boom' }), NOW + 2);
    expect(retry.map((r) => r.status)).toEqual(['queued', 'queued']);
  });

  it('reports progress every 1000 leads', () => {
    const seen: number[] = [];
    store.insertLeads(
      leads(...Array.from({ length: 2500 }, (_, i) => ({ externalId: `p-${i}` }))),
      NOW,
      (done) => seen.push(done),
    );
    expect(seen).toEqual([1000, 2000]);
  });
});

describe('the posting queue', () => {
  const insert = (receivedAt: number, n = 1) =>
    store.insertLeads(leads(...Array.from({ length: n }, () => ({}))), receivedAt).map((r) => Number(r.id));

  it('is empty at first', () => {
    expect(store.queueDepth()).toBe(0);
    expect(store.nextDueLead(NOW)).toBeUndefined();
    expect(store.nextPostDueAt()).toBeUndefined();
  });

  it('gives the due lead with the earliest post_next_at, then the lowest id', () => {
    const [late] = insert(NOW + 5000);
    const [a, b] = insert(NOW, 2);
    expect(store.nextDueLead(NOW - 1)).toBeUndefined();
    const due = store.nextDueLead(NOW);
    expect(due?.id).toBe(a);
    expect(due).toMatchObject({
      postStatus: 'queued',
      campaign: 'Webinar A',
      name: 'Ana Silva',
      postAttempts: 0,
    });
    expect(store.nextDueLead(NOW + 10_000)?.id).toBe(a);
    expect(store.nextPostDueAt()).toBe(NOW);

    store.markPosted(a as number, { channel: 'C0LEADS001', ts: '1.0001', postedAt: NOW });
    expect(store.nextDueLead(NOW)?.id).toBe(b);
    store.markPosted(b as number, { channel: 'C0LEADS001', ts: '1.0002', postedAt: NOW });
    expect(store.nextDueLead(NOW)).toBeUndefined();
    expect(store.nextPostDueAt()).toBe(NOW + 5000);
    expect(store.nextDueLead(NOW + 5000)?.id).toBe(late);
  });

  it('markPosting puts the lead in doubt, due again at checkAt', () => {
    const [id] = insert(NOW) as [number];
    store.markPosting(id, NOW + 10, NOW + 60_000);
    expect(store.leadById(id)).toMatchObject({
      postStatus: 'posting',
      postStartedAt: NOW + 10,
      postNextAt: NOW + 60_000,
      postAttempts: 1,
    });
    expect(store.queueDepth()).toBe(1);
    expect(store.nextDueLead(NOW + 59_999)).toBeUndefined();
    const due = store.nextDueLead(NOW + 60_000);
    expect(due).toMatchObject({ id, postStatus: 'posting', postStartedAt: NOW + 10, postAttempts: 1 });
    expect(store.nextPostDueAt()).toBe(NOW + 60_000);

    store.markPosting(id, NOW + 60_000, NOW + 120_000);
    expect(store.leadById(id)?.postAttempts).toBe(2);
  });

  it('markInDoubt keeps the lead posting, checks again later and records the error', () => {
    const [id] = insert(NOW) as [number];
    store.markPosting(id, NOW, NOW + 30_000);
    store.markInDoubt(id, NOW + 90_000, 'request_timeout');
    expect(store.leadById(id)).toMatchObject({
      postStatus: 'posting',
      postNextAt: NOW + 90_000,
      postError: 'request_timeout',
      postStartedAt: NOW,
    });
    expect(store.nextDueLead(NOW + 30_000)).toBeUndefined();
    expect(store.nextDueLead(NOW + 90_000)?.id).toBe(id);
  });

  it('markPostRetry puts the lead back in the queue for later', () => {
    const [id, other] = insert(NOW, 2) as [number, number];
    store.markPosting(id, NOW, NOW + 30_000);
    store.markPostRetry(id, NOW + 5_000, 'ratelimited');
    expect(store.leadById(id)).toMatchObject({
      postStatus: 'queued',
      postNextAt: NOW + 5_000,
      postError: 'ratelimited',
    });
    expect(store.nextDueLead(NOW)?.id).toBe(other);
    store.markPostFailed(other, 'invalid_blocks');
    expect(store.nextDueLead(NOW + 4_999)).toBeUndefined();
    expect(store.nextDueLead(NOW + 5_000)?.id).toBe(id);
  });

  it('markPosted records the message, clears post_next_at and shrinks the queue', () => {
    const [id] = insert(NOW, 3) as [number];
    expect(store.queueDepth()).toBe(3);
    store.markPosting(id, NOW, NOW + 30_000);
    store.markInDoubt(id, NOW + 30_000, 'internal_error');
    store.markPosted(id, { channel: 'C0LEADS001', ts: '1763647380.000100', postedAt: NOW + 500 });
    expect(store.leadById(id)).toMatchObject({
      postStatus: 'posted',
      postChannel: 'C0LEADS001',
      postTs: '1763647380.000100',
      postedAt: NOW + 500,
      postNextAt: null,
      postError: null,
    });
    expect(store.queueDepth()).toBe(2);
  });

  it('markPostFailed takes the lead out of the queue for good', () => {
    const [id] = insert(NOW) as [number];
    store.markPostFailed(id, 'invalid_blocks');
    expect(store.leadById(id)).toMatchObject({
      postStatus: 'failed',
      postNextAt: null,
      postError: 'invalid_blocks',
    });
    expect(store.queueDepth()).toBe(0);
    expect(store.nextDueLead(NOW + 365 * 86_400_000)).toBeUndefined();
    expect(store.nextPostDueAt()).toBeUndefined();
  });

  it('refuses to record two leads as the same Slack message', () => {
    const [a, b] = insert(NOW, 2) as [number, number];
    store.markPosted(a, { channel: 'C0LEADS001', ts: '1.1', postedAt: NOW });
    expect(() => store.markPosted(b, { channel: 'C0LEADS001', ts: '1.1', postedAt: NOW })).toThrow(/UNIQUE/);
  });

  it('answers the queue queries from the partial index', () => {
    insert(NOW, 50);
    const queries: { sql: string; params: unknown[] }[] = [];
    const logged = drizzle({
      client: db.$client,
      schema,
      logger: { logQuery: (sql, params) => queries.push({ sql, params }) },
    }) as Db;
    const watched = new Store(logged);
    watched.nextDueLead(NOW);
    watched.nextPostDueAt();
    watched.queueDepth();
    expect(queries).toHaveLength(3);
    for (const { sql, params } of queries) {
      const plan = db.$client
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((r) => (r as { detail: string }).detail)
        .join('\n');
      expect(plan, sql).toContain('leads_post_queue_idx');
      expect(plan, sql).not.toMatch(/SCAN leads(?! USING)/);
    }
  });
});

describe('openDatabase', () => {
  it('applies the migrations', () => {
    const tables = db.$client
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(['campaigns', 'leads', '__drizzle_migrations']));
  });

  it('sets WAL, foreign keys, full sync and a busy timeout on a database file', () => {
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.$client.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.$client.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });

  it('enforces foreign keys', () => {
    expect(() =>
      db.$client
        .prepare('INSERT INTO leads (campaign_id, created_at, received_at) VALUES (?, ?, ?)')
        .run(999_999, NOW, NOW),
    ).toThrow(/FOREIGN KEY/);
  });

  it('opens an in-memory database', () => {
    const memory = openDatabase(':memory:');
    try {
      expect(new Store(memory).queueDepth()).toBe(0);
      expect(memory.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      memory.$client.close();
    }
  });

  it('can be opened again: migrating twice is harmless and keeps the data', () => {
    store.insertLeads(leads({}), NOW);
    db.$client.close();
    db = openDatabase(join(temp.dir, 'leadloop.db'));
    expect(new Store(db).queueDepth()).toBe(1);
  });

  it('creates a missing parent folder', () => {
    const path = join(temp.dir, 'deep', 'er', 'leadloop.db');
    const deep = openDatabase(path);
    try {
      expect(existsSync(path)).toBe(true);
      expect(new Store(deep).queueDepth()).toBe(0);
    } finally {
      deep.$client.close();
    }
  });

  it('throws DatabaseOpenError with an actionable message for a path under a regular file', () => {
    const file = join(temp.dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const path = join(file, 'leadloop.db');
    let thrown: unknown;
    try {
      openDatabase(path);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DatabaseOpenError);
    const message = (thrown as Error).message;
    expect(message).toContain(path);
    expect(message).toContain('DATABASE_PATH');
    expect(message).toMatch(/writable/);
  });
});
