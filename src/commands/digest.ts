import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Clock } from '../clock.js';
import { asRunConfig, parseConfig, readEnvironment } from '../config.js';
import { parsePeriodToken } from '../domain/period.js';
import { UsageError } from '../errors.js';
import { DigestSender } from '../jobs/digest.js';
import { createLogger } from '../logger.js';
import { renderDigestChart } from '../report/chart.js';
import { digestText } from '../report/digestText.js';
import { digestFor } from '../services/digest.js';
import { StatsService } from '../services/stats.js';
import { createBackgroundClient, verifyToken } from '../slack/app.js';
import { openDatabase } from '../storage/db.js';
import { DigestStore } from '../storage/digests.js';
import { StatsStore } from '../storage/stats.js';
import { type CommandIo, line } from './io.js';

export const DIGEST_HELP = `leadloop digest --dry-run [--week 2026-W47] [--chart file.png]
leadloop digest --send [--week 2026-W47] [--force]

The weekly digest: acceptance by campaign for a Monday–Sunday week in TIMEZONE (by default the
last full week), against the week before.

  --dry-run   print the digest as text and write its chart to a PNG (no Slack settings needed)
  --chart     where to write the chart (default: leadloop-digest-<week>.png here)
  --send      send it now to DIGEST_CHANNEL_IDS; a week already sent to a channel is not sent
              there again
  --force     with --send: send even to channels that already have this week's digest
  --week      an ISO week such as 2026-W47`;

export async function digestCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'dry-run': { type: 'boolean', default: false },
      send: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      week: { type: 'string' },
      chart: { type: 'string' },
    },
  });
  if (values['dry-run'] === values.send)
    throw new UsageError('Say --dry-run (print it) or --send (send it now).');
  if (values.force && !values.send) throw new UsageError('--force goes with --send.');
  const week = values.week?.toUpperCase();
  if (week !== undefined && parsePeriodToken(week)?.kind !== 'iso-week') {
    throw new UsageError(`"${values.week}" is not an ISO week; write it like 2026-W47.`);
  }
  const env = readEnvironment(io.env, io.cwd);
  const config = values.send ? asRunConfig(parseConfig(env, 'run')) : parseConfig(env, 'local');
  const db = openDatabase(config.databasePath);
  try {
    const logger = createLogger(config.logLevel === 'debug' ? 'debug' : 'warn');
    const stats = new StatsService(
      { stats: new StatsStore(db), clock },
      { timezone: config.timezone, slaHours: config.decisionSlaHours, reasons: config.rejectReasons },
    );
    if (values['dry-run']) {
      const digest = digestFor({ stats, clock }, { timezone: config.timezone }, week);
      line(io.stdout, digestText(digest, { timezone: config.timezone }));
      const path = resolve(io.cwd, values.chart ?? `leadloop-digest-${digest.isoWeek}.png`);
      writeFileSync(path, await renderDigestChart(digest));
      line(io.stdout, '');
      line(io.stdout, `Chart written to ${path}`);
      return 0;
    }
    const runConfig = asRunConfig(config);
    const client = createBackgroundClient(runConfig, logger);
    const identity = await verifyToken(client, runConfig.slack.apiUrl);
    const sender = new DigestSender(
      { digests: new DigestStore(db), stats, client, logger, clock },
      { channels: config.digestChannelIds, timezone: config.timezone, workspaceUrl: identity.url },
    );
    const digest = sender.build(week);
    const outcomes = await sender.send({ isoWeek: digest.isoWeek, force: values.force });
    for (const o of outcomes) {
      switch (o.status) {
        case 'sent':
          line(io.stdout, `${o.channel}: sent${o.chart ? ' with its chart' : ' (without the chart)'}`);
          break;
        case 'already_sent':
          line(io.stdout, `${o.channel}: already had this digest (use --force to send it again)`);
          break;
        case 'busy':
          line(io.stdout, `${o.channel}: a running bot is sending it right now`);
          break;
        case 'failed':
          line(io.stdout, `${o.channel}: failed (${o.error}); a running bot retries it every 15 minutes`);
          break;
        case 'in_doubt':
          line(
            io.stdout,
            `${o.channel}: Slack did not confirm it (${o.error}); a running bot looks for it in the channel within 15 minutes and sends it only if it is not there`,
          );
          break;
      }
    }
    return outcomes.some((o) => o.status === 'failed' || o.status === 'in_doubt') ? 1 : 0;
  } finally {
    db.$client.close();
  }
}
