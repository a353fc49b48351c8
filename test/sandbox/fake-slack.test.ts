import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { checkCall, loadWebApiSpec } from '../../sandbox/spec.js';
import { REQUIRED_BOT_SCOPES } from '../../src/doctor/scopes.js';
import { waitFor } from '../harness/waitFor.js';

let fake: FakeSlack;
let client: WebClient;

function clientFor(token: string | undefined): WebClient {
  return new WebClient(token, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // The fake deliberately answers some calls with errors; keep WebClient's warnings out of the output.
    logLevel: LogLevel.ERROR,
  });
}

function tsMicros(ts: string): bigint {
  const [seconds = '0', fraction = '0'] = ts.split('.');
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

const leadMetadata = { event_type: 'lead_posted', event_payload: { lead_id: 'L1' } };

beforeEach(async () => {
  fake = await FakeSlack.start();
  client = clientFor(fake.botToken);
});

afterEach(async () => {
  await fake.close();
});

describe('FakeSlack server', () => {
  it('serves the Web API under /api/ on loopback', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test with the bot identity', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT' });
  });
});

describe('chat.postMessage', () => {
  it('stores messages and returns unique, increasing Slack-style ts', async () => {
    const first = await client.chat.postMessage({ channel: 'C1', text: 'one' });
    const second = await client.chat.postMessage({ channel: 'C1', text: 'two' });
    const third = await client.chat.postMessage({ channel: 'C2', text: 'three' });

    for (const r of [first, second, third]) expect(r.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(tsMicros(String(second.ts))).toBeGreaterThan(tsMicros(String(first.ts)));
    expect(tsMicros(String(third.ts))).toBeGreaterThan(tsMicros(String(second.ts)));
    expect(first).toMatchObject({
      ok: true,
      channel: 'C1',
      message: { text: 'one', user: 'UBOT', bot_id: 'BBOT' },
    });

    expect(fake.messages('C1').map((m) => [m.ts, m.text])).toEqual([
      [first.ts, 'one'],
      [second.ts, 'two'],
    ]);
    expect(fake.messages()).toHaveLength(3);
    expect(fake.specViolations()).toEqual([]);
  });

  it('decodes blocks and metadata that WebClient sends as JSON strings', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Lead* Acme' } }];
    await client.chat.postMessage({ channel: 'C1', text: 'Lead Acme', blocks, metadata: leadMetadata });

    const [call] = fake.calls('chat.postMessage');
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.args.metadata).toEqual(leadMetadata);
    expect(call?.token).toBe(fake.botToken);
    expect(fake.messages('C1')[0]).toMatchObject({ blocks, metadata: leadMetadata });
  });

  it('accepts application/json bodies', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${fake.botToken}`,
      },
      body: JSON.stringify({ channel: 'C1', blocks: [{ type: 'divider' }], text: 'json' }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C1' });
    expect(fake.messages('C1')[0]?.blocks).toEqual([{ type: 'divider' }]);
  });

  it('rejects a post without text or blocks, and one without a channel', async () => {
    await expect(client.apiCall('chat.postMessage', { channel: 'C1' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'no_text' },
    });
    await expect(client.apiCall('chat.postMessage', { channel: '', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    expect(fake.messages()).toEqual([]);
  });
});

describe('chat.update, chat.delete and chat.postEphemeral', () => {
  it('updates and deletes the bot’s own messages only', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'old' });
    const ts = String(posted.ts);
    const updated = await client.chat.update({ channel: 'C1', ts, text: 'new' });
    expect(updated).toMatchObject({ ok: true, channel: 'C1', ts, text: 'new' });
    expect(fake.messages('C1')[0]?.text).toBe('new');

    await expect(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    const human = fake.addMessage('C1', { text: 'not mine' });
    await expect(client.chat.update({ channel: 'C1', ts: human.ts, text: 'x' })).rejects.toMatchObject({
      data: { error: 'cant_update_message' },
    });

    await client.chat.delete({ channel: 'C1', ts });
    expect(fake.messages('C1').map((m) => m.ts)).toEqual([human.ts]);
  });

  it('records ephemerals separately from messages', async () => {
    const result = await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'psst' });
    expect(result.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals()).toEqual([{ channel: 'C1', user: 'U1', text: 'psst' }]);
    expect(fake.messages()).toEqual([]);
  });
});

describe('faults', () => {
  it('surfaces a 429 as a rate-limited error carrying Retry-After, and stores nothing', async () => {
    fake.fail('chat.postMessage', { status: 429, retryAfter: 7 });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    expect(fake.messages()).toEqual([]);
    expect(fake.calls('chat.postMessage')[0]).toMatchObject({
      status: 429,
      response: { ok: false, error: 'ratelimited' },
    });
  });

  it('surfaces a 500 as an HTTP error, stores nothing, and is consumed after `times` calls', async () => {
    fake.fail('chat.postMessage', { status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
        code: ErrorCode.HTTPError,
        statusCode: 500,
      });
    }
    expect(fake.messages()).toEqual([]);
    await client.chat.postMessage({ channel: 'C1', text: 'third time lucky' });
    expect(fake.messages('C1')).toHaveLength(1);
    expect(fake.calls('chat.postMessage').map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('surfaces an error fault as a platform error with that code', async () => {
    fake.fail('chat.postMessage', { error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'channel_not_found' },
    });
    expect(fake.messages()).toEqual([]);
  });

  it('consumes faults in order and keeps an Infinity fault until cleared', async () => {
    fake.fail('auth.test', { error: 'first' });
    fake.fail('auth.test', { error: 'second', times: Number.POSITIVE_INFINITY });
    await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'first' } });
    for (let i = 0; i < 3; i++) {
      await expect(client.auth.test()).rejects.toMatchObject({ data: { error: 'second' } });
    }
    fake.clearFaults('auth.test');
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('delays the response but stores the post on arrival for a delay-only fault', async () => {
    const delayMs = 600;
    fake.fail('chat.postMessage', { delayMs });
    const started = performance.now();
    const pending = client.chat.postMessage({ channel: 'C1', text: 'slow' });

    await sleep(200);
    expect(fake.messages('C1')).toHaveLength(1);
    expect(fake.calls('chat.postMessage')[0]?.status).toBe(0);

    const result = await pending;
    expect(performance.now() - started).toBeGreaterThanOrEqual(delayMs - 5);
    expect(result.ts).toBe(fake.messages('C1')[0]?.ts);
  });

  it('stores the post only after a late fault, even when the client gave up first', async () => {
    fake.fail('chat.postMessage', { lateMs: 400 });
    const impatient = new WebClient(fake.botToken, {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      timeout: 100,
      logLevel: LogLevel.ERROR,
    });
    await expect(impatient.chat.postMessage({ channel: 'C1', text: 'late' })).rejects.toThrow();
    expect(fake.messages('C1')).toHaveLength(0);
    await waitFor('the late post', () => fake.messages('C1').length === 1);
    expect(fake.messages('C1')[0]?.text).toBe('late');
    expect(() => fake.fail('chat.postMessage', { lateMs: 10, error: 'x' })).toThrow(/lateMs/);
  });
});

describe('conversations.history', () => {
  it('returns messages newest first, with bounds, limit, and metadata only on request', async () => {
    const old = fake.addMessage('C1', { ts: '1700000000.000100', text: 'ancient human message' });
    const a = await client.chat.postMessage({ channel: 'C1', text: 'a', metadata: leadMetadata });
    const b = await client.chat.postMessage({ channel: 'C1', text: 'b', metadata: leadMetadata });
    await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: String(a.ts) });
    await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });

    const plain = await client.conversations.history({ channel: 'C1' });
    expect(plain.messages?.map((m) => m.text)).toEqual(['b', 'a', 'ancient human message']);
    expect(plain.messages?.[0]?.metadata).toBeUndefined();
    expect(plain.messages?.[1]).toMatchObject({ reply_count: 1, thread_ts: a.ts });
    expect(plain.messages?.[2]).toMatchObject({ user: 'UHUMAN', ts: old.ts });
    expect(plain.has_more).toBe(false);

    const withMetadata = await client.conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(withMetadata.messages?.[0]?.metadata).toEqual(leadMetadata);

    const exclusive = await client.conversations.history({
      channel: 'C1',
      oldest: old.ts,
      latest: String(b.ts),
    });
    expect(exclusive.messages?.map((m) => m.text)).toEqual(['a']);
    const inclusive = await client.conversations.history({
      channel: 'C1',
      oldest: old.ts,
      latest: String(b.ts),
      inclusive: true,
    });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['b', 'a', 'ancient human message']);

    const limited = await client.conversations.history({ channel: 'C1', limit: 2 });
    expect(limited.messages?.map((m) => m.text)).toEqual(['b', 'a']);
    expect(limited.has_more).toBe(true);
    const next = await client.conversations.history({
      channel: 'C1',
      limit: 2,
      cursor: limited.response_metadata?.next_cursor ?? '',
    });
    expect(next.messages?.map((m) => m.text)).toEqual(['ancient human message']);

    const replies = await client.conversations.replies({ channel: 'C1', ts: String(a.ts) });
    expect(replies.messages?.map((m) => m.text)).toEqual(['a', 'reply']);
    expect(fake.specViolations()).toEqual([]);
  });
});

describe('reactions', () => {
  it('returns seeded and bot reactions from reactions.get', async () => {
    const message = fake.addMessage('C1', { text: 'Lead: Acme' });
    fake.addReaction('C1', message.ts, 'thumbsup', 'U1');
    fake.addReaction('C1', message.ts, 'thumbsup', 'U2');
    await client.reactions.add({ channel: 'C1', timestamp: message.ts, name: 'eyes' });

    const result = await client.reactions.get({ channel: 'C1', timestamp: message.ts });
    expect(result).toMatchObject({
      ok: true,
      type: 'message',
      channel: 'C1',
      message: {
        ts: message.ts,
        text: 'Lead: Acme',
        reactions: [
          { name: 'thumbsup', users: ['U1', 'U2'], count: 2 },
          { name: 'eyes', users: ['UBOT'], count: 1 },
        ],
      },
    });

    await expect(
      client.reactions.add({ channel: 'C1', timestamp: message.ts, name: 'eyes' }),
    ).rejects.toMatchObject({
      data: { error: 'already_reacted' },
    });
    await client.reactions.remove({ channel: 'C1', timestamp: message.ts, name: 'eyes' });
    expect(fake.messages('C1')[0]?.reactions).toEqual([{ name: 'thumbsup', users: ['U1', 'U2'] }]);

    await expect(client.reactions.get({ channel: 'C1', timestamp: '1.000001' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });
});

describe('other methods', () => {
  it('opens DMs, looks up users and opens views', async () => {
    await expect(client.conversations.open({ users: 'U1' })).resolves.toMatchObject({
      channel: { id: 'DU1' },
    });
    fake.addUser({ id: 'U1', real_name: 'Ada Lovelace', display_name: 'ada' });
    await expect(client.users.info({ user: 'U1' })).resolves.toMatchObject({
      user: { id: 'U1', real_name: 'Ada Lovelace', tz: 'UTC', profile: { display_name: 'ada' } },
    });
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Rate' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: 'trig', view });
    expect(opened.view?.id).toMatch(/^V/);
    expect(opened.view).toMatchObject({ type: 'modal', title: { text: 'Rate' } });
    expect(fake.calls('views.open')[0]?.args.view).toEqual(view);
    expect(fake.specViolations()).toEqual([]);
  });

  it('takes a trigger_id from trigger() once, as Slack does', async () => {
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Rate' }, blocks: [] };
    const trigger_id = fake.trigger();
    await expect(client.views.open({ trigger_id, view })).resolves.toMatchObject({ ok: true });
    await expect(client.views.open({ trigger_id, view })).rejects.toMatchObject({
      data: { error: 'exchanged_trigger_id' },
    });
  });

  it('answers unknown methods with unknown_method and flags them against the spec', async () => {
    await expect(client.apiCall('chat.teleport', { channel: 'C1' })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
    expect(fake.specViolations()).toEqual([expect.stringContaining('chat.teleport')]);
  });
});

describe('auth', () => {
  it('rejects a wrong token with invalid_auth and a missing one with not_authed', async () => {
    await expect(clientFor('xoxb-wrong').auth.test()).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'invalid_auth' },
    });
    await expect(clientFor(undefined).auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(clientFor(undefined).auth.test({ token: fake.botToken })).resolves.toMatchObject({
      ok: true,
    });
  });
});

describe('waitForCalls', () => {
  it('resolves once enough calls succeeded, ignoring failed ones', async () => {
    fake.fail('chat.postMessage', { error: 'fatal_error' });
    const waiting = fake.waitForCalls('chat.postMessage', 2);
    await client.chat.postMessage({ channel: 'C1', text: 'a' }).catch(() => undefined);
    await client.chat.postMessage({ channel: 'C1', text: 'b' });
    await client.chat.postMessage({ channel: 'C1', text: 'c' });

    const calls = await waiting;
    expect(calls.map((c) => c.args.text)).toEqual(['b', 'c']);
    await expect(fake.waitForCalls('chat.postMessage', 1)).resolves.toHaveLength(1);
  });

  it('times out with a message listing the calls it saw', async () => {
    fake.fail('chat.postMessage', { error: 'channel_not_found' });
    await client.chat.postMessage({ channel: 'C1', text: 'a' }).catch(() => undefined);
    await client.auth.test();
    await expect(fake.waitForCalls('chat.postMessage', 1, { timeoutMs: 50 })).rejects.toThrow(
      /Timed out after 50 ms.*0 successful of 1 chat\.postMessage.*chat\.postMessage:error=channel_not_found, auth\.test:ok/,
    );
  });
});

describe('file uploads', () => {
  it('supports the filesUploadV2 flow end to end', async () => {
    const bytes = Buffer.from('lead,score\nacme,0.9\n');
    const result = await client.filesUploadV2({
      channel_id: 'C1',
      file: bytes,
      filename: 'leads.csv',
      title: 'Weekly leads',
      initial_comment: 'This week',
    });
    expect(result.ok).toBe(true);

    const [file] = fake.files();
    expect(file).toMatchObject({ title: 'Weekly leads', channel: 'C1', initial_comment: 'This week' });
    expect(file?.id).toMatch(/^F/);
    expect(file?.bytes.equals(bytes)).toBe(true);
    expect(fake.calls('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'leads.csv' });
    expect(fake.specViolations()).toEqual([]);
  });
});

describe('spec check', () => {
  it('flags a call missing a required argument without rejecting it on that basis', async () => {
    await expect(client.apiCall('chat.postMessage', { text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    expect(fake.specViolations()).toEqual([expect.stringContaining("'channel'")]);
  });

  it('can be switched off', async () => {
    const quiet = await FakeSlack.start({ checkSpec: false });
    try {
      const quietClient = new WebClient(quiet.botToken, { slackApiUrl: quiet.url, logLevel: LogLevel.ERROR });
      await quietClient.apiCall('chat.postMessage', { text: 'x' }).catch(() => undefined);
      expect(quiet.specViolations()).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it('knows the spec’s required arguments and exempts newer upload methods', () => {
    expect(loadWebApiSpec().methods.get('chat.postMessage')?.httpMethod).toBe('post');
    expect(checkCall('reactions.add', { channel: 'C1' })).toEqual([
      "reactions.add: missing required argument 'name'",
      "reactions.add: missing required argument 'timestamp'",
    ]);
    expect(checkCall('auth.test', {})).toEqual([]);
    expect(checkCall('files.completeUploadExternal', { files: [{ id: 'F1' }] })).toEqual([]);
    expect(checkCall('no.such.method', {})).toEqual(["no.such.method: not a method in Slack's Web API spec"]);
  });
});

describe('reset and close', () => {
  it('reset forgets calls, faults and messages', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'a' });
    fake.fail('chat.postMessage', { error: 'fatal_error' });
    fake.reset();
    expect(fake.calls()).toEqual([]);
    expect(fake.messages()).toEqual([]);
    await expect(client.chat.postMessage({ channel: 'C1', text: 'b' })).resolves.toMatchObject({ ok: true });
  });

  it('closes promptly even with keep-alive sockets and a response held by a delay', async () => {
    fake.fail('auth.test', { delayMs: 60_000 });
    const pending = client.auth.test().catch((error: unknown) => error);
    await sleep(100);
    // Without dropping open sockets and cancelling the delay, this would hang until the test timeout.
    await fake.close();
    await expect(pending).resolves.toMatchObject({ code: ErrorCode.RequestError });
  });
});

describe('granted scopes and channel membership', () => {
  it("sends the manifest's bot scopes as x-oauth-scopes, which WebClient exposes", async () => {
    const result = await client.auth.test();
    expect(result.response_metadata?.scopes).toEqual([...REQUIRED_BOT_SCOPES]);
  });

  it('sends the scopes it was started with', async () => {
    const narrow = await FakeSlack.start({ scopes: ['chat:write'] });
    try {
      const result = await new WebClient(narrow.botToken, { slackApiUrl: narrow.url }).auth.test();
      expect(result.response_metadata?.scopes).toEqual(['chat:write']);
    } finally {
      await narrow.close();
    }
  });

  it('keeps the bot in every channel until told otherwise; outside one, history and replies answer not_in_channel', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'one' });
    await expect(client.conversations.history({ channel: 'C1', limit: 1 })).resolves.toMatchObject({
      ok: true,
    });

    fake.setMembership('C1', false);
    await expect(client.conversations.history({ channel: 'C1', limit: 1 })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await expect(
      client.conversations.replies({ channel: 'C1', ts: String(posted.ts) }),
    ).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await expect(client.conversations.history({ channel: 'C2' })).resolves.toMatchObject({ ok: true });
    // chat:write.public: a bot posts to a public channel it is not in.
    await expect(client.chat.postMessage({ channel: 'C1', text: 'two' })).resolves.toMatchObject({
      ok: true,
    });

    fake.setMembership('C1', true);
    await expect(client.conversations.history({ channel: 'C1' })).resolves.toMatchObject({ ok: true });
    expect(fake.specViolations()).toEqual([]);

    fake.setMembership('C1', false);
    fake.reset();
    await expect(client.conversations.history({ channel: 'C1' })).resolves.toMatchObject({ ok: true });
  });
});
