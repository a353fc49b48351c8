import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { parseStatsCommand, type StatsQuery } from '../../src/domain/statsCommand.js';
import type { GroupStats, StatsReport } from '../../src/domain/statsReport.js';
import { StatsService } from '../../src/services/stats.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { StatsStore } from '../../src/storage/stats.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';
import { at, DAY, type FixtureLead, HOUR, historicalLeads, MINUTE } from '../harness/fixtures.js';

/*
 * One hand-built month of leads, TIMEZONE Europe/Berlin, "now" Friday 2026-11-20 12:00 CET.
 * The default period (30d) runs from Thu 2026-10-22 00:00 CEST (= Oct 21 22:00Z; summer time
 * ends Sun Oct 25) to now. Every expected number below is counted by hand from this list.
 *
 * Spring Webinar (webinar) — "  spring WEBINAR  " is the same campaign
 *   L1  Nov 2 10:00   BOB ✗ +10m retracted +15m; ANNA ✓ +30m      accepted, 30m
 *   L2  Nov 3 10:00   BOB ✗ bad_fit +2h   (spelled "  spring WEBINAR  ")  rejected, 2h
 *   L3  Nov 4 10:00   ANNA ✗ no reason +1h                          rejected (no reason), 1h
 *   L4  Nov 5 10:00   ANNA ✓ +10m retracted +20m                    pending, SLA breach
 *   L5  Nov 6 10:00   ANNA ✓ +1h; BOB ✗ no_budget +3h (disagree)    rejected, 1h
 *   L6  Nov 19 20:00  –                                             pending (16 h), no breach
 *   L7  Nov 7 10:00   CARA ✓ +30h                                   accepted, 30h, SLA breach
 *   → posted 7, acc 2, rej 3 (1 without reason), pending 2, breaches 2, rate 2/5,
 *     times [30m 1h 1h 2h 30h] → median 1h
 * Spring Webinar EMEA (webinar)
 *   L8  Nov 10 09:00  BOB ✓ +45m
 *   L9  Nov 10 09:30  BOB ✓ +15m
 *   L10 Oct 22 00:01 CEST (first minute of the period)  CARA ✗ duplicate +5h
 *   → posted 3, acc 2, rej 1, rate 2/3, times [15m 45m 5h] → median 45m
 * Trade Show Berlin (event)
 *   L11 Nov 12 14:00  CARA ✗ not_ready +20m
 *   L12 Nov 12 14:05  CARA ✗ not_ready +25m
 *   L13 Nov 13 08:00  ANNA ✗ competitor +2h
 *   L14 Nov 16 11:00  –                                             pending, SLA breach
 *   L15 Nov 20 11:00  –                                             pending (1 h)
 *   L16 Nov 14 09:00  ANNA ✓ button +1h, then ANNA ✗ bad_data button +3h   rejected, 1h
 *   → posted 6, acc 0, rej 4, pending 2, breaches 1, rate 0/4, times [20m 25m 1h 2h] → 42.5m
 * Google Ads
 *   L17 Nov 17 10:00  paid-search  BOB ✓ +3h
 *   L18 Nov 18 10:00  (no source)  BOB ✓ +26h                      SLA breach
 *   → posted 2, acc 2, breaches 1, times [3h 26h] → median 14.5h
 * Bulk List Q4 (email)
 *   12 leads Nov 9 08:00, 08:10 … 09:50, DAN ✓ +1h each → posted 12, acc 12, median 1h
 * Outside the period (must count nowhere)
 *   L19 Oct 21 23:59 CEST (last minute before the period), Spring Webinar, ANNA ✗ bad_fit +1h
 *   L20 Sep 1 10:00, Trade Show Berlin, pending
 *
 * Totals: posted 30, acc 18, rej 8 (1 without reason), pending 4, breaches 4, rate 18/26;
 * 26 decision times, the 13th and 14th are both 1h → median 1h.
 */

const ZONE = 'Europe/Berlin';
const NOW = at('2026-11-20T12:00:00+01:00');
const ANNA = 'U0ANNA0001';
const BOB = 'U0BOB00001';
const CARA = 'U0CARA0001';
const DAN = 'U0DAN00001';

