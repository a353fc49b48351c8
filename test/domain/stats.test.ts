import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCounts,
  concatNumbers,
  formatInterval,
  formatRate,
  judgeRate,
  kthOfSortedChunks,
  MIN_DECIDED_TO_JUDGE,
  median,
  medianOfSorted,
  medianOfSortedChunks,
  wilsonInterval,
  ZERO_COUNTS,
} from '../../src/domain/stats.js';

/*
 * Wilson score interval, closed form, with z = 1.959964 (z² = 3.841459):
 *
 *   centre = (p + z²/2n) / (1 + z²/n)
 *   margin = z · √(p(1−p)/n + z²/4n²) / (1 + z²/n)
 *
 * References below are worked by hand from it, to 4 decimals (the assertions allow 1e-4).
 */
const CLOSE = 4;

describe('wilsonInterval', () => {
  it('0 of 10: the lower end is exactly 0 and the upper end is z²/(n+z²)', () => {
    // p = 0, so margin = z·(z/2n)/(1+z²/n) = centre = (z²/20)/1.384146 = 0.192073/1.384146 = 0.138766.
    // low = 0; high = 2·0.138766 = 0.277533 = 3.841459/13.841459.
    const i = wilsonInterval(0, 10)!;
    expect(i.low).toBe(0);
    expect(i.high).toBeCloseTo(0.277533, CLOSE);
  });

  it('10 of 10: mirrors 0 of 10, the upper end is 1 and the lower end is n/(n+z²)', () => {
    // low = 10/13.841459 = 0.722467; high = 1 (clamped).
    const i = wilsonInterval(10, 10)!;
    expect(i.low).toBeCloseTo(0.722467, CLOSE);
    expect(i.high).toBeCloseTo(1, 12);
    expect(i.high).toBeLessThanOrEqual(1);
  });

  it('5 of 10: symmetric about 0.5', () => {
    // centre = (0.5 + 0.192073)/1.384146 = 0.5
    // margin = 1.959964·√(0.025 + 0.009604)/1.384146 = 1.959964·0.186021/1.384146 = 0.263407
    const i = wilsonInterval(5, 10)!;
    expect(i.low).toBeCloseTo(0.236593, CLOSE);
    expect(i.high).toBeCloseTo(0.763407, CLOSE);
    expect(i.low + i.high).toBeCloseTo(1, 12);
  });

  it('81 of 263: the published example, about 0.255 to 0.366', () => {
    // p = 0.307985; 1 + z²/n = 1.014606
    // centre = (0.307985 + 3.841459/526)/1.014606 = (0.307985 + 0.007303)/1.014606 = 0.310749
    // margin = 1.959964·√(0.307985·0.692015/263 + 3.841459/276676)/1.014606
    //        = 1.959964·√(0.00081039 + 0.00001388)/1.014606 = 1.959964·0.028710/1.014606 = 0.055461
    // → 0.255288 – 0.366210
    const i = wilsonInterval(81, 263)!;
    expect(i.low).toBeCloseTo(0.255288, CLOSE);
    expect(i.high).toBeCloseTo(0.36621, CLOSE);
    expect(formatInterval(i)).toBe('26–37%');
  });

  it('1 of 1 and 0 of 1 are wide, not a certainty', () => {
    // n = 1: 1 + z² = 4.841459; 0 of 1 → high = z²/(1+z²) = 0.793451; 1 of 1 → low = 1/4.841459 = 0.206549
    expect(wilsonInterval(0, 1)!.high).toBeCloseTo(0.793451, CLOSE);
    expect(wilsonInterval(1, 1)!.low).toBeCloseTo(0.206549, CLOSE);
  });

  it('has no interval without trials', () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(wilsonInterval(0, -1)).toBeUndefined();
  });

  it('a wider z gives a wider interval', () => {
    const z95 = wilsonInterval(81, 263)!;
    const z99 = wilsonInterval(81, 263, 2.5758)!;
    expect(z99.low).toBeLessThan(z95.low);
    expect(z99.high).toBeGreaterThan(z95.high);
  });

  it('always lies within [0, 1] and contains the observed rate', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 100_000 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([k, n]) => {
          const i = wilsonInterval(k, n)!;
          const p = k / n;
          expect(i.low).toBeGreaterThanOrEqual(0);
          expect(i.high).toBeLessThanOrEqual(1);
          expect(i.low).toBeLessThanOrEqual(p + 1e-12);
          expect(i.high).toBeGreaterThanOrEqual(p - 1e-12);
        },
      ),
    );
  });

  it('narrows as the sample grows at the same rate', () => {
    const width = (k: number, n: number) => {
      const i = wilsonInterval(k, n)!;
      return i.high - i.low;
    };
    expect(width(50, 100)).toBeLessThan(width(5, 10));
    expect(width(500, 1000)).toBeLessThan(width(50, 100));
  });
});

