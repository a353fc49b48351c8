import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadInputSchema } from '../../src/domain/lead.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { HistoryStore, IMPORT_DECIDER } from '../../src/storage/history.js';
import { Store } from '../../src/storage/store.js';

const NOW = Date.UTC(2026, 11, 1, 9, 0);
const CREATED = Date.UTC(2026, 9, 14, 10, 30);

const lead = (body: Record<string, unknown>) =>
  leadInputSchema.parse({ campaign: 'Q3 webinar', createdAt: new Date(CREATED).toISOString(), ...body });

let db: Db;
let store: Store;
let history: HistoryStore;

beforeEach(() => {
  db = openDatabase(':memory:');
  store = new Store(db);
  history = new HistoryStore(store);
});
afterEach(() => db.$client.close());

const rows = () =>
  db.$client
    .prepare(
      'SELECT external_id, post_status, post_next_at, posted_at, state, state_by, state_at, state_reason, first_decided_at FROM leads ORDER BY id',
    )
    .all();

describe('HistoryStore.insertImported', () => {
  it('stores leads out of the posting queue, posted at their created time, with their outcome as one import decision', () => {
    const results = history.insertImported(
      [
        { lead: lead({ externalId: 'a', name: 'Ana' }), outcome: { verdict: 'accept' } },
        {
          lead: lead({ externalId: 'b', name: 'Bo' }),
          outcome: { verdict: 'reject', reason: 'other', note: 'Moved to Mars' },
        },
        { lead: lead({ externalId: 'c', name: 'Cy', createdAt: undefined }) },
      ],
      NOW,
    );
    expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
    expect(rows()).toEqual([
      {
        external_id: 'a',
        post_status: 'history',
        post_next_at: null,
        posted_at: CREATED,
        state: 'accepted',
        state_by: IMPORT_DECIDER,
        state_at: CREATED,
        state_reason: null,
        first_decided_at: null,
      },
      expect.objectContaining({ external_id: 'b', state: 'rejected', state_reason: 'other' }),
      expect.objectContaining({ external_id: 'c', posted_at: NOW, state: 'pending', state_by: null }),
    ]);
    expect(
      db.$client
        .prepare('SELECT user_id, verdict, source, reason, note, decided_at, lead_posted_at FROM decisions')
        .all(),
    ).toEqual([
      {
        user_id: 'import',
        verdict: 'accept',
        source: 'import',
        reason: null,
        note: null,
        decided_at: CREATED,
        lead_posted_at: CREATED,
      },
      {
        user_id: 'import',
        verdict: 'reject',
        source: 'import',
        reason: 'other',
        note: 'Moved to Mars',
        decided_at: CREATED,
        lead_posted_at: CREATED,
      },
    ]);
    expect(store.queueDepth()).toBe(0);
    expect(store.nextDueLead(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });

  it('skips a lead seen before, adding no decision to it', () => {
    store.insertLeads([lead({ externalId: 'a', name: 'Ana' })], NOW);
    const results = history.insertImported(
      [{ lead: lead({ externalId: 'a', name: 'Ana' }), outcome: { verdict: 'reject' } }],
      NOW,
    );
    expect(results.map((r) => r.status)).toEqual(['duplicate']);
    expect(db.$client.prepare('SELECT count(*) AS n FROM decisions').get()).toEqual({ n: 0 });
    expect(rows()).toEqual([expect.objectContaining({ post_status: 'queued', state: 'pending' })]);
  });
});
