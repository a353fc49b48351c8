import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';

/** A link button still sends an action to the app; Slack shows a warning unless it is acked. */
export async function openCrm({ ack }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) {
  await ack();
}
