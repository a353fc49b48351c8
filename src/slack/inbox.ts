import { z } from 'zod';
import { ActionId } from './ids.js';

/**
 * Which Slack requests must be durable before Slack gets its 200: the ones that change a
 * decision and that Slack would not send again. Reactions (Events API: acknowledged means never
 * redelivered) and the clicks that record something without a modal: Accept, and a reason picked
 * in the prompt. The Reject button only opens a modal (its trigger_id cannot be replayed), and a
 * modal submission is recorded before its ack (src/listeners/views/rejectReason.ts).
 */
const DURABLE_ACTIONS: readonly string[] = [ActionId.accept, ActionId.promptReason];

const reactionEvent = z.looseObject({
  type: z.literal('event_callback'),
  event_id: z.string(),
  event: z.looseObject({ type: z.enum(['reaction_added', 'reaction_removed']) }),
});
const decidingClick = z.looseObject({
  type: z.literal('block_actions'),
  actions: z.array(z.looseObject({ action_id: z.string() })),
});

export function needsInbox(body: unknown): boolean {
  if (reactionEvent.safeParse(body).success) return true;
  const click = decidingClick.safeParse(body);
  return click.success && click.data.actions.some((a) => DURABLE_ACTIONS.includes(a.action_id));
}

/** The inbox entry a listener is handling, from Bolt's context (set by the gate or the replayer). */
export function inboxIdOf(context: Record<string, unknown>): number | undefined {
  const id = context.inboxId;
  return typeof id === 'number' ? id : undefined;
}

/**
 * Bolt's custom properties for a request or envelope the gate kept (src/slack/requestGate.ts,
 * src/slack/socketGate.ts): its inbox id, read back by `inboxIdOf`.
 */
export function inboxIdProperty(carrier: { inboxId?: unknown }): { inboxId?: number } {
  return typeof carrier.inboxId === 'number' ? { inboxId: carrier.inboxId } : {};
}
