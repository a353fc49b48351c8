import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { PostingState } from './domain/health.js';

/** Facts read when Prometheus scrapes, rather than counted as they happen. */
export interface ScrapeSources {
  queue(): { depth: number; oldestAgeSeconds: number };
  posting(): PostingState;
}

/**
 * Every metric Leadloop exports, in one place. Each running app has its own registry (not
 * prom-client's global one), so tests can run several apps in one process.
 *
 * To add one: one line below (name it leadloop_<what>_total for a counter, with its unit for a
 * gauge), then `metrics.<field>.inc()` where it happens, and add the name to the README.
 */
export function createMetrics(sources: ScrapeSources, options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        try {
          this.set(read());
        } catch {
          // The database cannot be read: /healthz says so; the gauge shows no number.
          this.set(Number.NaN);
        }
      },
    });

  const metrics = {
    registry,
    leadsReceived: counter(
      'leadloop_leads_received_total',
      "Leads received over POST /leads, by result: queued (new), duplicate (externalId seen before) or needs_attention (a vendor's lead that could not be stored, kept for leadloop attention).",
      ['result'],
    ),
    leadsPosted: counter('leadloop_leads_posted_total', 'Leads posted to the leads channel.'),
    postFailures: counter(
      'leadloop_post_failures_total',
      'Failed attempts to post a lead (each retry counts), by Slack error code.',
      ['code'],
    ),
    queueDepth: gauge('leadloop_queue_depth', 'Leads not yet posted.', () => sources.queue().depth),
    queueOldestAge: gauge(
      'leadloop_queue_oldest_age_seconds',
      'How long the longest-waiting unposted lead has waited (0 when none waits).',
      () => sources.queue().oldestAgeSeconds,
    ),
    postingBlocked: gauge(
      'leadloop_posting_blocked',
      '1 while Slack refuses the setup for posting leads (see /healthz for the code and the fix), else 0.',
      () => (sources.posting().status === 'blocked' ? 1 : 0),
    ),
    decisions: counter(
      'leadloop_decisions_total',
      'Decisions recorded (not repeats or double clicks), by verdict and source (reaction or button).',
      ['verdict', 'source'],
    ),
    slackApiErrors: counter(
      'leadloop_slack_api_errors_total',
      'Slack Web API calls that failed, by method and code (Slack error, http_<status>, timeout or network_error).',
      ['method', 'code'],
    ),
    slackRateLimited: counter(
      'leadloop_slack_rate_limited_total',
      'Slack Web API calls answered 429 (rate limited), by method.',
      ['method'],
    ),
    slackRateLimitWait: counter(
      'leadloop_slack_rate_limit_wait_seconds_total',
      'Seconds Slack asked the bot to wait (Retry-After), by method.',
      ['method'],
    ),
    digestSends: counter(
      'leadloop_digest_sends_total',
      'Weekly digest sends per channel by the running bot, by outcome (sent, already_sent, busy, failed, in_doubt).',
      ['outcome'],
    ),
    slackEventDuplicates: counter(
      'leadloop_slack_event_duplicates_total',
      'Slack events delivered again (same event id) and ignored.',
    ),
  };
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
