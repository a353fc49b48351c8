import type { KnownBlock } from '@slack/types';
import type { ReasonCount } from '../../domain/attention.js';
import { escapeMrkdwn, inertMrkdwn, truncate } from '../escape.js';
import type { MessageContent } from './leadPost.js';

/**
 * "Leads need attention": items from a vendor that came in but could not be stored as leads.
 * Pure. Reasons can quote what a vendor sent, so every one is escaped (and cut short); the only
 * formatting is the bot's own.
 */

export interface AttentionNotice {
  /** Open items that arrived since the last notice. */
  newCount: number;
  /** All open items. */
  openCount: number;
  topReasons: readonly ReasonCount[];
  /** Whether an earlier notice was sent (the wording says "since the last notice"). */
  announcedBefore: boolean;
}

export const ATTENTION_COMMAND = 'leadloop attention list';
const REASON_MAX = 300;

function leads(n: number): string {
  return n === 1 ? '1 lead' : `${n} leads`;
}

export function attentionNotice(notice: AttentionNotice): MessageContent {
  const since = notice.announcedBefore ? ' since the last notice' : '';
  const verb = notice.newCount === 1 ? 'needs' : 'need';
  const total = notice.openCount > notice.newCount ? ` (${leads(notice.openCount)} waiting in all)` : '';
  const head = `${leads(notice.newCount)} from your marketing tools ${verb} attention${since}${total}: they came in but could not be stored as leads, so they are not in this channel yet.`;
  const reasons = notice.topReasons.map(
    (r) => `• ${escapeMrkdwn(truncate(r.reason, REASON_MAX))} (${r.count})`,
  );
  const todo = `On the server, run \`${ATTENTION_COMMAND}\` to see them, \`leadloop attention show ID\` for one, \`leadloop attention retry --all\` once the mapping is fixed, or \`leadloop attention drop ID\`.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: inertMrkdwn(`:warning: *${head}*`) }];
  if (reasons.length > 0) {
    blocks.push({ type: 'section', text: inertMrkdwn(`*Top reasons*\n${reasons.join('\n')}`) });
  }
  blocks.push({ type: 'context', elements: [inertMrkdwn(todo)] });
  return { text: `${head} Run ${ATTENTION_COMMAND} on the server.`, blocks };
}