const SW = 'Spring Webinar';
const EMEA = 'Spring Webinar EMEA';
const TRADE = 'Trade Show Berlin';
const ADS = 'Google Ads';
const BULK = 'Bulk List Q4';

const FIXTURE: FixtureLead[] = [
  {
    name: 'L1',
    campaign: SW,
    source: 'webinar',
    postedAt: at('2026-11-02T10:00+01:00'),
    decisions: [
      { user: BOB, verdict: 'reject', reason: 'bad_fit', after: 10 * MINUTE, retractedAfter: 15 * MINUTE },
      { user: ANNA, verdict: 'accept', after: 30 * MINUTE },
    ],
  },
  {
    name: 'L2',
    campaign: '  spring WEBINAR  ',
    source: 'webinar',
    postedAt: at('2026-11-03T10:00+01:00'),
    decisions: [{ user: BOB, verdict: 'reject', reason: 'bad_fit', after: 2 * HOUR }],
  },
  {
    name: 'L3',
    campaign: SW,
    source: 'webinar',
    postedAt: at('2026-11-04T10:00+01:00'),
    decisions: [{ user: ANNA, verdict: 'reject', after: HOUR }],
  },
  {
    name: 'L4',
    company: 'Umbrella Corp',
    campaign: SW,
    source: 'webinar',
    postedAt: at('2026-11-05T10:00+01:00'),
    decisions: [{ user: ANNA, verdict: 'accept', after: 10 * MINUTE, retractedAfter: 20 * MINUTE }],
  },
  {
    name: 'L5',
    campaign: SW,
    source: 'webinar',
    postedAt: at('2026-11-06T10:00+01:00'),
    decisions: [
      { user: ANNA, verdict: 'accept', after: HOUR },
      { user: BOB, verdict: 'reject', reason: 'no_budget', after: 3 * HOUR },
    ],
  },
  { name: 'L6', campaign: SW, source: 'webinar', postedAt: at('2026-11-19T20:00+01:00') },
  {
    name: 'L7',
    campaign: SW,
    source: 'webinar',
    postedAt: at('2026-11-07T10:00+01:00'),
    decisions: [{ user: CARA, verdict: 'accept', after: 30 * HOUR }],
  },
  {
    name: 'L8',
    campaign: EMEA,
    source: 'webinar',
    postedAt: at('2026-11-10T09:00+01:00'),
    decisions: [{ user: BOB, verdict: 'accept', after: 45 * MINUTE }],
  },
  {
    name: 'L9',
    campaign: EMEA,
    source: 'webinar',
    postedAt: at('2026-11-10T09:30+01:00'),
    decisions: [{ user: BOB, verdict: 'accept', after: 15 * MINUTE }],
  },
  {
    name: 'L10',
    campaign: EMEA,
    source: 'webinar',
    postedAt: at('2026-10-22T00:01+02:00'),
    decisions: [{ user: CARA, verdict: 'reject', reason: 'duplicate', after: 5 * HOUR }],
  },
  {
    name: 'L11',
    campaign: TRADE,
    source: 'event',
    postedAt: at('2026-11-12T14:00+01:00'),
    decisions: [{ user: CARA, verdict: 'reject', reason: 'not_ready', after: 20 * MINUTE }],
  },
  {
    name: 'L12',
    campaign: TRADE,
    source: 'event',
    postedAt: at('2026-11-12T14:05+01:00'),
    decisions: [{ user: CARA, verdict: 'reject', reason: 'not_ready', after: 25 * MINUTE }],
  },
  {
    name: 'L13',
    campaign: TRADE,
    source: 'event',
    postedAt: at('2026-11-13T08:00+01:00'),
    decisions: [{ user: ANNA, verdict: 'reject', reason: 'competitor', after: 2 * HOUR }],
  },
  {
    name: 'L14',
    company: 'Initech',
    campaign: TRADE,
    source: 'event',
    postedAt: at('2026-11-16T11:00+01:00'),
  },
  { email: 'l15@example.com', campaign: TRADE, source: 'event', postedAt: at('2026-11-20T11:00+01:00') },
  {
    name: 'L16',
    campaign: TRADE,
    source: 'event',
    postedAt: at('2026-11-14T09:00+01:00'),
    decisions: [
      { user: ANNA, verdict: 'accept', after: HOUR, source: 'button' },
      { user: ANNA, verdict: 'reject', reason: 'bad_data', after: 3 * HOUR, source: 'button' },
    ],
  },
  {
    name: 'L17',
    campaign: ADS,
    source: 'paid-search',
    postedAt: at('2026-11-17T10:00+01:00'),
    decisions: [{ user: BOB, verdict: 'accept', after: 3 * HOUR }],
  },
  {
    name: 'L18',
    campaign: ADS,
    postedAt: at('2026-11-18T10:00+01:00'),
    decisions: [{ user: BOB, verdict: 'accept', after: 26 * HOUR }],
  },
  ...Array.from(
    { length: 12 },
    (_, i): FixtureLead => ({
      name: `Bulk ${i + 1}`,
      campaign: BULK,
      source: 'email',
      postedAt: at('2026-11-09T08:00+01:00') + i * 10 * MINUTE,
      decisions: [{ user: DAN, verdict: 'accept', after: HOUR }],
    }),
  ),
  {
    name: 'L19',
    campaign: SW,
    source: 'webinar',
    postedAt: at('2026-10-21T23:59+02:00'),
    decisions: [{ user: ANNA, verdict: 'reject', reason: 'bad_fit', after: HOUR }],
  },
  { name: 'L20', campaign: TRADE, source: 'event', postedAt: at('2026-09-01T10:00+02:00') },
];

