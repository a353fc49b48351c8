import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadInputSchema } from '../../src/domain/lead.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { QueueStore } from '../../src/storage/queue.js';
import { Store } from '../../src/storage/store.js';

const T0 = Date.UTC(2026, 10, 20, 14, 0);

let db: Db;
let store: Store;
let queue: QueueStore;

beforeEach(() => {
  db = openDatabase(':memory:');
  store = new Store(db);
  queue = new QueueStore(db);
});
afterEach(() => {
  db.$client.close();
});

const receive = (name: string, at: number) =>
  Number(store.insertLeads([leadInputSchema.parse({ name, campaign: 'Webinar A' })], at)[0]?.id);

describe('QueueStore.snapshot', () => {
  it('is empty on a new database', () => {
    expect(queue.snapshot()).toEqual({ depth: 0, oldestReceivedAt: undefined, lastPostedAt: undefined });
  });

  it('counts unposted leads (queued or in doubt) and finds the longest-waiting one', () => {
    const first = receive('First', T0);
    const second = receive('Second', T0 + 60_000);
    receive('Third', T0 + 120_000);
    // The oldest is in doubt (a send of unknown outcome): still unposted.
    store.markPosting(first, T0 + 180_000, T0 + 185_000);
    expect(queue.snapshot()).toEqual({ depth: 3, oldestReceivedAt: T0, lastPostedAt: undefined });

    store.markPosted(first, { channel: 'C0LEADS001', ts: '1763647300.000100', postedAt: T0 + 190_000 });
    store.markPostFailed(second, 'invalid_blocks');
    // A lead Slack refused for good leaves the queue too: it will never be posted.
    expect(queue.snapshot()).toEqual({
      depth: 1,
      oldestReceivedAt: T0 + 120_000,
      lastPostedAt: T0 + 190_000,
    });
  });

  it('reads through the indexes (no scan of every lead): the queries QueueStore makes', () => {
    const plans = [
      'SELECT count(*), min(received_at) FROM leads WHERE post_next_at IS NOT NULL',
      'SELECT max(posted_at) FROM leads',
    ].map((sql) =>
      (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join('; '),
    );
    expect(plans[0]).toContain('leads_post_queue_idx');
    expect(plans[1]).toContain('COVERING INDEX leads_cohort_idx');
  });
});
