import type Database from 'better-sqlite3';
import { type Clock, systemTimers, type Timers } from '../clock.js';
import { StorageUnavailableError } from '../errors.js';

/**
 * Writes never hold the event loop while another process has the database locked: the running
 * bot's connection waits at most BUSY_TIMEOUT_MS inside SQLite, and `retryWhileBusy` waits for
 * the lock between attempts on a timer, so /healthz and Slack's acks keep answering. Past the
 * deadline the write fails with StorageUnavailableError, which callers turn into a 503.
 */

/** SQLite's own wait for a lock, per attempt (it blocks the thread, so it stays short). */
export const BUSY_TIMEOUT_MS = 20;
/** How long a write waits for the lock in all: well inside Slack's 3 s. */
export const WRITE_DEADLINE_MS = 1_500;

/** SQLite result codes that mean "the storage cannot take this write", not "this write is wrong". */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/;

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isBusy(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return isBusy(error.cause);
  return /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(error) ?? '');
}

/** The operator's reading of a storage failure, or undefined when the error is something else. */
export function storageProblem(error: unknown): string | undefined {
  if (error instanceof StorageUnavailableError) return storageProblem(error.cause) ?? error.message;
  const code = sqliteCode(error);
  if (!code || !UNAVAILABLE.test(code)) return undefined;
  if (isBusy(error))
    return 'the database is locked by another process (a backup, an import or a second bot?)';
  if (code.startsWith('SQLITE_FULL')) return 'the disk holding the database is full; free space on it';
  if (code.startsWith('SQLITE_READONLY')) return 'the database file is read-only; check its permissions';
  return `the database cannot be written (${code}); check DATABASE_PATH and the disk`;
}

/** Wraps a storage failure as StorageUnavailableError; other errors pass unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof StorageUnavailableError) return error;
  const problem = storageProblem(error);
  return problem ? new StorageUnavailableError(`Nothing was stored: ${problem}.`, { cause: error }) : error;
}

/**
 * What the running bot last saw of its storage: a write that failed for a storage reason makes
 * /healthz answer 503 until a write succeeds again.
 */
export class StorageStatus {
  private failure: { problem: string; since: number; busy: boolean } | undefined;

  constructor(private readonly clock: Clock) {}

  succeeded(): void {
    this.failure = undefined;
  }

  failed(error: unknown): void {
    const problem = storageProblem(error);
    if (problem) this.failure ??= { problem, since: this.clock.now(), busy: isBusy(error) };
  }

  current(): { problem: string; since: number } | undefined {
    return this.failure;
  }

  /**
   * The problem /healthz reports: whether the write lock can be taken now (a short try, on a
   * timer), else the last write's storage failure (a full disk shows only when writing).
   */
  async check(client: Database.Database, timers?: Timers): Promise<string | undefined> {
    try {
      await retryWhileBusy(() => probeWriteLock(client), { timers, deadlineMs: 300, client });
    } catch (error) {
      return storageProblem(error) ?? (error as Error).message;
    }
    if (this.failure?.busy) this.failure = undefined;
    return this.failure?.problem;
  }
}

/**
 * Runs a synchronous write, and while SQLite answers "busy" tries again on a timer (never
 * blocking the event loop for more than one short busy wait) until about `deadlineMs` of waiting
 * has passed. Counted in planned waits, not read from a clock, so virtual time cannot stall it.
 *
 * Given the connection, only the first attempt waits inside SQLite (its busy timeout): the
 * retries do not, since each write waiting out a long lock would otherwise block the thread for
 * a busy timeout per retry, and a steady trickle of requests during a lock held for seconds adds
 * up to an event loop that is always blocked (acks past Slack's 3 s; test/e2e/durable.test.ts).
 */
export async function retryWhileBusy<T>(
  work: () => T,
  deps: { timers?: Timers; deadlineMs?: number; client?: Database.Database } = {},
): Promise<T> {
  const timers = deps.timers ?? systemTimers;
  const deadlineMs = deps.deadlineMs ?? WRITE_DEADLINE_MS;
  let waited = 0;
  let waitMs = 10;
  for (let attempt = 0; ; attempt++) {
    try {
      return attempt === 0 || !deps.client ? work() : withoutBusyWait(deps.client, work);
    } catch (error) {
      if (!isBusy(error) || waited + waitMs > deadlineMs) throw asUnavailable(error);
    }
    await new Promise<void>((resolve) => timers.setTimeout(resolve, waitMs));
    waited += waitMs + (attempt === 0 || !deps.client ? BUSY_TIMEOUT_MS : 0);
    waitMs = Math.min(waitMs * 2, 200);
  }
}

function withoutBusyWait<T>(client: Database.Database, work: () => T): T {
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma('busy_timeout = 0');
  try {
    return work();
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/** Takes and releases the write lock, writing nothing: fails as a write would on a locked or read-only file. */
function probeWriteLock(client: Database.Database): void {
  client.exec('BEGIN IMMEDIATE');
  client.exec('ROLLBACK');
}
