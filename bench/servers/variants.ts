import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';

/**
 * The servers the bench loads, each startable in this process or in a child (child.ts):
 * - app: the real bot, started as `leadloop start` does (config from the environment, startLeadloop).
 * - routes: POST /leads without Bolt and without the poster (the Socket Mode route server), on the
 *   same SQLite file; BENCH_SYNCHRONOUS overrides the pragma, to price the fsync, and BENCH_PRAGMAS
 *   sets others, for experiments. BENCH_SYNCHRONOUS applies to the app too (no measure sets it).
 * - bare: node:http answering 202 after reading the body, with no parsing and no SQLite: the
 *   floor that the HTTP stack and the load generator set on this machine.
 */
export const VARIANTS = ['app', 'routes', 'bare'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface StartedServer {
  port: number;
  stop(): Promise<void>;
}

type Env = Record<string, string | undefined>;

const BARE_REPLY = JSON.stringify({ results: [{ id: '1', status: 'queued' }] });

export async function startVariant(
  variant: Variant,
  env: Env,
  logDestination?: DestinationStream,
): Promise<StartedServer> {
  switch (variant) {
    case 'bare':
      return startBare();
    case 'routes':
      return startRoutes(env, logDestination);
    case 'app':
      return startApp(env, logDestination);
  }
}

async function startBare(): Promise<StartedServer> {
  const server = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(202, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(BARE_REPLY),
        'cache-control': 'no-store',
      });
      res.end(BARE_REPLY);
    });
  });
  const port = await listen(server);
  return { port, stop: () => close(server) };
}

async function startApp(env: Env, logDestination: DestinationStream | undefined): Promise<StartedServer> {
  const { asRunConfig, parseConfig } = await import('../../src/config.js');
  const { createLogger } = await import('../../src/logger.js');
  const { startLeadloop } = await import('../../src/main.js');
  const config = asRunConfig(parseConfig(env, 'run'));
  const running = await startLeadloop(config, { logger: createLogger(config.logLevel, logDestination) });
  // For experiments, as with routes: BENCH_SYNCHRONOUS overrides the app's synchronous pragma (unset: the app's own).
  const synchronous = env.BENCH_SYNCHRONOUS;
  if (synchronous) running.store.db.$client.pragma(`synchronous = ${synchronous.replace(/[^A-Za-z]/g, '')}`);
  return { port: running.port, stop: () => running.stop() };
}

async function startRoutes(env: Env, logDestination: DestinationStream | undefined): Promise<StartedServer> {
  const { parseConfig } = await import('../../src/config.js');
  const { createLogger } = await import('../../src/logger.js');
  const { systemClock } = await import('../../src/clock.js');
  const { appRoutes, createRouteServer } = await import('../../src/http/routes.js');
  const { openDatabase } = await import('../../src/storage/db.js');
  const { Store } = await import('../../src/storage/store.js');
  const config = parseConfig(env, 'local');
  const logger = createLogger(config.logLevel, logDestination);
  const db = openDatabase(config.databasePath);
  const synchronous = env.BENCH_SYNCHRONOUS;
  if (synchronous) db.$client.pragma(`synchronous = ${synchronous.replace(/[^A-Za-z]/g, '')}`);
  // For experiments: BENCH_PRAGMAS="wal_autocheckpoint=0,cache_size=-16000".
  for (const pragma of (env.BENCH_PRAGMAS ?? '').split(',').filter(Boolean)) {
    db.$client.pragma(pragma.replace(/[^A-Za-z0-9_=-]/g, ''));
  }
  const routes = appRoutes({
    store: new Store(db),
    clock: systemClock,
    logger,
    ingestToken: config.ingestToken,
    onQueued: () => {},
    intake: { mapping: config.leadMapping, timezone: config.timezone },
  });
  const server = createRouteServer(routes);
  const port = await listen(server);
  return {
    port,
    stop: async () => {
      await close(server);
      db.$client.close();
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