let temp: ReturnType<typeof tempDir>;
let db: Db;
let service: StatsService;

function serviceAt(now: number, database: Db): StatsService {
  return new StatsService(
    { stats: new StatsStore(database), clock: { now: () => now } },
    { timezone: ZONE, slaHours: 24, reasons: DEFAULT_REASONS },
  );
}

function queryOf(text: string): StatsQuery {
  const parsed = parseStatsCommand(text);
  if (!parsed.ok) throw new Error(`"${text}" does not parse: ${parsed.error}`);
  return parsed.query;
}

function run(text: string, on = service): StatsReport {
  const outcome = on.run(queryOf(text));
  if (!outcome.ok) throw new Error(`"${text}" failed: ${outcome.error}`);
  return outcome.report;
}

function errorOf(text: string): string {
  const outcome = service.run(queryOf(text));
  if (outcome.ok) throw new Error(`"${text}" should fail`);
  return outcome.error;
}

/** The numbers of a row, without the interval (checked in the domain tests). */
const numbers = (g: GroupStats) => ({
  posted: g.posted,
  accepted: g.accepted,
  rejected: g.rejected,
  rejectedNoReason: g.rejectedNoReason,
  pending: g.pending,
  slaBreaches: g.slaBreaches,
  rate: g.judgement.rate,
  medianDecisionMs: g.medianDecisionMs,
  verdict: g.judgement.verdict,
});

beforeAll(() => {
  temp = tempDir();
  db = openDatabase(join(temp.dir, 'leadloop.db'));
  new Store(db).insertHistory(historicalLeads(FIXTURE));
  service = serviceAt(NOW, db);
});

afterAll(() => {
  db.$client.close();
  temp.cleanup();
});

describe('the fixture', () => {
  it('stores names that differ only in case and spaces as one campaign, named by its first spelling', () => {
    const rows = db.$client.prepare('SELECT key, name FROM campaigns ORDER BY key').all();
    expect(rows).toEqual([
      { key: 'bulk list q4', name: BULK },
      { key: 'google ads', name: ADS },
      { key: 'spring webinar', name: SW },
      { key: 'spring webinar emea', name: EMEA },
      { key: 'trade show berlin', name: TRADE },
    ]);
  });
});

