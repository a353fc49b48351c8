import type { Logger } from '@slack/logger';
import { type FetchFunction, type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import { SLACK_CALL_TIMEOUT_MS } from '../domain/inDoubt.js';

/**
 * A Web API client with a request queue of its own per method (a "lane").
 *
 * Slack counts rate limits per method and workspace (a method's tier only says how many calls a
 * minute), while @slack/web-api pauses its whole request queue for a 429's `Retry-After`. Behind
 * one queue, a 429 on chat.postEphemeral would hold back another rep's views.open until its
 * trigger_id (valid 3 s, once) had expired. With a lane per method, a 429 only holds back later
 * calls of the method Slack limited, which Slack would refuse anyway.
 */
export class LanedWebClient extends WebClient {
  private readonly lanes = new Map<string, WebClient>();

  constructor(
    token: string | undefined,
    private readonly optionsFor: (method: string) => WebClientOptions,
  ) {
    super(token, optionsFor(''));
  }

  override apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    let lane = this.lanes.get(method);
    if (!lane) {
      lane = new WebClient(this.token, this.optionsFor(method));
      this.lanes.set(method, lane);
    }
    return lane.apiCall(method, options);
  }
}

/** Methods that spend a trigger_id: it is valid for 3 s and once, so waiting or retrying is futile. */
const TRIGGER_METHODS: ReadonlySet<string> = new Set(['views.open', 'views.push']);

/** A trigger_id call fails fast: an answer after 3 s could not open anything. */
export const TRIGGER_CALL_TIMEOUT_MS = 3_000;

/** How long the bot waits for a response_url (Bolt's `respond`, the prompt clean-up). */
export const RESPONSE_URL_TIMEOUT_MS = 10_000;

interface ClientSetup {
  botToken: string | undefined;
  apiUrl: string | undefined;
  logger: Logger;
  /** The running bot passes its metered fetch (src/slack/metered.ts). */
  fetch?: FetchFunction;
}

/**
 * Web API calls made while a person waits (views.open, ephemerals, the DM fallback, users.info
 * for /leadstats): a lane per method; a short timeout and few retries, so a rep hears back
 * within seconds; trigger_id calls neither wait out a 429 nor retry.
 */
export function interactiveClientOptions(setup: ClientSetup, method: string): WebClientOptions {
  const common = { slackApiUrl: setup.apiUrl, fetch: setup.fetch, logger: setup.logger };
  if (TRIGGER_METHODS.has(method)) {
    return {
      ...common,
      timeout: TRIGGER_CALL_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    };
  }
  return {
    ...common,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 },
  };
}

export function createInteractiveClient(setup: ClientSetup): WebClient {
  return new LanedWebClient(setup.botToken, (method) => interactiveClientOptions(setup, method));
}

/**
 * The background jobs' client (poster, post updater, digest, notices): they pace and retry by
 * themselves, so a 429 comes back to them at once instead of pausing a queue; a lane per method
 * keeps the poster's chat.postMessage and the updater's chat.update apart all the same.
 */
export function createBackgroundLanes(setup: ClientSetup): WebClient {
  return new LanedWebClient(setup.botToken, () => ({
    slackApiUrl: setup.apiUrl,
    fetch: setup.fetch,
    logger: setup.logger,
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  }));
}

/**
 * A fetch for response_url posts: Bolt's `respond` and ours send no timeout of their own, so a
 * response_url that never answers would hold its listener forever. Calls that bring a signal
 * (Web API calls, which have their own timeout) are left alone.
 */
export function withDefaultTimeout(base: FetchFunction, timeoutMs = RESPONSE_URL_TIMEOUT_MS): FetchFunction {
  return (url, init) => base(url, init?.signal ? init : { ...init, signal: AbortSignal.timeout(timeoutMs) });
}
