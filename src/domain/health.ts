/**
 * What /healthz answers, from facts gathered by the caller. Pure: the rules an uptime monitor
 * alerts on are tested on their own.
 */

/** Whether the poster can post, as it last found out. `since`: when this problem began (ms). */
export type PostingState = { status: 'ok' } | { status: 'blocked'; code: string; fix: string; since: number };

export interface HealthFacts {
  now: number;
  /** Undefined when the database could not be read. */
  queue:
    | { depth: number; oldestReceivedAt: number | undefined; lastPostedAt: number | undefined }
    | undefined;
  posting: PostingState;
  /** What is wrong with the database when a person must act (e.g. its file was deleted). */
  dbProblem?: string | undefined;
  /** Set when the database cannot take writes (locked elsewhere, disk full, read-only): what is wrong. */
  storageProblem?: string | undefined;
  /** Leads waiting this long with no post for as long means posting has stalled. */
  stallMs: number;
}

export interface HealthBody {
  ok: boolean;
  db: 'ok' | 'error';
  /** Set when the database needs a person: what is wrong and what to do. */
  dbError?: string;
  queue: number | null;
  oldestQueuedSeconds: number | null;
  lastPostAt: string | null;
  /**
   * blocked: Slack refuses the setup (bot not in the channel, token revoked …) and a person must
   * fix it; stalled: leads wait and nothing was posted for the stall time (a Slack outage, a
   * stuck process); ok: otherwise.
   */
  posting: 'ok' | 'blocked' | 'stalled' | 'unknown';
  /** Set when blocked: Slack's error code, since when (ISO 8601) and what to do. */
  postingError?: { code: string; since: string; fix: string };
}

export interface HealthReport {
  /** 503 whenever a person is needed, so a plain HTTP uptime check alerts on it. */
  status: 200 | 503;
  body: HealthBody;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function healthReport(facts: HealthFacts): HealthReport {
  const { now, queue, posting, stallMs } = facts;
  const oldestQueuedSeconds =
    queue?.oldestReceivedAt === undefined
      ? null
      : Math.max(0, Math.floor((now - queue.oldestReceivedAt) / 1000));
  const stalled =
    queue !== undefined &&
    queue.oldestReceivedAt !== undefined &&
    now - queue.oldestReceivedAt >= stallMs &&
    (queue.lastPostedAt === undefined || now - queue.lastPostedAt >= stallMs);
  const body: HealthBody = {
    ok: false,
    db: queue && !facts.storageProblem && facts.dbProblem === undefined ? 'ok' : 'error',
    queue: queue?.depth ?? null,
    oldestQueuedSeconds,
    lastPostAt: iso(queue?.lastPostedAt),
    posting: posting.status === 'blocked' ? 'blocked' : !queue ? 'unknown' : stalled ? 'stalled' : 'ok',
  };
  const problem = facts.dbProblem ?? facts.storageProblem;
  if (problem) body.dbError = problem;
  if (posting.status === 'blocked') {
    body.postingError = {
      code: posting.code,
      since: new Date(posting.since).toISOString(),
      fix: posting.fix,
    };
  }
  body.ok = body.db === 'ok' && body.posting === 'ok';
  return { status: body.ok ? 200 : 503, body };
}
