import { DateTime, type TokenParser } from 'luxon';

/**
 * Turning what vendors send into what the lead schema takes, where doing so cannot change the
 * meaning: numbers sent as text, numeric ids, epoch times and the common date layouts. A value
 * that cannot be read is returned as it came, so the schema names the problem.
 *
 * The zone rule: a date or time that carries an offset (`Z`, `+01:00`, `+0000`) is that instant;
 * one without (`2026-11-20 14:03`, `11/20/2026`) is read in the zone the caller gives: TIMEZONE,
 * or the zone a profile's vendor documents (Pipedrive's API times are UTC). A local time that a
 * DST change skips (02:30 on a spring-forward night) moves forward by the gap; one that happens
 * twice (autumn) is the second of the two (standard time), as Luxon reads it.
 */

/** Names compared ignoring case, spaces, `-`, `_`, `.`, `/` and a BOM: `Company / Account` = `companyaccount`. */
export function nameKey(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-./]+/g, '');
}

/** Blank text is no value. */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

/** `"72"`, `"72.5"`, `"72,5"`, `"1 234"` → numbers; anything else is left for the schema to refuse. */
export function coerceNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text);
  // A lone comma followed by other than three digits is a decimal comma ("72,5"), not thousands.
  if (/^[+-]?\d+,(\d{1,2}|\d{4,})$/.test(text)) return Number(text.replace(',', '.'));
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) return Number(text.replace(/,/g, ''));
  return value;
}

/** Ids are text: `48213` and `"48213"` are the same id. */
export function coerceText(value: unknown): unknown {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return value;
}

/** Epoch numbers below this are seconds (until the year 5138), above it milliseconds (after 1973). */
const EPOCH_MS_FROM = 1e11;

const LOCAL_FORMATS = [
  // US order first: Salesforce and Marketo in the US locale, HubSpot exports, Excel.
  'M/d/yyyy h:mm:ss a',
  'M/d/yyyy h:mm a',
  'M/d/yyyy H:mm:ss',
  'M/d/yyyy H:mm',
  'M/d/yyyy',
  'M/d/yy h:mm a',
  'M/d/yy',
  'd.M.yyyy H:mm:ss',
  'd.M.yyyy H:mm',
  'd.M.yyyy',
  'LLL d, yyyy h:mm:ss a',
  'LLL d, yyyy h:mm a',
  'LLL d, yyyy',
  'd LLL yyyy H:mm',
  'd LLL yyyy',
];
/** Day-first variants, used only when the first number cannot be a month (`20/11/2026`). */
const DAY_FIRST_FORMATS = ['d/M/yyyy H:mm:ss', 'd/M/yyyy H:mm', 'd/M/yyyy h:mm a', 'd/M/yyyy'];

/**
 * Each format compiled once: DateTime.fromFormat compiles its format on every call, which made
 * date parsing most of the time of a 100,000-row import.
 */
const PARSERS = new Map(
  [...LOCAL_FORMATS, ...DAY_FIRST_FORMATS].map((f) => [
    f,
    DateTime.buildFormatParser(f, { locale: 'en-US' }),
  ]),
);

/**
 * A creation time in any common layout → ISO 8601 with its offset, which the lead schema takes.
 * Numbers (and digit-only text) are epoch seconds or milliseconds, told apart by size.
 */
export function coerceDate(value: unknown, zone: string): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : value.toISOString();
  const epoch =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{9,14}$/.test(value.trim())
        ? Number(value)
        : undefined;
  if (epoch !== undefined) {
    if (!Number.isFinite(epoch) || epoch <= 0) return value;
    return (
      DateTime.fromMillis(epoch < EPOCH_MS_FROM ? epoch * 1000 : epoch, { zone: 'utc' }).toISO() ?? value
    );
  }
  if (typeof value !== 'string') return value;
  const text = value.trim().replace(/\s+/g, ' ');
  const options = { zone, setZone: true, locale: 'en-US' };
  const iso = DateTime.fromISO(text, options);
  if (iso.isValid) return iso.toISO();
  const sql = DateTime.fromSQL(text, options);
  if (sql.isValid) return sql.toISO();
  const rfc = DateTime.fromRFC2822(text, options);
  if (rfc.isValid) return rfc.toISO();
  const firstNumber = Number(/^(\d{1,2})\//.exec(text)?.[1] ?? 0);
  for (const format of firstNumber > 12 ? DAY_FIRST_FORMATS : LOCAL_FORMATS) {
    const parsed = DateTime.fromFormatParser(text, PARSERS.get(format) as TokenParser, options);
    if (parsed.isValid) return parsed.toISO();
  }
  return value;
}

/** First and last name joined, when no full name was sent. */
export function joinName(first: unknown, last: unknown): string | undefined {
  const parts = [first, last].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return parts.length > 0 ? parts.map((p) => p.trim()).join(' ') : undefined;
}
