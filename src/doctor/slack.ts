import { ErrorCode, type WebClient, type WebClientOptions } from '@slack/web-api';
import { type CheckResult, tokenPrefix } from './checks.js';

/**
 * The live checks against Slack's Web API. Each failure becomes a line saying what Slack said
 * and what to change; nothing here throws for a Slack or network error.
 */

/**
 * Doctor's client: a person is waiting, and a wrong SLACK_API_URL or a dead network should be
 * reported in seconds, not after the default half-hour of retries.
 */
export const DOCTOR_CLIENT_OPTIONS: WebClientOptions = {
  timeout: 5_000,
  retryConfig: { retries: 0 },
  rejectRateLimitedCalls: true,
};

const SLACK_API = 'https://slack.com/api/';

type Failure =
  | { kind: 'platform'; code: string; needed: string | undefined }
  | { kind: 'network'; detail: string; fix: string };

/** Splits a WebClient error into "Slack answered with an error code" and "Slack was not reached". */
function describeFailure(error: unknown, apiUrl: string | undefined): Failure {
  const e = error as {
    code?: unknown;
    data?: { error?: unknown; needed?: unknown };
    original?: { name?: string; message?: string; cause?: { code?: unknown; message?: unknown } };
    statusCode?: unknown;
    retryAfter?: unknown;
  };
  const url = apiUrl ?? SLACK_API;
  const checkUrl = apiUrl
    ? 'check SLACK_API_URL (leave it unset for Slack itself) and the network'
    : 'check the network (proxy, firewall) of this machine';
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return {
        kind: 'platform',
        code: String(e.data?.error ?? 'unknown_error'),
        needed: typeof e.data?.needed === 'string' ? e.data.needed : undefined,
      };
    case ErrorCode.RateLimitedError:
      return {
        kind: 'network',
        detail: `Slack asked to wait ${Number(e.retryAfter) || 1} s (rate limited)`,
        fix: 'run leadloop doctor again in a minute',
      };
    case ErrorCode.HTTPError:
      return {
        kind: 'network',
        detail: `${url} answered HTTP ${String(e.statusCode)}, not like Slack's Web API`,
        fix: checkUrl,
      };
    case ErrorCode.RequestError: {
      const original = e.original;
      if (original?.name === 'TimeoutError') {
        return {
          kind: 'network',
          detail: `no answer from ${url} within ${(DOCTOR_CLIENT_OPTIONS.timeout ?? 0) / 1000} s`,
          fix: checkUrl,
        };
      }
      const cause = original?.cause;
      const why = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? original?.message);
      return { kind: 'network', detail: `cannot reach Slack at ${url} (${why})`, fix: checkUrl };
    }
    default:
      return {
        kind: 'network',
        detail: `the call to ${url} failed (${(error as Error)?.message ?? String(error)})`,
        fix: checkUrl,
      };
  }
}

const COPY_BOT_TOKEN =
  'copy the Bot User OAuth Token (xoxb-…) from your app’s OAuth & Permissions page into SLACK_BOT_TOKEN';
const REINSTALL =
  'reinstall the app (OAuth & Permissions › Reinstall to Workspace), then copy its new Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN';

function tokenRefusal(code: string, token: string): { detail: string; fix: string } {
  const which = `SLACK_BOT_TOKEN (${tokenPrefix(token)})`;
  switch (code) {
    case 'invalid_auth':
    case 'not_authed':
      return { detail: `Slack does not accept ${which}: ${code}`, fix: COPY_BOT_TOKEN };
    case 'token_revoked':
    case 'token_expired':
      return {
        detail: `${which} no longer works (${code}): the app was uninstalled or reinstalled since it was copied`,
        fix: REINSTALL,
      };
    case 'account_inactive':
      return {
        detail: `the bot behind ${which} is deactivated (account_inactive): the app was removed from the workspace`,
        fix: REINSTALL,
      };
    default:
      return { detail: `Slack refused ${which}: ${code}`, fix: REINSTALL };
  }
}

export interface SlackIdentity {
  /** The bot user's name, as /invite @… takes it. */
  botName: string;
  team: string;
  /** Granted scopes from the x-oauth-scopes header; undefined when Slack did not send it. */
  scopes: string[] | undefined;
}

