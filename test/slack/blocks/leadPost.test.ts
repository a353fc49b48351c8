import { describe, expect, it } from 'vitest';
import { leadPost, slackDate } from '../../../src/slack/blocks/leadPost.js';
import { ActionId, BlockId } from '../../../src/slack/ids.js';
import type { LeadForPost } from '../../../src/storage/store.js';
import { expectShownAsTyped, FORMATTED } from '../../harness/inertText.js';

const options = { acceptEmoji: 'white_check_mark', rejectEmoji: 'x' };
const CREATED = Date.UTC(2026, 10, 20, 14, 3);

function lead(patch: Partial<LeadForPost> = {}): LeadForPost {
  return {
    id: 42,
    email: 'ana.silva@acme.io',
    name: 'Ana Silva',
    company: 'Acme Logistics',
    title: 'VP Operations',
    phone: '+1 555 0100',
    country: 'US',
    campaign: '2026-Q4 Webinar: Freight AI',
    source: 'webinar',
    score: 72,
    url: 'https://crm.example.com/contacts/48213',
    notes: 'Asked about pricing for 50 seats',
    createdAt: CREATED,
    postAttempts: 0,
    postStartedAt: null,
    ...patch,
  };
}

const HOSTILE = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123>',
  '<#C0123>',
  '<https://evil.example|click>',
  '&amp;',
  '<!subteam^S1>',
];
const hostileText = HOSTILE.join(' ');

const hostileLead = lead({
  name: `Mallory ${hostileText}`,
  email: `<!channel>@evil.example`,
  company: `Evil ${hostileText} Corp`,
  title: hostileText,
  phone: '<!here>',
  country: '<@U123>',
  campaign: `Camp ${hostileText}`,
  source: '<https://evil.example|click>',
  notes: `Notes ${hostileText}`,
});

/** Every string in a JSON value, keys included. */
function strings(value: unknown): { text: string }[] {
  if (typeof value === 'string') return [{ text: value }];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [{ text: k }, ...strings(v)]);
  }
  return [];
}

/** The bot's own date token is the one `<…>` sequence allowed. */
const DATE_TOKEN = /<!date\^\d+\^[^|<>]*\|[^<>]*>/g;

function assertInert(text: string) {
  const outside = text.replace(DATE_TOKEN, '');
  expect(outside, `raw < or > in ${JSON.stringify(text)}`).not.toMatch(/[<>]/);
  // An & must start one of the three entities: a raw "&amp;" from the lead shows as "&amp;amp;".
  expect(outside.replace(/&(amp|lt|gt);/g, ''), `raw & in ${JSON.stringify(text)}`).not.toContain('&');
}

type AnyBlock = { type: string; [key: string]: unknown };
type TextObject = { type: string; text: string; emoji?: boolean };
type ButtonEl = { type: string; action_id: string; value?: string; url?: string; text: TextObject };

const blocksOf = (l: LeadForPost) => leadPost(l, options).blocks as unknown as AnyBlock[];
const header = (blocks: AnyBlock[]) =>
  blocks.find((b) => b.type === 'header') as { text: TextObject } | undefined;
const sections = (blocks: AnyBlock[]) =>
  blocks.filter((b) => b.type === 'section') as unknown as { text?: TextObject; fields?: TextObject[] }[];
const buttons = (blocks: AnyBlock[]) =>
  (blocks.find((b) => b.type === 'actions') as { elements: ButtonEl[]; block_id?: string } | undefined)
    ?.elements ?? [];
const notesSection = (blocks: AnyBlock[]) => sections(blocks).find((s) => s.text?.text.includes('Notes'));

