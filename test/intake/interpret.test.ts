import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_MAPPING,
  type IntakeOptions,
  type Interpretation,
  interpretBody,
  type LeadMapping,
  type VendorItem,
} from '../../src/intake/index.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/intake/${name}`, import.meta.url), 'utf8'));

const options = (patch: Partial<IntakeOptions> = {}): IntakeOptions => ({
  mapping: EMPTY_MAPPING,
  timezone: 'Europe/Berlin',
  ...patch,
});
const mapping = (patch: Partial<LeadMapping>): LeadMapping => ({ ...EMPTY_MAPPING, ...patch });

function vendor(result: Interpretation): { profile: string; items: VendorItem[] } {
  expect(result.kind).toBe('vendor');
  if (result.kind !== 'vendor') throw new Error('not a vendor body');
  return result;
}
function leadOf(item: VendorItem | undefined) {
  expect(item?.ok ? undefined : item?.reason).toBeUndefined();
  if (!item?.ok) throw new Error('not a lead');
  return item.lead;
}
const NOV_20_1403_UTC = new Date('2026-11-20T14:03:00Z');

describe('interpretBody: HubSpot', () => {
  it('reads a workflow webhook v1 body (properties as {"value": …}), with ?campaign=', () => {
    const body = fixture('hubspot-webhook-v1.json');
    const result = vendor(interpretBody(body, options({ campaign: 'Webinar from the URL' })));
    expect(result.profile).toBe('hubspot');
    expect(leadOf(result.items[0])).toEqual({
      externalId: '48213',
      email: 'ana.silva@acme.io',
      name: 'Ana Silva',
      company: 'Acme Logistics',
      title: 'VP Operations',
      phone: '+1 555 0100',
      country: 'United States',
      campaign: 'Webinar from the URL',
      source: 'PAID_SEARCH',
      score: 125,
      url: 'https://app.hubspot.com/contacts/62515/contact/48213',
      createdAt: NOV_20_1403_UTC,
    });
    expect(result.items[0]?.raw).toBe(body);
  });

  it('reads a v3 object body (flat strings), its utm_campaign, and an internationalised email', () => {
    const result = vendor(interpretBody(fixture('hubspot-webhook-v3.json'), options()));
    expect(leadOf(result.items[0])).toMatchObject({
      externalId: '48214',
      email: 'bruno.costa@bücher.de',
      name: 'Bruno Costa',
      company: 'Bücher & Co',
      campaign: '2026-Q4 Webinar: Freight AI',
      source: 'ORGANIC_SEARCH',
      score: 40,
      createdAt: NOV_20_1403_UTC,
    });
  });

  it('says what a contact without a campaign looks like and how to fix it, and keeps the raw body', () => {
    const body = fixture('hubspot-webhook-v1.json');
    const [item] = vendor(interpretBody(body, options())).items;
    expect(item?.ok).toBe(false);
    if (item?.ok !== false) return;
    expect(item.raw).toBe(body);
    expect(item.issues).toEqual([{ index: 0, path: 'campaign', message: expect.any(String) }]);
    expect(item.reason).toMatch(/looks like a HubSpot contact, which names no campaign; add \?campaign=NAME/);
    expect(item.reason).toContain('LEAD_MAPPING');
  });

  it('uses the admin mapping, by export label or internal name, over its own names', () => {
    const byLabel = mapping({
      profiles: {
        hubspot: { 'Original Source Drill-Down 2': 'campaign', 'Original Source Drill-Down 1': 'source' },
      },
    });
    const lead = leadOf(
      vendor(interpretBody(fixture('hubspot-webhook-v1.json'), options({ mapping: byLabel }))).items[0],
    );
    expect(lead).toMatchObject({ campaign: '2026-Q4 Freight AI', source: 'google' });
    const byName = mapping({ fields: { hs_analytics_source_data_2: 'campaign' } });
    expect(
      leadOf(
        vendor(interpretBody(fixture('hubspot-webhook-v1.json'), options({ mapping: byName }))).items[0],
      ),
    ).toMatchObject({
      campaign: '2026-Q4 Freight AI',
    });
  });

  it('takes the mapping default campaign and source, below the request campaign', () => {
    const defaults = mapping({ defaults: { campaign: 'Inbound', source: 'web' } });
    const v1 = fixture('hubspot-webhook-v1.json');
    expect(leadOf(vendor(interpretBody(v1, options({ mapping: defaults }))).items[0])).toMatchObject({
      campaign: 'Inbound',
      source: 'PAID_SEARCH',
    });
    expect(
      leadOf(vendor(interpretBody(v1, options({ mapping: defaults, campaign: 'From URL' }))).items[0])
        .campaign,
    ).toBe('From URL');
  });
});

