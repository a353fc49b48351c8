import { App, type CustomRoute, HTTPReceiver } from '@slack/bolt';
import type { Logger, LogLevel } from '@slack/logger';
import type { FetchFunction, WebClient, WebClientOptions } from '@slack/web-api';
import { type Clock, systemClock } from '../clock.js';
import type { RunConfig } from '../config.js';
import { SlackStartError } from '../errors.js';
import { classifySlackError } from './errors.js';
import { inboxIdProperty } from './inbox.js';
import { createBackgroundLanes, interactiveClientOptions, withDefaultTimeout } from './lanes.js';
import { type Keep, slackRequestGate } from './requestGate.js';
import { GatedSocketModeReceiver } from './socketGate.js';

/**
 * The background jobs' client: see src/slack/lanes.ts (its timeout is the one the in-doubt
 * search is sized for, src/domain/inDoubt.ts). `fetch`: the running bot passes its
 * metered one (src/slack/metered.ts).
 */
export function createBackgroundClient(
  config: RunConfig,
  logger: Logger,
  options: { fetch?: FetchFunction } = {},
): WebClient {
  return createBackgroundLanes({
    botToken: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    logger,
    fetch: options.fetch,
  });
}

export interface BotIdentity {
  botUserId: string;
  botId: string;
  teamId: string | undefined;
  /** The workspace's address, e.g. https://acme.slack.com/ */
  url: string | undefined;
}

/** auth.test once at start, with an answer a person can act on when it fails. */
export async function verifyToken(client: WebClient, apiUrl: string | undefined): Promise<BotIdentity> {
  try {
    const auth = await client.auth.test();
    return { botUserId: auth.user_id ?? '', botId: auth.bot_id ?? '', teamId: auth.team_id, url: auth.url };
  } catch (error) {
    const failure = classifySlackError(error);
    if (failure.kind === 'misconfigured') throw new SlackStartError(failure.fix, { cause: error });
    throw new SlackStartError(
      `Cannot reach Slack's Web API at ${apiUrl ?? 'https://slack.com/api/'} (${failure.code}). Check the network${apiUrl ? ' and SLACK_API_URL' : ''}, then start again.`,
      { cause: error },
    );
  }
}

export interface SlackApp {
  app: App;
  /** Set in HTTP mode: Bolt serves our routes beside /slack/events on one server. */
  httpReceiver: HTTPReceiver | undefined;
}

/**
 * Bolt in HTTP mode (signing secret; our routes share its server) or in Socket Mode when an app
 * token is set (our routes then get a server of their own, see createRouteServer).
 */
export function createSlackApp(
  config: RunConfig,
  deps: {
    logger: Logger;
    identity: BotIdentity;
    routes: CustomRoute[];
    fetch?: FetchFunction;
    /** Judges request timestamps: Slack signs with the real time, whatever clock the bot's domain runs on. */
    wallClock?: Clock;
    /** Commits a decision-changing request or envelope to the durable inbox before the ack. */
    keep?: Keep;
  },
): SlackApp {
  const { logger, identity, routes } = deps;
  // Bolt's own client only looks up names for /leadstats (users.info): decisions use the laned
  // interactive client (src/slack/lanes.ts). Its fetch also carries `respond`, given a timeout here.
  const clientOptions: WebClientOptions = interactiveClientOptions(
    {
      botToken: config.slack.botToken,
      apiUrl: config.slack.apiUrl,
      logger,
      fetch: withDefaultTimeout(deps.fetch ?? globalThis.fetch),
    },
    '',
  );
  const common = {
    token: config.slack.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    // verifyToken already called auth.test; Bolt need not call it again.
    tokenVerificationEnabled: false,
    logger,
    // Bolt resets its logger to INFO unless told the level.
    logLevel: config.logLevel as LogLevel,
    clientOptions,
  };
  if (config.slack.mode === 'socket') {
    // The same guarantees as the HTTP gate below: shapes checked, kept before the ack.
    const receiver = new GatedSocketModeReceiver(
      {
        appToken: config.slack.appToken ?? '',
        logger,
        installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
      },
      { logger, keep: deps.keep },
    );
    return { app: new App({ ...common, receiver }), httpReceiver: undefined };
  }
  const httpReceiver = new HTTPReceiver({
    signingSecret: config.slack.signingSecret ?? '',
    logger,
    customRoutes: routes,
    // Ack first, work after: Slack wants a 2xx within 3 seconds. What must not be lost is in
    // the inbox by then (the gate below), and its entry id reaches the listener's context.
    processBeforeResponse: false,
    customPropertiesExtractor: (req) => inboxIdProperty(req as { inboxId?: unknown }),
  });
  httpReceiver.requestListener = slackRequestGate(httpReceiver.requestListener, {
    signingSecret: config.slack.signingSecret ?? '',
    logger,
    clock: deps.wallClock ?? systemClock,
    keep: deps.keep,
  });
  return { app: new App({ ...common, receiver: httpReceiver }), httpReceiver };
}
