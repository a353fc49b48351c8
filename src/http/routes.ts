import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import { type HealthDeps, healthHandler } from './health.js';
import { type IngestDeps, ingestHandler } from './ingest.js';
import { metricsHandler } from './metrics.js';
import { sendJson } from './respond.js';

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** The one error sink for our own routes: log with context, answer 500 if nothing was sent yet. */
function guarded(name: string, handler: Handler, logger: Logger): CustomRoute['handler'] {
  return (req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        logger.error(`Unexpected error in ${req.method} ${name}`, error);
        if (!res.headersSent)
          sendJson(res, 500, { error: 'internal_error', message: 'Unexpected error; see the server log.' });
        else res.destroy();
      });
  };
}

export type AppRouteDeps = IngestDeps & HealthDeps;

/**
 * `POST /leads`, `GET /healthz` and `GET /metrics`, served beside Slack's endpoint on the app's
 * one HTTP server.
 */
export function appRoutes(deps: AppRouteDeps): CustomRoute[] {
  return [
    { path: '/leads', method: ALL_METHODS, handler: guarded('/leads', ingestHandler(deps), deps.logger) },
    { path: '/healthz', method: ALL_METHODS, handler: guarded('/healthz', healthHandler(deps), deps.logger) },
    {
      path: '/metrics',
      method: ALL_METHODS,
      handler: guarded('/metrics', metricsHandler(deps), deps.logger),
    },
  ];
}

/**
 * Node keeps a slow request open for 300 s by default; anyone can open one, before any token or
 * signature is checked. Every request here is small (1 MiB at most), so a short bound costs nothing.
 */
export const SERVER_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000 } as const;

/**
 * In Socket Mode, Slack traffic goes over a WebSocket and Bolt has no HTTP server of ours to
 * mount routes on; this small server answers the same routes on PORT.
 */
export function createRouteServer(routes: CustomRoute[]): Server {
  return createServer(SERVER_TIMEOUTS, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
}
