import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { healthReport } from '../domain/health.js';
import type { PostingStatus } from '../jobs/postingStatus.js';
import type { DatabaseFile } from '../storage/databaseFile.js';
import type { QueueSnapshot, QueueStore } from '../storage/queue.js';
import { sendJson } from './respond.js';

export interface HealthDeps {
  queue: QueueStore;
  posting: PostingStatus;
  clock: Clock;
  /** Leads waiting this long, with no post for as long, make /healthz answer 503. */
  stallMs: number;
  /** Whether the database file is still the one open (it may have been deleted under the bot). */
  databaseFile?: DatabaseFile;
  /** What stops writes now, if anything (src/storage/availability.ts); unset: not checked. */
  storageProblem?: () => Promise<string | undefined>;
}

/**
 * GET /healthz: 200 when all is well; 503 when a person is needed (the database cannot be read
 * or written, Slack refuses the setup, or posting has stalled), with what is wrong in the body.
 */
export function healthHandler(deps: HealthDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { error: 'method_not_allowed', message: 'Use GET /healthz.' },
        { allow: 'GET, HEAD' },
      );
      return;
    }
    let queue: QueueSnapshot | undefined;
    let dbProblem: string | undefined;
    try {
      dbProblem = deps.databaseFile?.problem();
      queue = dbProblem === undefined ? deps.queue.snapshot() : undefined;
    } catch {
      queue = undefined;
    }
    const storageProblem = await deps.storageProblem?.();
    const { status, body } = healthReport({
      now: deps.clock.now(),
      queue,
      dbProblem,
      storageProblem,
      posting: deps.posting.current(),
      stallMs: deps.stallMs,
    });
    sendJson(res, status, body);
  };
}
