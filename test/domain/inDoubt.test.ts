import { describe, expect, it } from 'vitest';
import {
  IN_DOUBT_TIMING,
  inDoubtVerdict,
  SLACK_CALL_TIMEOUT_MS,
  searchWindow,
} from '../../src/domain/inDoubt.js';

const timing = { settleMs: 60_000, skewMs: 10_000 };
const sentAt = 1_000_000;

describe('in-doubt verdict', () => {
  it('found is posted, whenever the search ran', () => {
    expect(inDoubtVerdict('1000.000100', sentAt, sentAt + 1, timing)).toEqual({
      kind: 'posted',
      ts: '1000.000100',
    });
  });

  it('not found before Slack must be done with the send: look again at the settle time', () => {
    expect(inDoubtVerdict(undefined, sentAt, sentAt + 59_999, timing)).toEqual({
      kind: 'wait',
      at: sentAt + 60_000,
    });
  });

  it('not found once Slack must be done with the send: not posted', () => {
    expect(inDoubtVerdict(undefined, sentAt, sentAt + 60_000, timing)).toEqual({ kind: 'not_posted' });
  });

  it('searches from before the send to after the settle time, both widened by the clock skew', () => {
    expect(searchWindow(sentAt, timing)).toEqual({ oldest: sentAt - 10_000, latest: sentAt + 70_000 });
  });

  it('gives Slack several client timeouts to store a send before calling it not posted', () => {
    // A send given up on at the client timeout may still be stored afterwards; the settle time
    // must leave room for that, or a slow Slack is posted to twice.
    expect(IN_DOUBT_TIMING.settleMs).toBeGreaterThanOrEqual(4 * SLACK_CALL_TIMEOUT_MS);
  });
});
