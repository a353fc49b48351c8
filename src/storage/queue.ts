import { isNotNull, max, min, sql } from 'drizzle-orm';
import type { Db } from './db.js';
import { leads } from './schema.js';

/** The posting queue as an operator sees it (times in ms since the epoch). */
export interface QueueSnapshot {
  /** Leads not yet posted: queued, or in doubt after an interrupted send. */
  depth: number;
  /** When the longest-waiting of them arrived; undefined when the queue is empty. */
  oldestReceivedAt: number | undefined;
  /** The Slack time of the latest lead post; undefined before the first. */
  lastPostedAt: number | undefined;
}

/**
 * Reads for /healthz and /metrics. Both run on every probe or scrape, so both stay on indexes:
 * the queue's partial index holds only unposted leads, and the cohort index starts at posted_at.
 */
export class QueueStore {
  constructor(private readonly db: Db) {}

  snapshot(): QueueSnapshot {
    const waiting = this.db
      .select({ depth: sql<number>`count(*)`, oldest: min(leads.receivedAt) })
      .from(leads)
      .where(isNotNull(leads.postNextAt))
      .get();
    const posted = this.db
      .select({ last: max(leads.postedAt) })
      .from(leads)
      .get();
    return {
      depth: waiting?.depth ?? 0,
      oldestReceivedAt: waiting?.oldest ?? undefined,
      lastPostedAt: posted?.last ?? undefined,
    };
  }
}
