import type { Logger } from '@slack/logger';
import { systemTimers, type Timers } from '../clock.js';
import { storageProblem } from '../storage/availability.js';

/**
 * A background loop over a durable queue in SQLite. `step()` does one unit of work and says how
 * long to wait before the next (undefined: until notified). notify() ends a wait early; stop()
 * ends the loop after the step in progress, so work in flight is always recorded.
 */
export abstract class QueueWorker {
  private stopped = true;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: unknown;
  /** A notify() that came while a step ran: the next wait must not happen. */
  private notified = false;

  constructor(
    protected readonly name: string,
    protected readonly logger: Logger,
    private readonly timers: Timers = systemTimers,
  ) {}

  /** One unit of work; resolves with the milliseconds to wait before the next (undefined: until notified; 0: at once). */
  protected abstract step(): Promise<number | undefined>;

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let waitMs: number | undefined;
      this.notified = false;
      try {
        waitMs = await this.step();
      } catch (error) {
        // Not a Slack answer (those are handled in step): most likely the database. Keep going.
        const problem = storageProblem(error);
        if (problem) this.logger.warn(`The ${this.name} paused: ${problem}; retrying in 5 s`);
        else this.logger.error(`The ${this.name} failed unexpectedly; retrying in 5 s`, error);
        waitMs = 5_000;
      }
      if (waitMs !== 0) await this.sleep(waitMs);
    }
  }

  private sleep(ms: number | undefined): Promise<void> {
    if (this.stopped || this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.timers.clearTimeout(this.timer);
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
      if (ms !== undefined) this.timer = this.timers.setTimeout(done, ms);
    });
  }
}
