import type { Server } from 'node:http';
import { type AddressInfo, isIPv6, type ListenOptions } from 'node:net';
import type { Logger } from '@slack/logger';
import { type Clock, systemClock } from './clock.js';
import type { RunConfig } from './config.js';
import { appRoutes, createRouteServer } from './http/routes.js';
import { DigestScheduler, DigestSender } from './jobs/digest.js';
import { Poster } from './jobs/poster.js';
import { PostUpdater } from './jobs/postUpdater.js';
import { registerListeners } from './listeners/index.js';
import { DecisionService } from './services/decisions.js';
import { StatsService } from './services/stats.js';
import { createBackgroundClient, createSlackApp, verifyToken } from './slack/app.js';
import { openDatabase } from './storage/db.js';
import { DigestStore } from './storage/digests.js';
import { StatsStore } from './storage/stats.js';
import { Store } from './storage/store.js';
import { StatsThread } from './workers/statsRunner.js';

/** Slack retries a delivery for about 5 minutes; a day of event ids outlives that comfortably. */
const EVENT_ID_RETENTION_MS = 24 * 60 * 60_000;

export interface RunningLeadloop {
  /** The port the HTTP server listens on (useful with PORT=0). */
  port: number;
  /** The address it listens on: HOST, or `::` / `0.0.0.0` for every interface. */
  address: string;
  store: Store;
  /** Stops accepting requests, lets the post in flight finish, closes the database. */
  stop(): Promise<void>;
}

/**
 * The whole bot, wired: config → database (migrated) → Slack app → listeners → jobs → listen.
 * Everything it needs is passed in, so tests run the real thing with their own clock and logger.
 */
export async function startLeadloop(
  config: RunConfig,
  deps: { logger: Logger; clock?: Clock },
): Promise<RunningLeadloop> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const db = openDatabase(config.databasePath);
  const store = new Store(db);
  const closeDb = () => db.$client.close();
  let statsThread: StatsThread | undefined;

  try {
    const backgroundClient = createBackgroundClient(config, logger);
    const identity = await verifyToken(backgroundClient, config.slack.apiUrl);
    const postOptions = {
      acceptEmoji: config.acceptEmojis[0] ?? 'white_check_mark',
      rejectEmoji: config.rejectEmojis[0] ?? 'x',
      reasons: config.rejectReasons,
    };
    const poster = new Poster(
      { store, client: backgroundClient, logger, clock },
      { channel: config.leadsChannelId, post: postOptions },
    );
    const postUpdater = new PostUpdater({ store, client: backgroundClient, logger, clock }, postOptions);
    const routes = appRoutes({
      store,
      clock,
      logger,
      ingestToken: config.ingestToken,
      onQueued: () => poster.notify(),
    });
    const { app, httpReceiver } = createSlackApp(config, { logger, identity, routes });
    const decisions = new DecisionService(
      { store, client: app.client, logger, clock, onPostChanged: () => postUpdater.notify() },
      {
        acceptEmojis: config.acceptEmojis,
        rejectEmojis: config.rejectEmojis,
        salesUserIds: config.salesUserIds,
        reasons: config.rejectReasons,
        botUserId: identity.botUserId,
      },
    );
    const stats = new StatsService(
      { stats: new StatsStore(db), clock },
      { timezone: config.timezone, slaHours: config.decisionSlaHours, reasons: config.rejectReasons },
    );
    // /leadstats runs in its own thread with its own connection (an in-memory database has no
    // second connection, so there it runs here); the weekly digest (two weeks of leads) stays here.
    statsThread =
      config.databasePath === ':memory:'
        ? undefined
        : new StatsThread(
            { clock },
            {
              databasePath: config.databasePath,
              settings: {
                timezone: config.timezone,
                slaHours: config.decisionSlaHours,
                reasons: config.rejectReasons,
              },
            },
          );
    registerListeners(app, { decisions, stats: statsThread ?? stats, logger, workspaceUrl: identity.url });
    const digests = new DigestStore(db);
    const digestSender = new DigestSender(
      { digests, stats, client: backgroundClient, logger, clock },
      { channels: config.digestChannelIds, timezone: config.timezone, workspaceUrl: identity.url },
    );
    const digestScheduler = new DigestScheduler(
      { sender: digestSender, digests, clock, logger },
      { cron: config.digestCron, timezone: config.timezone },
    );
    app.error(async (error) => {
      logger.error('Unhandled error in a Slack listener', error);
    });

    // HOST unset: Node's default, every interface (IPv6 and IPv4 where the machine has both).
    const listenOn = { port: config.port, ...(config.host ? { host: config.host } : {}) };
    let server: Server;
    if (httpReceiver) {
      server = (await app.start(listenOn)) as Server;
    } else {
      server = createRouteServer(routes);
      await listen(server, listenOn);
      await app.start();
    }
    poster.start();
    postUpdater.start();
    await digestScheduler.start();
    const pruner = setInterval(() => {
      try {
        store.pruneSlackEvents(clock.now() - EVENT_ID_RETENTION_MS);
      } catch (error) {
        logger.error('Pruning handled Slack event ids failed', error);
      }
    }, 60 * 60_000);
    pruner.unref();
    const { port, address } = server.address() as AddressInfo;
    const everywhere = !config.host || config.host === '0.0.0.0' || config.host === '::';
    const origin = `http://${everywhere ? 'localhost' : isIPv6(address) ? `[${address}]` : address}:${port}`;
    logger.info(
      `Leadloop is running (${config.slack.mode === 'http' ? `Slack events on ${origin}/slack/events, ` : 'Socket Mode, '}POST /leads ${config.ingestToken ? 'on' : 'off'}, GET /healthz) on port ${port}, ${everywhere ? 'every interface' : `${address} only`}`,
    );

    let stopping: Promise<void> | undefined;
    return {
      port,
      address,
      store,
      stop: () => {
        stopping ??= (async () => {
          const closed = closeServer(server);
          clearInterval(pruner);
          await Promise.all([
            poster.stop(),
            postUpdater.stop(),
            digestScheduler.stop(),
            statsThread?.close(),
          ]);
          if (!httpReceiver) await app.stop();
          await closed;
          closeDb();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await statsThread?.close();
    closeDb();
    throw error;
  }
}

function listen(server: Server, on: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(on, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting; requests in progress finish; idle keep-alive sockets close; stragglers are cut after 10 s. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
