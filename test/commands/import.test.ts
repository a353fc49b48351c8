import { createWriteStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/db.js';
import { tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';

let temp: ReturnType<typeof tempDir>;
let databasePath: string;

beforeEach(() => {
  temp = tempDir();
  databasePath = join(temp.dir, 'data', 'leadloop.db');
});
afterEach(() => temp.cleanup());

const leadloop = (...argv: string[]) => runLeadloop(argv, { DATABASE_PATH: databasePath }, temp.dir);

function writeCsv(name: string, ...lines: string[]): string {
  writeFileSync(join(temp.dir, name), `${lines.join('\n')}\n`);
  return name;
}

/** Rows in the database, read on a fresh connection (the command closes its own). */
function stored(): { leads: number; campaigns: number } {
  const db = openDatabase(databasePath);
  try {
    const n = (table: string) =>
      (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { leads: n('leads'), campaigns: n('campaigns') };
  } finally {
    db.$client.close();
  }
}

describe('leadloop import', () => {
  it('imports a CRM export with aliased headers, and lists the ignored columns', async () => {
    const file = writeCsv(
      'hubspot.csv',
      '\uFEFFRecord ID,Email Address,First Name,Last Name,JOB_TITLE,Campaign Name,Score,Create Date,Owner',
      'hs-1,ana@acme.io,Ana,Silva,VP,Webinar A,72,2026-11-20 14:03,bob',
      'hs-2,bo@acme.io,Bo,,CTO, webinar a ,,,',
      'hs-3,cy@acme.io,Cy,Wu,CEO,Trade Show,10,,',
    );
    const result = await leadloop('import', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Ignored columns.*Owner/);
    expect(result.stdout).toContain('Imported 3 lead(s)');
    expect(stored()).toEqual({ leads: 3, campaigns: 2 });

    const db = openDatabase(databasePath);
    try {
      const ana = db.$client
        .prepare(
          'SELECT l.name, l.title, l.score, l.created_at, l.post_status, c.name AS campaign FROM leads l JOIN campaigns c ON c.id = l.campaign_id WHERE external_id = ?',
        )
        .get('hs-1');
      expect(ana).toEqual({
        name: 'Ana Silva',
        title: 'VP',
        score: 72,
        created_at: Date.UTC(2026, 10, 20, 14, 3),
        post_status: 'queued',
        campaign: 'Webinar A',
      });
    } finally {
      db.$client.close();
    }
  });

  it('stores nothing and exits 1 when one row is bad, naming its line and field', async () => {
    const file = writeCsv(
      'leads.csv',
      'name,email,campaign,score',
      'Ana,ana@acme.io,Webinar A,72',
      'Bo,bo@acme.io,Webinar A,high',
      'Cy,cy@acme.io,Webinar A,10',
    );
    const result = await leadloop('import', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/line 3\b.*score/);
    expect(result.stdout).not.toMatch(/line [24]\b/);
    expect(result.stdout).toMatch(/Nothing was imported/);
    expect(result.stdout).toContain('--skip-invalid');
    expect(stored()).toEqual({ leads: 0, campaigns: 0 });
  });

  it('with --skip-invalid stores the good rows and still reports the bad ones', async () => {
    const file = writeCsv(
      'leads.csv',
      'name,email,campaign,score',
      'Ana,ana@acme.io,Webinar A,72',
      'Bo,bo@acme.io,Webinar A,high',
      'Cy,not-an-email,Webinar A,10',
      'Di,di@acme.io,Webinar B,',
    );
    const result = await leadloop('import', file, '--skip-invalid');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/line 3\b.*score/);
    expect(result.stdout).toMatch(/line 4\b.*email/);
    expect(result.stdout).toMatch(/Imported 2 lead\(s\).*left out 2 invalid/);
    expect(stored()).toEqual({ leads: 2, campaigns: 2 });
  });

  it('stores nothing new when the same file is imported twice, and says so', async () => {
    const file = writeCsv(
      'leads.csv',
      'Contact ID,name,campaign',
      'c-1,Ana,Webinar A',
      'c-2,Bo,Webinar A',
      'c-3,Cy,Webinar B',
    );
    const first = await leadloop('import', file);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Imported 3 lead(s)');

    const second = await leadloop('import', file);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Imported 0 lead\(s\); skipped 3 already imported/);
    expect(stored()).toEqual({ leads: 3, campaigns: 2 });
  });

  it('skips rows repeated within one file as duplicates', async () => {
    const file = writeCsv('leads.csv', 'id,name,campaign', 'c-1,Ana,Webinar A', 'c-1,Ana again,Webinar A');
    const result = await leadloop('import', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Imported 1 lead\(s\); skipped 1/);
    expect(stored().leads).toBe(1);
  });

  it('exits 2 with the usage for a missing file', async () => {
    const result = await leadloop('import', 'nope.csv');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(temp.dir, 'nope.csv'));
    expect(result.stderr).toContain('leadloop import <file.csv>');
    expect(existsSync(databasePath)).toBe(false);
  });

  it('exits 2 with the usage without a file argument', async () => {
    const result = await leadloop('import');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Name one CSV file/);
    expect(result.stderr).toContain('leadloop import <file.csv>');
  });

  it('exits 2 with the usage for two file arguments', async () => {
    const a = writeCsv('a.csv', 'name,campaign', 'Ana,c');
    const b = writeCsv('b.csv', 'name,campaign', 'Bo,c');
    const result = await leadloop('import', a, b);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('leadloop import <file.csv>');
  });

  it('explains a file without a campaign column, and stores nothing', async () => {
    const file = writeCsv('leads.csv', 'name,email', 'Ana,ana@acme.io');
    const result = await leadloop('import', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no campaign column/);
    expect(result.stderr).toMatch(/"campaign"/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(existsSync(databasePath)).toBe(false);
  });

  it('imports nothing from a file with a header only', async () => {
    const file = writeCsv('empty.csv', 'name,campaign');
    const result = await leadloop('import', file);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no rows/);
  });

  it('prints help with --help', async () => {
    const result = await leadloop('import', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--skip-invalid');
  });

  it('imports a 100,000-row file', async () => {
    const rows = 100_000;
    const path = join(temp.dir, 'big.csv');
    const out = createWriteStream(path);
    out.write('External ID,Email,First Name,Last Name,Company,Campaign,Score,Created\n');
    for (let i = 0; i < rows; i++) {
      out.write(
        `ext-${i},lead${i}@example.com,First${i},Last${i},"Company ${i % 500}, Inc.",Campaign ${i % 20},${i % 101},2026-11-20 14:03\n`,
      );
    }
    out.end();
    await finished(out);

    const result = await leadloop('import', 'big.csv', '--post');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Imported ${rows} lead(s)`);
    expect(stored()).toEqual({ leads: rows, campaigns: 20 });
  }, 180_000);

  it('reads a Windows-1252 file (é, ü, € in a campaign) as one campaign, and says how it read it', async () => {
    const text = 'Email;Campaign\r\nana@acme.io;Café Zürich €\r\nbo@acme.io;café zürich €\r\n';
    const bytes = Buffer.from([...text].map((c) => (c === '€' ? 0x80 : (c.codePointAt(0) as number))));
    writeFileSync(join(temp.dir, 'excel.csv'), bytes);
    const result = await leadloop('import', 'excel.csv');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('read as Windows-1252 (not valid UTF-8)');
    expect(result.stdout).toContain('semicolon-separated');
    const db = openDatabase(databasePath);
    try {
      expect(db.$client.prepare('SELECT name FROM campaigns').all()).toEqual([{ name: 'Café Zürich €' }]);
    } finally {
      db.$client.close();
    }
  });

  it('reads a UTF-16 tab-separated file (Excel "Unicode Text")', async () => {
    const text = 'Email\tCampaign\r\nana@acme.io\tMesse München\r\n';
    writeFileSync(
      join(temp.dir, 'unicode.txt'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const result = await leadloop('import', 'unicode.txt');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/read as UTF-16 LE, tab-separated/);
    expect(stored()).toEqual({ leads: 1, campaigns: 1 });
  });

  it('gives rows without a campaign the --campaign one', async () => {
    const file = writeCsv('leads.csv', 'email,campaign', 'ana@acme.io,', 'bo@acme.io,Trade Show');
    const result = await leadloop('import', file, '--campaign', 'Spring webinar');
    expect(result.code).toBe(0);
    const db = openDatabase(databasePath);
    try {
      expect(db.$client.prepare('SELECT name FROM campaigns ORDER BY id').all()).toEqual([
        { name: 'Spring webinar' },
        { name: 'Trade Show' },
      ]);
    } finally {
      db.$client.close();
    }
    const none = writeCsv('plain.csv', 'email', 'cy@acme.io');
    expect((await leadloop('import', none, '--campaign', 'Spring webinar')).code).toBe(0);
    expect((await leadloop('import', none, '--campaign', '  ')).stderr).toMatch(/--campaign needs a name/);
  });

  it('takes the columns the configured mapping names (LEAD_MAPPING), and shows them with --check', async () => {
    const file = writeCsv(
      'leads.csv',
      'Email,UTM Campaign,Drill Down 2',
      'ana@acme.io,Spring webinar,linkedin',
    );
    const env = {
      DATABASE_PATH: databasePath,
      LEAD_MAPPING: '{"fields":{"UTM Campaign":"campaign","Drill Down 2":"source"}}',
    };
    const check = await runLeadloop(['import', file, '--check'], env, temp.dir);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('UTM Campaign → campaign');
    expect(check.stdout).toContain('Drill Down 2 → source');
    expect(existsSync(databasePath)).toBe(false);
    expect((await runLeadloop(['import', file], env, temp.dir)).code).toBe(0);
    const db = openDatabase(databasePath);
    try {
      expect(
        db.$client
          .prepare(
            'SELECT c.name AS campaign, l.source FROM leads l JOIN campaigns c ON c.id = l.campaign_id',
          )
          .all(),
      ).toEqual([{ campaign: 'Spring webinar', source: 'linkedin' }]);
    } finally {
      db.$client.close();
    }
  });

  describe('--check', () => {
    const lines = [
      'Record ID,Email,First Name,Last Name,Campaign,Lead Status,Owner',
      'hs-1,ana@acme.io,Ana,Silva,Webinar A,Connected,bob',
      'hs-2,bo@acme.io,Bo,,Webinar A,Unqualified,bob',
    ];

    it('prints the plan and the first rows, and creates no database', async () => {
      const file = writeCsv('leads.csv', ...lines);
      const result = await leadloop('import', file, '--check', '--history', '--from', 'hubspot');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('read as UTF-8, comma-separated, 2 row(s)');
      expect(result.stdout).toContain('Columns (profile hubspot):');
      expect(result.stdout).toContain('Record ID → externalId');
      expect(result.stdout).toContain('Lead Status → status');
      expect(result.stdout).toMatch(/Ignored columns.*Owner/);
      expect(result.stdout).toMatch(
        /line 2: externalId="hs-1" email="ana@acme.io".*name="Ana Silva".*outcome=accept/,
      );
      expect(result.stdout).toMatch(/line 3: .*outcome=reject/);
      expect(result.stdout).toContain('nothing was stored');
      expect(existsSync(databasePath)).toBe(false);
    });

    it('leaves an existing database file unchanged, and reports bad rows with exit 1', async () => {
      await leadloop('import', writeCsv('first.csv', 'email,campaign', 'zed@acme.io,W'));
      const before = statSync(databasePath);
      const snapshot = stored();
      const file = writeCsv('leads.csv', ...lines, 'hs-3,not-an-email,Cy,,Webinar A,,');
      const result = await leadloop('import', file, '--check');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/line 4: email/);
      expect(stored()).toEqual(snapshot);
      expect(statSync(databasePath).mtimeMs).toBe(before.mtimeMs);
    });
  });

  describe('large files', () => {
    const big = (rows: number) => {
      const lines = ['email,campaign'];
      for (let i = 0; i < rows; i++) lines.push(`lead${i}@acme.io,Webinar A`);
      return writeCsv('big.csv', ...lines);
    };

    it('refuses a plain import of more than 200 leads, asking for --history or --post, and stores nothing', async () => {
      const result = await leadloop('import', big(201));
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/Nothing was imported: 201 leads would queue about 4 minutes of posts/);
      expect(result.stdout).toMatch(/--history.*--post/);
      expect(existsSync(databasePath)).toBe(false);
    });

    it('says with --check that a large file needs --history or --post', async () => {
      const result = await leadloop('import', big(201), '--check');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/To import these 201 leads, add --history .* or --post/);
      expect(existsSync(databasePath)).toBe(false);
    });

    it('imports 200 leads as today, and more with --post', async () => {
      expect((await leadloop('import', big(200))).code).toBe(0);
      expect((await leadloop('import', big(201), '--post')).code).toBe(0);
      expect(stored().leads).toBe(401);
    });

    it('refuses --history with --post', async () => {
      const result = await leadloop('import', big(1), '--history', '--post');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--history .* or --post/);
    });
  });
});
