import type { MrkdwnElement } from '@slack/types';

/** U+200B: invisible, yet enough to keep Slack from pairing a formatting character. */
const ZWSP = '\u200b';

/**
 * Lead-supplied text must show exactly as typed: never mention, link, ping or format.
 * - Every mrkdwn control sequence starts with `<`, so `&`, `<` and `>` are escaped (in that
 *   order): `<!channel>` shows as the text "<!channel>".
 * - `* _ ~ \`` cannot be escaped in mrkdwn; a zero-width space on each side keeps any of them
 *   from opening or closing bold, italics, strike, code or a ``` fence, and one in `:smile:` or
 *   before a `>` that starts a line keeps emoji codes and quotes as typed. Readers see the text
 *   unchanged; a copy holds the invisible spaces.
 * - Bare URLs and #channel names are linked by Slack itself unless the text object says
 *   `verbatim: true`: build lead text into mrkdwn with `inertMrkdwn`, or use plain_text.
 */
export function escapeMrkdwn(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, (c) => `${ZWSP}${c}${ZWSP}`)
    .replace(/:(?=[\w+-]+:)/g, `:${ZWSP}`)
    .replace(/^&gt;/gm, `${ZWSP}&gt;`);
}

/**
 * A mrkdwn text object that Slack shows without its automatic parsing (bare URLs, #channel
 * names, @names): only the bot's own `<…>` sequences (mentions, dates, links) stay live.
 */
export function inertMrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text, verbatim: true };
}

/** Cuts text to Slack's limit for a field, marking the cut with an ellipsis. */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
