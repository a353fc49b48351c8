import { describe, expect, it } from 'vitest';
import {
  allPassed,
  type CheckResult,
  checkIngestToken,
  checkScopes,
  estimateTokenBits,
  formatCheck,
  ingestTokenWeakness,
  summaryLine,
  tokenPrefix,
} from '../../src/doctor/checks.js';

/** Seeded random bytes (mulberry32): the same "random" tokens on every run, so no flaky draws. */
function seededBytes(seed: number): (length: number) => Buffer {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % 256;
  };
  return (length) => Buffer.from(Array.from({ length }, next));
}

describe('ingest token strength', () => {
  const bytes = seededBytes(20261116);
  it.each([
    ['openssl rand -hex 24', () => bytes(24).toString('hex')],
    ['openssl rand -hex 12 (the 24-character minimum)', () => bytes(12).toString('hex')],
    ['openssl rand -hex 32', () => bytes(32).toString('hex')],
    ['openssl rand -base64 18', () => bytes(18).toString('base64')],
    ['upper-case hex', () => bytes(16).toString('hex').toUpperCase()],
  ])('accepts random tokens: %s', (_kind, generate) => {
    // Many draws: a check that flags random tokens now and then would show up here.
    const flagged = Array.from({ length: 5000 }, generate).filter(
      (t) => ingestTokenWeakness(t) !== undefined,
    );
    expect(flagged).toEqual([]);
  });

  it.each([
    ['a'.repeat(40), 'it uses only 1 different character'],
    ['ab'.repeat(20), 'it uses only 2 different characters'],
    ['Summer2024!Summer2024!Summer2024!', 'it repeats itself'],
    ['x9Kq2Lm7x9Kq2Lm7x9Kq2Lm7', 'it repeats itself'],
    ['passwordpasswordpassword', 'it contains the word "password"'],
    ['our-ingest-key-for-the-crm-2026', 'it contains the word "ingest"'],
    ['MyCompanySecretKeyForLeads', 'it contains the word "secret"'],
    ['zabcdefghijklmnopqrstuvwx', 'it contains a run of consecutive characters (like abcdefgh)'],
    ['918273645546372819102938', 'its 24 characters carry at most about 79 bits; at least 96 are needed'],
    ['short', 'it is 5 characters; at least 24 are needed'],
  ])('flags %j: %s', (token, why) => {
    expect(ingestTokenWeakness(token)).toBe(why);
  });

  it('estimates bits from the alphabet the token draws on', () => {
    expect(estimateTokenBits('0123456789abcdef'.repeat(3))).toBe(48 * 4);
    expect(estimateTokenBits('1'.repeat(10))).toBeCloseTo(10 * Math.log2(10));
    expect(estimateTokenBits('aB3-'.repeat(6))).toBeCloseTo(24 * Math.log2(26 + 26 + 10 + 32));
  });

  it('is a warning, not a failure, when unset (POST /leads off), and a failure when weak', () => {
    expect(checkIngestToken(undefined, []).status).toBe('warn');
    expect(checkIngestToken('a'.repeat(30), []).status).toBe('fail');
    expect(checkIngestToken(bytes(24).toString('hex'), []).status).toBe('ok');
    expect(checkIngestToken(undefined, ['INGEST_TOKEN must be at least 24 characters.'])).toEqual({
      name: 'Ingest token',
      status: 'fail',
      detail: 'INGEST_TOKEN must be at least 24 characters.',
    });
  });

  it('never repeats the token', () => {
    const token = 'changeme-changeme-changeme';
    expect(JSON.stringify(checkIngestToken(token, []))).not.toContain(token);
  });
});

describe('scopes', () => {
  it('passes when every required scope is granted, extras allowed', () => {
    expect(checkScopes(['a', 'b', 'extra'], ['a', 'b']).status).toBe('ok');
  });

  it('lists the missing scopes in the manifest’s order', () => {
    expect(checkScopes(['b'], ['a', 'b', 'c'])).toMatchObject({ status: 'fail', detail: 'missing a, c' });
  });

  it('warns when Slack did not say which scopes were granted', () => {
    expect(checkScopes(undefined, ['a']).status).toBe('warn');
  });
});

describe('output', () => {
  const ok: CheckResult = { name: 'A', status: 'ok', detail: 'fine' };
  const failed: CheckResult = { name: 'B', status: 'fail', detail: 'broken', fix: 'mend it' };
  const skipped: CheckResult = { name: 'C', status: 'skip', detail: 'not checked' };
  const warned: CheckResult = { name: 'D', status: 'warn', detail: 'hm' };

  it('prints one line per check with its fix after an arrow', () => {
    expect(formatCheck(ok)).toBe('✓ A: fine');
    expect(formatCheck(failed)).toBe('✗ B: broken → mend it');
    expect(formatCheck(skipped)).toBe('– C: not checked');
    expect(formatCheck(warned)).toBe('! D: hm');
  });

  it('passes only without failures; warnings do not count', () => {
    expect(allPassed([ok, warned])).toBe(true);
    expect(allPassed([ok, failed, skipped])).toBe(false);
    expect(summaryLine([ok, warned])).toBe(
      'All 2 checks passed (1 warning). Leadloop is ready: leadloop start.',
    );
    expect(summaryLine([ok, failed, skipped])).toBe(
      '1 of 3 checks failed, 1 not checked until then. Fix them and run leadloop doctor again.',
    );
  });

  it('shows a token as its kind only', () => {
    expect(tokenPrefix('xoxb-123-456-abc')).toBe('xoxb-…');
    expect(tokenPrefix('xapp-1-A-2-def')).toBe('xapp-…');
    expect(tokenPrefix('hunter2')).toBe('not a Slack token');
  });
});
