import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/db.js';
import { tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';

/*
 * Each vendor's export, laid out as the vendor documents it (test/fixtures/intake/<vendor>-*.csv),
 * through `leadloop import`, then read back from the database.
 */

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'intake');

let temp: ReturnType<typeof tempDir>;
let databasePath: string;
beforeEach(() => {
  temp = tempDir();
  databasePath = join(temp.dir, 'leadloop.db');
});
afterEach(() => temp.cleanup());

const importFixture = (file: string, ...flags: string[]) =>
  runLeadloop(['import', join(FIXTURES, file), ...flags], { DATABASE_PATH: databasePath }, temp.dir);

interface StoredLead {
  external_id: string | null;
  email: string | null;
  name: string | null;
  company: string | null;
  title: string | null;
  phone: string | null;
  source: string | null;
  score: number | null;
  campaign: string;
  created_at: string;
  post_status: string;
  state: string;
  state_reason: string | null;
}

function storedLeads(): StoredLead[] {
  const db = openDatabase(databasePath);
  try {
    return (
      db.$client
        .prepare(
          `SELECT l.external_id, l.email, l.name, l.company, l.title, l.phone, l.source, l.score, c.name AS campaign,
                  l.created_at, l.post_status, l.state, l.state_reason
           FROM leads l JOIN campaigns c ON c.id = l.campaign_id ORDER BY l.id`,
        )
        .all() as (StoredLead & { created_at: number })[]
    ).map((row) => ({ ...row, created_at: new Date(row.created_at).toISOString() }));
  } finally {
    db.$client.close();
  }
}

describe('vendor exports', () => {
  it('HubSpot default contacts view: Record ID, names, Lead Status as the outcome, any score', async () => {
    const result = await importFixture(
      'hubspot-contacts-export.csv',
      '--history',
      '--campaign',
      'Q4 nurture',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 accepted, 1 rejected, 1 without an outcome');
    expect(storedLeads()).toEqual([
      expect.objectContaining({
        external_id: '48213',
        email: 'ana.silva@acme.io',
        name: 'Ana Silva',
        company: 'Acme Logistics',
        title: 'VP Operations',
        phone: '+1 555 0100',
        score: 145,
        campaign: 'Q4 nurture',
        created_at: '2026-11-20T14:03:00.000Z',
        post_status: 'history',
        state: 'accepted',
      }),
      expect.objectContaining({ external_id: '48214', name: 'Bo Berg', score: 12, state: 'rejected' }),
      expect.objectContaining({ external_id: '48215', score: 0, state: 'pending' }),
    ]);
  });

  it('Salesforce Lead report (Export Details): report labels, US dates, the footer skipped, Unqualified Reason', async () => {
    const result = await importFixture('salesforce-lead-report-export-details.csv', '--history');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Skipped the report footer at the end of the file (5 line(s))');
    expect(result.stdout).not.toMatch(/not valid/);
    expect(storedLeads()).toEqual([
      expect.objectContaining({
        email: 'ana.silva@acme.io',
        name: 'Ana Silva',
        company: 'Acme Logistics',
        title: 'VP Operations',
        source: 'Webinar',
        campaign: '2026-Q4 Webinar: Freight AI',
        created_at: '2026-11-20T00:00:00.000Z',
        state: 'accepted',
      }),
      expect.objectContaining({ email: 'bo@beta.io', state: 'rejected', state_reason: 'no_budget' }),
      expect.objectContaining({ email: 'cy@cyber.io', campaign: 'Trade Show Berlin', state: 'pending' }),
    ]);
  });

  it('Salesforce Data Loader Lead extract (API names in capitals, recognised as such): +0000 datetimes, Status', async () => {
    const result = await importFixture(
      'salesforce-dataloader-lead.csv',
      '--campaign',
      'Imported leads',
      '--history',
    );
    expect(result.code).toBe(0);
    expect(storedLeads()).toEqual([
      expect.objectContaining({
        external_id: '00Q5e00000AbCdEAAV',
        name: 'Ana Silva',
        company: 'Acme Logistics',
        source: 'Webinar',
        created_at: '2026-11-20T14:03:00.000Z',
        state: 'accepted',
      }),
      expect.objectContaining({ external_id: '00Q5e00000AbCdFAAV', state: 'rejected' }),
    ]);
  });

  it('Salesforce Data Loader CampaignMember extract: relationship columns, the lead’s id', async () => {
    const result = await importFixture('salesforce-dataloader-campaignmember.csv');
    expect(result.code).toBe(0);
    expect(storedLeads()).toEqual([
      expect.objectContaining({
        external_id: '00Q5e00000AbCdEAAV',
        email: 'ana.silva@acme.io',
        name: 'Ana Silva',
        company: 'Acme Logistics',
        campaign: '2026-Q4 Webinar: Freight AI',
        created_at: '2026-11-20T14:05:00.000Z',
        post_status: 'queued',
      }),
      expect.objectContaining({ external_id: '00Q5e00000AbCdFAAV', email: 'bo@beta.io' }),
    ]);
  });

  it('Marketo smart list: Email Address, Acquisition Program as the campaign, Lead Score as sent', async () => {
    const result = await importFixture('marketo-smart-list.csv');
    expect(result.code).toBe(0);
    expect(storedLeads()).toEqual([
      expect.objectContaining({
        external_id: '1043',
        email: 'ana.silva@acme.io',
        campaign: '2026-Q4 Webinar: Freight AI',
        score: 145,
        source: 'Webinar',
        created_at: '2026-11-20T14:03:00.000Z',
      }),
      expect.objectContaining({ external_id: '1044', campaign: 'Website Demo Request', score: -5 }),
    ]);
  });

  it('Pipedrive people export: "Person - Field" headers', async () => {
    const result = await importFixture('pipedrive-people-export.csv', '--campaign', 'Pipedrive import');
    expect(result.code).toBe(0);
    expect(storedLeads()).toEqual([
      expect.objectContaining({
        name: 'Ana Silva',
        email: 'ana.silva@acme.io',
        company: 'Acme Logistics',
        title: 'VP Operations',
        phone: '+1 555 0100',
        campaign: 'Pipedrive import',
        created_at: '2026-11-20T14:03:05.000Z',
      }),
      expect.objectContaining({ name: 'Bo Berg', email: 'bo@beta.io' }),
    ]);
  });

  it('still reports a real bad row after the footer-like end of a report, by its line', async () => {
    const result = await runLeadloop(
      ['import', writeReport(temp.dir)],
      { DATABASE_PATH: databasePath },
      temp.dir,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/line 4: email/);
    expect(result.stdout).toMatch(/Nothing was imported/);
  });
});

function writeReport(dir: string): string {
  const path = join(dir, 'report.csv');
  writeFileSync(
    path,
    [
      '"First Name","Email","Campaign Name"',
      '"Ana","ana@acme.io","W"',
      '',
      '"Bo","not-an-email","W"',
      '"Grand Totals (2 records)"',
      '',
    ].join('\n'),
  );
  return path;
}
