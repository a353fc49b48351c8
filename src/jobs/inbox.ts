import type { Logger } from '@slack/logger';
import type { Clock, Timers } from '../clock.js';
import type { InboxStore } from '../storage/inbox.js';
import type { Store } from '../storage/store.js';
import { QueueWorker } from './worker.js';

/** The live listener has this long to settle an entry before the replayer takes it. */
export const INBOX_GRACE_MS = 10_000;
/** A replayed entry that did not settle is tried again after this. */
const RETRY_MS = 30_000;
/**
 * A reaction still waiting after this is about a message that never became a lead post (or a
 * removal whose reaction never came): dropped. Slack's own retries end within minutes.
 */
export const INBOX_KEEP_MS = 60 * 60_000;
const BATCH = 100;
/** Looked at this often even when nothing notifies: new entries wait out their grace period. */
const POLL_MS = 5_000;

/** Sends a stored body through the app's listeners again (Bolt's processEvent, acked by no one). */
export type Dispatch = (body: unknown, inboxId: number) => Promise<void>;

/**
 * Replays the durable inbox: entries left by a crash or a storage failure after Slack's 200,
 * and reactions waiting for their post's ts or for the reaction a removal is about. Listeners
 * settle what they apply, in the same transaction; Slack's event_id makes a replay of something
 * already applied a no-op.
 */
export class InboxReplayer extends QueueWorker {
  private wantWaiting = true;

  constructor(
    private readonly deps: {
      inbox: InboxStore;
      store: Store;
      dispatch: Dispatch;
      clock: Clock;
      timers: Timers;
      logger: Logger;
    },
  ) {
    super('inbox replayer', deps.logger, deps.timers);
  }

  /** Something a waiting reaction may need happened (a post's ts recorded, a decision made). */
  override notify(): void {
    this.wantWaiting = true;
    super.notify();
  }

  protected async step(): Promise<number | undefined> {
    const { inbox, store, clock, logger } = this.deps;
    const now = clock.now();
    const pendingToo = this.wantWaiting;
    this.wantWaiting = false;
    const dropped = await store.soon(() => inbox.expire(now - INBOX_KEEP_MS));
    if (dropped > 0) {
      logger.info(
        `Dropped ${dropped} Slack reaction(s) kept for an hour that never matched a lead post (reactions on other messages, or removals of reactions never seen)`,
      );
    }
    const entries = await store.soon(() => inbox.take({ now, retryMs: RETRY_MS, pendingToo, limit: BATCH }));
    for (const entry of entries) {
      try {
        await this.deps.dispatch(entry.body, entry.id);
      } catch (error) {
        logger.warn(`Replaying Slack inbox entry ${entry.id} failed; trying again later`, error);
      }
    }
    if (entries.length === BATCH) return 0;
    const next = inbox.nextDueAt();
    return next === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(1_000, next - clock.now()));
  }
}
