import {
  issuesOf,
  type LeadInput,
  type LeadIssue,
  leadInputSchema,
  MAX_BATCH,
  parseLeadBatch,
} from '../domain/lead.js';
import { coerceDate, coerceNumber, coerceText, joinName, nameKey, present } from './coerce.js';
import { isObject, isSalesforceRecord, PROFILES, type Profile, profileFromHeaders } from './profiles.js';
import type {
  ColumnPlan,
  HistoricalOutcome,
  IntakeOptions,
  Interpretation,
  LeadMapping,
  MappedField,
  ProfileName,
  RowResult,
  VendorItem,
} from './types.js';

/**
 * Intake: what marketing's systems send, as they send it, turned into leads.
 *
 * - `interpretBody` reads a POST /leads body (and a needs-attention body on retry). Leadloop's
 *   own JSON stays the strict, all-or-nothing `native` path; a vendor's shape (a HubSpot
 *   contact, a Salesforce record, a Pipedrive webhook, Zapier's flat strings), recognised by
 *   shape or named with `?profile=`, gives one `VendorItem` per lead: a lead, or the real reason
 *   it cannot be one, with the raw item kept.
 * - `planColumns` + `rowToLead` do the same for a CSV export: which column feeds which field
 *   (the admin's mapping first, then the vendor's names), then each row.
 *
 * Pure: no clock, no I/O. Dates without an offset are read in `options.timezone` (see coerce.ts).
 */
export type {
  ColumnPlan,
  HistoricalOutcome,
  IntakeOptions,
  Interpretation,
  LeadMapping,
  MappedField,
  ProfileName,
  RowResult,
  VendorItem,
} from './types.js';
export { EMPTY_MAPPING, MAPPABLE_FIELDS, PROFILE_NAMES } from './types.js';

/** A name's claim on a field: lower ranks win (the admin's names, then the profile's in order). */
interface Claim {
  field: MappedField;
  rank: number;
}

const ADMIN_RANK = 0;
const PROFILE_RANK = 1000;

function claimsFor(profile: ProfileName, mapping: LeadMapping): Map<string, Claim> {
  const claims = new Map<string, Claim>();
  const synonyms = PROFILES[profile].synonyms ?? {};
  const reverse = new Map(Object.entries(synonyms).map(([label, internal]) => [internal, label]));
  const claim = (name: string, field: MappedField, rank: number) => {
    const key = nameKey(name);
    for (const k of [key, synonyms[key], reverse.get(key)]) {
      if (k !== undefined && !claims.has(k)) claims.set(k, { field, rank });
    }
  };
  let rank = ADMIN_RANK;
  for (const [name, field] of Object.entries(mapping.profiles[profile] ?? {})) claim(name, field, rank++);
  for (const [name, field] of Object.entries(mapping.fields)) claim(name, field, rank++);
  for (const [field, names] of Object.entries(PROFILES[profile].aliases)) {
    names.forEach((name, i) => {
      claim(name, field as MappedField, PROFILE_RANK + i);
    });
  }
  return claims;
}

/** Per field, the value of the best-ranked name that holds one. */
function pick(entries: [string, unknown][], claims: Map<string, Claim>): Map<MappedField, unknown> {
  const best = new Map<MappedField, { rank: number; value: unknown }>();
  for (const [name, value] of entries) {
    if (!present(value)) continue;
    const claim = claims.get(nameKey(name));
    if (claim === undefined) continue;
    const held = best.get(claim.field);
    if (held === undefined || claim.rank < held.rank) best.set(claim.field, { rank: claim.rank, value });
  }
  return new Map([...best].map(([field, { value }]) => [field, value]));
}

type Built = { ok: true; lead: LeadInput; outcome?: HistoricalOutcome } | { ok: false; issues: LeadIssue[] };

/** Where a lead came from, for the advice in messages. */
interface Origin {
  profile: Profile;
  /** Recognised by shape rather than named: messages say what it looked like. */
  detected: boolean;
  via: 'http' | 'file';
}

function campaignAdvice(origin: Origin): string {
  const { profile, detected, via } = origin;
  const example =
    profile.name === 'flat' || profile.name === 'native'
      ? '{"fields":{"UTM Campaign":"campaign"}}'
      : `{"profiles":{"${profile.name}":{"utm_campaign":"campaign"}}}`;
  if (via === 'file') {
    return `is required: no column feeds the campaign; give one with --campaign "Spring webinar", or map the column that holds it in LEAD_MAPPING, e.g. ${example}`;
  }
  const fix = `add ?campaign=NAME to the URL, or map the property that holds it in LEAD_MAPPING, e.g. ${example}`;
  if (profile.name === 'flat' || profile.name === 'native') {
    return `is required: the campaign that produced the lead; send a "campaign" field, ${fix}`;
  }
  return detected
    ? `is required: this looks like a ${profile.label} ${profile.record}, which names no campaign; ${fix}`
    : `is required: this ${profile.label} ${profile.record} names no campaign; ${fix}`;
}

