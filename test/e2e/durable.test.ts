import { afterEach, describe, expect, it } from 'vitest';
import { blockAction, reactionEvent } from '../../sandbox/slack-requests.js';
import { ActionId } from '../../src/slack/ids.js';
import { LEADS_CHANNEL, lead, startTestBot, type TestBot } from '../harness/app.js';
import { expectFullDiskRefusals } from '../harness/fullDisk.js';
import { lockFromAnotherProcess } from '../harness/lock.js';
import { waitFor } from '../harness/waitFor.js';

const REP = 'U0REPANNA1';
let t: TestBot;
afterEach(async () => {
  await t?.close();
});

function decisionsOf(leadId: number) {
  return t.bot.store.db.$client
    .prepare('SELECT user_id, verdict, retracted_at FROM decisions WHERE lead_id = ? ORDER BY id')
    .all(leadId) as { user_id: string; verdict: string; retracted_at: number | null }[];
}

const inboxSize = () =>
  (t.bot.store.db.$client.prepare('SELECT count(*) AS n FROM slack_inbox').get() as { n: number }).n;

describe('durable before acknowledged', () => {
  it('a write lock held by another process: /healthz and Slack answer 503 at once, and the event is stored once when Slack retries', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const event = reactionEvent({
      type: 'reaction_added',
      user: REP,
      reaction: 'white_check_mark',
      channel: post.channel,
      ts: post.ts,
    });
    const lock = await lockFromAnotherProcess(t.databasePath, 6_000);

    // Answers well inside Slack's 3 s while the lock lasts 6 s: the event loop is not held.
    const health = await fetch(`${t.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_500) });
    expect(health.status).toBe(503);
    expect(((await health.json()) as { dbError?: string }).dbError).toContain('locked by another process');
    const during = await Promise.race([t.slack(event), timeoutAfter(2_900)]);
    expect(during).not.toBe('timeout');
    // Not a 200: Slack will send it again (never acknowledged and lost).
    expect((during as Response).status).toBe(503);
    const ingest = await t.ingest(lead({ externalId: 'during-lock' }));
    expect(ingest.status).toBe(503);
    expect(decisionsOf(post.id)).toEqual([]);

    await lock.released;
    // Slack's retry carries the same event_id.
    expect((await t.slack(event)).status).toBe(200);
    await waitFor('the decision', () => decisionsOf(post.id).length === 1);
    expect((await t.slack(event)).status).toBe(200);
    await waitFor('the inbox to empty', () => inboxSize() === 0);
    expect(decisionsOf(post.id)).toHaveLength(1);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }, 30_000);

  it('a 12 s write lock under steady load: every ack and /healthz is answered before Slack gives up, nothing acknowledged is lost, retries are stored once', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    // Longer than the inbox's grace period (10 s): the replayer, the poster and the post updater
    // all meet the lock too, not only the requests.
    const lock = await lockFromAnotherProcess(t.databasePath, 12_000);
    let released = false;
    void lock.released.then(() => {
      released = true;
    });

    type Kind = 'healthz' | 'reaction' | 'click' | 'ingest';
    interface Sent {
      kind: Kind;
      resend: () => Promise<Response>;
      status: number | 'timeout';
      ms: number;
      user?: string;
      externalId?: string;
    }
    const sent: Sent[] = [];
    const timed = async (kind: Kind, send: () => Promise<Response>, more: Partial<Sent> = {}) => {
      const began = performance.now();
      const answer = await Promise.race([send(), timeoutAfter(2_900)]);
      const entry: Sent = {
        kind,
        resend: send,
        status: answer === 'timeout' ? 'timeout' : answer.status,
        ms: performance.now() - began,
        ...more,
      };
      if (answer !== 'timeout') await answer.arrayBuffer();
      sent.push(entry);
    };
    const rounds: Promise<unknown>[] = [];
    for (let round = 0; !released; round++) {
      const user = `U0LOCK${String(round).padStart(4, '0')}`;
      const event = reactionEvent({
        type: 'reaction_added',
        user,
        reaction: 'white_check_mark',
        channel: post.channel,
        ts: post.ts,
      });
      const click = blockAction({
        user: `${user}C`,
        actionId: ActionId.accept,
        value: String(post.id),
        channel: post.channel,
        messageTs: post.ts,
      });
      const externalId = `locked-${round}`;
      rounds.push(
        timed('healthz', () => fetch(`${t.baseUrl}/healthz`)),
        timed('reaction', () => t.slack(event), { user }),
        timed('click', () => t.slack(click), { user: `${user}C` }),
        timed('ingest', () => t.ingest(lead({ externalId })), { externalId }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await Promise.all(rounds);
    await lock.released;

    const during = (kind: Kind) => sent.filter((s) => s.kind === kind);
    const slowest = (kind: Kind) => Math.max(...during(kind).map((s) => s.ms)).toFixed(0);
    const statuses = new Map<string, number>();
    for (const s of sent)
      statuses.set(`${s.kind} ${s.status}`, (statuses.get(`${s.kind} ${s.status}`) ?? 0) + 1);
    console.log(
      `12 s lock: ${sent.length} requests; slowest answer (ms): healthz ${slowest('healthz')}, reaction ${slowest('reaction')}, ` +
        `click ${slowest('click')}, ingest ${slowest('ingest')}; ${[...statuses].map(([k, n]) => `${k}: ${n}`).join(', ')}`,
    );
    // Answered before Slack gives up (3 s), every one: the event loop was never held.
    expect(sent.filter((s) => s.status === 'timeout')).toEqual([]);
    expect(during('healthz').some((s) => s.status === 503)).toBe(true);
    for (const s of sent) {
      expect(s.status, s.kind).toBeOneOf(s.kind === 'ingest' ? [202, 503] : [200, 503]);
    }

    // Slack sends again what got no 200 (same event_id); the lead source sends again what got no 202.
    for (const s of sent.filter((x) => x.kind !== 'healthz' && x.status !== 200 && x.status !== 202)) {
      expect((await s.resend()).status, s.kind).toBe(s.kind === 'ingest' ? 202 : 200);
    }
    await waitFor('the inbox to empty', () => inboxSize() === 0, { timeoutMs: 20_000 });
    const rows = decisionsOf(post.id);
    for (const s of sent.filter((x) => x.kind === 'reaction' || x.kind === 'click')) {
      expect(
        rows.filter((r) => r.user_id === s.user),
        s.user,
      ).toHaveLength(1);
    }
    expect(rows).toHaveLength(during('reaction').length + during('click').length);
    const stored = t.bot.store.db.$client.prepare('SELECT count(*) AS n FROM leads WHERE external_id = ?');
    for (const s of during('ingest'))
      expect((stored.get(s.externalId) as { n: number }).n, s.externalId).toBe(1);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }, 60_000);

  it('a full disk: POST /leads, Slack and /healthz answer 503, and nothing is half stored', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const client = t.bot.store.db.$client;
    client.pragma('wal_checkpoint(TRUNCATE)');
    const pages = client.pragma('page_count', { simple: true }) as number;
    // The database may not grow by one page: as a full disk does, every growing write fails.
    client.pragma(`max_page_count = ${pages + 4}`);
    // …and what space is left inside it is taken.
    client.exec('CREATE TABLE filler (x BLOB)');
    expect(() => {
      for (;;) client.prepare('INSERT INTO filler VALUES (randomblob(500))').run();
    }).toThrow(/full/);
    const leadsBefore = (client.prepare('SELECT count(*) AS n FROM leads').get() as { n: number }).n;

    await expectFullDiskRefusals(t);
    const reaction = await t.slack(
      reactionEvent({ type: 'reaction_added', user: REP, reaction: 'x', channel: post.channel, ts: post.ts }),
    );
    // A small write may still fit in a page the table has room in; what was acknowledged is
    // stored, and what could not be stored was not acknowledged.
    if (reaction.status === 200) {
      await waitFor('the acknowledged reaction', () => decisionsOf(post.id).length === 1);
    } else {
      expect(reaction.status).toBe(503);
      expect(decisionsOf(post.id)).toEqual([]);
    }
    expect((client.prepare('SELECT count(*) AS n FROM leads').get() as { n: number }).n).toBe(leadsBefore);
    client.pragma('max_page_count = 1073741823');
  });
});

describe('reactions that cannot apply yet', () => {
  it('a removal that arrives before its reaction: the lead ends undecided', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const now = Date.now() / 1000;
    const removed = reactionEvent({
      type: 'reaction_removed',
      user: REP,
      reaction: 'white_check_mark',
      channel: post.channel,
      ts: post.ts,
      eventTs: (now + 1).toFixed(6),
    });
    const added = reactionEvent({
      type: 'reaction_added',
      user: REP,
      reaction: 'white_check_mark',
      channel: post.channel,
      ts: post.ts,
      eventTs: now.toFixed(6),
    });
    expect((await t.slack(removed)).status).toBe(200);
    expect((await t.slack(added)).status).toBe(200);
    await waitFor('the removal to apply', () => decisionsOf(post.id)[0]?.retracted_at != null, {
      timeoutMs: 15_000,
    });
    expect(t.bot.store.leadById(post.id)?.state).toBe('pending');
    await waitFor('the inbox to empty', () => inboxSize() === 0);
  }, 30_000);

  it('a reaction on a lead post whose ts is not recorded yet is kept and counted once it is', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    // Slack showed the post (ts 1800000000.000100) before chat.postMessage answered.
    const lateTs = '1800000000.000100';
    const res = await t.slack(
      reactionEvent({
        type: 'reaction_added',
        user: REP,
        reaction: 'white_check_mark',
        channel: LEADS_CHANNEL,
        ts: lateTs,
      }),
    );
    expect(res.status).toBe(200);
    await waitFor('the reaction to be kept', () => inboxSize() === 1);
    expect(decisionsOf(post.id)).toEqual([]);
    t.bot.store.markPosted(post.id, { channel: LEADS_CHANNEL, ts: lateTs, postedAt: Date.now() });
    await waitFor('the kept reaction to count', () => decisionsOf(post.id).length === 1, {
      timeoutMs: 20_000,
    });
    expect(t.bot.store.leadById(post.id)?.state).toBe('accepted');
    expect(inboxSize()).toBe(0);
  }, 30_000);
});

function timeoutAfter(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));
}
