import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { appMeta, digestSends } from './schema.js';

export type DigestSendRow = typeof digestSends.$inferSelect;

export type DigestClaim =
  /**
   * Go ahead. `inDoubt`: an earlier send, begun at `sentAt`, has no known outcome (a crash, a
   * timeout); look for it in the channel first.
   */
  | { claimed: true; inDoubt: { sentAt: number } | undefined; attempts: number }
  | { claimed: false; reason: 'sent' | 'busy'; row: DigestSendRow };

/** The digest's bookkeeping: which week went to which channel, and installation facts. */
export class DigestStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims (week, channel) for sending, atomically. A sent week is not claimed again (unless
   * `force`); a send in progress or in doubt is left alone until `staleAfterMs` after it began
   * (by then Slack is done with it, and no live sender is still at it), then claimed in doubt.
   */
  claim(
    week: string,
    channel: string,
    now: number,
    options: { force?: boolean; staleAfterMs: number },
  ): DigestClaim {
    return this.db.transaction(
      (tx) => {
        const row = tx
          .select()
          .from(digestSends)
          .where(and(eq(digestSends.week, week), eq(digestSends.channel, channel)))
          .get();
        if (!row) {
          tx.insert(digestSends)
            .values({ week, channel, status: 'sending', attempts: 1, startedAt: now })
            .run();
          return { claimed: true, inDoubt: undefined, attempts: 1 };
        }
        const inDoubt = row.status === 'sending';
        if (row.status === 'sent' && !options.force) return { claimed: false, reason: 'sent', row };
        if (inDoubt && now - row.startedAt < options.staleAfterMs)
          return { claimed: false, reason: 'busy', row };
        tx.update(digestSends)
          .set({ status: 'sending', attempts: sql`${digestSends.attempts} + 1`, startedAt: now, error: null })
          .where(and(eq(digestSends.week, week), eq(digestSends.channel, channel)))
          .run();
        return {
          claimed: true,
          inDoubt: inDoubt ? { sentAt: row.startedAt } : undefined,
          attempts: row.attempts + 1,
        };
      },
      { behavior: 'immediate' },
    );
  }

  markSent(week: string, channel: string, ts: string, now: number): void {
    this.update(week, channel, { status: 'sent', ts, sentAt: now, error: null });
  }

  markChart(week: string, channel: string, fileId: string): void {
    this.update(week, channel, { chartFileId: fileId });
  }

  /**
   * The send's outcome is unknown (a timeout, a 5xx, or the search for it failed): it stays
   * "sending", dated `startedAt` (when the send in doubt began), to be looked for before any
   * other send.
   */
  markInDoubt(week: string, channel: string, startedAt: number, error: string): void {
    this.update(week, channel, { status: 'sending', startedAt, error });
  }

  /** Sends whose outcome is not recorded: in progress, or in doubt after a crash or a timeout. */
  inDoubtSends(): DigestSendRow[] {
    return this.db.select().from(digestSends).where(eq(digestSends.status, 'sending')).all();
  }

  markFailed(week: string, channel: string, error: string): void {
    this.update(week, channel, { status: 'failed', error });
  }

  sends(week: string): DigestSendRow[] {
    return this.db.select().from(digestSends).where(eq(digestSends.week, week)).all();
  }

  /** Weeks with a channel whose send failed, for the retry. */
  failedSends(): DigestSendRow[] {
    return this.db.select().from(digestSends).where(eq(digestSends.status, 'failed')).all();
  }

  /** When this installation first started (set once, on the first call). */
  firstStartedAt(now: number): number {
    this.db
      .insert(appMeta)
      .values({ key: 'first_started_at', value: String(now) })
      .onConflictDoNothing()
      .run();
    const row = this.db.select().from(appMeta).where(eq(appMeta.key, 'first_started_at')).get();
    return Number(row?.value ?? now);
  }

  private update(week: string, channel: string, values: Partial<DigestSendRow>): void {
    this.db
      .update(digestSends)
      .set(values)
      .where(and(eq(digestSends.week, week), eq(digestSends.channel, channel)))
      .run();
  }
}
