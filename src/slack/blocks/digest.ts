import type { KnownBlock } from '@slack/types';
import type { Digest } from '../../domain/digest.js';
import { formatRate } from '../../domain/stats.js';
import {
  belowLine,
  breachedPending,
  type DigestLine,
  digestTable,
  digestTitle,
  headline,
  legend,
  moreCampaigns,
  pendingLeadParts,
  slaLine,
  tooFewLine,
  topReasonsLine,
  totalChange,
  weakestLine,
} from '../../report/digestText.js';
import { escapeMrkdwn, inertMrkdwn, truncate } from '../escape.js';
import type { MessageContent } from './leadPost.js';
import { postLink } from './stats.js';

/**
 * The weekly digest as a Slack message. Pure. Every campaign, reason and lead value is escaped;
 * the only `<…>` sequences are the bot's own links to lead posts. Sized for hundreds of
 * campaigns: the table shows the top ones and says how many more the totals hold.
 */

/** Rows of the campaign table in Slack, by leads posted. */
export const DIGEST_TOP_CAMPAIGNS = 15;
/** Breached pending leads linked in the SLA section. */
export const DIGEST_LATE_LEADS = 5;

const SECTION_MAX = 3000;
const HEADER_MAX = 150;
/**
 * Budgets below Slack's own limits so that the whole message stays well under the ~12k
 * characters of blocks Slack accepts even when every name escapes to five times its length.
 */
const TABLE_MAX = 2600;
const SLA_MAX = 2000;
const CHART_NOTE_MAX = 200;

export interface DigestRenderOptions {
  /** e.g. https://acme.slack.com/ : for links to lead posts. Without it lead names show unlinked. */
  workspaceUrl?: string;
  /** A line about the bar chart sent with the digest; plain text (it is escaped). */
  chartNote?: string;
  /** The IANA zone the week was cut in (TIMEZONE), named in the footer. */
  timezone?: string;
}

function section(text: string): KnownBlock {
  return { type: 'section', text: inertMrkdwn(truncate(text, SECTION_MAX)) };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [inertMrkdwn(truncate(text, SECTION_MAX))] };
}

const labelled = (line: DigestLine) => `*${line.label}:* ${escapeMrkdwn(line.text)}`;

/**
 * The top campaigns and the totals in a code block. Escaping can lengthen names several times
 * over, so rows come off the end (never a line cut in the middle) until the section fits; the
 * "…and N more" line counts them, and the totals row always stays.
 */
function tableSection(digest: Digest): KnownBlock {
  const render = (top: number) => {
    const more = moreCampaigns(digest, top);
    return `\`\`\`${escapeMrkdwn(digestTable(digest, top))}\`\`\`${more ? `\n${escapeMrkdwn(more)}` : ''}`;
  };
  let top = Math.min(DIGEST_TOP_CAMPAIGNS, digest.campaigns.length);
  let text = render(top);
  while (text.length > TABLE_MAX && top > 0) {
    top -= 1;
    text = render(top);
  }
  return section(text);
}

/** The SLA sentence and links to the oldest breached posts; whole lines only, so no link is cut. */
function slaSection(digest: Digest, workspaceUrl: string | undefined): KnownBlock {
  const late = breachedPending(digest, DIGEST_LATE_LEADS);
  const head = `${labelled(slaLine(digest))}${late.length > 0 ? ' Oldest first:' : ''}`;
  const lines = late.map((lead) => {
    const { who, rest } = pendingLeadParts(lead);
    return `• ${postLink(workspaceUrl, lead.channel, lead.ts, who)}${escapeMrkdwn(rest)}`;
  });
  const tail = (shown: number) => {
    const more = digest.pending.breached - shown;
    return shown > 0 && more > 0
      ? `\n…and ${more} more: \`/leadstats ${digest.isoWeek} pending\` lists them.`
      : '';
  };
  const kept: string[] = [];
  let length = head.length + tail(0).length + 80;
  for (const line of lines) {
    if (length + line.length + 1 > SLA_MAX) break;
    kept.push(line);
    length += line.length + 1;
  }
  return section([head, ...kept].join('\n') + tail(kept.length));
}

function fallbackText(digest: Digest): string {
  const t = digest.totals;
  if (t.posted === 0) return escapeMrkdwn(`${digestTitle(digest)}: no leads were posted`);
  const change = totalChange(digest);
  const rate = `${formatRate(t.judgement.rate)} accepted${change === '–' ? '' : ` (${change})`}`;
  return escapeMrkdwn(`${digestTitle(digest)}: ${t.posted} posted, ${rate}, ${t.pending} pending`);
}

export function digestMessage(digest: Digest, options: DigestRenderOptions = {}): MessageContent {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(digestTitle(digest), HEADER_MAX) } },
    section(escapeMrkdwn(headline(digest))),
  ];
  if (digest.totals.posted > 0) {
    blocks.push(tableSection(digest));
    if (options.chartNote) blocks.push(context(escapeMrkdwn(truncate(options.chartNote, CHART_NOTE_MAX))));
    for (const line of [belowLine(digest), topReasonsLine(digest), weakestLine(digest)]) {
      if (line) blocks.push(section(labelled(line)));
    }
    blocks.push(slaSection(digest, options.workspaceUrl));
    const few = tooFewLine(digest);
    if (few) blocks.push(context(labelled(few)));
  }
  blocks.push(context(escapeMrkdwn(legend(options.timezone))));
  return { text: fallbackText(digest), blocks };
}
