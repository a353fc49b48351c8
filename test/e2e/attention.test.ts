import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lead, startTestBot, type TestBot } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * Nothing lost silently: a vendor body that cannot be stored as a lead is kept, answered 202
 * needs_attention, and announced in Slack at most once an hour; the native shape keeps its 400.
 */

const ATTENTION_CHANNEL = 'C0ATTN0001';

/**
 * A contact as HubSpot's workflow "Send a webhook" action posts it (v1 contact object: the
 * properties nested, each value under "value"), with a custom campaign property that no mapping
 * names yet. Written after HubSpot's documented contact JSON.
 */
const HUBSPOT_TEXT = readFileSync(
  new URL('../fixtures/intake/hubspot-v1-contact-custom-campaign.json', import.meta.url),
  'utf8',
);
const HUBSPOT_CONTACT: unknown = JSON.parse(HUBSPOT_TEXT);

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot({ env: { ATTENTION_CHANNEL_ID: ATTENTION_CHANNEL } });
});
afterEach(async () => {
  await t.close();
});

const count = (table: 'leads' | 'needs_attention') =>
  (t.bot.store.db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const attentionRows = () =>
  t.bot.store.db.$client.prepare('SELECT * FROM needs_attention ORDER BY id').all() as Record<
    string,
    unknown
  >[];
const notices = () => t.fake.messages(ATTENTION_CHANNEL);

interface Slot {
  id?: string;
  status: string;
  attentionId?: string;
  reason?: string;
  issues?: unknown[];
}

describe('POST /leads: needs attention', () => {
  it('keeps a HubSpot contact without a campaign as needs attention, raw, and announces it once', async () => {
    const res = await t.ingest(HUBSPOT_TEXT);
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: Slot[] };
    expect(results).toEqual([
      {
        status: 'needs_attention',
        attentionId: expect.stringMatching(/^\d+$/),
        reason: expect.stringContaining('looks like a HubSpot contact'),
        issues: [expect.objectContaining({ path: 'campaign' })],
      },
    ]);
    expect(count('leads')).toBe(0);
    const [row] = attentionRows();
    expect(row).toMatchObject({
      id: Number(results[0]?.attentionId),
      state: 'open',
      profile: 'hubspot',
      profile_param: null,
      raw: HUBSPOT_TEXT,
      who: 'Ana Silva <ana.silva@acme.io>',
      item_index: 0,
      item_count: 1,
    });

    await waitFor('the notice', () => notices().length === 1);
    expect(notices()[0]?.text).toMatch(/^1 lead from your marketing tools needs attention: /);
    expect(JSON.stringify(notices()[0]?.blocks)).toContain('leadloop attention list');
    expect(t.fake.messages(t.config.leadsChannelId)).toEqual([]);

    // A second one within the hour waits for the next hour.
    await t.ingest(HUBSPOT_CONTACT);
    await waitFor('the announcer to put the second off', () =>
      t.logs.messages().some((m) => /^Attention notice: 1 new, next notice in \d+ s$/.test(m)),
    );
    // A restart within the hour does not repeat the notice either.
    const before = t.logs.lines.length;
    await t.restart();
    await waitFor('the restarted announcer to put it off', () =>
      t.logs.lines.slice(before).some((l) => /^Attention notice: 1 new, next notice in/.test(l.msg)),
    );
    expect(notices()).toHaveLength(1);
    expect(count('needs_attention')).toBe(2);
  });

  it('stores the leads of a vendor batch and keeps only the items that cannot be leads', async () => {
    const zapier = [
      { firstname: 'Bo', lastname: 'Li', email: 'bo@acme.io', campaign: 'Zap webinar', score: '72' },
      { firstname: '', phone: '+1 555 0100', campaign: 'Zap webinar', score: '7' },
    ];
    const res = await t.ingest(zapier);
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: Slot[] };
    expect(results[0]).toEqual({ id: expect.any(String), status: 'queued' });
    expect(results[1]).toMatchObject({ status: 'needs_attention', reason: expect.stringContaining('email') });
    await t.fake.waitForCalls('chat.postMessage', 2);
    expect(count('leads')).toBe(1);
    expect(attentionRows()).toEqual([
      expect.objectContaining({
        profile: 'flat',
        item_index: 1,
        item_count: 2,
        raw: JSON.stringify(zapier[1]),
        who: null,
      }),
    ]);
    expect(t.fake.messages(t.config.leadsChannelId)).toHaveLength(1);
  });

  it('keeps the all-or-nothing 400 for the native shape and stores nothing at all', async () => {
    const res = await t.ingest([lead(), { name: 'No Campaign' }]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_lead');
    expect(count('leads')).toBe(0);
    expect(count('needs_attention')).toBe(0);
  });

  it('refuses an unknown ?profile= with a 400 that lists the profiles, storing nothing', async () => {
    const res = await fetch(`${t.baseUrl}/leads?profile=hubspt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.config.ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(HUBSPOT_CONTACT),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_query',
      message: expect.stringContaining('Unknown profile "hubspt": use one of native, hubspot'),
    });
    expect(count('needs_attention')).toBe(0);
  });

  it('attention retry, once the mapping names the campaign, stores the lead and the bot posts it once', async () => {
    const res = await t.ingest(HUBSPOT_TEXT);
    const id = ((await res.json()) as { results: Slot[] }).results[0]?.attentionId as string;
    const cli = (env: Record<string, string> = {}) =>
      runLeadloop(
        ['attention', 'retry', id],
        { DATABASE_PATH: t.databasePath, ...env },
        dirname(t.databasePath),
      );

    const unmapped = await cli();
    expect(unmapped).toMatchObject({ code: 1, stderr: '' });
    expect(unmapped.stdout).toContain(`Item ${id}: still cannot be stored, kept open: campaign: is required`);
    expect(attentionRows()[0]).toMatchObject({ state: 'open', retry_count: 1 });

    const mapping = JSON.stringify({ profiles: { hubspot: { utm_campaign_custom: 'campaign' } } });
    const mapped = await cli({ LEAD_MAPPING: mapping });
    expect(mapped).toMatchObject({ code: 0, stderr: '' });
    const leadId = Number(/stored as lead (\d+)\./.exec(mapped.stdout)?.[1]);
    expect(attentionRows()[0]).toMatchObject({ state: 'retried', lead_id: leadId });
    const row = await waitFor('the retried lead to be posted', () => {
      const r = t.bot.store.leadById(leadId);
      return r?.postStatus === 'posted' && r;
    });
    const posts = t.fake.messages(t.config.leadsChannelId);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.ts).toBe(row.postTs);
    expect(JSON.stringify(posts[0]?.blocks)).toContain('Spring webinar');

    const again = await cli({ LEAD_MAPPING: mapping });
    expect(again).toMatchObject({ code: 0, stdout: `Item ${id}: already retried → lead ${leadId}.\n` });
    expect(count('leads')).toBe(1);
  });

  it('escapes what a vendor sent when a reason quotes it in the Slack notice', async () => {
    const hostile = '<!channel> <@U0BOSS0001> <https://evil.example|click>';
    const res = await t.ingest({ meta: { entity: hostile, action: 'added' }, data: { id: 7, name: 'Ana' } });
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: Slot[] };
    expect(results[0]).toMatchObject({ status: 'needs_attention', reason: expect.stringContaining(hostile) });
    await waitFor('the notice', () => notices().length === 1);
    const shown = JSON.stringify(notices()[0]?.blocks) + (notices()[0]?.text ?? '');
    expect(shown).toContain('&lt;!channel&gt; &lt;@U0BOSS0001&gt; &lt;https://evil.example|click&gt;');
    expect(shown).not.toMatch(/<!channel>|<@U0BOSS0001>|<https:\/\/evil/);
  });
});
