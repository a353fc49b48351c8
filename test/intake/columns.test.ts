import { describe, expect, it } from 'vitest';
import { EMPTY_MAPPING, type IntakeOptions, planColumns, rowToLead } from '../../src/intake/index.js';

const options: IntakeOptions = { mapping: EMPTY_MAPPING, timezone: 'America/New_York' };

/** Headers and one row → the plan and the row's result. */
function read(headers: string[], cells: string[], opts: IntakeOptions = options) {
  const plan = planColumns(headers, {
    mapping: opts.mapping,
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  const record = Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
  return { plan, result: rowToLead(record, plan, opts) };
}

describe('planColumns + rowToLead', () => {
  it('HubSpot contacts export: labels, HubSpot Score of any range, Lead Status as the outcome', () => {
    const headers = [
      'Record ID',
      'First Name',
      'Last Name',
      'Email',
      'Company Name',
      'Job Title',
      'Lead Status',
      'Original Source',
      'Original Source Drill-Down 2',
      'HubSpot Score',
      'Create Date',
      'Contact owner',
    ];
    const { plan, result } = read(
      headers,
      [
        '48213',
        'Ana',
        'Silva',
        'ana@acme.io',
        'Acme',
        'VP Ops',
        'Unqualified',
        'Paid Search',
        'freight-ai-q4',
        '245',
        '2026-11-20 09:03',
        'Bob',
      ],
      {
        ...options,
        campaign: 'Q4 import',
      },
    );
    expect(plan.profile).toBe('hubspot');
    expect(plan.ignored).toEqual(['Original Source Drill-Down 2', 'Contact owner']);
    expect(result).toEqual({
      ok: true,
      lead: {
        externalId: '48213',
        name: 'Ana Silva',
        email: 'ana@acme.io',
        company: 'Acme',
        title: 'VP Ops',
        source: 'Paid Search',
        score: 245,
        campaign: 'Q4 import',
        createdAt: new Date('2026-11-20T14:03:00Z'),
      },
      outcome: { status: 'Unqualified' },
    });
  });

  it('recognises a Data Loader extract by its API names in capitals, not a spreadsheet in capitals', () => {
    const plan = (headers: string[]) => planColumns(headers, { mapping: EMPTY_MAPPING }).profile;
    expect(plan(['ID', 'FIRSTNAME', 'LASTNAME', 'EMAIL', 'LEADSOURCE', 'CREATEDDATE'])).toBe('salesforce');
    expect(plan(['EMAIL', 'NAME', 'COMPANY', 'CAMPAIGN', 'SCORE'])).not.toBe('salesforce');
  });

  it('Salesforce Data Loader extract: API names and a +0000 time', () => {
    const headers = [
      'Id',
      'FirstName',
      'LastName',
      'Email',
      'Company',
      'Title',
      'LeadSource',
      'Status',
      'Rating',
      'CreatedDate',
    ];
    const { plan, result } = read(
      headers,
      [
        '00Q1',
        'Farah',
        'Haddad',
        'f@levant.com',
        'Levant',
        'Dir',
        'Web',
        'Working - Contacted',
        'Hot',
        '2026-11-20T14:03:00.000+0000',
      ],
      { ...options, campaign: 'c' },
    );
    expect(plan.profile).toBe('salesforce');
    expect(plan.ignored).toEqual(['Rating']);
    expect(result).toMatchObject({
      ok: true,
      lead: { externalId: '00Q1', source: 'Web', createdAt: new Date('2026-11-20T14:03:00Z') },
      outcome: { status: 'Working - Contacted' },
    });
  });

  it('Salesforce CampaignMember extract: the lead id over the member id, relationship columns', () => {
    const headers = [
      'Id',
      'LeadId',
      'Lead.Email',
      'Lead.FirstName',
      'Lead.LastName',
      'Campaign.Name',
      'Status',
    ];
    const { plan, result } = read(headers, [
      '00v9',
      '00Q1',
      'ana@acme.io',
      'Ana',
      'Silva',
      'Spring webinar',
      'Responded',
    ]);
    expect(plan.profile).toBe('salesforce');
    expect(result).toMatchObject({
      ok: true,
      lead: { externalId: '00Q1', email: 'ana@acme.io', name: 'Ana Silva', campaign: 'Spring webinar' },
    });
    const upper = read(['LEAD.EMAIL', 'CAMPAIGN.NAME'], ['ana@acme.io', 'Spring webinar']);
    expect(upper.result).toEqual({ ok: true, lead: { email: 'ana@acme.io', campaign: 'Spring webinar' } });
  });

  it('Salesforce Lead report: labels, Company / Account, US dates in the user’s zone, Unqualified Reason', () => {
    const headers = [
      'Lead Owner',
      'First Name',
      'Last Name',
      'Title',
      'Company / Account',
      'Email',
      'Lead Source',
      'Lead Status',
      'Unqualified Reason',
      'Campaign Name',
      'Create Date',
    ];
    const { plan, result } = read(headers, [
      'Bob',
      'Ana',
      'Silva',
      'VP',
      'Acme',
      'ana@acme.io',
      'Webinar',
      'Unqualified',
      'No Budget',
      'Spring webinar',
      '11/20/2026',
    ]);
    expect(plan.profile).toBe('salesforce');
    expect(result).toMatchObject({
      ok: true,
      lead: {
        company: 'Acme',
        campaign: 'Spring webinar',
        source: 'Webinar',
        createdAt: new Date('2026-11-20T05:00:00Z'),
      },
      outcome: { status: 'Unqualified', reason: 'No Budget' },
    });
  });

  it('Marketo smart list export: Acquisition Program as the campaign, Lead Score of any range', () => {
    const headers = [
      'Id',
      'First Name',
      'Last Name',
      'Email Address',
      'Company Name',
      'Job Title',
      'Lead Score',
      'Lead Source',
      'Acquisition Program',
      'Created At',
    ];
    const { plan, result } = read(headers, [
      '318581',
      'Ivan',
      'Horvat',
      'ivan@adriatic.hr',
      'Adriatic',
      'Buyer',
      '310',
      'Website',
      'Webinar Q4',
      'Nov 20, 2026 9:03 AM',
    ]);
    expect(plan.profile).toBe('marketo');
    expect(result).toEqual({
      ok: true,
      lead: {
        externalId: '318581',
        name: 'Ivan Horvat',
        email: 'ivan@adriatic.hr',
        company: 'Adriatic',
        title: 'Buyer',
        score: 310,
        source: 'Website',
        campaign: 'Webinar Q4',
        createdAt: new Date('2026-11-20T14:03:00Z'),
      },
    });
  });

  it('Pipedrive export: "Object - Field" headers', () => {
    const headers = [
      'Lead - Title',
      'Lead - Source',
      'Person - Name',
      'Person - Email - Work',
      'Person - Phone - Work',
      'Organization - Name',
      'Lead - Lead created',
      'Deal - Value',
    ];
    const { plan, result } = read(
      headers,
      [
        'Kanto deal',
        'Web forms',
        'Hana Sato',
        'hana@kanto.jp',
        '+81 3',
        'Kanto Express',
        '2026-11-20 09:03:00',
        '5000',
      ],
      { ...options, campaign: 'c' },
    );
    expect(plan.profile).toBe('pipedrive');
    expect(plan.ignored).toEqual(['Deal - Value']);
    expect(result).toEqual({
      ok: true,
      lead: {
        notes: 'Kanto deal',
        source: 'Web forms',
        name: 'Hana Sato',
        email: 'hana@kanto.jp',
        phone: '+81 3',
        company: 'Kanto Express',
        campaign: 'c',
        createdAt: new Date('2026-11-20T14:03:00Z'),
      },
    });
  });

  it('the admin mapping wins over the profile’s names, per profile', () => {
    const mapping = {
      ...EMPTY_MAPPING,
      profiles: { hubspot: { 'Original Source Drill-Down 2': 'campaign' as const } },
    };
    const { plan, result } = read(
      ['Record ID', 'Email', 'Original Source Drill-Down 2', 'Create Date'],
      ['1', 'a@b.io', 'freight-ai', '11/20/2026'],
      { ...options, mapping },
    );
    expect(plan.columns.find((c) => c.header === 'Original Source Drill-Down 2')?.field).toBe('campaign');
    expect(result).toMatchObject({ ok: true, lead: { campaign: 'freight-ai' } });
  });

  it('says a file without a campaign needs --campaign or a mapping', () => {
    const { result } = read(['Email'], ['a@b.io']);
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          index: 0,
          path: 'campaign',
          message: expect.stringMatching(/no column feeds the campaign; give one with --campaign/),
        },
      ],
    });
  });

  it('reads a named profile over what the headers suggest', () => {
    expect(
      planColumns(['Id', 'FirstName', 'LastName'], { profile: 'flat', mapping: EMPTY_MAPPING }).profile,
    ).toBe('flat');
    expect(planColumns(['email', 'campaign'], { mapping: EMPTY_MAPPING }).profile).toBe('flat');
  });
});
