import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/domain/pacing.js';

const T0 = 1_700_000_000_000;

describe('TokenBucket', () => {
  it('lets a burst go at once, then one per interval', () => {
    const bucket = new TokenBucket(3, 1000, T0);
    for (let i = 0; i < 3; i++) {
      expect(bucket.delay(T0)).toBe(0);
      bucket.take(T0);
    }
    expect(bucket.delay(T0)).toBe(1000);
    expect(bucket.delay(T0 + 400)).toBe(600);
    // Fractional refill may round the last millisecond up, never down.
    expect(bucket.delay(T0 + 999)).toBeGreaterThanOrEqual(1);
    expect(bucket.delay(T0 + 999)).toBeLessThanOrEqual(2);
    expect(bucket.delay(T0 + 1000)).toBe(0);
    bucket.take(T0 + 1000);
    expect(bucket.delay(T0 + 1000)).toBe(1000);
    expect(bucket.delay(T0 + 2000)).toBe(0);
    bucket.take(T0 + 2000);
    expect(bucket.delay(T0 + 2000)).toBeGreaterThan(0);
  });

  it('delay() does not take a token', () => {
    const bucket = new TokenBucket(1, 1000, T0);
    expect(bucket.delay(T0)).toBe(0);
    expect(bucket.delay(T0)).toBe(0);
    bucket.take(T0);
    expect(bucket.delay(T0)).toBe(1000);
  });

  it('caps the refill at the burst size however long it was idle', () => {
    const bucket = new TokenBucket(3, 1000, T0);
    bucket.take(T0);
    const later = T0 + 24 * 3600 * 1000;
    let taken = 0;
    while (bucket.delay(later) === 0 && taken < 100) {
      bucket.take(later);
      taken++;
    }
    expect(taken).toBe(3);
    expect(bucket.delay(later)).toBe(1000);
  });

  it('holdUntil blocks until then, and allows no burst right after', () => {
    const bucket = new TokenBucket(5, 1000, T0);
    bucket.take(T0);
    const until = T0 + 30_000;
    bucket.holdUntil(until);
    expect(bucket.delay(T0)).toBe(30_000);
    expect(bucket.delay(until - 1)).toBe(1);
    expect(bucket.delay(until)).toBe(0);
    bucket.take(until);
    // One post right after the hold, then back to one per interval: no burst of 5.
    expect(bucket.delay(until)).toBe(1000);
    expect(bucket.delay(until + 1000)).toBe(0);
  });

  it('a shorter hold does not shorten a longer one', () => {
    const bucket = new TokenBucket(2, 1000, T0);
    bucket.holdUntil(T0 + 10_000);
    bucket.holdUntil(T0 + 2_000);
    expect(bucket.delay(T0 + 5_000)).toBe(5_000);
  });

  /** Takes at each step only when the bucket says 0; returns the times of the takes. */
  function simulate(
    burst: number,
    intervalMs: number,
    steps: { kind: 'wait' | 'advance' | 'hold'; ms: number }[],
  ): number[] {
    const bucket = new TokenBucket(burst, intervalMs, T0);
    let now = T0;
    const takes: number[] = [];
    for (const step of steps) {
      if (step.kind === 'wait') now += bucket.delay(now);
      else if (step.kind === 'advance') now += step.ms;
      // A 429: Slack's Retry-After is whole seconds, at least one interval here.
      else bucket.holdUntil(now + intervalMs + step.ms);
      if (bucket.delay(now) === 0) {
        bucket.take(now);
        takes.push(now);
      }
    }
    return takes;
  }

  /** The largest number of takes in any closed window [t, t + length]. */
  function maxInWindow(takes: number[], length: number): number {
    let best = 0;
    let end = 0;
    for (let start = 0; start < takes.length; start++) {
      while (end < takes.length && (takes[end] as number) <= (takes[start] as number) + length) end++;
      best = Math.max(best, end - start);
    }
    return best;
  }

  const stepArb = (intervalMs: number) =>
    fc.oneof(
      fc.record({ kind: fc.constant('wait' as const), ms: fc.constant(0) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4 * intervalMs }) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 }) }),
    );

  it('never lets more than burst + k posts into any window of k intervals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc
          .integer({ min: 1, max: 3000 })
          .chain((intervalMs) =>
            fc.tuple(
              fc.constant(intervalMs),
              fc.array(stepArb(intervalMs), { minLength: 1, maxLength: 300 }),
            ),
          ),
        (burst, [intervalMs, steps]) => {
          const takes = simulate(burst, intervalMs, steps);
          for (let k = 0; k <= 8; k++) {
            const most = maxInWindow(takes, k * intervalMs);
            if (most > burst + k) {
              throw new Error(
                `${most} takes within ${k} interval(s) of ${intervalMs} ms with burst ${burst}`,
              );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps that bound when 429 holds are mixed in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3000 }).chain((intervalMs) =>
          fc.tuple(
            fc.constant(intervalMs),
            fc.array(
              fc.oneof(
                stepArb(intervalMs),
                fc.record({
                  kind: fc.constant('hold' as const),
                  ms: fc.integer({ min: 0, max: 5 * intervalMs }),
                }),
              ),
              { minLength: 1, maxLength: 300 },
            ),
          ),
        ),
        (burst, [intervalMs, steps]) => {
          const takes = simulate(burst, intervalMs, steps);
          for (let k = 0; k <= 8; k++) {
            expect(maxInWindow(takes, k * intervalMs)).toBeLessThanOrEqual(burst + k);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does post at the full rate when the caller waits as told', () => {
    const takes = simulate(
      2,
      1000,
      Array.from({ length: 12 }, () => ({ kind: 'wait' as const, ms: 0 })),
    );
    // Two at once, then one a second: 12 posts by T0 + 10 s.
    expect(takes).toHaveLength(12);
    expect(takes.at(-1)).toBe(T0 + 10_000);
  });
});
