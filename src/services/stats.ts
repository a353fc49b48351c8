import type { Clock } from '../clock.js';
import { campaignKey } from '../domain/lead.js';
import { type Period, resolvePeriod } from '../domain/period.js';
import type { RejectReason } from '../domain/reasons.js';
import {
  addCounts,
  type Counts,
  judgeRate,
  medianOfSorted,
  type RateJudgement,
  ZERO_COUNTS,
} from '../domain/stats.js';
import type { StatsQuery } from '../domain/statsCommand.js';
import type { Cohort, StatsStore } from '../storage/stats.js';

/**
 * Runs a stats query: resolves the period in TIMEZONE, finds the campaigns a name means, asks
 * the storage module for the numbers and puts the judgement on them. The result is plain data
 * that the Block Kit builder, the terminal table, JSON, CSV and the digest all render.
 */

export interface StatsSettings {
  timezone: string;
  slaHours: number;
  reasons: readonly RejectReason[];
}

export interface GroupStats extends Counts {
  /** Median ms from post to first decision, over decided leads. */
  medianDecisionMs: number | undefined;
  judgement: RateJudgement;
}

export interface CampaignStats extends GroupStats {
  campaignId: number;
  campaign: string;
}

export interface ReasonStats {
  reason: string | null;
  label: string;
  kind: 'disqualify' | 'recycle' | 'none';
  count: number;
  /** Share of the rejected leads in scope. */
  share: number;
}

export interface RepStats {
  userId: string;
  decisions: number;
  accepted: number;
  rejected: number;
  medianDecisionMs: number | undefined;
}

export interface PendingLead {
  id: number;
  who: string;
  company: string | null;
  campaign: string;
  postedAt: number;
  waitingMs: number;
  breached: boolean;
  channel: string | null;
  ts: string | null;
}

export interface StatsReport {
  query: StatsQuery;
  period: Period;
  now: number;
  slaHours: number;
  /** Set when a campaign name was given: what it matched. */
  campaignFilter?: { asked: string; matched: string[] };
  campaigns: CampaignStats[];
  totals: GroupStats;
  sources: (GroupStats & { source: string })[];
  reasons?: { overall: ReasonStats[]; byCampaign: { campaign: string; reasons: ReasonStats[] }[] };
  reps?: RepStats[];
  pending?: { total: number; breached: number; oldest: PendingLead[] };
}

/** Extras a report can carry besides the campaign table. */
export interface ReportExtras {
  reasons?: boolean;
  /** With reasons: also per campaign (always when a campaign filter is set). */
  reasonsByCampaign?: boolean;
  reps?: boolean;
  pending?: boolean;
  summary?: boolean;
}

export type StatsOutcome = { ok: true; report: StatsReport } | { ok: false; error: string };

const PENDING_LIMIT = 20;

export class StatsService {
  constructor(
    private readonly deps: { stats: StatsStore; clock: Clock },
    private readonly settings: StatsSettings,
  ) {}

