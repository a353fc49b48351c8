import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { resolvePeriod } from '../../../src/domain/period.js';
import { addCounts, type Counts, judgeRate, medianOfSorted, ZERO_COUNTS } from '../../../src/domain/stats.js';
import { STATS_USAGE, type StatsView } from '../../../src/domain/statsCommand.js';
import type {
  CampaignStats,
  GroupStats,
  PendingLead,
  ReasonStats,
  RepStats,
  StatsReport,
} from '../../../src/domain/statsReport.js';
import type { MessageContent } from '../../../src/slack/blocks/leadPost.js';
import { SLACK_TOP_CAMPAIGNS, statsMessage, statsUsage } from '../../../src/slack/blocks/stats.js';
import { expectShownAsTyped, FORMATTED } from '../../harness/inertText.js';

const ZONE = 'Europe/Berlin';
const NOW = Date.parse('2026-11-20T12:00:00+01:00');
const HOUR = 3_600_000;
const WORKSPACE = 'https://acme.slack.com/';

/** Everything Slack would parse as a mention or a link, in names that marketing controls. */
const HOSTILE =
  '<!channel> <!here> <@U0BOSS> <#C0GENERAL> <https://evil.example|click> <!subteam^S1> &amp; *bold*';
const RAW_CONTROLS = [
  '<!channel>',
  '<!here>',
  '<@U0BOSS>',
  '<#C0GENERAL>',
  '<https://evil.example',
  '<!subteam',
];

function counts(posted: number, accepted: number, rejected: number, extra: Partial<Counts> = {}): Counts {
  return {
    posted,
    accepted,
    rejected,
    rejectedNoReason: 0,
    pending: posted - accepted - rejected,
    slaBreaches: 0,
    ...extra,
  };
}

interface ReportInput {
  campaigns: { name: string; counts: Counts; medianMs?: number }[];
  view?: StatsView;
  share?: boolean;
  campaignFilter?: StatsReport['campaignFilter'];
  reasons?: StatsReport['reasons'];
  reps?: RepStats[];
  pending?: StatsReport['pending'];
}

/** A report as StatsService builds it, from counts written in the test. */
function reportOf(input: ReportInput): StatsReport {
  const view = input.view ?? 'summary';
  const total = input.campaigns.reduce<Counts>((sum, c) => addCounts(sum, c.counts), ZERO_COUNTS);
  const overall = judgeRate(total, undefined).rate;
  const campaigns: CampaignStats[] = input.campaigns.map((c, i) => ({
    campaignId: i + 1,
    campaign: c.name,
    ...c.counts,
    medianDecisionMs: c.medianMs,
    judgement: judgeRate(c.counts, overall),
  }));
  const medians = campaigns.flatMap((c) => (c.medianDecisionMs === undefined ? [] : [c.medianDecisionMs]));
  const totals: GroupStats = {
    ...total,
    medianDecisionMs: medianOfSorted(medians.sort((a, b) => a - b)),
    judgement: judgeRate(total, undefined),
  };
  const period = { kind: 'days', days: 30 } as const;
  const report: StatsReport = {
    query: { period, view, share: input.share ?? false, help: false },
    period: resolvePeriod(period, NOW, ZONE),
    now: NOW,
    slaHours: 24,
    campaigns,
    totals,
    sources: [],
  };
  if (input.campaignFilter) report.campaignFilter = input.campaignFilter;
  if (input.reasons) report.reasons = input.reasons;
  if (input.reps) report.reps = input.reps;
  if (input.pending) report.pending = input.pending;
  return report;
}

const small = (): ReportInput => ({
  campaigns: [
    { name: 'Spring Webinar', counts: counts(12, 6, 4), medianMs: 2 * HOUR },
    {
      name: 'Trade Show Berlin',
      counts: counts(5, 1, 3, { rejectedNoReason: 1, slaBreaches: 1 }),
      medianMs: HOUR,
    },
  ],
});

/** 500 campaigns with different sizes and rates: some clearly above, some clearly below, some too few. */
function many(name: (i: number) => string): ReportInput {
  return {
    campaigns: Array.from({ length: 500 }, (_, i) => {
      const posted = 600 - i;
      const decided = i % 7 === 0 ? 5 : posted - 10;
      const accepted = Math.round((decided * ((i * 37) % 100)) / 100);
      return {
        name: name(i),
        counts: counts(posted, accepted, decided - accepted),
        medianMs: (i + 1) * 60_000,
      };
    }),
  };
}

