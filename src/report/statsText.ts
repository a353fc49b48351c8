import { formatDuration } from '../domain/decision.js';
import { formatInterval, formatRate, MIN_DECIDED_TO_JUDGE } from '../domain/stats.js';
import type { CampaignStats, GroupStats, ReasonStats, RepStats, StatsReport } from '../domain/statsReport.js';
import { type Column, textTable } from '../domain/textTable.js';

/**
 * A stats report as plain text: the tables and sentences that Slack shows in code blocks and
 * the terminal prints as they are. Pure.
 */

export const duration = (ms: number | undefined) => (ms === undefined ? '–' : formatDuration(ms));

/** ↓ clearly below the rest, ↑ clearly above, · too few decisions to judge. */
export function mark(stats: GroupStats): string {
  switch (stats.judgement.verdict) {
    case 'below':
      return '↓';
    case 'above':
      return '↑';
    case 'too_few':
      return '·';
    default:
      return ' ';
  }
}

export function campaignColumns(nameWidth: number): Column<CampaignStats>[] {
  return [
    { title: ' ', value: mark },
    { title: 'Campaign', value: (c) => c.campaign, maxWidth: nameWidth },
    { title: 'Posted', value: (c) => String(c.posted), align: 'right' },
    { title: 'Acc', value: (c) => String(c.accepted), align: 'right' },
    { title: 'Rej', value: (c) => String(c.rejected), align: 'right' },
    { title: 'Pend', value: (c) => String(c.pending), align: 'right' },
    { title: 'Rate', value: (c) => formatRate(c.judgement.rate), align: 'right' },
    {
      title: '95% range',
      value: (c) => (c.judgement.verdict === 'too_few' ? 'too few' : formatInterval(c.judgement.interval)),
    },
    { title: 'Median wait', value: (c) => duration(c.medianDecisionMs), align: 'right' },
  ];
}

export function campaignTable(rows: readonly CampaignStats[], nameWidth = 28): string {
  return textTable(campaignColumns(nameWidth), rows);
}

export function totalsLine(report: StatsReport): string {
  const t = report.totals;
  const decided = t.accepted + t.rejected;
  return [
    `${t.posted} posted`,
    `${t.accepted} accepted`,
    `${t.rejected} rejected${t.rejectedNoReason > 0 ? ` (${t.rejectedNoReason} without a reason)` : ''}`,
    `${t.pending} pending`,
    `acceptance ${formatRate(t.judgement.rate)}${decided > 0 ? ` of ${decided} decided (95% range ${formatInterval(t.judgement.interval)})` : ''}`,
    `median time to decision ${duration(t.medianDecisionMs)}`,
    `${t.slaBreaches} over the ${report.slaHours} h SLA`,
  ].join(' · ');
}

/** Sentences a marketer and a rep can read in ten seconds. */
export function judgementNotes(report: StatsReport): string[] {
  const notes: string[] = [];
  const overall = formatRate(report.totals.judgement.rate);
  const below = report.campaigns.filter((c) => c.judgement.verdict === 'below');
  const above = report.campaigns.filter((c) => c.judgement.verdict === 'above');
  const few = report.campaigns.filter((c) => c.judgement.verdict === 'too_few');
  const list = (cs: CampaignStats[]) =>
    cs
      .slice(0, 5)
      .map(
        (c) =>
          `${c.campaign} (${formatRate(c.judgement.rate)}, range ${formatInterval(c.judgement.interval)})`,
      )
      .join('; ') + (cs.length > 5 ? `; and ${cs.length - 5} more` : '');
  if (below.length > 0) notes.push(`Clearly below the ${overall} overall: ${list(below)}.`);
  if (above.length > 0) notes.push(`Clearly above the ${overall} overall: ${list(above)}.`);
  if (few.length > 0) {
    notes.push(
      `${few.length} campaign${few.length === 1 ? ' has' : 's have'} fewer than ${MIN_DECIDED_TO_JUDGE} decided leads: too few to judge (·), not ranked.`,
    );
  }
  return notes;
}

export function reasonsTable(rows: readonly ReasonStats[]): string {
  return textTable<ReasonStats>(
    [
      { title: 'Reason', value: (r) => r.label, maxWidth: 36 },
      { title: 'Kind', value: (r) => (r.kind === 'none' ? '–' : r.kind) },
      { title: 'Leads', value: (r) => String(r.count), align: 'right' },
      { title: 'Share', value: (r) => formatRate(r.share), align: 'right' },
    ],
    rows,
  );
}

/** "disqualify 62% · recycle 30% · no reason 8%". */
export function reasonKindsLine(rows: readonly ReasonStats[]): string {
  const share = (kind: ReasonStats['kind']) =>
    rows.filter((r) => r.kind === kind).reduce((s, r) => s + r.share, 0);
  return `disqualify ${formatRate(share('disqualify'))} · recycle ${formatRate(share('recycle'))} · no reason ${formatRate(share('none'))}`;
}

export function repsTable(rows: readonly RepStats[], name: (userId: string) => string): string {
  return textTable<RepStats>(
    [
      { title: 'Rep', value: (r) => name(r.userId), maxWidth: 28 },
      { title: 'Decisions', value: (r) => String(r.decisions), align: 'right' },
      { title: 'Acc', value: (r) => String(r.accepted), align: 'right' },
      { title: 'Rej', value: (r) => String(r.rejected), align: 'right' },
      {
        title: 'Acc rate',
        value: (r) => formatRate(r.decisions > 0 ? r.accepted / r.decisions : undefined),
        align: 'right',
      },
      { title: 'Median wait', value: (r) => duration(r.medianDecisionMs), align: 'right' },
    ],
    rows,
  );
}
