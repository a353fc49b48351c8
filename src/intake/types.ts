import type { BatchParse, LeadInput, LeadIssue } from '../domain/lead.js';

/**
 * The shapes leads arrive in. `native` is Leadloop's own JSON (the documented default, strict,
 * all-or-nothing); the others are what a marketing tool sends or exports as it is.
 */
export const PROFILE_NAMES = ['native', 'hubspot', 'salesforce', 'marketo', 'pipedrive', 'flat'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The fields a property or column can feed: the lead's own, plus parts a profile joins. */
export const MAPPABLE_FIELDS = [
  'externalId',
  'email',
  'name',
  'firstName',
  'lastName',
  'company',
  'title',
  'phone',
  'country',
  'campaign',
  'source',
  'score',
  'url',
  'notes',
  'createdAt',
  /** A past outcome, read only by `import --history`: HubSpot Lead Status, Salesforce Status… */
  'status',
  /** Why a past lead was rejected: Salesforce Unqualified Reason, a plain `reason` column. */
  'statusReason',
] as const;
export type MappedField = (typeof MAPPABLE_FIELDS)[number];

/**
 * What the admin configures (LEAD_MAPPING or leadloop.mapping.json, parsed in src/config.ts):
 * property or column names (matched ignoring case, spaces, `-`, `_`, `.` and `/`) → lead field,
 * for every profile (`fields`) or one (`profiles.hubspot`…, which wins), and the campaign and
 * source a lead gets when it names none. The admin's names win over the profiles' own.
 */
export interface LeadMapping {
  fields: Record<string, MappedField>;
  profiles: Partial<Record<ProfileName, Record<string, MappedField>>>;
  defaults: { campaign?: string; source?: string };
}

export const EMPTY_MAPPING: LeadMapping = { fields: {}, profiles: {}, defaults: {} };

export interface IntakeOptions {
  /** Named by the sender (`?profile=`, `--from`); otherwise recognised by shape or header. */
  profile?: ProfileName;
  /** The campaign for leads that name none (`?campaign=`, `--campaign`); wins over the mapping's default. */
  campaign?: string;
  mapping: LeadMapping;
  /** IANA zone in which a date or time without an offset is read (TIMEZONE). */
  timezone: string;
}

/** One lead of a vendor body: either a lead, or the real reason it cannot be one. */
export type VendorItem =
  | { ok: true; lead: LeadInput; raw: unknown }
  | { ok: false; raw: unknown; reason: string; issues: LeadIssue[] };

export type Interpretation =
  /** Today's shape: all-or-nothing, answered 400 with every issue. */
  | { kind: 'native'; parse: BatchParse }
  /** A vendor's shape: each item stands alone. */
  | { kind: 'vendor'; profile: ProfileName; items: VendorItem[] };

/** Which column feeds which field (`field` undefined: ignored), for a CSV header row. */
export interface ColumnPlan {
  profile: ProfileName;
  columns: { header: string; field?: MappedField }[];
  /** Headers that feed nothing, as written in the file. */
  ignored: string[];
}

/** A past lead's outcome as the file states it (status and reason as written); `csv` maps it to decisions. */
export interface HistoricalOutcome {
  status: string;
  reason?: string;
}

export type RowResult =
  | { ok: true; lead: LeadInput; outcome?: HistoricalOutcome }
  | { ok: false; issues: LeadIssue[] };
