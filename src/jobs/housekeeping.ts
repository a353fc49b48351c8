import type { Logger } from '@slack/logger';
import type { Clock, Timers } from '../clock.js';
import type { RetentionStore } from '../storage/retention.js';
import type { Store } from '../storage/store.js';

const HOUR_MS = 60 * 60_000;
export const DAY_MS = 24 * HOUR_MS;
/** Slack retries a delivery for about 5 minutes; a day of event ids outlives that comfortably. */
export const EVENT_ID_RETENTION_MS = DAY_MS;

export interface HousekeepingOptions {
  /** RETENTION_DAYS; undefined keeps personal fields forever. */
  retentionDays: number | undefined;
  /** Between rounds; the first round runs at start. */
  intervalMs?: number;
  /** Leads erased per write transaction: small, so ingest and decisions never wait long for the lock. */
  batchSize?: number;
  /** Pause between batches, so requests that queued behind one batch run before the next. */
  pauseMs?: number;
}

/**
 * Hourly upkeep of the database, run once at start and then every hour: forgets handled Slack
 * event ids older than a day, and erases the personal fields of leads older than RETENTION_DAYS
 * (see RetentionStore). Failures are logged and the next round tries again.
 */
export class Housekeeping {
  private stopped = true;
  /** Set by stop(): an erasure in progress (also one run outside start(), by the CLI) ends after its batch. */
  private halting = false;
  private timer: unknown;
  private round: Promise<void> | undefined;
  private pauseTimer: unknown;
  private endPause: (() => void) | undefined;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly pauseMs: number;

  constructor(
    private readonly deps: {
      store: Store;
      retention: RetentionStore;
      clock: Clock;
      timers: Timers;
      logger: Logger;
    },
    private readonly options: HousekeepingOptions,
  ) {
    this.intervalMs = options.intervalMs ?? HOUR_MS;
    this.batchSize = options.batchSize ?? 500;
    this.pauseMs = options.pauseMs ?? 50;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halting = false;
    this.schedule(0);
  }

  /** Stops after the batch in progress (each batch is its own transaction, so nothing is half done). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    this.deps.timers.clearTimeout(this.timer);
    this.deps.timers.clearTimeout(this.pauseTimer);
    this.endPause?.();
    await this.round;
  }

  /**
   * Erases the personal fields of every lead received before RETENTION_DAYS ago, batch by batch.
   * Resolves with how many leads it erased (0 when RETENTION_DAYS is unset).
   */
  async eraseExpired(): Promise<number> {
    const days = this.options.retentionDays;
    if (days === undefined) return 0;
    const cutoff = this.deps.clock.now() - days * DAY_MS;
    let total = 0;
    for (;;) {
      const batch = this.deps.retention.eraseBatch(cutoff, this.batchSize);
      total += batch.erased;
      if (batch.done || this.halting) break;
      await this.pause();
      // stop() during the pause: leave the rest for the next start.
      if (this.halting) break;
    }
    if (total > 0) {
      this.deps.logger.info(
        `Retention: erased the personal fields of ${total} lead(s) received before ${new Date(cutoff).toISOString()} (RETENTION_DAYS=${days})`,
      );
    }
    return total;
  }

  private schedule(ms: number): void {
    this.timer = this.deps.timers.setTimeout(() => {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        if (!this.stopped) this.schedule(this.intervalMs);
      });
    }, ms);
  }

  private async runRound(): Promise<void> {
    try {
      this.deps.store.pruneSlackEvents(this.deps.clock.now() - EVENT_ID_RETENTION_MS);
    } catch (error) {
      this.deps.logger.error('Pruning handled Slack event ids failed; retrying in an hour', error);
    }
    try {
      await this.eraseExpired();
    } catch (error) {
      this.deps.logger.error(
        'Erasing expired personal fields (RETENTION_DAYS) failed; retrying in an hour',
        error,
      );
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.endPause = undefined;
        this.pauseTimer = undefined;
        resolve();
      };
      this.endPause = done;
      this.pauseTimer = this.deps.timers.setTimeout(done, this.pauseMs);
    });
  }
}
