import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { parseLeadBatch } from '../../src/domain/lead.js';
import { Poster, type PosterOptions } from '../../src/jobs/poster.js';
import { PostingStatus } from '../../src/jobs/postingStatus.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { LEAD_POST_EVENT_TYPE } from '../../src/slack/ids.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { LEADS_CHANNEL, LogCapture, lead, tempDir } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

/** The poster alone, with a real database and a real Web API client against the fake Slack. */
let fake: FakeSlack;
let store: Store;
let logs: LogCapture;
let cleanup: () => void;
let poster: Poster | undefined;
let status: PostingStatus;
let metrics: Metrics;

beforeEach(async () => {
  fake = await FakeSlack.start();
  const dir = tempDir();
  cleanup = dir.cleanup;
  store = new Store(openDatabase(join(dir.dir, 'poster.db')));
  logs = new LogCapture();
  status = new PostingStatus();
  metrics = createMetrics(
    { queue: () => ({ depth: 0, oldestAgeSeconds: 0 }), posting: () => status.current() },
    { processMetrics: false },
  );
});
afterEach(async () => {
  await poster?.stop();
  poster = undefined;
  store.db.$client.close();
  await fake.close();
  cleanup();
});

function startPoster(options: Partial<PosterOptions> = {}, clientTimeoutMs = 10_000) {
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: clientTimeoutMs,
  });
  poster = new Poster(
    {
      store,
      client,
      logger: createLogger('debug', logs),
      clock: { now: () => Date.now() },
      metrics,
      status,
    },
    {
      channel: LEADS_CHANNEL,
      post: { acceptEmoji: 'white_check_mark', rejectEmoji: 'x' },
      intervalMs: 50,
      ...options,
    },
  );
  poster.start();
  return poster;
}

function queue(...names: string[]): number[] {
  const parsed = parseLeadBatch(names.map((name) => lead({ name })));
  if (!parsed.ok) throw new Error('bad fixture');
  return store.insertLeads(parsed.leads, Date.now()).map((r) => Number(r.id));
}

const postedLeadIds = () =>
  fake
    .messages(LEADS_CHANNEL)
    .flatMap(
      (m) => (m.metadata as { event_payload: { lead_id: string } } | undefined)?.event_payload.lead_id ?? [],
    )
    .sort();

