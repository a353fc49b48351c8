/**
 * Pure helpers for the "needs attention" list: items from a vendor that could not be stored as
 * leads (see src/storage/attention.ts). No database, no Slack.
 */

const MAX_DEPTH = 4;
const MAX_WHO = 200;
const EMAIL_KEY = /^(e-?mail|email_?address|emailaddress|person - email|lead\.email)$/i;
const NAME_KEY = /^(name|full_?name|fullname|person - name|contact_?name)$/i;
const FIRST_KEY = /^(first_?name|firstname|given_?name)$/i;
const LAST_KEY = /^(last_?name|lastname|family_?name|surname)$/i;

/** A vendor value: a plain string or number, or HubSpot v1's `{"value": …}`. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'value' in value) {
    return scalar((value as { value: unknown }).value);
  }
  return undefined;
}

interface Found {
  email?: string;
  name?: string;
  first?: string;
  last?: string;
}

function search(value: unknown, found: Found, depth: number): void {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 20)) search(item, found, depth + 1);
    return;
  }
  const nested: unknown[] = [];
  for (const [key, v] of Object.entries(value)) {
    const s = scalar(v);
    if (s !== undefined) {
      if (found.email === undefined && EMAIL_KEY.test(key) && s.includes('@')) found.email = s;
      else if (found.name === undefined && NAME_KEY.test(key)) found.name = s;
      else if (found.first === undefined && FIRST_KEY.test(key)) found.first = s;
      else if (found.last === undefined && LAST_KEY.test(key)) found.last = s;
    } else if (typeof v === 'object') nested.push(v);
  }
  for (const v of nested) search(v, found, depth + 1);
}

/**
 * Who an item seems to be, for a person scanning the list: "Ana Silva <ana@acme.io>", or the
 * email or name alone. Looks through nested objects (HubSpot's `properties`, v1 `{"value"}`).
 * A display guess only: nothing is decided on it.
 */
export function guessWho(raw: unknown): string | undefined {
  const found: Found = {};
  search(raw, found, 0);
  const name = found.name ?? ([found.first, found.last].filter(Boolean).join(' ') || undefined);
  const who = name && found.email ? `${name} <${found.email}>` : (found.email ?? name);
  return who === undefined ? undefined : who.slice(0, MAX_WHO);
}

export interface ReasonCount {
  reason: string;
  count: number;
}

/** The most common reasons first (ties: the first seen), at most `limit`. */
export function topReasons(reasons: readonly string[], limit = 3): ReasonCount[] {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, limit);
}