const hostileName = (i: number) => `${HOSTILE} ${String(i).padStart(3, '0')} `.padEnd(200, 'x');

type AnyBlock = KnownBlock & {
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: string }[];
};

/** Every mrkdwn string Slack will parse, with where it came from. */
function mrkdwnTexts(message: MessageContent): string[] {
  const texts = [message.text];
  for (const block of message.blocks as AnyBlock[]) {
    if (block.text?.type === 'mrkdwn') texts.push(block.text.text);
    for (const f of block.fields ?? []) texts.push(f.text);
    for (const e of block.elements ?? []) if (e.type === 'mrkdwn' && e.text !== undefined) texts.push(e.text);
  }
  return texts;
}

function expectWithinLimits(message: MessageContent) {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks as AnyBlock[]) {
    if (block.type === 'header') {
      expect(block.text!.type).toBe('plain_text');
      expect(block.text!.text.length).toBeLessThanOrEqual(150);
    }
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(10);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    if (block.type === 'context') {
      expect(block.elements!.length).toBeLessThanOrEqual(10);
      for (const e of block.elements ?? []) expect((e.text ?? '').length).toBeLessThanOrEqual(3000);
    }
  }
  // Slack refuses messages of roughly 12k characters of blocks (msg_blocks_too_long).
  expect(JSON.stringify(message.blocks).length).toBeLessThan(10_000);
}

/** No mention or link that the bot did not make itself. */
function expectInert(message: MessageContent) {
  const all = JSON.stringify(message);
  for (const raw of RAW_CONTROLS) expect(all).not.toContain(raw);
}

const allText = (m: MessageContent) => mrkdwnTexts(m).join('\n');

