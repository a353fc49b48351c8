import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DecisionFact, deriveLeadState, type Verdict } from '../../src/domain/decision.js';
import { leadInputSchema } from '../../src/domain/lead.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { type NewDecision, Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';

/** Store's decision functions on a real SQLite file, with migrations applied. */

const NOW = Date.UTC(2026, 10, 20, 14, 0);
const CHANNEL = 'C0LEADS001';
const ANNA = 'U0REPANNA1';
const BOB = 'U0REPBOB01';
const CARL = 'U0REPCARL1';

let temp: ReturnType<typeof tempDir>;
let dbPath: string;
let db: Db;
let store: Store;
const extraDbs: Db[] = [];

beforeEach(() => {
  temp = tempDir();
  dbPath = join(temp.dir, 'leadloop.db');
  db = openDatabase(dbPath);
  store = new Store(db);
});

afterEach(() => {
  for (const other of extraDbs.splice(0)) if (other.$client.open) other.$client.close();
  if (db.$client.open) db.$client.close();
  temp.cleanup();
});

let tsCounter = 0;
/** Inserts leads and records each as posted (unique ts), as the poster does. */
function postedLeads(n = 1, postedAt = NOW): number[] {
  const inputs = Array.from({ length: n }, (_, i) =>
    leadInputSchema.parse({ name: `Lead ${i}`, campaign: 'Webinar A' }),
  );
  return store.insertLeads(inputs, postedAt - 1000).map((r) => {
    const id = Number(r.id);
    tsCounter += 1;
    store.markPosted(id, {
      channel: CHANNEL,
      ts: `1763647380.${String(tsCounter).padStart(6, '0')}`,
      postedAt,
    });
    return id;
  });
}

function postedLead(postedAt = NOW): number {
  return postedLeads(1, postedAt)[0]!;
}

interface RawDecision {
  id: number;
  user_id: string;
  verdict: Verdict;
  source: string;
  reaction: string | null;
  reason: string | null;
  note: string | null;
  decided_at: number;
  retracted_at: number | null;
}

/** The decisions table as SQL sees it, independent of Store's own queries. */
function rawDecisions(leadId: number, on: Db = db): RawDecision[] {
  return on.$client
    .prepare('SELECT * FROM decisions WHERE lead_id = ? ORDER BY id')
    .all(leadId) as RawDecision[];
}

const countRows = (table: string) =>
  (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function facts(rows: RawDecision[]): DecisionFact[] {
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    verdict: r.verdict,
    reason: r.reason,
    note: r.note,
    decidedAt: r.decided_at,
    retractedAt: r.retracted_at,
  }));
}

/** The lead row's cached state columns. */
function cached(leadId: number) {
  const row = store.leadById(leadId)!;
  return {
    state: row.state,
    stateBy: row.stateBy,
    stateAt: row.stateAt,
    stateReason: row.stateReason,
    firstDecidedAt: row.firstDecidedAt,
  };
}

/** What the cached columns must be: deriveLeadState over the whole decisions table. */
function expectedCache(leadId: number) {
  const derived = deriveLeadState(facts(rawDecisions(leadId)));
  return {
    state: derived.state,
    stateBy: derived.winner?.userId ?? null,
    stateAt: derived.winner?.decidedAt ?? null,
    stateReason: derived.winner?.reason ?? null,
    firstDecidedAt: derived.firstDecidedAt ?? null,
  };
}

const version = (leadId: number) => store.leadById(leadId)!.postVersion;

function react(
  leadId: number,
  userId: string,
  verdict: Verdict,
  reaction: string,
  decidedAt: number,
  eventId?: string,
) {
  return store.recordDecision({ leadId, userId, verdict, source: 'reaction', reaction, decidedAt, eventId });
}

function click(
  leadId: number,
  userId: string,
  verdict: Verdict,
  decidedAt: number,
  extra: Partial<NewDecision> = {},
) {
  return store.recordDecision({ leadId, userId, verdict, source: 'button', decidedAt, ...extra });
}

