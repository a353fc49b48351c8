import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { buildDigest, type Digest } from '../../../src/domain/digest.js';
import { previousPeriod, resolvePeriod } from '../../../src/domain/period.js';
import type { Verdict } from '../../../src/domain/stats.js';
import type {
  CampaignStats,
  PendingLead,
  ReasonStats,
  StatsReport,
} from '../../../src/domain/statsReport.js';
import { digestTable, digestText, headline, weekSpan } from '../../../src/report/digestText.js';
import { DIGEST_TOP_CAMPAIGNS, digestMessage } from '../../../src/slack/blocks/digest.js';
import type { MessageContent } from '../../../src/slack/blocks/leadPost.js';
import { expectShownAsTyped, FORMATTED } from '../../harness/inertText.js';

const ZONE = 'Europe/Berlin';
const NOW = Date.parse('2026-11-23T09:00:00+01:00');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const WORKSPACE = 'https://acme.slack.com/';
const WEEK = resolvePeriod({ kind: 'iso-week', week: '2026-W47' }, NOW, ZONE);
const PREVIOUS = previousPeriod(WEEK, ZONE);

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

function campaign(
  campaignId: number,
  name: string,
  accepted: number,
  rejected: number,
  pending: number,
  extra: { verdict?: Verdict; medianMs?: number } = {},
): CampaignStats {
  const decided = accepted + rejected;
  return {
    campaignId,
    campaign: name,
    posted: accepted + rejected + pending,
    accepted,
    rejected,
    rejectedNoReason: 0,
    pending,
    slaBreaches: 0,
    medianDecisionMs: decided > 0 ? (extra.medianMs ?? HOUR) : undefined,
    judgement: {
      decided,
      rate: decided > 0 ? accepted / decided : undefined,
      interval: undefined,
      verdict: extra.verdict ?? (decided < 10 ? 'too_few' : 'in_line'),
    },
  };
}

function report(
  period: typeof WEEK,
  campaigns: CampaignStats[],
  extras: Pick<StatsReport, 'reasons' | 'pending'> & { slaBreaches?: number; medianMs?: number } = {},
): StatsReport {
  const sum = (key: 'posted' | 'accepted' | 'rejected' | 'pending') =>
    campaigns.reduce((n, c) => n + c[key], 0);
  const accepted = sum('accepted');
  const decided = accepted + sum('rejected');
  const r: StatsReport = {
    query: { period: period.spec, view: 'summary', share: true, help: false },
    period,
    now: NOW,
    slaHours: 24,
    campaigns: [...campaigns].sort((a, b) => b.posted - a.posted),
    totals: {
      posted: sum('posted'),
      accepted,
      rejected: sum('rejected'),
      rejectedNoReason: 0,
      pending: sum('pending'),
      slaBreaches: extras.slaBreaches ?? 0,
      medianDecisionMs: decided > 0 ? (extras.medianMs ?? 2 * HOUR) : undefined,
      judgement: {
        decided,
        rate: decided > 0 ? accepted / decided : undefined,
        interval: undefined,
        verdict: decided < 10 ? 'too_few' : 'in_line',
      },
    },
    sources: [],
  };
  if (extras.reasons) r.reasons = extras.reasons;
  if (extras.pending) r.pending = extras.pending;
  return r;
}

const reason = (key: string, label: string, count: number, share: number): ReasonStats => ({
  reason: key,
  label,
  kind: 'disqualify',
  count,
  share,
});

function pendingLead(i: number, overrides: Partial<PendingLead> = {}): PendingLead {
  const waitingMs = 7 * 24 * HOUR - i * 10 * HOUR;
  return {
    id: i + 1,
    who: `Lead ${i}`,
    company: i % 2 === 0 ? 'Acme' : null,
    campaign: 'Spring Webinar',
    postedAt: NOW - waitingMs,
    waitingMs,
    breached: waitingMs > 24 * HOUR,
    channel: 'C0LEADS',
    ts: `1763300000.00010${i}`,
    ...overrides,
  };
}

const digestOf = (thisWeek: StatsReport, lastWeek: StatsReport): Digest =>
  buildDigest({ week: WEEK, previous: PREVIOUS, isoWeek: '2026-W47', thisWeek, lastWeek });

