import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import { parseStatsCommand } from '../../domain/statsCommand.js';
import { SLACK_TOP_REPS, statsMessage, statsUsage } from '../../slack/blocks/stats.js';
import type { StatsRunner } from '../../workers/statsRunner.js';

export interface LeadstatsDeps {
  stats: StatsRunner;
  logger: Logger;
  /** e.g. https://acme.slack.com/ (auth.test), for links to lead posts. */
  workspaceUrl: string | undefined;
}

/** Display names of reps, looked up once per user (users.info is Tier 4, but why ask twice). */
async function displayNames(client: WebClient, userIds: readonly string[], cache: Map<string, string>) {
  await Promise.all(
    userIds
      .filter((id) => !cache.has(id))
      .slice(0, SLACK_TOP_REPS)
      .map(async (id) => {
        try {
          const { user } = await client.users.info({ user: id });
          cache.set(id, user?.profile?.display_name || user?.real_name || user?.name || id);
        } catch {
          // A name is a nicety; the id still identifies the rep.
        }
      }),
  );
  return cache;
}

/**
 * /leadstats. Bad words and `help` are answered in the ack itself (instant, ephemeral). A query
 * is acked first, empty, so Slack has its 2xx well inside 3 seconds whatever the database size;
 * the answer follows through the response_url. In the running bot the query runs in a worker
 * thread (StatsThread), so other requests are not kept waiting meanwhile.
 */
export function leadstats(deps: LeadstatsDeps) {
  const names = new Map<string, string>();
  return async function onLeadstats({
    command,
    ack,
    respond,
    client,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) {
    const parsed = parseStatsCommand(command.text ?? '');
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', ...statsUsage(parsed.error) });
      return;
    }
    if (parsed.query.help) {
      await ack({ response_type: 'ephemeral', ...statsUsage() });
      return;
    }
    await ack();
    let outcome: Awaited<ReturnType<StatsRunner['run']>>;
    try {
      outcome = await deps.stats.run(parsed.query);
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        text: 'Leadloop could not work out these numbers just now. Try again in a moment; if it keeps failing, the bot’s log says why.',
      });
      throw error;
    }
    if (!outcome.ok) {
      await respond({ response_type: 'ephemeral', ...statsUsage(outcome.error) });
      return;
    }
    const repIds = outcome.report.reps?.map((r) => r.userId) ?? [];
    const message = statsMessage(outcome.report, {
      names: repIds.length > 0 ? await displayNames(client, repIds, names) : names,
      workspaceUrl: deps.workspaceUrl,
    });
    await respond({ response_type: parsed.query.share ? 'in_channel' : 'ephemeral', ...message });
  };
}