describe('Store.recordDecision', () => {
  it('appends every reaction decision: two accept emojis by one rep are two standing decisions', () => {
    const id = postedLead();
    const first = react(id, ANNA, 'accept', 'white_check_mark', NOW + 1000, 'Ev1');
    const second = react(id, ANNA, 'accept', 'heavy_check_mark', NOW + 2000, 'Ev2');
    expect(first?.changed).toBe(true);
    expect(second?.changed).toBe(true);
    const rows = rawDecisions(id);
    expect(rows.map((r) => [r.user_id, r.verdict, r.source, r.reaction, r.retracted_at])).toEqual([
      [ANNA, 'accept', 'reaction', 'white_check_mark', null],
      [ANNA, 'accept', 'reaction', 'heavy_check_mark', null],
    ]);
    expect(second?.standing).toHaveLength(2);
    expect(second?.state).toBe('accepted');
    expect(second?.winner?.reaction).toBe('heavy_check_mark');
    expect(second?.firstDecidedAt).toBe(NOW + 1000);
    expect(cached(id)).toEqual({
      state: 'accepted',
      stateBy: ANNA,
      stateAt: NOW + 2000,
      stateReason: null,
      firstDecidedAt: NOW + 1000,
    });
  });

  it('the same emoji by the same rep while it stands is the same decision (a reaction cannot be added twice)', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000, 'EvA');
    const before = version(id);
    // Seen again with another event id (e.g. reconciliation after a late event).
    const again = react(id, ANNA, 'reject', 'x', NOW + 2000, 'EvB');
    expect(again?.changed).toBe(false);
    expect(again?.decision.decidedAt).toBe(NOW + 1000);
    expect(rawDecisions(id)).toHaveLength(1);
    expect(version(id)).toBe(before);
    // Another rep's same emoji is their own decision.
    expect(react(id, BOB, 'reject', 'x', NOW + 3000, 'EvC')?.changed).toBe(true);
    expect(rawDecisions(id)).toHaveLength(2);
  });

  it('returns the recorded decision and the new state', () => {
    const id = postedLead();
    const outcome = click(id, ANNA, 'reject', NOW + 500, { reason: 'bad_fit', note: 'Tiny shop' });
    expect(outcome).toMatchObject({
      changed: true,
      state: 'rejected',
      firstDecidedAt: NOW + 500,
      decision: {
        leadId: id,
        userId: ANNA,
        verdict: 'reject',
        source: 'button',
        reaction: null,
        reason: 'bad_fit',
        note: 'Tiny shop',
        decidedAt: NOW + 500,
        retractedAt: null,
      },
    });
    expect(outcome?.winner?.id).toBe(outcome?.decision.id);
    expect(outcome?.history).toHaveLength(1);
    expect(cached(id)).toEqual(expectedCache(id));
    expect(cached(id).stateReason).toBe('bad_fit');
  });

  it('a button decision that repeats the rep’s standing verdict changes nothing', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    const before = version(id);
    const again = click(id, ANNA, 'accept', NOW + 2000);
    expect(again?.changed).toBe(false);
    expect(again?.decision.decidedAt).toBe(NOW + 1000);
    expect(rawDecisions(id)).toHaveLength(1);
    expect(version(id)).toBe(before);
    expect(cached(id).stateAt).toBe(NOW + 1000);

    // Also when the standing verdict came from a reaction.
    react(id, BOB, 'reject', 'x', NOW + 3000);
    const bobVersion = version(id);
    expect(click(id, BOB, 'reject', NOW + 4000)?.changed).toBe(false);
    expect(rawDecisions(id)).toHaveLength(2);
    expect(version(id)).toBe(bobVersion);

    // A repeated reject with the same reason and note is a double click too.
    click(id, CARL, 'reject', NOW + 5000, { reason: 'no_budget', note: 'FY27' });
    const carlVersion = version(id);
    expect(click(id, CARL, 'reject', NOW + 6000, { reason: 'no_budget', note: 'FY27' })?.changed).toBe(false);
    expect(rawDecisions(id)).toHaveLength(3);
    expect(version(id)).toBe(carlVersion);
  });

  it('a button reject with a reason fills in a standing reject that had none, without a new row', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    expect(cached(id).stateReason).toBeNull();
    const before = version(id);
    const filled = click(id, ANNA, 'reject', NOW + 2000, { reason: 'other', note: 'Wants a job' });
    expect(filled?.changed).toBe(true);
    expect(filled?.decision).toMatchObject({ reason: 'other', note: 'Wants a job', decidedAt: NOW + 1000 });
    const rows = rawDecisions(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      reaction: 'x',
      source: 'reaction',
      reason: 'other',
      note: 'Wants a job',
    });
    expect(version(id)).toBe(before + 1);
    expect(cached(id)).toEqual({
      state: 'rejected',
      stateBy: ANNA,
      stateAt: NOW + 1000,
      stateReason: 'other',
      firstDecidedAt: NOW + 1000,
    });
  });

  it('a different verdict appends, and the latest standing decision wins', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    const v1 = version(id);
    const changed = click(id, ANNA, 'reject', NOW + 2000, { reason: 'duplicate' });
    expect(changed?.changed).toBe(true);
    expect(rawDecisions(id).map((r) => r.verdict)).toEqual(['accept', 'reject']);
    expect(version(id)).toBe(v1 + 1);
    expect(cached(id)).toEqual({
      state: 'rejected',
      stateBy: ANNA,
      stateAt: NOW + 2000,
      stateReason: 'duplicate',
      firstDecidedAt: NOW + 1000,
    });
    click(id, BOB, 'accept', NOW + 3000);
    expect(cached(id)).toMatchObject({ state: 'accepted', stateBy: BOB, stateReason: null });
    expect(cached(id)).toEqual(expectedCache(id));
  });

  it('an event id seen before returns undefined and writes nothing', () => {
    const id = postedLead();
    expect(react(id, ANNA, 'accept', 'white_check_mark', NOW + 1000, 'Ev0001')?.changed).toBe(true);
    const before = version(id);
    const state = cached(id);
    // The same id again, even with a different payload: Slack's retry of an event already handled.
    expect(react(id, ANNA, 'accept', 'white_check_mark', NOW + 1000, 'Ev0001')).toBeUndefined();
    expect(react(id, BOB, 'reject', 'x', NOW + 5000, 'Ev0001')).toBeUndefined();
    expect(rawDecisions(id)).toHaveLength(1);
    expect(version(id)).toBe(before);
    expect(cached(id)).toEqual(state);
    expect(countRows('slack_events')).toBe(1);
  });

  it('an event id seen before is refused also by a second Store on the same file', () => {
    const id = postedLead();
    const otherDb = openDatabase(dbPath);
    extraDbs.push(otherDb);
    const other = new Store(otherDb);
    expect(react(id, ANNA, 'reject', 'x', NOW + 1000, 'EvShared')?.changed).toBe(true);
    expect(
      other.recordDecision({
        leadId: id,
        userId: ANNA,
        verdict: 'reject',
        source: 'reaction',
        reaction: 'x',
        decidedAt: NOW + 1000,
        eventId: 'EvShared',
      }),
    ).toBeUndefined();
    // And the other way round.
    expect(
      other.retractReaction({ leadId: id, userId: ANNA, reaction: 'x', at: NOW + 2000, eventId: 'EvOther' })
        ?.changed,
    ).toBe(true);
    expect(
      store.retractReaction({ leadId: id, userId: ANNA, reaction: 'x', at: NOW + 3000, eventId: 'EvOther' }),
    ).toBeUndefined();
    expect(rawDecisions(id)).toHaveLength(1);
    expect(rawDecisions(id)[0]?.retracted_at).toBe(NOW + 2000);
    expect(cached(id)).toEqual(expectedCache(id));
    expect(cached(id).state).toBe('pending');
  });

  it('decisions without an event id (buttons) are never deduplicated by it', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    click(id, ANNA, 'reject', NOW + 2000);
    expect(rawDecisions(id)).toHaveLength(2);
    expect(countRows('slack_events')).toBe(0);
  });

  it('at the same millisecond the later-recorded decision wins', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    click(id, BOB, 'reject', NOW + 1000, { reason: 'bad_data' });
    expect(cached(id)).toMatchObject({ state: 'rejected', stateBy: BOB });
    expect(cached(id)).toEqual(expectedCache(id));
  });

  it('a decision that arrives late (earlier decidedAt) does not win over a later one', () => {
    const id = postedLead();
    react(id, ANNA, 'accept', 'white_check_mark', NOW + 5000, 'EvLate1');
    react(id, BOB, 'reject', 'x', NOW + 1000, 'EvLate2');
    expect(cached(id)).toEqual({
      state: 'accepted',
      stateBy: ANNA,
      stateAt: NOW + 5000,
      stateReason: null,
      firstDecidedAt: NOW + 1000,
    });
  });

  it('leaves other leads alone', () => {
    const [a, b] = postedLeads(2) as [number, number];
    const vb = version(b);
    click(a, ANNA, 'accept', NOW + 1000);
    expect(cached(b)).toEqual({
      state: 'pending',
      stateBy: null,
      stateAt: null,
      stateReason: null,
      firstDecidedAt: null,
    });
    expect(version(b)).toBe(vb);
  });
});