/** auth.test: the token works, for which workspace and bot, with which scopes. */
export async function checkBotToken(
  client: WebClient,
  token: string,
  apiUrl: string | undefined,
): Promise<{ result: CheckResult; identity?: SlackIdentity }> {
  const name = 'Slack token';
  try {
    const auth = await client.auth.test();
    const identity: SlackIdentity = {
      botName: auth.user ?? 'Leadloop',
      team: auth.team ?? auth.team_id ?? 'unknown',
      scopes: auth.response_metadata?.scopes?.filter((s) => s !== ''),
    };
    const where = apiUrl ? ` (Web API at ${apiUrl})` : '';
    return {
      result: {
        name,
        status: 'ok',
        detail: `valid for workspace "${identity.team}" as @${identity.botName}${where}`,
      },
      identity,
    };
  } catch (error) {
    const failure = describeFailure(error, apiUrl);
    const { detail, fix } = failure.kind === 'platform' ? tokenRefusal(failure.code, token) : failure;
    return { result: { name, status: 'fail', detail, fix } };
  }
}

export interface ChannelToCheck {
  id: string;
  /** What the bot uses it for: a channel can serve several. */
  uses: ('leads' | 'digest' | 'attention')[];
}

/** "Leads channel", "Leads and digest channel", "Attention channel" … */
export function channelLabel(channel: ChannelToCheck): string {
  const label = `${channel.uses.join(' and ')} channel`;
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
}

/**
 * Membership, checked with conversations.history (limit 1) rather than conversations.info: it
 * needs only the channels:history / groups:history scopes the manifest already grants (info needs
 * channels:read and groups:read, which the bot has no other use for), and it is the very read the
 * bot makes to find an interrupted post. Slack answers a bot outside a public channel with
 * not_in_channel, and hides a private one it is not in behind channel_not_found.
 */
export async function checkChannel(
  client: WebClient,
  channel: ChannelToCheck,
  identity: SlackIdentity,
  apiUrl: string | undefined,
): Promise<CheckResult> {
  const name = `${channelLabel(channel)} ${channel.id}`;
  const invite = `invite the bot: /invite @${identity.botName} in that channel`;
  try {
    await client.conversations.history({ channel: channel.id, limit: 1 });
    return { name, status: 'ok', detail: 'the bot is a member' };
  } catch (error) {
    const failure = describeFailure(error, apiUrl);
    if (failure.kind === 'network') return { name, status: 'fail', ...failure };
    switch (failure.code) {
      case 'not_in_channel':
        return { name, status: 'fail', detail: 'the bot is not a member', fix: invite };
      case 'channel_not_found':
        return {
          name,
          status: 'fail',
          detail: 'Slack finds no such channel that the bot can see',
          fix: `check the ID (channel details › About › Channel ID); if it is a private channel, ${invite}`,
        };
      case 'missing_scope':
        return {
          name,
          status: 'fail',
          detail: `the token cannot read the channel (missing_scope${failure.needed ? `: needs ${failure.needed}` : ''})`,
          fix: 'add channels:history and groups:history as in manifest.yml, then reinstall the app',
        };
      default:
        return {
          name,
          status: 'fail',
          detail: `Slack answered ${failure.code}`,
          fix: 'check the channel ID and that the bot may read the channel',
        };
    }
  }
}

/** Socket Mode: apps.connections.open with the app-level token, as Bolt does at start. */
export async function checkAppToken(
  client: WebClient,
  token: string,
  apiUrl: string | undefined,
): Promise<CheckResult> {
  const name = 'Socket Mode';
  const createToken =
    'create an App-Level Token with the connections:write scope (Basic Information › App-Level Tokens), put it in SLACK_APP_TOKEN, and turn on Socket Mode in the app settings';
  try {
    await client.apps.connections.open();
    return { name, status: 'ok', detail: `SLACK_APP_TOKEN (${tokenPrefix(token)}) can open a connection` };
  } catch (error) {
    const failure = describeFailure(error, apiUrl);
    if (failure.kind === 'network') return { name, status: 'fail', ...failure };
    const detail =
      failure.code === 'missing_scope'
        ? `SLACK_APP_TOKEN (${tokenPrefix(token)}) lacks the connections:write scope`
        : `Slack refused SLACK_APP_TOKEN (${tokenPrefix(token)}): ${failure.code}`;
    return { name, status: 'fail', detail, fix: createToken };
  }
}
