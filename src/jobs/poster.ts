import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import type { Clock } from '../clock.js';
import { IN_DOUBT_TIMING } from '../domain/inDoubt.js';
import { TokenBucket } from '../domain/pacing.js';
import type { Metrics } from '../metrics.js';
import { type LeadPostOptions, leadPost } from '../slack/blocks/leadPost.js';
import { classifySlackError, type SlackFailure } from '../slack/errors.js';
import { findSentMessage } from '../slack/findMessage.js';
import { LEAD_POST_EVENT_TYPE } from '../slack/ids.js';
import type { DueLead, Store } from '../storage/store.js';
import type { PostingStatus } from './postingStatus.js';
import { QueueWorker } from './worker.js';

export interface PosterOptions {
  channel: string;
  post: LeadPostOptions;
  /** Posts allowed at once, then one per `intervalMs`. Slack: about 1/s per channel, short bursts. */
  burst?: number;
  intervalMs?: number;
  /** How long a channel rests after a configuration error before the queue tries again. */
  misconfiguredRetryMs?: number;
  /** How long after a send of unknown outcome the channel history is first checked for it. */
  inDoubtCheckMs?: number;
  /**
   * How long after a send began Slack may still store it: not found before then, the lead stays
   * in doubt and is looked for again; only not found after it is it posted again.
   */
  settleMs?: number;
  maxBackoffMs?: number;
}

export interface PosterDeps {
  store: Store;
  /** A client of its own: no automatic retries and 429s rejected, so it never stalls interactive calls. */
  client: WebClient;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  /** Where the poster says whether posting works (read by /healthz and /metrics). */
  status: PostingStatus;
}

type SlackMethod = 'chat.postMessage' | 'conversations.history';

const IDLE_POLL_MS = 2_000;

/** Milliseconds from a Slack message ts ("1763900000.000100"). */
export function tsToMs(ts: string): number {
  return Math.round(Number.parseFloat(ts) * 1000);
}

/**
 * Posts queued leads to the leads channel, one at a time, paced to Slack's per-channel limit.
 *
 * Exactly-once in normal operation rests on the database: a lead is marked 'posting' before the
 * send and 'posted' with its ts after it. A send whose outcome is unknown (crash, timeout, 5xx)
 * leaves the lead in doubt; before it is sent again, the channel history is searched for the
 * message metadata that every lead post carries, until Slack must be done with the send.
 */
export class Poster extends QueueWorker {
  private readonly bucket: TokenBucket;
  private readonly opts: Required<PosterOptions>;
  private channelRestUntil = 0;

  constructor(
    private readonly deps: PosterDeps,
    options: PosterOptions,
  ) {
    super('lead poster', deps.logger);
    this.opts = {
      burst: 3,
      intervalMs: 1000,
      misconfiguredRetryMs: 60_000,
      inDoubtCheckMs: 5_000,
      settleMs: IN_DOUBT_TIMING.settleMs,
      maxBackoffMs: 5 * 60_000,
      ...options,
    };
    this.bucket = new TokenBucket(this.opts.burst, this.opts.intervalMs, deps.clock.now());
  }

