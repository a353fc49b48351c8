import { describe, expect, it } from 'vitest';
import {
  type BatchParse,
  campaignKey,
  type LeadIssue,
  MAX_BATCH,
  parseLeadBatch,
} from '../../src/domain/lead.js';

const valid = () => ({
  externalId: 'hs-48213',
  email: 'ana.silva@acme.io',
  name: 'Ana Silva',
  company: 'Acme Logistics',
  title: 'VP Operations',
  phone: '+1 555 0100',
  country: 'US',
  campaign: '2026-Q4 Webinar: Freight AI',
  source: 'webinar',
  score: 72,
  url: 'https://crm.example.com/contacts/48213',
  notes: 'Asked about pricing for 50 seats',
  createdAt: '2026-11-20T14:03:00Z',
});

function leadsOf(result: BatchParse) {
  if (!result.ok) throw new Error(`expected a valid batch, got ${JSON.stringify(result.issues)}`);
  return result.leads;
}

function issuesOf(result: BatchParse): LeadIssue[] {
  if (result.ok) throw new Error('expected the batch to be refused');
  return result.issues;
}

/** The issues of one lead body with `patch` applied. */
const issuesFor = (patch: Record<string, unknown>) => issuesOf(parseLeadBatch({ ...valid(), ...patch }));
const accepts = (patch: Record<string, unknown>) => parseLeadBatch({ ...valid(), ...patch }).ok;

