import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatsCommand, STATS_USAGE, type StatsQuery } from '../../src/domain/statsCommand.js';

function queryOf(text: string): StatsQuery {
  const result = parseStatsCommand(text);
  if (!result.ok) throw new Error(`expected "${text}" to parse, got: ${result.error}`);
  return result.query;
}

function errorOf(text: string): string {
  const result = parseStatsCommand(text);
  if (result.ok) throw new Error(`expected "${text}" to be refused, got ${JSON.stringify(result.query)}`);
  return result.error;
}

const DEFAULTS: StatsQuery = {
  period: { kind: 'days', days: 30 },
  view: 'summary',
  share: false,
  help: false,
};

describe('parseStatsCommand', () => {
  it('defaults to the last 30 days, every campaign, the summary, ephemeral', () => {
    expect(queryOf('')).toEqual(DEFAULTS);
    expect(queryOf('   ')).toEqual(DEFAULTS);
    expect('campaign' in queryOf('')).toBe(false);
  });

  it('reads every period form', () => {
    const cases: [string, StatsQuery['period']][] = [
      ['7d', { kind: 'days', days: 7 }],
      ['30d', { kind: 'days', days: 30 }],
      ['90d', { kind: 'days', days: 90 }],
      ['week', { kind: 'week' }],
      ['last-week', { kind: 'last-week' }],
      ['lastweek', { kind: 'last-week' }],
      ['month', { kind: 'month' }],
      ['quarter', { kind: 'quarter' }],
      ['ytd', { kind: 'ytd' }],
      ['2026-10-01..2026-10-31', { kind: 'range', from: '2026-10-01', to: '2026-10-31' }],
      ['2026-W47', { kind: 'iso-week', week: '2026-W47' }],
    ];
    for (const [text, period] of cases) expect(queryOf(text), text).toEqual({ ...DEFAULTS, period });
  });

  it('reads every view, share and help', () => {
    expect(queryOf('reasons').view).toBe('reasons');
    expect(queryOf('reps').view).toBe('reps');
    expect(queryOf('pending').view).toBe('pending');
    expect(queryOf('share')).toEqual({ ...DEFAULTS, share: true });
    expect(queryOf('help')).toEqual({ ...DEFAULTS, help: true });
    expect(queryOf('share share').share).toBe(true);
  });

  it('takes words in any order and any case', () => {
    const parts = ['90d', 'campaign "Spring webinar"', 'reasons', 'share'];
    const expected: StatsQuery = {
      period: { kind: 'days', days: 90 },
      campaign: 'Spring webinar',
      view: 'reasons',
      share: true,
      help: false,
    };
    const permutations = (items: string[]): string[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
          );
    for (const order of permutations(parts))
      expect(queryOf(order.join(' ')), order.join(' ')).toEqual(expected);
    expect(queryOf('REASONS Share 90D CAMPAIGN "Spring webinar"')).toEqual(expected);
  });

  it('takes an unquoted campaign name up to the next keyword, keeping its case', () => {
    expect(queryOf('campaign Spring Webinar 2026 reasons')).toMatchObject({
      campaign: 'Spring Webinar 2026',
      view: 'reasons',
    });
    expect(queryOf('7d campaign Spring webinar').campaign).toBe('Spring webinar');
    expect(queryOf('campaign Trade show Q4 share month')).toMatchObject({
      campaign: 'Trade show Q4',
      share: true,
      period: { kind: 'month' },
    });
    expect(queryOf("campaign Buyer's guide").campaign).toBe("Buyer's guide");
    expect(queryOf('campaign 27" monitors promo').campaign).toBe('27" monitors promo');
  });

  it('takes a quoted name verbatim, keywords and all, with straight or curly quotes', () => {
    expect(queryOf('campaign "Spring week promo" 7d')).toMatchObject({
      campaign: 'Spring week promo',
      period: { kind: 'days', days: 7 },
    });
    expect(queryOf('campaign “Help desk: reasons to share” reps')).toMatchObject({
      campaign: 'Help desk: reasons to share',
      view: 'reps',
      help: false,
      share: false,
    });
    expect(queryOf('campaign „Messe München“').campaign).toBe('Messe München');
    expect(queryOf('campaign ”campaign 2026-W47”').campaign).toBe('campaign 2026-W47');
    expect(queryOf('campaign "  Spring  "').campaign).toBe('Spring');
  });

  it('undoes Slack’s escaping and odd spaces', () => {
    expect(queryOf('campaign Q&amp;A &lt;live&gt; reps')).toMatchObject({
      campaign: 'Q&A <live>',
      view: 'reps',
    });
    expect(queryOf('campaign "R&amp;D"').campaign).toBe('R&D');
    // Someone who typed "&lt;" literally gets it back, not "<".
    expect(queryOf('campaign a&amp;lt;b').campaign).toBe('a&lt;b');
    expect(queryOf('\u00a07d\u00a0\u00a0reasons\u202fshare\u200b ')).toMatchObject({
      period: { kind: 'days', days: 7 },
      view: 'reasons',
      share: true,
    });
    expect(queryOf('  campaign   Spring \t\n  webinar  ').campaign).toBe('Spring webinar');
    expect(queryOf('campaign “Spring\u00a0webinar”').campaign).toBe('Spring webinar');
  });

  it('lets help win: it answers with the usage even when other words are wrong', () => {
    expect(queryOf('reps help 7d')).toEqual({
      ...DEFAULTS,
      help: true,
      view: 'reps',
      period: { kind: 'days', days: 7 },
    });
    expect(queryOf('foo HELP')).toMatchObject({ help: true });
    expect(queryOf('help 7d month')).toMatchObject({ help: true });
  });

  it('never throws, whatever it is sent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const result = parseStatsCommand(text);
        if (!result.ok) expect(result.error.length).toBeGreaterThan(0);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('7d', 'campaign', '"', '“', 'reps', 'help', 'x', '&amp;', '\u00a0', ' '), {
          maxLength: 12,
        }),
        (parts) => {
          const result = parseStatsCommand(parts.join(' '));
          expect(typeof result.ok).toBe('boolean');
        },
      ),
    );
  });

  it.each([
    ['foo', `I don't understand "foo".`],
    ['7d foo month', `I don't understand "foo".`],
    ['7d month', 'Give one period, not both "7d" and "month".'],
    ['Week 2026-10-01..2026-10-31', 'Give one period, not both "Week" and "2026-10-01..2026-10-31".'],
    ['reasons reps', 'Choose one view, not both "reasons" and "reps".'],
    ['PENDING Reasons', 'Choose one view, not both "PENDING" and "Reasons".'],
    ['campaign', '"campaign" needs a name, e.g. campaign Spring webinar'],
    ['campaign reasons', '"campaign" needs a name, e.g. campaign Spring webinar'],
    ['campaign ""', '"campaign" needs a name, e.g. campaign Spring webinar'],
    ['campaign A campaign B', 'Give one campaign, not both "A" and "B".'],
    ['campaign “A” campaign "B"', 'Give one campaign, not both "A" and "B".'],
    ['2026-02-30..2026-03-01', '"2026-02-30" is not a date.'],
    ['2026-02-01..2026-02-29', '"2026-02-29" is not a date.'],
    ['2026-10-31..2026-10-01', 'The range ends before it starts: 2026-10-31..2026-10-01.'],
    ['2010-01-01..2026-10-01', 'The range is longer than 10 years: 2010-01-01..2026-10-01.'],
    ['2026-10-01', '"2026-10-01" is a single day; write it as a range: 2026-10-01..2026-10-01.'],
    ['2026-10-01..', '"2026-10-01.." is not a range of days; write it as 2026-10-01..2026-10-31.'],
    ['0d', '"0d" is out of range: give 1 to 3650 days, e.g. 90d.'],
    ['5000d', '"5000d" is out of range: give 1 to 3650 days, e.g. 90d.'],
    ['2025-W53', '"2025-W53" is not a week: 2025 has weeks W01 to W52.'],
    ['campaign "Spring webinar', 'The quote that starts "Spring webinar is not closed.'],
    ['7d campaign “Spring webinar reps', 'The quote that starts “Spring webinar reps is not closed.'],
    ['7', `I don't understand "7". Did you mean 7d?`],
    ['reason', `I don't understand "reason". Did you mean reasons?`],
    ['last week', `I don't understand "last". Did you mean last-week?`],
    ['year', `I don't understand "year". Did you mean ytd?`],
    [
      '--json',
      `I don't understand "--json". --json and --csv work only in a terminal: leadloop stats --json`,
    ],
    ['"Spring webinar" 7d', `I don't understand "Spring webinar": a quoted name goes after "campaign".`],
    [
      'campaign Spring week promo',
      `I don't understand "promo". If it is part of the campaign name, put the whole name in quotes, e.g. campaign "Spring week promo".`,
    ],
    [`campaign "${'x'.repeat(201)}"`, 'A campaign name has at most 200 characters; this one has 201.'],
  ])('refuses %j: %s', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });
});

describe('STATS_USAGE', () => {
  it('is short plain text that names every word and the CLI flags', () => {
    const lines = STATS_USAGE.split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(110);
    for (const word of [
      '/leadstats',
      'campaign',
      'reasons',
      'reps',
      'pending',
      'share',
      'help',
      '--json',
      '--csv',
    ]) {
      expect(STATS_USAGE).toContain(word);
    }
    // Plain text: no Slack mrkdwn emphasis or code marks.
    expect(STATS_USAGE).not.toMatch(/[*`]/);
  });

  it('gives examples that parse', () => {
    const examples = [...STATS_USAGE.matchAll(/\/leadstats ([^/\n]+?)(?= {2,}|$)/gm)]
      .map((m) => m[1]!.trim())
      .filter((text) => !text.startsWith('['));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(parseStatsCommand(example).ok, example).toBe(true);
  });
});
