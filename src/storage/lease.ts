import { eq } from 'drizzle-orm';
import { type Lease, type LeaseVerdict, parseLease } from '../domain/lease.js';
import type { Db } from './db.js';
import { appMeta } from './schema.js';

/** Its key in app_meta. */
export const LEASE_KEY = 'instance_lease';

/**
 * The instance lease, one row of app_meta. Each change reads and writes in one IMMEDIATE
 * transaction, so two bots starting at the same moment cannot both take it.
 */
export class LeaseStore {
  constructor(private readonly db: Db) {}

  current(): Lease | undefined {
    return parseLease(this.db.select().from(appMeta).where(eq(appMeta.key, LEASE_KEY)).get()?.value);
  }

  /** Writes `me` as the lease when `judge` says it may take the current one; returns the verdict. */
  acquire(me: Lease, judge: (current: Lease | undefined) => LeaseVerdict): LeaseVerdict {
    return this.db.transaction(
      (tx) => {
        const verdict = judge(this.current());
        if (verdict.take) {
          const value = JSON.stringify(me);
          tx.insert(appMeta)
            .values({ key: LEASE_KEY, value })
            .onConflictDoUpdate({ target: appMeta.key, set: { value } })
            .run();
        }
        return verdict;
      },
      { behavior: 'immediate' },
    );
  }

  /**
   * Renews `holder`'s lease with `changes` (its time, its port). When another holds the lease (or
   * none does), nothing is written and the lease as found is returned: the caller has lost it.
   * Never waits for the write lock: a renewal that finds it busy is retried at the next one, and
   * the event loop does not stall behind another process's long write.
   */
  renew(
    holder: string,
    changes: Pick<Lease, 'renewedAt' | 'port'>,
  ): { renewed: true } | { renewed: false; current: Lease | undefined } {
    return this.withoutBusyWait(() =>
      this.db.transaction(
        (tx) => {
          const current = this.current();
          if (current?.holder !== holder) return { renewed: false as const, current };
          const value = JSON.stringify({ ...current, ...changes });
          tx.update(appMeta).set({ value }).where(eq(appMeta.key, LEASE_KEY)).run();
          return { renewed: true as const };
        },
        { behavior: 'immediate' },
      ),
    );
  }

  /** Gives the lease up at a clean stop, if it is still `holder`'s, so the next start needs no wait. */
  release(holder: string): void {
    this.db.transaction(
      (tx) => {
        if (this.current()?.holder === holder) tx.delete(appMeta).where(eq(appMeta.key, LEASE_KEY)).run();
      },
      { behavior: 'immediate' },
    );
  }

  private withoutBusyWait<T>(fn: () => T): T {
    const client = this.db.$client;
    const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
    client.pragma('busy_timeout = 0');
    try {
      return fn();
    } finally {
      client.pragma(`busy_timeout = ${Number(busyTimeout)}`);
    }
  }
}
