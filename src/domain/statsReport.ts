import type { Period } from './period.js';
import type { Counts, RateJudgement } from './stats.js';
import type { StatsQuery } from './statsCommand.js';

/**
 * What a stats query answers: plain data that the Block Kit builder, the terminal table, JSON,
 * CSV and the digest all render. StatsService (src/services/stats.ts) fills it in.
 */

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

export type StatsOutcome = { ok: true; report: StatsReport } | { ok: false; error: string };
