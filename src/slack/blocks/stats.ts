import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../domain/decision.js';
import { formatRate } from '../../domain/stats.js';
import { STATS_USAGE } from '../../domain/statsCommand.js';
import type { StatsReport } from '../../domain/statsReport.js';
import {
  campaignTable,
  judgementNotes,
  reasonKindsLine,
  reasonsTable,
  repsTable,
  totalsLine,
} from '../../report/statsText.js';
import { escapeMrkdwn, inertMrkdwn, truncate } from '../escape.js';
import type { MessageContent } from './leadPost.js';

/** Section text is capped at 3000 characters; tables get a margin for the code fence. */
const SECTION_MAX = 3000;
/** Rows of the campaign table in Slack; the rest is summed up in a line (the totals hold all). */
export const SLACK_TOP_CAMPAIGNS = 20;
/** Rows of the reps table in Slack (names are looked up for these). */
export const SLACK_TOP_REPS = 40;

export interface StatsRenderOptions {
  /** Display names for rep user ids (users.info); ids are shown when missing. */
  names?: ReadonlyMap<string, string>;
  /** e.g. https://acme.slack.com/ : for links to lead posts. */
  workspaceUrl?: string;
}

function section(text: string): KnownBlock {
  return { type: 'section', text: inertMrkdwn(truncate(text, SECTION_MAX)) };
}

/** A monospace table; lines are dropped from the end (never cut mid-line) to fit. */
function codeBlock(table: string, footer?: string): KnownBlock {
  const budget = SECTION_MAX - 8 - (footer ? footer.length + 1 : 0);
  const lines = escapeMrkdwn(table).split('\n');
  let text = '';
  let shown = 0;
  for (const line of lines) {
    if (text.length + line.length + 1 > budget) break;
    text += `${line}\n`;
    shown += 1;
  }
  const dropped = lines.length - shown;
  const tail = [dropped > 0 ? `…and ${dropped} more row(s)` : '', footer ?? ''].filter(Boolean).join('\n');
  return section(`\`\`\`${text.trimEnd()}\`\`\`${tail ? `\n${tail}` : ''}`);
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [inertMrkdwn(truncate(text, SECTION_MAX))] };
}

export function postLink(
  workspaceUrl: string | undefined,
  channel: string | null,
  ts: string | null,
  label: string,
) {
  const text = escapeMrkdwn(label);
  if (!workspaceUrl || !channel || !ts) return text;
  // Slack's permalink form: /archives/<channel>/p<ts without the dot>.
  return `<${workspaceUrl}archives/${channel}/p${ts.replace('.', '')}|${text.replace(/\|/g, '¦')}>`;
}

function title(report: StatsReport): string {
  const view = {
    summary: 'Lead acceptance',
    reasons: 'Reject reasons',
    reps: 'Decisions by rep',
    pending: 'Pending leads',
  }[report.query.view];
  return truncate(`${view} · ${report.period.label}`, 150);
}

export function statsMessage(report: StatsReport, options: StatsRenderOptions = {}): MessageContent {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title(report) } }];
  if (report.campaignFilter) {
    const { asked, matched } = report.campaignFilter;
    blocks.push(
      context(
        matched.length === 1
          ? `Campaign: ${escapeMrkdwn(matched[0] ?? asked)}`
          : `“${escapeMrkdwn(asked)}” matches ${matched.length} campaigns: ${escapeMrkdwn(matched.slice(0, 10).join(', '))}${matched.length > 10 ? '…' : ''}. Name one more fully to see it alone.`,
      ),
    );
  }
  blocks.push(section(escapeMrkdwn(totalsLine(report))));

  if (report.totals.posted === 0) {
    blocks.push(section('No leads were posted in this period.'));
  } else if (report.query.view === 'summary') {
    const top = report.campaigns.slice(0, SLACK_TOP_CAMPAIGNS);
    const rest = report.campaigns.length - top.length;
    blocks.push(
      codeBlock(
        campaignTable(top),
        rest > 0
          ? `…and ${rest} more campaign(s), included in the totals. Ask for one with \`campaign &lt;name&gt;\`.`
          : undefined,
      ),
    );
    const notes = judgementNotes(report);
    if (notes.length > 0) blocks.push(section(escapeMrkdwn(notes.join('\n'))));
  } else if (report.query.view === 'reasons' && report.reasons) {
    blocks.push(
      codeBlock(reasonsTable(report.reasons.overall), escapeMrkdwn(reasonKindsLine(report.reasons.overall))),
    );
    for (const c of report.reasons.byCampaign.slice(0, 5)) {
      if (c.reasons.length === 0) continue;
      blocks.push(section(`*${escapeMrkdwn(truncate(c.campaign, 200))}*`));
      blocks.push(codeBlock(reasonsTable(c.reasons)));
    }
  } else if (report.query.view === 'reps' && report.reps) {
    const names = options.names ?? new Map<string, string>();
    const shown = report.reps.slice(0, SLACK_TOP_REPS);
    const more = report.reps.length - shown.length;
    blocks.push(
      report.reps.length > 0
        ? codeBlock(
            repsTable(shown, (id) => names.get(id) ?? id),
            more > 0 ? `…and ${more} more rep(s). \`leadloop stats reps\` lists them all.` : undefined,
          )
        : section('No decisions on leads posted in this period.'),
    );
  } else if (report.query.view === 'pending' && report.pending) {
    const { total, breached, oldest } = report.pending;
    const lines = oldest
      .slice(0, 10)
      .map(
        (l) =>
          `${l.breached ? ':warning: ' : ''}${postLink(options.workspaceUrl, l.channel, l.ts, l.who)}${l.company ? ` (${escapeMrkdwn(l.company)})` : ''} · ${escapeMrkdwn(l.campaign)} · waiting ${formatDuration(l.waitingMs)}`,
      );
    if (total === 0) blocks.push(section('Nothing is pending. :tada:'));
    else {
      // Whole lines only: a line cut short could leave a link unclosed.
      const head = `*${total}* pending, *${breached}* of them over the ${report.slaHours} h SLA. Oldest first:`;
      const kept: string[] = [];
      let length = head.length + 40;
      for (const l of lines) {
        if (length + l.length + 1 > SECTION_MAX) break;
        kept.push(l);
        length += l.length + 1;
      }
      const more = total - kept.length;
      blocks.push(section(`${head}\n${kept.join('\n')}${more > 0 ? `\n…and ${more} more.` : ''}`));
    }
  }
  blocks.push(
    context(
      'Leads count in the period they were *posted* in. Rate = accepted ÷ (accepted + rejected); pending leads are left out. 95% range: Wilson interval. More: `/leadstats help`',
    ),
  );
  const rate = formatRate(report.totals.judgement.rate);
  const text = escapeMrkdwn(`${title(report)}: ${report.totals.posted} posted, acceptance ${rate}`);
  return { text, blocks };
}

export function statsUsage(problem?: string): MessageContent {
  const usage = `\`\`\`${escapeMrkdwn(STATS_USAGE)}\`\`\``;
  return {
    text: problem ? escapeMrkdwn(problem) : 'How to use /leadstats',
    blocks: [section(problem ? `:warning: ${escapeMrkdwn(problem)}\n${usage}` : usage)],
  };
}
