import { createHmac } from 'node:crypto';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseLeadBatch } from '../../src/domain/lead.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { benchLead, newRunId } from './leads.js';

/**
 * Slack's side of the reactions measure: a database of posted leads to react to, reaction_added
 * deliveries shaped and signed as Slack sends them (see sandbox/slack-requests.ts and
 * slackSigning.ts, mirrored here so the bench does not depend on test code), and read-only
 * queries on the app's database while it runs.
 */

export const TEAM_ID = 'T0001';
export const API_APP_ID = 'A0LEADLOOP';
/** The bench's sales reps; an even count, so the two reactions on one lead come from two people. */
export const REP_COUNT = 40;
const REPS = Array.from({ length: REP_COUNT }, (_, i) => `U0REP${String(i + 1).padStart(4, '0')}`);
/** The app's default emojis (ACCEPT_EMOJIS / REJECT_EMOJIS unset). */
const ACCEPT = ['white_check_mark', 'heavy_check_mark'];
const REJECT = ['x', 'no_entry_sign'];
/** Lead post timestamps: 1790000000.000001, …000002, … as integer microseconds. */
const FIRST_POST_MICROS = 1_790_000_000_000_001;

function microsToTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

/** The Slack ts of the i-th lead post (0-based, in insertion order). */
export function postTs(i: number): string {
  return microsToTs(FIRST_POST_MICROS + i);
}

/** Leads marked posted through Store.markPosted itself; the rest copy what it wrote, in bulk. */
const MARKED_BY_STORE = 1000;

/**
 * A database with `count` leads already posted to `channel` (ts from postTs), as the app would
 * leave it: stored by Store.insertLeads, posted leads out of the posting queue (so the app's poster
 * leaves them alone). Store.markPosted builds its query on each call (~80 µs, 8 s for 100k), so it
 * marks the first leads and one prepared UPDATE of the same columns marks the rest; the posting
 * columns of both kinds are then compared, so a change to markPosted fails loudly here instead of
 * silently benchmarking another state. synchronous=OFF: a template, not a promise.
 */