describe('Store.retractReaction', () => {
  it('retracts only that rep’s standing decision with that emoji', () => {
    const id = postedLead();
    react(id, ANNA, 'accept', 'white_check_mark', NOW + 1000);
    react(id, ANNA, 'accept', 'heavy_check_mark', NOW + 2000);
    react(id, BOB, 'accept', 'white_check_mark', NOW + 3000);
    const before = version(id);
    const out = store.retractReaction({
      leadId: id,
      userId: ANNA,
      reaction: 'white_check_mark',
      at: NOW + 4000,
    });
    expect(out?.changed).toBe(true);
    expect(out?.retracted).toMatchObject({
      userId: ANNA,
      reaction: 'white_check_mark',
      retractedAt: NOW + 4000,
    });
    expect(rawDecisions(id).map((r) => [r.user_id, r.reaction, r.retracted_at])).toEqual([
      [ANNA, 'white_check_mark', NOW + 4000],
      [ANNA, 'heavy_check_mark', null],
      [BOB, 'white_check_mark', null],
    ]);
    expect(version(id)).toBe(before + 1);
    expect(out?.standing.map((d) => d.reaction)).toEqual(['white_check_mark', 'heavy_check_mark']);
    expect(cached(id)).toEqual(expectedCache(id));
    // The other emoji's decision still stands once Bob's is gone.
    store.retractReaction({ leadId: id, userId: BOB, reaction: 'white_check_mark', at: NOW + 5000 });
    expect(cached(id)).toMatchObject({ state: 'accepted', stateBy: ANNA, stateAt: NOW + 2000 });
  });

  it('a reaction added again after its removal is a new decision, and the next removal retracts that one', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    store.retractReaction({ leadId: id, userId: ANNA, reaction: 'x', at: NOW + 2000 });
    expect(react(id, ANNA, 'reject', 'x', NOW + 3000)?.changed).toBe(true);
    expect(cached(id)).toMatchObject({ state: 'rejected', stateAt: NOW + 3000 });
    store.retractReaction({ leadId: id, userId: ANNA, reaction: 'x', at: NOW + 4000 });
    expect(rawDecisions(id).map((r) => r.retracted_at)).toEqual([NOW + 2000, NOW + 4000]);
    expect(cached(id).state).toBe('pending');
  });

  it('with nothing standing for that emoji: changed false, nothing written', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    react(id, BOB, 'reject', 'x', NOW + 2000);
    const before = version(id);
    const state = cached(id);
    // Anna decided by button (no emoji); Bob used another emoji; Carl decided nothing.
    for (const [user, emoji] of [
      [ANNA, 'white_check_mark'],
      [BOB, 'no_entry_sign'],
      [CARL, 'x'],
    ] as const) {
      const out = store.retractReaction({ leadId: id, userId: user, reaction: emoji, at: NOW + 3000 });
      expect(out?.changed).toBe(false);
      expect(out?.retracted).toBeUndefined();
      expect(out?.state).toBe('rejected');
    }
    expect(rawDecisions(id).every((r) => r.retracted_at === null)).toBe(true);
    expect(version(id)).toBe(before);
    expect(cached(id)).toEqual(state);

    // A second removal of an already retracted reaction changes nothing either.
    expect(store.retractReaction({ leadId: id, userId: BOB, reaction: 'x', at: NOW + 4000 })?.changed).toBe(
      true,
    );
    expect(store.retractReaction({ leadId: id, userId: BOB, reaction: 'x', at: NOW + 5000 })?.changed).toBe(
      false,
    );
    expect(rawDecisions(id)[1]?.retracted_at).toBe(NOW + 4000);
  });

  it('a repeated event id returns undefined and writes nothing, even when the reaction was added again', () => {
    const id = postedLead();
    react(id, ANNA, 'accept', 'white_check_mark', NOW + 1000, 'EvAdd1');
    const removal = {
      leadId: id,
      userId: ANNA,
      reaction: 'white_check_mark',
      at: NOW + 2000,
      eventId: 'EvRm1',
    };
    expect(store.retractReaction(removal)?.changed).toBe(true);
    react(id, ANNA, 'accept', 'white_check_mark', NOW + 3000, 'EvAdd2');
    const before = version(id);
    // Slack redelivers the old removal: it must not take away the reaction added since.
    expect(store.retractReaction(removal)).toBeUndefined();
    expect(rawDecisions(id).map((r) => r.retracted_at)).toEqual([NOW + 2000, null]);
    expect(version(id)).toBe(before);
    expect(cached(id)).toMatchObject({ state: 'accepted', stateAt: NOW + 3000 });
  });

  it('when everything is retracted the lead is pending again', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    store.retractReaction({ leadId: id, userId: ANNA, reaction: 'x', at: NOW + 2000 });
    expect(cached(id)).toEqual({
      state: 'pending',
      stateBy: null,
      stateAt: null,
      stateReason: null,
      firstDecidedAt: null,
    });
  });
});

