import { DateTime } from 'luxon';
import { formatDuration } from '../domain/decision.js';
import { type CampaignWeek, type Digest, formatChange } from '../domain/digest.js';
import { formatRate, MIN_DECIDED_TO_JUDGE } from '../domain/stats.js';
import type { GroupStats, PendingLead, ReasonStats } from '../domain/statsReport.js';
import { type Column, textTable } from '../domain/textTable.js';
import { duration, mark } from './statsText.js';

/**
 * The weekly digest as plain text pieces: the Slack message escapes and arranges them, and
 * `leadloop digest --dry-run` prints them as they are. Pure. Nothing here escapes for Slack;
 * names are shortened so that one hostile campaign cannot crowd out the rest.
 */

/** A labelled line: "Top reject reasons: …". Slack shows the label in bold. */
export interface DigestLine {
  label: string;
  text: string;
}

/** Width of the campaign column: keeps the table near 80 characters, what a code block shows unwrapped. */
export const DIGEST_NAME_WIDTH = 24;
/** How many names a list in a sentence shows before "and N more". */
const LIST_MAX = 5;
/** Longest campaign name quoted on its own in a sentence. */
const NAME_MAX = 48;
/** Longest name or label in a list: the default reason labels fit. */
const LIST_NAME_MAX = 32;
const REASONS_SHOWN = 3;

export const shorten = (text: string, max = NAME_MAX): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const lineText = (line: DigestLine): string => `${line.label}: ${line.text}`;

export function digestTitle(digest: Pick<Digest, 'isoWeek'>): string {
  return `Weekly lead digest · week ${digest.isoWeek}`;
}

/**
 * "Nov 16 – 22", "Nov 30 – Dec 6", "Dec 28 – Jan 3": the Monday to Sunday of the ISO week. The
 * ISO week names the same calendar days in every zone, so no zone is needed here.
 */
export function weekSpan(digest: Pick<Digest, 'isoWeek' | 'week'>): string {
  const monday = DateTime.fromISO(digest.isoWeek, { zone: 'utc', locale: 'en-US' });
  if (!monday.isValid) return digest.week.label;
  const sunday = monday.plus({ days: 6 });
  return `${monday.toFormat('LLL d')} – ${sunday.toFormat(sunday.month === monday.month ? 'd' : 'LLL d')}`;
}

/** The change of the overall rate: "▲ 4 pts", "= 0 pts", or "–" when either week had no decisions. */
export function totalChange(digest: Pick<Digest, 'totalsBefore' | 'totalChangePoints'>): string {
  if (digest.totalChangePoints === undefined) return '–';
  // formatChange wants campaign stats for `before`, but only asks whether there were any.
  const before = { ...digest.totalsBefore, campaignId: 0, campaign: '' };
  return formatChange({ before, changePoints: digest.totalChangePoints });
}

const decidedOf = (stats: GroupStats) => stats.accepted + stats.rejected;

/**
 * One or two sentences with the week's totals, e.g. "In the week of Nov 16 – 22, marketing posted
 * 312 leads; sales accepted 58% of the 240 they decided (▲ 4 pts on the week before), half of
 * them within 3 h 10 min. 72 are still pending."
 */
export function headline(digest: Digest): string {
  const t = digest.totals;
  const span = weekSpan(digest);
  if (t.posted === 0) {
    const before = digest.totalsBefore.posted;
    return `Quiet week: no leads were posted ${span}, so there is nothing to rate${before > 0 ? ` (the week before had ${before})` : ''}.`;
  }
  const posted = `In the week of ${span}, marketing posted ${plural(t.posted, 'lead')}`;
  const decided = decidedOf(t);
  if (decided === 0) {
    return `${posted}; sales has not decided any of them yet, so ${t.posted === 1 ? 'it is' : `all ${t.posted} are`} still pending.`;
  }
  const change =
    digest.totalChangePoints === undefined
      ? ''
      : digest.totalChangePoints === 0
        ? ' (the same as the week before)'
        : ` (${totalChange(digest)} on the week before)`;
  const speed =
    t.medianDecisionMs === undefined
      ? ''
      : decided === 1
        ? `, within ${formatDuration(t.medianDecisionMs)}`
        : `, half of them within ${formatDuration(t.medianDecisionMs)}`;
  const pending =
    t.pending === 0 ? 'Nothing is pending.' : `${t.pending} ${t.pending === 1 ? 'is' : 'are'} still pending.`;
  return `${posted}; sales accepted ${formatRate(t.judgement.rate)} of the ${decided} they decided${change}${speed}. ${pending}`;
}

