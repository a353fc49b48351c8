import type { Server } from 'node:http';
import { type AddressInfo, isIPv6, type ListenOptions } from 'node:net';
import type { Logger } from '@slack/logger';
import { type Clock, systemClock, systemTimers, type Timers } from './clock.js';
import type { RunConfig } from './config.js';
import { ListenError } from './errors.js';
import { appRoutes, createRouteServer, SERVER_TIMEOUTS } from './http/routes.js';
import { AttentionAnnouncer } from './jobs/attention.js';
import { DigestScheduler, DigestSender } from './jobs/digest.js';
import { Housekeeping } from './jobs/housekeeping.js';
import { INBOX_GRACE_MS, InboxReplayer } from './jobs/inbox.js';
import { InstanceLease } from './jobs/lease.js';
import { Poster } from './jobs/poster.js';
import { PostingStatus } from './jobs/postingStatus.js';
import { PostUpdater } from './jobs/postUpdater.js';
import { registerListeners } from './listeners/index.js';
import { createMetrics } from './metrics.js';
import { DecisionService } from './services/decisions.js';
import { StatsService } from './services/stats.js';
import { createBackgroundClient, createSlackApp, verifyToken } from './slack/app.js';
import { needsInbox } from './slack/inbox.js';
import { createInteractiveClient } from './slack/lanes.js';
import { meteredFetch } from './slack/metered.js';
import { AttentionStore } from './storage/attention.js';
import { BUSY_TIMEOUT_MS, StorageStatus } from './storage/availability.js';
import { DatabaseFile } from './storage/databaseFile.js';
import { openDatabase } from './storage/db.js';
import { DigestStore } from './storage/digests.js';
import { InboxStore } from './storage/inbox.js';
import { LeaseStore } from './storage/lease.js';
import { QueueStore } from './storage/queue.js';
import { RetentionStore } from './storage/retention.js';
import { StatsStore } from './storage/stats.js';
import { Store } from './storage/store.js';
import { StatsThread } from './workers/statsRunner.js';

export interface RunningLeadloop {
  /** The port the HTTP server listens on (useful with PORT=0). */
  port: number;
  /** The HTTP server (Bolt's in HTTP mode, the route server in Socket Mode). */
  server: Server;
  /** The address it listens on: HOST, or `::` / `0.0.0.0` for every interface. */
  address: string;
  store: Store;
  /** Stops accepting requests, lets the post in flight finish, closes the database. */
  stop(): Promise<void>;
  /**
   * Resolves (with what to tell the operator) if the bot found another Leadloop had taken over
   * its database and stopped itself; never resolves otherwise.
   */
  lost: Promise<string>;
}

/**
 * The whole bot, wired: config → database (migrated) → Slack app → listeners → jobs → listen.
 * Everything it needs is passed in, so tests run the real thing with their own clock and logger.
 */
