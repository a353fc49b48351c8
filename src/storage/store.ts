import { asc, eq, isNotNull, lte, min, sql } from 'drizzle-orm';
import { campaignKey, type LeadInput } from '../domain/lead.js';
import type { Db } from './db.js';
import { campaigns, leads, type PostStatus } from './schema.js';

/**
 * All SQL lives here, behind functions named for what the caller means. Callers pass times in
 * (no function reads the clock), so tests decide what "now" is.
 */

export type IngestStatus = 'queued' | 'duplicate';
export interface IngestResult {
  id: string;
  status: IngestStatus;
}

/** Everything a lead post shows, plus the posting bookkeeping. */
export interface LeadForPost {
  id: number;
  email: string | null;
  name: string | null;
  company: string | null;
  title: string | null;
  phone: string | null;
  country: string | null;
  campaign: string;
  source: string | null;
  score: number | null;
  url: string | null;
  notes: string | null;
  createdAt: number;
  postAttempts: number;
  postStartedAt: number | null;
}

export interface DueLead extends LeadForPost {
  postStatus: PostStatus;
}

const leadForPostColumns = {
  id: leads.id,
  email: leads.email,
  name: leads.name,
  company: leads.company,
  title: leads.title,
  phone: leads.phone,
  country: leads.country,
  campaign: campaigns.name,
  source: leads.source,
  score: leads.score,
  url: leads.url,
  notes: leads.notes,
  createdAt: leads.createdAt,
  postAttempts: leads.postAttempts,
  postStartedAt: leads.postStartedAt,
};

export class Store {
  constructor(readonly db: Db) {}

  /**
   * Stores a validated batch in one transaction: all of it or none of it. A lead whose
   * externalId was stored before (or earlier in this batch) is reported as a duplicate of the
   * stored lead and not stored again. New leads join the posting queue at once.
   */
  insertLeads(
    inputs: readonly LeadInput[],
    receivedAt: number,
    onProgress?: (done: number) => void,
  ): IngestResult[] {
    return this.db.transaction(
      (tx) => {
        const campaignIds = new Map<string, number>();
        const batchIds = new Map<string, number>();
        const results: IngestResult[] = [];
        for (const lead of inputs) {
          if (lead.externalId !== undefined) {
            const prior =
              batchIds.get(lead.externalId) ??
              tx.select({ id: leads.id }).from(leads).where(eq(leads.externalId, lead.externalId)).get()?.id;
            if (prior !== undefined) {
              results.push({ id: String(prior), status: 'duplicate' });
              if (onProgress && results.length % 1000 === 0) onProgress(results.length);
              continue;
            }
          }
          const key = campaignKey(lead.campaign);
          let campaignId = campaignIds.get(key);
          if (campaignId === undefined) {
            campaignId =
              tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.key, key)).get()?.id ??
              tx
                .insert(campaigns)
                .values({ key, name: lead.campaign, createdAt: receivedAt })
                .returning({ id: campaigns.id })
                .get().id;
            campaignIds.set(key, campaignId);
          }
          const { id } = tx
            .insert(leads)
            .values({
              externalId: lead.externalId ?? null,
              email: lead.email ?? null,
              name: lead.name ?? null,
              company: lead.company ?? null,
              title: lead.title ?? null,
              phone: lead.phone ?? null,
              country: lead.country ?? null,
              campaignId,
              source: lead.source ?? null,
              score: lead.score ?? null,
              url: lead.url ?? null,
              notes: lead.notes ?? null,
              createdAt: lead.createdAt?.getTime() ?? receivedAt,
              receivedAt,
              postStatus: 'queued',
              postNextAt: receivedAt,
            })
            .returning({ id: leads.id })
            .get();
          if (lead.externalId !== undefined) batchIds.set(lead.externalId, id);
          results.push({ id: String(id), status: 'queued' });
          if (onProgress && results.length % 1000 === 0) onProgress(results.length);
        }
        return results;
      },
      { behavior: 'immediate' },
    );
  }

  /** Leads not yet posted (queued or in doubt). Reading it doubles as the health check. */
  queueDepth(): number {
    return (
      this.db.select({ n: sql<number>`count(*)` }).from(leads).where(isNotNull(leads.postNextAt)).get()?.n ??
      0
    );
  }

  /**
   * The lead whose next step is due soonest, if one is due: a queued lead to post, or a post in
   * doubt (status 'posting') to look for in the channel history before posting it again.
   */
  nextDueLead(now: number): DueLead | undefined {
    return this.db
      .select({ ...leadForPostColumns, postStatus: leads.postStatus })
      .from(leads)
      .innerJoin(campaigns, eq(campaigns.id, leads.campaignId))
      .where(lte(leads.postNextAt, now))
      .orderBy(asc(leads.postNextAt), asc(leads.id))
      .limit(1)
      .get();
  }

  /** When the earliest lead in the posting queue becomes due, for the poster's timer. */
  nextPostDueAt(): number | undefined {
    return (
      this.db
        .select({ at: min(leads.postNextAt) })
        .from(leads)
        .where(isNotNull(leads.postNextAt))
        .get()?.at ?? undefined
    );
  }

  /**
   * Recorded before chat.postMessage is sent, so a crash mid-send leaves the lead in doubt, not
   * lost and not silently re-sent. `checkAt` is when to look for it in history if nothing is
   * recorded by then.
   */
  markPosting(id: number, now: number, checkAt: number): void {
    this.db
      .update(leads)
      .set({
        postStatus: 'posting',
        postStartedAt: now,
        postNextAt: checkAt,
        postAttempts: sql`${leads.postAttempts} + 1`,
      })
      .where(eq(leads.id, id))
      .run();
  }

  /** The send's outcome is unknown (timeout, 5xx): stay in doubt, check history at `checkAt`. */
  markInDoubt(id: number, checkAt: number, error: string): void {
    this.db
      .update(leads)
      .set({ postStatus: 'posting', postNextAt: checkAt, postError: error })
      .where(eq(leads.id, id))
      .run();
  }

  markPosted(id: number, post: { channel: string; ts: string; postedAt: number }): void {
    this.db
      .update(leads)
      .set({
        postStatus: 'posted',
        postChannel: post.channel,
        postTs: post.ts,
        postedAt: post.postedAt,
        postNextAt: null,
        postError: null,
      })
      .where(eq(leads.id, id))
      .run();
  }

  /** Back to the queue, to be tried again no earlier than `nextAt`. */
  markPostRetry(id: number, nextAt: number, error: string): void {
    this.db
      .update(leads)
      .set({ postStatus: 'queued', postNextAt: nextAt, postError: error })
      .where(eq(leads.id, id))
      .run();
  }

  /** Slack refused this lead's content itself: retrying cannot help, and must not block the queue. */
  markPostFailed(id: number, error: string): void {
    this.db
      .update(leads)
      .set({ postStatus: 'failed', postNextAt: null, postError: error })
      .where(eq(leads.id, id))
      .run();
  }

  leadById(id: number) {
    return this.db.select().from(leads).where(eq(leads.id, id)).get();
  }
}