interface TableRow {
  name: string;
  stats: GroupStats;
  change: string;
  total: boolean;
}

function tableColumns(nameWidth: number): Column<TableRow>[] {
  return [
    { title: ' ', value: (r) => (r.total ? ' ' : mark(r.stats)) },
    { title: 'Campaign', value: (r) => r.name, maxWidth: nameWidth },
    { title: 'Posted', value: (r) => String(r.stats.posted), align: 'right' },
    { title: 'Acc', value: (r) => String(r.stats.accepted), align: 'right' },
    { title: 'Rej', value: (r) => String(r.stats.rejected), align: 'right' },
    { title: 'Pend', value: (r) => String(r.stats.pending), align: 'right' },
    { title: 'Rate', value: (r) => formatRate(r.stats.judgement.rate), align: 'right' },
    { title: 'vs last week', value: (r) => r.change },
    { title: 'Median wait', value: (r) => duration(r.stats.medianDecisionMs), align: 'right' },
  ];
}

/**
 * The campaign table: the first `top` campaigns (the digest lists them by posted, most first),
 * then a rule and the totals of all campaigns, shown or not.
 */
export function digestTable(
  digest: Digest,
  top = digest.campaigns.length,
  nameWidth = DIGEST_NAME_WIDTH,
): string {
  const rows: TableRow[] = digest.campaigns.slice(0, Math.max(0, top)).map((c: CampaignWeek) => ({
    name: c.campaign,
    stats: c.stats,
    change: formatChange(c),
    total: false,
  }));
  rows.push({ name: 'Total', stats: digest.totals, change: totalChange(digest), total: true });
  const lines = textTable(tableColumns(nameWidth), rows).split('\n');
  const width = Math.max(...lines.map((l) => l.length));
  lines.splice(lines.length - 1, 0, '─'.repeat(width));
  return lines.join('\n');
}

/** "…and 285 more campaigns (in the totals)" when the table shows only `shown` of them. */
export function moreCampaigns(digest: Digest, shown: number): string | undefined {
  const more = digest.campaigns.length - shown;
  return more > 0 ? `…and ${plural(more, 'more campaign')} (in the totals)` : undefined;
}

function campaignWithRate(c: CampaignWeek): string {
  const change = formatChange(c);
  return `${shorten(c.campaign, LIST_NAME_MAX)} ${formatRate(c.stats.judgement.rate)} (${change === 'new' ? 'new' : change})`;
}

/** The campaigns whose whole 95% range lies below the overall rate. */
export function belowLine(digest: Digest): DigestLine | undefined {
  const below = digest.below;
  if (below.length === 0) return undefined;
  const shown = below.slice(0, LIST_MAX).map(campaignWithRate).join(' · ');
  const more = below.length > LIST_MAX ? ` · and ${below.length - LIST_MAX} more` : '';
  return {
    label: 'Clearly below the rest',
    text: `${shown}${more}, against ${formatRate(digest.totals.judgement.rate)} overall.`,
  };
}

/** "Bad fit / not our ICP 34% (41) · Not ready / timing 22% (27)". */
export function reasonsList(reasons: readonly ReasonStats[], limit = REASONS_SHOWN): string {
  return reasons
    .slice(0, limit)
    .map((r) => `${shorten(r.label, LIST_NAME_MAX)} ${formatRate(r.share)} (${r.count})`)
    .join(' · ');
}

export function topReasonsLine(digest: Digest): DigestLine | undefined {
  if (digest.topReasons.length === 0 || digest.totals.rejected === 0) return undefined;
  return {
    label: 'Top reject reasons',
    text: `${reasonsList(digest.topReasons)}, of ${plural(digest.totals.rejected, 'rejected lead')}.`,
  };
}

/**
 * The judgeable campaign with the lowest rate, and why its leads were rejected. Left out when
 * fewer than two campaigns can be judged: the weakest of one is no news.
 */
