import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { CsvFormatError } from '../../src/errors.js';
import { readLeadsCsv, rowMapper } from '../../src/import/csvLeads.js';
import { EMPTY_MAPPING } from '../../src/intake/index.js';

const csv = (...lines: string[]) => [`${lines.join('\n')}\n`];

/** Reads chunks with today's native columns; leads as LeadInput, for short expectations. */
async function readText(
  chunks: (string | Buffer)[],
  options: { onProgress?: (bytes: number) => void; campaign?: string } = {},
) {
  const result = await readLeadsCsv(() => Readable.from(chunks), {
    mapper: (headers) =>
      rowMapper(headers, {
        reasons: DEFAULT_REASONS,
        campaign: options.campaign,
        mapping: EMPTY_MAPPING,
        timezone: 'UTC',
      }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...result, leads: result.leads.map((row) => row.lead), ignoredColumns: result.plan.ignored };
}

describe('readLeadsCsv', () => {
  it('maps CRM header spellings, in any case and spacing, to lead fields', async () => {
    const result = await readText(
      csv(
        'Record ID,Email Address,First Name,Last Name,JOB_TITLE,Company Name, Campaign Name ,Lead Source,Phone Number,Country/Region,HubSpot Score,CRM Link,Description,Create Date',
        'hs-1,ana@acme.io,Ana,Silva,VP Operations,Acme,Webinar A,webinar,+1 555 0100,US,72,https://crm.example.com/1,Hot lead,2026-11-20T14:03:00Z',
      ),
    );
    expect(result.rejected).toEqual([]);
    expect(result.ignoredColumns).toEqual([]);
    expect(result.rows).toBe(1);
    expect(result.leads).toEqual([
      {
        externalId: 'hs-1',
        email: 'ana@acme.io',
        name: 'Ana Silva',
        title: 'VP Operations',
        company: 'Acme',
        campaign: 'Webinar A',
        source: 'webinar',
        phone: '+1 555 0100',
        country: 'US',
        score: 72,
        url: 'https://crm.example.com/1',
        notes: 'Hot lead',
        createdAt: new Date('2026-11-20T14:03:00Z'),
      },
    ]);
  });

  it('reads a file that starts with a byte order mark', async () => {
    const result = await readText([Buffer.from('\uFEFFEmail,Campaign\nana@acme.io,Webinar A\n')]);
    expect(result.leads).toEqual([{ email: 'ana@acme.io', campaign: 'Webinar A' }]);
    expect(result.ignoredColumns).toEqual([]);
  });

  it('reads a byte order mark given as a string', async () => {
    const result = await readText(['\uFEFFemail,campaign\nana@acme.io,Webinar A\n']);
    expect(result.leads).toHaveLength(1);
    expect(result.leads[0]?.email).toBe('ana@acme.io');
  });

  it('uses First Name alone or Last Name alone, and prefers a full name column', async () => {
    const result = await readText(
      csv(
        'first_name,LAST NAME,Full Name,email,campaign',
        'Ana,,,,c',
        ',Silva,,,c',
        'Ana,Silva,Ana M. Silva,,c',
        ',,,bo@acme.io,c',
      ),
    );
    expect(result.rejected).toEqual([]);
    expect(result.leads.map((l) => l.name)).toEqual(['Ana', 'Silva', 'Ana M. Silva', undefined]);
  });

  it('reads quoted fields with commas, quotes and newlines', async () => {
    const result = await readText(
      csv(
        'name,company,notes,campaign',
        '"Silva, Ana","Acme ""Logistics"", Inc.","Asked about pricing,',
        'for 50 seats",Webinar A',
        'Bo,Beta,plain,Webinar A',
      ),
    );
    expect(result.rejected).toEqual([]);
    expect(result.leads).toEqual([
      {
        name: 'Silva, Ana',
        company: 'Acme "Logistics", Inc.',
        notes: 'Asked about pricing,\nfor 50 seats',
        campaign: 'Webinar A',
      },
      { name: 'Bo', company: 'Beta', notes: 'plain', campaign: 'Webinar A' },
    ]);
  });

  it('reads Windows line endings', async () => {
    const result = await readText(['name,campaign\r\nAna,Webinar A\r\nBo,Webinar B\r\n']);
    expect(result.leads.map((l) => [l.name, l.campaign])).toEqual([
      ['Ana', 'Webinar A'],
      ['Bo', 'Webinar B'],
    ]);
  });

  it('reads a file split into many small chunks', async () => {
    const text = 'name,email,campaign\n"Silva, Ana",ana@acme.io,Webinar A\nBo,bo@acme.io,Webinar B\n';
    const result = await readText(text.split(''));
    expect(result.leads.map((l) => l.name)).toEqual(['Silva, Ana', 'Bo']);
  });

  describe('dates', () => {
    it.each([
      ['2026-11-20 14:03', '2026-11-20T14:03:00.000Z'],
      ['2026-11-20 14:03:05', '2026-11-20T14:03:05.000Z'],
      ['2026-11-20T14:03', '2026-11-20T14:03:00.000Z'],
      ['2026-11-20T14:03:05.250', '2026-11-20T14:03:05.250Z'],
      ['2026-11-20T14:03:00+02:00', '2026-11-20T12:03:00.000Z'],
      ['2026-11-20T14:03:00Z', '2026-11-20T14:03:00.000Z'],
    ])('reads %s as %s', async (created, iso) => {
      const result = await readText(csv('name,campaign,created', `Ana,c,${created}`));
      expect(result.rejected).toEqual([]);
      expect(result.leads[0]?.createdAt?.toISOString()).toBe(iso);
    });

    it('reads a date without a time as midnight UTC', async () => {
      const result = await readText(csv('name,campaign,created', 'Ana,c,2026-11-20'));
      expect(result.rejected).toEqual([]);
      expect(result.leads[0]?.createdAt?.toISOString()).toBe('2026-11-20T00:00:00.000Z');
    });

    it('refuses a date it cannot read, naming the field', async () => {
      const result = await readText(csv('name,campaign,created', 'Ana,c,next tuesday'));
      expect(result.leads).toEqual([]);
      expect(result.rejected).toEqual([
        { line: 2, issues: [{ path: 'createdAt', message: expect.any(String) }] },
      ]);
    });
  });

  describe('scores', () => {
    it.each([
      ['72', 72],
      ['0', 0],
      ['100', 100],
      ['72.0', 72],
    ])('reads "%s" as %d', async (cell, score) => {
      const result = await readText(csv('name,campaign,score', `Ana,c,${cell}`));
      expect(result.leads[0]?.score).toBe(score);
    });

    it('leaves a blank score out', async () => {
      const result = await readText(csv('name,campaign,score', 'Ana,c,'));
      expect(result.leads[0]).toEqual({ name: 'Ana', campaign: 'c' });
    });

    it('keeps a score of any range as sent', async () => {
      const result = await readText(csv('name,campaign,score', 'Ana,c,72.5', 'Bo,c,250'));
      expect(result.leads.map((l) => l.score)).toEqual([72.5, 250]);
    });

    it.each([['high'], ['n/a']])('refuses "%s"', async (cell) => {
      const result = await readText(csv('name,campaign,score', `Ana,c,${cell}`));
      expect(result.leads).toEqual([]);
      expect(result.rejected[0]?.issues.map((i) => i.path)).toEqual(['score']);
    });
  });

  it('lists the columns it ignores, and does not import them', async () => {
    const result = await readText(
      csv('Email,Lifecycle Stage,Campaign,Owner,,Email Opt Out', 'ana@acme.io,lead,Webinar A,bob,x,true'),
    );
    expect(result.ignoredColumns).toEqual(['Lifecycle Stage', 'Owner', 'Email Opt Out']);
    expect(result.leads).toEqual([{ email: 'ana@acme.io', campaign: 'Webinar A' }]);
  });

  it('rejects bad rows with their line numbers and fields, and keeps the good ones', async () => {
    const result = await readText(
      csv(
        'name,email,campaign,url',
        'Ana,ana@acme.io,Webinar A,https://crm.example.com/1',
        'Bo,not-an-email,Webinar A,',
        '"Cy, with',
        'a newline",cy@acme.io,Webinar A,',
        '',
        ',,Webinar A,',
        'Di,di@acme.io,,javascript:alert(1)',
      ),
    );
    expect(result.rows).toBe(5);
    expect(result.leads.map((l) => l.email)).toEqual(['ana@acme.io', 'cy@acme.io']);
    expect(result.rejected).toEqual([
      { line: 3, issues: [{ path: 'email', message: expect.stringMatching(/email/) }] },
      { line: 7, issues: [{ path: 'email', message: expect.stringMatching(/email or name is required/) }] },
      {
        line: 8,
        issues: expect.arrayContaining([
          { path: 'campaign', message: expect.stringMatching(/required/) },
          { path: 'url', message: expect.stringMatching(/http/) },
        ]),
      },
    ]);
  });

  it('refuses a file with no campaign column, clearly', async () => {
    const read = readText(csv('name,email', 'Ana,ana@acme.io'));
    await expect(read).rejects.toBeInstanceOf(CsvFormatError);
    await expect(readText(csv('name,email', 'Ana,ana@acme.io'))).rejects.toThrow(/campaign column/);
  });

  it('reads a file with a header only as no rows', async () => {
    const result = await readText(csv('name,email,campaign'));
    expect(result).toMatchObject({ leads: [], rejected: [], ignoredColumns: [], rows: 0 });
  });

  it('reports progress in bytes read', async () => {
    const seen: number[] = [];
    const chunks = ['name,campaign\n', 'Ana,Webinar A\n', 'Bo,Webinar A\n'];
    await readText(chunks, { onProgress: (bytes) => seen.push(bytes) });
    expect(seen.at(-1)).toBe(chunks.join('').length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});