export async function startLeadloop(
  config: RunConfig,
  deps: { logger: Logger; clock?: Clock; timers?: Timers },
): Promise<RunningLeadloop> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const timers = deps.timers ?? systemTimers;
  // Locks held by another process are waited for on timers, never for long on the event loop.
  const db = openDatabase(config.databasePath, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  const storageStatus = new StorageStatus(clock);
  const store = new Store(db, { timers, status: storageStatus });
  const inbox = new InboxStore(db);
  const databaseFile = new DatabaseFile(config.databasePath);
  const closeDb = () => db.$client.close();
  let statsThread: StatsThread | undefined;
  let heldLease: InstanceLease | undefined;
  let stopSelf: () => void = () => {};
  let reportLost: (message: string) => void = () => {};
  const lost = new Promise<string>((resolve) => {
    reportLost = resolve;
  });

  try {
    // First, before anything talks to Slack: one bot per database (docs/decisions/0008).
    const lease = new InstanceLease(
      { leases: new LeaseStore(db), clock, timers, logger },
      {
        databasePath: config.databasePath,
        onLost: (message) => {
          logger.error(message);
          stopSelf();
          reportLost(message);
        },
      },
    );
    lease.acquire();
    heldLease = lease;
    // Operator signals: the poster says whether posting works; /healthz and /metrics read it.
    const postingStatus = new PostingStatus();
    const queue = new QueueStore(db);
    const metrics = createMetrics({
      queue: () => {
        const { depth, oldestReceivedAt } = queue.snapshot();
        const waitedMs = oldestReceivedAt === undefined ? 0 : clock.now() - oldestReceivedAt;
        return { depth, oldestAgeSeconds: Math.max(0, Math.floor(waitedMs / 1000)) };
      },
      posting: () => postingStatus.current(),
    });
    const slackFetch = meteredFetch(metrics, config.slack.apiUrl);
    const backgroundClient = createBackgroundClient(config, logger, { fetch: slackFetch });
    const identity = await verifyToken(backgroundClient, config.slack.apiUrl);
    const postOptions = {
      acceptEmoji: config.acceptEmojis[0] ?? 'white_check_mark',
      rejectEmoji: config.rejectEmojis[0] ?? 'x',
      reasons: config.rejectReasons,
    };
    const poster = new Poster(
      { store, client: backgroundClient, logger, clock, metrics, status: postingStatus },
      { channel: config.leadsChannelId, post: postOptions },
    );
    const postUpdater = new PostUpdater({ store, client: backgroundClient, logger, clock }, postOptions);
    const attention = new AttentionStore(db);
    const announcer = new AttentionAnnouncer(
      { attention, client: backgroundClient, logger, clock, timers },
      { channel: config.attentionChannelId ?? config.leadsChannelId },
    );
    const routes = appRoutes({
      store,
      clock,
      logger,
      ingestToken: config.ingestToken,
      onQueued: () => poster.notify(),
      attention,
      onAttention: () => announcer.notify(),
      metrics,
      queue,
      posting: postingStatus,
      stallMs: config.healthStallMinutes * 60_000,
      storageStatus,
      storageProblem: () => storageStatus.check(db.$client, timers),
      intake: { mapping: config.leadMapping, timezone: config.timezone },
      databaseFile,
    });
    const { app, httpReceiver } = createSlackApp(config, {
      logger,
      identity,
      routes,
      fetch: slackFetch,
      // Durable before acknowledged: decision-changing requests and envelopes are committed before the ack.
      keep: async (body) => {
        if (!needsInbox(body)) return undefined;
        const now = clock.now();
        return store.soon(() => inbox.keep(body, now, now + INBOX_GRACE_MS));
      },
    });
    const replayer = new InboxReplayer({
      inbox,
      store,
      clock,
      timers,
      logger,
      dispatch: (body, inboxId) =>
        app.processEvent({
          body: body as Record<string, unknown>,
          ack: async () => {},
          customProperties: { inboxId },
        }),
    });
    const decisions = new DecisionService(
      {
        store,
        client: createInteractiveClient({
          botToken: config.slack.botToken,
          apiUrl: config.slack.apiUrl,
          logger,
          fetch: slackFetch,
        }),
        logger,
        clock,
        metrics,
        onPostChanged: () => postUpdater.notify(),
        inbox,
        onDecided: () => replayer.notify(),
      },
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
      { sender: digestSender, digests, clock, timers, logger, metrics },
      { cron: config.digestCron, timezone: config.timezone },
    );
    app.error(async (error) => {
      logger.error('Unhandled error in a Slack listener', error);
    });

    // HOST unset: Node's default, every interface (IPv6 and IPv4 where the machine has both).
    const listenOn = { port: config.port, ...(config.host ? { host: config.host } : {}) };
    let server: Server;
    try {
      if (httpReceiver) {
        server = (await app.start(listenOn, SERVER_TIMEOUTS)) as Server;
      } else {
        server = createRouteServer(routes);
        await listen(server, listenOn);
      }
    } catch (error) {
      throw listenProblem(listenOn, error);
    }
    if (!httpReceiver) await app.start();
    poster.start();
    postUpdater.start();
    replayer.start();
    announcer.start();
    await digestScheduler.start();
    const housekeeping = new Housekeeping(
      { store, retention: new RetentionStore(db), clock, timers, logger },
      { retentionDays: config.retentionDays },
    );
    housekeeping.start();
    const { port, address } = server.address() as AddressInfo;
    lease.listening(port);
    const everywhere = !config.host || config.host === '0.0.0.0' || config.host === '::';
    const origin = `http://${everywhere ? 'localhost' : isIPv6(address) ? `[${address}]` : address}:${port}`;
    logger.info(
      `Leadloop is running (${config.slack.mode === 'http' ? `Slack events on ${origin}/slack/events, ` : 'Socket Mode, '}POST /leads ${config.ingestToken ? 'on' : 'off'}, GET /healthz, GET /metrics) on port ${port}, ${everywhere ? 'every interface' : `${address} only`}`,
    );

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        const closed = closeServer(server);
        await Promise.all([
          housekeeping.stop(),
          poster.stop(),
          postUpdater.stop(),
          replayer.stop(),
          announcer.stop(),
          digestScheduler.stop(),
          statsThread?.close(),
        ]);
        if (!httpReceiver) await app.stop();
        await closed;
        // Last, so that no other bot takes over while this one still writes.
        await lease.stop();
        closeDb();
      })();
      return stopping;
    };
    stopSelf = () => void stop();
    return { port, server, address, store, stop, lost };
  } catch (error) {
    await statsThread?.close();
    await heldLease?.stop();
    closeDb();
    throw error;
  }
}

/** EADDRINUSE and EACCES as the one line that says what to change; anything else as it is. */
function listenProblem(on: ListenOptions, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  const where = `port ${on.port}${on.host ? ` on ${on.host}` : ''}`;
  if (code === 'EADDRINUSE')
    return new ListenError(
      `Cannot listen on ${where}: another program is using it (a Leadloop on another database, or anything else). Stop that program, or set PORT to a free port (e.g. PORT=3001).`,
      { cause: error },
    );
  if (code === 'EACCES')
    return new ListenError(
      `Cannot listen on ${where}: this user may not use ports below 1024. Set PORT to 1024 or above (e.g. PORT=3000) and put a reverse proxy in front.`,
      { cause: error },
    );
  if (code === 'EADDRNOTAVAIL')
    return new ListenError(
      `Cannot listen on ${where}: this machine has no such address. Set HOST to one of its addresses (e.g. HOST=127.0.0.1), or leave HOST unset for every interface.`,
      { cause: error },
    );
  return error;
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
