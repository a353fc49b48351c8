import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/commands/index.js';
import { IN_DOUBT_TIMING } from '../../src/domain/inDoubt.js';
import { lead, startTestBot, type TestBot, tempDir } from '../harness/app.js';
import { expectShownAsTyped, FORMATTED } from '../harness/inertText.js';
import { waitFor } from '../harness/waitFor.js';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t.close();
});

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

const postedCount = () =>
  (
    t.bot.store.db.$client.prepare("SELECT count(*) AS n FROM leads WHERE post_status = 'posted'").get() as {
      n: number;
    }
  ).n;

describe('lead posts', () => {
  it('shows a bare URL, #channel, *bold* or ``` fences in lead data as typed', async () => {
    const post = await t.postLead({
      name: FORMATTED,
      company: FORMATTED,
      title: FORMATTED,
      campaign: FORMATTED,
      source: 'webinar',
      notes: FORMATTED,
    });
    const message = t.fake.messages(post.channel).find((m) => m.ts === post.ts);
    expectShownAsTyped(message?.blocks);
  });

  it('escape hostile lead text so it can never ping or link, in blocks and fallback text', async () => {
    const hostile = {
      name: '<!channel> Mallory',
      company: '<@U0ADMIN01> & Co',
      title: '<!here|here>',
      campaign: '<https://evil.example|Free money>',
      source: '<!subteam^S0123>',
      notes: '<!everyone> click <https://evil.example>',
      email: 'mallory@evil.example',
    };
    expect((await t.ingest(hostile)).status).toBe(202);
    const [post] = await t.fake.waitForCalls('chat.postMessage', 1);
    const text = String(post?.args.text);
    expect(text).not.toMatch(/<[!@#h]/);
    expect(text).toContain('&lt;!channel&gt;');
    const blocks = post?.args.blocks as { type: string; text?: { type: string; text: string } }[];
    for (const block of blocks) {
      const json = JSON.stringify(block);
      if (block.type === 'header' || (block.type === 'section' && block.text?.type === 'plain_text'))
        continue;
      // mrkdwn: the only `<` allowed is the bot's own date token.
      for (const s of allStrings(block)) expect(s.replace(/<!date\^[^>]+>/g, '')).not.toContain('<');
      expect(json).not.toContain('<!channel>');
    }
    // plain_text is never parsed for mentions; the text shows as typed.
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(JSON.stringify(blocks)).toContain('&lt;@U0ADMIN01&gt; &amp; Co');
    expect(post?.args.link_names).toBeUndefined();
    expect(post?.args.parse).toBeUndefined();
  });

  it('are paced: no faster than a short burst and then one a second per channel', async () => {
    const batch = Array.from({ length: 6 }, (_, i) => lead({ name: `Lead ${i}` }));
    expect((await t.ingest(batch)).status).toBe(202);
    const posts = await t.fake.waitForCalls('chat.postMessage', 6, { timeoutMs: 10_000 });
    const at = posts.map((p) => p.at);
    // Token bucket of 3: the i-th post (0-based) comes no sooner than (i - 2) seconds after the first.
    // Arrival times at the fake carry scheduling jitter on a busy 2-core machine; without pacing
    // all six would arrive within a few milliseconds, so a generous margin still tells.
    const JITTER_MS = 250;
    for (let i = 3; i < at.length; i++) {
      expect(at[i]! - at[0]!).toBeGreaterThanOrEqual((i - 2) * 1000 - JITTER_MS);
    }
  });

  it('wait as long as a 429 Retry-After says, then post once', async () => {
    t.fake.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    expect((await t.ingest(lead())).status).toBe(202);
    await waitFor('the lead to be posted', () => postedCount() === 1);
    const calls = t.fake.calls('chat.postMessage');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000 - 15);
    expect(t.fake.messages(t.config.leadsChannelId)).toHaveLength(1);
    expect(t.logs.messages().join('\n')).toContain('Retry-After');
  });

  it('recover from a 5xx: look in the channel, wait until Slack must be done with the send, then post exactly once', async () => {
    await t.close();
    let offset = 0;
    t = await startTestBot({ clock: { now: () => Date.now() + offset } });
    t.fake.fail('chat.postMessage', { status: 503 });
    expect((await t.ingest(lead())).status).toBe(202);
    await waitFor('the in-doubt check', () => t.fake.calls('conversations.history').length >= 1);
    // Not in the channel, but Slack may still be storing it: not sent again yet.
    expect(t.fake.calls('chat.postMessage')).toHaveLength(1);
    expect(postedCount()).toBe(0);
    offset += IN_DOUBT_TIMING.settleMs;
    await waitFor('the lead to be posted', () => postedCount() === 1);
    expect(t.fake.calls('chat.postMessage').map((c) => c.status)).toEqual([503, 200]);
    expect(t.fake.messages(t.config.leadsChannelId)).toHaveLength(1);
    expect(t.fake.specViolations()).toEqual([]);
  });

  it('keep leads queued on a permanent Slack error, and say once what to fix', async () => {
    t.fake.fail('chat.postMessage', { error: 'not_in_channel', times: Number.POSITIVE_INFINITY });
    expect((await t.ingest([lead({ name: 'A' }), lead({ name: 'B' })])).status).toBe(202);
    await t.fake.waitForCalls('auth.test', 1);
    await waitFor(
      'the failed post',
      () =>
        t.fake.calls('chat.postMessage').length === 1 && t.fake.calls('chat.postMessage')[0]?.status === 200,
    );
    await waitFor('the error to be logged', () => t.logs.messages(50).some((m) => m.includes('/invite')));
    const errors = t.logs.messages(50).filter((m) => m.includes('Cannot post leads'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('not a member of channel');
    const health = (await (await fetch(`${t.baseUrl}/healthz`)).json()) as { queue: number };
    expect(health.queue).toBe(2);
    expect(postedCount()).toBe(0);
  });

  it('posts leads that another process imported while the bot runs', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.dir, 'leads.csv');
      writeFileSync(file, 'Name,Email,Campaign Name\nZoe,zoe@acme.io,Imported campaign\n');
      const out = new PassThrough();
      const code = await runCli(
        ['import', file],
        { env: { DATABASE_PATH: t.databasePath }, cwd: dir.dir, stdout: out, stderr: new PassThrough() },
        new EventEmitter(),
      );
      expect(code).toBe(0);
      const [post] = await t.fake.waitForCalls('chat.postMessage', 1, { timeoutMs: 8_000 });
      expect(JSON.stringify(post?.args.blocks)).toContain('Imported campaign');
    } finally {
      dir.cleanup();
    }
  });
});
