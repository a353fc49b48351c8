import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { formatDuration, type LeadStateName } from '../../domain/decision.js';
import { DEFAULT_REASONS, type RejectReason } from '../../domain/reasons.js';
import type { LeadForPost } from '../../storage/store.js';
import { escapeMrkdwn, inertMrkdwn, truncate } from '../escape.js';
import { ActionId, BlockId } from '../ids.js';

export interface MessageContent {
  text: string;
  blocks: KnownBlock[];
}

export interface LeadPostOptions {
  acceptEmoji: string;
  rejectEmoji: string;
  /** For reason labels; the default list when not given. */
  reasons?: readonly RejectReason[];
}

/** What the post shows of the decisions: the derived state and who stands where. */
export interface PostDecisions {
  state: LeadStateName;
  winner: ShownDecision | undefined;
  firstDecidedAt: number | undefined;
  standing: readonly ShownDecision[];
  postedAt: number | null;
}

export interface ShownDecision {
  userId: string;
  verdict: 'accept' | 'reject';
  reason: string | null;
  note: string | null;
  decidedAt: number;
}

/** A user id from Slack as a mention; anything unexpected is shown inert. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

function stateBlocks(decided: PostDecisions, options: LeadPostOptions): KnownBlock[] {
  const { winner } = decided;
  if (decided.state === 'pending' || !winner) return [];
  const took =
    decided.firstDecidedAt !== undefined && decided.postedAt !== null
      ? ` · first decision ${formatDuration(decided.firstDecidedAt - decided.postedAt)} after posting`
      : '';
  const head =
    decided.state === 'accepted'
      ? `:white_check_mark: *Accepted* by ${mention(winner.userId)} ${slackDate(winner.decidedAt)}${took}`
      : `:x: *Rejected* by ${mention(winner.userId)} ${slackDate(winner.decidedAt)}${took}`;
  const lines = [head];
  if (decided.state === 'rejected') {
    const reason = (options.reasons ?? DEFAULT_REASONS).find((r) => r.key === winner.reason);
    lines.push(
      winner.reason
        ? `*Reason:* ${escapeMrkdwn(reason?.label ?? winner.reason)}${reason ? ` (${reason.kind})` : ''}`
        : '_No reason given yet._',
    );
    if (winner.note) lines.push(`*Note:* ${escapeMrkdwn(truncate(winner.note, 500))}`);
  }
  const blocks: KnownBlock[] = [{ type: 'section', text: inertMrkdwn(truncate(lines.join('\n'), 3000)) }];
  const others = decided.standing.filter((d) => d !== winner && d.userId !== winner.userId);
  const seen = new Set<string>();
  const also = others
    .filter((d) => !seen.has(d.userId) && seen.add(d.userId))
    .slice(0, 10)
    .map((d) => `${mention(d.userId)} ${d.verdict === 'accept' ? 'accepted' : 'rejected'}`);
  if (also.length > 0) {
    blocks.push({
      type: 'context',
      elements: [inertMrkdwn(truncate(`Also: ${also.join(' · ')}`, 3000))],
    });
  }
  return blocks;
}

/** Slack's own date token: every reader sees the time in their own zone. */
export function slackDate(ms: number, format = '{date_short_pretty} at {time}'): string {
  const seconds = Math.floor(ms / 1000);
  return `<!date^${seconds}^${format}|${new Date(ms).toISOString()}>`;
}

export function who(lead: Pick<LeadForPost, 'id' | 'name' | 'email'>): string {
  return lead.name ?? lead.email ?? `Lead ${lead.id}`;
}

/**
 * The lead post: who, company, title, campaign, source, score, notes, CRM link, Accept / Reject.
 * Every lead-supplied value is escaped in verbatim mrkdwn (escape.ts) or plain_text, including
 * the fallback text: a bare URL, #channel, *bold* or ``` in lead data shows as typed.
 */
export function leadPost(
  lead: LeadForPost,
  options: LeadPostOptions,
  decided?: PostDecisions,
): MessageContent {
  const field = (label: string, value: string | null | undefined) =>
    value ? inertMrkdwn(truncate(`*${label}*\n${escapeMrkdwn(value)}`, 2000)) : undefined;
  const fields = [
    field('Company', lead.company),
    field('Title', lead.title),
    field('Email', lead.email),
    field('Phone', lead.phone),
    field('Country', lead.country),
    field('Campaign', lead.campaign),
    field('Source', lead.source),
    field('Score', lead.score === null ? null : String(lead.score)),
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
  const pending = !decided || decided.state === 'pending';
  if (decided && !pending) blocks.push(...stateBlocks(decided, options));
  blocks.push({ type: 'actions', block_id: BlockId.leadActions, elements: buttons } satisfies ActionsBlock);
  const howTo = `react with :${options.acceptEmoji}: to accept or :${options.rejectEmoji}: to reject, or use the buttons`;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${pending ? `⏳ Pending · ${howTo}` : `Changed your mind? ${howTo}`} · lead #${lead.id} · created ${slackDate(lead.createdAt)}`,
      },
    ],
  });

  const company = lead.company ? ` (${lead.company})` : '';
  const status = pending ? '' : decided?.state === 'accepted' ? ' [accepted]' : ' [rejected]';
  const text = escapeMrkdwn(truncate(`New lead: ${who(lead)}${company} from ${lead.campaign}${status}`, 300));
  return { text, blocks };
}
