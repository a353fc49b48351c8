import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { parseLeadBatch } from '../../src/domain/lead.js';
import { createLogger } from '../../src/logger.js';
import {
  planReconciliation,
  RECONCILE_CLIENT_OPTIONS,
  type ReconcileSettings,
  ReconcileStoppedError,
  reconcileReactions,
} from '../../src/services/reconcile.js';
import { openDatabase } from '../../src/storage/db.js';
import type { DecisionRow } from '../../src/storage/schema.js';
import { Store } from '../../src/storage/store.js';
import { LEADS_CHANNEL, LogCapture, lead, tempDir } from '../harness/app.js';

/** Reconciliation with a real database and a real Web API client against the fake Slack. */

const DAY = 24 * 60 * 60_000;
const REP = 'U0REP00001';
const OTHER_REP = 'U0REP00002';
const MARKETER = 'U0MKTG0001';

let fake: FakeSlack;
let store: Store;
let logs: LogCapture;
let cleanup: () => void;
let now: number;

beforeEach(async () => {
  fake = await FakeSlack.start();
  const dir = tempDir();
  cleanup = dir.cleanup;
  store = new Store(openDatabase(join(dir.dir, 'reconcile.db')));
  logs = new LogCapture();
  now = Date.now();
});
afterEach(async () => {
  store.db.$client.close();
  await fake.close();
  cleanup();
});

function settings(overrides: Partial<ReconcileSettings> = {}): ReconcileSettings {
  return {
    acceptEmojis: ['white_check_mark', 'heavy_check_mark'],
    rejectEmojis: ['x', 'no_entry_sign'],
    salesUserIds: undefined,
    botUserId: fake.botUserId,
    ...overrides,
  };
}

function reconcile(
  options: { settings?: Partial<ReconcileSettings>; since?: number; client?: WebClient } = {},
  onProgress?: (done: number, total: number) => void,
) {
  const logger = createLogger('debug', logs);
  const client =
    options.client ??
    new WebClient(fake.botToken, { ...RECONCILE_CLIENT_OPTIONS, slackApiUrl: fake.url, logger });
  return reconcileReactions(
    {
      store,
      client,
      logger,
      clock: { now: () => now },
      settings: settings(options.settings),
    },
    { since: options.since ?? now - 7 * DAY, onProgress },
  );
}

/** A lead posted by the bot at `postedAt` (a day ago by default): its id and post ts. */
function postedLead(postedAt = now - DAY, ts?: string): { id: number; ts: string } {
  const parsed = parseLeadBatch([lead()]);
  if (!parsed.ok) throw new Error('bad fixture');
  const id = Number(store.insertLeads(parsed.leads, postedAt)[0]?.id);
  const postTs =
    ts ?? fake.addMessage(LEADS_CHANNEL, { text: `lead ${id}`, user: fake.botUserId, bot_id: fake.botId }).ts;
  store.markPosted(id, { channel: LEADS_CHANNEL, ts: postTs, postedAt });
  return { id, ts: postTs };
}

function react(post: { ts: string }, emoji: string, user: string) {
  fake.addReaction(LEADS_CHANNEL, post.ts, emoji, user);
}

/** A decision as the live reaction_added handler records it. */
function recordedByEvent(leadId: number, user: string, reaction: string, verdict: 'accept' | 'reject') {
  store.recordDecision({
    leadId,
    userId: user,
    verdict,
    source: 'reaction',
    reaction,
    decidedAt: now - 2 * 60 * 60_000,
    eventId: `Ev${leadId}${user}${reaction}`,
  });
}