/*
 * The week of Nov 16 – 22, 2026 (ISO 2026-W47), against Nov 9 – 15:
 *   Spring Webinar      12 acc  8 rej 10 pend  60%  before 10/20 = 50%  ▲ 10 pts
 *   Trade Show Berlin    3 acc 17 rej  5 pend  15%  before  9/20 = 45%  ▼ 30 pts   clearly below
 *   Newsletter           5 acc  5 rej  2 pend  50%  before 10/20 = 50%  = 0 pts
 *   Cold List            0 acc  0 rej  4 pend   –   before  1/2         –          too few
 *   Partner Referral     2 acc  1 rej  0 pend  67%  new                            too few
 *   Old Ad Set                                       before 10/10 = 100%          not listed
 * Totals: posted 74, 22 accepted of 53 decided = 41.5%, 21 pending; reasons: 31 rejected.
 * Before: 40 accepted of 72 decided = 55.6%. Change: 41.509 − 55.556 = −14.05 → ▼ 14 pts.
 */
function weekDigest(
  options: { names?: (name: string) => string; extra?: CampaignStats[]; pending?: PendingLead[] } = {},
): Digest {
  const name = options.names ?? ((n: string) => n);
  const oldest = options.pending ?? Array.from({ length: 8 }, (_, i) => pendingLead(i));
  const thisWeek = report(
    WEEK,
    [
      campaign(1, name('Spring Webinar'), 12, 8, 10, { medianMs: 3 * HOUR + 10 * MINUTE }),
      campaign(2, name('Trade Show Berlin'), 3, 17, 5, { verdict: 'below', medianMs: 26 * HOUR }),
      campaign(3, name('Newsletter'), 5, 5, 2, { medianMs: 45 * MINUTE }),
      campaign(4, name('Cold List'), 0, 0, 4),
      campaign(5, name('Partner Referral'), 2, 1, 0),
      ...(options.extra ?? []),
    ],
    {
      reasons: {
        overall: [
          reason('bad_fit', name('Bad fit / not our ICP'), 15, 15 / 31),
          reason('bad_data', name('Bad or fake contact data'), 9, 9 / 31),
          reason('not_ready', 'Not ready / timing', 5, 5 / 31),
          reason('no_budget', 'No budget', 2, 2 / 31),
        ],
        byCampaign: [
          {
            campaign: name('Trade Show Berlin'),
            reasons: [
              reason('bad_fit', name('Bad fit / not our ICP'), 10, 10 / 17),
              reason('bad_data', 'Bad or fake contact data', 5, 5 / 17),
              reason('duplicate', 'Duplicate / already in pipeline', 1, 1 / 17),
              reason('student', 'Student or personal use', 1, 1 / 17),
            ],
          },
        ],
      },
      pending: { total: 21, breached: oldest.filter((l) => l.breached).length, oldest },
      slaBreaches: 9,
    },
  );
  const lastWeek = report(PREVIOUS, [
    campaign(1, 'Spring Webinar', 10, 10, 0),
    campaign(2, 'Trade Show Berlin', 9, 11, 0),
    campaign(3, 'Newsletter', 10, 10, 0),
    campaign(4, 'Cold List', 1, 1, 0),
    campaign(9, 'Old Ad Set', 10, 0, 0),
  ]);
  return digestOf(thisWeek, lastWeek);
}

/** 300 campaigns of 40 to 339 leads each; every 7th too few to judge, every 5th clearly below. */
function bigDigest(name: (i: number) => string): Digest {
  const campaigns = Array.from({ length: 300 }, (_, i) => {
    const posted = 339 - i;
    const decided = i % 7 === 0 ? 5 : posted - 10;
    const accepted = i % 5 === 0 ? Math.round(decided * 0.1) : Math.round(decided * 0.6);
    return campaign(i + 1, name(i), accepted, decided - accepted, posted - decided, {
      verdict: i % 7 === 0 ? 'too_few' : i % 5 === 0 ? 'below' : 'in_line',
    });
  });
  const before = campaigns
    .filter((_, i) => i % 3 === 0)
    .map((c) => campaign(c.campaignId, c.campaign, 30, 30, 0));
  const oldest = Array.from({ length: 20 }, (_, i) =>
    pendingLead(i, { who: `${name(i)} lead`, company: name(i), campaign: name(i), breached: true }),
  );
  return digestOf(
    report(WEEK, campaigns, {
      reasons: {
        overall: campaigns.slice(0, 11).map((c, i) => reason(`r${i}`, c.campaign, 100 - i, 0.09)),
        byCampaign: campaigns.map((c) => ({
          campaign: c.campaign,
          reasons: [reason('bad_fit', c.campaign, c.rejected, 1)],
        })),
      },
      pending: { total: 900, breached: 640, oldest },
      slaBreaches: 1200,
    }),
    report(PREVIOUS, before),
  );
}

