/**
 * Payloads as Slack sends them to /slack/events, shaped after Slack's Events API and
 * interactivity docs (see ../shared/slack-api-specs/ for the event wrapper).
 */

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
}) {
  const n = next();
  const action =
    input.selected !== undefined
      ? {
          type: 'static_select',
          action_id: input.actionId,
          block_id: input.blockId ?? 'b',
          selected_option: { text: { type: 'plain_text', text: input.selected }, value: input.selected },
          action_ts: `${Date.now() / 1000}`,
        }
      : {
          type: 'button',
          action_id: input.actionId,
          block_id: input.blockId ?? 'lead_actions',
          value: input.value,
          text: { type: 'plain_text', text: 'Button' },
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