describe('statsMessage: the summary', () => {
  it('shows the period, the totals and a row per campaign', () => {
    const m = statsMessage(reportOf(small()));
    expectWithinLimits(m);
    const [header] = m.blocks as AnyBlock[];
    expect(header!.type).toBe('header');
    expect(header!.text!.text).toBe('Lead acceptance · last 30 days (Oct 22 – Nov 20, 2026)');
    const text = allText(m);
    expect(text).toContain('17 posted · 7 accepted · 7 rejected (1 without a reason) · 3 pending');
    expect(text).toContain('acceptance 50% of 14 decided');
    expect(text).toContain('1 over the 24 h SLA');
    expect(text).toMatch(/Spring Webinar\s+12\s+6\s+4\s+2\s+60%/);
    expect(text).toMatch(/Trade Show Berlin\s+5\s+1\s+3\s+1\s+25%/);
    expect(text).not.toContain('more campaign');
    expect(m.text).toBe('Lead acceptance · last 30 days (Oct 22 – Nov 20, 2026): 17 posted, acceptance 50%');
  });

  it('says so when nothing was posted', () => {
    const m = statsMessage(reportOf({ campaigns: [] }));
    expectWithinLimits(m);
    expect(allText(m)).toContain('No leads were posted in this period.');
    expect(m.text).toContain('0 posted, acceptance –');
  });

  it('with 500 campaigns stays within Block Kit limits, shows the top ones and says how many more', () => {
    const input = many((i) => `Campaign ${String(i).padStart(3, '0')}`);
    const m = statsMessage(reportOf(input));
    expectWithinLimits(m);
    const text = allText(m);
    for (let i = 0; i < SLACK_TOP_CAMPAIGNS; i++)
      expect(text).toContain(`Campaign ${String(i).padStart(3, '0')}`);
    expect(text).not.toContain(`Campaign ${String(SLACK_TOP_CAMPAIGNS).padStart(3, '0')}`);
    expect(text).toContain(`…and ${500 - SLACK_TOP_CAMPAIGNS} more campaign(s), included in the totals`);
    // The totals hold all 500.
    const posted = input.campaigns.reduce((n, c) => n + c.counts.posted, 0);
    expect(text).toContain(`${posted} posted`);
    // Clearly above / below lists are capped too.
    expect(text).toMatch(/Clearly below the \d+% overall: .*; and \d+ more\./);
    expect(text).toMatch(/Clearly above the \d+% overall: .*; and \d+ more\./);
  });

  it('with 500 long hostile names stays within limits and escapes every name', () => {
    const m = statsMessage(reportOf(many(hostileName)));
    expectWithinLimits(m);
    expectInert(m);
    const text = allText(m);
    expect(text).toContain('&lt;!channel&gt;');
    // However many table rows fit, every campaign not shown is accounted for.
    const table = (m.blocks as AnyBlock[]).find((b) => b.text?.text.startsWith('```'))!.text!.text;
    const rows = table.slice(3, table.indexOf('```', 3)).split('\n').length - 1;
    expect(rows).toBeGreaterThan(0);
    const droppedRows = Number(/…and (\d+) more row\(s\)/.exec(table)?.[1] ?? 0);
    const moreCampaigns = Number(/…and (\d+) more campaign\(s\)/.exec(table)?.[1] ?? 0);
    expect(rows + droppedRows + moreCampaigns).toBe(500);
  });

  it('never leaves an unescaped < or > in mrkdwn, so Slack parses no link the bot did not mean', () => {
    for (const input of [many((i) => `Campaign ${i}`), many(hostileName)]) {
      const m = statsMessage(reportOf(input));
      for (const text of mrkdwnTexts(m)) {
        expect(text, text.slice(0, 200)).not.toMatch(/[<>]/);
      }
    }
  });

  it('names the campaign a filter matched, or lists the several it matched, escaped', () => {
    const one = statsMessage(
      reportOf({ ...small(), campaignFilter: { asked: 'spring', matched: ['Spring <!here> Webinar'] } }),
    );
    expect(allText(one)).toContain('Campaign: Spring &lt;!here&gt; Webinar');
    expectInert(one);

    const names = Array.from({ length: 500 }, (_, i) => hostileName(i));
    const several = statsMessage(
      reportOf({ ...many(hostileName), campaignFilter: { asked: HOSTILE, matched: names } }),
    );
    expectWithinLimits(several);
    expectInert(several);
    expect(allText(several)).toContain('matches 500 campaigns');
  });

  it('is the same message whether shared or not (the listener sets response_type)', () => {
    expect(statsMessage(reportOf({ ...small(), share: true }))).toEqual(statsMessage(reportOf(small())));
  });
});

describe('statsMessage: reasons', () => {
  const reason = (r: Partial<ReasonStats> & Pick<ReasonStats, 'label' | 'count' | 'share'>): ReasonStats => ({
    reason: 'bad_fit',
    kind: 'disqualify',
    ...r,
  });
  const overall: ReasonStats[] = [
    reason({ reason: 'not_ready', label: 'Not ready / timing', kind: 'recycle', count: 2, share: 0.5 }),
    reason({ label: 'Bad fit / not our ICP', count: 1, share: 0.25 }),
    reason({ reason: null, label: 'No reason given', kind: 'none', count: 1, share: 0.25 }),
  ];

  it('shows each reason with its count, share and kind, and the kinds summed', () => {
    const m = statsMessage(reportOf({ ...small(), view: 'reasons', reasons: { overall, byCampaign: [] } }));
    expectWithinLimits(m);
    const text = allText(m);
    expect((m.blocks[0] as AnyBlock).text!.text).toMatch(/^Reject reasons · /);
    expect(text).toMatch(/Not ready \/ timing\s+recycle\s+2\s+50%/);
    expect(text).toMatch(/No reason given\s+–\s+1\s+25%/);
    expect(text).toContain('disqualify 25% · recycle 50% · no reason 25%');
  });

  it('per campaign, with hostile names, stays within limits', () => {
    const byCampaign = Array.from({ length: 500 }, (_, i) => ({
      campaign: hostileName(i),
      reasons: overall,
    }));
    const m = statsMessage(
      reportOf({ ...many(hostileName), view: 'reasons', reasons: { overall, byCampaign } }),
    );
    expectWithinLimits(m);
    expectInert(m);
    expect(allText(m)).toContain('*&lt;!channel&gt;');
  });
});

