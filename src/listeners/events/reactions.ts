import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { DecisionService } from '../../services/decisions.js';
import { inboxIdOf } from '../../slack/inbox.js';

type ReactionArgs<E extends 'reaction_added' | 'reaction_removed'> = SlackEventMiddlewareArgs<E> &
  AllMiddlewareArgs;

function reactionInput({
  event,
  body,
  context,
}: ReactionArgs<'reaction_added'> | ReactionArgs<'reaction_removed'>) {
  return {
    user: event.user,
    reaction: event.reaction,
    item: event.item,
    eventTs: event.event_ts,
    eventId: body.event_id,
    inboxId: inboxIdOf(context),
  };
}

/**
 * ✅ / ❌ on a lead post: a decision. Bolt has acked the event already, after the gate committed
 * it to the durable inbox; Slack's retries carry the same event_id.
 */
export function reactionAdded(decisions: DecisionService) {
  return async function onReactionAdded(args: ReactionArgs<'reaction_added'>) {
    await decisions.reactionAdded(reactionInput(args));
  };
}

/** Removing the reaction retracts that rep's decision. */
export function reactionRemoved(decisions: DecisionService) {
  return async function onReactionRemoved(args: ReactionArgs<'reaction_removed'>) {
    await decisions.reactionRemoved(reactionInput(args));
  };
}
