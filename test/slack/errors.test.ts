import {
  ErrorCode,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { classifySlackError, type SlackFailure } from '../../src/slack/errors.js';

const platform = (error: string, extra: Record<string, unknown> = {}) =>
  new WebAPIPlatformError({ ok: false, error, ...extra });

function fixOf(failure: SlackFailure): string {
  if (failure.kind !== 'misconfigured')
    throw new Error(`expected misconfigured, got ${JSON.stringify(failure)}`);
  return failure.fix;
}

describe('classifySlackError', () => {
  describe('rate limits', () => {
    it('turns Retry-After seconds into milliseconds', () => {
      expect(classifySlackError(new WebAPIRateLimitedError(30))).toEqual({
        kind: 'rate_limited',
        code: 'ratelimited',
        retryAfterMs: 30_000,
      });
    });

    it('accepts an object shaped like the rate-limit error', () => {
      expect(classifySlackError({ code: ErrorCode.RateLimitedError, retryAfter: 7 })).toMatchObject({
        kind: 'rate_limited',
        retryAfterMs: 7000,
      });
    });

    it('waits at least a second when Retry-After is missing or zero', () => {
      for (const retryAfter of [0, undefined, Number.NaN]) {
        const failure = classifySlackError({ code: ErrorCode.RateLimitedError, retryAfter });
        expect(failure.kind).toBe('rate_limited');
        expect(failure.kind === 'rate_limited' && failure.retryAfterMs).toBeGreaterThanOrEqual(1000);
      }
    });
  });

  describe('misconfiguration', () => {
    it('channel_not_found names the channel and says to check the id or invite the bot', () => {
      const failure = classifySlackError(platform('channel_not_found'), { channel: 'C0LEADS001' });
      expect(failure).toMatchObject({ kind: 'misconfigured', code: 'channel_not_found' });
      const fix = fixOf(failure);
      expect(fix).toContain('C0LEADS001');
      expect(fix).toMatch(/channel ID/i);
      expect(fix).toMatch(/\/invite/);
    });

    it('not_in_channel says to invite the bot', () => {
      const fix = fixOf(classifySlackError(platform('not_in_channel'), { channel: 'C0LEADS001' }));
      expect(fix).toContain('C0LEADS001');
      expect(fix).toMatch(/\/invite @/);
    });

    it.each([['invalid_auth'], ['not_authed'], ['token_revoked'], ['account_inactive']])(
      '%s says to replace SLACK_BOT_TOKEN',
      (code) => {
        const failure = classifySlackError(platform(code));
        expect(failure).toMatchObject({ kind: 'misconfigured', code });
        const fix = fixOf(failure);
        expect(fix).toContain('SLACK_BOT_TOKEN');
        expect(fix).toMatch(/reinstall/i);
      },
    );

    it('missing_scope names the scope that is needed and how to add it', () => {
      const failure = classifySlackError(
        platform('missing_scope', { needed: 'chat:write.public', provided: 'chat:write,commands' }),
      );
      expect(failure).toMatchObject({ kind: 'misconfigured', code: 'missing_scope' });
      const fix = fixOf(failure);
      expect(fix).toContain('chat:write.public');
      expect(fix).toMatch(/OAuth & Permissions/);
      expect(fix).toMatch(/reinstall/i);
    });

    it('missing_scope without `needed` still gives a fix', () => {
      expect(fixOf(classifySlackError(platform('missing_scope')))).toMatch(/scope/);
    });

    it('accepts an object shaped like the platform error', () => {
      const failure = classifySlackError({
        code: ErrorCode.PlatformError,
        data: { error: 'channel_not_found' },
      });
      expect(failure.kind).toBe('misconfigured');
      expect(fixOf(failure)).toMatch(/the channel/);
    });

    it('is_archived says to unarchive or change the channel', () => {
      expect(fixOf(classifySlackError(platform('is_archived'), { channel: 'C1' }))).toMatch(/unarchive/);
    });
  });

  describe('bad requests', () => {
    it.each([['invalid_blocks'], ['msg_blocks_too_long'], ['no_text'], ['invalid_arguments']])(
      '%s is the content’s fault',
      (code) => {
        expect(classifySlackError(platform(code))).toEqual({ kind: 'bad_request', code });
      },
    );
  });

  describe('uncertain outcomes', () => {
    it.each([
      ['internal_error'],
      ['fatal_error'],
      ['service_unavailable'],
      ['request_timeout'],
      ['brand_new_error'],
    ])('platform error %s may or may not have acted', (code) => {
      expect(classifySlackError(platform(code))).toEqual({ kind: 'uncertain', code });
    });

    it('HTTP 503 is uncertain and keeps the status', () => {
      expect(classifySlackError(new WebAPIHTTPError(503, 'Service Unavailable', {}))).toEqual({
        kind: 'uncertain',
        code: 'http_503',
      });
    });

    it('network errors are uncertain', () => {
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      expect(classifySlackError(new WebAPIRequestError(reset)).kind).toBe('uncertain');
      expect(classifySlackError(reset).kind).toBe('uncertain');
      const timeout = Object.assign(new Error('timeout of 10000ms exceeded'), { code: 'ECONNABORTED' });
      expect(classifySlackError(new WebAPIRequestError(timeout))).toMatchObject({
        kind: 'uncertain',
        code: expect.stringContaining('timeout'),
      });
    });

    it('anything unknown is uncertain, without throwing', () => {
      for (const weird of [undefined, null, 'boom', 42, {}, { code: 'something_else' }]) {
        expect(classifySlackError(weird).kind).toBe('uncertain');
      }
    });
  });
});