describe('statsMessage: reps', () => {
  const rep = (userId: string, decisions: number, accepted: number, medianMs?: number): RepStats => ({
    userId,
    decisions,
    accepted,
    rejected: decisions - accepted,
    medianDecisionMs: medianMs,
  });

  it('shows display names where known and ids otherwise', () => {
    const m = statsMessage(
      reportOf({ ...small(), view: 'reps', reps: [rep('U0ANNA', 6, 4, 2.5 * HOUR), rep('U0BOB', 4, 1)] }),
      { names: new Map([['U0ANNA', 'Anna <!channel> Schmidt']]) },
    );
    expectWithinLimits(m);
    expectInert(m);
    const text = allText(m);
    expect((m.blocks[0] as AnyBlock).text!.text).toMatch(/^Decisions by rep · /);
    expect(text).toMatch(/Anna &lt;!channel&gt; Schmidt\s+6\s+4\s+2\s+67%\s+2 h 30 min/);
    expect(text).toMatch(/U0BOB\s+4\s+1\s+3\s+25%\s+–/);
  });

  it('says when nobody decided', () => {
    const m = statsMessage(reportOf({ ...small(), view: 'reps', reps: [] }));
    expect(allText(m)).toContain('No decisions on leads posted in this period.');
  });

  it('with more reps than fit, says how many are not shown', () => {
    const reps = Array.from({ length: 60 }, (_, i) => rep(`U${String(i).padStart(8, '0')}`, 100 - i, 50));
    const m = statsMessage(reportOf({ ...small(), view: 'reps', reps }));
    expectWithinLimits(m);
    const text = allText(m);
    const shown = reps.filter((r) => text.includes(r.userId)).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(60);
    expect(text).toMatch(new RegExp(`${60 - shown} more`));
  });
});

describe('statsMessage: pending', () => {
  const lead = (i: number, patch: Partial<PendingLead> = {}): PendingLead => ({
    id: i,
    who: `Lead ${i}`,
    company: `Company ${i}`,
    campaign: 'Spring Webinar',
    postedAt: NOW - (40 - i) * HOUR,
    waitingMs: (40 - i) * HOUR,
    breached: 40 - i > 24,
    channel: 'C0LEADS001',
    ts: `1763600000.${String(i).padStart(6, '0')}`,
    ...patch,
  });

  it('links each lead to its post when the workspace URL is known, breaches marked', () => {
    const oldest = [lead(1), lead(30)];
    const m = statsMessage(
      reportOf({ ...small(), view: 'pending', pending: { total: 2, breached: 1, oldest } }),
      {
        workspaceUrl: WORKSPACE,
      },
    );
    expectWithinLimits(m);
    const text = allText(m);
    expect((m.blocks[0] as AnyBlock).text!.text).toMatch(/^Pending leads · /);
    expect(text).toContain('*2* pending, *1* of them over the 24 h SLA');
    expect(text).toContain(
      ':warning: <https://acme.slack.com/archives/C0LEADS001/p1763600000000001|Lead 1> (Company 1) · Spring Webinar · waiting 39 h 00 min',
    );
    expect(text).toContain(
      '<https://acme.slack.com/archives/C0LEADS001/p1763600000000030|Lead 30> (Company 30)',
    );
    expect(text).not.toContain(':warning: <https://acme.slack.com/archives/C0LEADS001/p1763600000000030');
  });

  it('shows plain names without a workspace URL', () => {
    const m = statsMessage(
      reportOf({ ...small(), view: 'pending', pending: { total: 1, breached: 1, oldest: [lead(1)] } }),
    );
    expect(allText(m)).toContain(':warning: Lead 1 (Company 1)');
    expect(allText(m)).not.toContain('https://');
  });

  it('escapes names inside links, and a | cannot end the label early', () => {
    const oldest = [lead(1, { who: 'Mallory|<!channel>', company: '<@U0BOSS>', campaign: HOSTILE })];
    const m = statsMessage(
      reportOf({ ...small(), view: 'pending', pending: { total: 1, breached: 1, oldest } }),
      {
        workspaceUrl: WORKSPACE,
      },
    );
    expectInert(m);
    expect(allText(m)).toContain('|Mallory¦&lt;!channel&gt;>');
  });

  it('shows the ten oldest and how many more', () => {
    const oldest = Array.from({ length: 20 }, (_, i) => lead(i + 1));
    const m = statsMessage(
      reportOf({ ...small(), view: 'pending', pending: { total: 57, breached: 23, oldest } }),
      {
        workspaceUrl: WORKSPACE,
      },
    );
    expectWithinLimits(m);
    const text = allText(m);
    expect(text).toContain('*57* pending, *23* of them');
    expect(text).toContain('|Lead 10>');
    expect(text).not.toContain('|Lead 11>');
    expect(text).toContain('…and 47 more.');
  });

  it('with the longest hostile names, still within limits, every link closed and the count kept', () => {
    const long = (s: string, n: number) => `${s} ${HOSTILE}`.padEnd(n, 'y');
    const oldest = Array.from({ length: 20 }, (_, i) =>
      lead(i + 1, { who: long(`Lead ${i + 1}`, 500), company: long('Co', 500), campaign: long('Camp', 200) }),
    );
    const m = statsMessage(
      reportOf({ ...small(), view: 'pending', pending: { total: 57, breached: 23, oldest } }),
      {
        workspaceUrl: WORKSPACE,
      },
    );
    expectWithinLimits(m);
    expectInert(m);
    const text = allText(m);
    expect(text).toContain('*57* pending, *23* of them');
    // Each link that is opened is closed: a cut link would show its raw URL.
    for (const opened of text.split('<https://').slice(1)) expect(opened).toMatch(/^[^<]*\|[^<]*>/);
    expect(text).toMatch(/…and \d+ more\./);
  });

  it('celebrates an empty queue', () => {
    const m = statsMessage(
      reportOf({ ...small(), view: 'pending', pending: { total: 0, breached: 0, oldest: [] } }),
    );
    expect(allText(m)).toContain('Nothing is pending.');
  });
});

