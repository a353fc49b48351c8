import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { DecisionService } from '../../services/decisions.js';
import { leadIdFromPromptBlock } from '../../slack/blocks/rejectReason.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** The lead id a button carries in its value. */
const leadIdValue = z.coerce.number().int().positive();

function leadIdOf(action: ActionArgs['action']): number | undefined {
  const parsed = leadIdValue.safeParse('value' in action ? action.value : undefined);
  return parsed.success ? parsed.data : undefined;
}

/** Accept button: recorded at once; a double click changes nothing. */
export function acceptButton(decisions: DecisionService) {
  return async function onAccept({ ack, action, body }: ActionArgs) {
    await ack();
    const leadId = leadIdOf(action);
    if (leadId === undefined) return;
    await decisions.acceptClicked({ leadId, userId: body.user.id, channel: body.channel?.id });
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
  return async function onPromptReason({ ack, action, body, respond }: ActionArgs) {
    await ack();
    if (action.type !== 'static_select' || !action.selected_option) return;
    const leadId = leadIdFromPromptBlock(action.block_id);
    if (leadId === undefined) return;
    await decisions.promptReasonChosen({
      leadId,
      userId: body.user.id,
      reason: action.selected_option.value,
      triggerId: body.trigger_id,
      respond,
      responseUrl: body.response_url,
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
