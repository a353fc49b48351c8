import { describe, expect, it } from 'vitest';
import { buildDigest, type CampaignWeek, changeInPoints, formatChange } from '../../src/domain/digest.js';
import { previousPeriod, resolvePeriod } from '../../src/domain/period.js';
import type { Verdict } from '../../src/domain/stats.js';
import type {
  CampaignStats,
  GroupStats,
  PendingLead,
  ReasonStats,
  StatsReport,
} from '../../src/domain/statsReport.js';

const ZONE = 'Europe/Berlin';
const NOW = Date.parse('2026-11-23T09:00:00+01:00');
const HOUR = 3_600_000;
const WEEK = resolvePeriod({ kind: 'iso-week', week: '2026-W47' }, NOW, ZONE);
const PREVIOUS = previousPeriod(WEEK, ZONE);

/**
 * Hand-built stats, as StatsService would return them. The verdict is written by hand (default:
 * too_few under 10 decided, else in_line), since buildDigest only reads it.
 */
function campaign(
  campaignId: number,
  name: string,
  accepted: number,
  rejected: number,
  pending: number,
  verdict?: Verdict,
): CampaignStats {
  const decided = accepted + rejected;
  return {
    campaignId,
    campaign: name,
    posted: accepted + rejected + pending,
    accepted,
    rejected,
    rejectedNoReason: 0,
    pending,
    slaBreaches: 0,
    medianDecisionMs: decided > 0 ? HOUR : undefined,
    judgement: {
      decided,
      rate: decided > 0 ? accepted / decided : undefined,
      interval: undefined,
      verdict: verdict ?? (decided < 10 ? 'too_few' : 'in_line'),
    },
  };
}

function totalsOf(campaigns: readonly CampaignStats[], extra: Partial<GroupStats> = {}): GroupStats {
  const sum = (key: 'posted' | 'accepted' | 'rejected' | 'pending' | 'slaBreaches') =>
    campaigns.reduce((n, c) => n + c[key], 0);
  const accepted = sum('accepted');
  const decided = accepted + sum('rejected');
  return {
    posted: sum('posted'),
    accepted,
    rejected: sum('rejected'),
    rejectedNoReason: 0,
    pending: sum('pending'),
    slaBreaches: sum('slaBreaches'),
    medianDecisionMs: undefined,
    judgement: {
      decided,
      rate: decided > 0 ? accepted / decided : undefined,
      interval: undefined,
      verdict: decided < 10 ? 'too_few' : 'in_line',
    },
    ...extra,
  };
}

function report(
  period: typeof WEEK,
  campaigns: CampaignStats[],
  extras: Pick<StatsReport, 'reasons' | 'pending'> & { totals?: Partial<GroupStats> } = {},
): StatsReport {
  const r: StatsReport = {
    query: { period: period.spec, view: 'summary', share: true, help: false },
    period,
    now: NOW,
    slaHours: 24,
    campaigns,
    totals: totalsOf(campaigns, extras.totals),
    sources: [],
  };
  if (extras.reasons) r.reasons = extras.reasons;
  if (extras.pending) r.pending = extras.pending;
  return r;
}

const reason = (key: string, label: string, count: number, share: number): ReasonStats => ({
  reason: key,
  label,
  kind: 'disqualify',
  count,
  share,
});

/*
 * This week                      accepted rejected pending  rate      week before   change
 *  1 Spring Webinar                  12       8      10     12/20=.60  10/20=.50     ▲ 10 pts
 *  2 Trade Show Berlin (below)        3      17       5      3/20=.15   9/20=.45     ▼ 30 pts
 *  3 Newsletter                       5       5       2      5/10=.50  10/20=.50     = 0 pts
 *  7 Fresh Ads                        6       4       0      6/10=.60   0/0 (3 pend)  –  (no rate before)
 *  5 Cold List (too few)              0       0       4      –          1/2=.50       –  (no rate now)
 *  4 Partner Referral (too few)       2       1       0      2/3        absent        new
 *  6 Retargeting (too few)            0       2       0      0/2=0      absent        new
 *  8 Old Ad Set                     (absent)                            4/10=.40      not listed
 *
 * Totals: posted 86, accepted 28, rejected 37, pending 21: 28/65 = .430769.
 * Before: posted 75, accepted 34, rejected 38, pending 3:  34/72 = .472222.
 * Change: (.430769 − .472222)·100 = −4.1453 → −4.1 points.
 */