describe('statsUsage', () => {
  it('shows the usage, escaped, with fallback text', () => {
    const m = statsUsage();
    expect(m.text).toBe('How to use /leadstats');
    expect(m.blocks).toHaveLength(1);
    const text = allText(m);
    expect(text).toContain('Usage: /leadstats [period] [campaign &lt;name&gt;]');
    expect(text).not.toMatch(/[<>]/);
    expect(STATS_USAGE).toContain('<name>');
    expectWithinLimits(m);
  });

  it('puts the problem first, escaped, and in the fallback text', () => {
    const m = statsUsage('I don\'t understand "<!channel>".');
    expect(m.text).toBe('I don\'t understand "&lt;!channel&gt;".');
    expect(allText(m)).toMatch(/^:warning: I don't understand "&lt;!channel&gt;"\.\n```Usage:/m);
    expectInert(m);
  });
});

describe('statsMessage: formatting in lead data', () => {
  it('shows campaign and lead names with URLs, #channel, *bold* and ``` as typed in every view', () => {
    const input = (view: StatsView): ReportInput => ({
      campaigns: [{ name: FORMATTED, counts: counts(12, 6, 4), medianMs: HOUR }],
      view,
      campaignFilter: { asked: FORMATTED, matched: [FORMATTED, `${FORMATTED} 2`] },
    });
    expectShownAsTyped(statsMessage(reportOf(input('summary'))).blocks);
    const reasons = {
      overall: [{ reason: 'bad_fit', label: 'Bad fit', kind: 'disqualify' as const, count: 1, share: 1 }],
      byCampaign: [
        {
          campaign: FORMATTED,
          reasons: [{ reason: 'bad_fit', label: 'Bad fit', kind: 'disqualify' as const, count: 1, share: 1 }],
        },
      ],
    };
    expectShownAsTyped(statsMessage(reportOf({ ...input('reasons'), reasons })).blocks);
    const oldest: PendingLead[] = [
      {
        id: 1,
        who: FORMATTED,
        company: FORMATTED,
        campaign: FORMATTED,
        postedAt: NOW - 30 * HOUR,
        waitingMs: 30 * HOUR,
        breached: true,
        channel: 'C0LEADS001',
        ts: '1763600000.000001',
      },
    ];
    const pending = { total: 1, breached: 1, oldest };
    expectShownAsTyped(
      statsMessage(reportOf({ ...input('pending'), pending }), { workspaceUrl: WORKSPACE }).blocks,
    );
  });
});