describe('Store.attachReason', () => {
  it('attaches to the rep’s standing reject, even when another rep decided later', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    react(id, BOB, 'reject', 'no_entry_sign', NOW + 2000);
    const before = version(id);
    const out = store.attachReason({ leadId: id, userId: ANNA, reason: 'no_budget', note: null });
    expect(out?.changed).toBe(true);
    expect(out?.decision).toMatchObject({ userId: ANNA, reason: 'no_budget', note: null });
    expect(rawDecisions(id).map((r) => [r.user_id, r.reason])).toEqual([
      [ANNA, 'no_budget'],
      [BOB, null],
    ]);
    expect(version(id)).toBe(before + 1);
    // Bob's reject wins: the lead's reason is still none.
    expect(cached(id)).toMatchObject({ state: 'rejected', stateBy: BOB, stateReason: null });

    store.attachReason({ leadId: id, userId: BOB, reason: 'other', note: 'Reseller' });
    expect(cached(id)).toMatchObject({ stateBy: BOB, stateReason: 'other' });
    expect(rawDecisions(id)[1]?.note).toBe('Reseller');
    expect(cached(id)).toEqual(expectedCache(id));
  });

  it('replaces an earlier reason; the same reason and note again is changed false', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    store.attachReason({ leadId: id, userId: ANNA, reason: 'bad_fit', note: null });
    store.attachReason({ leadId: id, userId: ANNA, reason: 'student', note: 'Thesis' });
    expect(rawDecisions(id)[0]).toMatchObject({ reason: 'student', note: 'Thesis' });
    const before = version(id);
    const same = store.attachReason({ leadId: id, userId: ANNA, reason: 'student', note: 'Thesis' });
    expect(same?.changed).toBe(false);
    expect(version(id)).toBe(before);
    expect(rawDecisions(id)).toHaveLength(1);
  });

  it('is undefined when the rep’s latest standing decision is an accept', () => {
    const id = postedLead();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    react(id, ANNA, 'accept', 'white_check_mark', NOW + 2000);
    const before = version(id);
    expect(store.attachReason({ leadId: id, userId: ANNA, reason: 'bad_fit', note: null })).toBeUndefined();
    expect(rawDecisions(id).every((r) => r.reason === null)).toBe(true);
    expect(version(id)).toBe(before);
  });

  it('is undefined when nothing of that rep stands', () => {
    const id = postedLead();
    expect(store.attachReason({ leadId: id, userId: ANNA, reason: 'bad_fit', note: null })).toBeUndefined();
    react(id, ANNA, 'reject', 'x', NOW + 1000);
    store.retractReaction({ leadId: id, userId: ANNA, reaction: 'x', at: NOW + 2000 });
    const before = version(id);
    expect(store.attachReason({ leadId: id, userId: ANNA, reason: 'bad_fit', note: null })).toBeUndefined();
    // Another rep's reject is not this rep's.
    react(id, BOB, 'reject', 'x', NOW + 3000);
    expect(store.attachReason({ leadId: id, userId: ANNA, reason: 'bad_fit', note: null })).toBeUndefined();
    expect(rawDecisions(id).every((r) => r.reason === null)).toBe(true);
    expect(version(id)).toBe(before + 1);
  });
});

