import { DateTime } from 'luxon';

/**
 * Periods select leads by the time they were posted (a cohort), cut at local midnights in the
 * configured IANA zone. Pure: "now" and the zone are parameters; nothing here reads the clock.
 *
 * Calendar arithmetic (days, weeks, months) happens on calendar dates with no zone at all, and
 * a date becomes an instant only at the end, as "the first instant of that date in the zone".
 * So a week is always Monday 00:00 to Monday 00:00 local, 167 or 169 hours across DST.
 */

export type PeriodSpec =
  | { kind: 'days'; days: number }
  | { kind: 'week' | 'last-week' | 'month' | 'quarter' | 'ytd' }
  | { kind: 'range'; from: string /* YYYY-MM-DD */; to: string /* YYYY-MM-DD, inclusive */ }
  | { kind: 'iso-week'; week: string /* 2026-W47 */ };

export interface Period {
  /** First instant, ms since the epoch, inclusive. */
  start: number;
  /** Exclusive. */
  end: number;
  label: string;
  spec: PeriodSpec;
}

/** A period a person asked for that cannot be: the message is written to be shown to them. */
export class PeriodError extends Error {
  override name = 'PeriodError';
}

export const MAX_DAYS = 3650;
export const MAX_RANGE_YEARS = 10;

/** Month and weekday names in labels are English whatever the host's locale is. */
const LOCALE = 'en-US';

/** A date with no time and no zone: a UTC DateTime at midnight, used only for calendar math. */
type CalendarDay = DateTime;

const unknownZone = (zone: string) =>
  new RangeError(`Unknown time zone "${zone}"; use an IANA name such as Europe/Berlin.`);

function inZone(ms: number, zone: string): DateTime {
  if (!Number.isFinite(ms)) throw new RangeError(`A time must be a number of milliseconds, not ${ms}.`);
  const dt = DateTime.fromMillis(ms, { zone, locale: LOCALE });
  if (!dt.isValid) throw unknownZone(zone);
  return dt;
}

function dayOf(ms: number, zone: string): CalendarDay {
  const local = inZone(ms, zone);
  return DateTime.utc(local.year, local.month, local.day, { locale: LOCALE });
}

/**
 * The first instant of `day` in `zone`. Where the clock skips midnight that is 01:00 (Luxon
 * moves a missing time forward). Where the clock is set back to 00:00, local midnight happens
 * twice and Luxon picks the later one; the day began at the earlier one, so step back to it.
 */
function firstInstant(day: CalendarDay, zone: string): number {
  const guess = DateTime.fromObject({ year: day.year, month: day.month, day: day.day }, { zone });
  if (!guess.isValid) throw unknownZone(zone);
  const ms = guess.toMillis();
  const setBackMinutes = inZone(ms - 1, zone).offset - guess.offset;
  if (setBackMinutes > 0) {
    const earlier = ms - setBackMinutes * 60_000;
    if (dayOf(earlier, zone).equals(day)) return earlier;
  }
  return ms;
}

/** The first instant of the local day that contains `ms`. */
export function startOfDay(ms: number, zone: string): number {
  return firstInstant(dayOf(ms, zone), zone);
}

