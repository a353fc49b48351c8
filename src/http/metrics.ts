import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.js';
import { sendJson } from './respond.js';

/** GET /metrics: every metric of this app in Prometheus text format, queue gauges read now. */
export function metricsHandler(deps: { metrics: Metrics }) {
  const { registry } = deps.metrics;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(
        res,
        405,
        { error: 'method_not_allowed', message: 'Use GET /metrics.' },
        { allow: 'GET, HEAD' },
      );
      return;
    }
    const text = await registry.metrics();
    res.writeHead(200, {
      'content-type': registry.contentType,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    res.end(text);
  };
}