const SPRING = campaign(1, 'Spring Webinar', 12, 8, 10);
const TRADE = campaign(2, 'Trade Show Berlin', 3, 17, 5, 'below');
const NEWSLETTER = campaign(3, 'Newsletter', 5, 5, 2);
const FRESH = campaign(7, 'Fresh Ads', 6, 4, 0);
const COLD = campaign(5, 'Cold List', 0, 0, 4);
const PARTNER = campaign(4, 'Partner Referral', 2, 1, 0);
const RETARGETING = campaign(6, 'Retargeting', 0, 2, 0);

const TRADE_REASONS = [
  reason('bad_fit', 'Bad fit / not our ICP', 10, 10 / 17),
  reason('bad_data', 'Bad data', 7, 7 / 17),
];
const OVERALL_REASONS = [
  reason('bad_fit', 'Bad fit / not our ICP', 20, 20 / 37),
  reason('bad_data', 'Bad data', 17, 17 / 37),
];
const OLDEST: PendingLead[] = [
  {
    id: 9,
    who: 'Ana Silva',
    company: 'Acme',
    campaign: 'Spring Webinar',
    postedAt: WEEK.start,
    waitingMs: NOW - WEEK.start,
    breached: true,
    channel: 'C0LEADS',
    ts: '1763300000.000100',
  },
];

function weeks() {
  const thisWeek = report(WEEK, [SPRING, TRADE, NEWSLETTER, FRESH, COLD, PARTNER, RETARGETING], {
    reasons: {
      overall: OVERALL_REASONS,
      byCampaign: [
        { campaign: 'Spring Webinar', reasons: [reason('not_ready', 'Not ready', 8, 1)] },
        { campaign: 'Trade Show Berlin', reasons: TRADE_REASONS },
      ],
    },
    pending: { total: 21, breached: 6, oldest: OLDEST },
    totals: { slaBreaches: 9 },
  });
  const lastWeek = report(PREVIOUS, [
    campaign(1, 'Spring Webinar', 10, 10, 0),
    campaign(2, 'Trade Show Berlin', 9, 11, 0),
    campaign(3, 'Newsletter', 10, 10, 0),
    campaign(8, 'Old Ad Set', 4, 6, 0),
    campaign(5, 'Cold List', 1, 1, 0),
    campaign(7, 'Fresh Ads', 0, 0, 3),
  ]);
  return { thisWeek, lastWeek };
}

const build = () => buildDigest({ week: WEEK, previous: PREVIOUS, isoWeek: '2026-W47', ...weeks() });
/** The digest of W47 for these campaigns this week and the week before. */
const digestOf = (thisWeek: CampaignStats[], lastWeek: CampaignStats[] = []) =>
  buildDigest({
    week: WEEK,
    previous: PREVIOUS,
    isoWeek: '2026-W47',
    thisWeek: report(WEEK, thisWeek),
    lastWeek: report(PREVIOUS, lastWeek),
  });
const byName = (campaigns: readonly CampaignWeek[], name: string) =>
  campaigns.find((c) => c.campaign === name);