export function buildPostedLeadsDatabase(path: string, count: number, channel: string): void {
  const db = openDatabase(path);
  try {
    db.$client.pragma('synchronous = OFF');
    const store = new Store(db);
    const runId = newRunId();
    const receivedAt = Date.now() - 24 * 60 * 60_000;
    const ids: number[] = [];
    for (let from = 0; from < count; from += 1000) {
      const size = Math.min(1000, count - from);
      const parsed = parseLeadBatch(Array.from({ length: size }, (_, i) => benchLead(runId, from + i)));
      if (!parsed.ok)
        throw new Error(`bench leads are invalid: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
      for (const result of store.insertLeads(parsed.leads, receivedAt)) ids.push(Number(result.id));
    }
    const post = (i: number) => ({ channel, ts: postTs(i), postedAt: receivedAt + 1000 + i });
    const bulk = db.$client.prepare(
      "UPDATE leads SET post_status = 'posted', post_channel = ?, post_ts = ?, posted_at = ?, post_next_at = NULL, post_error = NULL WHERE id = ?",
    );
    db.$client.transaction(() => {
      ids.forEach((id, i) => {
        if (i < MARKED_BY_STORE) {
          store.markPosted(id, post(i));
        } else {
          const p = post(i);
          bulk.run(p.channel, p.ts, p.postedAt, id);
        }
      });
    })();
    checkSameAsMarkPosted(db.$client, ids[0], ids[MARKED_BY_STORE]);
    const queued = store.queueDepth();
    if (queued !== 0) throw new Error(`${queued} prepared leads are still in the posting queue`);
    const probe = Math.floor(count / 2);
    if (store.leadByPost(channel, postTs(probe))?.id !== ids[probe]) {
      throw new Error(`Store.leadByPost does not find lead ${ids[probe]} by its post ${postTs(probe)}`);
    }
  } finally {
    // Closing the last connection checkpoints the WAL into the main file: the file alone is the database.
    db.$client.close();
  }
}

/** The posting-state columns (all but the per-lead ts and time) of a markPosted lead and a bulk-marked one agree. */
function checkSameAsMarkPosted(
  db: Database.Database,
  byStore: number | undefined,
  byBulk: number | undefined,
) {
  if (byStore === undefined || byBulk === undefined) return;
  const columns = (db.prepare('PRAGMA table_info(leads)').all() as { name: string }[])
    .map((c) => c.name)
    .filter((name) => /^(post_|state)/.test(name) && name !== 'post_ts' && name !== 'posted_at');
  const select = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM leads WHERE id = ?`);
  const a = JSON.stringify(select.get(byStore));
  const b = JSON.stringify(select.get(byBulk));
  if (a !== b) {
    throw new Error(
      `Store.markPosted now writes ${a} but the bench's bulk update writes ${b}: update buildPostedLeadsDatabase in bench/lib/reactions.ts`,
    );
  }
}

export interface ReactionEvent {
  eventId: string;
  user: string;
  reaction: string;
  verdict: 'accept' | 'reject';
  /** The lead post reacted to. */
  ts: string;
  /** The raw JSON body Slack would POST. */
  body: Buffer;
}

/**
 * Events `from` … `from + count - 1` of one run, on lead posts in `channel`; event ids are unique
 * per `runTag`. Event i reacts to lead post ⌊i/2⌋ scattered over
 * the `leads` posts (stride 7919, a permutation when coprime), by rep i mod REP_COUNT: every lead
 * hit gets an accept (even i) and a reject (odd i) from two different reps, so every event is a
 * distinct decision. Half are rejects, and each reject makes the app send a chat.postEphemeral.
 */
export function reactionEvents(
  channel: string,
  runTag: string,
  from: number,
  count: number,
  leads: number,
): ReactionEvent[] {
  if (from + count > 2 * leads) {
    throw new Error(`${from + count} reaction events need at least ${Math.ceil((from + count) / 2)} leads`);
  }
  let stride = 7919;
  while (gcd(stride, leads) !== 1) stride += 2;
  const nowMicros = Date.now() * 1000;
  const events: ReactionEvent[] = [];
  for (let i = from; i < from + count; i++) {
    const pair = Math.floor(i / 2);
    const verdict = i % 2 === 0 ? 'accept' : 'reject';
    const reaction = (verdict === 'accept' ? ACCEPT : REJECT)[pair % 2] as string;
    const user = REPS[i % REP_COUNT] as string;
    const ts = postTs((pair * stride) % leads);
    const eventId = `Ev${runTag}${String(i).padStart(7, '0')}`;
    const eventTs = microsToTs(nowMicros + i - from);
    const body = {
      token: 'legacy-verification-token',
      team_id: TEAM_ID,
      api_app_id: API_APP_ID,
      event: {
        type: 'reaction_added',
        user,
        reaction,
        item: { type: 'message', channel, ts },
        item_user: 'UBOT',
        event_ts: eventTs,
      },
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(nowMicros / 1_000_000),
      authorizations: [{ team_id: TEAM_ID, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-bench-${eventId}`,
    };
    events.push({ eventId, user, reaction, verdict, ts, body: Buffer.from(JSON.stringify(body)) });
  }
  return events;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Signs a body exactly as Slack does: v0=HMAC-SHA256(secret, `v0:${timestamp}:${body}`). */
export function slackSignature(secret: string, timestampS: number, body: Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampS}:`).update(body).digest('hex')}`;
}

/**
 * Headers of each delivery, signed now (Slack signs each attempt with the time it was sent;
 * Bolt refuses signatures older than 5 minutes). A retry carries X-Slack-Retry-Num/-Reason.
 */
export function signedHeaders(
  secret: string,
  events: readonly ReactionEvent[],
  retry?: { num: number; reason: string },
): Record<string, string>[] {
  const timestampS = Math.floor(Date.now() / 1000);
  return events.map((e) => ({
    'x-slack-request-timestamp': String(timestampS),
    'x-slack-signature': slackSignature(secret, timestampS, e.body),
    ...(retry ? { 'x-slack-retry-num': String(retry.num), 'x-slack-retry-reason': retry.reason } : {}),
  }));
}

export const EVENT_HEADERS = { 'content-type': 'application/json' };

/** A read-only view of the app's database while it runs (WAL lets it read beside the writer). */
export class DecisionsProbe {
  private readonly db: Database.Database;
  private readonly decisionCount: Database.Statement;
  private readonly eventCount: Database.Statement;
  private readonly renderBacklog: Database.Statement;

  constructor(databasePath: string) {
    this.db = new Database(databasePath, { readonly: true, fileMustExist: true });
    this.decisionCount = this.db.prepare('SELECT count(*) AS n FROM decisions');
    this.eventCount = this.db.prepare('SELECT count(*) AS n FROM slack_events');
    // The post updater's queue (a partial index keeps it cheap).
    this.renderBacklog = this.db.prepare(
      "SELECT count(*) AS n FROM leads WHERE post_version > post_rendered_version AND post_status = 'posted'",
    );
  }

  decisions(): number {
    return (this.decisionCount.get() as { n: number }).n;
  }

  slackEvents(): number {
    return (this.eventCount.get() as { n: number }).n;
  }

  postsToRender(): number {
    return (this.renderBacklog.get() as { n: number }).n;
  }

  /** How many of `eventIds` the app recorded as handled. */
  handledOf(eventIds: readonly string[]): number {
    const seen = new Set(
      (this.db.prepare('SELECT event_id AS id FROM slack_events').all() as { id: string }[]).map((r) => r.id),
    );
    return eventIds.filter((id) => seen.has(id)).length;
  }

  /** Decisions that repeat another's lead, rep and emoji: one event recorded twice. */
  duplicateDecisions(): number {
    return (
      this.db
        .prepare(
          'SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM decisions GROUP BY lead_id, user_id, reaction HAVING n > 1)',
        )
        .get() as { n: number }
    ).n;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Polls `read` every `intervalMs` until `done(value)`. Resolves with the performance.now() of the
 * first reading that was done (undefined when the value did not change for `stallMs`) and the last value.
 */
export async function waitUntil(
  read: () => number,
  done: (value: number) => boolean,
  options: { intervalMs?: number; stallMs?: number } = {},
): Promise<{ at: number | undefined; value: number }> {
  const intervalMs = options.intervalMs ?? 5;
  const stallMs = options.stallMs ?? 30_000;
  let value = read();
  let changedAt = performance.now();
  for (;;) {
    const now = performance.now();
    if (done(value)) return { at: now, value };
    if (now - changedAt > stallMs) return { at: undefined, value };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const next = read();
    if (next !== value) changedAt = performance.now();
    value = next;
  }
}

export interface StepTiming {
  step: string;
  usPerOp: number;
}

/**
 * The storage steps behind one reaction, timed alone in this process on a copy of `template`
 * (as the app's Store runs them), beside a one-statement prepared lookup for scale. `count`
 * operations each, after a short warm-up; every decision is a distinct event.
 */
export function reactionStepTimings(
  template: string,
  dir: string,
  channel: string,
  leads: number,
  count: number,
): StepTiming[] {
  const path = join(dir, 'steps.db');
  copyFileSync(template, path);
  const db = openDatabase(path);
  try {
    const store = new Store(db);
    const warm = Math.min(200, Math.max(1, Math.floor(count / 10)));
    const perStep = warm + count;
    // Decisions for three steps (FULL, OFF, the retries' source), each on leads no other step touched.
    const events = reactionEvents(channel, newRunId(), 0, Math.min(3 * perStep, 2 * leads), leads);
    const lookup = db.$client.prepare(
      'SELECT id, posted_at FROM leads WHERE post_channel = ? AND post_ts = ?',
    );
    const leadIds = events.map((e) => (lookup.get(channel, e.ts) as { id: number }).id);
    const decide = (i: number, eventId?: string) => {
      const e = events[i % events.length] as ReactionEvent;
      return store.recordDecision({
        leadId: leadIds[i % events.length] as number,
        userId: e.user,
        verdict: e.verdict,
        source: 'reaction',
        reaction: e.reaction,
        decidedAt: Date.now(),
        eventId: eventId ?? e.eventId,
      });
    };
    const time = (op: (i: number) => void, from = 0): number => {
      for (let i = from; i < from + warm; i++) op(i);
      const start = performance.now();
      for (let i = from + warm; i < from + perStep; i++) op(i);
      return ((performance.now() - start) * 1000) / count;
    };
    const steps: StepTiming[] = [
      {
        step: 'Store.leadByPost (query built and prepared per call)',
        usPerOp: time((i) => store.leadByPost(channel, (events[i % events.length] as ReactionEvent).ts)),
      },
      {
        step: 'the same lookup as one prepared statement (for scale)',
        usPerOp: time((i) => lookup.get(channel, (events[i % events.length] as ReactionEvent).ts)),
      },
      { step: 'Store.leadById', usPerOp: time((i) => store.leadById(leadIds[i % leadIds.length] as number)) },
    ];
    steps.push({ step: 'Store.recordDecision, synchronous=FULL (as the app)', usPerOp: time(decide, 0) });
    db.$client.pragma('synchronous = OFF');
    steps.push({
      step: 'Store.recordDecision, synchronous=OFF (FULL − OFF = fsync)',
      usPerOp: time(decide, perStep),
    });
    db.$client.pragma('synchronous = FULL');
    steps.push({
      step: 'Store.recordDecision of an event id already handled (a retry)',
      usPerOp: time((i) => decide(2 * perStep + i, (events[i] as ReactionEvent).eventId)),
    });
    steps.push({
      step: 'post updater bookkeeping per post: nextPostToRender + leadDecisions + markRendered (FULL)',
      usPerOp: time(() => {
        const post = store.nextPostToRender();
        if (!post) return;
        store.leadDecisions(post.id);
        store.markRendered(post.id, post.postVersion);
      }),
    });
    return steps;
  } finally {
    db.$client.close();
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
  }
}