const hostileName = (i: number) => `${HOSTILE} ${String(i).padStart(3, '0')} `.padEnd(200, 'x');

type AnyBlock = KnownBlock & {
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: string }[];
};

/** Every mrkdwn string Slack will parse, the fallback text first. */
function mrkdwnTexts(message: MessageContent): string[] {
  const texts = [message.text];
  for (const block of message.blocks as AnyBlock[]) {
    if (block.text?.type === 'mrkdwn') texts.push(block.text.text);
    for (const f of block.fields ?? []) texts.push(f.text);
    for (const e of block.elements ?? []) if (e.type === 'mrkdwn' && e.text !== undefined) texts.push(e.text);
  }
  return texts;
}

const allText = (m: MessageContent) => mrkdwnTexts(m).join('\n');

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
      expect(block.text!.text.length).toBeLessThanOrEqual(3000);
      expect(block.fields ?? []).toHaveLength(0);
    }
    if (block.type === 'context') {
      expect(block.elements!.length).toBeLessThanOrEqual(10);
      for (const e of block.elements ?? []) expect((e.text ?? '').length).toBeLessThanOrEqual(3000);
    }
  }
  // Slack refuses messages of roughly 12k characters of blocks (msg_blocks_too_long).
  expect(JSON.stringify(message.blocks).length).toBeLessThan(10_000);
}

/** The bot's own links to lead posts: the only `<…>` the digest may contain. */
const BOT_LINK = /<https:\/\/acme\.slack\.com\/archives\/C0LEADS\/p\d+\|[^<>|]*>/g;

/** No mention or link that the bot did not make itself, anywhere Slack parses mrkdwn. */
function expectInert(message: MessageContent) {
  const json = JSON.stringify(message);
  for (const raw of RAW_CONTROLS) expect(json).not.toContain(raw);
  for (const text of mrkdwnTexts(message)) {
    const rest = text.replace(BOT_LINK, '');
    expect(rest).not.toContain('<');
    expect(rest).not.toContain('>');
  }
}

/** The table inside the code block, as Slack shows it (entities decoded). */
function tableOf(message: MessageContent): string[] {
  const block = (message.blocks as AnyBlock[]).find((b) => b.text?.text.startsWith('```'));
  const inner = /^```([\s\S]*)```/.exec(block!.text!.text)![1]!;
  return inner.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').split('\n');
}

