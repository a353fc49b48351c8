import type { Period } from './period.js';
import { wilsonInterval } from './stats.js';
import type { CampaignStats, GroupStats, PendingLead, ReasonStats, StatsReport } from './statsReport.js';

/**
 * The weekly digest's content: last full week against the week before, per campaign and in
 * total, with the reasons, the weakest campaign and the SLA. Pure: built from two stats reports.
 */

export interface CampaignWeek {
  campaign: string;
  stats: CampaignStats;
  /** The same campaign the week before; undefined when it had no leads then (new this week). */
  before: CampaignStats | undefined;
  /**
   * Change of the acceptance rate in percentage points; undefined when either rate is missing or
   * either week had too few decisions to judge.
   */
  changePoints: number | undefined;
}

export interface Digest {
  week: Period;
  previous: Period;
  isoWeek: string;
  campaigns: CampaignWeek[];
  totals: GroupStats;
  totalsBefore: GroupStats;
  totalChangePoints: number | undefined;
  /** Reject reasons over all campaigns, most frequent first. */
  topReasons: ReasonStats[];
  /** The judgeable campaign with the lowest upper end of its 95% range, with its reasons. */
  weakest: { campaign: CampaignWeek; reasons: ReasonStats[] } | undefined;
  /** Campaigns whose whole 95% range lies below the overall rate. */
  below: CampaignWeek[];
  tooFew: number;
  slaHours: number;
  /** Leads of the week over the SLA (decided late or still pending), and the oldest still pending. */
  slaBreaches: number;
  pending: { total: number; breached: number; oldest: PendingLead[] };
}

const upperBound = (accepted: number, decided: number) => wilsonInterval(accepted, decided)?.high ?? 1;

export function changeInPoints(now: number | undefined, before: number | undefined): number | undefined {
  if (now === undefined || before === undefined) return undefined;
  return Math.round((now - before) * 1000) / 10;
}

/** "▲ 4.5 pts", "▼ 12 pts", "= 0 pts", "new". */
export function formatChange(week: Pick<CampaignWeek, 'before' | 'changePoints'>): string {
  if (week.before === undefined) return 'new';
  if (week.changePoints === undefined) return '–';
  const points = Math.abs(week.changePoints);
  const shown = points >= 10 ? points.toFixed(0) : points.toFixed(1).replace(/\.0$/, '');
  if (week.changePoints > 0) return `▲ ${shown} pts`;
  if (week.changePoints < 0) return `▼ ${shown} pts`;
  return '= 0 pts';
}

export function buildDigest(input: {
  week: Period;
  previous: Period;
  isoWeek: string;
  thisWeek: StatsReport;
  lastWeek: StatsReport;
}): Digest {
  const { thisWeek, lastWeek } = input;
  const before = new Map(lastWeek.campaigns.map((c) => [c.campaignId, c]));
  const campaigns = thisWeek.campaigns.map((stats): CampaignWeek => {
    const prior = before.get(stats.campaignId);
    // A change between rates of a handful of leads is noise, not news: shown only when both
    // weeks had enough decisions to judge.
    const comparable = stats.judgement.verdict !== 'too_few' && prior?.judgement.verdict !== 'too_few';
    return {
      campaign: stats.campaign,
      stats,
      before: prior,
      changePoints: comparable ? changeInPoints(stats.judgement.rate, prior?.judgement.rate) : undefined,
    };
  });
  const judgeable = campaigns.filter(
    (c) => c.stats.judgement.verdict !== 'too_few' && c.stats.judgement.rate !== undefined,
  );
  // The weakest is the campaign whose rate is lowest even at the top of its 95% range: 2 of 10
  // (range 6–51%) is not shown up as weaker than 120 of 500 (21–28%).
  const atBest = (c: CampaignWeek) => upperBound(c.stats.accepted, c.stats.accepted + c.stats.rejected);
  const weakestWeek = [...judgeable].sort(
    (a, b) =>
      atBest(a) - atBest(b) ||
      (a.stats.judgement.rate ?? 0) - (b.stats.judgement.rate ?? 0) ||
      b.stats.posted - a.stats.posted,
  )[0];
  const weakestReasons = weakestWeek
    ? (thisWeek.reasons?.byCampaign.find((r) => r.campaign === weakestWeek.campaign)?.reasons ?? [])
    : [];
  return {
    week: input.week,
    previous: input.previous,
    isoWeek: input.isoWeek,
    campaigns,
    totals: thisWeek.totals,
    totalsBefore: lastWeek.totals,
    totalChangePoints:
      thisWeek.totals.judgement.verdict === 'too_few' || lastWeek.totals.judgement.verdict === 'too_few'
        ? undefined
        : changeInPoints(thisWeek.totals.judgement.rate, lastWeek.totals.judgement.rate),
    topReasons: thisWeek.reasons?.overall ?? [],
    weakest: weakestWeek ? { campaign: weakestWeek, reasons: weakestReasons } : undefined,
    below: campaigns.filter((c) => c.stats.judgement.verdict === 'below'),
    tooFew: campaigns.filter((c) => c.stats.judgement.verdict === 'too_few').length,
    slaHours: thisWeek.slaHours,
    slaBreaches: thisWeek.totals.slaBreaches,
    pending: thisWeek.pending ?? { total: 0, breached: 0, oldest: [] },
  };
}