export function weakestLine(digest: Digest): DigestLine | undefined {
  const judged = digest.campaigns.filter((c) => c.stats.judgement.verdict !== 'too_few').length;
  const weakest = digest.weakest;
  if (!weakest || judged < 2) return undefined;
  const c = weakest.campaign;
  const change = formatChange(c);
  const versus =
    change === 'new' ? ', new this week' : change === '–' ? '' : `, ${change} on the week before`;
  const why = weakest.reasons.length > 0 ? ` Top reasons: ${reasonsList(weakest.reasons)}.` : '';
  return {
    label: 'Weakest campaign',
    text: `${shorten(c.campaign)}, ${formatRate(c.stats.judgement.rate)} accepted of ${decidedOf(c.stats)} decided${versus}.${why}`,
  };
}

/** How many leads went past the SLA, and how many of those still wait. */
export function slaLine(digest: Digest): DigestLine {
  const sla = `${digest.slaHours} h SLA`;
  const label = 'Decision SLA';
  if (digest.slaBreaches === 0) {
    return { label, text: `no lead has waited longer than the ${sla} so far.` };
  }
  const waited = `${plural(digest.slaBreaches, 'lead')} waited longer than the ${sla} for a decision`;
  const still = digest.pending.breached;
  if (still === 0) return { label, text: `${waited}; all of them have one now.` };
  if (still < digest.slaBreaches) {
    return { label, text: `${waited}; ${still} ${still === 1 ? 'is' : 'are'} still pending.` };
  }
  return { label, text: `${waited}; ${still === 1 ? 'it is' : 'all are'} still pending.` };
}

/** The pending leads over the SLA to link to, oldest first. */
export function breachedPending(digest: Digest, limit = LIST_MAX): PendingLead[] {
  return digest.pending.oldest.filter((l) => l.breached).slice(0, limit);
}

/** A pending lead's name, and what follows it: " (Acme) · Spring Webinar · waiting 3 d 4 h". */
export function pendingLeadParts(lead: PendingLead): { who: string; rest: string } {
  const company = lead.company ? ` (${shorten(lead.company, 24)})` : '';
  return {
    who: shorten(lead.who, LIST_NAME_MAX),
    rest: `${company} · ${shorten(lead.campaign, LIST_NAME_MAX)} · waiting ${formatDuration(lead.waitingMs)}`,
  };
}

export function tooFewLine(digest: Digest): DigestLine | undefined {
  const n = digest.tooFew;
  if (n === 0) return undefined;
  const all = n === digest.campaigns.length;
  const who = all
    ? n === 1
      ? 'The one campaign has'
      : `All ${n} campaigns have`
    : `${plural(n, 'campaign')} ${n === 1 ? 'has' : 'have'}`;
  return {
    label: 'Too few to judge',
    text: `${who} fewer than ${MIN_DECIDED_TO_JUDGE} decided leads (·); their rates can swing a lot, so they are not ranked.`,
  };
}

/** The cohort and the markers, for the footer. */
export function legend(timezone?: string): string {
  return `Leads posted Mon–Sun${timezone ? ` in ${timezone}` : ''}; rate = accepted ÷ decided (pending left out); ↓ clearly below the rest, ↑ clearly above, · too few to judge; no change is shown when either week had too few.`;
}

export interface DigestTextOptions {
  /** IANA zone the week was cut in, for the footer. */
  timezone?: string;
  /** Show only this many campaigns (the totals hold all); all by default. */
  top?: number;
}

/** The whole digest as terminal text, for `leadloop digest --dry-run`. */
export function digestText(digest: Digest, options: DigestTextOptions = {}): string {
  const parts: string[] = [digestTitle(digest), '', headline(digest)];
  if (digest.totals.posted === 0) return `${parts.join('\n')}\n`;
  const shown = Math.min(options.top ?? digest.campaigns.length, digest.campaigns.length);
  parts.push('', digestTable(digest, shown));
  const more = moreCampaigns(digest, shown);
  if (more) parts.push(more);
  const lines = [belowLine(digest), topReasonsLine(digest), weakestLine(digest)];
  parts.push('');
  for (const line of lines) if (line) parts.push(lineText(line));
  const late = breachedPending(digest);
  parts.push(`${lineText(slaLine(digest))}${late.length > 0 ? ' Oldest first:' : ''}`);
  for (const lead of late) {
    const { who, rest } = pendingLeadParts(lead);
    parts.push(`  - ${who}${rest}`);
  }
  const moreLate = digest.pending.breached - late.length;
  if (late.length > 0 && moreLate > 0) parts.push(`  …and ${moreLate} more`);
  const few = tooFewLine(digest);
  if (few) parts.push(lineText(few));
  parts.push('', legend(options.timezone));
  return `${parts.join('\n')}\n`;
}