describe('headline', () => {
  it('says in one go what was posted, what was accepted, the change and what still waits', () => {
    expect(headline(weekDigest())).toBe(
      'In the week of Nov 16 – 22, marketing posted 74 leads; sales accepted 42% of the 53 they decided ' +
        '(▼ 14 pts on the week before), half of them within 2 h 00 min. 21 are still pending.',
    );
  });

  it('leaves the change out when the week before had no decisions or too few, and copes with nothing decided', () => {
    const nothingBefore = digestOf(report(WEEK, [campaign(1, 'A', 3, 1, 0)]), report(PREVIOUS, []));
    expect(headline(nothingBefore)).toBe(
      'In the week of Nov 16 – 22, marketing posted 4 leads; sales accepted 75% of the 4 they decided, ' +
        'half of them within 2 h 00 min. Nothing is pending.',
    );
    const undecided = digestOf(report(WEEK, [campaign(1, 'A', 0, 0, 5)]), report(PREVIOUS, []));
    expect(headline(undecided)).toBe(
      'In the week of Nov 16 – 22, marketing posted 5 leads; sales has not decided any of them yet, so all 5 are still pending.',
    );
    const same = digestOf(
      report(WEEK, [campaign(1, 'A', 5, 5, 1)]),
      report(PREVIOUS, [campaign(1, 'A', 6, 6, 0)]),
    );
    expect(headline(same)).toContain(
      'sales accepted 50% of the 10 they decided (the same as the week before)',
    );
    expect(headline(same)).toContain('1 is still pending.');
    // 1 of 2 the week before is too few to compare with.
    const fewBefore = digestOf(
      report(WEEK, [campaign(1, 'A', 5, 5, 1)]),
      report(PREVIOUS, [campaign(1, 'A', 1, 1, 0)]),
    );
    expect(headline(fewBefore)).toContain('sales accepted 50% of the 10 they decided, half of them');
  });

  it('names the days of weeks across months and years', () => {
    const at = (week: string) => weekSpan({ isoWeek: week, week: WEEK });
    expect(at('2026-W47')).toBe('Nov 16 – 22');
    expect(at('2026-W49')).toBe('Nov 30 – Dec 6');
    expect(at('2026-W53')).toBe('Dec 28 – Jan 3');
  });
});

