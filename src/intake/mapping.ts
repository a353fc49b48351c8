import { z } from 'zod';
import { nameKey } from './coerce.js';
import {
  type LeadMapping,
  MAPPABLE_FIELDS,
  type MappedField,
  PROFILE_NAMES,
  type ProfileName,
} from './types.js';

/**
 * The admin's mapping as written in LEAD_MAPPING or leadloop.mapping.json:
 *
 *   {"fields": {"UTM Campaign": "campaign"},
 *    "profiles": {"hubspot": {"Original Source Drill-Down 2": "source"}},
 *    "defaults": {"campaign": "Website", "source": "inbound"}}
 *
 * Every part is optional. Two names that are the same ignoring case and spacing may not feed
 * different fields; `native` has no mapping (its fields are the API).
 */
const fieldSchema = z.enum(MAPPABLE_FIELDS, {
  error: (issue) => `"${String(issue.input)}" is not a lead field; use one of ${MAPPABLE_FIELDS.join(', ')}`,
});

const namesSchema = z
  .record(z.string().trim().min(1, { error: 'a property or column name cannot be blank' }), fieldSchema)
  .superRefine((names, ctx) => {
    const seen = new Map<string, [string, MappedField]>();
    for (const [name, field] of Object.entries(names)) {
      const earlier = seen.get(nameKey(name));
      if (earlier && earlier[1] !== field) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${earlier[0]}" and "${name}" are the same name (case and spacing are ignored) but feed ${earlier[1]} and ${field}`,
        });
      }
      seen.set(nameKey(name), [name, field]);
    }
  });

const vendorProfiles = PROFILE_NAMES.filter((p) => p !== 'native');

const defaultText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'cannot be blank' })
    .max(max, {
      error: `must be at most ${max} characters`,
    });

export const leadMappingSchema = z
  .strictObject(
    {
      fields: namesSchema.optional(),
      profiles: z
        .record(z.string(), namesSchema)
        .superRefine((profiles, ctx) => {
          for (const name of Object.keys(profiles)) {
            if (!(vendorProfiles as string[]).includes(name)) {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: `"${name}" is not a profile; use one of ${vendorProfiles.join(', ')}`,
              });
            }
          }
        })
        .optional(),
      defaults: z
        .strictObject(
          { campaign: defaultText(200).optional(), source: defaultText(100).optional() },
          {
            error: (issue) =>
              issue.code === 'unrecognized_keys'
                ? 'only "campaign" and "source" can have defaults'
                : 'must be an object',
          },
        )
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown part ${issue.keys.map((k) => `"${k}"`).join(', ')}: a mapping has "fields", "profiles" and "defaults"`
          : 'must be a JSON object',
    },
  )
  .transform(
    (m): LeadMapping => ({
      fields: m.fields ?? {},
      profiles: (m.profiles ?? {}) as Partial<Record<ProfileName, Record<string, MappedField>>>,
      defaults: m.defaults ?? {},
    }),
  );

export const MAPPING_EXAMPLE =
  '{"fields":{"UTM Campaign":"campaign"},"profiles":{"hubspot":{"Original Source Drill-Down 2":"source"}},"defaults":{"campaign":"Website"}}';

/** JSON text → a mapping, or one readable line saying what is wrong. */
export function parseMapping(
  text: string,
): { ok: true; mapping: LeadMapping } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `is not valid JSON (${(error as Error).message}), e.g. ${MAPPING_EXAMPLE}` };
  }
  const parsed = leadMappingSchema.safeParse(json);
  if (parsed.success) return { ok: true, mapping: parsed.data };
  const why = parsed.error.issues
    .map((i) => `${i.path.length > 0 ? `${i.path.map(String).join(' › ')}: ` : ''}${i.message}`)
    .join('; ');
  return { ok: false, problem: `is not a valid mapping (${why}), e.g. ${MAPPING_EXAMPLE}` };
}
