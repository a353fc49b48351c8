import type { FetchFunction } from '@slack/web-api';
import type { Metrics } from '../metrics.js';

const SLACK_API_URL = 'https://slack.com/api/';

/**
 * The `fetch` every Slack Web API client of the app is given (ours and Bolt's, which it builds
 * from clientOptions), so that each failed call and each 429 is counted once, whoever made it,
 * without wrapping call sites. Only calls to the Web API are counted (not file upload URLs).
 */
export function meteredFetch(
  metrics: Metrics,
  apiUrl: string | undefined,
  base: typeof fetch = globalThis.fetch,
): FetchFunction {
  const prefix = apiUrl ?? SLACK_API_URL;
  return async (url, init) => {
    const href = String(url);
    const method = href.startsWith(prefix) ? href.slice(prefix.length).split(/[?#]/)[0] : undefined;
    let response: Response;
    try {
      response = await base(url, init);
    } catch (error) {
      if (method)
        metrics.slackApiErrors.inc({ method, code: isTimeout(error) ? 'timeout' : 'network_error' });
      throw error;
    }
    if (!method) return response;
    if (response.status === 429) {
      metrics.slackRateLimited.inc({ method });
      const seconds = Number(response.headers.get('retry-after'));
      if (Number.isFinite(seconds) && seconds > 0) metrics.slackRateLimitWait.inc({ method }, seconds);
    } else if (response.status !== 200) {
      metrics.slackApiErrors.inc({ method, code: `http_${response.status}` });
    } else if (response.headers.get('content-type')?.includes('json')) {
      const code = await platformError(response);
      if (code) metrics.slackApiErrors.inc({ method, code });
    }
    return response;
  };
}

/** Slack answers a refused call with HTTP 200 and `{ "ok": false, "error": "<code>" }`. */
async function platformError(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { ok?: unknown; error?: unknown };
    return body.ok === false ? String(body.error ?? 'unknown_error') : undefined;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}
