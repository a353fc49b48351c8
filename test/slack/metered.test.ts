import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { meteredFetch } from '../../src/slack/metered.js';

const API = 'http://127.0.0.1:9/api/';

function setup(answer: (url: string) => Promise<Response>) {
  const metrics = createMetrics(
    { queue: () => ({ depth: 0, oldestAgeSeconds: 0 }), posting: () => ({ status: 'ok' }) },
    { processMetrics: false },
  );
  const fetch = meteredFetch(metrics, API, ((url: string | URL) =>
    answer(String(url))) as typeof globalThis.fetch);
  const errors = async () =>
    (await metrics.slackApiErrors.get()).values.map((v) => ({ ...v.labels, value: v.value }));
  return { metrics, fetch, errors };
}

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' }, ...init });

describe('meteredFetch', () => {
  it('counts a refused call by method and Slack code, and hands the body on unread', async () => {
    const { fetch, errors } = setup(async () => json({ ok: false, error: 'not_in_channel' }));
    const response = await fetch(`${API}chat.postMessage`, { method: 'POST' });
    expect(await response.json()).toEqual({ ok: false, error: 'not_in_channel' });
    expect(await errors()).toEqual([{ method: 'chat.postMessage', code: 'not_in_channel', value: 1 }]);
  });

  it('counts nothing for a successful call or for file upload URLs outside the Web API', async () => {
    const { fetch, errors } = setup(async (url) =>
      url.startsWith(API) ? json({ ok: true }) : new Response('nope', { status: 500 }),
    );
    await fetch(`${API}auth.test`);
    await fetch('http://127.0.0.1:9/upload/v1/abc');
    expect(await errors()).toEqual([]);
  });

  it('counts HTTP errors, timeouts and network failures with codes of their own', async () => {
    const failures: (() => Promise<Response>)[] = [
      async () => new Response('busy', { status: 503 }),
      async () => {
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      },
      async () => {
        throw new TypeError('fetch failed');
      },
    ];
    const { fetch, errors } = setup(() => (failures.shift() as () => Promise<Response>)());
    await fetch(`${API}conversations.history`);
    await expect(fetch(`${API}conversations.history`)).rejects.toThrow(/timeout/);
    await expect(fetch(`${API}conversations.history`)).rejects.toThrow('fetch failed');
    expect(await errors()).toEqual([
      { method: 'conversations.history', code: 'http_503', value: 1 },
      { method: 'conversations.history', code: 'timeout', value: 1 },
      { method: 'conversations.history', code: 'network_error', value: 1 },
    ]);
  });

  it('counts a 429 and the seconds Slack asked to wait, not as an error', async () => {
    const { fetch, errors, metrics } = setup(
      async () => new Response('', { status: 429, headers: { 'retry-after': '7' } }),
    );
    await fetch(`${API}chat.update`);
    await fetch(`${API}chat.update`);
    expect((await metrics.slackRateLimited.get()).values).toEqual([
      expect.objectContaining({ labels: { method: 'chat.update' }, value: 2 }),
    ]);
    expect((await metrics.slackRateLimitWait.get()).values).toEqual([
      expect.objectContaining({ labels: { method: 'chat.update' }, value: 14 }),
    ]);
    expect(await errors()).toEqual([]);
  });
});
