import { issuesOf, type LeadInput, leadInputSchema } from '../domain/lead.js';
import { type HistoricalOutcome, outcomeOf } from '../domain/outcome.js';
import type { RejectReason } from '../domain/reasons.js';
import { CsvFormatError } from '../errors.js';
import { type CsvLayout, type CsvRow, type OpenInput, type ReadCsvOptions, readCsv } from './csvText.js';

/**
 * Reads a CRM's CSV export into validated leads (and, for `--history`, their outcomes). The file
 * is decoded and split by csvText.ts; here each column is given a lead field, and each row is
 * checked with the same schema as POST /leads: a bad row is reported with its line number, never
 * half-stored.
 *
 * Header names are matched case-insensitively and ignoring spaces, dashes and underscores, with
 * the usual CRM spellings as aliases ("Email Address", "Job Title", "Lead Source"…).
 */

type LeadField = keyof LeadInput | 'firstName' | 'lastName';
/** Columns that say what sales made of the lead, read only by `--history`. */
type OutcomeField = 'status' | 'reason';
export type ColumnField = LeadField | OutcomeField;

const ALIASES: Record<ColumnField, string[]> = {
  externalId: ['externalid', 'id', 'recordid', 'contactid', 'leadid'],
  email: ['email', 'emailaddress', 'e-mail', 'mail'],
  name: ['name', 'fullname', 'contactname', 'leadname'],
  firstName: ['firstname', 'givenname'],
  lastName: ['lastname', 'surname', 'familyname'],
  company: [
    'company',
    'companyname',
    'account',
    'accountname',
    'organization',
    'organisation',
    'companyaccount',
  ],
  title: ['title', 'jobtitle', 'position', 'role'],
  phone: ['phone', 'phonenumber', 'mobile', 'mobilephone'],
  country: ['country', 'countryregion', 'countryname'],
  campaign: ['campaign', 'campaignname', 'utmcampaign'],
  source: ['source', 'leadsource', 'originalsource', 'utmsource'],
  score: ['score', 'leadscore', 'hubspotscore'],
  url: ['url', 'link', 'crmurl', 'recordurl', 'crmlink'],
  notes: ['notes', 'note', 'description', 'comments', 'comment'],
  createdAt: ['createdat', 'created', 'createdate', 'createddate', 'createdon', 'date'],
  status: ['leadstatus', 'status', 'decision', 'outcome', 'verdict'],
  reason: ['reason', 'unqualifiedreason', 'disqualifiedreason', 'rejectreason', 'rejectionreason'],
};

const FIELD_BY_HEADER = new Map<string, ColumnField>(
  Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [n, field as ColumnField] as const)),
);

export function headerKey(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-./]+/g, '');
}

/** Which column feeds which field; `ignored` lists the columns that feed none. */
export interface ColumnPlan {
  profile: string;
  columns: { header: string; field?: string }[];
  ignored: string[];
}

export type RowResult =
  | { ok: true; lead: LeadInput; outcome?: HistoricalOutcome }
  | { ok: false; issues: { path: string; message: string }[] };

/** How rows of one file become leads: chosen once the header is known. */
export interface RowMapper {
  plan: ColumnPlan;
  /** True when some column (or a default) supplies the campaign. */
  hasCampaign: boolean;
  toLead(record: Record<string, string>): RowResult;
}

export interface MapperOptions {
  /** Campaign of the rows whose campaign cell is blank (`--campaign`). */
  campaign?: string | undefined;
  /** The configured reject reasons, which outcomes are mapped onto. */
  reasons: readonly RejectReason[];
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

/** Today's native columns: the aliases above. */
export function nativeMapper(headers: string[], options: MapperOptions): RowMapper {
  const columns = headers.map((header) => {
    const field = FIELD_BY_HEADER.get(headerKey(header));
    return field === undefined ? { header } : { header, field };
  });
  const fieldOf = new Map(columns.map((c) => [c.header, c.field]));
  const hasCampaign = columns.some((c) => c.field === 'campaign') || options.campaign !== undefined;
  return {
    plan: {
      profile: 'native',
      columns,
      ignored: columns.filter((c) => c.field === undefined && c.header !== '').map((c) => c.header),
    },
    hasCampaign,
    toLead(record) {
      const byField: Record<string, string> = {};
      for (const [header, value] of Object.entries(record)) {
        const field = fieldOf.get(header);
        if (field !== undefined && byField[field] === undefined) byField[field] = value;
      }
      const { status, reason, ...leadCells } = byField;
      if ((leadCells.campaign ?? '').trim() === '' && options.campaign !== undefined) {
        leadCells.campaign = options.campaign;
      }
      const parsed = leadInputSchema.safeParse(toLeadObject(leadCells));
      if (!parsed.success) {
        return {
          ok: false,
          issues: issuesOf(parsed.error, 0).map(({ path, message }) => ({ path, message })),
        };
      }
      const outcome = outcomeOf({ status, reason }, options.reasons);
      return outcome ? { ok: true, lead: parsed.data, outcome } : { ok: true, lead: parsed.data };
    },
  };
}

export interface RejectedRow {
  /** 1-based line number of the row in the file (the header is line 1). */
  line: number;
  issues: { path: string; message: string }[];
}

export interface ImportedRow {
  line: number;
  lead: LeadInput;
  outcome?: HistoricalOutcome;
}

export interface CsvReadResult {
  layout: CsvLayout;
  plan: ColumnPlan;
  leads: ImportedRow[];
  rejected: RejectedRow[];
  rows: number;
}

export interface ReadLeadsOptions extends ReadCsvOptions {
  /** Chooses how the rows of this header become leads. */
  mapper: (headers: string[]) => RowMapper;
}

function rowRecord(headers: readonly string[], row: CsvRow): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((header, i) => {
    if (header !== '' && record[header] === undefined) record[header] = row.cells[i] ?? '';
  });
  return record;
}

export async function readLeadsCsv(open: OpenInput, options: ReadLeadsOptions): Promise<CsvReadResult> {
  return readCsv(
    open,
    () => {
      let headers: string[] = [];
      let mapper: RowMapper | undefined;
      const leads: ImportedRow[] = [];
      const rejected: RejectedRow[] = [];
      let rows = 0;
      return {
        header(layout) {
          headers = layout.headers;
          mapper = options.mapper(headers);
        },
        row(row) {
          rows += 1;
          const result = (mapper as RowMapper).toLead(rowRecord(headers, row));
          if (result.ok) {
            leads.push(
              result.outcome
                ? { line: row.line, lead: result.lead, outcome: result.outcome }
                : { line: row.line, lead: result.lead },
            );
          } else rejected.push({ line: row.line, issues: result.issues });
        },
        finish(layout) {
          const plan = mapper?.plan ?? { profile: 'native', columns: [], ignored: [] };
          if (rows > 0 && mapper !== undefined && !mapper.hasCampaign) {
            throw new CsvFormatError(
              'The file has no campaign column. Add one named "campaign" (or "Campaign Name"), or give every row a campaign with --campaign "Spring webinar"; every lead needs a campaign.',
            );
          }
          return { layout, plan, leads, rejected, rows };
        },
      };
    },
    options,
  );
}