describe('digestMessage: a normal week', () => {
  const message = () =>
    digestMessage(weekDigest(), {
      workspaceUrl: WORKSPACE,
      timezone: ZONE,
      chartNote: 'The chart of acceptance by campaign follows.',
    });

  it('has the header, the headline and the fallback text', () => {
    const m = message();
    expectWithinLimits(m);
    expectInert(m);
    const [header, lead] = m.blocks as AnyBlock[];
    expect(header!.type).toBe('header');
    expect(header!.text!.text).toBe('Weekly lead digest · week 2026-W47');
    expect(lead!.text!.text).toBe(headline(weekDigest()));
    expect(m.text).toBe('Weekly lead digest · week 2026-W47: 74 posted, 42% accepted (▼ 14 pts), 21 pending');
  });

  it('tables every campaign with its change against the week before, and the totals', () => {
    const table = tableOf(message());
    expect(table).toEqual([
      '   Campaign           Posted  Acc  Rej  Pend  Rate  vs last week  Median wait',
      '   Spring Webinar         30   12    8    10   60%  ▲ 10 pts       3 h 10 min',
      '↓  Trade Show Berlin      25    3   17     5   15%  ▼ 30 pts      26 h 00 min',
      '   Newsletter             12    5    5     2   50%  = 0 pts            45 min',
      '·  Cold List               4    0    0     4     –  –                       –',
      '·  Partner Referral        3    2    1     0   67%  new            1 h 00 min',
      '─────────────────────────────────────────────────────────────────────────────',
      '   Total                  74   22   31    21   42%  ▼ 14 pts       2 h 00 min',
    ]);
    // A campaign that had leads only the week before is not listed.
    expect(allText(message())).not.toContain('Old Ad Set');
    expect(allText(message())).not.toContain('more campaign');
  });

  it('calls out the campaign below the rest, the top reasons and the weakest campaign with its top 3', () => {
    const text = allText(message());
    expect(text).toContain(
      '*Clearly below the rest:* Trade Show Berlin 15% (▼ 30 pts), against 42% overall.',
    );
    expect(text).toContain(
      '*Top reject reasons:* Bad fit / not our ICP 48% (15) · Bad or fake contact data 29% (9) · Not ready / timing 16% (5), of 31 rejected leads.',
    );
    expect(text).not.toContain('No budget');
    expect(text).toContain(
      '*Weakest campaign:* Trade Show Berlin, 15% accepted of 20 decided, ▼ 30 pts on the week before. ' +
        'Top reasons: Bad fit / not our ICP 59% (10) · Bad or fake contact data 29% (5) · Duplicate / already in pipeline 6% (1).',
    );
    expect(text).not.toContain('Student or personal use');
  });

  it('links the oldest leads over the SLA (up to 5) and points to the rest', () => {
    const text = allText(message());
    expect(text).toContain(
      '*Decision SLA:* 9 leads waited longer than the 24 h SLA for a decision; 8 are still pending. Oldest first:',
    );
    // Leads 0–7 wait 7 d down to 4 d 2 h: all over the SLA; the 5 oldest are linked.
    expect(text).toContain(
      '• <https://acme.slack.com/archives/C0LEADS/p1763300000000100|Lead 0> (Acme) · Spring Webinar · waiting 7 d 0 h',
    );
    expect(text).toContain(
      '• <https://acme.slack.com/archives/C0LEADS/p1763300000000101|Lead 1> · Spring Webinar · waiting 6 d 14 h',
    );
    expect(text.match(BOT_LINK)).toHaveLength(5);
    expect(text).not.toContain('Lead 5');
    expect(text).toContain('…and 3 more: `/leadstats 2026-W47 pending` lists them.');
  });

  it('marks the campaigns too few to judge and explains the cohort and the markers', () => {
    const m = message();
    const contexts = (m.blocks as AnyBlock[])
      .filter((b) => b.type === 'context')
      .map((b) => b.elements![0]!.text);
    expect(contexts).toEqual([
      'The chart of acceptance by campaign follows.',
      '*Too few to judge:* 2 campaigns have fewer than 10 decided leads (·); their rates can swing a lot, so they are not ranked.',
      'Leads posted Mon–Sun in Europe/Berlin; rate = accepted ÷ decided (pending left out); ↓ clearly below the rest, ↑ clearly above, · too few to judge; no change is shown when either week had too few.',
    ]);
  });

  it('shows lead names unlinked without a workspace URL, or when the post is not known', () => {
    const unlinked = digestMessage(weekDigest(), {});
    expectInert(unlinked);
    expect(allText(unlinked)).not.toContain('<');
    expect(allText(unlinked)).toContain('• Lead 0 (Acme) · Spring Webinar · waiting 7 d 0 h');
    expect(allText(unlinked)).toContain('Leads posted Mon–Sun; rate');
    const unposted = weekDigest({ pending: [pendingLead(0, { channel: null, ts: null })] });
    expect(allText(digestMessage(unposted, { workspaceUrl: WORKSPACE }))).toContain('• Lead 0 (Acme)');
  });

  it('says when leads went past the SLA but none still waits, and when none did', () => {
    const decidedLate = weekDigest({ pending: [pendingLead(6, { breached: false, waitingMs: 5 * HOUR })] });
    const text = allText(digestMessage(decidedLate, { workspaceUrl: WORKSPACE }));
    expect(text).toContain(
      '*Decision SLA:* 9 leads waited longer than the 24 h SLA for a decision; all of them have one now.',
    );
    expect(text).not.toContain('Oldest first');
    const onTime = digestOf(report(WEEK, [campaign(1, 'A', 10, 5, 2)]), report(PREVIOUS, []));
    expect(allText(digestMessage(onTime, {}))).toContain(
      '*Decision SLA:* no lead has waited longer than the 24 h SLA so far.',
    );
  });

  it('leaves the weakest campaign out when only one campaign can be judged', () => {
    const one = digestOf(
      report(WEEK, [campaign(1, 'A', 10, 5, 2), campaign(2, 'B', 1, 1, 0)]),
      report(PREVIOUS, []),
    );
    expect(one.weakest?.campaign.campaign).toBe('A');
    const text = allText(digestMessage(one, {}));
    expect(text).not.toContain('Weakest');
    expect(text).not.toContain('Clearly below');
    expect(text).toContain('*Too few to judge:* 1 campaign has fewer than 10 decided leads');
  });
});

describe('digestMessage: an empty week', () => {
  it('is a short friendly message, not an empty table', () => {
    const empty = digestOf(report(WEEK, []), report(PREVIOUS, [campaign(1, 'A', 30, 10, 0)]));
    const m = digestMessage(empty, { workspaceUrl: WORKSPACE, timezone: ZONE });
    expectWithinLimits(m);
    expectInert(m);
    expect(m.blocks).toHaveLength(3);
    const text = allText(m);
    expect(text).toContain(
      'Quiet week: no leads were posted Nov 16 – 22, so there is nothing to rate (the week before had 40).',
    );
    expect(text).not.toContain('```');
    expect(text).not.toContain('SLA');
    expect(m.text).toBe('Weekly lead digest · week 2026-W47: no leads were posted');
    expect(digestText(empty)).toBe(
      'Weekly lead digest · week 2026-W47\n\nQuiet week: no leads were posted Nov 16 – 22, so there is nothing to rate (the week before had 40).\n',
    );
  });
});

