import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '@slack/logger';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { BodyTooLargeError, readBody, sendJson } from '../http/respond.js';
import { storageProblem } from '../storage/availability.js';

/**
 * Everything that reaches Bolt on /slack/events passes here first. Bolt checks signatures but
 * only refuses stale timestamps, and it reads fields of whatever JSON a signed body holds (a body
 * of `null` crashed the process). The gate reads the body once (bounded in size), checks the
 * signature and that the timestamp is within five minutes either way, checks the envelope's
 * shape with zod, answers what Bolt would answer badly (`app_rate_limited`), and hands the
 * buffered request on. Nothing it refuses reaches a listener.
 *
 * Durable before acknowledged: a request that changes a decision (src/slack/inbox.ts) is
 * committed to the inbox before Bolt can answer 200; when storage cannot take it, Slack gets a
 * 503 and sends the event again, instead of a 200 for an event that is then lost.
 */

/** Slack's own limit: a request older (or, here, newer) than this is refused. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;
/** Slack's payloads are a few KiB; a view submission with many blocks stays far below this. */
export const SLACK_BODY_LIMIT = 1024 * 1024;

/**
 * The events the bot subscribes to (manifest.yml), with the fields Bolt's middleware and our
 * listeners read. Any other event type is acknowledged and dropped: Slack sends only what the
 * manifest subscribes to, so anything else is not from a Slack we configured.
 */
const subscribedEvent = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.enum(['reaction_added', 'reaction_removed']),
    user: z.string(),
    reaction: z.string(),
    item: z.looseObject({ channel: z.string(), ts: z.string() }),
    event_ts: z.string(),
  }),
]);
const eventsApiBody = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({
    type: z.literal('event_callback'),
    event: z.looseObject({ type: z.string() }),
    event_id: z.string(),
    team_id: z.string().optional(),
  }),
  z.looseObject({ type: z.literal('app_rate_limited'), minute_rate_limited: z.number().optional() }),
]);
const user = z.looseObject({ id: z.string() });
const interactionPayload = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('block_actions'),
    user,
    actions: z.array(z.looseObject({ action_id: z.string() })),
  }),
  z.looseObject({
    type: z.enum(['view_submission', 'view_closed']),
    user,
    view: z.looseObject({ id: z.string(), callback_id: z.string() }),
  }),
]);
const slashCommand = z.looseObject({ command: z.string(), text: z.string().optional(), user_id: z.string() });

export type GateVerdict =
  | { ok: true; kind: 'event' | 'interaction'; body: unknown }
  | { ok: true; kind: 'command' | 'ssl_check' }
  | { ok: true; kind: 'app_rate_limited'; minuteRateLimited: number | undefined }
  | { ok: true; kind: 'unsubscribed_event'; eventType: string }
  | { ok: false; status: 400 | 401; reason: string };

