import { afterEach, describe, expect, it } from 'vitest';
import { blockAction, reactionEvent } from '../../sandbox/slack-requests.js';
import type { HealthBody } from '../../src/domain/health.js';
import { ActionId } from '../../src/slack/ids.js';
import { DIGEST_CHANNELS, LEADS_CHANNEL, lead, startTestBot, type TestBot } from '../harness/app.js';
import { Scrape } from '../harness/prometheus.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * What an operator watches, end to end: /healthz as an uptime monitor reads it, /metrics as
 * Prometheus parses it, and the JSON log lines, from the real app against the fake Slack.
 */

const REP = 'U0REPANNA1';

let t: TestBot | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The wall clock, plus an offset the test can move forward (the poster's rest, a stall). */
function offsetClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}

async function health(bot: TestBot): Promise<{ status: number; body: HealthBody }> {
  const res = await fetch(`${bot.baseUrl}/healthz`);
  return { status: res.status, body: (await res.json()) as HealthBody };
}

async function scrape(bot: TestBot): Promise<Scrape> {
  const res = await fetch(`${bot.baseUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return Scrape.parse(await res.text());
}

describe('/healthz', () => {
  it('turns to 503 blocked with the Slack code when the bot cannot post, and back to 200 once it can', async () => {
    const clock = offsetClock();
    t = await startTestBot({ clock });
    const bot = t;
    expect(await health(bot)).toEqual({
      status: 200,
      body: { ok: true, db: 'ok', queue: 0, oldestQueuedSeconds: null, lastPostAt: null, posting: 'ok' },
    });

    bot.fake.fail('chat.postMessage', { error: 'not_in_channel', times: Number.POSITIVE_INFINITY });
    const blockedAt = clock.now();
    expect((await bot.ingest(lead({ name: 'Blocked' }))).status).toBe(202);
    const blocked = await waitFor('posting to be reported blocked', async () => {
      const h = await health(bot);
      return h.body.posting === 'blocked' ? h : undefined;
    });
    expect(blocked.status).toBe(503);
    expect(blocked.body).toMatchObject({
      ok: false,
      db: 'ok',
      queue: 1,
      posting: 'blocked',
      postingError: { code: 'not_in_channel', fix: expect.stringContaining('/invite') },
    });
    expect(Date.parse(blocked.body.postingError?.since ?? '')).toBeGreaterThanOrEqual(blockedAt - 1000);
    expect(blocked.body.oldestQueuedSeconds).toBeGreaterThanOrEqual(0);

    // The same state on /metrics, and the log line with Slack's code, method and channel as fields.
    const during = await scrape(bot);
    expect(during.value('leadloop_posting_blocked')).toBe(1);
    expect(during.value('leadloop_queue_depth')).toBe(1);
    expect(during.value('leadloop_post_failures_total', { code: 'not_in_channel' })).toBe(1);
    expect(
      during.value('leadloop_slack_api_errors_total', { method: 'chat.postMessage', code: 'not_in_channel' }),
    ).toBe(1);
    expect(bot.logs.lines.find((l) => l.msg.startsWith('Cannot post leads'))).toMatchObject({
      level: 'error',
      code: 'not_in_channel',
      method: 'chat.postMessage',
      channel: LEADS_CHANNEL,
    });

    // Someone invites the bot. The poster rests a minute between tries; move past that and
    // send another lead (which wakes it) rather than wait.
    bot.fake.clearFaults('chat.postMessage');
    clock.advance(61_000);
    expect((await bot.ingest(lead({ name: 'After the fix' }))).status).toBe(202);
    const recovered = await waitFor('posting to be reported ok again', async () => {
      const h = await health(bot);
      return h.body.posting === 'ok' && h.body.queue === 0 ? h : undefined;
    });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toMatchObject({ ok: true, queue: 0, oldestQueuedSeconds: null });
    expect(recovered.body.postingError).toBeUndefined();
    expect(Date.parse(recovered.body.lastPostAt ?? '')).toBeGreaterThan(0);
    const after = await scrape(bot);
    expect(after.value('leadloop_posting_blocked')).toBe(0);
    expect(after.value('leadloop_leads_posted_total')).toBe(2);
    expect(bot.logs.messages('info').some((m) => m.includes('Posting leads works again'))).toBe(true);
  });

  it('turns to 503 stalled when leads have waited HEALTH_STALL_MINUTES with nothing posted', async () => {
    const clock = offsetClock();
    t = await startTestBot({ clock, env: { HEALTH_STALL_MINUTES: '5' } });
    const bot = t;
    bot.fake.fail('chat.postMessage', { status: 503, times: Number.POSITIVE_INFINITY });
    expect((await bot.ingest(lead())).status).toBe(202);
    await waitFor('a failed post', () => bot.fake.calls('chat.postMessage').some((c) => c.status === 503));
    // Slack has been failing for under 5 minutes: still healthy (the poster retries by itself).
    expect((await health(bot)).status).toBe(200);
    clock.advance(5 * 60_000);
    const stalled = await health(bot);
    expect(stalled.status).toBe(503);
    expect(stalled.body).toMatchObject({ ok: false, posting: 'stalled', queue: 1 });
    expect(stalled.body.oldestQueuedSeconds).toBeGreaterThanOrEqual(300);
    expect((await scrape(bot)).value('leadloop_queue_oldest_age_seconds')).toBeGreaterThanOrEqual(300);
  });
});

describe('/metrics', () => {
  it('counts leads received and posted, decisions, Slack errors, 429 waits and repeated events', async () => {
    t = await startTestBot();
    const bot = t;
    const first = await scrape(bot);
    expect(first.value('leadloop_leads_posted_total')).toBe(0);
    expect(first.value('leadloop_queue_depth')).toBe(0);
    // Default process metrics come along.
    expect(first.family('process_cpu_user_seconds_total')).toBeDefined();
    expect(first.family('leadloop_decisions_total')?.help).toContain('verdict');

    // Ingest: one new lead, then the same externalId again.
    const post = await bot.postLead({ externalId: 'crm-1' });
    expect((await bot.ingest(lead({ externalId: 'crm-1' }))).status).toBe(202);

    // A 429 on the next post: counted with the seconds Slack asked to wait.
    bot.fake.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    await bot.postLead({ name: 'Rate limited' });

    // A decision by button; its post edit fails (an error of chat.update).
    bot.fake.fail('chat.update', { error: 'cant_update_message' });
    await bot.slack(
      blockAction({
        user: REP,
        actionId: ActionId.accept,
        value: String(post.id),
        channel: post.channel,
        messageTs: post.ts,
      }),
    );
    await waitFor('the failed edit to be logged', () =>
      bot.logs.lines.find((l) => l.msg.startsWith('Cannot update the post')),
    );

    // A reject by reaction, delivered twice by Slack; the reason prompt cannot be shown (an
    // error of chat.postEphemeral), so the rep gets a DM.
    bot.fake.fail('chat.postEphemeral', { error: 'user_not_in_channel' });
    const reaction = reactionEvent({
      type: 'reaction_added',
      user: 'U0REPBOB01',
      reaction: 'x',
      channel: post.channel,
      ts: post.ts,
      eventId: 'Ev0METRICS1',
    });
    expect((await bot.slack(reaction)).status).toBe(200);
    await waitFor('the DM asking for a reason', () => bot.fake.calls('conversations.open').length === 1);
    expect((await bot.slack(reaction)).status).toBe(200);

    const page = await waitFor('the repeated event to be counted', async () => {
      const s = await scrape(bot);
      return s.value('leadloop_slack_event_duplicates_total') === 1 ? s : undefined;
    });
    expect(page.value('leadloop_leads_received_total', { result: 'queued' })).toBe(2);
    expect(page.value('leadloop_leads_received_total', { result: 'duplicate' })).toBe(1);
    expect(page.value('leadloop_leads_posted_total')).toBe(2);
    expect(page.value('leadloop_post_failures_total', { code: 'ratelimited' })).toBe(1);
    expect(page.value('leadloop_slack_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
    expect(page.value('leadloop_slack_rate_limit_wait_seconds_total', { method: 'chat.postMessage' })).toBe(
      1,
    );
    expect(page.value('leadloop_decisions_total', { verdict: 'accept', source: 'button' })).toBe(1);
    expect(page.value('leadloop_decisions_total', { verdict: 'reject', source: 'reaction' })).toBe(1);
    expect(
      page.value('leadloop_slack_api_errors_total', { method: 'chat.update', code: 'cant_update_message' }),
    ).toBe(1);
    expect(
      page.value('leadloop_slack_api_errors_total', {
        method: 'chat.postEphemeral',
        code: 'user_not_in_channel',
      }),
    ).toBe(1);
    expect(page.value('leadloop_queue_depth')).toBe(0);
    expect(page.value('leadloop_queue_oldest_age_seconds')).toBe(0);

    // Slack failures in the log carry code, method and channel as fields; levels are names.
    expect(bot.logs.lines.find((l) => l.msg.startsWith('Cannot update the post'))).toMatchObject({
      level: 'warn',
      code: 'cant_update_message',
      method: 'chat.update',
      channel: post.channel,
    });
    expect(bot.logs.lines.find((l) => l.msg.startsWith('Could not show the reason prompt'))).toMatchObject({
      level: 'info',
      code: 'user_not_in_channel',
      method: 'chat.postEphemeral',
      channel: post.channel,
    });
    expect(bot.logs.lines.find((l) => l.msg.includes('rate-limited the lead poster'))).toMatchObject({
      level: 'warn',
      code: 'ratelimited',
      method: 'chat.postMessage',
      channel: LEADS_CHANNEL,
    });
    expect(bot.logs.lines.every((l) => ['debug', 'info', 'warn', 'error'].includes(l.level))).toBe(true);
  });

  it('counts digest sends by outcome, and a failed channel is logged with its fields', async () => {
    let now = Date.parse('2026-11-23T08:00:00Z'); // Monday, before the 09:00 UTC digest
    const clock = { now: () => now };
    t = await startTestBot({ clock });
    await t.stopBot();
    // Down over Monday 09:00, back at 10:00: the missed digest goes out on start, once per channel.
    now = Date.parse('2026-11-23T10:00:00Z');
    t.fake.fail('chat.postMessage', { error: 'not_in_channel' });
    await t.restart();
    const page = await scrape(t);
    expect(page.value('leadloop_digest_sends_total', { outcome: 'failed' })).toBe(1);
    expect(page.value('leadloop_digest_sends_total', { outcome: 'sent' })).toBe(1);
    const [failedChannel] = DIGEST_CHANNELS;
    expect(t.logs.lines.find((l) => l.msg.includes('digest could not be sent'))).toMatchObject({
      level: 'error',
      code: 'not_in_channel',
      method: 'chat.postMessage',
      channel: failedChannel,
    });
  });
});