describe('StatsService: the default view (last 30 days)', () => {
  it('covers Oct 22 00:00 CEST up to now', () => {
    const r = run('');
    expect(r.period.start).toBe(at('2026-10-22T00:00+02:00'));
    expect(r.period.end).toBe(NOW);
    expect(r.now).toBe(NOW);
    expect(r.slaHours).toBe(24);
  });

  it('counts every campaign, by post time, largest first', () => {
    const r = run('');
    expect(r.campaigns.map((c) => c.campaign)).toEqual([BULK, SW, TRADE, EMEA, ADS]);
    const by = (name: string) => numbers(r.campaigns.find((c) => c.campaign === name)!);
    expect(by(SW)).toEqual({
      posted: 7,
      accepted: 2,
      rejected: 3,
      rejectedNoReason: 1,
      pending: 2,
      slaBreaches: 2,
      rate: 2 / 5,
      medianDecisionMs: HOUR,
      verdict: 'too_few',
    });
    expect(by(EMEA)).toEqual({
      posted: 3,
      accepted: 2,
      rejected: 1,
      rejectedNoReason: 0,
      pending: 0,
      slaBreaches: 0,
      rate: 2 / 3,
      medianDecisionMs: 45 * MINUTE,
      verdict: 'too_few',
    });
    expect(by(TRADE)).toEqual({
      posted: 6,
      accepted: 0,
      rejected: 4,
      rejectedNoReason: 0,
      pending: 2,
      slaBreaches: 1,
      rate: 0,
      medianDecisionMs: 42.5 * MINUTE,
      verdict: 'too_few',
    });
    expect(by(ADS)).toEqual({
      posted: 2,
      accepted: 2,
      rejected: 0,
      rejectedNoReason: 0,
      pending: 0,
      slaBreaches: 1,
      rate: 1,
      medianDecisionMs: 14.5 * HOUR,
      verdict: 'too_few',
    });
    // 12 of 12 → Wilson 75.8–100%, wholly above the overall 18/26 = 69.2%.
    expect(by(BULK)).toEqual({
      posted: 12,
      accepted: 12,
      rejected: 0,
      rejectedNoReason: 0,
      pending: 0,
      slaBreaches: 0,
      rate: 1,
      medianDecisionMs: HOUR,
      verdict: 'above',
    });
  });

  it('adds up the totals, and judges no campaign against itself', () => {
    const r = run('');
    expect(numbers(r.totals)).toEqual({
      posted: 30,
      accepted: 18,
      rejected: 8,
      rejectedNoReason: 1,
      pending: 4,
      slaBreaches: 4,
      rate: 18 / 26,
      medianDecisionMs: HOUR,
      verdict: 'in_line',
    });
    expect(r.totals.judgement.decided).toBe(26);
  });

  it('counts per source, a lead without one as "(none)"', () => {
    const r = run('');
    const sources = Object.fromEntries(
      r.sources.map((s) => [
        s.source,
        [s.posted, s.accepted, s.rejected, s.rejectedNoReason, s.pending, s.slaBreaches],
      ]),
    );
    expect(sources).toEqual({
      email: [12, 12, 0, 0, 0, 0],
      webinar: [10, 4, 4, 1, 2, 2],
      event: [6, 0, 4, 0, 2, 1],
      'paid-search': [1, 1, 0, 0, 0, 0],
      '(none)': [1, 1, 0, 0, 0, 1],
    });
    expect(r.sources.map((s) => s.posted)).toEqual([12, 10, 6, 1, 1]);
  });

  it('leaves the other views out', () => {
    const r = run('');
    expect(r.reasons).toBeUndefined();
    expect(r.reps).toBeUndefined();
    expect(r.pending).toBeUndefined();
    expect(r.campaignFilter).toBeUndefined();
  });
});