describe('median', () => {
  it('is the middle value of an odd count', () => {
    expect(median([7])).toBe(7);
    expect(median([5, 1, 3])).toBe(3);
    expect(medianOfSorted([1, 2, 100])).toBe(2);
  });

  it('is the mean of the middle two of an even count', () => {
    expect(median([4, 1])).toBe(2.5);
    expect(median([10, 1, 3, 2])).toBe(2.5);
    expect(medianOfSorted([60_000, 120_000, 180_000, 3_600_000])).toBe(150_000);
  });

  it('is undefined for no values', () => {
    expect(median([])).toBeUndefined();
    expect(medianOfSorted([])).toBeUndefined();
  });

  it('sorts numerically, not as text, and leaves its input alone', () => {
    const values = [100, 9, 20];
    expect(median(values)).toBe(20);
    expect(values).toEqual([100, 9, 20]);
  });

  it('agrees with medianOfSorted on any list', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 50 }), (values) => {
        const sorted = [...values].sort((a, b) => a - b);
        const m = median(values)!;
        expect(m).toBe(medianOfSorted(sorted));
        expect(m).toBeGreaterThanOrEqual(sorted[0]!);
        expect(m).toBeLessThanOrEqual(sorted.at(-1)!);
      }),
    );
  });
});

describe('medianOfSortedChunks', () => {
  /** Any list of numbers, cut into ascending pieces of any sizes (empty ones too). */
  const chunked = fc
    .tuple(
      fc.oneof(
        fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 80 }),
        // + 0 folds -0 into 0, which the two methods may pick in either order.
        fc.array(
          fc.double({ noNaN: true, min: -1e12, max: 1e12 }).map((v) => v + 0),
          { maxLength: 80 },
        ),
        fc.array(fc.integer({ min: 0, max: 3 * 86_400_000 }), { maxLength: 300 }),
      ),
      fc.array(fc.nat(), { maxLength: 12 }),
    )
    .map(([values, cuts]) => {
      const bounds = [...new Set(cuts.map((c) => (values.length === 0 ? 0 : c % (values.length + 1))))].sort(
        (a, b) => a - b,
      );
      const pieces: Float64Array[] = [];
      let from = 0;
      for (const to of [...bounds, values.length]) {
        pieces.push(Float64Array.from(values.slice(from, Math.max(from, to))).sort());
        from = Math.max(from, to);
      }
      return { values, pieces };
    });

  it('agrees with sorting the whole list, however it is cut', () => {
    fc.assert(
      fc.property(chunked, ({ values, pieces }) => {
        expect(medianOfSortedChunks(pieces)).toBe(median(values));
      }),
      { numRuns: 500 },
    );
  });

  it('finds every rank, duplicates and all', () => {
    fc.assert(
      fc.property(chunked, ({ values, pieces }) => {
        const sorted = [...values].sort((a, b) => a - b);
        sorted.forEach((v, k) => {
          expect(kthOfSortedChunks(pieces, k)).toBe(v);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('bisects many large pieces (past the point where it just sorts the rest) to the same answer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2_100, max: 30_000 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        (seed, n, pieces, spread) => {
          // A small deterministic generator: values with many duplicates, cut into `pieces` runs.
          let x = seed;
          const next = () => {
            x = (x * 48_271) % 2_147_483_647;
            return x;
          };
          const values = Array.from({ length: n }, () => next() % spread);
          const size = Math.ceil(n / pieces);
          const chunks = Array.from({ length: pieces }, (_, i) =>
            Float64Array.from(values.slice(i * size, (i + 1) * size)).sort(),
          );
          const sorted = Float64Array.from(values).sort();
          expect(medianOfSortedChunks(chunks)).toBe(median(values));
          for (const k of [0, 1, n >> 2, n >> 1, n - 2, n - 1])
            expect(kthOfSortedChunks(chunks, k)).toBe(sorted[k]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('takes the mean of the middle two of an even count, across pieces', () => {
    expect(medianOfSortedChunks([Float64Array.from([1, 9]), Float64Array.from([3, 4])])).toBe(3.5);
    expect(medianOfSortedChunks([Float64Array.from([2, 2]), Float64Array.from([1, 2])])).toBe(2);
    expect(medianOfSortedChunks([new Float64Array(0)])).toBeUndefined();
    expect(medianOfSortedChunks([])).toBeUndefined();
  });

  it('concatNumbers joins arrays and typed arrays in order', () => {
    expect([...concatNumbers([[1, 2], Float64Array.from([3]), [], [4]])]).toEqual([1, 2, 3, 4]);
  });
});

describe('judgeRate', () => {
  it(`is too_few under ${MIN_DECIDED_TO_JUDGE} decided leads, however extreme the rate`, () => {
    expect(MIN_DECIDED_TO_JUDGE).toBe(10);
    expect(judgeRate({ accepted: 0, rejected: 9 }, 0.9).verdict).toBe('too_few');
    expect(judgeRate({ accepted: 9, rejected: 0 }, 0.1).verdict).toBe('too_few');
    const none = judgeRate({ accepted: 0, rejected: 0 }, 0.5);
    expect(none).toEqual({ decided: 0, rate: undefined, interval: undefined, verdict: 'too_few' });
  });

  it('judges from 10 decided leads on', () => {
    // 0 of 10 → 0–27.8%: wholly below 50%.
    expect(judgeRate({ accepted: 0, rejected: 10 }, 0.5).verdict).toBe('below');
    // 10 of 10 → 72.2–100%: wholly above 50%.
    expect(judgeRate({ accepted: 10, rejected: 0 }, 0.5).verdict).toBe('above');
  });

  it('is below or above only when the whole interval is on one side of the overall rate', () => {
    // 5 of 10 → 23.7–76.3%.
    expect(judgeRate({ accepted: 5, rejected: 5 }, 0.5).verdict).toBe('in_line');
    expect(judgeRate({ accepted: 5, rejected: 5 }, 0.24).verdict).toBe('in_line');
    expect(judgeRate({ accepted: 5, rejected: 5 }, 0.23).verdict).toBe('above');
    expect(judgeRate({ accepted: 5, rejected: 5 }, 0.76).verdict).toBe('in_line');
    expect(judgeRate({ accepted: 5, rejected: 5 }, 0.77).verdict).toBe('below');
    // A rate far from the overall one is not enough: 2 of 10 (20%) against 40% overlaps (5.7–51.0%).
    expect(judgeRate({ accepted: 2, rejected: 8 }, 0.4).verdict).toBe('in_line');
  });

  it('an overall rate exactly on an end of the interval is not "clearly" anything', () => {
    const { interval } = judgeRate({ accepted: 5, rejected: 5 }, undefined);
    expect(judgeRate({ accepted: 5, rejected: 5 }, interval!.high).verdict).toBe('in_line');
    expect(judgeRate({ accepted: 5, rejected: 5 }, interval!.low).verdict).toBe('in_line');
  });

  it('81 of 263 against 40% overall is below; against 31% it is in line', () => {
    const below = judgeRate({ accepted: 81, rejected: 182 }, 0.4);
    expect(below).toMatchObject({ decided: 263, verdict: 'below' });
    expect(below.rate).toBeCloseTo(81 / 263, 12);
    expect(below.interval!.low).toBeCloseTo(0.255288, CLOSE);
    expect(judgeRate({ accepted: 81, rejected: 182 }, 0.31).verdict).toBe('in_line');
    expect(judgeRate({ accepted: 81, rejected: 182 }, 0.25).verdict).toBe('above');
  });

  it('is in_line with no overall rate to compare against', () => {
    expect(judgeRate({ accepted: 0, rejected: 50 }, undefined).verdict).toBe('in_line');
  });

  it('never ranks a campaign whose interval contains the overall rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (accepted, rejected, overall) => {
          const j = judgeRate({ accepted, rejected }, overall);
          expect(j.decided).toBe(accepted + rejected);
          if (j.decided < MIN_DECIDED_TO_JUDGE) expect(j.verdict).toBe('too_few');
          else if (j.interval!.low <= overall && overall <= j.interval!.high)
            expect(j.verdict).toBe('in_line');
          else expect(j.verdict).toBe(overall < j.interval!.low ? 'above' : 'below');
        },
      ),
    );
  });
});

describe('counts and formatting', () => {
  it('adds counts field by field', () => {
    const a = { posted: 5, accepted: 2, rejected: 1, rejectedNoReason: 1, pending: 2, slaBreaches: 1 };
    const b = { posted: 3, accepted: 1, rejected: 2, rejectedNoReason: 0, pending: 0, slaBreaches: 2 };
    expect(addCounts(a, b)).toEqual({
      posted: 8,
      accepted: 3,
      rejected: 3,
      rejectedNoReason: 1,
      pending: 2,
      slaBreaches: 3,
    });
    expect(addCounts(ZERO_COUNTS, a)).toEqual(a);
  });

  it('shows rates as whole percents, and a dash for none', () => {
    expect(formatRate(undefined)).toBe('–');
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(2 / 3)).toBe('67%');
    expect(formatRate(1)).toBe('100%');
    expect(formatInterval(undefined)).toBe('–');
    expect(formatInterval(wilsonInterval(5, 10))).toBe('24–76%');
  });
});
