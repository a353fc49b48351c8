import { describe, expect, it } from 'vitest';
import { matchReason, outcomeOf } from '../../src/domain/outcome.js';
import { DEFAULT_REASONS, type RejectReason } from '../../src/domain/reasons.js';

describe('outcomeOf', () => {
  it.each([
    // HubSpot Lead Status (labels and internal values)
    ['New', undefined],
    ['OPEN', undefined],
    ['In Progress', { verdict: 'accept' }],
    ['ATTEMPTED_TO_CONTACT', { verdict: 'accept' }],
    ['Connected', { verdict: 'accept' }],
    ['Open Deal', { verdict: 'accept' }],
    ['Unqualified', { verdict: 'reject' }],
    ['Bad Timing', { verdict: 'reject', reason: 'not_ready' }],
    // Salesforce Status
    ['Open - Not Contacted', undefined],
    ['Working - Contacted', { verdict: 'accept' }],
    ['Closed - Converted', { verdict: 'accept' }],
    ['Qualified', { verdict: 'accept' }],
    ['Closed - Not Converted', { verdict: 'reject' }],
    ['Disqualified', { verdict: 'reject' }],
    ['Nurturing', { verdict: 'reject', reason: 'not_ready' }],
    // a plain decision column
    ['accepted', { verdict: 'accept' }],
    ['Reject', { verdict: 'reject' }],
    ['', undefined],
    ['Something else', undefined],
  ])('reads the status %j', (status, outcome) => {
    expect(outcomeOf({ status }, DEFAULT_REASONS)).toEqual(outcome);
  });

  it('maps a reason onto the configured reasons, by key, label, short label or CRM wording', () => {
    const reject = (reason: string) => outcomeOf({ status: 'Unqualified', reason }, DEFAULT_REASONS);
    expect(reject('no_budget')).toEqual({ verdict: 'reject', reason: 'no_budget' });
    expect(reject('Bad fit / not our ICP')).toEqual({ verdict: 'reject', reason: 'bad_fit' });
    expect(reject('bad fit')).toEqual({ verdict: 'reject', reason: 'bad_fit' });
    expect(reject('Existing Customer')).toEqual({ verdict: 'reject', reason: 'existing_customer' });
    expect(reject('Unresponsive')).toEqual({ verdict: 'reject', reason: 'unreachable' });
    expect(reject('None')).toEqual({ verdict: 'reject' });
  });

  it('keeps a reason it cannot match as the note of "other"', () => {
    expect(outcomeOf({ status: 'Disqualified', reason: 'Moved to Mars' }, DEFAULT_REASONS)).toEqual({
      verdict: 'reject',
      reason: 'other',
      note: 'Moved to Mars',
    });
  });

  it('keeps it as a note without a reason when no "other" is configured', () => {
    const reasons: RejectReason[] = [{ key: 'junk', label: 'Junk', kind: 'disqualify', noteRequired: false }];
    expect(outcomeOf({ status: 'reject', reason: 'Moved to Mars' }, reasons)).toEqual({
      verdict: 'reject',
      note: 'Moved to Mars',
    });
    expect(outcomeOf({ status: 'Bad Timing' }, reasons)).toEqual({ verdict: 'reject' });
    expect(outcomeOf({ status: 'reject', reason: 'junk' }, reasons)).toEqual({
      verdict: 'reject',
      reason: 'junk',
    });
  });

  it('reads a reason without a status as a reject, and ignores a reason on an accept', () => {
    expect(outcomeOf({ reason: 'Duplicate' }, DEFAULT_REASONS)).toEqual({
      verdict: 'reject',
      reason: 'duplicate',
    });
    expect(outcomeOf({ status: 'Qualified', reason: 'Duplicate' }, DEFAULT_REASONS)).toEqual({
      verdict: 'accept',
    });
  });
});

describe('matchReason', () => {
  it('matches no reason for blank or unknown text', () => {
    expect(matchReason('  ', DEFAULT_REASONS)).toBeUndefined();
    expect(matchReason('weather', DEFAULT_REASONS)).toBeUndefined();
  });
});