describe('changeInPoints', () => {
  it('is the difference of two rates in percentage points, to one decimal', () => {
    expect(changeInPoints(0.6, 0.5)).toBe(10);
    expect(changeInPoints(0.15, 0.45)).toBe(-30);
    expect(changeInPoints(0.5, 0.5)).toBe(0);
    // 2/3 − 1/2 = 0.16667 → 16.667 points → 16.7.
    expect(changeInPoints(2 / 3, 0.5)).toBe(16.7);
    // 0.123 − 0.1 = 0.023 → 2.3 points.
    expect(changeInPoints(0.123, 0.1)).toBe(2.3);
    expect(changeInPoints(0, 1)).toBe(-100);
  });

  it('is undefined when either week has no rate', () => {
    expect(changeInPoints(undefined, 0.5)).toBeUndefined();
    expect(changeInPoints(0.5, undefined)).toBeUndefined();
    expect(changeInPoints(undefined, undefined)).toBeUndefined();
  });
});

describe('formatChange', () => {
  const before = SPRING;
  it('shows the direction and the points: one decimal under 10, whole points from 10', () => {
    expect(formatChange({ before, changePoints: 4.5 })).toBe('▲ 4.5 pts');
    expect(formatChange({ before, changePoints: 4 })).toBe('▲ 4 pts');
    expect(formatChange({ before, changePoints: 9.9 })).toBe('▲ 9.9 pts');
    expect(formatChange({ before, changePoints: 10 })).toBe('▲ 10 pts');
    expect(formatChange({ before, changePoints: -12.3 })).toBe('▼ 12 pts');
    expect(formatChange({ before, changePoints: -0.1 })).toBe('▼ 0.1 pts');
  });

  it('says "= 0 pts" for no change, also for a negative zero from rounding', () => {
    expect(formatChange({ before, changePoints: 0 })).toBe('= 0 pts');
    expect(formatChange({ before, changePoints: -0 })).toBe('= 0 pts');
    // −0.04 points rounds to −0.
    const tiny = changeInPoints(0.5, 0.5004);
    expect(Object.is(tiny, -0)).toBe(true);
    expect(formatChange({ before, changePoints: tiny })).toBe('= 0 pts');
  });

  it('says "new" for a campaign without leads the week before, and "–" when a rate is missing', () => {
    expect(formatChange({ before: undefined, changePoints: undefined })).toBe('new');
    expect(formatChange({ before, changePoints: undefined })).toBe('–');
  });
});