describe('the cached state always equals deriveLeadState over the decisions (property)', () => {
  const USERS = [ANNA, BOB, CARL] as const;
  const EMOJIS = {
    white_check_mark: 'accept',
    heavy_check_mark: 'accept',
    x: 'reject',
    no_entry_sign: 'reject',
  } as const satisfies Record<string, Verdict>;
  const EMOJI_NAMES = Object.keys(EMOJIS) as (keyof typeof EMOJIS)[];
  const REASONS = ['bad_fit', 'no_budget', 'other'] as const;

  const latestStanding = (rows: RawDecision[], userId: string) =>
    rows
      .filter((r) => r.user_id === userId && r.retracted_at === null)
      .toSorted((a, b) => b.decided_at - a.decided_at || b.id - a.id)[0];

  type Op =
    | { kind: 'react'; user: string; emoji: keyof typeof EMOJIS; dt: number }
    | {
        kind: 'click';
        user: string;
        verdict: Verdict;
        reason: string | undefined;
        note: string | null;
        dt: number;
      }
    | { kind: 'retract'; user: string; emoji: keyof typeof EMOJIS; dt: number }
    | { kind: 'attach'; user: string; reason: string; note: string | null }
    | { kind: 'redeliver'; pick: number; user: string; emoji: keyof typeof EMOJIS; dt: number };

  const user = fc.constantFrom(...USERS);
  const emoji = fc.constantFrom(...EMOJI_NAMES);
  const note = fc.constantFrom(null, 'n1', 'n2');
  // Mostly forward in time, sometimes the same millisecond, sometimes late (an out-of-order event).
  const dt = fc.integer({ min: -3, max: 5 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('react' as const), user, emoji, dt }),
    fc.record({
      kind: fc.constant('click' as const),
      user,
      verdict: fc.constantFrom<Verdict>('accept', 'reject'),
      reason: fc.constantFrom(undefined, ...REASONS),
      note,
      dt,
    }),
    fc.record({ kind: fc.constant('retract' as const), user, emoji, dt }),
    fc.record({ kind: fc.constant('attach' as const), user, reason: fc.constantFrom(...REASONS), note }),
    fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat(), user, emoji, dt }),
  );

  it('after every step of any sequence of decisions, retractions, reasons and redeliveries', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const id = postedLead();
        const other = postedLead();
        const otherVersion = version(other);
        let t = NOW + 10_000;
        const eventIds: string[] = [];
        let n = 0;
        for (const o of ops) {
          const rowsBefore = rawDecisions(id);
          const versionBefore = version(id);
          let outcome: { changed: boolean } | undefined;
          if (o.kind === 'react') {
            t += o.dt * 1000;
            const eventId = `Ev${id}-${++n}`;
            eventIds.push(eventId);
            const sameStands = rowsBefore.some(
              (r) => r.user_id === o.user && r.reaction === o.emoji && r.retracted_at === null,
            );
            outcome = react(id, o.user, EMOJIS[o.emoji], o.emoji, t, eventId);
            // A reaction is a new row, unless that rep's same reaction already stands.
            expect(outcome?.changed).toBe(!sameStands);
            expect(rawDecisions(id)).toHaveLength(rowsBefore.length + (sameStands ? 0 : 1));
          } else if (o.kind === 'click') {
            t += o.dt * 1000;
            const noteGiven = o.reason ? o.note : undefined;
            const mine = latestStanding(rowsBefore, o.user);
            outcome = click(id, o.user, o.verdict, t, { reason: o.reason, note: noteGiven });
            const after = rawDecisions(id);
            if (mine?.verdict !== o.verdict) {
              expect(outcome?.changed).toBe(true);
              expect(after).toHaveLength(rowsBefore.length + 1);
            } else if (
              o.reason === undefined ||
              (mine.reason === o.reason && (noteGiven ?? null) === mine.note)
            ) {
              // A double click.
              expect(outcome?.changed).toBe(false);
              expect(after).toEqual(rowsBefore);
            } else if (o.verdict === 'reject' && mine.reason === null) {
              // Fills in the standing reject's reason, no new row.
              expect(outcome?.changed).toBe(true);
              expect(after).toEqual(
                rowsBefore.map((r) =>
                  r.id === mine.id ? { ...r, reason: o.reason!, note: noteGiven ?? null } : r,
                ),
              );
            } else {
              expect(outcome?.changed).toBe(true);
              expect(after).toHaveLength(rowsBefore.length + 1);
            }
          } else if (o.kind === 'retract') {
            t += o.dt * 1000;
            const eventId = `Ev${id}-${++n}`;
            eventIds.push(eventId);
            const mine = rowsBefore.filter(
              (r) => r.user_id === o.user && r.reaction === o.emoji && r.retracted_at === null,
            );
            // A rep has at most one standing decision per emoji.
            expect(mine.length).toBeLessThanOrEqual(1);
            const out = store.retractReaction({
              leadId: id,
              userId: o.user,
              reaction: o.emoji,
              at: t,
              eventId,
            });
            outcome = out;
            expect(out?.changed).toBe(mine.length > 0);
            if (mine.length > 0) {
              // Exactly the latest of them is retracted, and nothing else changes.
              const latest = mine.toSorted((a, b) => b.decided_at - a.decided_at || b.id - a.id)[0]!;
              expect(rawDecisions(id)).toEqual(
                rowsBefore.map((r) => (r.id === latest.id ? { ...r, retracted_at: t } : r)),
              );
            } else {
              expect(rawDecisions(id)).toEqual(rowsBefore);
            }
          } else if (o.kind === 'attach') {
            const out = store.attachReason({ leadId: id, userId: o.user, reason: o.reason, note: o.note });
            const mine = latestStanding(rowsBefore, o.user);
            if (mine?.verdict !== 'reject') expect(out).toBeUndefined();
            else expect(out?.changed).toBe(mine.reason !== o.reason || mine.note !== o.note);
            outcome = out;
            // Never a new row.
            expect(rawDecisions(id)).toHaveLength(rowsBefore.length);
          } else {
            if (eventIds.length === 0) continue;
            const eventId = eventIds[o.pick % eventIds.length]!;
            t += o.dt * 1000;
            expect(react(id, o.user, EMOJIS[o.emoji], o.emoji, t, eventId)).toBeUndefined();
            expect(
              store.retractReaction({ leadId: id, userId: o.user, reaction: o.emoji, at: t, eventId }),
            ).toBeUndefined();
            expect(rawDecisions(id)).toEqual(rowsBefore);
          }

          // The invariant: the cached columns are a function of the history.
          expect(cached(id)).toEqual(expectedCache(id));
          // Rows are never deleted, and a decision's who/what/when never changes.
          const after = rawDecisions(id);
          for (const [i, r] of rowsBefore.entries()) {
            expect(after[i]).toMatchObject({
              id: r.id,
              user_id: r.user_id,
              verdict: r.verdict,
              reaction: r.reaction,
              decided_at: r.decided_at,
            });
            if (r.retracted_at !== null) expect(after[i]?.retracted_at).toBe(r.retracted_at);
          }
          // The post version moves on every change, and only then.
          const changed = outcome?.changed === true;
          expect(version(id)).toBe(changed ? versionBefore + 1 : versionBefore);
          expect(JSON.stringify(after) !== JSON.stringify(rowsBefore)).toBe(changed);
        }
        expect(version(other)).toBe(otherVersion);
        expect(cached(other).state).toBe('pending');
      }),
      { numRuns: 150 },
    );
  });
});

