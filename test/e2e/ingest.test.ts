import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lead, startTestBot, type TestBot } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot();
});
afterEach(async () => {
  await t.close();
});

const storedCount = () =>
  (t.bot.store.db.$client.prepare('SELECT count(*) AS n FROM leads').get() as { n: number }).n;

describe('POST /leads', () => {
  it('stores one lead, answers 202 with its id, and posts it to the leads channel', async () => {
    const res = await t.ingest(lead({ externalId: 'hs-1' }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { results: { id: string; status: string }[] };
    expect(body.results).toEqual([{ id: expect.any(String), status: 'queued' }]);

    const [post] = await t.fake.waitForCalls('chat.postMessage', 1);
    expect(post?.args.channel).toBe(t.config.leadsChannelId);
    expect(post?.args.unfurl_links).toBe('false');
    expect(post?.args.unfurl_media).toBe('false');
    expect(JSON.stringify(post?.args.blocks)).toContain('Acme Logistics');
    const row = await waitFor('the post to be recorded', () => {
      const r = t.bot.store.leadById(Number(body.results[0]?.id));
      return r?.postStatus === 'posted' && r;
    });
    expect(row?.postTs).toBe((post!.response as { ts: string }).ts);
    expect(t.fake.specViolations()).toEqual([]);
  });

  it('stores a batch in order and posts each lead once', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => lead({ externalId: `hs-${i}`, name: `Lead ${i}` }));
    const res = await t.ingest(batch);
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: { id: string; status: string }[] };
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('queued'));
    expect(new Set(results.map((r) => r.id)).size).toBe(5);
    const posts = await t.fake.waitForCalls('chat.postMessage', 5);
    expect(
      posts.map((p) => (p.args.metadata as { event_payload: { lead_id: string } }).event_payload.lead_id),
    ).toEqual(results.map((r) => r.id));
  });

  it('answers a known externalId with the existing id as a duplicate, and does not post twice', async () => {
    const first = (await (await t.ingest(lead({ externalId: 'hs-48213' }))).json()) as {
      results: { id: string }[];
    };
    await t.fake.waitForCalls('chat.postMessage', 1);
    const again = await t.ingest([
      lead({ externalId: 'hs-48213' }),
      lead({ externalId: 'hs-new' }),
      lead({ externalId: 'hs-new' }),
    ]);
    expect(again.status).toBe(202);
    const body = (await again.json()) as { results: { id: string; status: string }[] };
    expect(body.results[0]).toEqual({ id: first.results[0]?.id, status: 'duplicate' });
    expect(body.results[1]?.status).toBe('queued');
    expect(body.results[2]).toEqual({ id: body.results[1]?.id, status: 'duplicate' });
    await t.fake.waitForCalls('chat.postMessage', 2);
    expect(storedCount()).toBe(2);
  });

  it('commits concurrent requests together, each answered with its own results', async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.ingest(lead({ externalId: i % 10 === 0 ? 'same-everywhere' : `c-${i}`, name: `Lead ${i}` })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(40).fill(202));
    const results = await Promise.all(
      responses.map(
        async (r) => ((await r.json()) as { results: { id: string; status: string }[] }).results[0]!,
      ),
    );
    const same = results.filter((_, i) => i % 10 === 0);
    expect(same.filter((r) => r.status === 'queued')).toHaveLength(1);
    expect(new Set(same.map((r) => r.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(37);
    expect(storedCount()).toBe(37);
  });

  it('refuses a batch with any invalid lead, listing every issue, and stores nothing', async () => {
    const res = await t.ingest([
      lead(),
      { name: 'No Campaign' },
      lead({ email: 'not-an-email', score: 'high', url: 'javascript:alert(1)' }),
      lead({ email: undefined, name: undefined }),
    ]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: string;
      issues: { index: number; path: string; message: string }[];
    };
    expect(body.error).toBe('invalid_lead');
    expect(body.issues).toEqual(
      expect.arrayContaining([
        { index: 1, path: 'campaign', message: expect.stringContaining('required') },
        { index: 2, path: 'email', message: expect.stringContaining('email address') },
        { index: 2, path: 'score', message: expect.stringContaining('must be a number') },
        { index: 2, path: 'url', message: expect.stringContaining('http(s)') },
        { index: 3, path: 'email', message: 'email or name is required' },
      ]),
    );
    expect(storedCount()).toBe(0);
  });

  it('ignores unknown fields and caps text lengths', async () => {
    const ok = await t.ingest(lead({ favouriteColour: 'blue' }));
    expect(ok.status).toBe(202);
    const tooLong = await t.ingest(lead({ notes: 'x'.repeat(3001) }));
    expect(tooLong.status).toBe(400);
    const { issues } = (await tooLong.json()) as { issues: { path: string }[] };
    expect(issues[0]?.path).toBe('notes');
  });

  it('refuses bad JSON, empty and oversized batches', async () => {
    expect((await t.ingest('{"name": ')).status).toBe(400);
    const empty = await t.ingest([]);
    expect(empty.status).toBe(400);
    const big = await t.ingest(Array.from({ length: 1001 }, () => ({ name: 'x', campaign: 'c' })));
    expect(big.status).toBe(400);
    expect(((await big.json()) as { issues: { message: string }[] }).issues[0]?.message).toContain(
      '1 to 1000',
    );
    expect(storedCount()).toBe(0);
  });

  it('answers 401 without the right token, and stores nothing', async () => {
    expect((await t.ingest(lead(), { authorization: '' })).status).toBe(401);
    expect((await t.ingest(lead(), { authorization: 'Bearer wrong-token-wrong-token-wrong' })).status).toBe(
      401,
    );
    expect((await t.ingest(lead(), { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
    expect(storedCount()).toBe(0);
  });

  it('answers 415 when the body is not JSON', async () => {
    const res = await t.ingest('name=Ana', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(storedCount()).toBe(0);
  });

  it('answers 413 over 1 MiB without reading the rest', async () => {
    const huge = JSON.stringify([lead({ notes: 'x'.repeat(1024 * 1024) })]);
    const res = await t.ingest(huge);
    expect(res.status).toBe(413);
    expect(storedCount()).toBe(0);
  });

  it('answers 405 for other methods', async () => {
    const res = await fetch(`${t.baseUrl}/leads`, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('reports health with the queue depth', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: 'ok', queue: 0 });
  });

  it('answers 503 from /healthz when the database cannot be read', async () => {
    t.bot.store.db.$client.exec('ALTER TABLE leads RENAME TO leads_gone');
    const res = await fetch(`${t.baseUrl}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, db: 'error' });
    t.bot.store.db.$client.exec('ALTER TABLE leads_gone RENAME TO leads');
  });
});

describe('POST /leads without INGEST_TOKEN', () => {
  it('is turned off, and says how to turn it on', async () => {
    const off = await startTestBot({ env: { INGEST_TOKEN: '' } });
    try {
      const res = await off.ingest(lead());
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toContain('INGEST_TOKEN');
    } finally {
      await off.close();
    }
  });
});
