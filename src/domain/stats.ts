/**
 * The numbers, and the judgement on them. Pure: the storage module supplies the counts and the
 * durations; everything here is arithmetic on them.
 *
 * acceptance rate = accepted ÷ (accepted + rejected); pending leads are not in the denominator.
 */

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/** Fewer decided leads than this and a campaign is "too few to judge", not ranked. */
export const MIN_DECIDED_TO_JUDGE = 10;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion: unlike the textbook ±1.96·√(p(1-p)/n) it stays inside
 * [0, 1] and behaves with small counts and rates near 0 or 1, which campaign data is full of.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): Interval | undefined {
  if (trials <= 0) return undefined;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) };
}

/** The median of numbers already sorted ascending (the mean of the middle two for an even count). */
export function medianOfSorted(sorted: readonly number[]): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function median(values: readonly number[]): number | undefined {
  return medianOfSorted([...values].sort((a, b) => a - b));
}

/** Pieces of one list of numbers, concatenated into one array. */
export function concatNumbers(chunks: readonly ArrayLike<number>[]): Float64Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Float64Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The median of the union of ascending arrays (the mean of the middle two for an even count),
 * without merging them: a selection that bisects every array around a pivot and keeps only the
 * side that holds the wanted rank. A million decision times in a few thousand sorted pieces take
 * a few milliseconds, where concatenating and sorting them took a hundred.
 */
export function medianOfSortedChunks(chunks: readonly Float64Array[]): number | undefined {
  let n = 0;
  for (const c of chunks) n += c.length;
  if (n === 0) return undefined;
  const upper = kthOfSortedChunks(chunks, n >> 1);
  if (n % 2 === 1) return upper;
  return (kthOfSortedChunks(chunks, (n >> 1) - 1) + upper) / 2;
}

/** Below this many candidates left, kthOfSortedChunks sorts them instead of bisecting again. */
const SMALL_REMAINDER = 2048;

/** First index in sorted[from, to) whose value is >= value (strict: > value). */
function bisect(sorted: Float64Array, value: number, from: number, to: number, strict: boolean): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid] as number;
    if (v < value || (strict && v === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The k-th smallest (from 0) of the union of ascending arrays. Each round takes as pivot the
 * median of the windows' middles weighted by window size: at least a quarter of what is left lies
 * on each side of it, so the windows shrink geometrically.
 */
export function kthOfSortedChunks(chunks: readonly Float64Array[], k: number): number {
  let active = chunks.filter((c) => c.length > 0);
  let lo = new Int32Array(active.length);
  let hi = Int32Array.from(active, (c) => c.length);
  let rank = k;
  for (;;) {
    if (active.length === 1) return (active[0] as Float64Array)[(lo[0] as number) + rank] as number;
    // Once little is left, sorting what remains is cheaper than more rounds.
    let left = 0;
    for (let i = 0; i < active.length; i++) left += (hi[i] as number) - (lo[i] as number);
    if (left <= SMALL_REMAINDER) {
      const rest = new Float64Array(left);
      let at = 0;
      active.forEach((c, i) => {
        rest.set(c.subarray(lo[i] as number, hi[i] as number), at);
        at += (hi[i] as number) - (lo[i] as number);
      });
      return rest.sort()[rank] as number;
    }
    const middles = active.map((c, i) => {
      const from = lo[i] as number;
      const to = hi[i] as number;
      return { value: c[(from + to) >> 1] as number, weight: to - from };
    });
    middles.sort((a, b) => a.value - b.value);
    let total = 0;
    for (const m of middles) total += m.weight;
    let pivot = (middles[0] as { value: number }).value;
    for (let seen = 0, i = 0; i < middles.length; i++) {
      seen += (middles[i] as { weight: number }).weight;
      if (seen * 2 >= total) {
        pivot = (middles[i] as { value: number }).value;
        break;
      }
    }
    let less = 0;
    let notMore = 0;
    const below = new Int32Array(active.length);
    const through = new Int32Array(active.length);
    active.forEach((c, i) => {
      const from = lo[i] as number;
      const b = bisect(c, pivot, from, hi[i] as number, false);
      const t = bisect(c, pivot, b, hi[i] as number, true);
      below[i] = b;
      through[i] = t;
      less += b - from;
      notMore += t - from;
    });
    if (rank >= less && rank < notMore) return pivot;
    const keepLow = rank < less;
    if (!keepLow) rank -= notMore;
    const next: Float64Array[] = [];
    const nextLo: number[] = [];
    const nextHi: number[] = [];
    active.forEach((c, i) => {
      const from = keepLow ? (lo[i] as number) : (through[i] as number);
      const to = keepLow ? (below[i] as number) : (hi[i] as number);
      if (to > from) {
        next.push(c);
        nextLo.push(from);
        nextHi.push(to);
      }
    });
    active = next;
    lo = Int32Array.from(nextLo);
    hi = Int32Array.from(nextHi);
  }
}

/** Counts for one group of leads (a campaign, a source, or all of them). */
export interface Counts {
  posted: number;
  accepted: number;
  rejected: number;
  /** Rejected with no reason given (yet). */
  rejectedNoReason: number;
  pending: number;
  /** Leads still pending DECISION_SLA_HOURS after their post (now, or when first decided). */
  slaBreaches: number;
}

export const ZERO_COUNTS: Counts = {
  posted: 0,
  accepted: 0,
  rejected: 0,
  rejectedNoReason: 0,
  pending: 0,
  slaBreaches: 0,
};

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    posted: a.posted + b.posted,
    accepted: a.accepted + b.accepted,
    rejected: a.rejected + b.rejected,
    rejectedNoReason: a.rejectedNoReason + b.rejectedNoReason,
    pending: a.pending + b.pending,
    slaBreaches: a.slaBreaches + b.slaBreaches,
  };
}

export type Verdict = 'too_few' | 'below' | 'above' | 'in_line';

export interface RateJudgement {
  decided: number;
  /** accepted ÷ decided; undefined with nothing decided. */
  rate: number | undefined;
  interval: Interval | undefined;
  /**
   * - too_few: under MIN_DECIDED_TO_JUDGE decided leads; not ranked.
   * - below / above: the whole 95% interval lies below / above the overall rate.
   * - in_line: anything else; the data cannot tell it apart from the rest.
   */
  verdict: Verdict;
}

export function judgeRate(
  counts: Pick<Counts, 'accepted' | 'rejected'>,
  overallRate: number | undefined,
): RateJudgement {
  const decided = counts.accepted + counts.rejected;
  const rate = decided > 0 ? counts.accepted / decided : undefined;
  const interval = wilsonInterval(counts.accepted, decided);
  let verdict: Verdict = 'in_line';
  if (decided < MIN_DECIDED_TO_JUDGE) verdict = 'too_few';
  else if (interval && overallRate !== undefined && interval.high < overallRate) verdict = 'below';
  else if (interval && overallRate !== undefined && interval.low > overallRate) verdict = 'above';
  return { decided, rate, interval, verdict };
}

/** "62%"; rates are shown as whole percents. */
export function formatRate(rate: number | undefined): string {
  return rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
}

/** "48–71%". */
export function formatInterval(interval: Interval | undefined): string {
  return interval ? `${Math.round(interval.low * 100)}–${Math.round(interval.high * 100)}%` : '–';
}
