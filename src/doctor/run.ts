import type { WebClient } from '@slack/web-api';
import { type CheckResult, checkScopes } from './checks.js';
import { checkDatabase } from './database.js';
import { checkIngestSetting, checkOtherSettings, type DoctorSettings, problemsAbout } from './settings.js';
import {
  type ChannelToCheck,
  channelLabel,
  checkAppToken,
  checkBotToken,
  checkChannel,
  type SlackIdentity,
} from './slack.js';

export interface DoctorDeps {
  settings: DoctorSettings;
  /** A Web API client for `token`, pointed at SLACK_API_URL (see DOCTOR_CLIENT_OPTIONS). */
  slackClient: (token: string) => WebClient;
  /** drizzle/ by default; tests may point elsewhere. */
  migrationsFolder?: string;
}

const NEEDS_TOKEN = 'not checked: the Slack token check failed';

/**
 * LEADS_CHANNEL_ID, every DIGEST_CHANNEL_IDS entry and ATTENTION_CHANNEL_ID (when it is not the
 * leads channel), each once, the leads channel first.
 */
export function channelsToCheck(
  leads: string | undefined,
  digest: readonly string[],
  attention?: string,
): ChannelToCheck[] {
  const channels: ChannelToCheck[] = leads ? [{ id: leads, uses: ['leads'] }] : [];
  const add = (id: string, use: ChannelToCheck['uses'][number]) => {
    const known = channels.find((c) => c.id === id);
    if (!known) channels.push({ id, uses: [use] });
    else if (!known.uses.includes(use)) known.uses.push(use);
  };
  for (const id of digest) add(id, 'digest');
  if (attention !== undefined && attention !== leads) add(attention, 'attention');
  return channels;
}

async function slackChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const { config, problems } = deps.settings;
  const apiUrl = config.slack.apiUrl;
  const results: CheckResult[] = [];

  const tokenProblems = problemsAbout(problems, ['SLACK_BOT_TOKEN', 'SLACK_API_URL']);
  let identity: SlackIdentity | undefined;
  let client: WebClient | undefined;
  if (tokenProblems.length > 0 || !config.slack.botToken) {
    const detail = tokenProblems.length > 0 ? tokenProblems.join(' ') : 'SLACK_BOT_TOKEN is not set.';
    results.push({ name: 'Slack token', status: 'fail', detail });
  } else {
    client = deps.slackClient(config.slack.botToken);
    const checked = await checkBotToken(client, config.slack.botToken, apiUrl);
    results.push(checked.result);
    identity = checked.identity;
  }
  results.push(
    identity ? checkScopes(identity.scopes) : { name: 'Scopes', status: 'skip', detail: NEEDS_TOKEN },
  );

  const configProblem = (variable: string, name: string): CheckResult[] => {
    const about = problemsAbout(problems, [variable]);
    return about.length > 0 ? [{ name, status: 'fail', detail: about.join(' ') }] : [];
  };
  const channels = channelsToCheck(config.leadsChannelId, config.digestChannelIds, config.attentionChannelId);
  const channelResults = await Promise.all(
    channels.map((channel): Promise<CheckResult> | CheckResult =>
      client && identity
        ? checkChannel(client, channel, identity, apiUrl)
        : { name: `${channelLabel(channel)} ${channel.id}`, status: 'skip', detail: NEEDS_TOKEN },
    ),
  );
  results.push(
    ...configProblem('LEADS_CHANNEL_ID', 'Leads channel'),
    ...channelResults,
    ...configProblem('DIGEST_CHANNEL_IDS', 'Digest channels'),
  );
  return results;
}

/** HTTP mode needs the signing secret; Socket Mode needs an app-level token that Slack accepts. */
async function modeCheck(deps: DoctorDeps): Promise<CheckResult> {
  const { config, problems, mode } = deps.settings;
  if (mode === 'http') {
    const about = problemsAbout(problems, ['SLACK_SIGNING_SECRET']);
    if (about.length > 0) return { name: 'HTTP mode', status: 'fail', detail: about.join(' ') };
    return {
      name: 'HTTP mode',
      status: 'ok',
      detail: `SLACK_SIGNING_SECRET is set; Slack sends events to /slack/events on port ${config.port} (SLACK_APP_TOKEN is unset)`,
    };
  }
  const about = problemsAbout(problems, ['SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET']);
  if (about.length > 0 || !config.slack.appToken) {
    return { name: 'Socket Mode', status: 'fail', detail: about.join(' ') || 'SLACK_APP_TOKEN is not set.' };
  }
  if (problemsAbout(problems, ['SLACK_API_URL']).length > 0) {
    return { name: 'Socket Mode', status: 'skip', detail: 'not checked: SLACK_API_URL is invalid' };
  }
  return checkAppToken(deps.slackClient(config.slack.appToken), config.slack.appToken, config.slack.apiUrl);
}

/**
 * Every check, in the order a person fixes things: Slack, then the server's own settings. Never
 * throws for a failed check; the results say what failed and what to do.
 */
export async function runDoctor(deps: DoctorDeps): Promise<CheckResult[]> {
  const [slack, mode] = await Promise.all([slackChecks(deps), modeCheck(deps)]);
  return [
    ...slack,
    mode,
    checkDatabase(deps.settings.config.databasePath, deps.migrationsFolder),
    checkIngestSetting(deps.settings),
    ...checkOtherSettings(deps.settings),
  ];
}
