import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leadInputSchema } from '../../src/domain/lead.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { parseStatsCommand } from '../../src/domain/statsCommand.js';
import { StatsService } from '../../src/services/stats.js';
import { AttentionStore } from '../../src/storage/attention.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { RetentionStore } from '../../src/storage/retention.js';
import { StatsStore } from '../../src/storage/stats.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';
import { at, DAY, HOUR, historicalLead, MINUTE } from '../harness/fixtures.js';

/*
 * Retention on a real database: three months of leads with every personal field filled in and
 * reps' notes on their decisions. Erasing those older than 30 days must blank exactly the
 * personal fields and leave every number (and the stats rollups) as they were.
 */

const NOW = at('2026-11-25T12:00:00Z');
const ANNA = 'U0ANNA0001';
const BOB = 'U0BOB00001';

let temp: ReturnType<typeof tempDir>;
let db: Db;
let store: Store;
let retention: RetentionStore;

/** A lead posted `daysAgo` days before NOW (received a minute earlier), with every field set. */
function fullLead(n: number, daysAgo: number, decided: 'accept' | 'reject' | 'pending') {
  const base = historicalLead({
    campaign: n % 2 === 0 ? 'Spring Webinar' : 'Trade Show',
    source: n % 3 === 0 ? 'event' : 'webinar',
    postedAt: NOW - daysAgo * DAY + n * MINUTE,
    decisions:
      decided === 'pending'
        ? []
        : [
            {
              user: n % 2 === 0 ? ANNA : BOB,
              verdict: decided,
              after: (n % 5) * HOUR + 10 * MINUTE,
              reason: decided === 'reject' ? (n % 2 === 0 ? 'bad_fit' : undefined) : undefined,
              note: `called Person ${n} on their mobile`,
            },
          ],
  });
  return {
    ...base,
    lead: {
      ...base.lead,
      externalId: `crm-${n}`,
      name: `Person ${n}`,
      email: `person${n}@example.com`,
      phone: `+49 30 1234 ${n}`,
      title: 'Head of Logistics',
      company: `Company ${n}`,
      country: 'DE',
      notes: `Person ${n} asked for a call`,
      url: `https://crm.example.com/contacts/${n}`,
      score: n % 100,
    },
  };
}

const VERDICTS = ['accept', 'reject', 'pending'] as const;

beforeEach(() => {
  temp = tempDir();
  db = openDatabase(join(temp.dir, 'leadloop.db'));
  store = new Store(db);
  retention = new RetentionStore(db);
  // 60 leads over 90 days, oldest first (ids follow arrival, as in production).
  store.insertHistory(
    Array.from({ length: 60 }, (_, i) =>
      fullLead(i, 90 - i * 1.5, VERDICTS[i % 3] as (typeof VERDICTS)[number]),
    ),
  );
});

afterEach(() => {
  db.$client.close();
  temp.cleanup();
});

const CUTOFF = NOW - 30 * DAY;

function leadRows() {
  return db.$client.prepare('SELECT * FROM leads ORDER BY id').all() as Record<string, unknown>[];
}
function decisionRows() {
  return db.$client.prepare('SELECT * FROM decisions ORDER BY id').all() as Record<string, unknown>[];
}
function freshBuckets() {
  return db.$client.prepare('SELECT bucket, version FROM stats_fresh ORDER BY bucket').all();
}

const PERSONAL = ['name', 'email', 'phone', 'title', 'notes', 'url'];

function eraseAll(limit = 7, cutoff = CUTOFF): number {
  let total = 0;
  for (;;) {
    const batch = retention.eraseBatch(cutoff, limit);
    total += batch.erased;
    if (batch.done) return total;
  }
}

