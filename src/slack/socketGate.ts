import { SocketModeReceiver, type SocketModeReceiverOptions } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import { z } from 'zod';
import { inboxIdProperty } from './inbox.js';
import {
  type GateVerdict,
  judgeEventsApiBody,
  judgeInteraction,
  judgeSlashCommand,
  type Keep,
  keepBeforeAck,
  warnAppRateLimited,
} from './requestGate.js';

/**
 * Socket Mode's counterpart of the request gate (src/slack/requestGate.ts). Over the WebSocket
 * nothing is signed (the connection is authenticated by the app token), but @slack/socket-mode
 * reads fields of whatever JSON arrives (a frame of `null`, or an events_api envelope without a
 * payload, threw in an unawaited handler and killed the process), and Bolt acks an event before
 * its listener writes anything. So every frame is judged here first, with the same judges as
 * HTTP bodies; a decision-changing envelope (src/slack/inbox.ts) is committed to the inbox
 * before the socket client sees it, and therefore before anything can ack it. What is refused or
 * cannot be stored is not acknowledged: Slack sends it again.
 */

const connectionMessage = z.looseObject({ type: z.enum(['hello', 'disconnect']) });
const envelope = z.looseObject({
  type: z.enum(['events_api', 'interactive', 'slash_commands']),
  envelope_id: z.string().min(1),
  payload: z.unknown(),
});

export type SocketVerdict =
  /** The connection's own messages: the socket client handles them. */
  | { ok: true; kind: 'connection' }
  | { ok: true; kind: 'app_rate_limited'; minuteRateLimited: number | undefined }
  | { ok: true; kind: 'envelope'; envelopeId: string; body: Extract<GateVerdict, { ok: true }> }
  | { ok: false; reason: string };

const eventCallback = z.looseObject({ type: z.literal('event_callback') });

/**
 * Pure: is this WebSocket frame one Slack sends, in a shape the socket client and Bolt can take?
 * Only subscribed events pass: the client emits an event under its own type name, and a type
 * such as `close` or `ws_message` would drive the client itself.
 */
export function judgeSocketMessage(text: string): SocketVerdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (connectionMessage.safeParse(value).success) return { ok: true, kind: 'connection' };
  const parsed = envelope.safeParse(value);
  if (!parsed.success) return { ok: false, reason: 'not a Socket Mode envelope' };
  const { type, envelope_id: envelopeId, payload } = parsed.data;
  const refuse = (reason: string): SocketVerdict => ({
    ok: false,
    reason: `${type} envelope ${envelopeId}: ${reason}`,
  });
  if (type === 'interactive' || type === 'slash_commands') {
    const body = type === 'interactive' ? judgeInteraction(payload) : judgeSlashCommand(payload);
    return body.ok ? { ok: true, kind: 'envelope', envelopeId, body } : refuse(body.reason);
  }
  const body = judgeEventsApiBody(payload);
  if (!body.ok) return refuse(body.reason);
  if (body.kind === 'app_rate_limited') return body;
  if (body.kind === 'unsubscribed_event')
    return refuse(`a ${body.eventType} event, which the bot does not subscribe to`);
  if (body.kind !== 'event' || !eventCallback.safeParse(payload).success)
    return refuse('not an event callback');
  return { ok: true, kind: 'envelope', envelopeId, body };
}

type FrameHandler = (data: unknown, isBinary: boolean) => unknown;

/**
 * Bolt's SocketModeReceiver with the gate in front of its socket client's frame handler. The
 * client keeps doing what it does (connection messages, building the ack, handing envelopes to
 * Bolt); it only ever sees frames the gate passed, and a kept envelope's inbox id reaches the
 * listener as `context.inboxId`, as in HTTP mode.
 */
export class GatedSocketModeReceiver extends SocketModeReceiver {
  constructor(options: SocketModeReceiverOptions, gate: { logger: Logger; keep?: Keep }) {
    // Set just before a kept envelope is handed to the client, read as it reaches Bolt.
    const inboxIds = new Map<string, number>();
    super({
      ...options,
      customPropertiesExtractor: (args: { envelope_id?: unknown }) =>
        inboxIdProperty({ inboxId: inboxIds.get(String(args.envelope_id)) }),
    });
    // @slack/socket-mode 3.x: the WebSocket's frames arrive as `ws_message` on the client.
    const unguarded = this.client.listeners('ws_message') as FrameHandler[];
    this.client.removeAllListeners('ws_message');
    const handOn = (data: unknown, isBinary: boolean) => {
      for (const handler of unguarded) handler(data, isBinary);
    };
    this.client.on('ws_message', (data: unknown, isBinary: boolean) => {
      gateFrame(data, isBinary, { ...gate, inboxIds, handOn }).catch((error: unknown) => {
        gate.logger.error('Handling a Socket Mode message failed', error);
      });
    });
  }
}

async function gateFrame(
  data: unknown,
  isBinary: boolean,
  deps: {
    logger: Logger;
    keep?: Keep;
    inboxIds: Map<string, number>;
    handOn: (data: unknown, isBinary: boolean) => void;
  },
): Promise<void> {
  // Slack sends text frames only; the client logs and drops anything else.
  if (isBinary || typeof data !== 'string') {
    deps.handOn(data, isBinary);
    return;
  }
  const verdict = judgeSocketMessage(data);
  if (!verdict.ok) {
    deps.logger.warn(`Refused a Socket Mode message (not acknowledged): ${verdict.reason}`);
    return;
  }
  if (verdict.kind === 'connection') {
    deps.handOn(data, isBinary);
    return;
  }
  if (verdict.kind === 'app_rate_limited') {
    // Not handed on: neither the socket client nor Bolt can take an envelope without an event.
    warnAppRateLimited(deps.logger, verdict.minuteRateLimited);
    return;
  }
  const { body, envelopeId } = verdict;
  const kept = await keepBeforeAck(
    body,
    deps,
    `A Socket Mode envelope (${envelopeId}) was not acknowledged, so that Slack sends it again`,
  );
  if (!kept.kept) return;
  if (kept.inboxId !== undefined) deps.inboxIds.set(envelopeId, kept.inboxId);
  try {
    // The client hands the envelope to Bolt synchronously, which reads its custom properties first.
    deps.handOn(data, isBinary);
  } finally {
    deps.inboxIds.delete(envelopeId);
  }
}
