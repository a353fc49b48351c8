import { ErrorCode } from '@slack/web-api';

/**
 * What a failed Web API call means for the caller. Pure, so the rules are tested on their own.
 * - rate_limited: Slack said wait; it did not act on the call.
 * - misconfigured: every call like it will fail until a person fixes something; `fix` says what.
 * - bad_request: this call's content was refused; retrying the same content cannot help.
 * - uncertain: network failure, timeout or 5xx: Slack may or may not have acted on the call.
 */
export type SlackFailure =
  | { kind: 'rate_limited'; retryAfterMs: number; code: 'ratelimited' }
  | { kind: 'misconfigured'; code: string; fix: string }
  | { kind: 'bad_request'; code: string }
  | { kind: 'uncertain'; code: string };

const TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'no_permission',
  'org_login_required',
]);

const CONTENT_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'invalid_attachments',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'too_many_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'metadata_must_be_sent_from_app',
  'markdown_text_conflict',
]);

function fixFor(code: string, channel: string | undefined, scope: string | undefined): string | undefined {
  const where = channel ? `channel ${channel}` : 'the channel';
  if (TOKEN_ERRORS.has(code)) {
    return `Slack refused SLACK_BOT_TOKEN (${code}): reinstall the app to the workspace and copy its Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN.`;
  }
  switch (code) {
    case 'channel_not_found':
      return `Slack cannot find ${where}: check the channel ID; for a private channel, invite the bot first with /invite @Leadloop.`;
    case 'not_in_channel':
      return `The bot is not a member of ${where}: invite it with /invite @Leadloop.`;
    case 'is_archived':
      return `${where} is archived: unarchive it, or point the configuration at another channel.`;
    case 'missing_scope':
      return `The bot token lacks the scope ${scope ?? '(see the error)'}: add it under OAuth & Permissions (or recreate the app from manifest.yml) and reinstall the app.`;
    case 'restricted_action':
    case 'restricted_action_read_only_channel':
    case 'restricted_action_thread_only_channel':
    case 'restricted_action_non_threadable_channel':
    case 'team_access_not_granted':
    case 'ekm_access_denied':
      return `Workspace settings do not let the bot post in ${where} (${code}): ask a Slack admin to allow it.`;
    default:
      return undefined;
  }
}

export function classifySlackError(error: unknown, context: { channel?: string } = {}): SlackFailure {
  const e = error as { code?: unknown; data?: { error?: unknown; needed?: unknown }; retryAfter?: unknown };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return {
        kind: 'rate_limited',
        code: 'ratelimited',
        retryAfterMs: Math.max(1, Number(e.retryAfter) || 1) * 1000,
      };
    case ErrorCode.PlatformError: {
      const code = String(e.data?.error ?? 'unknown_error');
      const scope = typeof e.data?.needed === 'string' ? e.data.needed : undefined;
      const fix = fixFor(code, context.channel, scope);
      if (fix) return { kind: 'misconfigured', code, fix };
      if (CONTENT_ERRORS.has(code)) return { kind: 'bad_request', code };
      // internal_error, fatal_error, service_unavailable, request_timeout and anything new.
      return { kind: 'uncertain', code };
    }
    case ErrorCode.HTTPError:
      return { kind: 'uncertain', code: `http_${(error as { statusCode?: number }).statusCode ?? 'error'}` };
    default:
      return { kind: 'uncertain', code: (error as Error)?.message ?? String(error) };
  }
}
