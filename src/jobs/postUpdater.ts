import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import { TokenBucket } from '../domain/pacing.js';
import { type LeadPostOptions, leadPost } from '../slack/blocks/leadPost.js';
import { classifySlackError } from '../slack/errors.js';
import type { Store } from '../storage/store.js';
import { QueueWorker } from './worker.js';

export interface PostUpdaterDeps {
  store: Store;
  client: WebClient;
  logger: Logger;
  clock: Clock;
}

const IDLE_POLL_MS = 5_000;

/** Slack will never accept an edit of this post: stop trying, say why once. */
const GONE = new Set([
  'message_not_found',
  'cant_update_message',
  'channel_not_found',
  'is_archived',
  'edit_window_closed',
]);

/**
 * Keeps every lead post showing the truth. A decision bumps the lead's post version in the same
 * transaction that records it; this worker edits the post (chat.update) until the rendered
 * version catches up. So a burst of decisions costs one edit, and an edit that failed (rate
 * limit, restart, Slack outage) is made later rather than lost.
 */
export class PostUpdater extends QueueWorker {
  private holdUntil = 0;
  private failures = 0;
  /** chat.update is Tier 3 (about 50 a minute): a short burst, then paced; edits coalesce meanwhile. */
  private readonly bucket: TokenBucket;

  constructor(
    private readonly deps: PostUpdaterDeps,
    private readonly options: LeadPostOptions,
    pacing: { burst: number; intervalMs: number } = { burst: 10, intervalMs: 1_200 },
  ) {
    super('post updater', deps.logger);
    this.bucket = new TokenBucket(pacing.burst, pacing.intervalMs, deps.clock.now());
  }

  protected async step(): Promise<number | undefined> {
    const { store, client, clock, logger } = this.deps;
    const now = clock.now();
    const wait = Math.max(this.holdUntil - now, this.bucket.delay(now));
    if (wait > 0) return wait;
    const post = store.nextPostToRender();
    // Decisions also come from other processes (leadloop reconcile): look again now and then.
    if (!post) return IDLE_POLL_MS;
    const decided = store.leadDecisions(post.id);
    const content = leadPost(post, this.options, { ...decided, postedAt: post.postedAt });
    this.bucket.take(now);
    try {
      await client.chat.update({ channel: post.channel, ts: post.ts, ...content });
      store.markRendered(post.id, post.postVersion);
      this.failures = 0;
      return 0;
    } catch (error) {
      const failure = classifySlackError(error, { channel: post.channel });
      const fields = { code: failure.code, method: 'chat.update', channel: post.channel, leadId: post.id };
      if (failure.kind === 'rate_limited') {
        this.holdUntil = clock.now() + failure.retryAfterMs;
        this.bucket.holdUntil(this.holdUntil);
      } else if (GONE.has(failure.code) || failure.kind === 'bad_request') {
        store.markRendered(post.id, post.postVersion);
        logger.warn(
          `Cannot update the post of lead ${post.id} (${failure.code}); its decisions are still recorded.`,
          fields,
        );
      } else {
        this.failures += 1;
        this.holdUntil = clock.now() + Math.min(60_000, 500 * 2 ** Math.min(this.failures, 7));
        logger.warn(
          `Updating the post of lead ${post.id} failed (${failure.kind === 'misconfigured' ? failure.fix : failure.code}); retrying`,
          fields,
        );
      }
      return 0;
    }
  }
}
