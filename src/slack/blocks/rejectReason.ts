import type { ActionsBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock } from '@slack/types';
import { REASON_KINDS, type ReasonKind, type RejectReason } from '../../domain/reasons.js';
import { escapeMrkdwn, inertMrkdwn, truncate } from '../escape.js';
import { ActionId, BlockId, CallbackId } from '../ids.js';
import type { MessageContent } from './leadPost.js';

const KIND_LABEL: Record<ReasonKind, string> = {
  disqualify: 'Disqualify: not worth working',
  recycle: 'Recycle: back to marketing nurture',
};

function option(reason: RejectReason): PlainTextOption {
  return { text: { type: 'plain_text', text: truncate(reason.label, 75) }, value: reason.key };
}

/** The reasons as a select's option groups: disqualify and recycle apart. */
export function reasonOptionGroups(reasons: readonly RejectReason[]) {
  return REASON_KINDS.map((kind) => ({
    label: { type: 'plain_text' as const, text: KIND_LABEL[kind] },
    options: reasons.filter((r) => r.kind === kind).map(option),
  })).filter((group) => group.options.length > 0);
}

/** What the reason modal carries through Slack and back (≤ 3000 characters). */
export interface RejectModalMetadata {
  leadId: number;
  /** `button`: the Reject button (records a reject); `prompt`: a reason for a reject already made. */
  via: 'button' | 'prompt';
  /** The prompt to clean up after a reason is given (ephemeral or DM). */
  responseUrl?: string;
}

export function rejectModal(
  lead: { id: number; who: string },
  reasons: readonly RejectReason[],
  metadata: RejectModalMetadata,
  current?: { reason: string | null; note: string | null },
): ModalView {
  const initial = reasons.find((r) => r.key === current?.reason);
  const noteRequired = reasons.filter((r) => r.noteRequired).map((r) => `“${r.label}”`);
  return {
    type: 'modal',
    callback_id: CallbackId.rejectModal,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: 'Reject lead' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: inertMrkdwn(`Why is *${escapeMrkdwn(truncate(lead.who, 200))}* not a good lead?`),
      },
      {
        type: 'input',
        block_id: BlockId.modalReason,
        label: { type: 'plain_text', text: 'Reason' },
        element: {
          type: 'static_select',
          action_id: ActionId.modalReason,
          placeholder: { type: 'plain_text', text: 'Choose a reason' },
          option_groups: reasonOptionGroups(reasons),
          ...(initial ? { initial_option: option(initial) } : {}),
        },
      },
      {
        type: 'input',
        block_id: BlockId.modalNote,
        optional: true,
        label: { type: 'plain_text', text: 'Note' },
        hint: {
          type: 'plain_text',
          text: truncate(
            noteRequired.length > 0
              ? `Required for ${noteRequired.join(', ')}. Marketing reads it in the digest.`
              : 'Marketing reads it in the digest.',
            150,
          ),
        },
        element: {
          type: 'plain_text_input',
          action_id: ActionId.modalNote,
          multiline: true,
          max_length: 500,
          ...(current?.note ? { initial_value: current.note } : {}),
        },
      },
    ],
  };
}

/**
 * After a reject reaction: ask that rep for a reason (ephemeral, or DM when that fails). The
 * lead id rides in each element's value / block id.
 */
export function reasonPrompt(
  lead: { id: number; who: string },
  reasons: readonly RejectReason[],
): MessageContent {
  const who = escapeMrkdwn(truncate(lead.who, 200));
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: inertMrkdwn(`You rejected *${who}*. Why? Marketing sees the reasons in the weekly digest.`),
    } satisfies SectionBlock,
    {
      type: 'actions',
      block_id: `reason_prompt:${lead.id}`,
      elements: [
        {
          type: 'static_select',
          action_id: ActionId.promptReason,
          placeholder: { type: 'plain_text', text: 'Choose a reason' },
          option_groups: reasonOptionGroups(reasons),
        },
        {
          type: 'button',
          action_id: ActionId.promptNote,
          text: { type: 'plain_text', text: 'Add a note…' },
          value: String(lead.id),
        },
      ],
    } satisfies ActionsBlock,
  ];
  return { text: `You rejected ${who}. Why? Choose a reason.`, blocks };
}

/** Reads the lead id back from the prompt's block id. */
export function leadIdFromPromptBlock(blockId: string | undefined): number | undefined {
  const match = /^reason_prompt:(\d+)$/.exec(blockId ?? '');
  return match ? Number(match[1]) : undefined;
}
