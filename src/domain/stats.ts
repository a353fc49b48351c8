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
