import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import type { Clock, Timers } from '../clock.js';
import { topReasons } from '../domain/attention.js';
import { attentionNotice } from '../slack/blocks/attention.js';
import { classifySlackError } from '../slack/errors.js';
import type { AttentionStore } from '../storage/attention.js';
import { QueueWorker } from './worker.js';

export interface AttentionAnnouncerDeps {
  attention: AttentionStore;
  client: WebClient;
  logger: Logger;
  clock: Clock;
  timers?: Timers;
}

export interface AttentionAnnouncerOptions {
  channel: string;
  /** At most one notice per this many ms (an hour). */
  everyMs?: number;
  /** After a failed post, wait this long before trying again (a minute); Retry-After wins. */
  retryMs?: number;
}

/**
 * Tells the leads (or attention) channel, at most once an hour, how many items from vendors need
 * attention since the last notice. Durable: the notice's time and the last item it counted are
 * recorded after the post, so a restart does not repeat it; a failed post is tried again later.
 * Woken by notify() when a new item is stored; otherwise it waits (nothing else creates items).
 */
export class AttentionAnnouncer extends QueueWorker {
  private readonly everyMs: number;
  private readonly retryMs: number;
  private retryNotBefore = 0;
  private reportedProblem: string | undefined;

  constructor(
    private readonly deps: AttentionAnnouncerDeps,
    private readonly options: AttentionAnnouncerOptions,
  ) {
    super('attention announcer', deps.logger, deps.timers);
    this.everyMs = options.everyMs ?? 60 * 60_000;
    this.retryMs = options.retryMs ?? 60_000;
  }

  protected async step(): Promise<number | undefined> {
    const { attention, clock, client, logger } = this.deps;
    const now = clock.now();
    const last = attention.lastAnnouncement();
    const fresh = attention.openSince(last?.throughId ?? 0);
    if (fresh.count === 0) {
      logger.debug('Attention notice: nothing new to announce');
      return undefined;
    }
    const dueAt = Math.max(last === undefined ? now : last.at + this.everyMs, this.retryNotBefore);
    if (dueAt > now) {
      logger.debug(
        `Attention notice: ${fresh.count} new, next notice in ${Math.ceil((dueAt - now) / 1000)} s`,
      );
      return dueAt - now;
    }

    const message = attentionNotice({
      newCount: fresh.count,
      openCount: attention.openCount(),
      topReasons: topReasons(fresh.reasons),
      announcedBefore: last !== undefined,
    });
    const { channel } = this.options;
    try {
      await client.chat.postMessage({ channel, ...message, unfurl_links: false, unfurl_media: false });
    } catch (error) {
      const failure = classifySlackError(error, { channel });
      const waitMs = failure.kind === 'rate_limited' ? failure.retryAfterMs : this.retryMs;
      this.retryNotBefore = clock.now() + waitMs;
      const problem = failure.kind === 'misconfigured' ? failure.fix : failure.code;
      if (problem !== this.reportedProblem) {
        logger.error(
          `Could not tell ${channel} that ${fresh.count} lead(s) need attention: ${problem} Trying again in ${Math.round(waitMs / 1000)} s.`,
        );
        this.reportedProblem = problem;
      }
      return waitMs;
    }
    attention.recordAnnouncement(clock.now(), fresh.lastId);
    this.reportedProblem = undefined;
    logger.info(`Told ${channel} that ${fresh.count} lead(s) need attention`);
    return undefined;
  }
}
