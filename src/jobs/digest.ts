import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import { createTask, type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.js';
import type { Digest } from '../domain/digest.js';
import { lastFullWeek } from '../domain/period.js';
import type { Metrics } from '../metrics.js';
import { renderDigestChart } from '../report/chart.js';
import { digestFor } from '../services/digest.js';
import type { StatsService } from '../services/stats.js';
import { digestMessage } from '../slack/blocks/digest.js';
import { classifySlackError } from '../slack/errors.js';
import type { DigestStore } from '../storage/digests.js';

export const DIGEST_EVENT_TYPE = 'leadloop_digest_posted';

export type ChannelOutcome =
  | { channel: string; status: 'sent'; ts: string; chart: boolean }
  | { channel: string; status: 'already_sent' | 'busy' }
  | { channel: string; status: 'failed'; error: string };

export interface DigestDeps {
  digests: DigestStore;
  stats: StatsService;
  client: WebClient;
  logger: Logger;
  clock: Clock;
}

export interface DigestSettings {
  channels: readonly string[];
  timezone: string;
  workspaceUrl: string | undefined;
}

/** A send older than this that never finished was interrupted (a crash), not in progress. */
const STALE_SEND_MS = 10 * 60_000;

/**
 * Sends a week's digest to every digest channel, at most once per (week, channel): the row is
 * claimed before the send and marked after it; a send interrupted mid-way is looked up in the
 * channel history (message metadata) before it is sent again. A channel that fails does not
 * hold the others back and is retried later on its own.
 */
export class DigestSender {
  private running: Promise<ChannelOutcome[]> | undefined;

  constructor(
    private readonly deps: DigestDeps,
    private readonly settings: DigestSettings,
  ) {}

  build(isoWeek?: string): Digest {
    return digestFor(
      { stats: this.deps.stats, clock: this.deps.clock },
      { timezone: this.settings.timezone },
      isoWeek,
    );
  }

  /** Overlapping calls in one process share one run; across processes the claims decide. */
  send(options: { isoWeek?: string; force?: boolean } = {}): Promise<ChannelOutcome[]> {
    this.running ??= this.sendAll(options).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sendAll(options: { isoWeek?: string; force?: boolean }): Promise<ChannelOutcome[]> {
    const { logger } = this.deps;
    const digest = this.build(options.isoWeek);
    const message = digestMessage(digest, {
      workspaceUrl: this.settings.workspaceUrl,
      timezone: this.settings.timezone,
    });
    let chart: Buffer | undefined;
    const outcomes: ChannelOutcome[] = [];
    for (const channel of this.settings.channels) {
      const claim = this.deps.digests.claim(digest.isoWeek, channel, this.deps.clock.now(), {
        force: options.force,
        staleAfterMs: STALE_SEND_MS,
      });
      if (!claim.claimed) {
        outcomes.push({ channel, status: claim.reason === 'sent' ? 'already_sent' : 'busy' });
        continue;
      }
      if (claim.inDoubt) {
        const found = await this.findPosted(channel, digest.isoWeek);
        if (found) {
          this.deps.digests.markSent(digest.isoWeek, channel, found, this.deps.clock.now());
          logger.info(
            `The ${digest.isoWeek} digest had reached ${channel} before the interruption; not sending it again`,
          );
          outcomes.push({ channel, status: 'already_sent' });
          continue;
        }
      }
      try {
        const posted = await this.deps.client.chat.postMessage({
          channel,
          ...message,
          unfurl_links: false,
          unfurl_media: false,
          metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { week: digest.isoWeek } },
        });
        const ts = posted.ts ?? '';
        this.deps.digests.markSent(digest.isoWeek, channel, ts, this.deps.clock.now());
        chart ??= await this.renderChart(digest);
        const uploaded = chart ? await this.uploadChart(channel, digest, chart) : false;
        outcomes.push({ channel, status: 'sent', ts, chart: uploaded });
      } catch (error) {
        const failure = classifySlackError(error, { channel });
        const why = failure.kind === 'misconfigured' ? failure.fix : failure.code;
        this.deps.digests.markFailed(digest.isoWeek, channel, failure.code);
        logger.error(
          `The ${digest.isoWeek} digest could not be sent to ${channel}: ${why} It will be retried.`,
          { code: failure.code, method: 'chat.postMessage', channel },
        );
        outcomes.push({ channel, status: 'failed', error: failure.code });
      }
    }
    return outcomes;
  }

  /** The chart is a bonus: if it cannot be drawn or uploaded, the text digest still stands. */
  private async renderChart(digest: Digest): Promise<Buffer | undefined> {
    try {
      return await renderDigestChart(digest);
    } catch (error) {
      this.deps.logger.error('Drawing the digest chart failed; sending the digest without it', error);
      return undefined;
    }
  }

  private async uploadChart(channel: string, digest: Digest, png: Buffer): Promise<boolean> {
    try {
      const result = await this.deps.client.filesUploadV2({
        channel_id: channel,
        file: png,
        filename: `leadloop-digest-${digest.isoWeek}.png`,
        title: `Acceptance rate by campaign, ${digest.week.label}`,
      });
      const fileId = (result as { files?: { files?: { id?: string }[] }[] }).files?.[0]?.files?.[0]?.id;
      if (fileId) this.deps.digests.markChart(digest.isoWeek, channel, fileId);
      return true;
    } catch (error) {
      const failure = classifySlackError(error, { channel });
      this.deps.logger.warn(
        `The ${digest.isoWeek} digest went to ${channel} without its chart (${failure.kind === 'misconfigured' ? failure.fix : failure.code})`,
        { code: failure.code, method: 'filesUploadV2', channel },
      );
      return false;
    }
  }

  private async findPosted(channel: string, week: string): Promise<string | undefined> {
    try {
      const history = await this.deps.client.conversations.history({
        channel,
        oldest: ((this.deps.clock.now() - 8 * 24 * 3_600_000) / 1000).toFixed(6),
        include_all_metadata: true,
        limit: 200,
      });
      return history.messages?.find(
        (m) =>
          m.metadata?.event_type === DIGEST_EVENT_TYPE &&
          (m.metadata.event_payload as { week?: unknown } | undefined)?.week === week,
      )?.ts;
    } catch (error) {
      const { code } = classifySlackError(error);
      this.deps.logger.warn(
        `Cannot check whether the ${week} digest reached ${channel} (${code}); sending it`,
        {
          code,
          method: 'conversations.history',
          channel,
        },
      );
      return undefined;
    }
  }
}

/**
 * Runs the digest on DIGEST_CRON in TIMEZONE. On start it catches up: if the latest scheduled
 * time passed while the bot was down (and after it was first installed), that week's digest goes
 * out once; older missed weeks are not sent. Failed channels are retried every 15 minutes.
 */
export class DigestScheduler {
  private task: ScheduledTask | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      sender: DigestSender;
      digests: DigestStore;
      clock: Clock;
      logger: Logger;
      metrics: Metrics;
    },
    private readonly settings: { cron: string; timezone: string; retryEveryMs?: number },
  ) {}

  async start(): Promise<void> {
    const { clock, logger } = this.deps;
    this.task = createTask(this.settings.cron, () => this.fire('scheduled'), {
      timezone: this.settings.timezone,
      name: 'leadloop-digest',
      noOverlap: true,
      logger: this.deps.logger,
    });
    await this.task.start();
    const installedAt = this.deps.digests.firstStartedAt(clock.now());
    const last = this.lastScheduledBefore(clock.now());
    if (last !== undefined && last > installedAt) {
      const week = lastFullWeek(last, this.settings.timezone);
      logger.debug(`Digest catch-up check for the week of ${week.label}`);
      await this.fire('catch-up', last);
    }
    this.retryTimer = setInterval(() => this.fire('retry'), this.settings.retryEveryMs ?? 15 * 60_000);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.retryTimer);
    await this.task?.destroy();
  }

  /**
   * Sends the digest of the week before `at` (default now). Safe to call any number of times:
   * what was sent is not sent again.
   */
  async fire(reason: 'scheduled' | 'catch-up' | 'retry', at?: number): Promise<ChannelOutcome[]> {
    const { sender, clock, logger } = this.deps;
    try {
      const week = lastFullWeek(at ?? clock.now(), this.settings.timezone);
      const isoWeek = week.spec.kind === 'iso-week' ? week.spec.week : undefined;
      if (reason === 'retry') {
        const failed = this.deps.digests.failedSends().filter((r) => r.week === isoWeek);
        if (failed.length === 0) return [];
      }
      const outcomes = await sender.send({ isoWeek });
      for (const outcome of outcomes) this.deps.metrics.digestSends.inc({ outcome: outcome.status });
      const sent = outcomes.filter((o) => o.status === 'sent').map((o) => o.channel);
      if (sent.length > 0) logger.info(`Sent the ${isoWeek} digest (${reason}) to ${sent.join(', ')}`);
      return outcomes;
    } catch (error) {
      logger.error(`The digest (${reason}) failed unexpectedly`, error);
      return [];
    }
  }

  /** The latest time before `now`, within the past 8 days, that DIGEST_CRON fires at. */
  lastScheduledBefore(now: number): number | undefined {
    const { cron, timezone } = this.settings;
    const temporary = this.task ? undefined : createTask(cron, () => {}, { timezone });
    const matcher = (this.task ?? temporary) as ScheduledTask;
    try {
      const minute = 60_000;
      // Minute by minute, at each second the expression names (only 0 without a seconds field).
      const seconds = secondsOf(cron).reverse();
      for (let t = Math.floor(now / minute) * minute; t > now - 8 * 24 * 60 * minute; t -= minute) {
        for (const s of seconds) {
          const at = t + s * 1000;
          if (at < now && matcher.match(new Date(at))) return at;
        }
      }
      return undefined;
    } finally {
      void temporary?.destroy();
    }
  }
}

/** The seconds of a minute a cron expression fires at: [0] for five fields, else its first field's. */
export function secondsOf(cron: string): number[] {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 6) return [0];
  const onlySeconds = createTask(`${fields[0]} * * * * *`, () => {});
  const base = Date.UTC(2026, 0, 1, 0, 0, 0);
  try {
    return Array.from({ length: 60 }, (_, s) => s).filter((s) =>
      onlySeconds.match(new Date(base + s * 1000)),
    );
  } finally {
    void onlySeconds.destroy();
  }
}
