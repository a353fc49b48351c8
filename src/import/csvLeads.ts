import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { issuesOf, type LeadInput, leadInputSchema } from '../domain/lead.js';
import { CsvFormatError } from '../errors.js';

/**
 * Reads a CRM's CSV export into validated leads. Header names are matched case-insensitively
 * and ignoring spaces, dashes and underscores, with the usual CRM spellings as aliases
 * ("Email Address", "Job Title", "Lead Source"…). Rows are checked with the same schema as
 * POST /leads; a bad row is reported with its line number, never half-stored.
 */

type LeadField = keyof LeadInput | 'firstName' | 'lastName';

const ALIASES: Record<LeadField, string[]> = {
  externalId: ['externalid', 'id', 'recordid', 'contactid', 'leadid'],
  email: ['email', 'emailaddress', 'e-mail', 'mail'],
  name: ['name', 'fullname', 'contactname', 'leadname'],
  firstName: ['firstname', 'givenname'],
  lastName: ['lastname', 'surname', 'familyname'],
  company: ['company', 'companyname', 'account', 'accountname', 'organization', 'organisation'],
  title: ['title', 'jobtitle', 'position', 'role'],
  phone: ['phone', 'phonenumber', 'mobile', 'mobilephone'],
  country: ['country', 'countryregion', 'countryname'],
  campaign: ['campaign', 'campaignname', 'utmcampaign'],
  source: ['source', 'leadsource', 'originalsource', 'utmsource'],
  score: ['score', 'leadscore', 'hubspotscore'],
  url: ['url', 'link', 'crmurl', 'recordurl', 'crmlink'],
  notes: ['notes', 'note', 'description', 'comments', 'comment'],
  createdAt: ['createdat', 'created', 'createdate', 'createddate', 'createdon', 'date'],
};

const FIELD_BY_HEADER = new Map<string, LeadField>(
  Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [n, field as LeadField] as const)),
);

export function headerKey(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-./]+/g, '');
}

export interface RejectedRow {
  /** 1-based line number of the row in the file (the header is line 1). */
  line: number;
  issues: { path: string; message: string }[];
}

export interface CsvReadResult {
  leads: LeadInput[];
  rejected: RejectedRow[];
  /** Columns that match no lead field; they are not imported. */
  ignoredColumns: string[];
  rows: number;
}

/**
 * CSV cells are text: numbers and dates are converted here before the shared schema sees them.
 * A time without a zone ("2026-11-20 14:03") is taken as UTC.
 */
function toLeadObject(record: Record<string, string>): Record<string, unknown> {
  const lead: Record<string, unknown> = {};
  for (const [field, raw] of Object.entries(record)) {
    const value = raw.trim();
    if (value === '') continue;
    lead[field] = value;
  }
  if (lead.name === undefined && (lead.firstName !== undefined || lead.lastName !== undefined)) {
    lead.name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  }
  delete lead.firstName;
  delete lead.lastName;
  if (typeof lead.score === 'string' && /^\d+(\.0+)?$/.test(lead.score)) lead.score = Number(lead.score);
  if (typeof lead.createdAt === 'string') {
    const naive = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/.exec(lead.createdAt);
    if (naive) {
      const time = naive[2] ?? '00:00:00';
      lead.createdAt = `${naive[1]}T${time.length === 5 ? `${time}:00` : time}Z`;
    }
  }
  return lead;
}

export async function readLeadsCsv(
  input: Readable,
  options: { onProgress?: (bytesRead: number) => void } = {},
): Promise<CsvReadResult> {
  const ignoredColumns: string[] = [];
  let campaignColumn = false;
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
    raw: true,
    columns: (headers: string[]) =>
      headers.map((header) => {
        const field = FIELD_BY_HEADER.get(headerKey(header));
        if (field === undefined) {
          if (header.trim() !== '') ignoredColumns.push(header.trim());
          return false;
        }
        if (field === 'campaign') campaignColumn = true;
        return field;
      }),
  });
  let bytes = 0;
  input.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
    options.onProgress?.(bytes);
  });
  input.pipe(parser);

  const leads: LeadInput[] = [];
  const rejected: RejectedRow[] = [];
  let rows = 0;
  for await (const { record, info, raw } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; records: number };
    raw: string;
  }>) {
    rows += 1;
    const parsed = leadInputSchema.safeParse(toLeadObject(record));
    if (parsed.success) leads.push(parsed.data);
    else {
      // info.lines is where the row ends; a quoted cell may have run over several lines.
      const spanned = (
        raw
          .replace(/^(\r?\n)+/, '')
          .replace(/\r?\n$/, '')
          .match(/\n/g) ?? []
      ).length;
      rejected.push({
        line: info.lines - spanned,
        issues: issuesOf(parsed.error, 0).map(({ path, message }) => ({ path, message })),
      });
    }
  }
  if (rows > 0 && !campaignColumn) {
    throw new CsvFormatError(
      'The file has no campaign column. Add one named "campaign" (or "Campaign Name"); every lead needs a campaign.',
    );
  }
  return { leads, rejected, ignoredColumns, rows };
}
