import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import { createTask, type ScheduledTask } from 'node-cron';
import { type Clock, systemTimers, type Timers } from '../clock.js';
import type { Digest } from '../domain/digest.js';
import { IN_DOUBT_TIMING, type InDoubtTiming } from '../domain/inDoubt.js';
import { lastFullWeek } from '../domain/period.js';
import type { Metrics } from '../metrics.js';
import { renderDigestChart } from '../report/chart.js';
import { digestFor } from '../services/digest.js';
import type { StatsService } from '../services/stats.js';
import { digestMessage } from '../slack/blocks/digest.js';
import { classifySlackError } from '../slack/errors.js';
import { findSentMessage } from '../slack/findMessage.js';
import type { DigestSendRow, DigestStore } from '../storage/digests.js';

export const DIGEST_EVENT_TYPE = 'leadloop_digest_posted';

export type ChannelOutcome =
  | { channel: string; status: 'sent'; ts: string; chart: boolean }
  | { channel: string; status: 'already_sent' | 'busy' }
  | { channel: string; status: 'failed'; error: string }
  /** Slack did not confirm the send (timeout, 5xx): it is looked for before it is sent again. */
  | { channel: string; status: 'in_doubt'; error: string };

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
  /** When a send of unknown outcome may be called "not posted" (default: IN_DOUBT_TIMING). */
  timing?: InDoubtTiming;
}

type Resolution = { kind: 'posted'; ts: string } | { kind: 'not_posted' } | { kind: 'unknown'; code: string };

/**
 * Sends a week's digest to every digest channel, at most once per (week, channel): the row is
 * claimed before the send and marked after it. A send of unknown outcome (a crash, a timeout, a
 * 5xx) stays claimed until Slack must be done with it, and is then looked up in the channel
 * history (message metadata, around the time of that send) before it is sent again. A channel
 * that fails does not hold the others back and is retried later on its own.
 */
export class DigestSender {
  private running: Promise<ChannelOutcome[]> | undefined;
  readonly timing: InDoubtTiming;

  constructor(
    private readonly deps: DigestDeps,
    private readonly settings: DigestSettings,
  ) {
    this.timing = settings.timing ?? IN_DOUBT_TIMING;
  }

  /** The channels it sends to (DIGEST_CHANNEL_IDS). */
  get channels(): readonly string[] {
    return this.settings.channels;
  }

  build(isoWeek?: string): Digest {
    return digestFor(
      { stats: this.deps.stats, clock: this.deps.clock },
      { timezone: this.settings.timezone },
      isoWeek,
    );
  }

