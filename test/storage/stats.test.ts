import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { parseStatsCommand } from '../../src/domain/statsCommand.js';
import type { StatsReport } from '../../src/domain/statsReport.js';
import { StatsService } from '../../src/services/stats.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import {
  type CohortPlan,
  nextUtcMonth,
  planCohort,
  StatsStore,
  utcMonthOf,
  utcMonthStart,
} from '../../src/storage/stats.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';
import { at, DAY, type FixtureLead, HOUR, historicalLeads, MINUTE } from '../harness/fixtures.js';

/*
 * Month rollups are a cache: every answer must be the one the leads and decisions give when read
 * directly. These tests run the same queries through a StatsStore with rollups and one without,
 * on the same database, before and after decisions change months that are already rolled up.
 */

describe('planCohort', () => {
  const NOV = at('2026-11-01T00:00:00Z');
  const DEC = at('2026-12-01T00:00:00Z');
  const keys = (plan: CohortPlan) => plan.buckets.map((b) => b.key);

  it('keys months as YYYYMM and days as YYYYMMDD, in UTC', () => {
    expect(utcMonthOf(at('2026-11-30T23:59:59.999Z'))).toBe(202611);
    expect(utcMonthOf(at('2026-12-01T00:00:00Z'))).toBe(202612);
    expect(utcMonthStart(202612)).toBe(DEC);
    expect(utcMonthStart(202701)).toBe(at('2027-01-01T00:00:00Z'));
    expect(keys(planCohort(at('2026-11-30T00:00:00Z'), DEC, DEC))).toEqual([20261130]);
  });

  it('takes whole months, then whole days, from the rollup and reads the ragged ends', () => {
    const start = at('2026-08-15T22:00:00Z');
    const end = at('2026-11-20T10:00:00Z');
    const plan = planCohort(start, end, end);
    const days = (from: number, to: number, month: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => month * 100 + from + i);
    expect(keys(plan)).toEqual([...days(16, 31, 202608), 202609, 202610, ...days(1, 19, 202611)]);
    expect(plan.raw).toEqual([
      [start, at('2026-08-16T00:00:00Z')],
      [at('2026-11-20T00:00:00Z'), end],
    ]);
  });

  it('reads what ends after the cacheable limit', () => {
    expect(planCohort(NOV, DEC, DEC)).toMatchObject({
      buckets: [{ key: 202611, start: NOV, end: DEC }],
      raw: [],
    });
    const limited = planCohort(NOV, DEC, at('2026-11-03T12:00:00Z'));
    expect(keys(limited)).toEqual([20261101, 20261102]);
    expect(limited.raw).toEqual([[at('2026-11-03T00:00:00Z'), DEC]]);
    expect(planCohort(NOV + 1, NOV + DAY, DEC)).toEqual({ buckets: [], raw: [[NOV + 1, NOV + DAY]] });
    expect(planCohort(NOV, NOV, DEC)).toEqual({ buckets: [], raw: [] });
  });

  it('covers the period exactly, without overlaps, with whole UTC days and months, for any bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
        fc.integer({ min: 0, max: 500 * DAY }),
        fc.integer({ min: -100 * DAY, max: 600 * DAY }),
        (start, length, limitOffset) => {
          const end = start + length;
          const plan = planCohort(start, end, start + limitOffset);
          const pieces = [...plan.raw, ...plan.buckets.map((b): [number, number] => [b.start, b.end])].sort(
            (a, b) => a[0] - b[0],
          );
          let cursor = start;
          for (const [from, to] of pieces) {
            expect(from).toBe(cursor);
            expect(to).toBeGreaterThan(from);
            cursor = to;
          }
          expect(cursor).toBe(length === 0 ? start : end);
          for (const b of plan.buckets) {
            expect(b.end).toBeLessThanOrEqual(start + limitOffset);
            const month = b.key < 1_000_000;
            const startOf = new Date(b.start);
            expect(startOf.getUTCHours() + startOf.getUTCMinutes() + startOf.getUTCMilliseconds()).toBe(0);
            if (month)
              expect([b.start, b.end]).toEqual([utcMonthStart(b.key), utcMonthStart(nextUtcMonth(b.key))]);
            else expect(b.end - b.start).toBe(DAY);
          }
        },
      ),
    );
  });
});

