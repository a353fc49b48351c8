import { and, asc, eq, gte, inArray, isNull, like, lt, sql } from 'drizzle-orm';
import type { Counts } from '../domain/stats.js';
import type { Db } from './db.js';
import { campaigns, decisions, leads } from './schema.js';

/**
 * The stats queries: cohorts of leads selected by post time, aggregated in SQL over the
 * covering index leads_cohort_idx. Every function takes the window [start, end) in ms and an
 * optional list of campaign ids; none reads the clock.
 */

export interface Cohort {
  start: number;
  end: number;
  campaignIds?: readonly number[];
}

export interface CampaignCounts extends Counts {
  campaignId: number;
  campaign: string;
}

export interface SourceCounts extends Counts {
  source: string | null;
}

function cohortWhere(cohort: Cohort) {
  return and(
    gte(leads.postedAt, cohort.start),
    lt(leads.postedAt, cohort.end),
    cohort.campaignIds ? inArray(leads.campaignId, [...cohort.campaignIds]) : undefined,
  );
}

/** SQLite sums of booleans, typed as numbers. */
const countIf = (condition: ReturnType<typeof sql>) => sql<number>`coalesce(sum(${condition}), 0)`;

function countColumns(now: number, slaMs: number) {
  return {
    posted: sql<number>`count(*)`,
    accepted: countIf(sql`${leads.state} = 'accepted'`),
    rejected: countIf(sql`${leads.state} = 'rejected'`),
    rejectedNoReason: countIf(sql`${leads.state} = 'rejected' AND ${leads.stateReason} IS NULL`),
    pending: countIf(sql`${leads.state} = 'pending'`),
    // Pending at the SLA mark: still pending now, or first decided after it.
    slaBreaches: countIf(sql`coalesce(${leads.firstDecidedAt}, ${now}) - ${leads.postedAt} > ${slaMs}`),
  };
}

export class StatsStore {
  constructor(private readonly db: Db) {}

  campaignCounts(cohort: Cohort, now: number, slaMs: number): CampaignCounts[] {
    const rows = this.db
      .select({ campaignId: leads.campaignId, ...countColumns(now, slaMs) })
      .from(leads)
      .where(cohortWhere(cohort))
      .groupBy(leads.campaignId)
      .all();
    const names = this.campaignNames(rows.map((r) => r.campaignId));
    return rows.map((r) => ({ ...r, campaign: names.get(r.campaignId) ?? `#${r.campaignId}` }));
  }

  sourceCounts(cohort: Cohort, now: number, slaMs: number): SourceCounts[] {
    return this.db
      .select({ source: leads.source, ...countColumns(now, slaMs) })
      .from(leads)
      .where(cohortWhere(cohort))
      .groupBy(leads.source)
      .all();
  }

  /** Time to decision (ms) of every decided lead in the cohort, by campaign, each list sorted. */
  decisionTimes(cohort: Cohort): Map<number, number[]> {
    const rows = this.db
      .select({ campaignId: leads.campaignId, ms: sql<number>`${leads.firstDecidedAt} - ${leads.postedAt}` })
      .from(leads)
      .where(and(cohortWhere(cohort), sql`${leads.firstDecidedAt} IS NOT NULL`))
      .orderBy(asc(leads.campaignId), asc(sql`${leads.firstDecidedAt} - ${leads.postedAt}`))
      .all();
    const byCampaign = new Map<number, number[]>();
    for (const { campaignId, ms } of rows) {
      const list = byCampaign.get(campaignId);
      if (list) list.push(ms);
      else byCampaign.set(campaignId, [ms]);
    }
    return byCampaign;
  }

  /** Rejected leads by campaign and reason (null: no reason given). */
  reasonCounts(cohort: Cohort): { campaignId: number; reason: string | null; count: number }[] {
    return this.db
      .select({ campaignId: leads.campaignId, reason: leads.stateReason, count: sql<number>`count(*)` })
      .from(leads)
      .where(and(cohortWhere(cohort), eq(leads.state, 'rejected')))
      .groupBy(leads.campaignId, leads.stateReason)
      .all();
  }

  /**
   * Each rep's standing decisions on leads of the cohort: one row per (rep, lead) with the rep's
   * latest standing verdict and the time from the post to the rep's first standing decision.
   */
  repDecisions(cohort: Cohort): { userId: string; verdict: 'accept' | 'reject'; ms: number }[] {
    const rows = this.db
      .select({
        userId: decisions.userId,
        leadId: decisions.leadId,
        verdict: decisions.verdict,
        decidedAt: decisions.decidedAt,
        id: decisions.id,
        postedAt: leads.postedAt,
      })
      .from(decisions)
      .innerJoin(leads, eq(leads.id, decisions.leadId))
      .where(and(cohortWhere(cohort), isNull(decisions.retractedAt)))
      .all();
    const perRepLead = new Map<
      string,
      {
        userId: string;
        verdict: 'accept' | 'reject';
        latest: [number, number];
        first: number;
        postedAt: number;
      }
    >();
    for (const r of rows) {
      const key = `${r.userId}\u0000${r.leadId}`;
      const seen = perRepLead.get(key);
      const order: [number, number] = [r.decidedAt, r.id];
      if (!seen) {
        perRepLead.set(key, {
          userId: r.userId,
          verdict: r.verdict,
          latest: order,
          first: r.decidedAt,
          postedAt: r.postedAt ?? r.decidedAt,
        });
        continue;
      }
      if (order[0] > seen.latest[0] || (order[0] === seen.latest[0] && order[1] > seen.latest[1])) {
        seen.verdict = r.verdict;
        seen.latest = order;
      }
      seen.first = Math.min(seen.first, r.decidedAt);
    }
    return [...perRepLead.values()].map((v) => ({
      userId: v.userId,
      verdict: v.verdict,
      ms: v.first - v.postedAt,
    }));
  }

  /** The oldest pending leads of the cohort (the longest waiting first) and how many there are. */
  pendingLeads(cohort: Cohort, limit: number) {
    const where = and(cohortWhere(cohort), sql`state = 'pending'`);
    const total = this.db.select({ n: sql<number>`count(*)` }).from(leads).where(where).get()?.n ?? 0;
    const oldest = this.db
      .select({
        id: leads.id,
        name: leads.name,
        email: leads.email,
        company: leads.company,
        campaign: campaigns.name,
        postedAt: leads.postedAt,
        channel: leads.postChannel,
        ts: leads.postTs,
      })
      .from(leads)
      .innerJoin(campaigns, eq(campaigns.id, leads.campaignId))
      .where(where)
      .orderBy(asc(leads.postedAt))
      .limit(limit)
      .all();
    return { total, oldest };
  }

  /** Campaigns whose normalised name starts with `keyPrefix` (itself normalised by the caller). */
  campaignsByPrefix(keyPrefix: string): { id: number; key: string; name: string }[] {
    const escaped = keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db
      .select({ id: campaigns.id, key: campaigns.key, name: campaigns.name })
      .from(campaigns)
      .where(like(campaigns.key, sql`${`${escaped}%`} ESCAPE '\\'`))
      .orderBy(asc(campaigns.key))
      .all();
  }

  private campaignNames(ids: readonly number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select({ id: campaigns.id, name: campaigns.name })
      .from(campaigns)
      .where(inArray(campaigns.id, [...ids]))
      .all();
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