describe('StatsService: reasons', () => {
  it('counts the standing reason of each rejected lead, with its share and kind', () => {
    const r = run('reasons');
    expect(r.reasons!.byCampaign).toEqual([]);
    expect(r.reasons!.overall).toEqual([
      { reason: 'not_ready', label: 'Not ready / timing', kind: 'recycle', count: 2, share: 2 / 8 },
      { reason: 'bad_fit', label: 'Bad fit / not our ICP', kind: 'disqualify', count: 1, share: 1 / 8 },
      { reason: 'bad_data', label: 'Bad or fake contact data', kind: 'disqualify', count: 1, share: 1 / 8 },
      {
        reason: 'competitor',
        label: 'Competitor, vendor or employee',
        kind: 'disqualify',
        count: 1,
        share: 1 / 8,
      },
      {
        reason: 'duplicate',
        label: 'Duplicate / already in pipeline',
        kind: 'disqualify',
        count: 1,
        share: 1 / 8,
      },
      { reason: 'no_budget', label: 'No budget', kind: 'recycle', count: 1, share: 1 / 8 },
      { reason: null, label: 'No reason given', kind: 'none', count: 1, share: 1 / 8 },
    ]);
    const share = (kind: string) =>
      r.reasons!.overall.filter((x) => x.kind === kind).reduce((s, x) => s + x.share, 0);
    expect(share('disqualify')).toBeCloseTo(4 / 8, 12);
    expect(share('recycle')).toBeCloseTo(3 / 8, 12);
    expect(share('none')).toBeCloseTo(1 / 8, 12);
    // A retracted reject's reason (BOB's bad_fit on L1) and L19 outside the period are not counted.
    expect(r.reasons!.overall.reduce((n, x) => n + x.count, 0)).toBe(r.totals.rejected);
  });

  it('breaks reasons down per campaign when campaigns are named', () => {
    const r = run('reasons campaign spring');
    expect(r.reasons!.byCampaign).toEqual([
      {
        campaign: SW,
        reasons: [
          { reason: 'bad_fit', label: 'Bad fit / not our ICP', kind: 'disqualify', count: 1, share: 1 / 3 },
          { reason: 'no_budget', label: 'No budget', kind: 'recycle', count: 1, share: 1 / 3 },
          { reason: null, label: 'No reason given', kind: 'none', count: 1, share: 1 / 3 },
        ],
      },
      {
        campaign: EMEA,
        reasons: [
          {
            reason: 'duplicate',
            label: 'Duplicate / already in pipeline',
            kind: 'disqualify',
            count: 1,
            share: 1,
          },
        ],
      },
    ]);
    expect(r.reasons!.overall.map((x) => [x.reason, x.count])).toEqual([
      ['bad_fit', 1],
      ['duplicate', 1],
      ['no_budget', 1],
      [null, 1],
    ]);
  });
});

describe('StatsService: reps', () => {
  it("counts each rep's own standing verdict per lead, and the median time to their first decision", () => {
    const r = run('reps');
    expect(r.reps).toEqual([
      // 12 accepts at +1h.
      { userId: DAN, decisions: 12, accepted: 12, rejected: 0, medianDecisionMs: HOUR },
      // L2 ✗ 2h, L5 ✗ 3h, L8 ✓ 45m, L9 ✓ 15m, L17 ✓ 3h, L18 ✓ 26h; the retracted ✗ on L1 does not count.
      // [15m 45m 2h 3h 3h 26h] → (2h + 3h)/2
      { userId: BOB, decisions: 6, accepted: 4, rejected: 2, medianDecisionMs: 2.5 * HOUR },
      // L1 ✓ 30m, L3 ✗ 1h, L5 ✓ 1h (outvoted by BOB, still ANNA's), L13 ✗ 2h, L16 ✓→✗ first at 1h;
      // the retracted ✓ on L4 and L19 (outside) do not count. [30m 1h 1h 1h 2h] → 1h
      { userId: ANNA, decisions: 5, accepted: 2, rejected: 3, medianDecisionMs: HOUR },
      // L7 ✓ 30h, L10 ✗ 5h, L11 ✗ 20m, L12 ✗ 25m. [20m 25m 5h 30h] → (25m + 5h)/2
      { userId: CARA, decisions: 4, accepted: 1, rejected: 3, medianDecisionMs: 162.5 * MINUTE },
    ]);
  });
});