describe('leadPost', () => {
  it('shows who, company, title, campaign, source, score and notes', () => {
    const { text, blocks } = leadPost(lead(), options);
    const all = JSON.stringify(blocks);
    for (const shown of [
      'Ana Silva',
      'Acme Logistics',
      'VP Operations',
      'ana.silva@acme.io',
      '2026-Q4 Webinar: Freight AI',
      'webinar',
      '72',
      'Asked about pricing for 50 seats',
    ]) {
      expect(all).toContain(shown);
    }
    expect(text).toContain('Ana Silva');
    expect(text).toContain('2026-Q4 Webinar: Freight AI');
  });

  it('sets a fallback text', () => {
    const { text } = leadPost(lead(), options);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(leadPost(lead({ name: null, company: null }), options).text).toContain('ana.silva@acme.io');
  });

  it('says that reactions work too, with the configured emoji', () => {
    const context = JSON.stringify(blocksOf(lead()).filter((b) => b.type === 'context'));
    expect(context).toContain(':white_check_mark:');
    expect(context).toContain(':x:');
  });

  it('uses plain_text for the header and the notes', () => {
    const blocks = blocksOf(lead());
    expect(header(blocks)?.text.type).toBe('plain_text');
    expect(header(blocks)?.text.text).toContain('Ana Silva');
    const notes = notesSection(blocks);
    expect(notes?.text?.type).toBe('plain_text');
    expect(notes?.text?.text).toContain('Asked about pricing');
  });

  describe('hostile lead text', () => {
    it('appears verbatim only inside plain_text objects, which Slack never parses for mentions or links', () => {
      const { text, blocks } = leadPost(hostileLead, options);
      assertInert(text);
      // Drop the plain_text objects; every string left must be inert.
      const withoutPlain = JSON.parse(
        JSON.stringify(blocks, (_key, value) =>
          value && typeof value === 'object' && (value as { type?: unknown }).type === 'plain_text'
            ? undefined
            : value,
        ),
      );
      const all = strings(withoutPlain);
      expect(all.length).toBeGreaterThan(10);
      for (const { text: s } of all) assertInert(s);
    });

    it('is escaped in every mrkdwn text and in the fallback text', () => {
      const { text, blocks } = leadPost(hostileLead, options);
      assertInert(text);
      const texts: string[] = [];
      const visit = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (v !== null && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (o.type === 'mrkdwn' && typeof o.text === 'string') texts.push(o.text);
          Object.values(o).forEach(visit);
        }
      };
      visit(blocks);
      expect(texts.length).toBeGreaterThanOrEqual(9);
      for (const t of texts) assertInert(t);
    });

    it('shows each sequence as text (escaped), not drops it', () => {
      const { text } = leadPost(hostileLead, options);
      const fields = sections(blocksOf(hostileLead)).flatMap((s) => s.fields ?? []);
      const company = fields.find((f) => f.text.includes('Company'));
      expect(company?.type).toBe('mrkdwn');
      for (const bad of HOSTILE) {
        const shown = bad.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        expect(company?.text).toContain(shown);
        expect(text).toContain(shown);
      }
      expect(company?.text).toContain('&amp;amp;');
    });

    it('keeps the bot’s own date token working', () => {
      const all = JSON.stringify(leadPost(hostileLead, options).blocks);
      expect(all).toContain(slackDate(CREATED));
      expect(slackDate(CREATED)).toMatch(/^<!date\^\d+\^[^|]+\|2026-11-20T14:03:00\.000Z>$/);
    });

    it('cannot forge a date token or a link through the fallback text', () => {
      const { text } = leadPost(lead({ name: '<!date^1^{date}|x> <!channel>', company: null }), options);
      expect(text).not.toMatch(/[<>]/);
    });
  });

  describe('Block Kit limits with maximal values', () => {
    const long = (n: number, ch = 'W') => ch.repeat(n);
    const maximal = lead({
      id: 2_147_483_647,
      name: long(500),
      email: `${long(240, 'e')}@example.com`,
      company: long(500, '<'),
      title: long(500, '&'),
      phone: long(50, '9'),
      country: long(100, 'C'),
      campaign: long(200, '>'),
      source: long(100, 's'),
      score: 100,
      url: `https://crm.example.com/${long(1970, 'u')}`,
      notes: long(3000, 'n'),
    });

    for (const [label, l] of [
      ['plain', maximal],
      ['all escapable', lead({ ...maximal, name: long(500, '<'), notes: long(3000, '&') })],
    ] as const) {
      it(`holds for ${label} text`, () => {
        const { text, blocks } = leadPost(l, options);
        const typed = blocks as unknown as AnyBlock[];
        expect(typed.length).toBeLessThanOrEqual(50);
        expect(header(typed)?.text.text.length).toBeLessThanOrEqual(150);
        for (const section of sections(typed)) {
          if (section.text) expect(section.text.text.length).toBeLessThanOrEqual(3000);
          expect((section.fields ?? []).length).toBeLessThanOrEqual(10);
          for (const field of section.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
        }
        for (const button of buttons(typed)) {
          expect(button.text.text.length).toBeLessThanOrEqual(75);
          expect((button.value ?? '').length).toBeLessThanOrEqual(2000);
          expect(button.action_id.length).toBeLessThanOrEqual(255);
          if (button.url) expect(button.url.length).toBeLessThanOrEqual(3000);
        }
        for (const block of typed) {
          if (block.type === 'context') {
            for (const el of block.elements as TextObject[]) expect(el.text.length).toBeLessThanOrEqual(3000);
          }
        }
        expect(text.length).toBeLessThanOrEqual(4000);
        expect(JSON.stringify(blocks).length).toBeLessThan(12_000);
        assertInert(text);
      });
    }
  });

  describe('buttons', () => {
    it('carry the lead id and the shared action ids', () => {
      const blocks = blocksOf(lead({ id: 987 }));
      const actions = blocks.find((b) => b.type === 'actions') as { block_id?: string } | undefined;
      expect(actions?.block_id).toBe(BlockId.leadActions);
      const els = buttons(blocks);
      const accept = els.find((b) => b.action_id === ActionId.accept);
      const reject = els.find((b) => b.action_id === ActionId.reject);
      expect(accept?.value).toBe('987');
      expect(reject?.value).toBe('987');
      expect(accept?.text.text).toMatch(/accept/i);
      expect(reject?.text.text).toMatch(/reject/i);
      expect(new Set(els.map((b) => b.action_id)).size).toBe(els.length);
    });

    it('include the CRM link only when the lead has a url', () => {
      const withUrl = buttons(blocksOf(lead()));
      const crm = withUrl.find((b) => b.action_id === ActionId.openCrm);
      expect(crm?.url).toBe('https://crm.example.com/contacts/48213');
      expect(crm?.value).toBe('42');

      const without = buttons(blocksOf(lead({ url: null })));
      expect(without.map((b) => b.action_id)).toEqual([ActionId.accept, ActionId.reject]);
      expect(JSON.stringify(blocksOf(lead({ url: null })))).not.toContain('"url"');
    });
  });

  it('leaves out empty fields and the notes section when there are none', () => {
    const blocks = blocksOf(
      lead({
        company: null,
        title: null,
        phone: null,
        country: null,
        source: null,
        score: null,
        notes: null,
      }),
    );
    const fields = sections(blocks).flatMap((s) => s.fields ?? []);
    expect(fields.map((f) => f.text.split('\n')[0])).toEqual(['*Email*', '*Campaign*']);
    expect(notesSection(blocks)).toBeUndefined();
  });

  it('shows a score of 0', () => {
    const fields = sections(blocksOf(lead({ score: 0 }))).flatMap((s) => s.fields ?? []);
    expect(fields.find((f) => f.text.startsWith('*Score*'))?.text).toBe('*Score*\n0');
  });

  it.each([
    [1250, '1250'],
    [72.5, '72.5'],
    [-15, '-15'],
  ])('shows a score of any range as sent (%s), with no "/ 100"', (score, shown) => {
    const fields = sections(blocksOf(lead({ score }))).flatMap((s) => s.fields ?? []);
    expect(fields.find((f) => f.text.startsWith('*Score*'))?.text).toBe(`*Score*\n${shown}`);
  });

  it('names a lead with only an email by its email', () => {
    expect(header(blocksOf(lead({ name: null })))?.text.text).toContain('ana.silva@acme.io');
  });
});

describe('leadPost: formatting in lead data', () => {
  it('shows a bare URL, #channel, *bold*, ``` fences and :codes: as typed, in every field', () => {
    const formatted = lead({
      name: FORMATTED,
      company: FORMATTED,
      title: FORMATTED,
      email: FORMATTED,
      phone: FORMATTED,
      country: FORMATTED,
      campaign: FORMATTED,
      source: FORMATTED,
      notes: FORMATTED,
    });
    const post = leadPost(formatted, options);
    expectShownAsTyped(post.blocks);
    const decided = leadPost(formatted, options, {
      state: 'rejected',
      winner: {
        userId: 'U0REPANNA1',
        verdict: 'reject',
        reason: 'other',
        note: FORMATTED,
        decidedAt: CREATED,
      },
      firstDecidedAt: CREATED,
      standing: [],
      postedAt: CREATED,
    });
    expectShownAsTyped(decided.blocks);
  });
});