describe('Poster', () => {
  it('a send that times out after Slack stored it is found in history and not posted again', async () => {
    const [id] = queue('Slow');
    fake.fail('chat.postMessage', { delayMs: 600 });
    startPoster({ inDoubtCheckMs: 50 }, 200);
    await waitFor('the post to be recorded', () => store.leadById(id!)?.postStatus === 'posted');
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
    expect(fake.calls('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(postedLeadIds()).toEqual([String(id)]);
    expect(store.leadById(id!)?.postTs).toBe(fake.messages(LEADS_CHANNEL)[0]?.ts);
  });

  it('a post Slack stores only after the client gave up is waited for, not posted again', async () => {
    const [id] = queue('Slow Slack');
    // Slack stores the post 1.5 s after it arrives; the client gives up after 0.2 s.
    fake.fail('chat.postMessage', { lateMs: 1_500 });
    startPoster({ inDoubtCheckMs: 50, settleMs: 2_500 }, 200);
    await waitFor('the post to be recorded', () => store.leadById(id!)?.postStatus === 'posted', {
      timeoutMs: 8_000,
    });
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
    expect(postedLeadIds()).toEqual([String(id)]);
    expect(store.leadById(id!)?.postTs).toBe(fake.messages(LEADS_CHANNEL)[0]?.ts);
  });

  it('a send that never reached Slack is posted again only once Slack must be done with it', async () => {
    const [id] = queue('Lost in transit');
    fake.fail('chat.postMessage', { status: 500 });
    startPoster({ inDoubtCheckMs: 50, settleMs: 600, maxBackoffMs: 50 });
    await waitFor('the post to be recorded', () => store.leadById(id!)?.postStatus === 'posted');
    const [failed, retried] = fake.calls('chat.postMessage');
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
    // Looked for first (too early to conclude at 50 ms), and sent again only once the 600 ms
    // settle time had passed since the first send began (which precedes its arrival by the
    // connection set-up), not after the 50 ms backoff.
    expect(fake.calls('conversations.history').length).toBeGreaterThanOrEqual(2);
    expect(retried!.at - failed!.at).toBeGreaterThan(450);
    expect(postedLeadIds()).toEqual([String(id)]);
  });

  it('after a restart, finds an interrupted post behind more than a page of newer messages', async () => {
    const [id] = queue('Buried');
    // The send reached Slack, then the process died before recording its ts; then the channel
    // got 250 more messages before the bot came back.
    const sentAt = Date.now();
    store.markPosting(id!, sentAt, sentAt);
    const post = fake.addMessage(LEADS_CHANNEL, {
      text: 'lead',
      user: fake.botUserId,
      bot_id: fake.botId,
      metadata: { event_type: LEAD_POST_EVENT_TYPE, event_payload: { lead_id: String(id) } },
    });
    for (let i = 0; i < 250; i++) fake.addMessage(LEADS_CHANNEL, { text: `chatter ${i}` });
    startPoster();
    await waitFor('the post to be recorded', () => store.leadById(id!)?.postStatus === 'posted');
    expect(fake.calls('chat.postMessage')).toHaveLength(0);
    expect(store.leadById(id!)?.postTs).toBe(post.ts);
  });

  it('a lead whose content Slack refuses is marked failed and does not block the queue', async () => {
    const [bad, good] = queue('Refused', 'Fine');
    fake.fail('chat.postMessage', { error: 'invalid_blocks' });
    startPoster();
    await waitFor('the good lead to be posted', () => store.leadById(good!)?.postStatus === 'posted');
    expect(store.leadById(bad!)).toMatchObject({
      postStatus: 'failed',
      postError: 'invalid_blocks',
      postNextAt: null,
    });
    expect(store.queueDepth()).toBe(0);
  });

  it('after a configuration error, resumes by itself once it is fixed, and says so', async () => {
    const ids = queue('One', 'Two');
    fake.fail('chat.postMessage', { error: 'channel_not_found', times: 3 });
    const before = Date.now();
    startPoster({ misconfiguredRetryMs: 100 });
    const blocked = await waitFor('posting to be blocked', () => {
      const state = status.current();
      return state.status === 'blocked' ? state : undefined;
    });
    expect(blocked).toMatchObject({ code: 'channel_not_found', fix: expect.stringContaining(LEADS_CHANNEL) });
    expect(blocked.since).toBeGreaterThanOrEqual(before);
    await waitFor('both leads to be posted', () =>
      ids.every((id) => store.leadById(id)?.postStatus === 'posted'),
    );
    expect(status.current()).toEqual({ status: 'ok' });
    const text = logs.messages().join('\n');
    expect(text.match(/Cannot post leads/g)).toHaveLength(1);
    expect(text).toContain('Posting leads works again');
    expect(postedLeadIds()).toEqual(ids.map(String).sort());
    // The error line carries Slack's code, the method and the channel as fields of its own.
    expect(logs.lines.find((l) => l.msg.startsWith('Cannot post leads'))).toMatchObject({
      level: 'error',
      code: 'channel_not_found',
      method: 'chat.postMessage',
      channel: LEADS_CHANNEL,
    });
    expect((await metrics.postFailures.get()).values).toEqual([
      expect.objectContaining({ labels: { code: 'channel_not_found' }, value: 3 }),
    ]);
    expect((await metrics.leadsPosted.get()).values[0]?.value).toBe(2);
  });

  it('without the history scope, an in-doubt lead is posted again with a warning rather than lost', async () => {
    const [id] = queue('Doubtful');
    fake.fail('chat.postMessage', { status: 500 });
    fake.fail('conversations.history', { error: 'missing_scope' });
    startPoster({ maxBackoffMs: 50 });
    await waitFor('the post to be recorded', () => store.leadById(id!)?.postStatus === 'posted');
    expect(logs.messages('warn').join('\n')).toContain('may duplicate it');
    expect(postedLeadIds()).toEqual([String(id)]);
  });

  it('stop() lets the post in flight finish and records it', async () => {
    const [id] = queue('In flight');
    fake.fail('chat.postMessage', { delayMs: 300 });
    startPoster();
    await waitFor('the send to start', () => fake.calls('chat.postMessage').length === 1);
    await poster?.stop();
    expect(store.leadById(id!)?.postStatus).toBe('posted');
  });
});
