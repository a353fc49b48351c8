import { describe, expect, it } from 'vitest';
import { type HealthFacts, healthReport } from '../../src/domain/health.js';

const NOW = Date.UTC(2026, 10, 23, 9, 0);
const MIN = 60_000;

const facts = (overrides: Partial<HealthFacts> = {}): HealthFacts => ({
  now: NOW,
  queue: { depth: 0, oldestReceivedAt: undefined, lastPostedAt: NOW - 30 * MIN },
  posting: { status: 'ok' },
  stallMs: 15 * MIN,
  ...overrides,
});

describe('healthReport', () => {
  it('is 200 ok with an empty queue', () => {
    expect(healthReport(facts())).toEqual({
      status: 200,
      body: {
        ok: true,
        db: 'ok',
        queue: 0,
        oldestQueuedSeconds: null,
        lastPostAt: new Date(NOW - 30 * MIN).toISOString(),
        posting: 'ok',
      },
    });
  });

  it('is 503 blocked, with the code, since when and the fix, when Slack refuses the setup', () => {
    const report = healthReport(
      facts({
        queue: { depth: 2, oldestReceivedAt: NOW - 90_500, lastPostedAt: undefined },
        posting: { status: 'blocked', code: 'token_revoked', fix: 'Reinstall the app.', since: NOW - 60_000 },
      }),
    );
    expect(report.status).toBe(503);
    expect(report.body).toEqual({
      ok: false,
      db: 'ok',
      queue: 2,
      oldestQueuedSeconds: 90,
      lastPostAt: null,
      posting: 'blocked',
      postingError: {
        code: 'token_revoked',
        since: new Date(NOW - 60_000).toISOString(),
        fix: 'Reinstall the app.',
      },
    });
  });

  it('stays 200 while leads wait and posts keep going out (a large import at Slack pace)', () => {
    const report = healthReport(
      facts({ queue: { depth: 5000, oldestReceivedAt: NOW - 60 * MIN, lastPostedAt: NOW - 1000 } }),
    );
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ posting: 'ok', oldestQueuedSeconds: 3600 });
  });

  it('is 503 stalled once leads have waited the stall time and nothing was posted for as long', () => {
    const waiting = (oldest: number, last: number | undefined) =>
      healthReport(facts({ queue: { depth: 1, oldestReceivedAt: NOW - oldest, lastPostedAt: last } }));
    expect(waiting(15 * MIN - 1, undefined).status).toBe(200);
    expect(waiting(15 * MIN, undefined)).toMatchObject({
      status: 503,
      body: { ok: false, posting: 'stalled' },
    });
    expect(waiting(20 * MIN, NOW - 15 * MIN).body.posting).toBe('stalled');
    expect(waiting(20 * MIN, NOW - 15 * MIN + 1).body.posting).toBe('ok');
  });

  it('is 503 when the database cannot be read, keeping the old fields', () => {
    const report = healthReport(facts({ queue: undefined }));
    expect(report).toEqual({
      status: 503,
      body: {
        ok: false,
        db: 'error',
        queue: null,
        oldestQueuedSeconds: null,
        lastPostAt: null,
        posting: 'unknown',
      },
    });
  });

  it('a clock behind the lead times never gives a negative age', () => {
    const report = healthReport(
      facts({ queue: { depth: 1, oldestReceivedAt: NOW + 5000, lastPostedAt: undefined } }),
    );
    expect(report.body.oldestQueuedSeconds).toBe(0);
  });
});
