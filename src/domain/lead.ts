import { domainToASCII } from 'node:url';
import { z } from 'zod';

/**
 * The lead as marketing sends it. One schema for every way in (HTTP, CSV), so a lead that is
 * valid in one is valid in the other. Unknown fields are stripped: they are never stored.
 */

export const MAX_BATCH = 1000;

const EMAIL_LOCAL_PART = /^(?:[\p{L}\p{N}_'+-]+\.)*[\p{L}\p{N}_'+-]*[\p{L}\p{N}_+-]$/u;
const ASCII_DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * An address whose domain may be internationalised (`ana@bücher.de`, `ana@xn--bcher-kva.de`,
 * `info@пример.рф`): the domain is checked in its ASCII (punycode) form, as mail servers see it.
 * zod's own email check takes ASCII domains only. The address is stored as sent.
 */
export function isEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  const ascii = domainToASCII(value.slice(at + 1));
  return ascii.length <= 253 && ASCII_DOMAIN.test(ascii) && EMAIL_LOCAL_PART.test(value.slice(0, at));
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .optional()
    .transform((v) => (v === '' ? undefined : v));

export const leadInputSchema = z
  .object({
    externalId: text(200),
    email: z
      .string()
      .trim()
      .transform((v) => (v === '' ? undefined : v))
      .pipe(
        z
          .string()
          .max(254, { error: 'must be at most 254 characters' })
          .refine(isEmailAddress, { error: 'must be an email address, e.g. ana.silva@acme.io' })
          .optional(),
      )
      .optional(),
    name: text(500),
    company: text(500),
    title: text(500),
    phone: text(50),
    country: text(100),
    campaign: z
      .string({ error: 'is required: the campaign that produced the lead, e.g. "2026-Q4 Webinar"' })
      .trim()
      .min(1, { error: 'is required: the campaign that produced the lead, e.g. "2026-Q4 Webinar"' })
      .max(200, { error: 'must be at most 200 characters' }),
    source: text(100),
    // Any range: HubSpot Score and Marketo Lead Score are not 0-100. Kept as sent, decimals too
    // (SQLite's integer affinity keeps 72.5 as a real and 72.0 as 72).
    score: z.number({ error: 'must be a number, e.g. 72' }).optional(),
    url: z
      .string()
      .trim()
      .max(2000, { error: 'must be at most 2000 characters' })
      .pipe(
        z.url({
          protocol: /^https?$/,
          error: 'must be an http(s) link, e.g. https://crm.example.com/contacts/1',
        }),
      )
      .optional()
      .or(z.literal('').transform(() => undefined)),
    notes: text(3000),
    createdAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-11-20T14:03:00Z' })
      .transform((v) => new Date(v))
      .optional(),
  })
  .superRefine((lead, ctx) => {
    if (lead.email === undefined && lead.name === undefined) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'email or name is required' });
    }
  });

export type LeadInput = z.output<typeof leadInputSchema>;

export interface LeadIssue {
  /** Position in the batch (0 for a single lead); the CSV importer maps it to a line number. */
  index: number;
  path: string;
  message: string;
}

export type BatchParse = { ok: true; leads: LeadInput[] } | { ok: false; issues: LeadIssue[] };

export function issuesOf(error: z.ZodError, index: number): LeadIssue[] {
  return error.issues.map((issue) => ({
    index,
    path: issue.path.map(String).join('.') || '(lead)',
    message: issue.message,
  }));
}

/** A body is one lead object or an array of 1 to MAX_BATCH; any invalid lead refuses the whole batch. */
export function parseLeadBatch(body: unknown): BatchParse {
  const items = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && (body.length === 0 || body.length > MAX_BATCH)) {
    return {
      ok: false,
      issues: [
        {
          index: 0,
          path: '(body)',
          message: `a batch holds 1 to ${MAX_BATCH} leads; this one has ${body.length}`,
        },
      ],
    };
  }
  const leads: LeadInput[] = [];
  const issues: LeadIssue[] = [];
  items.forEach((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      issues.push({ index, path: '(lead)', message: 'must be a JSON object' });
      return;
    }
    const parsed = leadInputSchema.safeParse(item);
    if (parsed.success) leads.push(parsed.data);
    else issues.push(...issuesOf(parsed.error, index));
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, leads };
}

/**
 * Campaign names that differ only in case, surrounding spaces or inner runs of spaces are one
 * campaign. The key is what stats group by; the first-seen spelling is what people see.
 */
export function campaignKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