describe('digestMessage: hostile names', () => {
  it('escapes campaign names, reasons, lead names, companies and the chart note everywhere', () => {
    const digest = weekDigest({
      names: (n) => `${HOSTILE} ${n}`,
      pending: Array.from({ length: 6 }, (_, i) =>
        pendingLead(i, { who: `A|B ${HOSTILE}`, company: HOSTILE, campaign: HOSTILE }),
      ),
    });
    const m = digestMessage(digest, { workspaceUrl: WORKSPACE, chartNote: `Chart ${HOSTILE}` });
    expectWithinLimits(m);
    expectInert(m);
    const text = allText(m);
    expect(text).toContain('&lt;!channel&gt;');
    // A `|` in a lead name would end the link label early: it is replaced.
    expect(text).toContain('|A¦B &lt;!channel&gt; &lt;!here&gt;');
    expect(m.text).not.toContain('<');
  });

  it('stays within Block Kit limits with 300 hostile campaigns, whole rows only, and counts the rest', () => {
    const m = digestMessage(bigDigest(hostileName), { workspaceUrl: WORKSPACE, timezone: ZONE });
    expectWithinLimits(m);
    expectInert(m);
    const table = tableOf(m);
    const rows = table.length - 3; // header, rule, totals
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(DIGEST_TOP_CAMPAIGNS);
    // Every row is whole: each is exactly as wide as the header, as Slack shows it.
    expect(new Set(table.map((row) => row.length))).toEqual(new Set([table[0]!.length]));
    expect(table.at(-1)).toMatch(/^ {3}Total\s+/);
    expect(allText(m)).toContain(`…and ${300 - rows} more campaigns (in the totals)`);
  });

  it('drops whole rows, not lines cut short, when names escape to five times their length', () => {
    const ampersands = (i: number) => `${'&'.repeat(200)}${i}`;
    const m = digestMessage(bigDigest(ampersands), {
      workspaceUrl: WORKSPACE,
      chartNote: '&'.repeat(1000),
    });
    expectWithinLimits(m);
    expectInert(m);
    const table = tableOf(m);
    const rows = table.length - 3;
    expect(rows).toBeLessThan(DIGEST_TOP_CAMPAIGNS);
    expect(new Set(table.map((row) => row.length))).toEqual(new Set([table[0]!.length]));
    expect(allText(m)).toContain(`…and ${300 - rows} more campaigns (in the totals)`);
  });
});

describe('digestMessage: 300 campaigns', () => {
  it('shows the top 15 by leads posted, an "and N more" line and the totals, within the limits', () => {
    const digest = bigDigest((i) => `Campaign ${String(i).padStart(3, '0')}`);
    const m = digestMessage(digest, { workspaceUrl: WORKSPACE, timezone: ZONE });
    expectWithinLimits(m);
    expectInert(m);
    const table = tableOf(m);
    expect(table).toHaveLength(DIGEST_TOP_CAMPAIGNS + 3);
    expect(table[1]).toMatch(/^· {2}Campaign 000\s+339 /);
    expect(table[DIGEST_TOP_CAMPAIGNS]).toMatch(/^· {2}Campaign 014\s+325 /);
    expect(table.at(-1)).toMatch(/^ {3}Total\s+56850\s/);
    expect(table.join('\n')).not.toContain('Campaign 015');
    const text = allText(m);
    expect(text).toContain('…and 285 more campaigns (in the totals)');
    // Multiples of 5 but not of 7 are below: 60 − 9 = 51; five are named.
    expect(text).toMatch(
      /\*Clearly below the rest:\*( Campaign \d{3} 10% \([^)]*\)( ·)?){5} · and 46 more, against/,
    );
    expect(text).toContain('…and 635 more: `/leadstats 2026-W47 pending` lists them.');
  });
});

