import { asc, eq, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { slackInbox } from './schema.js';

export interface InboxEntry {
  id: number;
  receivedAt: number;
  body: unknown;
  state: 'received' | 'pending';
  attempts: number;
}

/**
 * The durable inbox (see slackInbox in schema.ts). `keep` runs in the caller's transaction (the
 * Store's group commit), `settle` in the transaction that applies the entry, so an entry is
 * gone exactly when its effect is stored.
 */
export class InboxStore {
  constructor(private readonly db: Db) {}

  /** Writes a body to replay if it is not settled by `nextAt`; its id. */
  keep(body: unknown, now: number, nextAt: number): number {
    const row = this.db
      .insert(slackInbox)
      .values({ receivedAt: now, body: JSON.stringify(body), nextAt })
      .returning({ id: slackInbox.id })
      .get();
    return row.id;
  }

  /** Applied (or found to need nothing): removed. */
  settle(id: number): void {
    this.db.delete(slackInbox).where(eq(slackInbox.id, id)).run();
  }

  /** Cannot apply yet: tried again at `nextAt`, or as soon as something it may wait for happens. */
  defer(id: number, nextAt: number): void {
    this.db.update(slackInbox).set({ state: 'pending', nextAt }).where(eq(slackInbox.id, id)).run();
  }

  /**
   * Entries to replay: those due, and (when `pendingToo`) every pending one, oldest first. Each
   * is pushed back by `retryMs` as it is taken, so a crash mid-replay does not loop on it.
   */
  take(input: { now: number; retryMs: number; pendingToo: boolean; limit: number }): InboxEntry[] {
    return this.db.transaction((tx) => {
      const rows = tx
        .select()
        .from(slackInbox)
        .where(
          input.pendingToo
            ? or(lte(slackInbox.nextAt, input.now), eq(slackInbox.state, 'pending'))
            : lte(slackInbox.nextAt, input.now),
        )
        .orderBy(asc(slackInbox.id))
        .limit(input.limit)
        .all();
      for (const row of rows) {
        tx.update(slackInbox)
          .set({ nextAt: input.now + input.retryMs, attempts: sql`${slackInbox.attempts} + 1` })
          .where(eq(slackInbox.id, row.id))
          .run();
      }
      return rows.map((row) => ({
        id: row.id,
        receivedAt: row.receivedAt,
        body: JSON.parse(row.body) as unknown,
        state: row.state,
        attempts: row.attempts + 1,
      }));
    });
  }

  /** Entries received before `before` that never applied: removed, and counted. */
  expire(before: number): number {
    return this.db.delete(slackInbox).where(lt(slackInbox.receivedAt, before)).run().changes;
  }

  /** When the next entry is due (ms), if any is waiting. */
  nextDueAt(): number | undefined {
    const row = this.db
      .select({ nextAt: sql<number>`min(${slackInbox.nextAt})` })
      .from(slackInbox)
      .get();
    return row?.nextAt ?? undefined;
  }

  size(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(slackInbox).get()?.n ?? 0;
  }
}