describe('interpretBody: Salesforce, Pipedrive, Marketo', () => {
  it('reads a Flow HTTP callout body with API names, a +0000 time and a nested Campaign.Name', () => {
    const result = vendor(interpretBody(fixture('salesforce-flow-lead.json'), options()));
    expect(result.profile).toBe('salesforce');
    expect(leadOf(result.items[0])).toEqual({
      externalId: '00Q5g00000AbCdEEAZ',
      email: 'farah.haddad@levant-cargo.com',
      name: 'Farah Haddad',
      company: 'Levant Cargo',
      title: 'Logistics Director',
      phone: '+961 1 555 010',
      country: 'Lebanon',
      campaign: '2026-Q4 Webinar: Freight AI',
      source: 'Web',
      createdAt: NOV_20_1403_UTC,
    });
  });

  it('reads a Pipedrive v2 person webhook: the primary email, UTC times', () => {
    const result = vendor(
      interpretBody(fixture('pipedrive-webhook-v2-person.json'), options({ campaign: 'Referral' })),
    );
    expect(result.profile).toBe('pipedrive');
    expect(leadOf(result.items[0])).toEqual({
      externalId: '305',
      email: 'goran.petrov@balkan-log.rs',
      name: 'Goran Petrov',
      phone: '+381 11 555 0100',
      campaign: 'Referral',
      createdAt: NOV_20_1403_UTC,
    });
  });

  it('reads a Pipedrive v1 person webhook, whose times without an offset are UTC (Pipedrive documents its API in UTC)', () => {
    const result = vendor(
      interpretBody(fixture('pipedrive-webhook-v1-person.json'), options({ campaign: 'Referral' })),
    );
    expect(leadOf(result.items[0])).toMatchObject({
      externalId: '306',
      email: 'hana.sato@kanto-express.jp',
      company: 'Kanto Express',
      createdAt: NOV_20_1403_UTC,
    });
  });

  it('refuses a Pipedrive deal event, saying which event to send', () => {
    const deal = {
      meta: { action: 'create', entity: 'deal' },
      data: { id: 1, title: 'test deal' },
      previous: null,
    };
    const [item] = vendor(interpretBody(deal, options({ campaign: 'x' }))).items;
    expect(item?.ok === false && item.reason).toMatch(/Pipedrive deal event; .*person/);
  });

  it('reads a Marketo REST lead: leadScore of any range, acquisition program as campaign', () => {
    const result = vendor(interpretBody(fixture('marketo-rest-lead.json'), options()));
    expect(result.profile).toBe('marketo');
    expect(leadOf(result.items[0])).toMatchObject({
      externalId: '318581',
      name: 'Ivan Horvat',
      campaign: '2026-Q4 Webinar: Freight AI',
      source: 'Website',
      score: 310,
      createdAt: NOV_20_1403_UTC,
    });
  });
});

