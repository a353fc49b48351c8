import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, inertMrkdwn, truncate } from '../../src/slack/escape.js';

const Z = '\u200b';

/** What a reader sees of escaped text: the three entities back to characters; zero-width spaces are invisible. */
const slackShows = (s: string) =>
  s
    .replace(/\u200b/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here>', '&lt;!here&gt;'],
    ['<!everyone>', '&lt;!everyone&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<#C123>', '&lt;#C123&gt;'],
    ['<!subteam^S1>', '&lt;!subteam^S1&gt;'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['&amp;', '&amp;amp;'],
    ['&lt;!channel&gt;', '&amp;lt;!channel&amp;gt;'],
    ['Tom & Jerry <tj@example.com>', 'Tom &amp; Jerry &lt;tj@example.com&gt;'],
  ])('makes %s inert', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it.each([
    ['*bold*', `${Z}*${Z}bold${Z}*${Z}`],
    ['_italic_', `${Z}_${Z}italic${Z}_${Z}`],
    ['~strike~', `${Z}~${Z}strike${Z}~${Z}`],
    ['```fence```', `${Z}\`${Z}${Z}\`${Z}${Z}\`${Z}fence${Z}\`${Z}${Z}\`${Z}${Z}\`${Z}`],
    [':tada: at 10:30', `:${Z}tada: at 10:30`],
    ['> quoted\n> again', `${Z}&gt; quoted\n${Z}&gt; again`],
  ])('keeps %s from formatting', (input, expected) => {
    expect(escapeMrkdwn(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(escapeMrkdwn('Ana Silva, VP Operations (Acme) 50% off!')).toBe(
      'Ana Silva, VP Operations (Acme) 50% off!',
    );
  });

  it('never leaves a control character, and shows exactly the original text', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            '<',
            '>',
            '&',
            'a',
            'm',
            'p',
            'l',
            't',
            'g',
            ';',
            '!',
            '@',
            '|',
            '*',
            '_',
            '~',
            '`',
            ':',
            '\n',
          ),
        }),
        (s) => {
          const escaped = escapeMrkdwn(s);
          expect(escaped).not.toMatch(/[<>]/);
          // No formatting character can pair with another: each has a zero-width space on both sides.
          expect(escaped.replace(new RegExp(`${Z}[*_~\`]${Z}`, 'g'), '')).not.toMatch(/[*_~`]/);
          expect(escaped).not.toMatch(/^&gt;/m);
          // Every & starts one of the three entities.
          expect(escaped.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
          expect(slackShows(escaped)).toBe(s);
        },
      ),
    );
  });
});

describe('inertMrkdwn', () => {
  it('turns off Slack’s automatic linking of URLs and #channel names', () => {
    expect(inertMrkdwn('see https://x.example in #general')).toEqual({
      type: 'mrkdwn',
      text: 'see https://x.example in #general',
      verbatim: true,
    });
  });
});

describe('truncate', () => {
  it('keeps text within the limit as it is', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('', 3)).toBe('');
  });

  it('cuts longer text to exactly the limit, ending in an ellipsis', () => {
    const cut = truncate('abcdef', 4);
    expect(cut).toBe('abc…');
    expect(cut).toHaveLength(4);
    expect(truncate('x'.repeat(5000), 150)).toHaveLength(150);
  });
});