describe('buildDigest', () => {
  it('lists this week’s campaigns in the report’s order, each against the same campaign the week before', () => {
    const digest = build();
    expect(digest.campaigns.map((c) => c.campaign)).toEqual([
      'Spring Webinar',
      'Trade Show Berlin',
      'Newsletter',
      'Fresh Ads',
      'Cold List',
      'Partner Referral',
      'Retargeting',
    ]);
    const change = (name: string) => {
      const c = byName(digest.campaigns, name)!;
      return [c.changePoints, formatChange(c)];
    };
    expect(change('Spring Webinar')).toEqual([10, '▲ 10 pts']);
    expect(change('Trade Show Berlin')).toEqual([-30, '▼ 30 pts']);
    expect(change('Newsletter')).toEqual([0, '= 0 pts']);
    // It had leads the week before but none decided: no rate to compare with.
    expect(change('Fresh Ads')).toEqual([undefined, '–']);
    // Nothing decided this week.
    expect(change('Cold List')).toEqual([undefined, '–']);
    expect(change('Partner Referral')).toEqual([undefined, 'new']);
    expect(byName(digest.campaigns, 'Partner Referral')!.before).toBeUndefined();
    expect(byName(digest.campaigns, 'Spring Webinar')!.before!.accepted).toBe(10);
  });

  it('leaves out a campaign that had leads only the week before; the totals of that week still count it', () => {
    const digest = build();
    expect(byName(digest.campaigns, 'Old Ad Set')).toBeUndefined();
    expect(digest.totalsBefore.posted).toBe(75);
    expect(digest.totalsBefore.accepted).toBe(34);
  });

  it('compares the totals: 28/65 against 34/72 is 4.1 points down', () => {
    const digest = build();
    expect(digest.totals.posted).toBe(86);
    expect(digest.totals.accepted).toBe(28);
    expect(digest.totals.rejected).toBe(37);
    expect(digest.totals.pending).toBe(21);
    expect(digest.totalChangePoints).toBe(-4.1);
  });

  it('picks the weakest judgeable campaign with its reasons, ignoring lower rates that are too few to judge', () => {
    const digest = build();
    // Retargeting (0%) and Cold List (no rate) are too few; Trade Show Berlin (15%) is the lowest left.
    expect(digest.weakest?.campaign.campaign).toBe('Trade Show Berlin');
    expect(digest.weakest?.reasons).toEqual(TRADE_REASONS);
  });

  it('shows no change for a campaign with too few decisions to judge in either week', () => {
    const few = campaign(1, 'Few', 1, 4, 0);
    const many = campaign(1, 'Few', 8, 12, 0);
    const week = (thisWeek: CampaignStats, lastWeek: CampaignStats) =>
      digestOf([thisWeek], [lastWeek]).campaigns[0] as CampaignWeek;
    // 20% of 5 against 40% of 20: "▼ 20 pts" would be an argument over five leads.
    expect(week(few, many)).toMatchObject({ changePoints: undefined });
    expect(formatChange(week(few, many))).toBe('–');
    expect(formatChange(week(many, few))).toBe('–');
    expect(week(many, many).changePoints).toBe(0);
    // The same for the totals: 1 of 5 overall against 8 of 20.
    const totals = digestOf([few], [many]);
    expect(totals.totalChangePoints).toBeUndefined();
  });

  it('ranks the weakest by the top of its 95% range, not by its rate alone', () => {
    // 2 of 10 (20%, range 6–51%) against 120 of 500 (24%, range 21–28%): only the large one is
    // known to be weak.
    const small = campaign(1, 'Small', 2, 8, 0);
    const large = campaign(2, 'Large', 120, 380, 0);
    const digest = digestOf([small, large]);
    expect(digest.weakest?.campaign.campaign).toBe('Large');
  });

  it('at equal rates, the larger campaign is the weaker (its range reaches less high)', () => {
    const small = campaign(1, 'Small', 3, 7, 0);
    const large = campaign(2, 'Large', 6, 14, 5);
    const digest = digestOf([small, large]);
    expect(digest.weakest?.campaign.campaign).toBe('Large');
    // Reasons by campaign were not asked for: none, rather than a crash.
    expect(digest.weakest?.reasons).toEqual([]);
  });

  it('has no weakest campaign when every campaign is too few to judge', () => {
    const digest = digestOf([PARTNER, RETARGETING]);
    expect(digest.weakest).toBeUndefined();
    expect(digest.tooFew).toBe(2);
    expect(digest.below).toEqual([]);
    expect(digest.totalChangePoints).toBeUndefined();
  });

  it('lists the campaigns clearly below the rest and counts the ones too few to judge', () => {
    const digest = build();
    expect(digest.below.map((c) => c.campaign)).toEqual(['Trade Show Berlin']);
    expect(digest.tooFew).toBe(3);
  });

  it('carries the reasons, the SLA and the pending leads of the week', () => {
    const digest = build();
    expect(digest.isoWeek).toBe('2026-W47');
    expect(digest.week).toBe(WEEK);
    expect(digest.previous).toBe(PREVIOUS);
    expect(digest.topReasons).toEqual(OVERALL_REASONS);
    expect(digest.slaHours).toBe(24);
    expect(digest.slaBreaches).toBe(9);
    expect(digest.pending).toEqual({ total: 21, breached: 6, oldest: OLDEST });
  });

  it('makes do with a report without reasons or pending leads', () => {
    const digest = digestOf([]);
    expect(digest.campaigns).toEqual([]);
    expect(digest.topReasons).toEqual([]);
    expect(digest.weakest).toBeUndefined();
    expect(digest.pending).toEqual({ total: 0, breached: 0, oldest: [] });
    expect(digest.totalChangePoints).toBeUndefined();
  });
});