function build(
  values: Map<MappedField, unknown>,
  options: IntakeOptions,
  origin: Origin,
  zone: string,
): Built {
  const text = (field: MappedField) => {
    const value = values.get(field);
    return present(value) ? coerceText(value) : undefined;
  };
  const candidate: Record<string, unknown> = {
    externalId: text('externalId'),
    email: text('email'),
    name: text('name') ?? joinName(coerceText(values.get('firstName')), coerceText(values.get('lastName'))),
    company: text('company'),
    title: text('title'),
    phone: text('phone'),
    country: text('country'),
    campaign: text('campaign') ?? options.campaign ?? options.mapping.defaults.campaign,
    source: text('source') ?? options.mapping.defaults.source,
    score: present(values.get('score')) ? coerceNumber(values.get('score')) : undefined,
    url: text('url'),
    notes: text('notes'),
    createdAt: present(values.get('createdAt')) ? coerceDate(values.get('createdAt'), zone) : undefined,
  };
  for (const key of Object.keys(candidate)) if (candidate[key] === undefined) delete candidate[key];
  const parsed = leadInputSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      issues: issuesOf(parsed.error, 0).map((issue) => ({
        ...issue,
        message: explain(issue, candidate, origin),
      })),
    };
  }
  const status = text('status');
  const reason = text('statusReason');
  return {
    ok: true,
    lead: parsed.data,
    ...(typeof status === 'string'
      ? { outcome: { status, ...(typeof reason === 'string' ? { reason } : {}) } }
      : {}),
  };
}

/** The schema's message, or one that names the real problem for a vendor's record. */
function explain(issue: LeadIssue, candidate: Record<string, unknown>, origin: Origin): string {
  const { profile } = origin;
  if (issue.path === 'campaign' && candidate.campaign === undefined) return campaignAdvice(origin);
  if (issue.path === 'createdAt') {
    return `cannot be read as a date (${JSON.stringify(candidate.createdAt)}); send e.g. 2026-11-20T14:03:00Z, 2026-11-20 14:03, 11/20/2026 or epoch milliseconds`;
  }
  if (issue.path === 'email' && issue.message === 'email or name is required') {
    return `email or name is required: this ${profile.label} ${profile.record} has neither; map the ${origin.via === 'file' ? 'column' : 'property'} that holds one in LEAD_MAPPING`;
  }
  return issue.message;
}

