import { z } from 'zod';

/**
 * Reject reasons: a short configured list. Each is either `disqualify` (not worth working) or
 * `recycle` (back to marketing nurture). A reason may require a note ("Other" does).
 */

export const REASON_KINDS = ['disqualify', 'recycle'] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];

export interface RejectReason {
  key: string;
  label: string;
  kind: ReasonKind;
  noteRequired: boolean;
}

export const DEFAULT_REASONS: RejectReason[] = [
  { key: 'bad_fit', label: 'Bad fit / not our ICP', kind: 'disqualify', noteRequired: false },
  { key: 'bad_data', label: 'Bad or fake contact data', kind: 'disqualify', noteRequired: false },
  { key: 'duplicate', label: 'Duplicate / already in pipeline', kind: 'disqualify', noteRequired: false },
  { key: 'competitor', label: 'Competitor, vendor or employee', kind: 'disqualify', noteRequired: false },
  { key: 'student', label: 'Student or personal use', kind: 'disqualify', noteRequired: false },
  { key: 'existing_customer', label: 'Existing customer', kind: 'disqualify', noteRequired: false },
  { key: 'not_ready', label: 'Not ready / timing', kind: 'recycle', noteRequired: false },
  { key: 'no_budget', label: 'No budget', kind: 'recycle', noteRequired: false },
  { key: 'no_authority', label: 'Not the decision maker', kind: 'recycle', noteRequired: false },
  { key: 'unreachable', label: 'Could not reach', kind: 'recycle', noteRequired: false },
  { key: 'other', label: 'Other (note required)', kind: 'disqualify', noteRequired: true },
];

/** Slack's limits: option text ≤ 75 characters, option value ≤ 150, ≤ 100 options in a select. */
export const reasonsSchema = z
  .array(
    z.object({
      key: z
        .string()
        .regex(/^[a-z0-9_]{1,40}$/, { error: 'keys are 1-40 lowercase letters, digits or underscores' }),
      label: z.string().trim().min(1).max(75, { error: 'labels are at most 75 characters (Slack’s limit)' }),
      kind: z.enum(REASON_KINDS, { error: 'kind is "disqualify" or "recycle"' }),
      noteRequired: z.boolean().optional(),
    }),
  )
  .min(1, { error: 'list at least one reason' })
  .max(100, { error: 'at most 100 reasons fit in a Slack menu' })
  .superRefine((reasons, ctx) => {
    const seen = new Set<string>();
    for (const r of reasons) {
      if (seen.has(r.key)) ctx.addIssue({ code: 'custom', message: `the key "${r.key}" is used twice` });
      seen.add(r.key);
    }
  })
  .transform((reasons) =>
    reasons.map((r): RejectReason => ({ ...r, noteRequired: r.noteRequired ?? r.key === 'other' })),
  );

export function reasonLabel(
  reasons: readonly RejectReason[],
  key: string | null | undefined,
): string | undefined {
  return key ? (reasons.find((r) => r.key === key)?.label ?? key) : undefined;
}
