import type Database from 'better-sqlite3';

/**
 * Runs the storage work submitted during one event-loop turn in a single SQLite transaction, so
 * that a burst of Slack events costs one commit (one fsync with synchronous=FULL) instead of one
 * each. Each piece runs in a savepoint of its own: a piece that throws is rolled back alone and
 * fails alone.
 *
 * The promise of a piece settles only after the shared commit, so a caller never acts on a
 * change that could still be rolled back.
 */
export class GroupCommit {
  private pending: {
    work: () => unknown;
    resolve: (value: unknown) => void;
    reject: (e: unknown) => void;
  }[] = [];

  constructor(private readonly client: Database.Database) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
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
    } catch (commitError) {
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
