import type { Clock } from '../clock.js';
import { campaignKey } from '../domain/lead.js';
import { type Period, resolvePeriod } from '../domain/period.js';
import type { RejectReason } from '../domain/reasons.js';
import { addCounts, type Counts, judgeRate, medianOfSortedChunks, ZERO_COUNTS } from '../domain/stats.js';
import type { StatsQuery } from '../domain/statsCommand.js';
import type {
  CampaignStats,
  GroupStats,
  ReasonStats,
  RepStats,
  StatsOutcome,
  StatsReport,
} from '../domain/statsReport.js';
import { IMPORT_DECIDER } from '../storage/history.js';
import type { Cohort, CohortCell, StatsStore, TimeChunks } from '../storage/stats.js';

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

/** Extras a report can carry besides the campaign table. */
export interface ReportExtras {
  reasons?: boolean;
  /** With reasons: also per campaign (always when a campaign filter is set). */
  reasonsByCampaign?: boolean;
  reps?: boolean;
  pending?: boolean;
  summary?: boolean;
}

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
    const cells = stats.cohortCells(cohort, now, slaMs);

    const byCampaign = new Map<number, { counts: Counts; times: TimeChunks; pendingBreached: number }>();
    const bySource = new Map<string | null, Counts>();
    for (const cell of cells) {
      const campaign = byCampaign.get(cell.campaignId) ?? {
        counts: ZERO_COUNTS,
        times: [],
        pendingBreached: 0,
      };
      campaign.counts = addCounts(campaign.counts, cell);
      campaign.times.push(...cell.times);
      campaign.pendingBreached += cell.pendingBreached;
      byCampaign.set(cell.campaignId, campaign);
      bySource.set(cell.source, addCounts(bySource.get(cell.source) ?? ZERO_COUNTS, cell));
    }
    const names = stats.campaignNames([...byCampaign.keys()]);
    let totalCounts = ZERO_COUNTS;
    for (const c of byCampaign.values()) totalCounts = addCounts(totalCounts, c.counts);
    const overall = judgeRate(totalCounts, undefined).rate;

    const campaigns = [...byCampaign]
      .map(
        ([campaignId, c]): CampaignStats => ({
          campaignId,
          campaign: names.get(campaignId) ?? `#${campaignId}`,
          ...c.counts,
          medianDecisionMs: medianOfSortedChunks(c.times),
          judgement: judgeRate(c.counts, overall),
        }),
      )
      .sort((a, b) => b.posted - a.posted || a.campaign.localeCompare(b.campaign));
    const totals: GroupStats = {
      ...totalCounts,
      medianDecisionMs: medianOfSortedChunks(cells.flatMap((cell) => cell.times)),
      judgement: judgeRate(totalCounts, undefined),
    };
    const sources = [...bySource]
      .map(([source, counts]) => ({
        ...counts,
        source: source ?? '(none)',
        medianDecisionMs: undefined,
        judgement: judgeRate(counts, overall),
      }))
      .sort((a, b) => b.posted - a.posted || a.source.localeCompare(b.source));

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
    if (include.reasons)
      report.reasons = this.reasons(cells, cohort, campaigns, include.reasonsByCampaign ?? false);
    if (include.reps) report.reps = this.reps(cohort, now);
    if (include.pending) {
      let breached = 0;
      for (const c of byCampaign.values()) breached += c.pendingBreached;
      report.pending = this.pending(cohort, now, slaMs, totalCounts.pending, breached);
    }
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
    cells: readonly CohortCell[],
    cohort: Cohort,
    campaigns: CampaignStats[],
    everyCampaign: boolean,
  ): NonNullable<StatsReport['reasons']> {
    const overall = new Map<string | null, number>();
    const perCampaign = new Map<number, Map<string | null, number>>();
    for (const cell of cells) {
      const mine = perCampaign.get(cell.campaignId) ?? new Map<string | null, number>();
      perCampaign.set(cell.campaignId, mine);
      for (const [reason, count] of cell.reasons) {
        overall.set(reason, (overall.get(reason) ?? 0) + count);
        mine.set(reason, (mine.get(reason) ?? 0) + count);
      }
    }
    const rows = (counts: Map<string | null, number> | undefined) =>
      this.reasonRows([...(counts ?? [])].map(([reason, count]) => ({ reason, count })));
    const byCampaign =
      cohort.campaignIds === undefined && !everyCampaign
        ? []
        : campaigns.map((c) => ({ campaign: c.campaign, reasons: rows(perCampaign.get(c.campaignId)) }));
    return { overall: rows(overall), byCampaign };
  }

  private reps(cohort: Cohort, now: number): RepStats[] {
    return (
      this.deps.stats
        .repCells(cohort, now)
        // Outcomes imported from a CRM export are nobody's decisions in Slack.
        .filter((r) => r.userId !== IMPORT_DECIDER)
        .map((r) => ({
          userId: r.userId,
          decisions: r.accepted + r.rejected,
          accepted: r.accepted,
          rejected: r.rejected,
          medianDecisionMs: medianOfSortedChunks(r.times),
        }))
        .sort((a, b) => b.decisions - a.decisions || a.userId.localeCompare(b.userId))
    );
  }

  private pending(
    cohort: Cohort,
    now: number,
    slaMs: number,
    total: number,
    breached: number,
  ): NonNullable<StatsReport['pending']> {
    return {
      total,
      breached,
      oldest: this.deps.stats.oldestPending(cohort, PENDING_LIMIT).map((l) => {
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
