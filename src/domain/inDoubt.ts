/**
 * When a message whose send had no known outcome (a crash, a timeout, a 5xx) may be declared
 * "not posted". Slack can store a message after the client stopped waiting for the answer, and
 * it shows in the channel history only once stored; so "not found" means "not posted" only when
 * the search ran after Slack had time to finish with the send. Pure: times in, verdict out.
 */
export interface InDoubtTiming {
  /**
   * How long after a send began Slack may still store it. A search after this that does not
   * find the message proves it was never posted. Must exceed the send's client timeout.
   */
  settleMs: number;
  /** Slack's clock (message ts) against ours (when the send began): how far apart they may be. */
  skewMs: number;
}

/**
 * The background client's timeout per Web API call. A send is given up on after it, and its
 * message is looked for until `settleMs`: the two are defined together so they stay consistent.
 */
export const SLACK_CALL_TIMEOUT_MS = 15_000;

export const IN_DOUBT_TIMING: InDoubtTiming = { settleMs: 2 * 60_000, skewMs: 5 * 60_000 };

/** The stretch of channel history (ms, Slack's clock) where a send begun at `sentAt` can be. */
export function searchWindow(sentAt: number, timing: InDoubtTiming): { oldest: number; latest: number } {
  return { oldest: sentAt - timing.skewMs, latest: sentAt + timing.settleMs + timing.skewMs };
}

export type InDoubtVerdict =
  /** In the channel: record this ts, do not send again. */
  | { kind: 'posted'; ts: string }
  /** Searched after Slack was done with the send, and absent: send it again. */
  | { kind: 'not_posted' }
  /** Not visible yet, and Slack may still be storing it: search again at `at`. */
  | { kind: 'wait'; at: number };

/** What a search of the window at `now` means for a send begun at `sentAt`. */
export function inDoubtVerdict(
  foundTs: string | undefined,
  sentAt: number,
  now: number,
  timing: InDoubtTiming,
): InDoubtVerdict {
  if (foundTs !== undefined) return { kind: 'posted', ts: foundTs };
  const settledAt = sentAt + timing.settleMs;
  return now >= settledAt ? { kind: 'not_posted' } : { kind: 'wait', at: settledAt };
}