describe('digestText: the terminal', () => {
  it('prints the same pieces as plain text, without Slack escaping or links, every campaign listed', () => {
    const text = digestText(weekDigest({ names: (n) => (n === 'Newsletter' ? '<!here> News & more' : n) }), {
      timezone: ZONE,
    });
    expect(text).toBe(
      [
        'Weekly lead digest · week 2026-W47',
        '',
        headline(weekDigest()),
        '',
        '   Campaign             Posted  Acc  Rej  Pend  Rate  vs last week  Median wait',
        '   Spring Webinar           30   12    8    10   60%  ▲ 10 pts       3 h 10 min',
        '↓  Trade Show Berlin        25    3   17     5   15%  ▼ 30 pts      26 h 00 min',
        '   <!here> News & more      12    5    5     2   50%  = 0 pts            45 min',
        '·  Cold List                 4    0    0     4     –  –                       –',
        '·  Partner Referral          3    2    1     0   67%  new            1 h 00 min',
        '───────────────────────────────────────────────────────────────────────────────',
        '   Total                    74   22   31    21   42%  ▼ 14 pts       2 h 00 min',
        '',
        'Clearly below the rest: Trade Show Berlin 15% (▼ 30 pts), against 42% overall.',
        'Top reject reasons: Bad fit / not our ICP 48% (15) · Bad or fake contact data 29% (9) · Not ready / timing 16% (5), of 31 rejected leads.',
        'Weakest campaign: Trade Show Berlin, 15% accepted of 20 decided, ▼ 30 pts on the week before. Top reasons: Bad fit / not our ICP 59% (10) · Bad or fake contact data 29% (5) · Duplicate / already in pipeline 6% (1).',
        'Decision SLA: 9 leads waited longer than the 24 h SLA for a decision; 8 are still pending. Oldest first:',
        '  - Lead 0 (Acme) · Spring Webinar · waiting 7 d 0 h',
        '  - Lead 1 · Spring Webinar · waiting 6 d 14 h',
        '  - Lead 2 (Acme) · Spring Webinar · waiting 6 d 4 h',
        '  - Lead 3 · Spring Webinar · waiting 5 d 18 h',
        '  - Lead 4 (Acme) · Spring Webinar · waiting 5 d 8 h',
        '  …and 3 more',
        'Too few to judge: 2 campaigns have fewer than 10 decided leads (·); their rates can swing a lot, so they are not ranked.',
        '',
        'Leads posted Mon–Sun in Europe/Berlin; rate = accepted ÷ decided (pending left out); ↓ clearly below the rest, ↑ clearly above, · too few to judge; no change is shown when either week had too few.',
        '',
      ].join('\n'),
    );
  });

  it('lists every campaign by default, or the top ones with the rest counted', () => {
    const digest = bigDigest((i) => `Campaign ${String(i).padStart(3, '0')}`);
    expect(digestText(digest)).toContain('Campaign 299');
    expect(digestText(digest)).not.toContain('more campaigns');
    const top = digestText(digest, { top: 10 });
    const rows = top.split('\n').filter((line) => /^. {2}Campaign \d{3} /.test(line));
    expect(rows.map((row) => row.slice(3, 15))).toEqual(
      Array.from({ length: 10 }, (_, i) => `Campaign 00${i}`),
    );
    expect(top).toContain('…and 290 more campaigns (in the totals)');
    expect(digestTable(digest, 0).split('\n')).toHaveLength(3);
  });
});

describe('digestMessage: formatting in lead data', () => {
  it('shows campaign names and lead names with URLs, #channel, *bold* and ``` as typed', () => {
    const digest = weekDigest({
      names: (n) => `${FORMATTED} ${n}`,
      pending: Array.from({ length: 3 }, (_, i) =>
        pendingLead(i, { who: FORMATTED, company: FORMATTED, campaign: FORMATTED }),
      ),
    });
    const m = digestMessage(digest, { workspaceUrl: WORKSPACE, chartNote: `Chart ${FORMATTED}` });
    expectShownAsTyped(m.blocks);
    // A ``` in a name cannot close the table's code block early.
    const fences = tableOf(m).join('\n').match(/```/g) ?? [];
    expect(fences.length).toBeLessThanOrEqual(2);
  });
});