describe('Store.noteOnce', () => {
  it('is true the first time for (lead, user, kind) and false after', () => {
    const [a, b] = postedLeads(2) as [number, number];
    expect(store.noteOnce(a, ANNA, 'not_sales', NOW)).toBe(true);
    expect(store.noteOnce(a, ANNA, 'not_sales', NOW + 1)).toBe(false);
    expect(store.noteOnce(a, ANNA, 'not_sales', NOW + 2)).toBe(false);
    // Any part that differs makes it a new notice.
    expect(store.noteOnce(b, ANNA, 'not_sales', NOW)).toBe(true);
    expect(store.noteOnce(a, BOB, 'not_sales', NOW)).toBe(true);
    expect(store.noteOnce(a, ANNA, 'other_kind', NOW)).toBe(true);
    expect(countRows('user_notices')).toBe(4);
  });
});

describe('Store.pruneSlackEvents', () => {
  it('deletes only event ids received before the cut-off', () => {
    const id = postedLead();
    react(id, ANNA, 'accept', 'white_check_mark', NOW - 10_000, 'EvOld');
    react(id, BOB, 'accept', 'white_check_mark', NOW, 'EvAtCut');
    react(id, CARL, 'accept', 'white_check_mark', NOW + 10_000, 'EvNew');
    expect(store.pruneSlackEvents(NOW)).toBe(1);
    const left = db.$client.prepare('SELECT event_id FROM slack_events ORDER BY event_id').all();
    expect(left).toEqual([{ event_id: 'EvAtCut' }, { event_id: 'EvNew' }]);
    // Pruned ids are forgotten; kept ones still deduplicate.
    expect(react(id, CARL, 'reject', 'x', NOW + 20_000, 'EvNew')).toBeUndefined();
    expect(react(id, ANNA, 'reject', 'x', NOW + 20_000, 'EvOld')?.changed).toBe(true);
    expect(store.pruneSlackEvents(NOW)).toBe(0);
  });
});

