import { createHmac } from 'node:crypto';

/**
 * Requests as Slack sends them to a bot's /slack/events endpoint: Events API envelopes,
 * interactivity payloads and slash commands, signed with the app's signing secret. Shared by the
 * tests, the benches and the demo sandbox, so all three speak to the bot exactly as Slack does
 * (shapes after ../shared/slack-api-specs/ and Slack's interactivity docs).
 */

/** Signs a request body exactly as Slack does: v0=HMAC-SHA256(secret, `v0:${timestamp}:${body}`). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedRequestOptions {
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Overrides the signature (to test a forged one). */
  signature?: string;
  headers?: Record<string, string>;
}

/** POSTs to the bot's Slack endpoint as Slack would, returning the HTTP response. */
export async function postSigned(
  url: string,
  secret: string,
  body: { json: unknown } | { form: Record<string, string> },
  options: SignedRequestOptions = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const [raw, contentType] =
    'json' in body
      ? [JSON.stringify(body.json), 'application/json']
      : [new URLSearchParams(body.form).toString(), 'application/x-www-form-urlencoded'];
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(secret, timestamp, raw),
      ...options.headers,
    },
    body: raw,
  });
}

let sequence = 0;
const next = () => {
  sequence += 1;
  return sequence;
};

export const TEAM_ID = 'T0001';
export const API_APP_ID = 'A0LEADLOOP';

export function reactionEvent(input: {
  type: 'reaction_added' | 'reaction_removed';
  user: string;
  reaction: string;
  channel: string;
  ts: string;
  eventId?: string;
  eventTs?: string;
}) {
  const n = next();
  const eventTs = input.eventTs ?? (Date.now() / 1000).toFixed(6);
  return {
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: API_APP_ID,
    type: 'event_callback',
    event_id: input.eventId ?? `Ev${String(n).padStart(8, '0')}`,
    event_time: Math.floor(Number(eventTs)),
    authorizations: [{ team_id: TEAM_ID, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: {
      type: input.type,
      user: input.user,
      reaction: input.reaction,
      item_user: 'UBOT',
      item: { type: 'message', channel: input.channel, ts: input.ts },
      event_ts: eventTs,
    },
  };
}

export function blockAction(input: {
  user: string;
  actionId: string;
  value?: string;
  blockId?: string;
  selected?: string;
  channel?: string;
  messageTs?: string;
  responseUrl?: string;
  triggerId?: string;
  container?: 'message' | 'ephemeral';
  /** The chosen option's label, as Slack echoes it (defaults to its value). */
  selectedLabel?: string;
  /** The clicked button's label (defaults to "Button"). */
  text?: string;
}) {
  const n = next();
  const action =
    input.selected !== undefined
      ? {
          type: 'static_select',
          action_id: input.actionId,
          block_id: input.blockId ?? 'b',
          selected_option: {
            text: { type: 'plain_text', text: input.selectedLabel ?? input.selected },
            value: input.selected,
          },
          action_ts: `${Date.now() / 1000}`,
        }
      : {
          type: 'button',
          action_id: input.actionId,
          block_id: input.blockId ?? 'lead_actions',
          value: input.value,
          text: { type: 'plain_text', text: input.text ?? 'Button' },
          action_ts: `${Date.now() / 1000}`,
        };
  return {
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'sandbox' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: API_APP_ID,
    token: 'legacy-verification-token',
    trigger_id: input.triggerId ?? `trigger-${n}`,
    container:
      input.container === 'ephemeral'
        ? {
            type: 'message',
            message_ts: input.messageTs ?? '0',
            channel_id: input.channel,
            is_ephemeral: true,
          }
        : {
            type: 'message',
            message_ts: input.messageTs ?? '0',
            channel_id: input.channel,
            is_ephemeral: false,
          },
    channel: input.channel ? { id: input.channel, name: 'leads' } : undefined,
    message:
      input.container === 'ephemeral' ? undefined : { type: 'message', ts: input.messageTs ?? '0', text: '' },
    response_url: input.responseUrl,
    actions: [action],
  };
}

export function viewSubmission(input: {
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, unknown>>;
  viewId?: string;
}) {
  const n = next();
  return {
    type: 'view_submission',
    team: { id: TEAM_ID, domain: 'sandbox' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: API_APP_ID,
    token: 'legacy-verification-token',
    trigger_id: `trigger-view-${n}`,
    view: {
      id: input.viewId ?? `V${String(n).padStart(8, '0')}`,
      team_id: TEAM_ID,
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata,
      state: { values: input.values },
      hash: `hash-${n}`,
      blocks: [],
    },
    response_urls: [],
  };
}

/**
 * A slash command as Slack sends it to /slack/events: a form-encoded body, every value a string
 * (https://api.slack.com/interactivity/slash-commands#app_command_handling).
 */

export function slashCommand(input: {
  text: string;
  responseUrl: string;
  command?: string;
  user?: string;
  userName?: string;
  channel?: string;
  channelName?: string;
}): Record<string, string> {
  const n = next();
  return {
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    team_domain: 'sandbox',
    channel_id: input.channel ?? 'C0SALES001',
    channel_name: input.channelName ?? 'sales',
    user_id: input.user ?? 'U0ASKER001',
    user_name: input.userName ?? 'asker',
    command: input.command ?? '/leadstats',
    text: input.text,
    api_app_id: API_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: `${n}.1234567890.abcdef0123456789`,
  };
}
