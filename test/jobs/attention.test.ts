import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { AttentionAnnouncer } from '../../src/jobs/attention.js';
import { createLogger } from '../../src/logger.js';
import { type AttentionInput, AttentionStore } from '../../src/storage/attention.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { LogCapture, tempDir } from '../harness/app.js';
import { VirtualTime } from '../harness/virtualTime.js';
import { waitFor } from '../harness/waitFor.js';

const CHANNEL = 'C0ATTN0001';
const T0 = Date.UTC(2026, 10, 20, 9, 0);

let fake: FakeSlack;
let db: Db;
let store: Store;
let attention: AttentionStore;
let logs: LogCapture;
let cleanup: () => void;
let time: VirtualTime;
let announcer: AttentionAnnouncer | undefined;

beforeEach(async () => {
  fake = await FakeSlack.start();
  const dir = tempDir();
  cleanup = dir.cleanup;
  db = openDatabase(join(dir.dir, 'attention.db'));
  store = new Store(db);
  attention = new AttentionStore(db);
  logs = new LogCapture();
  time = new VirtualTime(T0);
});
afterEach(async () => {
  await announcer?.stop();
  announcer = undefined;
  db.$client.close();
  await fake.close();
  cleanup();
});

function start(): AttentionAnnouncer {
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  announcer = new AttentionAnnouncer(
    { attention, client, logger: createLogger('debug', logs), clock: time, timers: time },
    { channel: CHANNEL, retryMs: 30_000 },
  );
  announcer.start();
  return announcer;
}

function keep(reason: string, n = 1): void {
  const item: AttentionInput = {
    profile: 'hubspot',
    raw: '{}',
    itemIndex: 0,
    itemCount: 1,
    reason,
    issues: [],
  };
  attention.storeIntake(store, [{ leads: [], attention: Array.from({ length: n }, () => item) }], time.now());
}

/** The announcer's pending wait, once it waits on a timer. */
const waiting = () => waitFor('the announcer to wait', () => time.scheduled()[0]);

const notices = () => fake.messages(CHANNEL).map((m) => m.text);

describe('AttentionAnnouncer', () => {
  it('announces at once, then at most once an hour, counting only what is new', async () => {
    keep('no campaign', 2);
    keep('no email or name');
    const job = start();
    // Slack has the message a moment before the announcer records it.
    await waitFor('the first notice to be recorded', () => attention.lastAnnouncement());
    expect(notices()).toHaveLength(1);
    expect(notices()[0]).toMatch(/^3 leads from your marketing tools need attention: /);
    expect(JSON.stringify(fake.messages(CHANNEL)[0]?.blocks)).toContain('• no campaign (2)');
    expect(attention.lastAnnouncement()).toEqual({ at: T0, throughId: 3 });

    await time.advance(10 * 60_000);
    keep('no campaign');
    job.notify();
    expect(await waiting()).toBe(50 * 60_000);
    expect(notices()).toHaveLength(1);

    await time.advance(50 * 60_000);
    await waitFor('the second notice', () => notices().length === 2);
    expect(notices()[1]).toMatch(
      /^1 lead from your marketing tools needs attention since the last notice \(4 leads waiting in all\)/,
    );
  });

  it('does not repeat a notice after a restart within the hour', async () => {
    keep('no campaign');
    start();
    await waitFor('the notice to be recorded', () => attention.lastAnnouncement());
    await announcer?.stop();

    await time.advance(20 * 60_000);
    start();
    await waitFor('the announcer to find nothing new', () =>
      logs.messages().includes('Attention notice: nothing new to announce'),
    );
    keep('no campaign');
    announcer?.notify();
    expect(await waiting()).toBe(40 * 60_000);
    expect(notices()).toHaveLength(1);
  });

  it('retries a failed post later and records nothing until it goes through', async () => {
    fake.fail('chat.postMessage', { error: 'not_in_channel' });
    keep('no campaign');
    start();
    expect(await waiting()).toBe(30_000);
    expect(attention.lastAnnouncement()).toBeUndefined();
    expect(logs.messages(50).join('\n')).toMatch(/invite it with \/invite @Leadloop/);
    await time.advance(30_000);
    await waitFor('the notice to be recorded', () => attention.lastAnnouncement());
    expect(notices()).toHaveLength(1);
    expect(attention.lastAnnouncement()).toEqual({ at: T0 + 30_000, throughId: 1 });
  });

  it('says nothing when the items were handled before the notice was due', async () => {
    keep('no campaign');
    attention.drop([1], time.now());
    start();
    await waitFor('the announcer to find nothing new', () =>
      logs.messages().includes('Attention notice: nothing new to announce'),
    );
    expect(fake.calls('chat.postMessage')).toHaveLength(0);
  });
});