describe('StatsService: pending', () => {
  it('lists the pending leads oldest first, with how long they wait and whether they breach the SLA', () => {
    const r = run('pending');
    expect(r.pending!.total).toBe(4);
    expect(r.pending!.breached).toBe(2);
    expect(
      r.pending!.oldest.map((l) => ({
        who: l.who,
        company: l.company,
        campaign: l.campaign,
        waitingMs: l.waitingMs,
        breached: l.breached,
      })),
    ).toEqual([
      { who: 'L4', company: 'Umbrella Corp', campaign: SW, waitingMs: 15 * DAY + 2 * HOUR, breached: true },
      { who: 'L14', company: 'Initech', campaign: TRADE, waitingMs: 4 * DAY + HOUR, breached: true },
      { who: 'L6', company: null, campaign: SW, waitingMs: 16 * HOUR, breached: false },
      { who: 'l15@example.com', company: null, campaign: TRADE, waitingMs: HOUR, breached: false },
    ]);
    for (const l of r.pending!.oldest) {
      expect(l.channel).toBe('C0LEADS001');
      expect(l.ts).toMatch(/^\d+\.\d{6}$/);
      expect(l.postedAt).toBe(NOW - l.waitingMs);
    }
  });

  it('narrows to a campaign', () => {
    const r = run('pending campaign trade');
    expect(r.pending!.total).toBe(2);
    expect(r.pending!.breached).toBe(1);
    expect(r.pending!.oldest.map((l) => l.who)).toEqual(['L14', 'l15@example.com']);
  });
});

describe('StatsService: periods select leads by post time, cut at local midnight', () => {
  it('a lead posted 23:59 the day before the period is out; one posted 00:01 on its first day is in', () => {
    const r = run('30d');
    // L10 (Oct 22 00:01 CEST) is EMEA's third lead; L19 (Oct 21 23:59 CEST) would be SW's eighth.
    expect(r.campaigns.find((c) => c.campaign === EMEA)!.posted).toBe(3);
    expect(r.campaigns.find((c) => c.campaign === SW)!.posted).toBe(7);
    // One day longer reaches back to Oct 21 00:00 and takes L19 in.
    const longer = run('31d');
    expect(longer.campaigns.find((c) => c.campaign === SW)).toMatchObject({ posted: 8, rejected: 4 });
    expect(longer.totals.posted).toBe(31);
  });

  it('last-week is Mon Nov 9 – Sun Nov 15', () => {
    const r = run('last-week');
    expect(r.period.start).toBe(at('2026-11-09T00:00+01:00'));
    expect(r.period.end).toBe(at('2026-11-16T00:00+01:00'));
    // 12 bulk + L8 L9 + L11 L12 L13 L16
    expect(r.totals.posted).toBe(18);
    expect(r.campaigns.map((c) => [c.campaign, c.posted])).toEqual([
      [BULK, 12],
      [TRADE, 4],
      [EMEA, 2],
    ]);
  });

  it('a range of one day', () => {
    const r = run('2026-11-12..2026-11-12');
    expect(r.totals).toMatchObject({ posted: 2, rejected: 2 });
  });

  it('a period with no leads has zero counts and no rates', () => {
    const r = run('2026-01-01..2026-01-31');
    expect(r.campaigns).toEqual([]);
    expect(numbers(r.totals)).toEqual({
      posted: 0,
      accepted: 0,
      rejected: 0,
      rejectedNoReason: 0,
      pending: 0,
      slaBreaches: 0,
      rate: undefined,
      medianDecisionMs: undefined,
      verdict: 'too_few',
    });
  });

  describe('across daylight saving time', () => {
    let dstTemp: ReturnType<typeof tempDir>;
    let dstDb: Db;
    let dst: StatsService;

    beforeAll(() => {
      dstTemp = tempDir();
      dstDb = openDatabase(join(dstTemp.dir, 'leadloop.db'));
      const campaign = 'DST check';
      new Store(dstDb).insertHistory(
        historicalLeads(
          [
            // 2026-W43, Mon Oct 19 – Sun Oct 25; clocks go back 03:00 CEST → 02:00 CET on Oct 25.
            ['a', '2026-10-18T23:59+02:00'], // out
            ['b', '2026-10-19T00:01+02:00'], // in
            ['c', '2026-10-25T02:30+02:00'], // in: the first 02:30
            ['d', '2026-10-25T02:30+01:00'], // in: the second 02:30
            ['e', '2026-10-25T23:59+01:00'], // in
            ['f', '2026-10-26T00:01+01:00'], // out
            // 2026-W13, Mon Mar 23 – Sun Mar 29; clocks go forward 02:00 CET → 03:00 CEST on Mar 29.
            ['g', '2026-03-22T23:59+01:00'], // out
            ['h', '2026-03-23T00:01+01:00'], // in
            ['i', '2026-03-29T03:30+02:00'], // in
            ['j', '2026-03-29T23:59+02:00'], // in
            ['k', '2026-03-30T00:01+02:00'], // out
          ].map(([name, iso]) => ({ name, campaign, postedAt: at(iso!) })),
        ),
      );
      dst = serviceAt(NOW, dstDb);
    });

    afterAll(() => {
      dstDb.$client.close();
      dstTemp.cleanup();
    });

    it('the autumn week lasts 169 hours and holds both 02:30s', () => {
      const r = run('2026-W43', dst);
      expect(r.period.start).toBe(at('2026-10-19T00:00+02:00'));
      expect(r.period.end).toBe(at('2026-10-26T00:00+01:00'));
      expect(r.period.end - r.period.start).toBe(169 * HOUR);
      expect(r.totals.posted).toBe(4);
      expect(run('pending 2026-W43', dst).pending!.oldest.map((l) => l.who)).toEqual(['b', 'c', 'd', 'e']);
    });

    it('the spring week lasts 167 hours', () => {
      const r = run('2026-W13', dst);
      expect(r.period.start).toBe(at('2026-03-23T00:00+01:00'));
      expect(r.period.end).toBe(at('2026-03-30T00:00+02:00'));
      expect(r.period.end - r.period.start).toBe(167 * HOUR);
      expect(r.totals.posted).toBe(3);
      expect(run('2026-03-23..2026-03-29', dst).totals.posted).toBe(3);
    });

    it('last-week seen from the Wednesday after is the same autumn week', () => {
      const r = run('last-week', serviceAt(at('2026-10-28T09:00+01:00'), dstDb));
      expect(r.totals.posted).toBe(4);
    });
  });
});