describe('lead schema', () => {
  it('parses the documented example', () => {
    const [lead] = leadsOf(parseLeadBatch(valid()));
    expect(lead).toEqual({
      ...valid(),
      createdAt: new Date('2026-11-20T14:03:00Z'),
    });
  });

  it('trims text and strips unknown fields', () => {
    const [lead] = leadsOf(
      parseLeadBatch({
        name: '  Ana Silva \n',
        email: ' ana@acme.io ',
        campaign: '  Webinar A  ',
        company: '\tAcme ',
        hubspotOwner: 'bob',
        __proto__hack: { x: 1 },
        internal: true,
      }),
    );
    expect(lead).toEqual({ name: 'Ana Silva', email: 'ana@acme.io', campaign: 'Webinar A', company: 'Acme' });
    expect(Object.keys(lead ?? {})).not.toContain('hubspotOwner');
  });

  it('treats empty optional text as absent', () => {
    const [lead] = leadsOf(
      parseLeadBatch({ name: 'Ana', campaign: 'c', company: '', notes: '   ', url: '', email: '' }),
    );
    expect(lead).toEqual({ name: 'Ana', campaign: 'c' });
  });

  describe('email or name', () => {
    it('accepts email alone and name alone', () => {
      expect(parseLeadBatch({ email: 'ana@acme.io', campaign: 'c' }).ok).toBe(true);
      expect(parseLeadBatch({ name: 'Ana', campaign: 'c' }).ok).toBe(true);
    });

    it('refuses a lead with neither, or with both blank', () => {
      for (const body of [
        { campaign: 'c' },
        { campaign: 'c', name: '  ', email: '' },
        { campaign: 'c', company: 'Acme' },
      ]) {
        const issues = issuesOf(parseLeadBatch(body));
        expect(issues).toEqual([
          { index: 0, path: 'email', message: expect.stringMatching(/email or name/) },
        ]);
      }
    });

    it.each([
      ['ana@bücher.de'],
      ['ana@xn--bcher-kva.de'],
      ['info@пример.рф'],
      ['info@xn--e1afmkfd.xn--p1ai'],
      ['josé.núñez@acme.es'],
      ["o'brien+leads@acme.co.uk"],
    ])('accepts %s: internationalised domains, as sent', (email) => {
      const parsed = parseLeadBatch({ ...valid(), email });
      expect(parsed.ok && parsed.leads[0]?.email).toBe(email);
    });

    it.each([
      ['ana@acme'],
      ['ana@acme..io'],
      ['ana@-acme.io'],
      ['a b@acme.io'],
      ['@acme.io'],
      ['ana@bü cher.de'],
    ])('refuses %s', (email) => {
      expect(issuesFor({ email })[0]?.path).toBe('email');
    });

    it('refuses a malformed email with an example of a good one', () => {
      const issues = issuesFor({ email: 'ana at acme' });
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('email');
      expect(issues[0]?.message).toMatch(/@/);
    });
  });

  describe('campaign', () => {
    it.each([[undefined], [''], ['   '], [42], [null]])('is required (%s)', (campaign) => {
      const issues = issuesFor({ campaign });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ index: 0, path: 'campaign' });
      expect(issues[0]?.message).toMatch(/required|string|text/i);
    });
  });

  describe('score', () => {
    it.each([[0], [100], [-1], [101], [1250], [72.5], [undefined]])(
      'keeps any number as sent, of any range (%s), and no score',
      (score) => {
        const parsed = parseLeadBatch({ ...valid(), score });
        expect(parsed.ok && parsed.leads[0]?.score).toBe(score);
      },
    );

    it.each([['72'], ['high'], [Number.NaN], [Number.POSITIVE_INFINITY], [null]])(
      'refuses %s: the native API takes numbers as numbers',
      (score) => {
        const issues = issuesFor({ score });
        expect(issues).toHaveLength(1);
        expect(issues[0]).toMatchObject({ index: 0, path: 'score' });
        expect(issues[0]?.message).toMatch(/must be a number/);
      },
    );
  });

  describe('url', () => {
    it('accepts http and https links', () => {
      expect(accepts({ url: 'http://crm.example.com/c/1' })).toBe(true);
      expect(accepts({ url: 'https://crm.example.com/c/1?x=1#y' })).toBe(true);
    });

    it.each([
      ['javascript:alert(1)'],
      ['JavaScript:alert(document.cookie)'],
      ['ftp://files.example.com/lead.csv'],
      ['data:text/html,<script>alert(1)</script>'],
      ['file:///etc/passwd'],
      ['crm.example.com/contacts/1'],
      ['not a url'],
    ])('refuses %s', (url) => {
      const issues = issuesFor({ url });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ index: 0, path: 'url' });
      expect(issues[0]?.message).toMatch(/http/);
    });

    it('refuses a link over 2000 characters', () => {
      expect(accepts({ url: `https://crm.example.com/${'a'.repeat(1976)}` })).toBe(true);
      expect(issuesFor({ url: `https://crm.example.com/${'a'.repeat(2000)}` })[0]?.path).toBe('url');
    });
  });

  describe('createdAt', () => {
    it('accepts ISO 8601 times with a zone and converts them to a Date', () => {
      const [withOffset] = leadsOf(parseLeadBatch({ ...valid(), createdAt: '2026-11-20T15:03:00+01:00' }));
      expect(withOffset?.createdAt?.toISOString()).toBe('2026-11-20T14:03:00.000Z');
      const [withMillis] = leadsOf(parseLeadBatch({ ...valid(), createdAt: '2026-11-20T14:03:00.250Z' }));
      expect(withMillis?.createdAt?.getTime()).toBe(Date.UTC(2026, 10, 20, 14, 3, 0, 250));
    });

    it('is optional', () => {
      const [lead] = leadsOf(parseLeadBatch({ ...valid(), createdAt: undefined }));
      expect(lead?.createdAt).toBeUndefined();
    });

    it.each([
      ['2026-11-20T14:03:00'],
      ['2026-11-20'],
      ['20 Nov 2026'],
      ['1763647380000'],
      [1763647380000],
      ['2026-13-40T14:03:00Z'],
    ])('refuses %s', (createdAt) => {
      const issues = issuesFor({ createdAt });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ index: 0, path: 'createdAt' });
      expect(issues[0]?.message).toMatch(/zone/);
    });
  });

  describe('length caps', () => {
    it.each([['name'], ['company'], ['title']])('%s holds 500 characters and refuses 501', (field) => {
      expect(accepts({ [field]: 'a'.repeat(500) })).toBe(true);
      // Surrounding spaces are trimmed before the cap is checked.
      expect(accepts({ [field]: ` ${'a'.repeat(500)} ` })).toBe(true);
      const issues = issuesFor({ [field]: 'a'.repeat(501) });
      expect(issues).toEqual([{ index: 0, path: field, message: expect.stringMatching(/500/) }]);
    });

    it('notes hold 3000 characters and refuse 3001', () => {
      expect(accepts({ notes: 'n'.repeat(3000) })).toBe(true);
      expect(issuesFor({ notes: 'n'.repeat(3001) })).toEqual([
        { index: 0, path: 'notes', message: expect.stringMatching(/3000/) },
      ]);
    });

    it.each([
      ['email', `${'a'.repeat(250)}@acme.io`],
      ['campaign', 'c'.repeat(501)],
      ['phone', '1'.repeat(501)],
      ['country', 'c'.repeat(501)],
      ['source', 's'.repeat(501)],
      ['externalId', 'x'.repeat(501)],
    ])('caps %s', (field, value) => {
      expect(issuesFor({ [field]: value })[0]?.path).toBe(field);
    });
  });
});

