import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { LeadInput, LeadIssue } from '../domain/lead.js';
import type { Db } from './db.js';
import { appMeta, type NeedsAttentionRow, needsAttention } from './schema.js';
import type { IngestResult, Store } from './store.js';

/** One item of a vendor body that could not be stored as a lead. */
export interface AttentionInput {
  profile: string;
  profileParam?: string | undefined;
  campaignParam?: string | undefined;
  /** The item as received (see needs_attention.raw). */
  raw: string;
  itemIndex: number;
  itemCount: number;
  who?: string | undefined;
  reason: string;
  issues: readonly LeadIssue[];
}

export interface AttentionItem extends Omit<NeedsAttentionRow, 'issues'> {
  issues: LeadIssue[];
}

/** The leads and the needs-attention items of one POST /leads request. */
export interface IntakeBatch {
  leads: readonly LeadInput[];
  attention: readonly AttentionInput[];
}

export interface IntakeStored {
  results: IngestResult[];
  attentionIds: number[];
}

export type RetryOutcome =
  | { ok: true; leadIds: number[]; results: IngestResult[] }
  | { ok: false; state: 'retried' | 'dropped' | 'missing'; leadId?: number | null };

const issuesSchema = z.array(z.object({ index: z.number(), path: z.string(), message: z.string() }));
const announcementSchema = z.object({ at: z.number(), throughId: z.number() });
const ANNOUNCEMENT_KEY = 'attention_announced';

function decode(row: NeedsAttentionRow): AttentionItem {
  const parsed = issuesSchema.safeParse(JSON.parse(row.issues));
  return { ...row, issues: parsed.success ? parsed.data : [] };
}

/** The "needs attention" list: kept, listed, announced, retried or dropped; never deleted. */
export class AttentionStore {
  constructor(private readonly db: Db) {}

  /**
   * Stores the leads and the needs-attention items of several requests in ONE transaction (one
   * commit for a group of concurrent requests), each request's results as if stored alone.
   */
  storeIntake(store: Store, batches: readonly IntakeBatch[], receivedAt: number): IntakeStored[] {
    return this.db.transaction(
      () => {
        // Store's own transaction runs as a savepoint inside this one.
        const results = store.insertLeadBatches(
          batches.map((b) => b.leads),
          receivedAt,
        );
        return batches.map((b, i) => ({
          results: results[i] ?? [],
          attentionIds: b.attention.map((item) => this.insertOne(item, receivedAt)),
        }));
      },
      { behavior: 'immediate' },
    );
  }

  private insertOne(item: AttentionInput, receivedAt: number): number {
    const row = this.db
      .insert(needsAttention)
      .values({
        receivedAt,
        profile: item.profile,
        profileParam: item.profileParam ?? null,
        campaignParam: item.campaignParam ?? null,
        raw: item.raw,
        itemIndex: item.itemIndex,
        itemCount: item.itemCount,
        who: item.who ?? null,
        reason: item.reason,
        issues: JSON.stringify(item.issues),
      })
      .returning({ id: needsAttention.id })
      .get();
    return row.id;
  }

  byId(id: number): AttentionItem | undefined {
    const row = this.db.select().from(needsAttention).where(eq(needsAttention.id, id)).get();
    return row && decode(row);
  }

  /** Open items, oldest first. */
  open(): AttentionItem[] {
    return this.db
      .select()
      .from(needsAttention)
      .where(eq(needsAttention.state, 'open'))
      .orderBy(asc(needsAttention.id))
      .all()
      .map(decode);
  }

  openCount(): number {
    return (
      this.db
        .select({ n: sql<number>`count(*)` })
        .from(needsAttention)
        .where(eq(needsAttention.state, 'open'))
        .get()?.n ?? 0
    );
  }

  openIds(): number[] {
    return this.db
      .select({ id: needsAttention.id })
      .from(needsAttention)
      .where(eq(needsAttention.state, 'open'))
      .orderBy(asc(needsAttention.id))
      .all()
      .map((r) => r.id);
  }

  /** Open items that arrived after item `afterId`: what the next announcement is about. */
  openSince(afterId: number): { count: number; lastId: number; reasons: string[] } {
    const rows = this.db
      .select({ id: needsAttention.id, reason: needsAttention.reason })
      .from(needsAttention)
      .where(and(eq(needsAttention.state, 'open'), gt(needsAttention.id, afterId)))
      .orderBy(asc(needsAttention.id))
      .all();
    return {
      count: rows.length,
      lastId: rows.at(-1)?.id ?? afterId,
      reasons: rows.map((r) => r.reason),
    };
  }

  /** The last announcement in Slack: when, and the last item it counted. */
  lastAnnouncement(): { at: number; throughId: number } | undefined {
    const row = this.db.select().from(appMeta).where(eq(appMeta.key, ANNOUNCEMENT_KEY)).get();
    if (!row) return undefined;
    const parsed = announcementSchema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : undefined;
  }

  recordAnnouncement(at: number, throughId: number): void {
    const value = JSON.stringify({ at, throughId });
    this.db
      .insert(appMeta)
      .values({ key: ANNOUNCEMENT_KEY, value })
      .onConflictDoUpdate({ target: appMeta.key, set: { value } })
      .run();
  }

  /**
   * Stores the leads read from an open item again and marks it retried, in one transaction; an
   * item no longer open (retried or dropped meanwhile, by another run) is left as it is.
   */
  retryWithLeads(store: Store, id: number, leads: readonly LeadInput[], now: number): RetryOutcome {
    return this.db.transaction(
      (tx) => {
        const row = tx.select().from(needsAttention).where(eq(needsAttention.id, id)).get();
        if (!row) return { ok: false, state: 'missing' } as const;
        if (row.state !== 'open') return { ok: false, state: row.state, leadId: row.leadId } as const;
        const results = store.insertLeads(leads, now);
        const leadIds = results.map((r) => Number(r.id));
        tx.update(needsAttention)
          .set({
            state: 'retried',
            leadId: leadIds[0] ?? null,
            resolvedAt: now,
            retryCount: sql`${needsAttention.retryCount} + 1`,
          })
          .where(eq(needsAttention.id, id))
          .run();
        return { ok: true, leadIds, results } as const;
      },
      { behavior: 'immediate' },
    );
  }

  /** A retry that still cannot make a lead: the item stays open with the reason of now. */
  recordFailedRetry(id: number, reason: string, issues: readonly LeadIssue[]): void {
    this.db
      .update(needsAttention)
      .set({ reason, issues: JSON.stringify(issues), retryCount: sql`${needsAttention.retryCount} + 1` })
      .where(and(eq(needsAttention.id, id), eq(needsAttention.state, 'open')))
      .run();
  }

  /** Marks open items dropped; returns the ids that were open (others are left as they are). */
  drop(ids: readonly number[], now: number): number[] {
    if (ids.length === 0) return [];
    return this.db
      .update(needsAttention)
      .set({ state: 'dropped', resolvedAt: now })
      .where(and(inArray(needsAttention.id, [...ids]), eq(needsAttention.state, 'open')))
      .returning({ id: needsAttention.id })
      .all()
      .map((r) => r.id);
  }
}