describe('RetentionStore.eraseBatch', () => {
  it('blanks the personal fields of leads received before the cutoff and keeps everything else', () => {
    const before = leadRows();
    const decisionsBefore = decisionRows();
    const due = before.filter((l) => (l.received_at as number) < CUTOFF);
    expect(due.length).toBeGreaterThan(10);
    expect(due.length).toBeLessThan(before.length);

    expect(retention.countDue(CUTOFF)).toBe(due.length);
    expect(eraseAll()).toBe(due.length);
    expect(retention.countDue(CUTOFF)).toBe(0);

    const after = leadRows();
    for (const [i, row] of after.entries()) {
      const old = before[i] as Record<string, unknown>;
      const expected = { ...old };
      if ((old.received_at as number) < CUTOFF) for (const field of PERSONAL) expected[field] = null;
      expect(row).toEqual(expected);
    }
    // Kept on erased leads: the CRM id (duplicate detection), company, country, numbers, states.
    const erased = after[0] as Record<string, unknown>;
    expect(erased).toMatchObject({
      name: null,
      email: null,
      external_id: 'crm-0',
      company: 'Company 0',
      score: 0,
    });

    const dueIds = new Set(due.map((l) => l.id));
    for (const [i, row] of decisionRows().entries()) {
      const old = decisionsBefore[i] as Record<string, unknown>;
      expect(row).toEqual(dueIds.has(old.lead_id) ? { ...old, note: null } : old);
    }
  });

  it('works in batches of at most the limit, and a run after the last finds nothing to do', () => {
    const first = retention.eraseBatch(CUTOFF, 5);
    expect(first).toEqual({ erased: 5, done: false });
    expect(retention.erasedThrough()).toBe(5);
    eraseAll(5);
    expect(retention.eraseBatch(CUTOFF, 5)).toEqual({ erased: 0, done: true });
  });

  it('erases the kept body of old needs-attention items (and who they seemed to be), not newer ones', () => {
    const attention = new AttentionStore(db);
    const item = (receivedAt: number) =>
      attention.storeIntake(
        store,
        [
          {
            leads: [],
            attention: [
              {
                profile: 'hubspot',
                raw: '{"properties":{"email":{"value":"old@example.com"}}}',
                itemIndex: 0,
                itemCount: 1,
                who: 'old@example.com',
                reason: 'no campaign',
                issues: [],
              },
            ],
          },
        ],
        receivedAt,
      )[0]?.attentionIds[0] as number;
    const old = item(CUTOFF - DAY);
    const recent = item(CUTOFF + DAY);
    eraseAll(1000);
    expect(attention.byId(old)).toMatchObject({ raw: '', who: null, reason: 'no campaign', state: 'open' });
    expect(attention.byId(recent)).toMatchObject({ who: 'old@example.com', state: 'open' });
    expect(attention.byId(recent)?.raw).toContain('old@example.com');
  });

  it('stops at a lead still waiting to be posted, and erases it and those after once it is posted', () => {
    const [queued] = store.insertLeads(
      [leadInputSchema.parse({ campaign: 'Late', name: 'Still Queued' })],
      NOW - DAY,
    );
    const queuedId = Number(queued?.id);
    const [later] = store.insertHistory([fullLead(99, 0.5, 'accept')]);
    // A cutoff after every lead: only the posting queue holds them back.
    const cutoff = NOW + DAY;
    expect(retention.countDue(cutoff)).toBe(60);
    expect(eraseAll(7, cutoff)).toBe(60);
    expect(store.leadById(queuedId)?.name).toBe('Still Queued');
    expect(store.leadById(Number(later))?.name).toBe('Person 99');

    db.$client
      .prepare(`UPDATE leads SET post_status = 'failed', post_next_at = NULL WHERE id = ?`)
      .run(queuedId);
    expect(retention.countDue(cutoff)).toBe(2);
    expect(eraseAll(7, cutoff)).toBe(2);
    expect(store.leadById(queuedId)?.name).toBeNull();
    expect(store.leadById(Number(later))?.name).toBeNull();
  });

  it('leaves every /leadstats answer identical and no rollup invalidated', () => {
    const service = new StatsService(
      { stats: new StatsStore(db), clock: { now: () => NOW } },
      { timezone: 'Europe/Berlin', slaHours: 24, reasons: DEFAULT_REASONS },
    );
    const answers = () =>
      ['90d', '90d reasons', '90d reps', 'ytd', '2026-08-01..2026-11-25', 'quarter campaign spring'].map(
        (text) => {
          const parsed = parseStatsCommand(text);
          if (!parsed.ok) throw new Error(parsed.error);
          return JSON.stringify(service.run(parsed.query));
        },
      );
    const before = answers();
    const fresh = freshBuckets();
    expect(fresh.length).toBeGreaterThan(0);

    expect(eraseAll()).toBeGreaterThan(0);

    expect(freshBuckets()).toEqual(fresh);
    expect(answers()).toEqual(before);
  });
});