describe('reconcileReactions', () => {
  it('records a reaction whose event never arrived, once, however often it runs', async () => {
    const post = postedLead();
    react(post, 'white_check_mark', REP);

    expect(await reconcile()).toEqual({ leadsChecked: 1, added: 1, retracted: 0, failed: [] });
    const decided = store.leadDecisions(post.id);
    expect(decided.state).toBe('accepted');
    expect(decided.history).toEqual([
      expect.objectContaining({
        userId: REP,
        verdict: 'accept',
        source: 'reconcile',
        reaction: 'white_check_mark',
        decidedAt: now,
        retractedAt: null,
      }),
    ]);
    // The post must be re-rendered: its version moved ahead of what the post shows.
    expect(store.nextPostToRender()?.id).toBe(post.id);

    expect(await reconcile()).toEqual({ leadsChecked: 1, added: 0, retracted: 0, failed: [] });
    expect(store.leadDecisions(post.id).history).toHaveLength(1);
    expect(fake.calls('reactions.get').map((c) => c.args)).toEqual([
      { channel: LEADS_CHANNEL, timestamp: post.ts, full: 'true' },
      { channel: LEADS_CHANNEL, timestamp: post.ts, full: 'true' },
    ]);
    expect(fake.specViolations()).toEqual([]);
  });

  it('does not duplicate decisions whose events did arrive, skin tones included', async () => {
    const post = postedLead();
    react(post, 'x', REP);
    recordedByEvent(post.id, REP, 'x', 'reject');
    react(post, '+1::skin-tone-3', OTHER_REP);
    recordedByEvent(post.id, OTHER_REP, '+1', 'accept');

    const summary = await reconcile({ settings: { acceptEmojis: ['white_check_mark', '+1'] } });
    expect(summary).toEqual({ leadsChecked: 1, added: 0, retracted: 0, failed: [] });
    expect(store.leadDecisions(post.id).history).toHaveLength(2);
  });

  it('retracts a decision whose reaction was removed while the event was lost', async () => {
    const post = postedLead();
    recordedByEvent(post.id, REP, 'white_check_mark', 'accept');
    store.recordDecision({
      leadId: post.id,
      userId: OTHER_REP,
      verdict: 'reject',
      source: 'button',
      reason: 'bad_fit',
      decidedAt: now - 60 * 60_000,
    });

    expect(await reconcile()).toEqual({ leadsChecked: 1, added: 0, retracted: 1, failed: [] });
    const decided = store.leadDecisions(post.id);
    expect(decided.history.find((d) => d.userId === REP)?.retractedAt).toBe(now);
    // A button decision has no reaction to look for: it stands.
    expect(decided.standing).toEqual([expect.objectContaining({ userId: OTHER_REP, source: 'button' })]);
    expect(decided.state).toBe('rejected');
  });

  it('swaps a decision whose reaction was replaced by another (both events lost)', async () => {
    const post = postedLead();
    recordedByEvent(post.id, REP, 'white_check_mark', 'accept');
    react(post, 'heavy_check_mark', REP);

    expect(await reconcile()).toEqual({ leadsChecked: 1, added: 1, retracted: 1, failed: [] });
    expect(store.leadDecisions(post.id).standing).toEqual([
      expect.objectContaining({ userId: REP, reaction: 'heavy_check_mark', source: 'reconcile' }),
    ]);
  });

  it('does not retract a decision made moments before Slack was asked (its event may be newer)', async () => {
    const post = postedLead();
    store.recordDecision({
      leadId: post.id,
      userId: REP,
      verdict: 'accept',
      source: 'reaction',
      reaction: 'white_check_mark',
      decidedAt: now - 5_000,
      eventId: 'EvRecent',
    });
    expect(await reconcile()).toMatchObject({ retracted: 0 });
    expect(store.leadDecisions(post.id).state).toBe('accepted');
  });

  it("ignores other emojis, the bot's own reactions and, with SALES_USER_IDS, everyone not in sales", async () => {
    const post = postedLead();
    react(post, 'tada', REP);
    react(post, 'white_check_mark', fake.botUserId);
    react(post, 'x', fake.botUserId);
    react(post, 'white_check_mark', MARKETER);
    react(post, 'no_entry_sign', REP);

    const summary = await reconcile({ settings: { salesUserIds: [REP, OTHER_REP] } });
    expect(summary).toEqual({ leadsChecked: 1, added: 1, retracted: 0, failed: [] });
    expect(store.leadDecisions(post.id).history).toEqual([
      expect.objectContaining({ userId: REP, verdict: 'reject', reaction: 'no_entry_sign' }),
    ]);
  });

  it('checks only leads posted since the given time, and reports progress', async () => {
    const old = postedLead(now - 8 * DAY);
    react(old, 'white_check_mark', REP);
    const recent = [postedLead(now - 2 * DAY), postedLead(now - DAY)];
    const progress: [number, number][] = [];

    const summary = await reconcile({}, (done, total) => progress.push([done, total]));
    expect(summary).toEqual({ leadsChecked: 2, added: 0, retracted: 0, failed: [] });
    expect(fake.calls('reactions.get').map((c) => c.args.timestamp)).toEqual(recent.map((p) => p.ts));
    expect(store.leadDecisions(old.id).history).toEqual([]);
    expect(progress).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
  });

  it('reports a deleted lead post and goes on with the others', async () => {
    const gone = postedLead(now - 2 * DAY, '1700000000.000100');
    const post = postedLead();
    react(post, 'white_check_mark', REP);

    expect(await reconcile()).toEqual({
      leadsChecked: 1,
      added: 1,
      retracted: 0,
      failed: [{ leadId: gone.id, code: 'message_not_found' }],
    });
  });

  it('waits out a 429 for its Retry-After, then reads the post', async () => {
    const post = postedLead();
    react(post, 'white_check_mark', REP);
    fake.fail('reactions.get', { status: 429, retryAfter: 1 });

    expect(await reconcile()).toEqual({ leadsChecked: 1, added: 1, retracted: 0, failed: [] });
    const [limited, retried] = fake.calls('reactions.get');
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('stops at a configuration problem with what to fix, keeping what was done', async () => {
    const first = postedLead(now - 2 * DAY);
    react(first, 'white_check_mark', REP);
    postedLead();
    // The first post is read as usual; then the token is revoked.
    fake.fail('reactions.get', { delayMs: 0 });
    fake.fail('reactions.get', { error: 'token_revoked' });

    const error = await reconcile().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReconcileStoppedError);
    expect((error as Error).message).toContain('reinstall the app');
    expect((error as Error).message).toContain('Stopped after checking 1 of 2 lead post(s)');
    expect((error as ReconcileStoppedError).summary).toMatchObject({ leadsChecked: 1, added: 1 });
    expect(store.leadDecisions(first.id).state).toBe('accepted');
  });

  it('stops when Slack keeps failing instead of trying every post', async () => {
    for (let i = 0; i < 8; i += 1) postedLead(now - DAY + i);
    fake.fail('reactions.get', { status: 503, times: Number.POSITIVE_INFINITY });
    const client = new WebClient(fake.botToken, {
      ...RECONCILE_CLIENT_OPTIONS,
      retryConfig: { retries: 0 },
      slackApiUrl: fake.url,
      logger: createLogger('debug', logs),
    });

    await expect(reconcile({ client })).rejects.toThrow(
      /failed for 5 lead posts in a row \(last: http_503\)/,
    );
    expect(fake.calls('reactions.get')).toHaveLength(5);
  });
});

describe('planReconciliation', () => {
  const rules = {
    verdictFor: (r: string) => (r === 'white_check_mark' ? ('accept' as const) : undefined),
    mayDecide: () => true,
    botUserId: 'UBOT',
  };
  const standing = (userId: string): DecisionRow => ({
    id: 1,
    leadId: 1,
    userId,
    verdict: 'accept',
    source: 'reaction',
    reaction: 'white_check_mark',
    reason: null,
    note: null,
    decidedAt: 0,
    retractedAt: null,
    leadPostedAt: null,
  });

  it('never retracts on the strength of a truncated users list (users shorter than count)', () => {
    const reactions = [{ name: 'white_check_mark', users: [REP], count: 120 }];
    expect(planReconciliation(reactions, [standing(OTHER_REP)], rules, DAY)).toEqual({
      add: [{ userId: REP, reaction: 'white_check_mark', verdict: 'accept' }],
      retract: [],
    });
    expect(planReconciliation([], [standing(OTHER_REP)], rules, DAY)).toEqual({
      add: [],
      retract: [{ userId: OTHER_REP, reaction: 'white_check_mark' }],
    });
  });
});
