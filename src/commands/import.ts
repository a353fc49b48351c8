import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { Clock } from '../clock.js';
import { parseConfig, readEnvironment } from '../config.js';
import { UsageError } from '../errors.js';
import { readLeadsCsv } from '../import/csvLeads.js';
import { openDatabase } from '../storage/db.js';
import { Store } from '../storage/store.js';
import { type CommandIo, line } from './io.js';

export const IMPORT_HELP = `leadloop import <file.csv> [--skip-invalid]

Imports leads from a CSV export (HubSpot, Salesforce, a spreadsheet). The first row names the
columns; names are matched ignoring case and spaces, with common CRM spellings understood:
  email (Email Address), name (Full Name, or First Name + Last Name), company (Company Name,
  Account), title (Job Title), phone, country, campaign (Campaign Name, utm_campaign; required),
  source (Lead Source), score (0-100), url (CRM link), notes, externalId (Record ID, Contact ID),
  createdAt (ISO 8601; a time without a zone is taken as UTC).
Other columns are ignored and listed.

Every row is checked as POST /leads checks a lead. By default one bad row stops the import and
nothing is stored; the report lists each bad row by line number. --skip-invalid imports the good
rows and still reports the bad ones. Rows whose externalId was imported or sent before are
skipped as duplicates, so running the same import twice is safe.

Imported leads join the posting queue: a running bot posts them at about one a second.`;

const MAX_REPORTED_ROWS = 50;

export async function importCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'skip-invalid': { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (positionals.length !== 1 || file === undefined) {
    throw new UsageError('Name one CSV file to import, e.g. leadloop import leads.csv');
  }
  const path = resolve(io.cwd, file);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UsageError(`Cannot read ${path}: no such file.`);
  }
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');

  const bar = new SingleBar({
    stream: io.stderr,
    format: '{phase} [{bar}] {percentage}% | {value}/{total}',
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(size, 0, { phase: 'Reading  ' });
  const read = await readLeadsCsv(createReadStream(path), { onProgress: (bytes) => bar.update(bytes) });
  bar.update(size);
  bar.stop();

  if (read.ignoredColumns.length > 0) {
    line(io.stdout, `Ignored columns (no matching lead field): ${read.ignoredColumns.join(', ')}`);
  }
  if (read.rejected.length > 0) {
    line(io.stdout, `${read.rejected.length} of ${read.rows} row(s) are not valid leads:`);
    for (const row of read.rejected.slice(0, MAX_REPORTED_ROWS)) {
      line(io.stdout, `  line ${row.line}: ${row.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
    }
    if (read.rejected.length > MAX_REPORTED_ROWS) {
      line(io.stdout, `  … and ${read.rejected.length - MAX_REPORTED_ROWS} more`);
    }
    if (!values['skip-invalid']) {
      line(
        io.stdout,
        'Nothing was imported. Fix these rows, or run again with --skip-invalid to import the others.',
      );
      return 1;
    }
  }
  if (read.leads.length === 0) {
    line(io.stdout, read.rows === 0 ? 'The file has no rows to import.' : 'No valid rows to import.');
    return read.rows === 0 ? 0 : 1;
  }

  const db = openDatabase(config.databasePath);
  try {
    const store = new Store(db);
    bar.start(read.leads.length, 0, { phase: 'Importing' });
    const results = store.insertLeads(read.leads, clock.now(), (done) => bar.update(done));
    bar.update(read.leads.length);
    bar.stop();
    const queued = results.filter((r) => r.status === 'queued').length;
    const duplicates = results.length - queued;
    line(
      io.stdout,
      `Imported ${queued} lead(s)${duplicates > 0 ? `; skipped ${duplicates} already imported (same externalId)` : ''}${read.rejected.length > 0 ? `; left out ${read.rejected.length} invalid row(s)` : ''}.`,
    );
    if (queued > 0) {
      const minutes = Math.ceil(queued / 60);
      line(
        io.stdout,
        `The running bot posts them to the leads channel at about one a second${queued > 120 ? ` (about ${minutes} minutes)` : ''}.`,
      );
    }
    return 0;
  } finally {
    db.$client.close();
  }
}