describe('StatsService: campaign <name>', () => {
  it('matches case-insensitively, ignoring extra spaces', () => {
    for (const text of [
      'campaign spring webinar',
      'campaign SPRING   Webinar',
      'campaign "  Spring Webinar "',
    ]) {
      const r = run(text);
      expect(r.campaignFilter!.matched, text).toEqual([SW]);
      expect(r.campaigns.map((c) => c.campaign)).toEqual([SW]);
      expect(numbers(r.totals)).toEqual({ ...numbers(r.campaigns[0]!), verdict: 'too_few' });
      expect(r.totals.posted).toBe(7);
    }
  });

  it('an exact match wins over longer names it is a prefix of', () => {
    const r = run('campaign Spring Webinar');
    expect(r.campaignFilter).toEqual({ asked: 'Spring Webinar', matched: [SW] });
  });

  it('matches a prefix', () => {
    expect(run('campaign trade').campaignFilter).toEqual({ asked: 'trade', matched: [TRADE] });
    expect(run('campaign spring webinar e').campaignFilter!.matched).toEqual([EMEA]);
  });

  it('lists every campaign a prefix matches, and counts them together', () => {
    const r = run('campaign spring');
    expect(r.campaignFilter).toEqual({ asked: 'spring', matched: [SW, EMEA] });
    expect(r.campaigns.map((c) => c.campaign)).toEqual([SW, EMEA]);
    expect(r.totals).toMatchObject({ posted: 10, accepted: 4, rejected: 4, pending: 2, slaBreaches: 2 });
    // Overall for the filter is 4/8; neither campaign has 10 decided leads.
    expect(r.totals.judgement.rate).toBe(0.5);
  });

  it('refuses a name that matches nothing, naming it', () => {
    expect(errorOf('campaign nope')).toContain('nope');
    expect(errorOf('campaign "Spring Webinar EMEA 2027"')).toContain('Spring Webinar EMEA 2027');
  });

  it('treats % and _ in a name as text, not as wildcards', () => {
    expect(errorOf('campaign %')).toContain('%');
    expect(errorOf('campaign _')).toContain('_');
    expect(errorOf('campaign spring%')).toContain('spring%');
  });

  it('still answers for a campaign with no leads in the period', () => {
    const r = run('campaign trade 2026-01-01..2026-01-31');
    expect(r.campaignFilter!.matched).toEqual([TRADE]);
    expect(r.totals.posted).toBe(0);
  });
});