describe('the post updater’s queue: nextPostToRender and markRendered', () => {
  it('gives posted leads whose version is ahead of what was rendered, lowest id first', () => {
    expect(store.nextPostToRender()).toBeUndefined();
    const [a, b] = postedLeads(2) as [number, number];
    expect(store.nextPostToRender()).toBeUndefined();
    click(b, ANNA, 'accept', NOW + 1000);
    click(a, ANNA, 'accept', NOW + 2000);
    const first = store.nextPostToRender();
    expect(first).toMatchObject({
      id: a,
      channel: CHANNEL,
      postedAt: NOW,
      postVersion: version(a),
      campaign: 'Webinar A',
      name: 'Lead 0',
    });
    expect(first?.ts).toBe(store.leadById(a)?.postTs);
    store.markRendered(a, first!.postVersion);
    expect(store.nextPostToRender()?.id).toBe(b);
    store.markRendered(b, version(b));
    expect(store.nextPostToRender()).toBeUndefined();
  });

  it('a change made while an older version was being rendered puts the lead back in the queue', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    const shown = store.nextPostToRender()!;
    click(id, BOB, 'reject', NOW + 2000);
    store.markRendered(id, shown.postVersion);
    expect(store.nextPostToRender()).toMatchObject({ id, postVersion: shown.postVersion + 1 });
  });

  it('markRendered never lowers the rendered version', () => {
    const id = postedLead();
    click(id, ANNA, 'accept', NOW + 1000);
    click(id, BOB, 'reject', NOW + 2000);
    const v = version(id);
    store.markRendered(id, v);
    store.markRendered(id, v - 1);
    expect(store.leadById(id)?.postRenderedVersion).toBe(v);
    expect(store.nextPostToRender()).toBeUndefined();
  });

  it('skips leads that are not posted', () => {
    const [queued] = store
      .insertLeads([leadInputSchema.parse({ name: 'Queued', campaign: 'Webinar A' })], NOW)
      .map((r) => Number(r.id)) as [number];
    click(queued, ANNA, 'accept', NOW + 1000);
    expect(version(queued)).toBeGreaterThan(0);
    expect(store.nextPostToRender()).toBeUndefined();
    store.markPostFailed(queued, 'invalid_blocks');
    expect(store.nextPostToRender()).toBeUndefined();
  });
});