  protected async step(): Promise<number | undefined> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const restMs = Math.max(this.channelRestUntil - now, this.bucket.delay(now));
    if (restMs > 0) return restMs;
    const lead = store.nextDueLead(now);
    if (!lead) {
      // Leads also arrive from other processes (leadloop import): look again every few seconds.
      const dueAt = store.nextPostDueAt();
      return Math.min(IDLE_POLL_MS, dueAt === undefined ? IDLE_POLL_MS : Math.max(0, dueAt - now));
    }
    if (lead.postStatus === 'posting') await this.resolveInDoubt(lead);
    else await this.post(lead);
    return 0;
  }

  private async post(lead: DueLead): Promise<void> {
    const { store, client, clock, logger } = this.deps;
    const { channel } = this.opts;
    const startedAt = clock.now();
    this.bucket.take(startedAt);
    store.markPosting(lead.id, startedAt, startedAt + this.opts.inDoubtCheckMs);
    const content = leadPost(lead, this.opts.post);
    try {
      const result = await client.chat.postMessage({
        channel,
        ...content,
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: LEAD_POST_EVENT_TYPE, event_payload: { lead_id: String(lead.id) } },
      });
      const ts = result.ts ?? '';
      store.markPosted(lead.id, { channel: result.channel ?? channel, ts, postedAt: tsToMs(ts) });
      this.deps.metrics.leadsPosted.inc();
      this.recovered();
      logger.debug(`Posted lead ${lead.id} to ${channel} (ts ${ts})`);
    } catch (error) {
      const failure = classifySlackError(error, { channel });
      this.deps.metrics.postFailures.inc({ code: failure.code });
      this.handleFailure(lead, failure, 'chat.postMessage');
    }
  }

  /**
   * `method` says what failed: the send itself (the lead was not posted unless the failure is
   * uncertain) or the history check of a post in doubt (the lead stays in doubt whatever happens).
   */
  private handleFailure(lead: DueLead, failure: SlackFailure, method: SlackMethod): void {
    const { store, clock, logger } = this.deps;
    const now = clock.now();
    const stage = method === 'chat.postMessage' ? 'send' : 'check';
    const fields = { code: failure.code, method, channel: this.opts.channel, leadId: lead.id };
    const retryAt = (at: number) =>
      stage === 'check' || failure.kind === 'uncertain'
        ? store.markInDoubt(lead.id, at, failure.code)
        : store.markPostRetry(lead.id, at, failure.code);
    switch (failure.kind) {
      case 'rate_limited':
        this.bucket.holdUntil(now + failure.retryAfterMs);
        retryAt(now + failure.retryAfterMs);
        logger.warn(
          `Slack rate-limited the lead poster; waiting ${failure.retryAfterMs / 1000} s as asked (Retry-After)`,
          fields,
        );
        return;
      case 'misconfigured':
        this.channelRestUntil = now + this.opts.misconfiguredRetryMs;
        retryAt(this.channelRestUntil);
        // Logged once per problem, not once per lead: /healthz and /metrics show it meanwhile.
        if (this.deps.status.blocked(failure.code, failure.fix, now)) {
          logger.error(
            `Cannot post leads: ${failure.fix} Leads stay queued and are retried every ${this.opts.misconfiguredRetryMs / 1000} s.`,
            fields,
          );
        }
        return;
      case 'bad_request':
        if (stage === 'check') {
          retryAt(now + this.backoff(lead.postAttempts));
          return;
        }
        store.markPostFailed(lead.id, failure.code);
        logger.error(
          `Slack refused the post for lead ${lead.id} (${failure.code}); it will not be retried.`,
          fields,
        );
        return;
      case 'uncertain': {
        const backoff = this.backoff(lead.postAttempts);
        retryAt(now + backoff);
        logger.warn(
          `Posting lead ${lead.id} failed (${failure.code}); checking whether it arrived, then retrying, in ${Math.round(backoff / 1000)} s`,
          fields,
        );
        return;
      }
    }
  }

  /**
   * A send of unknown outcome: find the post by its metadata in the channel history around the
   * send. Found, it is recorded; not found once Slack is done with the send, the lead is queued
   * again; not found before then, it is looked for again when Slack must be done. Without the
   * history scope we cannot tell, and posting again (at worst a duplicate) beats losing the lead.
   */
  private async resolveInDoubt(lead: DueLead): Promise<void> {
    const { store, client, clock, logger } = this.deps;
    const { channel } = this.opts;
    const sentAt = lead.postStartedAt ?? lead.createdAt;
    const leadId = String(lead.id);
    try {
      const verdict = await findSentMessage(client, {
        channel,
        eventType: LEAD_POST_EVENT_TYPE,
        matches: (payload) => String(payload.lead_id) === leadId,
        sentAt,
        now: clock.now(),
        timing: { ...IN_DOUBT_TIMING, settleMs: this.opts.settleMs },
      });
      switch (verdict.kind) {
        case 'posted':
          store.markPosted(lead.id, { channel, ts: verdict.ts, postedAt: tsToMs(verdict.ts) });
          logger.info(
            `Lead ${lead.id} had been posted before the interruption (ts ${verdict.ts}); not posting it again`,
          );
          return;
        case 'wait':
          store.markInDoubt(lead.id, verdict.at, 'not_visible_yet');
          logger.debug(`Lead ${lead.id} is not in the channel yet; Slack may still be storing it`, {
            leadId: lead.id,
            checkAt: verdict.at,
          });
          return;
        case 'not_posted':
          if (verdict.truncated) {
            logger.warn(
              `Lead ${lead.id} was not found in the ${verdict.pages} pages of channel history searched around its send; posting it again, which may duplicate it.`,
              { channel, leadId: lead.id },
            );
          }
          store.markPostRetry(
            lead.id,
            clock.now(),
            lead.postStartedAt ? 'not_found_after_uncertain_send' : 'requeued',
          );
          return;
      }
    } catch (error) {
      const failure = classifySlackError(error, { channel });
      if (failure.kind === 'misconfigured' && failure.code === 'missing_scope') {
        logger.warn(
          `Cannot check whether lead ${lead.id} was already posted (${failure.fix}); posting it again, which may duplicate it.`,
          { code: failure.code, method: 'conversations.history', channel, leadId: lead.id },
        );
        store.markPostRetry(lead.id, clock.now(), failure.code);
        return;
      }
      this.handleFailure(lead, failure, 'conversations.history');
    }
  }

  private recovered(): void {
    const ended = this.deps.status.ok();
    if (ended !== undefined) {
      this.deps.logger.info(`Posting leads works again (the earlier ${ended} is resolved)`, {
        resolved: ended,
        channel: this.opts.channel,
      });
    }
    this.channelRestUntil = 0;
  }

  private backoff(attempt: number): number {
    return Math.min(this.opts.maxBackoffMs, 1000 * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
  }
}