  run(query: StatsQuery): StatsOutcome {
    const now = this.deps.clock.now();
    let period: Period;
    try {
      period = resolvePeriod(query.period, now, this.settings.timezone);
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
    const cohort: Cohort = { start: period.start, end: period.end };
    let campaignFilter: StatsReport['campaignFilter'];
    if (query.campaign !== undefined) {
      const key = campaignKey(query.campaign);
      const found = this.deps.stats.campaignsByPrefix(key);
      const exact = found.filter((c) => c.key === key);
      const matched = exact.length > 0 ? exact : found;
      if (matched.length === 0) {
        return { ok: false, error: `No campaign starts with “${query.campaign}”.` };
      }
      cohort.campaignIds = matched.map((c) => c.id);
      campaignFilter = { asked: query.campaign, matched: matched.map((c) => c.name) };
    }
    return { ok: true, report: this.report(query, period, cohort, now, campaignFilter) };
  }

  /**
   * The numbers for an explicit window (the digest's week, and the week before it). `include`
   * says which extras to add; by default, the one the query's view shows.
   */
  report(
    query: StatsQuery,
    period: Period,
    cohort: Cohort,
    now: number,
    campaignFilter?: StatsReport['campaignFilter'],
    include: ReportExtras = { [query.view]: true },
  ): StatsReport {
    const { stats } = this.deps;
    const slaMs = this.settings.slaHours * 3_600_000;
    const counts = stats.campaignCounts(cohort, now, slaMs);
    const times = stats.decisionTimes(cohort);
    const totalCounts = counts.reduce<Counts>((sum, c) => addCounts(sum, c), ZERO_COUNTS);
    const allTimes = [...times.values()].flat().sort((a, b) => a - b);
    const overall = judgeRate(totalCounts, undefined).rate;

    const campaigns = counts
      .map(
        (c): CampaignStats => ({
          ...c,
          medianDecisionMs: medianOfSorted(times.get(c.campaignId) ?? []),
          judgement: judgeRate(c, overall),
        }),
      )
      .sort((a, b) => b.posted - a.posted || a.campaign.localeCompare(b.campaign));
    const totals: GroupStats = {
      ...totalCounts,
      medianDecisionMs: medianOfSorted(allTimes),
      judgement: judgeRate(totalCounts, undefined),
    };
    const sources = stats
      .sourceCounts(cohort, now, slaMs)
      .map((s) => ({
        ...s,
        source: s.source ?? '(none)',
        medianDecisionMs: undefined,
        judgement: judgeRate(s, overall),
      }))
      .sort((a, b) => b.posted - a.posted);

    const report: StatsReport = {
      query,
      period,
      now,
      slaHours: this.settings.slaHours,
      campaigns,
      totals,
      sources,
    };
    if (campaignFilter) report.campaignFilter = campaignFilter;
    if (include.reasons) report.reasons = this.reasons(cohort, campaigns, include.reasonsByCampaign ?? false);
    if (include.reps) report.reps = this.reps(cohort);
    if (include.pending) report.pending = this.pending(cohort, now, slaMs);
    return report;
  }

  private reasonRows(rows: { reason: string | null; count: number }[]): ReasonStats[] {
    const total = rows.reduce((n, r) => n + r.count, 0);
    return rows
      .map((r): ReasonStats => {
        const known = this.settings.reasons.find((x) => x.key === r.reason);
        return {
          reason: r.reason,
          label: r.reason === null ? 'No reason given' : (known?.label ?? r.reason),
          kind: r.reason === null ? 'none' : (known?.kind ?? 'disqualify'),
          count: r.count,
          share: total > 0 ? r.count / total : 0,
        };
      })
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  }

  private reasons(
    cohort: Cohort,
    campaigns: CampaignStats[],
    everyCampaign: boolean,
  ): NonNullable<StatsReport['reasons']> {
    const rows = this.deps.stats.reasonCounts(cohort);
    const overall = new Map<string | null, number>();
    for (const r of rows) overall.set(r.reason, (overall.get(r.reason) ?? 0) + r.count);
    const byCampaign =
      cohort.campaignIds === undefined && !everyCampaign
        ? []
        : campaigns.map((c) => ({
            campaign: c.campaign,
            reasons: this.reasonRows(rows.filter((r) => r.campaignId === c.campaignId)),
          }));
    return {
      overall: this.reasonRows([...overall].map(([reason, count]) => ({ reason, count }))),
      byCampaign,
    };
  }

  private reps(cohort: Cohort): RepStats[] {
    const byRep = new Map<string, { accepted: number; rejected: number; times: number[] }>();
    for (const d of this.deps.stats.repDecisions(cohort)) {
      const rep = byRep.get(d.userId) ?? { accepted: 0, rejected: 0, times: [] };
      if (d.verdict === 'accept') rep.accepted += 1;
      else rep.rejected += 1;
      rep.times.push(d.ms);
      byRep.set(d.userId, rep);
    }
    return [...byRep]
      .map(([userId, r]) => ({
        userId,
        decisions: r.accepted + r.rejected,
        accepted: r.accepted,
        rejected: r.rejected,
        medianDecisionMs: medianOfSorted(r.times.sort((a, b) => a - b)),
      }))
      .sort((a, b) => b.decisions - a.decisions || a.userId.localeCompare(b.userId));
  }

  private pending(cohort: Cohort, now: number, slaMs: number): NonNullable<StatsReport['pending']> {
    const { total, oldest } = this.deps.stats.pendingLeads(cohort, PENDING_LIMIT);
    const breached = this.deps.stats.pendingLeads(
      { ...cohort, end: Math.min(cohort.end, now - slaMs) },
      0,
    ).total;
    return {
      total,
      breached,
      oldest: oldest.map((l) => {
        const postedAt = l.postedAt ?? now;
        return {
          id: l.id,
          who: l.name ?? l.email ?? `Lead ${l.id}`,
          company: l.company,
          campaign: l.campaign,
          postedAt,
          waitingMs: now - postedAt,
          breached: now - postedAt > slaMs,
          channel: l.channel,
          ts: l.ts,
        };
      }),
    };
  }
}
