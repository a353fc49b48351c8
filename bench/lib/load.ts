import { connect, type Socket } from 'node:net';
import { type Summary, summarize } from './stats.js';

/**
 * A closed-loop HTTP/1.1 load generator on raw keep-alive sockets: `concurrency` connections, each
 * sending its next request as soon as the previous answer is complete (no pipelining). Requests are
 * built before the clock starts, so the client spends its time on sockets, not on JSON. It parses
 * only what it needs (status, Content-Length, Connection: close), which keeps a 2-core machine's
 * second core free for the server, and records every latency, so percentiles are exact.
 * Responses may be framed by Content-Length or chunked (Bolt's receiver acks with a chunked empty body).
 */

export interface LoadOptions {
  host?: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** One body per request; `bodies.length` is the number of requests sent. */
  bodies: readonly Buffer[];
  /**
   * Optional headers of each request (same length as `bodies`), added to `headers`: e.g. a
   * signature per body. Built into the requests before the clock starts, like the bodies.
   */
  requestHeaders?: readonly Record<string, string>[];
  concurrency: number;
  expectStatus: number;
  /** Give up (counting the rest as errors) after this long. */
  timeoutMs?: number;
  /**
   * Open loop: request i is due at start + i / ratePerS, sent then on an idle connection (at most
   * `concurrency` of them), or as soon as one is free. Its latency counts from when it was due,
   * so a server that falls behind shows it (no coordinated omission). Unset: closed loop.
   */
  ratePerS?: number;
  /** Called with each answer (request index, when it was sent or due, latency in ms): for timelines. */
  onResponse?: (index: number, sentAt: number, latencyMs: number, status: number) => void;
}

export interface LoadResult {
  requests: number;
  concurrency: number;
  durationMs: number;
  /** Completed requests per second over the whole run, whatever their status. */
  rps: number;
  latencyMs: Summary;
  /** Count per HTTP status. */
  statuses: Record<string, number>;
  /** Responses whose status was not `expectStatus`, plus requests that got no response. */
  unexpected: number;
  /** Requests that got no response (socket error, server closed, timeout). */
  socketErrors: number;
  /** A few bodies of unexpected responses, to say what went wrong. */
  samples: string[];
  /** performance.now() in this process when the first request was sent, and when the last answer came. */
  startedAt: number;
  lastResponseAt: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * A complete chunked body at the start of `buffer` (without trailers), and where it ends; undefined
 * while it is incomplete. Throws on a malformed chunk size.
 */
export function readChunkedBody(buffer: Buffer): { body: Buffer; end: number } | undefined {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = buffer.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const sizeText = buffer.toString('latin1', at, lineEnd).split(';')[0]?.trim() ?? '';
    const size = Number.parseInt(sizeText, 16);
    if (!/^[0-9a-f]+$/i.test(sizeText) || !Number.isFinite(size)) {
      throw new Error(`malformed chunk size "${sizeText}"`);
    }
    if (size === 0) {
      // The last chunk: optional trailer lines, then an empty line.
      const end = buffer.indexOf(HEAD_END, lineEnd);
      if (end < 0) return undefined;
      return { body: Buffer.concat(chunks), end: end + HEAD_END.length };
    }
    const dataEnd = lineEnd + CRLF.length + size;
    if (buffer.length < dataEnd + CRLF.length) return undefined;
    chunks.push(buffer.subarray(lineEnd + CRLF.length, dataEnd));
    at = dataEnd + CRLF.length;
  }
}

