import { and, asc, eq, gt, gte, isNotNull, lte, min, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { appMeta, decisions, leads, needsAttention } from './schema.js';

/**
 * Erasing the personal fields of old leads (RETENTION_DAYS), in small transactions.
 * Which fields and why: docs/decisions/0006-retention.md.
 *
 * Leads are erased in id order, which is arrival order, up to a frontier: the first lead that is
 * not due yet (received at or after the cutoff, or still waiting to be posted). Everything up to
 * the cursor kept in app_meta is erased, so each run starts where the last one stopped and never
 * rereads the erased past. A lead whose received time is out of order (a clock step backwards)
 * only delays the leads after it until it is due itself.
 */

const CURSOR_KEY = 'retention_erased_through_id';

/** The personal fields of a lead, set to null by erasure. Numbers and states are not among them. */
const ERASED_LEAD_FIELDS = {
  name: null,
  email: null,
  phone: null,
  title: null,
  notes: null,
  url: null,
} as const;

export interface ErasedBatch {
  /** Leads erased by this batch. */
  erased: number;
  /** True when no lead is due any more (this batch stopped at the frontier or the end). */
  done: boolean;
}

export class RetentionStore {
  constructor(private readonly db: Db) {}

  /** The highest lead id whose personal fields are erased (0: none). */
  erasedThrough(): number {
    const row = this.db
      .select({ value: appMeta.value })
      .from(appMeta)
      .where(eq(appMeta.key, CURSOR_KEY))
      .get();
    return row === undefined ? 0 : Number(row.value);
  }

  /**
   * Erases the next `limit` due leads (received before `cutoff`) and their reps' decision notes,
   * in one short write transaction. Touches no column the stats rollups depend on, so no rollup
   * goes stale (the triggers in drizzle/0005 watch only those columns).
   */
  eraseBatch(cutoff: number, limit: number): ErasedBatch {
    return this.db.transaction(
      (tx) => {
        const after = this.erasedThrough();
        const next = tx
          .select({ id: leads.id, receivedAt: leads.receivedAt, postStatus: leads.postStatus })
          .from(leads)
          .where(gt(leads.id, after))
          .orderBy(asc(leads.id))
          .limit(limit)
          .all();
        // A kept vendor body (needs attention) is personal data too: an old one loses its body and
        // the guess of who it was; its reason and state stay.
        const bodies = tx
          .update(needsAttention)
          .set({ raw: '', who: null })
          .where(
            sql`${needsAttention.id} IN (SELECT id FROM needs_attention WHERE received_at < ${cutoff} AND raw <> '' LIMIT ${limit})`,
          )
          .run().changes;
        let count = 0;
        while (count < next.length && isDue(next[count] as (typeof next)[number], cutoff)) count += 1;
        const through = next[count - 1]?.id;
        if (through === undefined) return { erased: 0, done: bodies < limit };
        const range = and(gt(leads.id, after), lte(leads.id, through));
        tx.update(leads).set(ERASED_LEAD_FIELDS).where(range).run();
        tx.update(decisions)
          .set({ note: null })
          .where(and(gt(decisions.leadId, after), lte(decisions.leadId, through), isNotNull(decisions.note)))
          .run();
        tx.insert(appMeta)
          .values({ key: CURSOR_KEY, value: String(through) })
          .onConflictDoUpdate({ target: appMeta.key, set: { value: String(through) } })
          .run();
        return { erased: count, done: count < limit && bodies < limit };
      },
      { behavior: 'immediate' },
    );
  }

  /** How many leads the next erasure would erase, changing nothing (for --dry-run). */
  countDue(cutoff: number): number {
    const after = this.erasedThrough();
    const frontier = this.db
      .select({ id: min(leads.id) })
      .from(leads)
      .where(
        and(
          gt(leads.id, after),
          or(gte(leads.receivedAt, cutoff), sql`${leads.postStatus} IN ('queued', 'posting')`),
        ),
      )
      .get()?.id;
    const row = this.db
      .select({ n: sql<number>`count(*)` })
      .from(leads)
      .where(
        and(
          gt(leads.id, after),
          frontier === null || frontier === undefined ? undefined : sql`${leads.id} < ${frontier}`,
        ),
      )
      .get();
    return row?.n ?? 0;
  }
}

/** Old enough, and no longer needed to post it: a lead still in the posting queue keeps its fields. */
function isDue(lead: { receivedAt: number; postStatus: string }, cutoff: number): boolean {
  return lead.receivedAt < cutoff && lead.postStatus !== 'queued' && lead.postStatus !== 'posting';
}
