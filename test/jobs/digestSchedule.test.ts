import { describe, expect, it } from 'vitest';
import { DigestScheduler, secondsOf } from '../../src/jobs/digest.js';
import { at } from '../harness/fixtures.js';

/** Only the schedule arithmetic: lastScheduledBefore reads nothing but its settings. */
function scheduler(cron: string, timezone = 'Europe/Berlin') {
  return new DigestScheduler({} as ConstructorParameters<typeof DigestScheduler>[0], { cron, timezone });
}

describe('the digest schedule', () => {
  it('finds the latest Monday 09:00 in TIMEZONE before now', () => {
    const now = at('2026-11-25T12:00:00+01:00');
    expect(scheduler('0 9 * * 1').lastScheduledBefore(now)).toBe(at('2026-11-23T09:00:00+01:00'));
    // Exactly at the scheduled time is not "before": the cron itself fires then.
    expect(scheduler('0 9 * * 1').lastScheduledBefore(at('2026-11-23T09:00:00+01:00'))).toBe(
      at('2026-11-16T09:00:00+01:00'),
    );
  });

  it('honours a seconds field, so a six-field DIGEST_CRON is caught up too', () => {
    expect(secondsOf('0 9 * * 1')).toEqual([0]);
    expect(secondsOf('30 0 9 * * 1')).toEqual([30]);
    expect(secondsOf('*/20 * * * * *')).toEqual([0, 20, 40]);
    const now = at('2026-11-25T12:00:00+01:00');
    expect(scheduler('30 0 9 * * 1').lastScheduledBefore(now)).toBe(at('2026-11-23T09:00:30+01:00'));
  });

  it('finds nothing for a schedule that fired more than 8 days ago', () => {
    expect(scheduler('0 9 1 1 *').lastScheduledBefore(at('2026-11-25T12:00:00+01:00'))).toBeUndefined();
  });
});
