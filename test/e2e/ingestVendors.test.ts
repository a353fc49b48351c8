import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/intake/${name}`, import.meta.url), 'utf8'));

const MAPPING = {
  profiles: { hubspot: { 'Original Source Drill-Down 2': 'campaign' } },
  fields: { 'Lead Origin': 'source' },
};

let t: TestBot;
beforeEach(async () => {
  t = await startTestBot({ env: { LEAD_MAPPING: JSON.stringify(MAPPING), TIMEZONE: 'Asia/Tokyo' } });
});
afterEach(async () => {
  await t.close();
});

const db = () => t.bot.store.db.$client;
const storedCount = () => (db().prepare('SELECT count(*) AS n FROM leads').get() as { n: number }).n;
const post = (path: string, body: unknown) =>
  fetch(`${t.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.config.ingestToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function storedLead(res: Response) {
  expect(res.status).toBe(202);
  const { results } = (await res.json()) as { results: { id: string; status: string }[] };
  expect(results[0]?.status).toBe('queued');
  const id = Number(results[0]?.id);
  const { campaign } = db()
    .prepare('SELECT c.name AS campaign FROM leads l JOIN campaigns c ON c.id = l.campaign_id WHERE l.id = ?')
    .get(id) as { campaign: string };
  return { id, row: { ...t.bot.store.leadById(id), campaign } };
}

describe('POST /leads with vendor bodies', () => {
  it('stores a HubSpot v1 contact as sent, with the mapped campaign, and posts it', async () => {
    const { id, row } = await storedLead(await t.ingest(fixture('hubspot-webhook-v1.json')));
    expect(row).toMatchObject({
      externalId: '48213',
      email: 'ana.silva@acme.io',
      name: 'Ana Silva',
      company: 'Acme Logistics',
      campaign: '2026-Q4 Freight AI',
      source: 'PAID_SEARCH',
      score: 125,
      url: 'https://app.hubspot.com/contacts/62515/contact/48213',
    });
    const [message] = await t.fake.waitForCalls('chat.postMessage', 1);
    const blocks = JSON.stringify(message?.args.blocks);
    expect(blocks).toContain('2026-Q4 Freight AI');
    expect(blocks).toContain('*Score*\\n125');
    expect(blocks).not.toContain('/ 100');
    await waitFor('the post', () => t.bot.store.leadById(id)?.postStatus === 'posted');
  });

  it('stores Zapier strings: score "72", numeric id, epoch ms; and a decimal score reads back as sent', async () => {
    const { row } = await storedLead(await t.ingest(fixture('zapier-flat.json')));
    expect(row).toMatchObject({
      externalId: '90210',
      name: 'Carla Mendes',
      score: 72,
      campaign: 'Paid search: freight software',
    });
    expect(new Date(row?.createdAt ?? 0).toISOString()).toBe('2026-11-20T14:03:00.000Z');
    const decimal = await storedLead(
      await t.ingest({
        firstname: 'Eli',
        email: 'eli@novak.cz',
        'Lead Score': '88.5',
        campaign: 'c',
        'Lead Origin': 'Fair',
      }),
    );
    expect(decimal.row).toMatchObject({ score: 88.5, source: 'Fair' });
  });

  it('reads local times in TIMEZONE and applies ?campaign= to leads that name none', async () => {
    const { row } = await storedLead(
      await post('/leads?campaign=Trade%20show', {
        'First Name': 'Dana',
        Email: 'dana@lagos.ng',
        Created: '2026-11-20 23:03',
      }),
    );
    expect(row?.campaign).toBe('Trade show');
    expect(new Date(row?.createdAt ?? 0).toISOString()).toBe('2026-11-20T14:03:00.000Z');
  });

  it('reads a body as ?profile= names it', async () => {
    const { row } = await storedLead(
      await post('/leads?profile=salesforce&campaign=Flow', {
        Id: '00Q1',
        LastName: 'Haddad',
        Email: 'f@levant.com',
      }),
    );
    expect(row).toMatchObject({ externalId: '00Q1', name: 'Haddad', campaign: 'Flow' });
  });

  it('escapes hostile text in every mapped field of a vendor body in the Slack post', async () => {
    const hostile = (field: string) => `<!channel> ${field} <@U0BOSS0001> <https://evil.example|click> &amp;`;
    const contact = {
      id: '666',
      properties: {
        firstname: hostile('first'),
        lastname: 'Last',
        email: 'x@evil.example',
        company: hostile('company'),
        jobtitle: hostile('title'),
        phone: '<!here> phone',
        country: hostile('country'),
        hs_analytics_source: hostile('source'),
        hs_analytics_source_data_2: hostile('campaign'),
        message: hostile('notes'),
        hubspotscore: '9999',
      },
    };
    const { row } = await storedLead(await t.ingest(contact));
    expect(row.notes).toBe(hostile('notes'));
    const [message] = await t.fake.waitForCalls('chat.postMessage', 1);
    // Slack parses mrkdwn objects and the fallback text; plain_text (the header) is shown as is.
    const mrkdwn: string[] = [String(message?.args.text)];
    JSON.stringify(message?.args.blocks, (_key, value) => {
      if (value?.type === 'mrkdwn' && typeof value.text === 'string') mrkdwn.push(value.text);
      return value;
    });
    const shown = mrkdwn.join('\n');
    // Notes are shown as plain_text, which Slack never parses.
    expect(JSON.stringify(message?.args.blocks)).toContain(
      '"type":"plain_text","text":"Notes: <!channel> notes',
    );
    for (const field of ['first', 'company', 'title', 'phone', 'country', 'source', 'campaign']) {
      expect(shown).toContain(field);
    }
    expect(shown).not.toMatch(/<!channel>|<!here>|<@U0BOSS0001>|<https:\/\/evil/);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(t.fake.specViolations()).toEqual([]);
  });

  it('refuses a HubSpot contact with no campaign, naming the real problem, and stores nothing', async () => {
    const contact = fixture('hubspot-webhook-v3.json');
    const properties = {
      ...(contact.properties as Record<string, unknown>),
      utm_campaign: '',
      hs_analytics_source_data_2: null,
    };
    const res = await t.ingest({ ...contact, properties });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: string;
      profile: string;
      issues: { index: number; path: string; message: string }[];
    };
    expect(body.error).toBe('invalid_lead');
    expect(body.profile).toBe('hubspot');
    expect(body.issues).toEqual([
      {
        index: 0,
        path: 'campaign',
        message: expect.stringMatching(/looks like a HubSpot contact.*\?campaign=NAME/),
      },
    ]);
    expect(storedCount()).toBe(0);
  });

  it('gives each issue of a vendor batch its index, and stores nothing', async () => {
    const res = await t.ingest([fixture('zapier-flat.json'), { firstname: 'No campaign' }]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: { index: number; path: string }[] };
    expect(body.issues.map((i) => [i.index, i.path])).toEqual([[1, 'campaign']]);
    expect(storedCount()).toBe(0);
  });

  it('answers an unknown ?profile= with the names it knows, and a too-long ?campaign=', async () => {
    const res = await post('/leads?profile=hubspott', fixture('zapier-flat.json'));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_query',
      message: expect.stringContaining(
        'Unknown profile "hubspott": use one of native, hubspot, salesforce, marketo, pipedrive, flat',
      ),
    });
    const long = await post(`/leads?campaign=${'x'.repeat(201)}`, { name: 'Ana' });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { message: string }).message).toMatch(/over 200 characters/);
    expect(storedCount()).toBe(0);
  });
});
