import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { createLogger } from '../../src/logger.js';
import { createBackgroundLanes, createInteractiveClient, withDefaultTimeout } from '../../src/slack/lanes.js';
import { waitFor } from '../harness/waitFor.js';

let fake: FakeSlack;
let server: Server | undefined;
afterEach(async () => {
  await fake?.close();
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

const setup = () => ({ botToken: fake.botToken, apiUrl: fake.url, logger: createLogger('error') });

describe('LanedWebClient', () => {
  it('a 429 on one method holds back only that method: others go out meanwhile, then it retries', async () => {
    fake = await FakeSlack.start();
    const client = createInteractiveClient(setup());
    fake.fail('chat.postEphemeral', { status: 429, retryAfter: 1 });
    const ephemeral = client.chat.postEphemeral({ channel: 'C0LEADS001', user: 'U0REP00001', text: 'Why?' });
    await waitFor('the 429', () => fake.calls('chat.postEphemeral').some((c) => c.status === 429));

    const info = await client.users.info({ user: 'U0REP00001' });
    expect(info.ok).toBe(true);
    // users.info was answered before the ephemeral's retry was even sent.
    expect(fake.calls('chat.postEphemeral')).toHaveLength(1);

    await expect(ephemeral).resolves.toMatchObject({ ok: true });
    expect(fake.calls('chat.postEphemeral').map((c) => c.status)).toEqual([429, 200]);
  });

  it('views.open (a trigger_id) is not retried after a 429: it fails at once', async () => {
    fake = await FakeSlack.start();
    const client = createInteractiveClient(setup());
    fake.fail('views.open', { status: 429, retryAfter: 30 });
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Reject lead' },
      blocks: [],
    };
    await expect(client.views.open({ trigger_id: fake.trigger(), view })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
    });
    expect(fake.calls('views.open')).toHaveLength(1);
  });

  it('background lanes hand a 429 back to the job at once, whatever the method', async () => {
    fake = await FakeSlack.start();
    const client = createBackgroundLanes(setup());
    fake.fail('chat.postMessage', { status: 429, retryAfter: 30 });
    await expect(client.chat.postMessage({ channel: 'C0LEADS001', text: 'hi' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
    });
    await expect(client.chat.postMessage({ channel: 'C0LEADS001', text: 'hi' })).resolves.toMatchObject({
      ok: true,
    });
  });
});

describe('withDefaultTimeout', () => {
  it('gives a response_url post that never answers a timeout', async () => {
    fake = await FakeSlack.start();
    server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const post = withDefaultTimeout(globalThis.fetch, 50);
    await expect(
      post(`http://127.0.0.1:${port}/respond`, { method: 'POST', body: '{}' }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('leaves a call that brings its own signal alone', async () => {
    fake = await FakeSlack.start();
    const seen: (AbortSignal | null | undefined)[] = [];
    const controller = new AbortController();
    const post = withDefaultTimeout(async (_url, init) => {
      seen.push(init?.signal);
      return new Response('ok');
    });
    await post('http://example.invalid/', { signal: controller.signal });
    await post('http://example.invalid/', {});
    expect(seen[0]).toBe(controller.signal);
    expect(seen[1]).toBeInstanceOf(AbortSignal);
  });
});
