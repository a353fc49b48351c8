import type { Clock } from '../clock.js';
import { asRunConfig, parseConfig, readEnvironment } from '../config.js';
import { createLogger } from '../logger.js';
import { startLeadloop } from '../main.js';
import type { CommandIo } from './io.js';

export const START_HELP = `leadloop start

Runs the bot: Slack events (HTTP mode on PORT at /slack/events, or Socket Mode when
SLACK_APP_TOKEN is set), POST /leads, GET /healthz, and the lead poster. Configuration comes from
the environment and from .env in the current folder; see .env.example.
Stops cleanly on SIGTERM or SIGINT (Ctrl-C). Only one may run per database: a second start on the
same DATABASE_PATH is refused with one line naming the one that runs.`;

/** Runs until a signal stops it; resolves with the exit code. */
export async function startCommand(
  _args: string[],
  io: CommandIo,
  clock: Clock,
  signals: NodeJS.EventEmitter,
) {
  const config = asRunConfig(parseConfig(readEnvironment(io.env, io.cwd), 'run'));
  const logger = createLogger(config.logLevel);
  const running = await startLeadloop(config, { logger, clock });
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`${signal} received: finishing the post in flight, then stopping`);
      running.stop().then(
        () => {
          logger.info('Stopped cleanly');
          resolve(0);
        },
        (error: unknown) => {
          logger.error('Shutdown failed', error);
          resolve(1);
        },
      );
    };
    // Another Leadloop took the database over: this one has stopped itself (and said why).
    running.lost.then(() =>
      running.stop().then(
        () => resolve(1),
        () => resolve(1),
      ),
    );
    signals.once('SIGTERM', () => shutdown('SIGTERM'));
    signals.once('SIGINT', () => shutdown('SIGINT'));
  });
}
