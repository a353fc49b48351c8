import Database from 'better-sqlite3';
import { newRunId, singleLeadBodies } from './leads.js';
import { type LoadResult, runLoad } from './load.js';
import { INGEST_TOKEN, type Target } from './targets.js';

export const INGEST_HEADERS = {
  authorization: `Bearer ${INGEST_TOKEN}`,
  'content-type': 'application/json',
};

export interface SingleLeadRun extends LoadResult {
  /** CPU time of the server process per timed request (user + system); NaN in-process. */
  serverCpuUsPerRequest: number;
  serverCpuSplitUs: { user: number; system: number };
}

/**
 * Untimed warm-up, then `requests` single-lead POST /leads over `concurrency` keep-alive
 * connections, each lead with a new externalId.
 */
export async function loadSingleLeads(
  target: Target,
  options: { requests: number; warmup: number; concurrency: number },
): Promise<SingleLeadRun> {
  const load = (bodies: Buffer[]) =>
    runLoad({
      port: target.port,
      path: '/leads',
      headers: INGEST_HEADERS,
      bodies,
      concurrency: options.concurrency,
      expectStatus: 202,
    });
  if (options.warmup > 0) await load(singleLeadBodies(`${newRunId()}w`, options.warmup));
  const bodies = singleLeadBodies(newRunId(), options.requests);
  const cpu = async () => {
    if (target.mode !== 'process') return { user: Number.NaN, system: Number.NaN };
    const usage = await target.usage();
    return { user: usage.cpuUserUs, system: usage.cpuSystemUs };
  };
  const before = await cpu();
  const result = await load(bodies);
  const after = await cpu();
  const user = (after.user - before.user) / result.requests;
  const system = (after.system - before.system) / result.requests;
  return { ...result, serverCpuUsPerRequest: user + system, serverCpuSplitUs: { user, system } };
}

/** Leads in the target's database, read beside the running server (WAL allows it). */
export function countLeads(databasePath: string): number {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM leads').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function waitHealthy(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > until)
      throw new Error(`GET /healthz on port ${port} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