describe('parseLeadBatch', () => {
  it('takes one lead object', () => {
    expect(leadsOf(parseLeadBatch(valid()))).toHaveLength(1);
  });

  it('takes an array and keeps its order', () => {
    const leads = leadsOf(parseLeadBatch([1, 2, 3].map((i) => ({ ...valid(), externalId: `hs-${i}` }))));
    expect(leads.map((l) => l.externalId)).toEqual(['hs-1', 'hs-2', 'hs-3']);
  });

  it(`takes up to ${MAX_BATCH} leads`, () => {
    expect(MAX_BATCH).toBe(1000);
    expect(leadsOf(parseLeadBatch(Array.from({ length: 1000 }, valid)))).toHaveLength(1000);
  });

  it('refuses an empty array', () => {
    const issues = issuesOf(parseLeadBatch([]));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/1 to 1000/);
  });

  it('refuses 1001 leads with one issue', () => {
    const issues = issuesOf(parseLeadBatch(Array.from({ length: 1001 }, valid)));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/1001/);
  });

  it('refuses non-object items, naming their index', () => {
    const issues = issuesOf(parseLeadBatch([valid(), null, 'lead', 7, [valid()], valid()]));
    expect(issues).toEqual(
      [1, 2, 3, 4].map((index) => ({ index, path: '(lead)', message: 'must be a JSON object' })),
    );
  });

  it.each([[null], ['a string'], [42], [true]])('refuses a non-object body (%s)', (body) => {
    expect(issuesOf(parseLeadBatch(body))).toEqual([
      { index: 0, path: '(lead)', message: 'must be a JSON object' },
    ]);
  });

  it('refuses the whole batch when one lead is invalid, and reports index and path of every issue', () => {
    const result = parseLeadBatch([
      valid(),
      { ...valid(), score: 'high' },
      valid(),
      { ...valid(), email: undefined, name: undefined, url: 'ftp://x' },
    ]);
    expect(result.ok).toBe(false);
    const issues = issuesOf(result);
    expect(issues.map(({ index, path }) => ({ index, path }))).toEqual(
      expect.arrayContaining([
        { index: 1, path: 'score' },
        { index: 3, path: 'url' },
        { index: 3, path: 'email' },
      ]),
    );
    expect(issues).toHaveLength(3);
    expect('leads' in result).toBe(false);
  });
});

describe('campaignKey', () => {
  it('ignores case and surrounding spaces', () => {
    expect(campaignKey(' Webinar A ')).toBe(campaignKey('webinar a'));
    expect(campaignKey('WEBINAR A')).toBe('webinar a');
    expect(campaignKey('\tWebinar A\n')).toBe('webinar a');
  });

  it('collapses inner runs of whitespace', () => {
    expect(campaignKey('Webinar   A')).toBe('webinar a');
    expect(campaignKey('Webinar\t\u00a0A')).toBe('webinar a');
  });

  it('normalises compatibility characters (NFKC)', () => {
    expect(campaignKey('Ｗｅｂｉｎａｒ Ａ')).toBe('webinar a');
    expect(campaignKey('ﬁeld day')).toBe('field day');
    // Composed and decomposed accents are one campaign.
    expect(campaignKey('Cafe\u0301 Expo')).toBe(campaignKey('Café Expo'));
  });

  it('keeps different campaigns apart', () => {
    expect(campaignKey('Webinar A')).not.toBe(campaignKey('Webinar B'));
    expect(campaignKey('WebinarA')).not.toBe(campaignKey('Webinar A'));
  });
});
