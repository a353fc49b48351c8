import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import type { Verdict } from '../../src/domain/decision.js';
import { parseLeadBatch } from '../../src/domain/lead.js';
import { PostUpdater } from '../../src/jobs/postUpdater.js';
import { createLogger } from '../../src/logger.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { LEADS_CHANNEL, LogCapture, lead, tempDir } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

/** The post updater alone, with a real database and a real Web API client against the fake Slack. */
let fake: FakeSlack;
let store: Store;
let logs: LogCapture;
let cleanup: () => void;
let updater: PostUpdater | undefined;

const ANNA = 'U0REPANNA1';
const BOB = 'U0REPBOB01';
const CARL = 'U0REPCARL1';

beforeEach(async () => {
  fake = await FakeSlack.start();
  const dir = tempDir();
  cleanup = dir.cleanup;
  store = new Store(openDatabase(join(dir.dir, 'updater.db')));
  logs = new LogCapture();
});
afterEach(async () => {
  await updater?.stop();
  updater = undefined;
  store.db.$client.close();
  await fake.close();
  cleanup();
});

function startUpdater() {
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
  updater = new PostUpdater(
    { store, client, logger: createLogger('debug', logs), clock: { now: () => Date.now() } },
    { acceptEmoji: 'white_check_mark', rejectEmoji: 'x' },
  );
  updater.start();
  return updater;
}

interface Posted {
  id: number;
  ts: string;
}

/** Leads stored and posted: the bot's message exists in the fake channel and is recorded. */
function postedLeads(...names: string[]): Posted[] {
  const parsed = parseLeadBatch(names.map((name) => lead({ name })));
  if (!parsed.ok) throw new Error('bad fixture');
  return store.insertLeads(parsed.leads, Date.now()).map((r) => {
    const id = Number(r.id);
    const message = fake.addMessage(LEADS_CHANNEL, {
      user: fake.botUserId,
      bot_id: fake.botId,
      text: `New lead: ${id}`,
    });
    store.markPosted(id, { channel: LEADS_CHANNEL, ts: message.ts, postedAt: Date.now() });
    return { id, ts: message.ts };
  });
}

let clickAt = Date.now();
function decide(leadId: number, userId: string, verdict: Verdict, reason?: string) {
  clickAt += 1000;
  const outcome = store.recordDecision({
    leadId,
    userId,
    verdict,
    source: 'button',
    reason,
    decidedAt: clickAt,
  });
  expect(outcome?.changed).toBe(true);
  updater?.notify();
}

const caughtUp = (id: number) => {
  const row = store.leadById(id);
  return row !== undefined && row.postVersion > 0 && row.postRenderedVersion === row.postVersion;
};

const updatesOf = (ts: string) => fake.calls('chat.update').filter((c) => c.args.ts === ts);
const okUpdatesOf = (ts: string) => updatesOf(ts).filter((c) => c.status === 200);
const shownBlocks = (ts: string) =>
  JSON.stringify(fake.messages(LEADS_CHANNEL).find((m) => m.ts === ts)?.blocks ?? []);
const shownText = (ts: string) => fake.messages(LEADS_CHANNEL).find((m) => m.ts === ts)?.text ?? '';
const warnings = () => logs.lines.filter((l) => l.level === 'warn').map((l) => l.msg);