/** "2026-W47": the ISO week (Monday first; week 1 holds the year's first Thursday) in `zone`. */
export function isoWeekOf(ms: number, zone: string): string {
  const day = dayOf(ms, zone);
  return `${day.weekYear}-W${String(day.weekNumber).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Tokens

const NAMED: Record<string, PeriodSpec> = {
  week: { kind: 'week' },
  'last-week': { kind: 'last-week' },
  lastweek: { kind: 'last-week' },
  month: { kind: 'month' },
  quarter: { kind: 'quarter' },
  ytd: { kind: 'ytd' },
};

const DATE_SHAPE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATE_SHAPE_TEXT = '\\d{4}-\\d{1,2}-\\d{1,2}';
const RANGE = new RegExp(`^(${DATE_SHAPE_TEXT})\\.\\.(${DATE_SHAPE_TEXT})$`);
const RANGE_LIKE = new RegExp(`^${DATE_SHAPE_TEXT}\\.\\.|\\.\\.${DATE_SHAPE_TEXT}$`);
const ISO_WEEK = /^(\d{4})-w(\d{1,2})$/;
const DAYS = /^(\d+)d$/;

/** A real calendar date, never normalised: 2026-02-30 is not March 2. */
function calendarDay(text: string): CalendarDay | undefined {
  const m = DATE_SHAPE.exec(text);
  if (!m) return undefined;
  const day = DateTime.fromObject(
    { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) },
    { zone: 'utc', locale: LOCALE },
  );
  return day.isValid ? day : undefined;
}

const isoDate = (day: CalendarDay): string => day.toFormat('yyyy-MM-dd');

function weeksIn(weekYear: number): number {
  // 28 December always lies in the last ISO week of its year.
  return DateTime.utc(weekYear, 12, 28).weekNumber;
}

function rangeProblem(from: CalendarDay, to: CalendarDay): string | undefined {
  const text = `${isoDate(from)}..${isoDate(to)}`;
  if (to < from) return `The range ends before it starts: ${text}.`;
  if (to.plus({ days: 1 }) > from.plus({ years: MAX_RANGE_YEARS })) {
    return `The range is longer than ${MAX_RANGE_YEARS} years: ${text}.`;
  }
  return undefined;
}

const daysProblem = (days: number, shown: string): string | undefined =>
  Number.isInteger(days) && days >= 1 && days <= MAX_DAYS
    ? undefined
    : `"${shown}" is out of range: give 1 to ${MAX_DAYS} days, e.g. 90d.`;

function weekProblem(weekYear: number, week: number, shown: string): string | undefined {
  const weeks = weeksIn(weekYear);
  return week >= 1 && week <= weeks
    ? undefined
    : `"${shown}" is not a week: ${weekYear} has weeks W01 to W${weeks}.`;
}

export type PeriodTokenCheck = { ok: true; spec: PeriodSpec } | { ok: false; error: string };

/**
 * Reads one word as a period. `undefined`: the word is not shaped like a period at all (so the
 * grammar may treat it as something else). `ok: false`: it is meant as a period but cannot be
 * one, with a message for the person who typed it.
 */
export function checkPeriodToken(token: string): PeriodTokenCheck | undefined {
  const word = token.trim().toLowerCase();
  const named = NAMED[word];
  if (named) return { ok: true, spec: named };

  const days = DAYS.exec(word);
  if (days) {
    const n = Number(days[1]);
    const error = daysProblem(n, token.trim());
    return error ? { ok: false, error } : { ok: true, spec: { kind: 'days', days: n } };
  }

  const week = ISO_WEEK.exec(word);
  if (week) {
    const weekYear = Number(week[1]);
    const n = Number(week[2]);
    const error = weekProblem(weekYear, n, token.trim());
    if (error) return { ok: false, error };
    return { ok: true, spec: { kind: 'iso-week', week: `${weekYear}-W${String(n).padStart(2, '0')}` } };
  }

  const range = RANGE.exec(word);
  if (range) {
    const [fromText = '', toText = ''] = range.slice(1);
    const from = calendarDay(fromText);
    if (!from) return { ok: false, error: `"${fromText}" is not a date.` };
    const to = calendarDay(toText);
    if (!to) return { ok: false, error: `"${toText}" is not a date.` };
    const error = rangeProblem(from, to);
    if (error) return { ok: false, error };
    return { ok: true, spec: { kind: 'range', from: isoDate(from), to: isoDate(to) } };
  }
  if (RANGE_LIKE.test(word)) {
    return {
      ok: false,
      error: `"${token.trim()}" is not a range of days; write it as 2026-10-01..2026-10-31.`,
    };
  }

  if (DATE_SHAPE.test(word)) {
    const day = calendarDay(word);
    if (!day) return { ok: false, error: `"${token.trim()}" is not a date.` };
    const d = isoDate(day);
    return { ok: false, error: `"${token.trim()}" is a single day; write it as a range: ${d}..${d}.` };
  }
  return undefined;
}

/** `7d`, `week`, `last-week`, `month`, `quarter`, `ytd`, `2026-10-01..2026-10-31`, `2026-W47`. */
export function parsePeriodToken(token: string): PeriodSpec | undefined {
  const check = checkPeriodToken(token);
  return check?.ok ? check.spec : undefined;
}

// ---------------------------------------------------------------------------------------------
// Labels

const SPAN = ' – ';

/**
 * "Nov 16 – 22, 2026", "Nov 30 – Dec 6, 2026", "Dec 28, 2026 – Jan 3, 2027". Weeks fold a
 * repeated month ("Nov 16 – 22"); ranges and day counts name both ends the way they are typed.
 */
function daySpan(first: CalendarDay, last: CalendarDay, opts: { fold: boolean; year: boolean }): string {
  const y = opts.year ? ', yyyy' : '';
  if (first.equals(last)) return first.toFormat(`LLL d${y}`);
  if (first.year !== last.year) return `${first.toFormat(`LLL d${y}`)}${SPAN}${last.toFormat(`LLL d${y}`)}`;
  const lastFormat = opts.fold && first.month === last.month ? `d${y}` : `LLL d${y}`;
  return `${first.toFormat('LLL d')}${SPAN}${last.toFormat(lastFormat)}`;
}

const monthLabel = (day: CalendarDay): string => day.toFormat('LLLL yyyy');
const quarterLabel = (day: CalendarDay): string => `Q${day.quarter} ${day.year}`;

// ---------------------------------------------------------------------------------------------
// Resolution

function fromDays(first: CalendarDay, endDay: CalendarDay, zone: string, label: string, spec: PeriodSpec) {
  return { start: firstInstant(first, zone), end: firstInstant(endDay, zone), label, spec };
}

/** The Monday–Sunday week starting on `monday`, named by its ISO week. */
function isoWeekPeriod(monday: CalendarDay, zone: string): Period {
  const week = `${monday.weekYear}-W${String(monday.weekNumber).padStart(2, '0')}`;
  const label = `week ${week} (${daySpan(monday, monday.plus({ days: 6 }), { fold: true, year: false })})`;
  return fromDays(monday, monday.plus({ weeks: 1 }), zone, label, { kind: 'iso-week', week });
}

function rangePeriod(from: CalendarDay, to: CalendarDay, zone: string): Period {
  const label = daySpan(from, to, { fold: false, year: true });
  return fromDays(from, to.plus({ days: 1 }), zone, label, {
    kind: 'range',
    from: isoDate(from),
    to: isoDate(to),
  });
}

function parseRangeSpec(spec: { from: string; to: string }): { from: CalendarDay; to: CalendarDay } {
  const from = calendarDay(spec.from);
  if (!from) throw new PeriodError(`"${spec.from}" is not a date.`);
  const to = calendarDay(spec.to);
  if (!to) throw new PeriodError(`"${spec.to}" is not a date.`);
  const problem = rangeProblem(from, to);
  if (problem) throw new PeriodError(problem);
  return { from, to };
}

function parseWeekSpec(week: string): CalendarDay {
  const m = ISO_WEEK.exec(week.toLowerCase());
  if (!m) throw new PeriodError(`"${week}" is not a week; write it as 2026-W47.`);
  const weekYear = Number(m[1]);
  const n = Number(m[2]);
  const problem = weekProblem(weekYear, n, week);
  if (problem) throw new PeriodError(problem);
  return DateTime.fromObject({ weekYear, weekNumber: n, weekday: 1 }, { zone: 'utc', locale: LOCALE });
}

/**
 * Turns a spec into instants. "To date" periods end at `now`; named weeks and ranges end at a
 * local midnight whatever `now` is. Throws PeriodError for a spec no token could have produced
 * (a reversed range, 0 days, week 54) and RangeError for an unknown zone.
 */
export function resolvePeriod(spec: PeriodSpec, now: number, zone: string): Period {
  const today = dayOf(now, zone);
  const toDate = (first: CalendarDay, label: string): Period => ({
    start: firstInstant(first, zone),
    end: now,
    label,
    spec,
  });
  switch (spec.kind) {
    case 'days': {
      const problem = daysProblem(spec.days, `${spec.days}d`);
      if (problem) throw new PeriodError(problem);
      const first = today.minus({ days: spec.days - 1 });
      const span = daySpan(first, today, { fold: false, year: true });
      return toDate(first, spec.days === 1 ? `today (${span})` : `last ${spec.days} days (${span})`);
    }
    case 'week': {
      const monday = today.startOf('week');
      const shown = monday.toFormat(monday.year === today.year ? 'ccc LLL d' : 'ccc LLL d, yyyy');
      return toDate(monday, `this week (${shown}${SPAN}today)`);
    }
    case 'last-week': {
      const monday = today.startOf('week').minus({ weeks: 1 });
      const span = daySpan(monday, monday.plus({ days: 6 }), { fold: true, year: true });
      return fromDays(monday, monday.plus({ weeks: 1 }), zone, `last week (${span})`, spec);
    }
    case 'month':
      return toDate(today.startOf('month'), `${monthLabel(today)} to date`);
    case 'quarter':
      return toDate(today.startOf('quarter'), `${quarterLabel(today)} to date`);
    case 'ytd':
      return toDate(today.startOf('year'), `${today.year} to date`);
    case 'range': {
      const { from, to } = parseRangeSpec(spec);
      return { ...rangePeriod(from, to, zone), spec };
    }
    case 'iso-week':
      return isoWeekPeriod(parseWeekSpec(spec.week), zone);
  }
}

/**
 * The digest's week: the Monday–Sunday week before the current one, whatever weekday `now` is.
 * Named by its ISO week so that `digest --week 2026-W47` resolves to exactly the same period.
 */
export function lastFullWeek(now: number, zone: string): Period {
  return isoWeekPeriod(dayOf(now, zone).startOf('week').minus({ weeks: 1 }), zone);
}

/** How many whole calendar months a range covers, when it runs from a 1st to a month's last day. */
function wholeMonths(from: CalendarDay, to: CalendarDay): number | undefined {
  if (from.day !== 1 || to.plus({ days: 1 }).day !== 1) return undefined;
  return (to.year - from.year) * 12 + to.month - from.month + 1;
}

/**
 * The period to compare against ("change against the week before"), ending where this one
 * starts and as long in calendar terms:
 * - a week → the week before (167 to 169 hours across DST);
 * - `Nd` → the N whole days before its first day;
 * - a range of whole months (Oct 1..Dec 31) → as many months before; any other range → as many
 *   days before;
 * - a period "to date" (this week, month, quarter, year) → the same stretch of the previous one,
 *   e.g. Nov 1 – Nov 23 15:00 against Oct 1 – Oct 23 15:00. Its spec is the range of days it
 *   touches, so resolving that spec again gives whole days.
 */
export function previousPeriod(period: Period, zone: string): Period {
  const spec = period.spec;
  const first = dayOf(period.start, zone);
  switch (spec.kind) {
    case 'last-week':
    case 'iso-week':
      return isoWeekPeriod(first.startOf('week').minus({ weeks: 1 }), zone);
    case 'days':
      return rangePeriod(first.minus({ days: spec.days }), first.minus({ days: 1 }), zone);
    case 'range': {
      const { from, to } = parseRangeSpec(spec);
      const months = wholeMonths(from, to);
      const earlier =
        months === undefined
          ? from.minus({ days: Math.round(to.diff(from, 'days').days) + 1 })
          : from.minus({ months });
      return rangePeriod(earlier, from.minus({ days: 1 }), zone);
    }
    case 'week':
    case 'month':
    case 'quarter':
    case 'ytd': {
      const step = { week: { weeks: 1 }, month: { months: 1 }, quarter: { quarters: 1 }, ytd: { years: 1 } }[
        spec.kind
      ];
      const startDay = first.minus(step);
      const start = firstInstant(startDay, zone);
      // Wall-clock arithmetic in the zone: 23 Nov 15:00 → 23 Oct 15:00, 31 Mar → 28 Feb.
      const end = Math.max(start, Math.min(period.start, inZone(period.end, zone).minus(step).toMillis()));
      const lastDay = end > start ? dayOf(end - 1, zone) : startDay;
      const name = {
        week: () => `week ${isoWeekOf(start, zone)}`,
        month: () => monthLabel(startDay),
        quarter: () => quarterLabel(startDay),
        ytd: () => String(startDay.year),
      }[spec.kind]();
      const upTo = lastDay.toFormat(spec.kind === 'week' ? 'ccc LLL d' : 'LLL d');
      return {
        start,
        end,
        label: `${name} to ${upTo}`,
        spec: { kind: 'range', from: isoDate(startDay), to: isoDate(lastDay) },
      };
    }
  }
}