function reasonOf(issues: LeadIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/* ---------- JSON bodies ---------- */

function scalarEntries(record: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(record)
    .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
    .map(([k, v]) => [`${prefix}${k}`, v]);
}

/** Pipedrive sends emails and phones as lists of `{value, primary}`: the primary one, else the first. */
function primaryValue(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  const items = list.filter(isObject);
  return (items.find((i) => i.primary === true) ?? items[0])?.value;
}

/** A vendor's record as (name, value) pairs, its nesting undone as the vendor documents it. */
function entriesOf(item: Record<string, unknown>, profile: ProfileName): [string, unknown][] {
  switch (profile) {
    case 'hubspot': {
      // v1 (legacy contact): {"vid", "portal-id", "profile-url", "properties": {"email": {"value": …}}};
      // v3 (CRM object): {"id", "properties": {"email": "…"}, "createdAt"}.
      const properties = isObject(item.properties) ? item.properties : {};
      const own: [string, unknown][] = Object.entries(properties).map(([k, v]) => [
        k,
        isObject(v) && 'value' in v ? v.value : v,
      ]);
      return [...own, ...scalarEntries(item)];
    }
    case 'pipedrive': {
      // v2: {"meta": {"entity": "person"}, "data": {…}}; v1: {"meta": {"object": "person"}, "current": {…}}.
      const record = isObject(item.data) ? item.data : isObject(item.current) ? item.current : item;
      return [
        ...scalarEntries(record),
        ['email', primaryValue(record.emails ?? record.email)],
        ['phone', primaryValue(record.phones ?? record.phone)],
      ];
    }
    case 'salesforce': {
      // Relationship fields arrive nested ({"Campaign": {"Name": …}}): read as Campaign.Name.
      const nested = Object.entries(item).flatMap(([k, v]) =>
        isObject(v) && k !== 'attributes' ? scalarEntries(v, `${k}.`) : [],
      );
      return [...scalarEntries(item), ...nested];
    }
    default:
      return scalarEntries(item);
  }
}

function pipedriveEntity(item: Record<string, unknown>): string | undefined {
  const meta = isObject(item.meta) ? item.meta : {};
  const entity = meta.entity ?? meta.object;
  return typeof entity === 'string' ? entity : undefined;
}

const NATIVE_KEYS = new Set(Object.keys(leadInputSchema.shape ?? {}));

/** Today's JSON: only native names, each with the type the native API takes. */
function isNativeShaped(item: Record<string, unknown>, claims: Map<string, Claim>): boolean {
  for (const [key, value] of Object.entries(item)) {
    if (NATIVE_KEYS.has(key)) {
      if (key === 'score' && typeof value === 'string' && typeof coerceNumber(value) === 'number')
        return false;
      if (key === 'externalId' && typeof value === 'number') return false;
      if (key === 'createdAt' && typeof value === 'number') return false;
    } else if (claims.has(nameKey(key))) {
      return false;
    }
  }
  return true;
}

type Detection = ProfileName | 'nested';

function detect(item: unknown, mapping: LeadMapping): Detection {
  if (!isObject(item)) return 'native';
  if (isObject(item.properties)) return 'hubspot';
  if (isObject(item.meta) && (isObject(item.data) || isObject(item.current))) return 'pipedrive';
  if (isSalesforceRecord(item)) return 'salesforce';
  if ('leadScore' in item || 'acquisitionProgramId' in item || 'acquisitionProgramName' in item)
    return 'marketo';
  const claims = claimsFor('flat', mapping);
  if (!isNativeShaped(item, claims)) return 'flat';
  const hasNative = Object.keys(item).some((k) => NATIVE_KEYS.has(k));
  const nested = Object.values(item).some((v) => isObject(v) || (Array.isArray(v) && v.some(isObject)));
  return !hasNative && nested ? 'nested' : 'native';
}

function nestedReason(item: Record<string, unknown>): string {
  const under = Object.entries(item)
    .filter(([, v]) => isObject(v) || Array.isArray(v))
    .map(([k]) => `"${k}"`)
    .slice(0, 3)
    .join(', ');
  return `looks like a nested object (fields under ${under}), not a lead Leadloop recognises: send the lead's fields at the top level, name the sender with ?profile=hubspot (or salesforce, marketo, pipedrive, flat), or map its fields in LEAD_MAPPING`;
}

function interpretItem(
  item: unknown,
  profileName: ProfileName,
  detected: boolean,
  options: IntakeOptions,
): VendorItem {
  const fail = (path: string, message: string): VendorItem => ({
    ok: false,
    raw: item,
    reason: `${path}: ${message}`,
    issues: [{ index: 0, path, message }],
  });
  if (!isObject(item)) return fail('(lead)', 'must be a JSON object');
  const profile = PROFILES[profileName];
  if (profileName === 'pipedrive') {
    const entity = pipedriveEntity(item);
    if (entity !== undefined && entity !== 'person') {
      return fail(
        '(lead)',
        `is a Pipedrive ${entity} event; Leadloop reads person events (it needs the email or name): make the webhook's object "person"`,
      );
    }
  }
  const values = pick(entriesOf(item, profileName), claimsFor(profileName, options.mapping));
  const built = build(
    values,
    options,
    { profile, detected, via: 'http' },
    profile.apiZone ?? options.timezone,
  );
  return built.ok
    ? { ok: true, lead: built.lead, raw: item }
    : { ok: false, raw: item, reason: reasonOf(built.issues), issues: built.issues };
}

/** The request's and the mapping's defaults, for native leads that name no campaign or source. */
function withDefaults(body: unknown, options: IntakeOptions): unknown {
  const campaign = options.campaign ?? options.mapping.defaults.campaign;
  const source = options.mapping.defaults.source;
  if (campaign === undefined && source === undefined) return body;
  const fill = (item: unknown) => {
    if (!isObject(item)) return item;
    const filled = { ...item };
    if (campaign !== undefined && !present(filled.campaign)) filled.campaign = campaign;
    if (source !== undefined && !present(filled.source)) filled.source = source;
    return filled;
  };
  return Array.isArray(body) ? body.map(fill) : fill(body);
}

/**
 * A POST /leads body → native leads (strict, all or nothing) or vendor items (each on its own).
 * A body is one object or an array of 1 to MAX_BATCH. Recognition, when no profile is named:
 * `properties` → HubSpot; `meta` + `data`/`current` → Pipedrive; `attributes.type` or Salesforce
 * API names (FirstName, LeadSource…) → Salesforce; Marketo's `leadScore` → Marketo; names that
 * are not Leadloop's but are known (firstname, Email Address, the mapping's) or numbers sent as
 * text → flat; otherwise native. One vendor item makes the whole body vendor-shaped.
 */
export function interpretBody(body: unknown, options: IntakeOptions): Interpretation {
  const items = Array.isArray(body) ? body : [body];
  const batchSizeOk = !Array.isArray(body) || (body.length > 0 && body.length <= MAX_BATCH);
  if (options.profile === 'native' || !batchSizeOk) {
    return { kind: 'native', parse: parseLeadBatch(withDefaults(body, options)) };
  }
  if (options.profile !== undefined) {
    const named = options.profile;
    return {
      kind: 'vendor',
      profile: named,
      items: items.map((item) => interpretItem(item, named, false, options)),
    };
  }
  const detections = items.map((item) => detect(item, options.mapping));
  const first = detections.find((d) => d !== 'native');
  if (first === undefined) return { kind: 'native', parse: parseLeadBatch(withDefaults(body, options)) };
  return {
    kind: 'vendor',
    profile: first === 'nested' ? 'flat' : first,
    items: items.map((item, i) => {
      const detection = detections[i] ?? 'native';
      if (detection === 'nested' && isObject(item)) {
        const reason = nestedReason(item);
        return {
          ok: false,
          raw: item,
          reason: `(lead): ${reason}`,
          issues: [{ index: 0, path: '(lead)', message: reason }],
        };
      }
      return interpretItem(
        item,
        detection === 'native' || detection === 'nested' ? 'flat' : detection,
        true,
        options,
      );
    }),
  };
}

/* ---------- CSV ---------- */

interface CompiledPlan {
  /** Per column (in file order): its field and rank, or undefined when ignored. */
  claims: (Claim | undefined)[];
}

const compiled = new WeakMap<ColumnPlan, CompiledPlan>();

/**
 * Which column feeds which field. The vendor is the one named (`--from`), or recognised by its
 * headers (profileFromHeaders). When several columns feed one field, the best-ranked non-blank
 * cell wins in each row (Salesforce CampaignMember: `LeadId` over the member's own `Id`).
 */
export function planColumns(
  headers: string[],
  options: { profile?: ProfileName; mapping: LeadMapping },
): ColumnPlan {
  const profile = options.profile ?? profileFromHeaders(headers, nameKey);
  const claims = claimsFor(profile, options.mapping);
  const columnClaims = headers.map((header) => claims.get(nameKey(header)));
  const plan: ColumnPlan = {
    profile,
    columns: headers.map((header, i) => {
      const field = columnClaims[i]?.field;
      return field === undefined ? { header } : { header, field };
    }),
    ignored: headers.filter((h, i) => columnClaims[i] === undefined && h.trim() !== '').map((h) => h.trim()),
  };
  compiled.set(plan, { claims: columnClaims });
  return plan;
}

/** One CSV row (header → cell) through its plan: a lead with its past outcome, or its issues. */
export function rowToLead(
  record: Record<string, string>,
  plan: ColumnPlan,
  options: IntakeOptions,
): RowResult {
  let claims = compiled.get(plan)?.claims;
  if (claims === undefined) {
    // A plan built by hand (or copied): rank its columns as planColumns would.
    const all = claimsFor(plan.profile, options.mapping);
    claims = plan.columns.map((c) =>
      c.field === undefined
        ? undefined
        : (all.get(nameKey(c.header)) ?? { field: c.field, rank: ADMIN_RANK }),
    );
  }
  const best = new Map<MappedField, { rank: number; value: string }>();
  plan.columns.forEach((column, i) => {
    const claim = claims[i];
    if (claim === undefined) return;
    const value = record[column.header];
    if (value === undefined || value.trim() === '') return;
    const held = best.get(claim.field);
    if (held === undefined || claim.rank < held.rank)
      best.set(claim.field, { rank: claim.rank, value: value.trim() });
  });
  const values = new Map([...best].map(([field, { value }]) => [field, value as unknown]));
  return build(
    values,
    options,
    { profile: PROFILES[plan.profile], detected: false, via: 'file' },
    options.timezone,
  );
}