describe('PostUpdater', () => {
  it('edits a changed lead’s post once, to show the new state', async () => {
    const [changed, later] = postedLeads('Changed', 'Later') as [Posted, Posted];
    decide(changed.id, ANNA, 'accept');
    startUpdater();
    await waitFor('the post to catch up', () => caughtUp(changed.id));
    const [update] = updatesOf(changed.ts);
    expect(update?.args).toMatchObject({ channel: LEADS_CHANNEL, ts: changed.ts });
    expect(JSON.stringify(update?.args.blocks)).toContain(`*Accepted* by <@${ANNA}>`);
    expect(String(update?.args.text)).toContain('[accepted]');
    expect(shownBlocks(changed.ts)).toContain(`*Accepted* by <@${ANNA}>`);
    expect(shownText(changed.ts)).toContain('[accepted]');

    // Another lead's change, rendered after it, proves the first was not edited again meanwhile.
    decide(later.id, BOB, 'reject', 'no_budget');
    await waitFor('the second post to catch up', () => caughtUp(later.id));
    expect(updatesOf(changed.ts)).toHaveLength(1);
    expect(updatesOf(later.ts)).toHaveLength(1);
    expect(shownBlocks(later.ts)).toContain('*Reason:* No budget (recycle)');
    expect(fake.specViolations()).toEqual([]);
  });

  it('leaves unchanged posts alone', async () => {
    const [untouched, changed] = postedLeads('Untouched', 'Changed') as [Posted, Posted];
    decide(changed.id, ANNA, 'accept');
    startUpdater();
    await waitFor('the changed post to catch up', () => caughtUp(changed.id));
    expect(updatesOf(untouched.ts)).toEqual([]);
    expect(fake.calls('chat.update')).toHaveLength(1);
  });

  it('a burst of decisions before it runs costs fewer edits than decisions, and the last shows the final state', async () => {
    const [post] = postedLeads('Busy') as [Posted];
    decide(post.id, ANNA, 'accept');
    decide(post.id, BOB, 'reject');
    decide(post.id, ANNA, 'reject', 'bad_fit');
    decide(post.id, CARL, 'accept');
    decide(post.id, CARL, 'reject', 'duplicate');
    startUpdater();
    await waitFor('the post to catch up', () => caughtUp(post.id));
    const updates = updatesOf(post.ts);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThan(5);
    const last = JSON.stringify(updates.at(-1)?.args.blocks);
    expect(last).toContain(`*Rejected* by <@${CARL}>`);
    expect(last).toContain('*Reason:* Duplicate / already in pipeline (disqualify)');
    expect(last).toContain(`Also: <@${ANNA}> rejected · <@${BOB}> rejected`);
    expect(shownBlocks(post.ts)).toBe(last);
  });

  it('decisions made while an edit is in flight are coalesced into the next edit', async () => {
    const [post] = postedLeads('Busy') as [Posted];
    fake.fail('chat.update', { delayMs: 300 });
    decide(post.id, ANNA, 'accept');
    startUpdater();
    await waitFor('the first edit to be sent', () => updatesOf(post.ts).length === 1);
    decide(post.id, BOB, 'reject');
    decide(post.id, CARL, 'reject', 'student');
    decide(post.id, ANNA, 'reject', 'no_authority');
    await waitFor('the post to catch up', () => caughtUp(post.id));
    const updates = updatesOf(post.ts);
    expect(updates.length).toBeLessThan(4);
    const last = JSON.stringify(updates.at(-1)?.args.blocks);
    expect(last).toContain(`*Rejected* by <@${ANNA}>`);
    expect(last).toContain('*Reason:* Not the decision maker (recycle)');
    expect(shownBlocks(post.ts)).toBe(last);
  });

  it('waits out a 429 (Retry-After: 1), then makes the edit', async () => {
    const [post] = postedLeads('Limited') as [Posted];
    fake.fail('chat.update', { status: 429, retryAfter: 1 });
    decide(post.id, ANNA, 'accept');
    startUpdater();
    await waitFor('the post to catch up', () => caughtUp(post.id));
    const [limited, made] = updatesOf(post.ts);
    expect(limited?.status).toBe(429);
    expect(made?.status).toBe(200);
    expect(updatesOf(post.ts)).toHaveLength(2);
    // Retry-After is honoured: the second call waited about a second (lower bound only).
    expect(made!.at - limited!.at).toBeGreaterThanOrEqual(950);
    expect(shownBlocks(post.ts)).toContain(`*Accepted* by <@${ANNA}>`);
  });

  it('gives up on a post Slack cannot find, with one warning, and goes on with other leads', async () => {
    const [gone, fine] = postedLeads('Gone', 'Fine') as [Posted, Posted];
    // Someone deleted the lead post.
    const deleter = new WebClient(fake.botToken, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
    await deleter.chat.delete({ channel: LEADS_CHANNEL, ts: gone.ts });
    decide(gone.id, ANNA, 'accept');
    decide(fine.id, BOB, 'accept');
    startUpdater();
    await waitFor('the other post to catch up', () => caughtUp(fine.id));
    expect(caughtUp(gone.id)).toBe(true);
    expect(updatesOf(gone.ts)).toHaveLength(1);
    expect((updatesOf(gone.ts)[0]!.response as { error?: string }).error).toBe('message_not_found');
    expect(okUpdatesOf(fine.ts)).toHaveLength(1);
    const gaveUp = warnings().filter((m) => m.includes(`lead ${gone.id}`));
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toContain('message_not_found');
    // The decision itself is kept.
    expect(store.leadById(gone.id)?.state).toBe('accepted');
  });

  it('retries a 500 later, and the edit is made', async () => {
    const [post] = postedLeads('Flaky') as [Posted];
    fake.fail('chat.update', { status: 500 });
    decide(post.id, ANNA, 'reject', 'bad_data');
    startUpdater();
    await waitFor('the post to catch up', () => caughtUp(post.id));
    expect(updatesOf(post.ts).map((c) => c.status)).toEqual([500, 200]);
    expect(shownBlocks(post.ts)).toContain('*Reason:* Bad or fake contact data (disqualify)');
    expect(warnings().some((m) => m.includes(`lead ${post.id}`) && m.includes('retrying'))).toBe(true);
  });

  it('after a 500, other leads are not marked rendered without an edit', async () => {
    const [first, second] = postedLeads('First', 'Second') as [Posted, Posted];
    fake.fail('chat.update', { status: 500 });
    decide(first.id, ANNA, 'accept');
    decide(second.id, BOB, 'accept');
    startUpdater();
    await waitFor('both posts to catch up', () => caughtUp(first.id) && caughtUp(second.id));
    expect(okUpdatesOf(first.ts)).toHaveLength(1);
    expect(okUpdatesOf(second.ts)).toHaveLength(1);
    expect(shownBlocks(first.ts)).toContain('*Accepted*');
    expect(shownBlocks(second.ts)).toContain('*Accepted*');
  });

  it('stop() waits for the edit in flight and records it', async () => {
    const [post] = postedLeads('In flight') as [Posted];
    fake.fail('chat.update', { delayMs: 300 });
    decide(post.id, ANNA, 'accept');
    startUpdater();
    await waitFor('the edit to be sent', () => updatesOf(post.ts).length === 1);
    expect(caughtUp(post.id)).toBe(false);
    await updater?.stop();
    expect(updatesOf(post.ts)[0]?.status).toBe(200);
    expect(caughtUp(post.id)).toBe(true);
  });

  it('after stop() it makes no more edits', async () => {
    const [post] = postedLeads('Stopped') as [Posted];
    startUpdater();
    await updater?.stop();
    decide(post.id, ANNA, 'accept');
    // A fresh updater on the same database picks the change up: it was left for later, not lost.
    startUpdater();
    await waitFor('the post to catch up', () => caughtUp(post.id));
    expect(updatesOf(post.ts)).toHaveLength(1);
  });

  it('a notify() that arrives while it is finding the queue empty is not lost', async () => {
    const [post] = postedLeads('Decided at once') as [Posted];
    const lookups = vi.spyOn(store, 'nextPostToRender');
    // start() runs the first step at once: it finds nothing to render and is about to wait. A
    // decision recorded in that gap notifies it; the wait must then end at once, not at the next
    // idle poll. Once the microtasks have run (setImmediate), it must have looked again.
    startUpdater();
    expect(lookups).toHaveBeenCalledTimes(1);
    decide(post.id, ANNA, 'accept');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lookups.mock.calls.length).toBeGreaterThanOrEqual(2);
    await waitFor('the post to catch up', () => caughtUp(post.id));
    expect(okUpdatesOf(post.ts)).toHaveLength(1);
  });
});
