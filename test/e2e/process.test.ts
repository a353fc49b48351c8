import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { INGEST_TOKEN, LEADS_CHANNEL, lead, tempDir, testEnv } from '../harness/app.js';
import { runningPort, spawnCli } from '../harness/process.js';
import { waitFor } from '../harness/waitFor.js';

let fake: FakeSlack;
let dir: { dir: string; cleanup: () => void };
beforeEach(async () => {
  fake = await FakeSlack.start();
  dir = tempDir();
});
afterEach(async () => {
  await fake.close();
  dir.cleanup();
});

describe('leadloop start (a real process)', () => {
  it('refuses bad configuration: exit 1, one readable line per problem, no stack, no secrets', async () => {
    const secrets = { SLACK_BOT_TOKEN: 'xoxp-super-secret-user-token', INGEST_TOKEN: 'short-secret' };
    const bot = spawnCli(['start'], { ...secrets, PORT: 'abc', TIMEZONE: 'Mars/Olympus' }, dir.dir);
    const { code } = await bot.exited;
    expect(code).toBe(1);
    const err = bot.stderr.join('\n');
    for (const name of [
      'SLACK_BOT_TOKEN',
      'INGEST_TOKEN',
      'PORT',
      'TIMEZONE',
      'LEADS_CHANNEL_ID',
      'DIGEST_CHANNEL_IDS',
      'SLACK_SIGNING_SECRET',
    ]) {
      expect(err).toContain(name);
    }
    expect(err).not.toContain('super-secret');
    expect(err).not.toContain('short-secret');
    expect(err).not.toMatch(/\n\s+at /);
    expect(bot.stderr.filter((l) => l.startsWith('  - '))).toHaveLength(7);
  });

  it('says what to fix when Slack refuses the token, and exits 1', async () => {
    const env = testEnv(fake, join(dir.dir, 'db.sqlite'), { SLACK_BOT_TOKEN: 'xoxb-revoked' });
    const bot = spawnCli(['start'], env, dir.dir);
    expect((await bot.exited).code).toBe(1);
    expect(bot.stderr.join('\n')).toContain('reinstall the app');
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    const bot = spawnCli(['start'], testEnv(fake, join(dir.dir, 'db.sqlite')), dir.dir);
    const port = await runningPort(bot);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Log lines on stdout are JSON with the level by name.
    const running = JSON.parse(await bot.waitForLine(/Leadloop is running/)) as { level: unknown };
    expect(running.level).toBe('info');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    expect(bot.stdout.join('\n')).toContain('Stopped cleanly');
  });

  it('after SIGKILL mid-send and 250 newer messages in the channel, a restart records the post, not a second one', async () => {
    const dbPath = join(dir.dir, 'db.sqlite');
    const env = testEnv(fake, dbPath);
    const first = spawnCli(['start'], env, dir.dir);
    const port = await runningPort(first);
    // Slack stores the post, but its answer never comes back before the kill.
    fake.fail('chat.postMessage', { delayMs: 30_000 });
    const res = await fetch(`http://127.0.0.1:${port}/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(lead({ externalId: 'buried-1' })),
    });
    expect(res.status).toBe(202);
    await waitFor('the post to reach Slack', () => fake.messages(LEADS_CHANNEL).length === 1);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    fake.clearFaults();
    // The channel moves on while the bot is down: more than a page of history.
    for (let i = 0; i < 250; i++) fake.addMessage(LEADS_CHANNEL, { text: `chatter ${i}` });

    const second = spawnCli(['start'], env, dir.dir);
    await runningPort(second);
    const db = new Database(dbPath, { readonly: true });
    try {
      const row = await waitFor(
        'the lead to be recorded as posted',
        () =>
          db.prepare("SELECT post_ts AS ts FROM leads WHERE post_status = 'posted'").get() as
            | { ts: string }
            | undefined,
        { timeoutMs: 20_000 },
      );
      expect(fake.calls('chat.postMessage')).toHaveLength(1);
      const posts = fake.messages(LEADS_CHANNEL).filter((m) => m.metadata !== undefined);
      expect(posts).toHaveLength(1);
      expect(row.ts).toBe(posts[0]?.ts);
    } finally {
      db.close();
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('after SIGKILL with leads queued and one send in flight, a restart posts every lead exactly once', async () => {
    const dbPath = join(dir.dir, 'db.sqlite');
    const env = testEnv(fake, dbPath);
    const first = spawnCli(['start'], env, dir.dir);
    const port = await runningPort(first);
    // The 4th post is stored by Slack but its answer never comes back before the kill.
    fake.fail('chat.postMessage', { delayMs: 0, times: 3 });
    fake.fail('chat.postMessage', { delayMs: 30_000 });
    const res = await fetch(`http://127.0.0.1:${port}/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(
        Array.from({ length: 8 }, (_, i) => lead({ name: `Lead ${i}`, externalId: `k-${i}` })),
      ),
    });
    expect(res.status).toBe(202);
    await waitFor('the 4th send to reach Slack', () => fake.calls('chat.postMessage').length === 4);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    fake.clearFaults();

    const second = spawnCli(['start'], env, dir.dir);
    await runningPort(second);
    const db = new Database(dbPath, { readonly: true });
    try {
      await waitFor(
        'all 8 leads to be posted',
        () =>
          (db.prepare("SELECT count(*) AS n FROM leads WHERE post_status = 'posted'").get() as { n: number })
            .n === 8,
        { timeoutMs: 20_000 },
      );
      const ids = fake
        .messages(LEADS_CHANNEL)
        .map((m) => (m.metadata as { event_payload: { lead_id: string } }).event_payload.lead_id);
      expect(ids.sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      const rows = db.prepare('SELECT id, post_ts AS ts FROM leads ORDER BY id').all() as {
        id: number;
        ts: string;
      }[];
      const tsById = new Map(
        fake
          .messages(LEADS_CHANNEL)
          .map((m) => [(m.metadata as { event_payload: { lead_id: string } }).event_payload.lead_id, m.ts]),
      );
      for (const row of rows) expect(row.ts).toBe(tsById.get(String(row.id)));
    } finally {
      db.close();
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
