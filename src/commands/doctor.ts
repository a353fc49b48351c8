import { parseArgs } from 'node:util';
import { WebClient } from '@slack/web-api';
import { readEnvironment } from '../config.js';
import { allPassed, formatCheck, summaryLine } from '../doctor/checks.js';
import { runDoctor } from '../doctor/run.js';
import { readDoctorSettings } from '../doctor/settings.js';
import { DOCTOR_CLIENT_OPTIONS } from '../doctor/slack.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../logger.js';
import { type CommandIo, line } from './io.js';

export const DOCTOR_HELP = `leadloop doctor

Checks this configuration (environment and .env) against Slack and this machine before the bot
runs, and says what to fix. One line per check:
  Slack token      auth.test accepts SLACK_BOT_TOKEN (at SLACK_API_URL when set)
  Scopes           the token has every bot scope in manifest.yml
  Leads channel,   the bot is a member of LEADS_CHANNEL_ID and of each DIGEST_CHANNEL_IDS channel
  Digest channel   (it reads them with conversations.history, as it does to find interrupted posts)
  HTTP mode        SLACK_SIGNING_SECRET is set (when SLACK_APP_TOKEN is unset)
  Socket Mode      Slack accepts SLACK_APP_TOKEN for a connection (when it is set)
  Database         DATABASE_PATH can be created or written, and whether migrations are pending
  Ingest token     INGEST_TOKEN is long and random enough to stand up to guessing
  Settings         every other setting is valid

✓ passed  ✗ failed  ! warning  – not checked because an earlier check failed
A warning does not fail the run: INGEST_TOKEN unset only means POST /leads is off.
Exit code 0 when no check failed, 1 otherwise. Nothing is changed: the database is neither
created nor migrated (its write test is rolled back), and no secret is printed.`;

export async function doctorCommand(args: string[], io: CommandIo): Promise<number> {
  try {
    parseArgs({ args, options: {} });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const settings = readDoctorSettings(readEnvironment(io.env, io.cwd));
  // Every failure is reported as a check line; the client's own warnings would only repeat them.
  const logger = createLogger('error', io.stderr);
  const results = await runDoctor({
    settings,
    slackClient: (token) =>
      new WebClient(token, { ...DOCTOR_CLIENT_OPTIONS, slackApiUrl: settings.config.slack.apiUrl, logger }),
  });
  for (const result of results) line(io.stdout, formatCheck(result));
  line(io.stdout);
  line(io.stdout, summaryLine(results));
  return allPassed(results) ? 0 : 1;
}
