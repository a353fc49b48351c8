import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { startTestBot, type TestBot } from '../harness/app.js';

let t: TestBot | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  await t?.close();
  await fake?.close();
  t = undefined;
  fake = undefined;
});

/** Whether anything answers /healthz at that origin (a refused connection is a plain no). */
async function answers(origin: string): Promise<boolean> {
  try {
    return (await fetch(`${origin}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

describe('HOST: the address the HTTP server listens on', () => {
  it('is every interface when unset', async () => {
    t = await startTestBot();
    expect(['::', '0.0.0.0']).toContain(t.bot.address);
    expect(await answers(`http://127.0.0.1:${t.bot.port}`)).toBe(true);
    expect(t.logs.messages().find((m) => m.startsWith('Leadloop is running'))).toMatch(
      /on port \d+, every interface$/,
    );
  });

  it('HOST=127.0.0.1 binds the loopback address only, in HTTP mode', async () => {
    t = await startTestBot({ env: { HOST: '127.0.0.1' } });
    expect(t.bot.address).toBe('127.0.0.1');
    expect(await answers(`http://127.0.0.1:${t.bot.port}`)).toBe(true);
    // The IPv6 loopback is another address: a server on every interface would answer there too.
    expect(await answers(`http://[::1]:${t.bot.port}`)).toBe(false);
    const running = t.logs.messages().find((m) => m.startsWith('Leadloop is running'));
    expect(running).toContain(`http://127.0.0.1:${t.bot.port}/slack/events`);
    expect(running).toMatch(/on port \d+, 127\.0\.0\.1 only$/);
  });

  it('HOST=127.0.0.1 binds the loopback address only, in Socket Mode (the route server)', async () => {
    fake = await FakeSlack.start();
    t = await startTestBot({
      fake,
      env: { HOST: '127.0.0.1', SLACK_APP_TOKEN: fake.appToken, SLACK_SIGNING_SECRET: '' },
    });
    expect(t.config.slack.mode).toBe('socket');
    expect(t.bot.address).toBe('127.0.0.1');
    expect(await answers(`http://127.0.0.1:${t.bot.port}`)).toBe(true);
    expect(await answers(`http://[::1]:${t.bot.port}`)).toBe(false);
  });
});