describe('Store.leadByPost', () => {
  it('finds the lead of a post by channel and ts, and nothing for other messages', () => {
    const [a, b] = postedLeads(2, NOW + 7) as [number, number];
    const rowA = store.leadById(a)!;
    const rowB = store.leadById(b)!;
    expect(store.leadByPost(CHANNEL, rowA.postTs!)).toEqual({ id: a, postedAt: NOW + 7 });
    expect(store.leadByPost(CHANNEL, rowB.postTs!)).toEqual({ id: b, postedAt: NOW + 7 });
    expect(store.leadByPost('C0OTHER001', rowA.postTs!)).toBeUndefined();
    expect(store.leadByPost(CHANNEL, '1.000001')).toBeUndefined();
  });
});

describe('Store.postedLeadsSince', () => {
  it('lists posted leads whose post was made at or after `since`, oldest first', () => {
    const late = postedLead(NOW + 2000);
    const early = postedLead(NOW);
    const atCut = postedLead(NOW + 1000);
    store.insertLeads([leadInputSchema.parse({ name: 'Never posted', campaign: 'Webinar A' })], NOW);
    const since = store.postedLeadsSince(NOW + 1000);
    expect(since.map((l) => l.id)).toEqual([atCut, late]);
    expect(since[0]).toEqual({
      id: atCut,
      channel: CHANNEL,
      ts: store.leadById(atCut)?.postTs,
      postedAt: NOW + 1000,
    });
    expect(store.postedLeadsSince(0).map((l) => l.id)).toEqual([early, atCut, late]);
    expect(store.postedLeadsSince(NOW + 2001)).toEqual([]);
  });
});

describe('Store.standingReactions', () => {
  it('lists the standing decisions made by reaction, not buttons and not retracted ones', () => {
    const id = postedLead();
    const other = postedLead();
    react(id, ANNA, 'accept', 'white_check_mark', NOW + 1000);
    react(id, BOB, 'reject', 'x', NOW + 2000);
    react(id, CARL, 'accept', 'heavy_check_mark', NOW + 3000);
    click(id, CARL, 'reject', NOW + 4000, { reason: 'bad_fit' });
    store.retractReaction({ leadId: id, userId: BOB, reaction: 'x', at: NOW + 5000 });
    react(other, ANNA, 'reject', 'x', NOW + 1000);
    expect(
      store
        .standingReactions(id)
        .map((d) => [d.userId, d.reaction, d.verdict])
        .sort(),
    ).toEqual([
      [ANNA, 'white_check_mark', 'accept'],
      [CARL, 'heavy_check_mark', 'accept'],
    ]);
    expect(store.standingReactions(other).map((d) => d.leadId)).toEqual([other]);
  });
});
