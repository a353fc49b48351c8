import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  checkPeriodToken,
  isoWeekOf,
  lastFullWeek,
  type Period,
  PeriodError,
  type PeriodSpec,
  parsePeriodToken,
  previousPeriod,
  resolvePeriod,
  startOfDay,
} from '../../src/domain/period.js';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;

/** Boundaries are written by hand as local times with their offset, so each test states its math. */
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test time ${iso}`);
  return ms;
};

const resolve = (token: string, now: string, zone: string): Period =>
  resolvePeriod(parsePeriodToken(token)!, at(now), zone);

const contains = (p: Period, ms: number) => p.start <= ms && ms < p.end;

const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone, locale: 'en-US' });

describe('parsePeriodToken', () => {
  it('reads every form, in any case', () => {
    const cases: [string, PeriodSpec][] = [
      ['7d', { kind: 'days', days: 7 }],
      ['30d', { kind: 'days', days: 30 }],
      ['90D', { kind: 'days', days: 90 }],
      ['1d', { kind: 'days', days: 1 }],
      ['3650d', { kind: 'days', days: 3650 }],
      ['014d', { kind: 'days', days: 14 }],
      ['week', { kind: 'week' }],
      ['Last-Week', { kind: 'last-week' }],
      ['LASTWEEK', { kind: 'last-week' }],
      ['month', { kind: 'month' }],
      ['Quarter', { kind: 'quarter' }],
      ['YTD', { kind: 'ytd' }],
      ['2026-10-01..2026-10-31', { kind: 'range', from: '2026-10-01', to: '2026-10-31' }],
      ['2026-1-5..2026-1-9', { kind: 'range', from: '2026-01-05', to: '2026-01-09' }],
      ['2028-02-29..2028-02-29', { kind: 'range', from: '2028-02-29', to: '2028-02-29' }],
      ['2026-W47', { kind: 'iso-week', week: '2026-W47' }],
      ['2026-w7', { kind: 'iso-week', week: '2026-W07' }],
      ['2026-W53', { kind: 'iso-week', week: '2026-W53' }],
    ];
    for (const [token, spec] of cases) expect(parsePeriodToken(token), token).toEqual(spec);
  });

  it('refuses everything else, and never normalises an impossible date', () => {
    for (const token of [
      '',
      'foo',
      'd',
      '7',
      '-7d',
      '7.5d',
      '0d',
      '3651d',
      'weeks',
      'last week',
      '2026-02-30..2026-03-01',
      '2026-02-29..2026-03-01',
      '2026-13-01..2026-13-02',
      '2026-10-31..2026-10-01',
      '2016-01-01..2026-01-01',
      '2026-10-01',
      '2026-10-01..',
      '2026-W00',
      '2025-W53',
      '2026-W54',
      '2026-W47-1',
    ]) {
      expect(parsePeriodToken(token), token).toBeUndefined();
    }
  });

  it('tells a period that cannot be from a word that is not a period at all', () => {
    expect(checkPeriodToken('Spring')).toBeUndefined();
    expect(checkPeriodToken('2026-02-30..2026-03-01')).toEqual({
      ok: false,
      error: '"2026-02-30" is not a date.',
    });
    expect(checkPeriodToken('2026-10-31..2026-10-01')).toEqual({
      ok: false,
      error: 'The range ends before it starts: 2026-10-31..2026-10-01.',
    });
  });

  it('allows a range of exactly ten years and no more', () => {
    expect(parsePeriodToken('2016-01-01..2025-12-31')).toBeDefined();
    expect(checkPeriodToken('2016-01-01..2026-01-01')).toEqual({
      ok: false,
      error: 'The range is longer than 10 years: 2016-01-01..2026-01-01.',
    });
  });
});

describe('resolvePeriod: Nd is today and the N-1 days before it', () => {
  it('starts at local midnight N-1 days ago and ends now (Berlin)', () => {
    const now = '2026-11-23T15:00:00+01:00';
    expect(resolve('7d', now, BERLIN)).toEqual({
      start: at('2026-11-17T00:00:00+01:00'),
      end: at(now),
      label: 'last 7 days (Nov 17 – Nov 23, 2026)',
      spec: { kind: 'days', days: 7 },
    });
    expect(resolve('1d', now, BERLIN)).toMatchObject({
      start: at('2026-11-23T00:00:00+01:00'),
      label: 'today (Nov 23, 2026)',
    });
    // 2026-10-25 is the day Berlin leaves summer time; its midnight is still +02:00.
    expect(resolve('30d', now, BERLIN).start).toBe(at('2026-10-25T00:00:00+02:00'));
    expect(resolve('90d', now, BERLIN).start).toBe(at('2026-08-26T00:00:00+02:00'));
  });

  it('puts 23:59 and 00:01 local on the right side of the first day', () => {
    const p = resolve('7d', '2026-11-23T15:00:00+01:00', BERLIN);
    expect(contains(p, at('2026-11-16T23:59:00+01:00'))).toBe(false);
    expect(contains(p, at('2026-11-17T00:01:00+01:00'))).toBe(true);
  });

  it('counts days in the zone, not in UTC (New York)', () => {
    // 03:00 UTC on the 24th is still the evening of the 23rd in New York.
    const p = resolve('7d', '2026-11-24T03:00:00Z', NEW_YORK);
    expect(p.start).toBe(at('2026-11-17T00:00:00-05:00'));
    expect(p.label).toBe('last 7 days (Nov 17 – Nov 23, 2026)');
    expect(contains(p, at('2026-11-16T23:59:00-05:00'))).toBe(false);
    expect(contains(p, at('2026-11-17T00:01:00-05:00'))).toBe(true);
  });

  it('names both years when the days span New Year', () => {
    expect(resolve('30d', '2026-01-13T12:00:00+01:00', BERLIN).label).toBe(
      'last 30 days (Dec 15, 2025 – Jan 13, 2026)',
    );
  });
});

describe('resolvePeriod: weeks run Monday 00:00 to Monday 00:00 local', () => {
  it('this week runs from Monday 00:00 to now', () => {
    const now = '2026-11-25T10:00:00+01:00';
    expect(resolve('week', now, BERLIN)).toEqual({
      start: at('2026-11-23T00:00:00+01:00'),
      end: at(now),
      label: 'this week (Mon Nov 23 – today)',
      spec: { kind: 'week' },
    });
    expect(resolve('week', '2026-11-29T23:59:00+01:00', BERLIN).start).toBe(at('2026-11-23T00:00:00+01:00'));
    expect(resolve('week', '2026-11-30T00:01:00+01:00', BERLIN).start).toBe(at('2026-11-30T00:00:00+01:00'));
    // Sunday 23:30 in New York is already Monday in UTC; the week is still the one that began Nov 23.
    expect(resolve('week', '2026-11-30T04:30:00Z', NEW_YORK).start).toBe(at('2026-11-23T00:00:00-05:00'));
    expect(resolve('week', '2027-01-01T09:00:00+01:00', BERLIN).label).toBe(
      'this week (Mon Dec 28, 2026 – today)',
    );
  });

  it('last week is the previous full week', () => {
    expect(resolve('last-week', '2026-11-25T10:00:00+01:00', BERLIN)).toEqual({
      start: at('2026-11-16T00:00:00+01:00'),
      end: at('2026-11-23T00:00:00+01:00'),
      label: 'last week (Nov 16 – 22, 2026)',
      spec: { kind: 'last-week' },
    });
    expect(resolve('last-week', '2026-12-09T10:00:00+01:00', BERLIN).label).toBe(
      'last week (Nov 30 – Dec 6, 2026)',
    );
    expect(resolve('last-week', '2027-01-06T10:00:00+01:00', BERLIN).label).toBe(
      'last week (Dec 28, 2026 – Jan 3, 2027)',
    );
    const ny = resolve('lastweek', '2026-11-25T10:00:00-05:00', NEW_YORK);
    expect([ny.start, ny.end]).toEqual([at('2026-11-16T00:00:00-05:00'), at('2026-11-23T00:00:00-05:00')]);
  });

  it('an ISO week is that Monday to the next', () => {
    expect(resolve('2026-W47', '2030-01-01T00:00:00Z', BERLIN)).toEqual({
      start: at('2026-11-16T00:00:00+01:00'),
      end: at('2026-11-23T00:00:00+01:00'),
      label: 'week 2026-W47 (Nov 16 – 22)',
      spec: { kind: 'iso-week', week: '2026-W47' },
    });
    const ny = resolve('2026-W47', '2020-01-01T00:00:00Z', NEW_YORK);
    expect([ny.start, ny.end]).toEqual([at('2026-11-16T00:00:00-05:00'), at('2026-11-23T00:00:00-05:00')]);
    expect(contains(ny, at('2026-11-22T23:59:00-05:00'))).toBe(true);
    expect(contains(ny, at('2026-11-23T00:01:00-05:00'))).toBe(false);
    expect(contains(ny, at('2026-11-15T23:59:00-05:00'))).toBe(false);
    expect(contains(ny, at('2026-11-16T00:01:00-05:00'))).toBe(true);
    // Week 1 of 2026 starts in 2025; 2026 has a week 53 that ends in 2027.
    expect(resolve('2026-W01', '2026-06-01T00:00:00Z', BERLIN)).toMatchObject({
      start: at('2025-12-29T00:00:00+01:00'),
      label: 'week 2026-W01 (Dec 29 – Jan 4)',
    });
    expect(resolve('2026-W53', '2026-06-01T00:00:00Z', BERLIN)).toMatchObject({
      end: at('2027-01-04T00:00:00+01:00'),
      label: 'week 2026-W53 (Dec 28 – Jan 3)',
    });
  });

  describe.each([
    {
      zone: BERLIN,
      week: '2026-W13',
      sunday: '2026-03-29',
      from: '2026-03-23T00:00:00+01:00',
      to: '2026-03-30T00:00:00+02:00',
      hours: 167,
    },
    {
      zone: BERLIN,
      week: '2026-W43',
      sunday: '2026-10-25',
      from: '2026-10-19T00:00:00+02:00',
      to: '2026-10-26T00:00:00+01:00',
      hours: 169,
    },
    {
      zone: NEW_YORK,
      week: '2026-W10',
      sunday: '2026-03-08',
      from: '2026-03-02T00:00:00-05:00',
      to: '2026-03-09T00:00:00-04:00',
      hours: 167,
    },
    {
      zone: NEW_YORK,
      week: '2026-W44',
      sunday: '2026-11-01',
      from: '2026-10-26T00:00:00-04:00',
      to: '2026-11-02T00:00:00-05:00',
      hours: 169,
    },
  ])('the DST week $week in $zone (clocks change on $sunday)', ({ zone, week, sunday, from, to, hours }) => {
    const expected = { start: at(from), end: at(to) };

    it(`is ${hours} hours, Monday 00:00 to Monday 00:00 local`, () => {
      const p = resolvePeriod({ kind: 'iso-week', week }, 0, zone);
      expect(p).toMatchObject(expected);
      expect((p.end - p.start) / HOUR).toBe(hours);
      expect(local(p.start, zone).toFormat('ccc HH:mm')).toBe('Mon 00:00');
      expect(local(p.end, zone).toFormat('ccc HH:mm')).toBe('Mon 00:00');
    });

    it('is the same week whether named, last week, the digest week or the week before the next', () => {
      const wednesdayAfter = local(at(to), zone).plus({ days: 2, hours: 9 }).toMillis();
      expect(resolvePeriod({ kind: 'last-week' }, wednesdayAfter, zone)).toMatchObject(expected);
      expect(lastFullWeek(wednesdayAfter, zone)).toMatchObject({
        ...expected,
        spec: { kind: 'iso-week', week },
      });
      const next = resolvePeriod({ kind: 'iso-week', week: isoWeekOf(at(to), zone) }, 0, zone);
      expect(previousPeriod(next, zone)).toMatchObject(expected);
    });

    it('holds the Sunday at 23:59 and not the Monday after at 00:01', () => {
      const p = resolvePeriod({ kind: 'iso-week', week }, 0, zone);
      const sundayLate = local(at(to), zone).minus({ minutes: 1 });
      expect(sundayLate.toFormat('yyyy-MM-dd HH:mm')).toBe(`${sunday} 23:59`);
      expect(contains(p, sundayLate.toMillis())).toBe(true);
      expect(contains(p, at(to) + 60_000)).toBe(false);
      expect(contains(p, at(from) - 60_000)).toBe(false);
    });
  });
});

describe('resolvePeriod: month, quarter and year to date', () => {
  it('starts at the first of the month in the zone', () => {
    const now = '2026-11-23T15:00:00+01:00';
    expect(resolve('month', now, BERLIN)).toEqual({
      start: at('2026-11-01T00:00:00+01:00'),
      end: at(now),
      label: 'November 2026 to date',
      spec: { kind: 'month' },
    });
    // 22:00 on Nov 30 in New York (03:00 UTC on Dec 1) is still November, and Nov 1 began in summer time.
    expect(resolve('month', '2026-12-01T03:00:00Z', NEW_YORK)).toMatchObject({
      start: at('2026-11-01T00:00:00-04:00'),
      label: 'November 2026 to date',
    });
    expect(resolve('month', '2026-12-01T00:01:00-05:00', NEW_YORK).start).toBe(
      at('2026-12-01T00:00:00-05:00'),
    );
  });

  it('uses calendar quarters', () => {
    expect(resolve('quarter', '2026-11-23T15:00:00+01:00', BERLIN)).toMatchObject({
      start: at('2026-10-01T00:00:00+02:00'),
      label: 'Q4 2026 to date',
    });
    expect(resolve('quarter', '2026-03-31T23:59:00+02:00', BERLIN)).toMatchObject({
      start: at('2026-01-01T00:00:00+01:00'),
      label: 'Q1 2026 to date',
    });
    expect(resolve('quarter', '2026-04-01T00:01:00+02:00', BERLIN).start).toBe(
      at('2026-04-01T00:00:00+02:00'),
    );
    expect(resolve('quarter', '2026-07-01T03:00:00Z', NEW_YORK)).toMatchObject({
      start: at('2026-04-01T00:00:00-04:00'),
      label: 'Q2 2026 to date',
    });
  });

  it('starts the year at local New Year', () => {
    expect(resolve('ytd', '2026-11-23T15:00:00+01:00', BERLIN)).toMatchObject({
      start: at('2026-01-01T00:00:00+01:00'),
      label: '2026 to date',
    });
    expect(resolve('ytd', '2026-12-31T23:59:00-05:00', NEW_YORK)).toMatchObject({
      start: at('2026-01-01T00:00:00-05:00'),
      label: '2026 to date',
    });
    expect(resolve('ytd', '2027-01-01T00:01:00-05:00', NEW_YORK)).toMatchObject({
      start: at('2027-01-01T00:00:00-05:00'),
      label: '2027 to date',
    });
  });
});

describe('resolvePeriod: ranges include both days', () => {
  it('runs from the start of the first day to the start of the day after the last', () => {
    const p = resolve('2026-10-01..2026-10-31', '2030-01-01T00:00:00Z', BERLIN);
    expect(p).toEqual({
      start: at('2026-10-01T00:00:00+02:00'),
      end: at('2026-11-01T00:00:00+01:00'),
      label: 'Oct 1 – Oct 31, 2026',
      spec: { kind: 'range', from: '2026-10-01', to: '2026-10-31' },
    });
    // 31 days and the hour given back on Oct 25.
    expect((p.end - p.start) / HOUR).toBe(31 * 24 + 1);
    expect(contains(p, at('2026-10-31T23:59:00+01:00'))).toBe(true);
    expect(contains(p, at('2026-11-01T00:01:00+01:00'))).toBe(false);
    expect(contains(p, at('2026-09-30T23:59:00+02:00'))).toBe(false);
  });

  it('labels a single day and a span over New Year', () => {
    expect(resolve('2026-10-01..2026-10-01', '2030-01-01T00:00:00Z', NEW_YORK)).toMatchObject({
      start: at('2026-10-01T00:00:00-04:00'),
      end: at('2026-10-02T00:00:00-04:00'),
      label: 'Oct 1, 2026',
    });
    expect(resolve('2025-12-15..2026-01-13', '2030-01-01T00:00:00Z', NEW_YORK).label).toBe(
      'Dec 15, 2025 – Jan 13, 2026',
    );
  });

  it('throws a PeriodError a person can read for a spec no token could produce', () => {
    const bad = (spec: PeriodSpec) => () => resolvePeriod(spec, 0, BERLIN);
    expect(bad({ kind: 'range', from: '2026-10-31', to: '2026-10-01' })).toThrow(
      new PeriodError('The range ends before it starts: 2026-10-31..2026-10-01.'),
    );
    expect(bad({ kind: 'range', from: '2010-01-01', to: '2026-10-01' })).toThrow(
      'The range is longer than 10 years: 2010-01-01..2026-10-01.',
    );
    expect(bad({ kind: 'range', from: '2026-02-30', to: '2026-03-01' })).toThrow(
      '"2026-02-30" is not a date.',
    );
    expect(bad({ kind: 'days', days: 0 })).toThrow(PeriodError);
    expect(bad({ kind: 'days', days: 2.5 })).toThrow(PeriodError);
    expect(bad({ kind: 'iso-week', week: '2025-W53' })).toThrow(
      '"2025-W53" is not a week: 2025 has weeks W01 to W52.',
    );
  });

  it('refuses an unknown zone', () => {
    expect(() => resolvePeriod({ kind: 'week' }, 0, 'Mars/Olympus')).toThrow(
      /Unknown time zone "Mars\/Olympus"/,
    );
  });
});

describe('lastFullWeek', () => {
  it('is the same Monday–Sunday week from every weekday of the week after', () => {
    for (const [zone, offset] of [
      [BERLIN, '+01:00'],
      [NEW_YORK, '-05:00'],
    ] as const) {
      const expected = {
        start: at(`2026-11-16T00:00:00${offset}`),
        end: at(`2026-11-23T00:00:00${offset}`),
        label: 'week 2026-W47 (Nov 16 – 22)',
        spec: { kind: 'iso-week', week: '2026-W47' },
      };
      for (const day of [23, 24, 25, 26, 27, 28, 29]) {
        for (const time of ['00:00:00', '00:01:00', '09:00:00', '23:59:59.999']) {
          expect(lastFullWeek(at(`2026-11-${day}T${time}${offset}`), zone), `${zone} ${day} ${time}`).toEqual(
            expected,
          );
        }
      }
      // One millisecond earlier it is still the Sunday of the week being reported.
      expect(lastFullWeek(at(`2026-11-23T00:00:00${offset}`) - 1, zone).spec).toEqual({
        kind: 'iso-week',
        week: '2026-W46',
      });
    }
  });
});

describe('previousPeriod', () => {
  it('gives the week before a week, by the calendar across DST', () => {
    const w44 = resolvePeriod({ kind: 'iso-week', week: '2026-W44' }, 0, NEW_YORK);
    expect(previousPeriod(w44, NEW_YORK)).toEqual({
      start: at('2026-10-19T00:00:00-04:00'),
      end: at('2026-10-26T00:00:00-04:00'),
      label: 'week 2026-W43 (Oct 19 – 25)',
      spec: { kind: 'iso-week', week: '2026-W43' },
    });
    const last = resolve('last-week', '2026-11-25T10:00:00+01:00', BERLIN);
    expect(previousPeriod(last, BERLIN)).toMatchObject({
      start: at('2026-11-09T00:00:00+01:00'),
      end: last.start,
      spec: { kind: 'iso-week', week: '2026-W46' },
    });
    const firstOf2026 = resolvePeriod({ kind: 'iso-week', week: '2026-W01' }, 0, BERLIN);
    expect(previousPeriod(firstOf2026, BERLIN).spec).toEqual({ kind: 'iso-week', week: '2025-W52' });
  });

  it('gives the N whole days before the first day of Nd', () => {
    const p = resolve('7d', '2026-11-23T15:00:00+01:00', BERLIN);
    expect(previousPeriod(p, BERLIN)).toEqual({
      start: at('2026-11-10T00:00:00+01:00'),
      end: p.start,
      label: 'Nov 10 – Nov 16, 2026',
      spec: { kind: 'range', from: '2026-11-10', to: '2026-11-16' },
    });
  });

  it('steps a range back by its months when it is whole months, else by its days', () => {
    const prevOf = (token: string) =>
      previousPeriod(resolve(token, '2030-01-01T00:00:00Z', BERLIN), BERLIN).spec;
    expect(prevOf('2026-10-01..2026-10-31')).toEqual({ kind: 'range', from: '2026-09-01', to: '2026-09-30' });
    expect(prevOf('2026-03-01..2026-03-31')).toEqual({ kind: 'range', from: '2026-02-01', to: '2026-02-28' });
    expect(prevOf('2026-10-01..2026-12-31')).toEqual({ kind: 'range', from: '2026-07-01', to: '2026-09-30' });
    expect(prevOf('2026-01-01..2026-12-31')).toEqual({ kind: 'range', from: '2025-01-01', to: '2025-12-31' });
    expect(prevOf('2026-10-05..2026-10-14')).toEqual({ kind: 'range', from: '2026-09-25', to: '2026-10-04' });
    expect(prevOf('2026-03-02..2026-03-31')).toEqual({ kind: 'range', from: '2026-01-31', to: '2026-03-01' });
  });

  it('compares a period to date with the same stretch of the one before', () => {
    const month = resolve('month', '2026-03-31T15:00:00+02:00', BERLIN);
    expect(previousPeriod(month, BERLIN)).toEqual({
      start: at('2026-02-01T00:00:00+01:00'),
      end: at('2026-02-28T15:00:00+01:00'),
      label: 'February 2026 to Feb 28',
      spec: { kind: 'range', from: '2026-02-01', to: '2026-02-28' },
    });
    const week = resolve('week', '2026-11-25T10:00:00+01:00', BERLIN);
    expect(previousPeriod(week, BERLIN)).toMatchObject({
      start: at('2026-11-16T00:00:00+01:00'),
      end: at('2026-11-18T10:00:00+01:00'),
      label: 'week 2026-W47 to Wed Nov 18',
    });
    expect(previousPeriod(resolve('quarter', '2026-11-23T15:00:00+01:00', BERLIN), BERLIN)).toMatchObject({
      start: at('2026-07-01T00:00:00+02:00'),
      end: at('2026-08-23T15:00:00+02:00'),
      label: 'Q3 2026 to Aug 23',
    });
    expect(previousPeriod(resolve('ytd', '2026-11-23T15:00:00-05:00', NEW_YORK), NEW_YORK)).toMatchObject({
      start: at('2025-01-01T00:00:00-05:00'),
      end: at('2025-11-23T15:00:00-05:00'),
      label: '2025 to Nov 23',
    });
  });
});

describe('startOfDay and isoWeekOf', () => {
  it('cut days at local midnight', () => {
    expect(startOfDay(at('2026-11-22T23:59:00+01:00'), BERLIN)).toBe(at('2026-11-22T00:00:00+01:00'));
    expect(startOfDay(at('2026-11-23T00:01:00+01:00'), BERLIN)).toBe(at('2026-11-23T00:00:00+01:00'));
    expect(startOfDay(at('2026-11-23T04:00:00Z'), NEW_YORK)).toBe(at('2026-11-22T00:00:00-05:00'));
  });

  it('handles zones whose clocks skip or repeat midnight', () => {
    // Santiago skips from 00:00 to 01:00 on 2026-09-06: the day starts at 01:00.
    expect(startOfDay(at('2026-09-06T12:00:00-03:00'), 'America/Santiago')).toBe(
      at('2026-09-06T01:00:00-03:00'),
    );
    // Havana goes back from 01:00 to 00:00 on 2026-11-01: the day starts at the first midnight.
    const firstMidnight = at('2026-11-01T00:00:00-04:00');
    expect(startOfDay(firstMidnight + 30 * 60_000, 'America/Havana')).toBe(firstMidnight);
    expect(startOfDay(at('2026-11-01T00:30:00-05:00'), 'America/Havana')).toBe(firstMidnight);
  });

  it('names the ISO week in the zone', () => {
    // Sunday evening in New York, already Monday in Berlin.
    expect(isoWeekOf(at('2026-11-23T03:00:00Z'), NEW_YORK)).toBe('2026-W47');
    expect(isoWeekOf(at('2026-11-23T03:00:00Z'), BERLIN)).toBe('2026-W48');
    expect(isoWeekOf(at('2025-12-29T12:00:00Z'), BERLIN)).toBe('2026-W01');
    expect(isoWeekOf(at('2027-01-03T12:00:00Z'), BERLIN)).toBe('2026-W53');
  });
});

describe('properties over random instants and zones', () => {
  /** Zones with ordinary DST, none, half-hour DST, and midnights that are skipped or repeated. */
  const ZONES = [
    'UTC',
    BERLIN,
    NEW_YORK,
    'America/Santiago',
    'America/Havana',
    'Asia/Beirut',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Pacific/Chatham',
    'America/St_Johns',
    'Pacific/Apia',
  ];
  const instant = fc.integer({ min: at('1995-01-01T00:00:00Z'), max: at('2045-01-01T00:00:00Z') });
  const zone = fc.constantFrom(...ZONES);

  it('the day and the week containing an instant contain it', () => {
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        const dayStart = startOfDay(t, z);
        expect(dayStart).toBeLessThanOrEqual(t);
        expect(local(dayStart, z).toISODate()).toBe(local(t, z).toISODate());
        expect(local(dayStart - 1, z).toISODate()).not.toBe(local(t, z).toISODate());

        const week = resolvePeriod({ kind: 'iso-week', week: isoWeekOf(t, z) }, t, z);
        expect(contains(week, t)).toBe(true);
        expect(local(week.start, z).weekday).toBe(1);
        expect(local(week.start - 1, z).weekday).toBe(7);
        expect(resolvePeriod({ kind: 'week' }, t, z).start).toBe(week.start);
        expect(lastFullWeek(t, z).end).toBe(week.start);
      }),
      { numRuns: 500 },
    );
  });

  it('consecutive previous weeks tile without gaps and each is a week by the calendar', () => {
    fc.assert(
      fc.property(instant, zone, (t, z) => {
        let week = resolvePeriod({ kind: 'iso-week', week: isoWeekOf(t, z) }, t, z);
        for (let i = 0; i < 6; i++) {
          const before = previousPeriod(week, z);
          expect(before.end).toBe(week.start);
          expect(before.spec.kind).toBe('iso-week');
          const hours = (before.end - before.start) / HOUR;
          // Samoa skipped 2011-12-30 entirely; everywhere else a week is 168 h give or take an hour.
          if (z !== 'Pacific/Apia') expect(Math.abs(hours - 168)).toBeLessThanOrEqual(1);
          week = before;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('Nd holds today and the N-1 days before, and nothing earlier', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 1, max: 400 }), (t, z, n) => {
        const p = resolvePeriod({ kind: 'days', days: n }, t, z);
        expect(p.end).toBe(t);
        expect(p.start).toBe(startOfDay(p.start, z));
        const firstDay = local(t, z)
          .startOf('day')
          .minus({ days: n - 1 })
          .toISODate();
        expect(local(p.start, z).toISODate()).toBe(firstDay);
      }),
      { numRuns: 300 },
    );
  });
});

it('Samoa’s week without a Friday is six days long', () => {
  const p = resolvePeriod({ kind: 'iso-week', week: '2011-W52' }, 0, 'Pacific/Apia');
  expect((p.end - p.start) / HOUR).toBe(6 * 24);
});
