import { join } from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { IN_DOUBT_TIMING } from '../../src/domain/inDoubt.js';
import { DIGEST_EVENT_TYPE, DigestScheduler, DigestSender } from '../../src/jobs/digest.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { StatsService } from '../../src/services/stats.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { DigestStore } from '../../src/storage/digests.js';
import { StatsStore } from '../../src/storage/stats.js';
import { DIGEST_CHANNELS, LogCapture, tempDir } from '../harness/app.js';
import { VirtualTime } from '../harness/virtualTime.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * The digest sender and scheduler with a real database and a real Web API client against the
 * fake Slack, in virtual time (Slack's clock is the same virtual clock, so message ts and the
 * bot's records agree as they do in production).
 */
const [SALES, MARKETING] = DIGEST_CHANNELS as [string, string];
const WEEK = '2026-W48';
const START = Date.parse('2026-12-02T10:00:00Z');

let time: VirtualTime;
let fake: FakeSlack;
let db: Db;
let digests: DigestStore;
let logs: LogCapture;
let cleanup: () => void;
let scheduler: DigestScheduler | undefined;

beforeEach(async () => {
  time = new VirtualTime(START);
  fake = await FakeSlack.start({ now: () => time.now() });
  const dir = tempDir();
  cleanup = dir.cleanup;
  db = openDatabase(join(dir.dir, 'digest.db'));
  digests = new DigestStore(db);
  logs = new LogCapture();
});
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  db.$client.close();
  await fake.close();
  cleanup();
});

function sender(clientTimeoutMs = 10_000): DigestSender {
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: clientTimeoutMs,
    logLevel: LogLevel.ERROR,
  });
  const settings = { timezone: 'UTC', slaHours: 24, reasons: [] };
  return new DigestSender(
    {
      digests,
      stats: new StatsService({ stats: new StatsStore(db), clock: time }, settings),
      client,
      logger: createLogger('debug', logs),
      clock: time,
    },
    { channels: DIGEST_CHANNELS, timezone: 'UTC', workspaceUrl: undefined },
  );
}

function startScheduler(): Promise<void> {
  const metrics = createMetrics(
    { queue: () => ({ depth: 0, oldestAgeSeconds: 0 }), posting: () => ({ status: 'ok' }) },
    { processMetrics: false },
  );
  scheduler = new DigestScheduler(
    { sender: sender(), digests, clock: time, timers: time, logger: createLogger('debug', logs), metrics },
    { cron: '0 9 * * 1', timezone: 'UTC' },
  );
  return scheduler.start();
}

const digestPosts = (channel: string) =>
  fake
    .messages(channel)
    .filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === DIGEST_EVENT_TYPE);

const status = (channel: string) => digests.sends(WEEK).find((r) => r.channel === channel)?.status;

/** A send of WEEK to `channel` claimed `agoMs` ago whose outcome was never recorded (a crash). */
function interrupted(channel: string, agoMs: number): number {
  const startedAt = time.now() - agoMs;
  db.$client
    .prepare(
      "INSERT INTO digest_sends (week, channel, status, attempts, started_at) VALUES (?, ?, 'sending', 1, ?)",
    )
    .run(WEEK, channel, startedAt);
  return startedAt;
}

describe('digest sends of unknown outcome', () => {
  it('a send that timed out after Slack posted it is not sent again', async () => {
    // Slack stores the sales digest at once but answers after the client gave up.
    fake.fail('chat.postMessage', { delayMs: 1_000 });
    const first = await sender(200).send({ isoWeek: WEEK });
    expect(first.find((o) => o.channel === SALES)?.status).toBe('in_doubt');
    expect(first.find((o) => o.channel === MARKETING)?.status).toBe('sent');
    expect(status(SALES)).toBe('sending');

    // Before Slack must be done with it, the send is left alone.
    expect((await sender().send({ isoWeek: WEEK })).map((o) => o.status)).toEqual(['busy', 'already_sent']);
    await time.advance(IN_DOUBT_TIMING.settleMs);
    const second = await sender().send({ isoWeek: WEEK });
    expect(second.map((o) => o.status)).toEqual(['already_sent', 'already_sent']);
    expect(digestPosts(SALES)).toHaveLength(1);
    expect(digestPosts(MARKETING)).toHaveLength(1);
    expect(digests.sends(WEEK).find((r) => r.channel === SALES)).toMatchObject({
      status: 'sent',
      ts: digestPosts(SALES)[0]?.ts,
    });
    // The chart that the interrupted send never got to is uploaded.
    expect(fake.files().filter((f) => f.channel === SALES)).toHaveLength(1);
  });

  it('a send that Slack stored only after the client gave up is waited for, not sent again', async () => {
    fake.fail('chat.postMessage', { lateMs: 600 });
    expect((await sender(200).send({ isoWeek: WEEK }))[0]?.status).toBe('in_doubt');
    expect(digestPosts(SALES)).toHaveLength(0);
    await waitFor('Slack to store the late post', () => digestPosts(SALES).length === 1);
    await time.advance(IN_DOUBT_TIMING.settleMs);
    expect((await sender().send({ isoWeek: WEEK }))[0]?.status).toBe('already_sent');
    expect(digestPosts(SALES)).toHaveLength(1);
  });

  it('a claim left "sending" by a crash before Slack got it is sent within minutes of the restart', async () => {
    interrupted(SALES, 30_000);
    await startScheduler();
    expect(digestPosts(SALES)).toHaveLength(0);
    await time.advance(IN_DOUBT_TIMING.settleMs);
    await waitFor('the sales digest', () => status(SALES) === 'sent', { timeoutMs: 5_000 });
    expect(digestPosts(SALES)).toHaveLength(1);
    // Only the interrupted channel: the scheduler does not send weeks nobody asked for.
    expect(digestPosts(MARKETING)).toHaveLength(0);
    expect(fake.calls('conversations.history').length).toBeGreaterThanOrEqual(1);
  });

  it('a claim left "sending" by a crash after Slack got it is recorded within minutes, not sent again', async () => {
    const startedAt = interrupted(SALES, 30_000);
    const posted = fake.addMessage(SALES, {
      ts: ((startedAt + 300) / 1000).toFixed(6),
      text: 'digest',
      user: fake.botUserId,
      bot_id: fake.botId,
      metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { week: WEEK } },
    });
    for (let i = 0; i < 250; i++) fake.addMessage(SALES, { text: `chatter ${i}` });
    await startScheduler();
    await time.advance(IN_DOUBT_TIMING.settleMs);
    await waitFor('the sales digest to be recorded', () => status(SALES) === 'sent', { timeoutMs: 5_000 });
    expect(fake.calls('chat.postMessage')).toHaveLength(0);
    expect(digests.sends(WEEK)[0]?.ts).toBe(posted.ts);
  });
});
