import { expect } from 'vitest';

/**
 * Lead text that Slack would turn into something else in mrkdwn: a link, a channel link,
 * bold, italics, strike, a code fence, an emoji. Put it in lead data; `expectShownAsTyped`
 * checks that every message built from it shows it as typed.
 */
export const FORMATTED = 'https://evil.example/x #general *bold* _it_ ~st~ ```fence``` :tada:';
const WOULD_FORMAT = ['*bold*', '_it_', '~st~', '```', ':tada:'];

interface TextObject {
  type: string;
  text: string;
  verbatim?: boolean;
  emoji?: boolean;
}

/** Every text object in the blocks (sections, fields, context elements, headers, modal views…). */
function textObjects(value: unknown, found: TextObject[] = []): TextObject[] {
  if (Array.isArray(value)) for (const v of value) textObjects(v, found);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
      found.push(o as unknown as TextObject);
    } else for (const v of Object.values(o)) textObjects(v, found);
  }
  return found;
}

/** What a reader sees of mrkdwn text, before Slack's formatting: entities decoded, zero-width spaces invisible. */
const shown = (s: string) =>
  s
    .replace(/\u200b/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * FORMATTED appears in the blocks (at least once), and wherever it is in mrkdwn that mrkdwn is
 * verbatim (no automatic links) and holds none of the formatting sequences raw.
 */
export function expectShownAsTyped(blocks: unknown): void {
  const holding = textObjects(blocks).filter((t) => shown(t.text).includes('#general'));
  expect(holding.length, 'no text object holds the formatted lead text').toBeGreaterThan(0);
  for (const t of holding) {
    if (t.type === 'plain_text') {
      expect(t, 'plain_text with lead text must not turn :codes: into emoji').toMatchObject({ emoji: false });
      continue;
    }
    expect(t, 'mrkdwn with lead text must be verbatim').toMatchObject({ verbatim: true });
    for (const raw of WOULD_FORMAT) expect(t.text).not.toContain(raw);
  }
}
