import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../storage/store.js';
import { sendJson } from './respond.js';

/** GET /healthz: 200 with the posting queue depth, or 503 when the database cannot be read. */
export function healthHandler(deps: { store: Store }) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { error: 'method_not_allowed', message: 'Use GET /healthz.' },
        { allow: 'GET, HEAD' },
      );
      return;
    }
    try {
      sendJson(res, 200, { ok: true, db: 'ok', queue: deps.store.queueDepth() });
    } catch {
      sendJson(res, 503, { ok: false, db: 'error', queue: null });
    }
  };
}
