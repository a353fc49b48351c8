import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { DecisionService } from '../../services/decisions.js';
import { leadIdFromPromptBlock } from '../../slack/blocks/rejectReason.js';
import { inboxIdOf } from '../../slack/inbox.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** The lead id a button carries in its value. */
const leadIdValue = z.coerce.number().int().positive();

function leadIdOf(action: ActionArgs['action']): number | undefined {
  const parsed = leadIdValue.safeParse('value' in action ? action.value : undefined);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Accept button: recorded at once; a double click changes nothing. The click is in the durable
 * inbox before the ack (src/slack/inbox.ts), so acking first loses nothing.
 */
export function acceptButton(decisions: DecisionService) {
  return async function onAccept({ ack, action, body, context }: ActionArgs) {
    await ack();
    const leadId = leadIdOf(action);
    const inboxId = inboxIdOf(context);
    if (leadId === undefined) return decisions.discard(inboxId);
    await decisions.acceptClicked({ leadId, userId: body.user.id, channel: body.channel?.id, inboxId });
  };
}

/** Reject button: opens the reason modal (the trigger_id is valid for 3 s, so ack first). */
export function rejectButton(decisions: DecisionService) {
  return async function onReject({ ack, action, body }: ActionArgs) {
    await ack();
    const leadId = leadIdOf(action);
    if (leadId === undefined) return;
    await decisions.rejectClicked({
      leadId,
      userId: body.user.id,
      channel: body.channel?.id,
      triggerId: body.trigger_id,
    });
  };
}

/** A reason chosen from the prompt sent after a reject reaction. */
export function promptReason(decisions: DecisionService) {
  return async function onPromptReason({ ack, action, body, respond, context }: ActionArgs) {
    await ack();
    const leadId = action.type === 'static_select' ? leadIdFromPromptBlock(action.block_id) : undefined;
    if (action.type !== 'static_select' || !action.selected_option || leadId === undefined) {
      return decisions.discard(inboxIdOf(context));
    }
    await decisions.promptReasonChosen({
      leadId,
      userId: body.user.id,
      reason: action.selected_option.value,
      triggerId: body.trigger_id,
      respond,
      responseUrl: body.response_url,
      inboxId: inboxIdOf(context),
    });
  };
}

/** "Add a note…" in that prompt: the reason modal. */
export function promptNote(decisions: DecisionService) {
  return async function onPromptNote({ ack, action, body }: ActionArgs) {
    await ack();
    const leadId = leadIdOf(action);
    if (leadId === undefined) return;
    await decisions.promptNoteClicked({
      leadId,
      userId: body.user.id,
      triggerId: body.trigger_id,
      responseUrl: body.response_url,
    });
  };
}
