import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from '@slack/logger';
import { z } from 'zod';
import type { DecisionService } from '../../services/decisions.js';
import { ActionId, BlockId } from '../../slack/ids.js';
import { RESPONSE_URL_TIMEOUT_MS } from '../../slack/lanes.js';

const metadataSchema = z.object({
  leadId: z.number().int().positive(),
  via: z.enum(['button', 'prompt']),
  responseUrl: z.url().optional(),
});

const stateSchema = z.object({
  [BlockId.modalReason]: z
    .object({
      [ActionId.modalReason]: z
        .object({ selected_option: z.object({ value: z.string() }).nullish() })
        .optional(),
    })
    .optional(),
  [BlockId.modalNote]: z
    .object({ [ActionId.modalNote]: z.object({ value: z.string().nullish() }).optional() })
    .optional(),
});

/** POSTs to a Slack response_url (to remove the prompt once the modal gave the reason). */
async function respondTo(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

/**
 * The reason modal. Checked and recorded before the ack, so a problem is shown in place
 * (`response_action: errors`); Slack's 3 seconds are plenty for a local transaction, and a
 * database that cannot take it (locked elsewhere) is said in the modal within them.
 */
export function rejectReasonSubmitted(decisions: DecisionService, logger: Logger) {
  return async function onRejectReason({
    ack,
    view,
    body,
  }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) {
    let metadata: z.infer<typeof metadataSchema>;
    try {
      metadata = metadataSchema.parse(JSON.parse(view.private_metadata));
    } catch {
      await ack({
        response_action: 'errors',
        errors: { [BlockId.modalReason]: 'This form is out of date; close it and try again.' },
      });
      return;
    }
    const state = stateSchema.safeParse(view.state.values);
    const values = state.success ? state.data : {};
    const result = await decisions.rejectModalSubmitted({
      userId: body.user.id,
      metadata,
      reason: values[BlockId.modalReason]?.[ActionId.modalReason]?.selected_option?.value,
      note: values[BlockId.modalNote]?.[ActionId.modalNote]?.value ?? undefined,
    });
    if (!result.ok) {
      await ack({
        response_action: 'errors',
        errors: Object.fromEntries(
          Object.entries(result.errors).map(([field, message]) => [
            field === 'note' ? BlockId.modalNote : BlockId.modalReason,
            message,
          ]),
        ),
      });
      return;
    }
    await ack();
    await decisions.afterModal(metadata, respondTo).catch((error: unknown) => {
      logger.info(`Could not remove the reason prompt (${(error as Error).message})`);
    });
  };
}