function signatureMatches(secret: string, timestamp: string, raw: Buffer, signature: string): boolean {
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/*
 * Pure: is this parsed body one Bolt can take? The same judges serve both transports: the HTTP
 * gate below and Socket Mode's (src/slack/socketGate.ts), whose envelopes carry the same bodies.
 */

export function judgeEventsApiBody(value: unknown): GateVerdict {
  const body = eventsApiBody.safeParse(value);
  if (!body.success) return { ok: false, status: 400, reason: 'not an Events API envelope' };
  const data = body.data;
  if (data.type === 'app_rate_limited') {
    return { ok: true, kind: 'app_rate_limited', minuteRateLimited: data.minute_rate_limited };
  }
  if (data.type === 'event_callback' && !subscribedEvent.safeParse(data.event).success) {
    const known = subscribedEvent.options.some((o) => o.shape.type.safeParse(data.event.type).success);
    return known
      ? { ok: false, status: 400, reason: `a ${data.event.type} event without the fields Slack sends` }
      : { ok: true, kind: 'unsubscribed_event', eventType: data.event.type };
  }
  return { ok: true, kind: 'event', body: data };
}

export function judgeInteraction(value: unknown): GateVerdict {
  return interactionPayload.safeParse(value).success
    ? { ok: true, kind: 'interaction', body: value }
    : { ok: false, status: 400, reason: 'not an interaction payload' };
}

export function judgeSlashCommand(value: unknown): GateVerdict {
  return slashCommand.safeParse(value).success
    ? { ok: true, kind: 'command' }
    : { ok: false, status: 400, reason: 'not a slash command' };
}

/** Slack drops events past 30,000 an hour; those decisions are in the reactions on the posts. */
export function warnAppRateLimited(logger: Logger, minuteRateLimited: number | undefined): void {
  logger.warn(
    `Slack is dropping events for this workspace (app_rate_limited${minuteRateLimited ? ` at ${new Date(minuteRateLimited * 1000).toISOString()}` : ''}). Decisions made meanwhile are recovered by running: leadloop reconcile --since 1d`,
  );
}

/** Commits the body to the durable inbox when it must be (its entry id), else undefined. */
export type Keep = (body: unknown) => Promise<number | undefined>;

/**
 * Durable before acknowledged, for both transports: a passed event or interaction is kept when
 * it must be. `kept: false` (logged, with what Slack will do: `refusal`) means storage could not
 * take it and it must not be acknowledged.
 */
export async function keepBeforeAck(
  verdict: GateVerdict,
  deps: { keep?: Keep; logger: Logger },
  refusal: string,
): Promise<{ kept: true; inboxId: number | undefined } | { kept: false }> {
  if (!verdict.ok || (verdict.kind !== 'event' && verdict.kind !== 'interaction') || !deps.keep) {
    return { kept: true, inboxId: undefined };
  }
  try {
    return { kept: true, inboxId: await deps.keep(verdict.body) };
  } catch (error) {
    const problem = storageProblem(error);
    if (problem) deps.logger.warn(`${refusal}: ${problem}`);
    else deps.logger.error('Keeping a Slack request in the inbox failed', error);
    return { kept: false };
  }
}

/** Pure: is this request one Slack sent, recently, in a shape Bolt can take? */
export function judgeSlackRequest(input: {
  raw: Buffer;
  contentType: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  signingSecret: string;
  nowSeconds: number;
}): GateVerdict {
  const mediaType = (input.contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const text = input.raw.toString('utf8');
  const form = mediaType === 'application/x-www-form-urlencoded' ? new URLSearchParams(text) : undefined;
  // Slack's SSL check is unsigned by design and carries nothing; Bolt answers it and drops the rest.
  if (form?.get('ssl_check') === '1') return { ok: true, kind: 'ssl_check' };

  const ts = input.timestamp ?? '';
  if (!/^\d{1,12}$/.test(ts) || !input.signature) {
    return { ok: false, status: 401, reason: 'missing or malformed signature headers' };
  }
  if (Math.abs(input.nowSeconds - Number(ts)) > SIGNATURE_WINDOW_SECONDS) {
    return {
      ok: false,
      status: 401,
      reason: 'timestamp more than 5 minutes away from now (replay or clock skew)',
    };
  }
  if (!signatureMatches(input.signingSecret, ts, input.raw, input.signature)) {
    return { ok: false, status: 401, reason: 'signature does not match the signing secret' };
  }

  if (mediaType === 'application/json') {
    const parsed = parseJson(text);
    return judgeEventsApiBody(parsed.ok ? parsed.value : undefined);
  }
  if (form !== undefined) {
    const payload = form.get('payload');
    if (payload !== null) {
      const parsed = parseJson(payload);
      return judgeInteraction(parsed.ok ? parsed.value : undefined);
    }
    return judgeSlashCommand(Object.fromEntries(form));
  }
  return { ok: false, status: 400, reason: `unexpected content type ${mediaType || '(none)'}` };
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? undefined : value;
};

/**
 * Wraps Bolt's request listener: POSTs to `endpoint` are judged first; everything else (our own
 * routes) goes straight through.
 */
export function slackRequestGate(
  inner: RequestListener,
  deps: {
    signingSecret: string;
    logger: Logger;
    clock: Clock;
    endpoint?: string;
    /** The durable inbox; the id reaches the listener as `context.inboxId`. */
    keep?: Keep;
  },
): RequestListener {
  const endpoint = deps.endpoint ?? '/slack/events';
  const refuse = (res: ServerResponse, status: number, reason: string) => {
    deps.logger.warn(`Refused a request to ${endpoint}: ${reason}`);
    sendJson(res, status, { error: status === 401 ? 'unauthorized' : 'bad_request' });
  };
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== endpoint || req.method !== 'POST') {
      inner(req, res);
      return;
    }
    readBody(req, SLACK_BODY_LIMIT).then(
      async (raw) => {
        const verdict = judgeSlackRequest({
          raw,
          contentType: header(req, 'content-type'),
          timestamp: header(req, 'x-slack-request-timestamp'),
          signature: header(req, 'x-slack-signature'),
          signingSecret: deps.signingSecret,
          nowSeconds: Math.floor(deps.clock.now() / 1000),
        });
        if (!verdict.ok) {
          refuse(res, verdict.status, verdict.reason);
          return;
        }
        if (verdict.kind === 'unsubscribed_event') {
          deps.logger.debug(`Ignored a ${verdict.eventType} event: the bot does not subscribe to it`);
          res.writeHead(200).end();
          return;
        }
        if (verdict.kind === 'app_rate_limited') {
          warnAppRateLimited(deps.logger, verdict.minuteRateLimited);
          res.writeHead(200).end();
          return;
        }
        const kept = await keepBeforeAck(
          verdict,
          deps,
          'Answered Slack 503, so that it sends the request again',
        );
        if (!kept.kept) {
          sendJson(res, 503, { error: 'storage_unavailable' });
          return;
        }
        const { inboxId } = kept;
        inner(Object.assign(req, { rawBody: raw, inboxId }), res);
      },
      (error: unknown) => {
        if (error instanceof BodyTooLargeError) {
          res.once('finish', () => req.socket.destroy());
          refuse(res, 413, 'body over 1 MiB');
          return;
        }
        // The client went away mid-body: nothing to answer.
        deps.logger.debug(`Reading a request to ${endpoint} failed: ${(error as Error).message}`);
        res.destroy();
      },
    );
  };
}
