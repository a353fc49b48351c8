import { parseArgs } from 'node:util';
import { WebClient, WebClientEvent } from '@slack/web-api';
import { SingleBar } from 'cli-progress';
import type { Clock } from '../clock.js';
import { asRunConfig, type LogLevel, parseConfig, readEnvironment } from '../config.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import {
  RECONCILE_CLIENT_OPTIONS,
  type ReconcileSummary,
  reconcileReactions,
} from '../services/reconcile.js';
import { createBackgroundClient, verifyToken } from '../slack/app.js';
import { openDatabase } from '../storage/db.js';
import { Store } from '../storage/store.js';
import { type CommandIo, line } from './io.js';

export const RECONCILE_HELP = `leadloop reconcile [--since 7d]

Records the decisions whose Slack events never reached Leadloop. Slack does not replay events
sent while the bot was down or unreachable, so a ✅ or ❌ added (or removed) then is missing from
the numbers. This reads the reactions on every lead post made in the period (reactions.get) and:
  - records an accept or reject reaction that has no decision yet (source "reconcile", timed
    when reconcile runs, since Slack does not say when a reaction was made);
  - retracts a decision whose reaction is no longer on the post.
Decisions whose events did arrive are left alone, so running it twice changes nothing more.
Only reactions that the bot would count are used (ACCEPT_EMOJIS, REJECT_EMOJIS, SALES_USER_IDS).

  --since <N>d | <N>h   how far back to look, by when leads were posted: 7d (default), 48h…
                        at most 90d

Slack allows about 50 reactions.get calls a minute; on a long run Leadloop waits when Slack asks
it to (the progress bar says so). It uses the bot's configuration (SLACK_BOT_TOKEN needs the
reactions:read scope). A deleted lead post is reported and skipped; the exit code is then 1.
Safe to run while the bot runs: the lead posts show the reconciled decisions the next time the
running bot updates a post (its next decision) or restarts.`;

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_SINCE_MS = 90 * DAY_MS;
const MAX_LISTED_FAILURES = 5;

/** "7d" or "36h" as milliseconds; anything else (or over 90 days) is a usage error. */
export function parseSince(value: string): number {
  const match = /^(\d{1,5})([dh])$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (match[2] === 'd' ? DAY_MS : HOUR_MS) : Number.NaN;
  if (!(ms > 0 && ms <= MAX_SINCE_MS)) {
    throw new UsageError(
      `--since "${value}" is not a period reconcile can use: give days or hours, at most 90d, e.g. --since 7d or --since 36h.`,
    );
  }
  return ms;
}

function readArgs(args: string[]): { since: string } {
  try {
    const { values } = parseArgs({ args, options: { since: { type: 'string', default: '7d' } } });
    return { since: values.since };
  } catch (error) {
    // node:util's messages name the offending option ("Unknown option '--sinse'").
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** Info lines (the client's rate-limit notices) would tear the progress bar; the bar shows waits. */
function quieter(level: LogLevel): LogLevel {
  return level === 'info' ? 'warn' : level;
}

export function describeSummary(summary: ReconcileSummary, since: string): string {
  const total = summary.leadsChecked + summary.failed.length;
  const listed = summary.failed
    .slice(0, MAX_LISTED_FAILURES)
    .map((f) => `lead ${f.leadId}: ${f.code}`)
    .join(', ');
  const more =
    summary.failed.length > MAX_LISTED_FAILURES
      ? ` and ${summary.failed.length - MAX_LISTED_FAILURES} more`
      : '';
  const failed =
    summary.failed.length > 0 ? `; could not read ${summary.failed.length} (${listed}${more})` : '';
  return `Checked ${summary.leadsChecked} of ${total} lead post(s) from the last ${since}: recorded ${summary.added} missed decision(s), retracted ${summary.retracted}${failed}.`;
}

export async function reconcileCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const since = readArgs(args).since.trim();
  const sinceMs = parseSince(since);
  const config = asRunConfig(parseConfig(readEnvironment(io.env, io.cwd), 'run'));
  const logger = createLogger(quieter(config.logLevel), io.stderr);

  const db = openDatabase(config.databasePath);
  const bar = new SingleBar({
    stream: io.stderr,
    format: 'Reconciling [{bar}] {percentage}% | {value}/{total} lead posts {status}',
    hideCursor: true,
    clearOnComplete: false,
  });
  try {
    // The background client fails fast: a bad token is reported at once, not after retries.
    const identity = await verifyToken(createBackgroundClient(config, logger), config.slack.apiUrl);
    const client = new WebClient(config.slack.botToken, {
      ...RECONCILE_CLIENT_OPTIONS,
      slackApiUrl: config.slack.apiUrl,
      logger,
    });
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) =>
      bar.update({ status: `(Slack asked to wait ${seconds} s)` }),
    );
    bar.start(0, 0, { status: '' });
    const summary = await reconcileReactions(
      {
        store: new Store(db),
        client,
        logger,
        clock,
        settings: {
          acceptEmojis: config.acceptEmojis,
          rejectEmojis: config.rejectEmojis,
          salesUserIds: config.salesUserIds,
          botUserId: identity.botUserId,
        },
      },
      {
        since: clock.now() - sinceMs,
        onProgress: (done, total) => {
          bar.setTotal(total);
          bar.update(done, { status: '' });
        },
      },
    );
    bar.stop();
    line(io.stdout, describeSummary(summary, since));
    // A deleted post is not a failure of the run; anything else unread is.
    return summary.failed.some((f) => f.code !== 'message_not_found') ? 1 : 0;
  } finally {
    bar.stop();
    db.$client.close();
  }
}
