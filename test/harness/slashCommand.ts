import { API_APP_ID, TEAM_ID } from './slackPayloads.js';

/**
 * A slash command as Slack sends it to /slack/events: a form-encoded body, every value a string
 * (https://api.slack.com/interactivity/slash-commands#app_command_handling).
 */

let sequence = 0;

export function slashCommand(input: {
  text: string;
  responseUrl: string;
  command?: string;
  user?: string;
  userName?: string;
  channel?: string;
  channelName?: string;
}): Record<string, string> {
  sequence += 1;
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
    trigger_id: `${sequence}.1234567890.abcdef0123456789`,
  };
}
