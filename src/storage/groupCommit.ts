import type Database from 'better-sqlite3';
import type { Timers } from '../clock.js';
import { retryWhileBusy, type StorageStatus } from './availability.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs the storage work submitted during one event-loop turn in a single SQLite transaction, so
 * that a burst of Slack events costs one commit (one fsync with synchronous=FULL) instead of one
 * each. Each piece runs in a savepoint of its own: a piece that throws is rolled back alone and
 * fails alone.
 *
 * The promise of a piece settles only after the shared commit, so a caller never acts on a
 * change that could still be rolled back. While another process holds the write lock the group
 * waits for it on a timer (src/storage/availability.ts), never on the event loop, and fails with
 * StorageUnavailableError when the lock is not released in time.
 */
export class GroupCommit {
  private pending: {
    work: () => unknown;
    resolve: (value: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];

  constructor(
    private readonly client: Database.Database,
    private readonly deps: { timers?: Timers; status?: StorageStatus } = {},
  ) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private runGroup(group: { work: () => unknown }[]): Outcome[] {
    const outcomes: Outcome[] = [];
    this.client
      .transaction(() => {
        for (const { work } of group) {
          try {
            // A transaction function called inside a transaction is a savepoint.
            outcomes.push({ ok: true, value: this.client.transaction(work)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })
      .immediate();
    return outcomes;
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    let outcomes: Outcome[];
    try {
      // "Busy" comes from BEGIN IMMEDIATE, before any piece ran: the whole group is tried again.
      outcomes = await retryWhileBusy(() => this.runGroup(group), {
        timers: this.deps.timers,
        client: this.client,
      });
      this.deps.status?.succeeded();
    } catch (commitError) {
      this.deps.status?.failed(commitError);
      for (const { reject } of group) reject(commitError);
      return;
    }
    group.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) resolve(outcome.value);
      else reject(outcome?.error);
    });
  }
}
