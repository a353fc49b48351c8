import type { LeadInput } from '../domain/lead.js';
import { type ImportedOutcome, outcomeOf } from '../domain/outcome.js';
import type { RejectReason } from '../domain/reasons.js';
import { CsvFormatError } from '../errors.js';
import {
  type ColumnPlan,
  type LeadMapping,
  type ProfileName,
  planColumns,
  rowToLead,
} from '../intake/index.js';
import { type CsvLayout, type CsvRow, type OpenInput, type ReadCsvOptions, readCsv } from './csvText.js';

/**
 * Reads a CRM's CSV export into validated leads (and, for `--history`, their outcomes). The file
 * is decoded and split by csvText.ts; the intake core (src/intake) says which column feeds which
 * field (the admin's mapping, then the vendor profile named or recognised from the header) and
 * turns each row into a lead checked with the same schema as POST /leads: a bad row is reported
 * with its line number, never half-stored. The row's status and reason cells, if any, become an
 * outcome through src/domain/outcome.ts.
 */

export type RowResult =
  | { ok: true; lead: LeadInput; outcome?: ImportedOutcome }
  | { ok: false; issues: { path: string; message: string }[] };

/** How rows of one file become leads: chosen once the header is known. */
export interface RowMapper {
  plan: ColumnPlan;
  /** True when some column (or a default) supplies the campaign. */
  hasCampaign: boolean;
  toLead(record: Record<string, string>): RowResult;
}

export interface MapperOptions {
  /** `--from`; otherwise recognised from the header. */
  profile?: ProfileName | undefined;
  /** Campaign of the rows whose campaign cell is blank (`--campaign`). */
  campaign?: string | undefined;
  mapping: LeadMapping;
  /** Zone of dates and times written without an offset (TIMEZONE). */
  timezone: string;
  /** The configured reject reasons, which outcomes are mapped onto. */
  reasons: readonly RejectReason[];
}

export function rowMapper(headers: string[], options: MapperOptions): RowMapper {
  const plan = planColumns(headers, {
    mapping: options.mapping,
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const intake = {
    profile: plan.profile,
    mapping: options.mapping,
    timezone: options.timezone,
    ...(options.campaign !== undefined ? { campaign: options.campaign } : {}),
  };
  return {
    plan,
    hasCampaign:
      plan.columns.some((c) => c.field === 'campaign') ||
      options.campaign !== undefined ||
      options.mapping.defaults.campaign !== undefined,
    toLead(record) {
      const result = rowToLead(record, plan, intake);
      if (!result.ok)
        return { ok: false, issues: result.issues.map(({ path, message }) => ({ path, message })) };
      const outcome = result.outcome ? outcomeOf(result.outcome, options.reasons) : undefined;
      return outcome ? { ok: true, lead: result.lead, outcome } : { ok: true, lead: result.lead };
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
  outcome?: ImportedOutcome;
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
  let headers: string[] = [];
  let mapper: RowMapper | undefined;
  const leads: ImportedRow[] = [];
  const rejected: RejectedRow[] = [];
  let rows = 0;
  return readCsv(
    open,
    {
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
        const plan: ColumnPlan = mapper?.plan ?? { profile: 'flat', columns: [], ignored: [] };
        if (rows > 0 && mapper !== undefined && !mapper.hasCampaign) {
          throw new CsvFormatError(
            'The file has no campaign column. Add one named "campaign" (or "Campaign Name"), or give every row a campaign with --campaign "Spring webinar"; every lead needs a campaign.',
          );
        }
        return { layout, plan, leads, rejected, rows };
      },
    },
    options,
  );
}