  /** Overlapping calls in one process share one run; across processes the claims decide. */
  send(
    options: { isoWeek?: string; force?: boolean; channels?: readonly string[] } = {},
  ): Promise<ChannelOutcome[]> {
    this.running ??= this.sendAll(options).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async sendAll(options: {
    isoWeek?: string;
    force?: boolean;
    channels?: readonly string[];
  }): Promise<ChannelOutcome[]> {
    const { logger } = this.deps;
    const digest = this.build(options.isoWeek);
    const message = digestMessage(digest, {
      workspaceUrl: this.settings.workspaceUrl,
      timezone: this.settings.timezone,
    });
    let chart: Buffer | undefined;
    const outcomes: ChannelOutcome[] = [];
    const channels = this.settings.channels.filter((c) => options.channels?.includes(c) ?? true);
    for (const channel of channels) {
      const claimedAt = this.deps.clock.now();
      const claim = this.deps.digests.claim(digest.isoWeek, channel, claimedAt, {
        force: options.force,
        staleAfterMs: this.timing.settleMs,
      });
      if (!claim.claimed) {
        outcomes.push({ channel, status: claim.reason === 'sent' ? 'already_sent' : 'busy' });
        continue;
      }
      if (claim.inDoubt) {
        const resolution = await this.findPosted(channel, digest.isoWeek, claim.inDoubt.sentAt);
        if (resolution.kind === 'posted') {
          this.deps.digests.markSent(digest.isoWeek, channel, resolution.ts, this.deps.clock.now());
          logger.info(
            `The ${digest.isoWeek} digest had reached ${channel} before the interruption; not sending it again`,
          );
          // The chart goes after the text is recorded: an interrupted send never got to it.
          chart ??= await this.renderChart(digest);
          if (chart) await this.uploadChart(channel, digest, chart);
          outcomes.push({ channel, status: 'already_sent' });
          continue;
        }
        if (resolution.kind === 'unknown') {
          this.deps.digests.markInDoubt(digest.isoWeek, channel, claim.inDoubt.sentAt, resolution.code);
          outcomes.push({ channel, status: 'in_doubt', error: resolution.code });
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
        const fields = { code: failure.code, method: 'chat.postMessage', channel };
        if (failure.kind === 'uncertain') {
          // Slack may have posted it, or may still: sending again now could post it twice.
          this.deps.digests.markInDoubt(digest.isoWeek, channel, claimedAt, failure.code);
          logger.warn(
            `Slack did not confirm the ${digest.isoWeek} digest to ${channel} (${failure.code}); it is looked for in the channel in ${Math.round(this.timing.settleMs / 60_000)} minutes and sent again only if it is not there.`,
            fields,
          );
          outcomes.push({ channel, status: 'in_doubt', error: failure.code });
          continue;
        }
        const why = failure.kind === 'misconfigured' ? failure.fix : failure.code;
        this.deps.digests.markFailed(digest.isoWeek, channel, failure.code);
        logger.error(
          `The ${digest.isoWeek} digest could not be sent to ${channel}: ${why} It will be retried.`,
          fields,
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

  /**
   * Whether the send of `week` begun at `sentAt` reached `channel`. Without the right to read the
   * channel we cannot tell, and sending (at worst a duplicate) beats a digest that never comes;
   * any other failure to look leaves the send in doubt, to look again later.
   */
  private async findPosted(channel: string, week: string, sentAt: number): Promise<Resolution> {
    try {
      const verdict = await findSentMessage(this.deps.client, {
        channel,
        eventType: DIGEST_EVENT_TYPE,
        matches: (payload) => payload.week === week,
        sentAt,
        now: this.deps.clock.now(),
        timing: this.timing,
      });
      if (verdict.kind === 'wait') return { kind: 'unknown', code: 'not_visible_yet' };
      return verdict;
    } catch (error) {
      const failure = classifySlackError(error, { channel });
      const fields = { code: failure.code, method: 'conversations.history', channel };
      if (failure.kind === 'misconfigured') {
        this.deps.logger.warn(
          `Cannot check whether the ${week} digest reached ${channel} (${failure.fix}); sending it, which may duplicate it.`,
          fields,
        );
        return { kind: 'not_posted' };
      }
      this.deps.logger.warn(
        `Cannot check yet whether the ${week} digest reached ${channel} (${failure.code}); looking again later`,
        fields,
      );
      return { kind: 'unknown', code: failure.code };
    }
  }
}

/** After a look for a send in doubt that could not decide (Slack unreachable), the next one. */
const RESOLVE_AGAIN_MS = 60_000;

/**
 * Runs the digest on DIGEST_CRON in TIMEZONE. On start it catches up: if the latest scheduled
 * time passed while the bot was down (and after it was first installed), that week's digest goes
 * out once; older missed weeks are not sent. Failed channels are retried every 15 minutes. A send
 * left without an outcome (a crash, a timeout) is resolved as soon as Slack must be done with
 * it: found in the channel, it is recorded; not found, it is sent.
 */
export class DigestScheduler {
  private task: ScheduledTask | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private resolveTimer: unknown;
  private stopped = false;
  private readonly timers: Timers;

  constructor(
    private readonly deps: {
      sender: DigestSender;
      digests: DigestStore;
      clock: Clock;
      /** For the look at sends in doubt (default: the system's). */
      timers?: Timers;
      logger: Logger;
      metrics: Metrics;
    },
    private readonly settings: { cron: string; timezone: string; retryEveryMs?: number },
  ) {
    this.timers = deps.timers ?? systemTimers;
  }

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
    this.scheduleResolve(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.retryTimer);
    this.timers.clearTimeout(this.resolveTimer);
    await this.task?.destroy();
  }

  /**
   * Sends the digest of the week before `at` (default now). Safe to call any number of times:
   * what was sent is not sent again.
   */
  async fire(reason: 'scheduled' | 'catch-up' | 'retry' | 'resolve', at?: number): Promise<ChannelOutcome[]> {
    const { sender, clock, logger } = this.deps;
    const outcomes: ChannelOutcome[] = [];
    try {
      if (reason !== 'resolve') {
        const week = lastFullWeek(at ?? clock.now(), this.settings.timezone);
        const isoWeek = week.spec.kind === 'iso-week' ? week.spec.week : undefined;
        const failed = this.deps.digests.failedSends().some((r) => r.week === isoWeek);
        if (reason !== 'retry' || failed) outcomes.push(...(await sender.send({ isoWeek })));
      }
      // Sends left in doubt, also by another process (leadloop digest --send), of any week.
      if (reason === 'resolve' || reason === 'retry') {
        for (const [week, channels] of this.dueInDoubt()) {
          outcomes.push(...(await sender.send({ isoWeek: week, channels })));
        }
      }
      for (const outcome of outcomes) this.deps.metrics.digestSends.inc({ outcome: outcome.status });
      const sent = [...new Set(outcomes.filter((o) => o.status === 'sent').map((o) => o.channel))];
      if (sent.length > 0) logger.info(`Sent the digest (${reason}) to ${sent.join(', ')}`);
      return outcomes;
    } catch (error) {
      logger.error(`The digest (${reason}) failed unexpectedly`, error);
      return outcomes;
    } finally {
      // A look that could not decide is not repeated at once.
      this.scheduleResolve(reason === 'resolve' ? RESOLVE_AGAIN_MS : 0);
    }
  }

  /** In-doubt sends to digest channels whose settle time has passed, by week. */
  private dueInDoubt(): Map<string, string[]> {
    const due = new Map<string, string[]>();
    const settledBefore = this.deps.clock.now() - this.deps.sender.timing.settleMs;
    for (const row of this.inDoubt()) {
      if (row.startedAt > settledBefore) continue;
      due.set(row.week, [...(due.get(row.week) ?? []), row.channel]);
    }
    return due;
  }

  /** Sends without an outcome to channels still in DIGEST_CHANNEL_IDS (others are never resolved). */
  private inDoubt(): DigestSendRow[] {
    return this.deps.digests.inDoubtSends().filter((r) => this.deps.sender.channels.includes(r.channel));
  }

  /** Arms one timer for the earliest send in doubt, when Slack must be done with it. */
  private scheduleResolve(minDelayMs: number): void {
    this.timers.clearTimeout(this.resolveTimer);
    this.resolveTimer = undefined;
    if (this.stopped) return;
    let earliest: number | undefined;
    try {
      for (const row of this.inDoubt()) earliest = Math.min(earliest ?? row.startedAt, row.startedAt);
    } catch (error) {
      this.deps.logger.error('Could not read the digest sends in doubt; looking again in a minute', error);
      earliest = this.deps.clock.now();
      minDelayMs = RESOLVE_AGAIN_MS;
    }
    if (earliest === undefined) return;
    const delay = Math.max(minDelayMs, earliest + this.deps.sender.timing.settleMs - this.deps.clock.now());
    this.resolveTimer = this.timers.setTimeout(() => void this.fire('resolve'), delay);
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
