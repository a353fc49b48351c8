import { describe, expect, it } from 'vitest';
import { coerceDate, coerceNumber, coerceText, joinName, nameKey } from '../../src/intake/coerce.js';

describe('coerceDate', () => {
  it.each([
    // An offset or Z is the instant, whatever the zone.
    ['2026-11-20T14:03:00Z', 'America/New_York', '2026-11-20T14:03:00.000Z'],
    ['2026-11-20T14:03:00.000+0000', 'Asia/Tokyo', '2026-11-20T14:03:00.000Z'],
    ['2026-11-20T15:03:00+01:00', 'UTC', '2026-11-20T14:03:00.000Z'],
    // Without an offset: the zone given (TIMEZONE), east and west of UTC.
    ['2026-11-20 14:03', 'Asia/Tokyo', '2026-11-20T05:03:00.000Z'],
    ['2026-11-20T14:03:00', 'America/New_York', '2026-11-20T19:03:00.000Z'],
    ['2026-11-20', 'Europe/Berlin', '2026-11-19T23:00:00.000Z'],
    // US order, as Salesforce reports and Excel show it in the US locale.
    ['11/20/2026', 'UTC', '2026-11-20T00:00:00.000Z'],
    ['11/20/2026 2:03 PM', 'America/New_York', '2026-11-20T19:03:00.000Z'],
    ['3/5/2026 14:03', 'UTC', '2026-03-05T14:03:00.000Z'],
    // Day first only when the first number cannot be a month; dotted dates are day first.
    ['20/11/2026 14:03', 'UTC', '2026-11-20T14:03:00.000Z'],
    ['20.11.2026 14:03', 'Europe/Berlin', '2026-11-20T13:03:00.000Z'],
    ['Nov 20, 2026 2:03 PM', 'UTC', '2026-11-20T14:03:00.000Z'],
  ])('reads %s in %s as %s', (text, zone, iso) => {
    expect(new Date(coerceDate(text, zone) as string).toISOString()).toBe(iso);
  });

  it('follows DST: summer and winter offsets, a skipped hour moves forward, a repeated one is the second (standard time)', () => {
    const utc = (text: string) => new Date(coerceDate(text, 'Europe/Berlin') as string).toISOString();
    expect(utc('2026-07-01 12:00')).toBe('2026-07-01T10:00:00.000Z');
    expect(utc('2026-12-01 12:00')).toBe('2026-12-01T11:00:00.000Z');
    expect(utc('2026-03-29 02:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(utc('2026-10-25 02:30')).toBe('2026-10-25T01:30:00.000Z');
    expect(new Date(coerceDate('2026-03-08 02:30', 'America/New_York') as string).toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('tells epoch seconds from milliseconds by size, as numbers or digit strings', () => {
    expect(coerceDate(1795183380, 'Asia/Tokyo')).toBe('2026-11-20T14:03:00.000Z');
    expect(coerceDate(1795183380000, 'Asia/Tokyo')).toBe('2026-11-20T14:03:00.000Z');
    expect(coerceDate('1795183380', 'UTC')).toBe('2026-11-20T14:03:00.000Z');
    expect(coerceDate('1795183380000', 'UTC')).toBe('2026-11-20T14:03:00.000Z');
  });

  it.each([['last tuesday'], ['13/13/2026'], ['2026-02-30'], [-5], [true]])(
    'leaves %s as it came, for the schema to refuse',
    (value) => {
      expect(coerceDate(value, 'UTC')).toBe(value);
    },
  );
});

describe('coerceNumber', () => {
  it.each([
    ['72', 72],
    [' 72 ', 72],
    ['-15', -15],
    ['72.5', 72.5],
    ['72,5', 72.5],
    ['1,250', 1250],
    ['1 250', 1250],
    [310, 310],
  ])('reads %j as %d', (value, number) => {
    expect(coerceNumber(value)).toBe(number);
  });

  it.each([['high'], ['72 points'], [''], ['1,2,3']])('leaves %j as it came', (value) => {
    expect(coerceNumber(value)).toBe(value);
  });
});

describe('small helpers', () => {
  it('makes ids text', () => {
    expect(coerceText(48213)).toBe('48213');
    expect(coerceText('00Q5g')).toBe('00Q5g');
  });
  it('joins first and last names', () => {
    expect(joinName(' Ana ', 'Silva')).toBe('Ana Silva');
    expect(joinName(undefined, 'Silva')).toBe('Silva');
    expect(joinName('', ' ')).toBeUndefined();
  });
  it('compares names ignoring case, spacing and separators', () => {
    expect(nameKey('\uFEFFCompany / Account')).toBe('companyaccount');
    expect(nameKey('CAMPAIGN.NAME')).toBe(nameKey('Campaign Name'));
    expect(nameKey('Person - Email')).toBe('personemail');
  });
});