describe('interpretBody: flat bodies (Zapier, Make, n8n)', () => {
  it('reads Zapier strings: "score":"72", a numeric id, epoch milliseconds, firstname/lastname', () => {
    const result = vendor(interpretBody(fixture('zapier-flat.json'), options()));
    expect(result.profile).toBe('flat');
    expect(leadOf(result.items[0])).toEqual({
      externalId: '90210',
      email: 'carla@mendes-transportes.pt',
      name: 'Carla Mendes',
      company: 'Mendes Transportes',
      title: 'COO',
      campaign: 'Paid search: freight software',
      source: 'google',
      score: 72,
      createdAt: NOV_20_1403_UTC,
    });
  });

  it('reads a Make/n8n batch with labels as keys: local times in TIMEZONE, epoch seconds, decimal scores', () => {
    const result = vendor(interpretBody(fixture('make-n8n-flat.json'), options()));
    const [dana, eli] = result.items.map(leadOf);
    expect(dana).toMatchObject({
      externalId: 'rec-7781',
      name: 'Dana Okafor',
      email: 'dana.okafor@lagos-freight.ng',
      company: 'Lagos Freight',
      score: 1250,
      // 14:03 in Berlin (UTC+1 in November) is 13:03 UTC.
      createdAt: new Date('2026-11-20T13:03:00Z'),
    });
    expect(eli).toMatchObject({ score: 88.5, createdAt: NOV_20_1403_UTC });
  });

  it('maps a custom property named in the mapping for every profile', () => {
    const body = { 'E-mail': 'ana@acme.io', 'UTM Campaign': 'Spring webinar', 'Lead Origin': 'Partner' };
    const result = vendor(
      interpretBody(
        body,
        options({ mapping: mapping({ fields: { 'UTM Campaign': 'campaign', 'lead origin': 'source' } }) }),
      ),
    );
    expect(leadOf(result.items[0])).toEqual({
      email: 'ana@acme.io',
      campaign: 'Spring webinar',
      source: 'Partner',
    });
  });

  it('names the real problem of a flat lead that cannot be one', () => {
    const [item] = vendor(interpretBody({ firstname: 'Ana', score: '72' }, options())).items;
    expect(item?.ok).toBe(false);
    if (item?.ok !== false) return;
    expect(item.issues.map((i) => i.path)).toEqual(['campaign']);
    expect(item.reason).toMatch(
      /campaign: is required: .*send a "campaign" field, add \?campaign=NAME to the URL, or map/,
    );
    const [noName] = vendor(interpretBody({ firstname: ' ', score: '72', campaign: 'c' }, options())).items;
    expect(noName?.ok === false && noName.reason).toMatch(/email or name is required/);
    const [badDate] = vendor(
      interpretBody({ firstname: 'Ana', campaign: 'c', created: 'last tuesday' }, options()),
    ).items;
    expect(badDate?.ok === false && badDate.reason).toMatch(
      /createdAt: cannot be read as a date \("last tuesday"\)/,
    );
  });

  it('says a nested object it does not recognise is not a lead, and how to send one', () => {
    const [item] = vendor(
      interpretBody({ contact: { mail: 'ana@acme.io' }, event: 'signup' }, options()),
    ).items;
    expect(item?.ok === false && item.reason).toMatch(
      /looks like a nested object \(fields under "contact"\).*\?profile=hubspot/,
    );
  });
});

describe('interpretBody: the native JSON', () => {
  it('keeps today’s shape native, all or nothing, with today’s messages', () => {
    const result = interpretBody([{ name: 'Ana', campaign: 'c', score: 72 }, { name: 'Bo' }], options());
    expect(result).toEqual({
      kind: 'native',
      parse: {
        ok: false,
        issues: [{ index: 1, path: 'campaign', message: expect.stringContaining('is required') }],
      },
    });
    expect(interpretBody({ name: 'Ana', campaign: 'c', score: 'high' }, options()).kind).toBe('native');
    expect(interpretBody({ name: 'Ana', campaign: 'c', unknownField: { a: 1 } }, options()).kind).toBe(
      'native',
    );
  });

  it('applies ?campaign= and the mapping defaults to native leads that name no campaign', () => {
    const result = interpretBody({ name: 'Ana' }, options({ campaign: 'From URL' }));
    expect(result).toEqual({
      kind: 'native',
      parse: { ok: true, leads: [{ name: 'Ana', campaign: 'From URL' }] },
    });
  });

  it('reads a body as the profile named, native included', () => {
    expect(interpretBody(fixture('zapier-flat.json'), options({ profile: 'native' })).kind).toBe('native');
    const named = vendor(
      interpretBody({ Email: 'ana@acme.io', campaign: 'c' }, options({ profile: 'salesforce' })),
    );
    expect(named.profile).toBe('salesforce');
    expect(leadOf(named.items[0])).toEqual({ email: 'ana@acme.io', campaign: 'c' });
    const [contact] = vendor(
      interpretBody(fixture('hubspot-webhook-v3.json'), options({ profile: 'hubspot' })),
    ).items;
    expect(contact?.ok).toBe(true);
  });

  it('refuses batches over 1000 leads as today', () => {
    const result = interpretBody(Array(1001).fill({ firstname: 'a' }), options());
    expect(result.kind === 'native' && !result.parse.ok && result.parse.issues[0]?.message).toMatch(
      /1 to 1000/,
    );
  });
});
