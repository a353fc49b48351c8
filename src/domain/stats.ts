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
 * The median of numbers in any order (the mean of the middle two for an even count), in linear
 * time: a quickselect that reorders `values` in place. Sorting a million decision times to read
 * the middle one costs ten times as much.
 */
export function medianInPlace(values: Float64Array): number | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mid = n >> 1;
  const upper = selectInPlace(values, mid);
  if (n % 2 === 1) return upper;
  // After the selection every value left of `mid` is <= values[mid]: the lower middle is their max.
  let lower = values[0] as number;
  for (let i = 1; i < mid; i++) if ((values[i] as number) > lower) lower = values[i] as number;
  return (lower + upper) / 2;
}

/** Reorders `a` so that a[k] is the k-th smallest, smaller ones before it, larger after (Hoare). */
function selectInPlace(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as the pivot keeps sorted and reversed input linear.
    const middle = (left + right) >> 1;
    const x = a[left] as number;
    const y = a[middle] as number;
    const z = a[right] as number;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = left;
    let j = right;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return a[k] as number;
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
