import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import type { LeadForPost } from '../../storage/store.js';
import { escapeMrkdwn, truncate } from '../escape.js';
import { ActionId, BlockId } from '../ids.js';

export interface MessageContent {
  text: string;
  blocks: KnownBlock[];
}

export interface LeadPostOptions {
  acceptEmoji: string;
  rejectEmoji: string;
}

/** Slack's own date token: every reader sees the time in their own zone. */
export function slackDate(ms: number, format = '{date_short_pretty} at {time}'): string {
  const seconds = Math.floor(ms / 1000);
  return `<!date^${seconds}^${format}|${new Date(ms).toISOString()}>`;
}

function who(lead: LeadForPost): string {
  return lead.name ?? lead.email ?? `Lead ${lead.id}`;
}

/**
 * The lead post: who, company, title, campaign, source, score, notes, CRM link, Accept / Reject.
 * Every lead-supplied value is escaped (mrkdwn) or plain_text, including the fallback text.
 */
export function leadPost(lead: LeadForPost, options: LeadPostOptions): MessageContent {
  const field = (label: string, value: string | null | undefined) =>
    value
      ? { type: 'mrkdwn' as const, text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, 2000) }
      : undefined;
  const fields = [
    field('Company', lead.company),
    field('Title', lead.title),
    field('Email', lead.email),
    field('Phone', lead.phone),
    field('Country', lead.country),
    field('Campaign', lead.campaign),
    field('Source', lead.source),
    field('Score', lead.score === null ? null : `${lead.score} / 100`),
  ].filter((f) => f !== undefined);

  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`New lead: ${who(lead)}`, 150), emoji: false },
    },
  ];
  if (fields.length > 0) blocks.push({ type: 'section', fields } satisfies SectionBlock);
  if (lead.notes) {
    blocks.push({
      type: 'section',
      text: { type: 'plain_text', text: truncate(`Notes: ${lead.notes}`, 3000), emoji: false },
    });
  }

  const buttons: Button[] = [
    {
      type: 'button',
      action_id: ActionId.accept,
      style: 'primary',
      text: { type: 'plain_text', text: 'Accept' },
      value: String(lead.id),
    },
    {
      type: 'button',
      action_id: ActionId.reject,
      style: 'danger',
      text: { type: 'plain_text', text: 'Reject' },
      value: String(lead.id),
    },
  ];
  if (lead.url) {
    buttons.push({
      type: 'button',
      action_id: ActionId.openCrm,
      text: { type: 'plain_text', text: 'Open in CRM' },
      url: lead.url,
      value: String(lead.id),
    });
  }
  blocks.push({ type: 'actions', block_id: BlockId.leadActions, elements: buttons } satisfies ActionsBlock);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `⏳ Pending · react with :${options.acceptEmoji}: to accept or :${options.rejectEmoji}: to reject, or use the buttons · lead #${lead.id} · received ${slackDate(lead.createdAt)}`,
      },
    ],
  });

  const company = lead.company ? ` (${lead.company})` : '';
  const text = escapeMrkdwn(truncate(`New lead: ${who(lead)}${company} from ${lead.campaign}`, 300));
  return { text, blocks };
}