describe('rollups give the answers of the leads themselves', () => {
  let temp: ReturnType<typeof tempDir> | undefined;
  let db: Db | undefined;
  afterEach(() => {
    db?.$client.close();
    temp?.cleanup();
    db = undefined;
    temp = undefined;
  });

  const REPS = ['U0ANNA0001', 'U0BOB00001', 'U0CARA0001', 'U0DAN00001'];
  const CAMPAIGNS = ['Spring Webinar', 'Spring Webinar EMEA', 'Trade Show', 'Google Ads'];
  const SOURCES = ['webinar', 'event', undefined];
  const REASONS = ['bad_fit', 'not_ready', 'other', undefined];
  /** Five months of leads, ending a few days before "now". */
  const FROM = at('2026-06-20T00:00:00Z');
  const NOW = at('2026-11-20T12:00:00Z');

  const decisionArb = fc.record({
    user: fc.constantFrom(...REPS),
    verdict: fc.constantFrom('accept' as const, 'reject' as const),
    after: fc.integer({ min: MINUTE, max: 3 * DAY }),
    reason: fc.constantFrom(...REASONS),
    retractedAfter: fc.option(fc.integer({ min: 1, max: 2 * DAY }), { nil: undefined }),
    source: fc.constantFrom('reaction' as const, 'button' as const),
  });
  const leadArb = fc.record({
    campaign: fc.constantFrom(...CAMPAIGNS),
    source: fc.constantFrom(...SOURCES),
    postedAt: fc.integer({ min: FROM, max: NOW - HOUR }),
    decisions: fc.array(decisionArb, { maxLength: 3 }),
  });
  const historyArb = fc.array(leadArb, { minLength: 20, maxLength: 120 }).map((leads) =>
    leads.map(
      (l): FixtureLead => ({
        ...l,
        decisions: l.decisions
          .filter((d) => l.postedAt + d.after <= NOW)
          .map((d) => ({
            ...d,
            reason: d.verdict === 'reject' ? d.reason : undefined,
            retractedAfter:
              d.retractedAfter === undefined || l.postedAt + d.after + d.retractedAfter > NOW
                ? undefined
                : d.after + d.retractedAfter,
          })),
      }),
    ),
  );
  const QUERIES = [
    '2026-06-01..2026-11-20',
    '2026-07-01..2026-09-30 reasons',
    '2026-06-15..2026-11-18 reps',
    '2026-07-01..2026-10-31 pending',
    '2026-08-01..2026-10-31 campaign spring reasons',
    '2026-08-01..2026-10-31 campaign trade reps',
    '90d',
    'quarter',
  ];
  const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns'];

  /** A report as plain data; the period's label and the query are the same on both sides. */
  const plain = (report: StatsReport) => JSON.parse(JSON.stringify(report)) as unknown;

  function services(database: Db, zone: string, slaHours: number, now = NOW) {
    const settings = { timezone: zone, slaHours, reasons: DEFAULT_REASONS };
    const clock = { now: () => now };
    return {
      cached: new StatsService({ stats: new StatsStore(database), clock }, settings),
      direct: new StatsService({ stats: new StatsStore(database, { rollups: false }), clock }, settings),
    };
  }

  /** Every query through both services; `cached` keeps its decoded rollups from one call to the next. */
  function compareAll({ cached, direct }: ReturnType<typeof services>, zone: string) {
    for (const text of QUERIES) {
      const parsed = parseStatsCommand(text);
      if (!parsed.ok) throw new Error(parsed.error);
      const a = cached.run(parsed.query);
      const b = direct.run(parsed.query);
      expect(a.ok && plain(a.report), `${text} in ${zone}`).toEqual(b.ok && plain(b.report));
    }
  }

  const freshBuckets = (database: Db) =>
    database.$client.prepare('SELECT bucket FROM stats_fresh ORDER BY bucket').pluck().all() as number[];

  it('on random histories, in several time zones, before and after late decisions on rolled-up months', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.constantFrom(...ZONES),
        fc.constantFrom(1, 24, 72),
        fc.array(
          fc.record({
            lead: fc.nat(),
            user: fc.constantFrom(...REPS),
            verdict: fc.constantFrom('accept' as const, 'reject' as const),
            kind: fc.constantFrom('decide', 'retract', 'reason'),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (history, zone, slaHours, changes) => {
          db = openDatabase(':memory:');
          const store = new Store(db);
          const ids = store.insertHistory(historicalLeads(history));
          const both = services(db, zone, slaHours);
          compareAll(both, zone);
          // The rollup was used: the test cannot pass by reading the leads on both sides.
          expect(freshBuckets(db).length).toBeGreaterThan(0);

          let n = 0;
          for (const change of changes) {
            const leadId = ids[change.lead % ids.length] as number;
            const when = NOW - 10 * MINUTE + n++;
            if (change.kind === 'decide') {
              store.recordDecision({
                leadId,
                userId: change.user,
                verdict: change.verdict,
                source: 'reaction',
                reaction: change.verdict === 'accept' ? 'white_check_mark' : 'x',
                decidedAt: when,
              });
            } else if (change.kind === 'retract') {
              store.retractReaction({ leadId, userId: change.user, reaction: 'x', at: when });
              store.retractReaction({ leadId, userId: change.user, reaction: 'white_check_mark', at: when });
            } else {
              store.attachReason({ leadId, userId: change.user, reason: 'no_budget', note: null });
            }
          }
          // The same services: rows decoded before the changes must not be taken for fresh ones.
          compareAll(both, zone);
          // Days later, the same rollups: which pending leads breach the SLA is counted anew.
          compareAll(services(db, zone, slaHours, NOW + 2 * DAY + 5 * HOUR), zone);
          // Per-rep numbers read decisions.lead_posted_at: the triggers keep it the lead's.
          const drifted = db.$client
            .prepare(
              'SELECT count(*) FROM decisions d JOIN leads l ON l.id = d.lead_id WHERE d.lead_posted_at IS NOT l.posted_at',
            )
            .pluck()
            .get();
          expect(drifted).toBe(0);
          db.$client.close();
          db = undefined;
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a decision on a rolled-up month unlists it, and the next query rolls it up again', () => {
    db = openDatabase(':memory:');
    const store = new Store(db);
    const [id] = store.insertHistory(
      historicalLeads([
        { campaign: 'Trade Show', postedAt: at('2026-08-10T10:00:00Z') },
        {
          campaign: 'Trade Show',
          postedAt: at('2026-09-10T10:00:00Z'),
          decisions: [{ user: REPS[0] as string, verdict: 'accept', after: HOUR }],
        },
      ]),
    );
    const { cached } = services(db, 'UTC', 24);
    const query = parseStatsCommand('2026-08-01..2026-09-30');
    if (!query.ok) throw new Error(query.error);
    const before = cached.run(query.query);
    expect(before.ok && before.report.totals).toMatchObject({ posted: 2, accepted: 1, pending: 1 });
    expect(freshBuckets(db)).toEqual([202608, 202609]);

    store.recordDecision({
      leadId: id as number,
      userId: REPS[1] as string,
      verdict: 'reject',
      source: 'button',
      reason: 'bad_fit',
      decidedAt: NOW - HOUR,
    });
    expect(freshBuckets(db)).toEqual([202609]);
    const after = cached.run(query.query);
    expect(after.ok && after.report.totals).toMatchObject({
      posted: 2,
      accepted: 1,
      rejected: 1,
      pending: 0,
    });
    expect(freshBuckets(db)).toEqual([202608, 202609]);
  });

  it('a change while a bucket is being rolled up drops the claim, so the stale rollup is not published', () => {
    db = openDatabase(':memory:');
    const store = new Store(db);
    const [id] = store.insertHistory(
      historicalLeads([{ campaign: 'Trade Show', postedAt: at('2026-08-10T10:00:00Z') }]),
    );
    const claims = () =>
      (db as Db).$client.prepare('SELECT bucket FROM stats_building ORDER BY bucket').pluck().all();
    const claim = (bucket: number) =>
      (db as Db).$client.prepare('INSERT INTO stats_building (bucket, claimed_at) VALUES (?, 0)').run(bucket);
    claim(202608);
    claim(20260810);
    claim(20260811);
    store.recordDecision({
      leadId: id as number,
      userId: REPS[0] as string,
      verdict: 'accept',
      source: 'button',
      decidedAt: NOW - HOUR,
    });
    // The lead's day and month lost their claims; another day kept its own.
    expect(claims()).toEqual([20260811]);
  });

  it('a hand-run SQL change is seen too: moving a lead to another month unlists both, rewriting a value does not', () => {
    db = openDatabase(':memory:');
    const store = new Store(db);
    const [id] = store.insertHistory(
      historicalLeads([
        { campaign: 'Trade Show', postedAt: at('2026-08-10T10:00:00Z') },
        { campaign: 'Trade Show', postedAt: at('2026-09-10T10:00:00Z') },
      ]),
    );
    const { cached, direct } = services(db, 'UTC', 24);
    const query = parseStatsCommand('2026-08-01..2026-09-30');
    if (!query.ok) throw new Error(query.error);
    cached.run(query.query);
    expect(freshBuckets(db)).toEqual([202608, 202609]);
    db.$client.prepare("UPDATE leads SET state = 'pending' WHERE id = ?").run(id);
    expect(freshBuckets(db)).toEqual([202608, 202609]);
    db.$client.prepare('UPDATE leads SET posted_at = ? WHERE id = ?').run(at('2026-09-20T10:00:00Z'), id);
    expect(freshBuckets(db)).toEqual([]);
    const [a, b] = [cached.run(query.query), direct.run(query.query)];
    expect(a.ok && plain(a.report)).toEqual(b.ok && plain(b.report));
  });

  it('a database it cannot write to still answers, from the leads', () => {
    temp = tempDir();
    const path = `${temp.dir}/leadloop.db`;
    const writable = openDatabase(path);
    new Store(writable).insertHistory(
      historicalLeads([
        {
          campaign: 'Trade Show',
          postedAt: at('2026-08-10T10:00:00Z'),
          decisions: [{ user: REPS[0] as string, verdict: 'reject', reason: 'bad_fit', after: 2 * DAY }],
        },
      ]),
    );
    writable.$client.close();
    db = openDatabase(path);
    db.$client.pragma('query_only = ON');
    const { cached } = services(db, 'UTC', 24);
    const query = parseStatsCommand('2026-08-01..2026-08-31 reasons');
    if (!query.ok) throw new Error(query.error);
    const outcome = cached.run(query.query);
    expect(outcome.ok && outcome.report.totals).toMatchObject({ posted: 1, rejected: 1, slaBreaches: 1 });
    expect(outcome.ok && outcome.report.reasons?.overall[0]).toMatchObject({ reason: 'bad_fit', count: 1 });
    expect(freshBuckets(db)).toEqual([]);
  });
});