export function buildRequest(
  host: string,
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
) {
  const lines = [`POST ${path} HTTP/1.1`, `host: ${host}:${port}`, 'connection: keep-alive'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const host = options.host ?? '127.0.0.1';
  const total = options.bodies.length;
  const perRequest = options.requestHeaders;
  if (perRequest && perRequest.length !== total) {
    throw new Error(`requestHeaders has ${perRequest.length} entries for ${total} bodies`);
  }
  const requests = options.bodies.map((body, i) =>
    buildRequest(
      host,
      options.port,
      options.path,
      perRequest ? { ...options.headers, ...perRequest[i] } : options.headers,
      body,
    ),
  );
  const latencies = new Float64Array(total);
  const statuses: Record<string, number> = {};
  const samples: string[] = [];
  let completed = 0;
  let lostRequests = 0;
  let failedConnections = 0;
  let next = 0;
  let lastResponseAt = 0;
  const startedAt = performance.now();
  const rate = options.ratePerS;
  if (rate !== undefined && !(rate > 0)) throw new Error(`ratePerS must be positive, got ${rate}`);
  const dueAt = (i: number) => (rate === undefined ? 0 : startedAt + (i * 1000) / rate);
  /** Connections waiting for the next request to be due (open loop only). */
  const idle: (() => void)[] = [];
  let pacer: NodeJS.Timeout | undefined;
  const armPacer = () => {
    if (pacer !== undefined || idle.length === 0 || next >= total) return;
    pacer = setTimeout(
      () => {
        pacer = undefined;
        const now = performance.now();
        while (idle.length > 0 && next < total && dueAt(next) <= now) idle.shift()?.();
        armPacer();
      },
      Math.max(0, dueAt(next) - performance.now()),
    );
  };

  return new Promise((resolve) => {
    let open = 0;
    let done = false;
    const sockets = new Set<Socket>();
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(pacer);
      for (const socket of sockets) socket.destroy();
      const durationMs = (lastResponseAt || performance.now()) - startedAt;
      const answered = latencies.subarray(0, completed);
      const expected = statuses[String(options.expectStatus)] ?? 0;
      resolve({
        requests: total,
        concurrency: options.concurrency,
        durationMs,
        rps: (completed / durationMs) * 1000,
        latencyMs: summarize(answered),
        statuses,
        unexpected: total - expected,
        socketErrors: total - completed,
        samples,
        startedAt,
        lastResponseAt: lastResponseAt || performance.now(),
      });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 10 * 60_000);
    const maybeFinish = () => {
      if (open === 0 && (next >= total || completed + lostRequests >= total)) finish();
    };

    const startConnection = () => {
      if (next >= total) return;
      open += 1;
      const socket = connect({ host, port: options.port, noDelay: true });
      sockets.add(socket);
      let buffer: Buffer = Buffer.alloc(0);
      let inFlight = -1;
      let sentAt = 0;
      let status = 0;
      let bodyLeft = -1;
      let chunked = false;
      let closeAfter = false;
      let closed = false;
      let answered = 0;

      const send = () => {
        // A connection that closed while it waited for a due request (open loop) sends nothing.
        if (closed) return;
        if (next >= total) {
          socket.end();
          return;
        }
        if (rate !== undefined && dueAt(next) > performance.now()) {
          idle.push(send);
          armPacer();
          return;
        }
        inFlight = next++;
        sentAt = rate === undefined ? performance.now() : dueAt(inFlight);
        // The last request is taken: connections waiting for one may close.
        if (next >= total) for (const waiting of idle.splice(0)) waiting();
        socket.write(requests[inFlight] as Buffer);
      };
      const onResponse = (body: Buffer) => {
        lastResponseAt = performance.now();
        latencies[completed++] = lastResponseAt - sentAt;
        options.onResponse?.(inFlight, sentAt, lastResponseAt - sentAt, status);
        statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
        if (status !== options.expectStatus && samples.length < 3) {
          samples.push(`${status} ${body.toString('utf8').slice(0, 300)}`);
        }
        inFlight = -1;
        answered += 1;
        if (closeAfter) {
          socket.destroy();
          return;
        }
        send();
      };
      const parse = () => {
        for (;;) {
          if (bodyLeft < 0) {
            const end = buffer.indexOf(HEAD_END);
            if (end < 0) return;
            const head = buffer.toString('latin1', 0, end);
            status = Number(head.slice(9, 12));
            const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
            chunked = !length?.[1] && /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
            if (!length?.[1] && !chunked) {
              samples.push(
                `response with neither Content-Length nor chunked encoding (unsupported by the bench client): ${head}`,
              );
              socket.destroy();
              return;
            }
            closeAfter = /\r\nconnection:\s*close/i.test(head);
            bodyLeft = chunked ? 0 : Number(length?.[1]);
            buffer = buffer.subarray(end + HEAD_END.length);
          }
          if (chunked) {
            let whole: ReturnType<typeof readChunkedBody>;
            try {
              whole = readChunkedBody(buffer);
            } catch (error) {
              samples.push(`bad chunked response: ${(error as Error).message}`);
              socket.destroy();
              return;
            }
            if (!whole) return;
            buffer = buffer.subarray(whole.end);
            bodyLeft = -1;
            chunked = false;
            onResponse(whole.body);
            if (buffer.length === 0 || closed) return;
            continue;
          }
          if (buffer.length < bodyLeft) return;
          const body = buffer.subarray(0, bodyLeft);
          buffer = buffer.subarray(bodyLeft);
          bodyLeft = -1;
          onResponse(body);
          if (buffer.length === 0 || closed) return;
        }
      };

      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        parse();
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        closed = true;
        sockets.delete(socket);
        open -= 1;
        if (inFlight >= 0) lostRequests += 1;
        failedConnections = answered === 0 ? failedConnections + 1 : 0;
        if (failedConnections >= 10) {
          samples.push(
            `10 connections in a row closed before any answer (is the server up on port ${options.port}?)`,
          );
          finish();
          return;
        }
        // A server that closed the connection (Connection: close, or an error) gets a new one.
        if (!done && next < total) startConnection();
        maybeFinish();
      });
    };

    for (let i = 0; i < Math.min(options.concurrency, total); i++) startConnection();
    if (total === 0) finish();
  });
}
