import { describe, expect, it } from 'vitest';
import { DEFAULT_REASONS, type RejectReason, reasonsSchema } from '../../../src/domain/reasons.js';
import { leadPost, type PostDecisions, type ShownDecision } from '../../../src/slack/blocks/leadPost.js';
import {
  leadIdFromPromptBlock,
  type RejectModalMetadata,
  reasonPrompt,
  rejectModal,
} from '../../../src/slack/blocks/rejectReason.js';
import { ActionId, BlockId, CallbackId } from '../../../src/slack/ids.js';
import type { LeadForPost } from '../../../src/storage/store.js';
import { expectShownAsTyped, FORMATTED } from '../../harness/inertText.js';

type Json = Record<string, unknown>;
type TextObject = { type: string; text: string };
type Option = { text: TextObject; value: string };
type OptionGroup = { label: TextObject; options: Option[] };
type Select = {
  type: string;
  action_id: string;
  option_groups: OptionGroup[];
  initial_option?: Option;
  placeholder?: TextObject;
};

const HOSTILE = 'Ana <!channel> & <@U0123ABCD> <https://evil.example|click>';
const RESPONSE_URL = `https://hooks.slack.com/actions/T0001ABCD/${'1'.repeat(13)}/${'a'.repeat(24)}`;

/** The bot's own date token is the one `<…>` sequence allowed. */
const DATE_TOKEN = /<!date\^\d+\^[^|<>]*\|[^<>]*>/g;
/** Mentions the bot makes on purpose: real Slack user ids. */
const USER_MENTION = /<@[UW][A-Z0-9]+>/g;

function assertInert(text: string) {
  const outside = text.replace(DATE_TOKEN, '').replace(USER_MENTION, '');
  expect(outside, `raw < or > in ${JSON.stringify(text)}`).not.toMatch(/[<>]/);
  expect(outside.replace(/&(amp|lt|gt);/g, ''), `raw & in ${JSON.stringify(text)}`).not.toContain('&');
}

/** Every mrkdwn text object in a value. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (value !== null && typeof value === 'object') {
    const o = value as Json;
    const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
    return [...own, ...Object.values(o).flatMap(mrkdwnTexts)];
  }
  return [];
}

function modalSelect(view: { blocks: unknown[] }): Select {
  const input = (view.blocks as Json[]).find((b) => b.block_id === BlockId.modalReason) as {
    element: Select;
  };
  return input.element;
}

function modalNoteInput(view: { blocks: unknown[] }) {
  return (view.blocks as Json[]).find((b) => b.block_id === BlockId.modalNote) as {
    optional?: boolean;
    hint?: TextObject;
    element: { type: string; action_id: string; initial_value?: string; max_length?: number };
  };
}

const metadata: RejectModalMetadata = { leadId: 42, via: 'button' };

describe('rejectModal', () => {
  it('is the reject reason modal, with title, submit and close within 24 characters', () => {
    const view = rejectModal({ id: 42, who: 'Ana Silva' }, DEFAULT_REASONS, metadata);
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe(CallbackId.rejectModal);
    for (const part of [view.title, view.submit, view.close]) {
      expect(part?.type).toBe('plain_text');
      expect(part?.text.length).toBeGreaterThan(0);
      expect(part?.text.length).toBeLessThanOrEqual(24);
    }
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.callback_id!.length).toBeLessThanOrEqual(255);
  });

  it.each<[string, RejectModalMetadata]>([
    ['from the button', { leadId: 42, via: 'button' }],
    ['from the prompt', { leadId: 7, via: 'prompt', responseUrl: RESPONSE_URL }],
    ['with the largest lead id', { leadId: 2_147_483_647, via: 'prompt', responseUrl: RESPONSE_URL }],
  ])('carries its metadata %s through private_metadata (≤ 3000 characters)', (_label, meta) => {
    const view = rejectModal({ id: meta.leadId, who: 'x'.repeat(500) }, DEFAULT_REASONS, meta);
    expect(typeof view.private_metadata).toBe('string');
    expect(view.private_metadata!.length).toBeLessThanOrEqual(3000);
    expect(JSON.parse(view.private_metadata!)).toEqual(meta);
  });

  it('groups the reasons into disqualify and recycle, in the configured order', () => {
    const select = modalSelect(rejectModal({ id: 1, who: 'Ana' }, DEFAULT_REASONS, metadata));
    expect(select.type).toBe('static_select');
    expect(select.action_id).toBe(ActionId.modalReason);
    expect(select.option_groups).toHaveLength(2);
    const [disqualify, recycle] = select.option_groups as [OptionGroup, OptionGroup];
    expect(disqualify.label.text).toMatch(/^Disqualify/);
    expect(recycle.label.text).toMatch(/^Recycle/);
    const keys = (kind: string) => DEFAULT_REASONS.filter((r) => r.kind === kind).map((r) => r.key);
    expect(disqualify.options.map((o) => o.value)).toEqual(keys('disqualify'));
    expect(recycle.options.map((o) => o.value)).toEqual(keys('recycle'));
    expect(disqualify.options.find((o) => o.value === 'bad_fit')?.text).toEqual({
      type: 'plain_text',
      text: 'Bad fit / not our ICP',
    });
    for (const group of select.option_groups) {
      expect(group.label.type).toBe('plain_text');
      expect(group.label.text.length).toBeLessThanOrEqual(75);
    }
    expect(select.initial_option).toBeUndefined();
  });

  it('leaves out a kind that has no reasons', () => {
    const onlyRecycle = reasonsSchema.parse([{ key: 'later', label: 'Later', kind: 'recycle' }]);
    const select = modalSelect(rejectModal({ id: 1, who: 'Ana' }, onlyRecycle, metadata));
    expect(select.option_groups.map((g) => g.label.text)).toEqual([expect.stringMatching(/^Recycle/)]);
  });

  it('stays within Slack’s limits with 100 reasons of 75-character labels', () => {
    const reasons: RejectReason[] = reasonsSchema.parse(
      Array.from({ length: 100 }, (_, i) => ({
        key: `reason_${String(i).padStart(3, '0')}_${'k'.repeat(28)}`,
        label: `${i} ${'L'.repeat(75)}`.slice(0, 75),
        kind: i % 3 === 0 ? 'recycle' : 'disqualify',
        noteRequired: i % 10 === 0,
      })),
    );
    const view = rejectModal({ id: 1, who: 'Ana' }, reasons, metadata, {
      reason: reasons[99]!.key,
      note: 'n'.repeat(500),
    });
    const select = modalSelect(view);
    const options = select.option_groups.flatMap((g) => g.options);
    expect(options).toHaveLength(100);
    expect(select.option_groups.length).toBeLessThanOrEqual(100);
    for (const group of select.option_groups) expect(group.options.length).toBeLessThanOrEqual(100);
    for (const o of options) {
      expect(o.text.text.length).toBeLessThanOrEqual(75);
      expect(o.value.length).toBeLessThanOrEqual(150);
    }
    expect(modalNoteInput(view).hint!.text.length).toBeLessThanOrEqual(150);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
  });

  it('cuts an over-long label to 75 characters in the option', () => {
    const long: RejectReason = {
      key: 'long',
      label: 'L'.repeat(90),
      kind: 'disqualify',
      noteRequired: false,
    };
    const [option] = modalSelect(rejectModal({ id: 1, who: 'Ana' }, [long], metadata)).option_groups[0]!
      .options;
    expect(option!.text.text.length).toBeLessThanOrEqual(75);
    expect(option!.value).toBe('long');
  });

  it('preselects the current reason and note when given, as exact copies of an option', () => {
    const view = rejectModal({ id: 1, who: 'Ana' }, DEFAULT_REASONS, metadata, {
      reason: 'no_budget',
      note: 'Budget frozen until Q3',
    });
    const select = modalSelect(view);
    const options = select.option_groups.flatMap((g) => g.options);
    expect(select.initial_option).toEqual(options.find((o) => o.value === 'no_budget'));
    expect(modalNoteInput(view).element.initial_value).toBe('Budget frozen until Q3');
  });

  it('preselects nothing for no reason, or a reason no longer configured', () => {
    for (const current of [
      { reason: null, note: null },
      { reason: 'retired_reason', note: null },
    ]) {
      const view = rejectModal({ id: 1, who: 'Ana' }, DEFAULT_REASONS, metadata, current);
      expect(modalSelect(view).initial_option).toBeUndefined();
      expect(modalNoteInput(view).element.initial_value).toBeUndefined();
    }
  });

  it('has an optional note that says which reasons need one', () => {
    const note = modalNoteInput(rejectModal({ id: 1, who: 'Ana' }, DEFAULT_REASONS, metadata));
    expect(note.optional).toBe(true);
    expect(note.element.action_id).toBe(ActionId.modalNote);
    expect(note.element.type).toBe('plain_text_input');
    expect(note.hint?.text).toContain('Other (note required)');
  });

  it('escapes the lead’s name in mrkdwn', () => {
    const view = rejectModal({ id: 1, who: HOSTILE }, DEFAULT_REASONS, metadata);
    const texts = mrkdwnTexts(view.blocks);
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) assertInert(t);
    const all = texts.join('\n');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('&amp;');
    expect(JSON.stringify(view)).not.toContain('<!channel>');
  });
});

describe('reasonPrompt', () => {
  it('carries the lead id in its block id, which leadIdFromPromptBlock reads back', () => {
    for (const id of [1, 42, 2_147_483_647]) {
      const { blocks } = reasonPrompt({ id, who: 'Ana' }, DEFAULT_REASONS);
      const actions = (blocks as unknown as Json[]).find((b) => b.type === 'actions') as { block_id: string };
      expect(actions.block_id.length).toBeLessThanOrEqual(255);
      expect(leadIdFromPromptBlock(actions.block_id)).toBe(id);
    }
  });

  it('leadIdFromPromptBlock ignores other block ids', () => {
    for (const other of [
      undefined,
      '',
      BlockId.leadActions,
      'reason_prompt:',
      'reason_prompt:12x',
      'x:reason_prompt:3',
    ]) {
      expect(leadIdFromPromptBlock(other)).toBeUndefined();
    }
  });

  it('offers the reason menu, grouped, and a button for a note that carries the lead id', () => {
    const { blocks } = reasonPrompt({ id: 42, who: 'Ana' }, DEFAULT_REASONS);
    const actions = (blocks as unknown as Json[]).find((b) => b.type === 'actions') as { elements: Json[] };
    const select = actions.elements.find((e) => e.action_id === ActionId.promptReason) as unknown as Select;
    expect(select.type).toBe('static_select');
    expect(select.option_groups.flatMap((g) => g.options.map((o) => o.value))).toEqual(
      expect.arrayContaining(DEFAULT_REASONS.map((r) => r.key)),
    );
    const note = actions.elements.find((e) => e.action_id === ActionId.promptNote) as { value: string };
    expect(note.value).toBe('42');
  });

  it('sets an escaped fallback text and escapes the name in mrkdwn', () => {
    const { text, blocks } = reasonPrompt({ id: 42, who: HOSTILE }, DEFAULT_REASONS);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(text).toContain('&lt;!channel&gt;');
    assertInert(text);
    for (const t of mrkdwnTexts(blocks)) assertInert(t);
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
    expect(reasonPrompt({ id: 42, who: 'Ana Silva' }, DEFAULT_REASONS).text).toContain('Ana Silva');
  });
});

describe('leadPost with decisions', () => {
  const POSTED = Date.UTC(2026, 10, 20, 14, 5);
  const options = { acceptEmoji: 'white_check_mark', rejectEmoji: 'x' };
  const ANNA = 'U0REPANNA1';
  const BOB = 'U0REPBOB01';
  const CARL = 'W0REPCARL1';

  const lead: LeadForPost = {
    id: 42,
    email: 'ana.silva@acme.io',
    name: 'Ana Silva',
    company: 'Acme Logistics',
    title: 'VP Operations',
    phone: null,
    country: null,
    campaign: '2026-Q4 Webinar: Freight AI',
    source: 'webinar',
    score: 72,
    url: null,
    notes: null,
    createdAt: POSTED - 60_000,
    postAttempts: 1,
    postStartedAt: POSTED,
  };

  const decision = (patch: Partial<ShownDecision> = {}): ShownDecision => ({
    userId: ANNA,
    verdict: 'accept',
    reason: null,
    note: null,
    decidedAt: POSTED + 12 * 60_000,
    ...patch,
  });

  /** Decisions as the store gives them: standing latest first, the winner is the first. */
  function decided(...standing: ShownDecision[]): PostDecisions {
    const winner = standing[0];
    return {
      state: winner === undefined ? 'pending' : winner.verdict === 'accept' ? 'accepted' : 'rejected',
      winner,
      firstDecidedAt: standing.length > 0 ? Math.min(...standing.map((d) => d.decidedAt)) : undefined,
      standing,
      postedAt: POSTED,
    };
  }

  const render = (d?: PostDecisions) => {
    const { text, blocks } = leadPost(lead, options, d);
    return { text, blocks, all: JSON.stringify(blocks), mrkdwn: mrkdwnTexts(blocks) };
  };
  const alsoLine = (blocks: unknown[]) =>
    mrkdwnTexts((blocks as unknown as Json[]).filter((b) => b.type === 'context')).find((t) =>
      t.startsWith('Also:'),
    );

  it('pending: no state section, says pending, no status in the fallback text', () => {
    for (const d of [undefined, decided()]) {
      const { text, all } = render(d);
      expect(all).toContain('Pending');
      expect(all).not.toContain('Accepted');
      expect(all).not.toContain('Rejected');
      expect(text).not.toMatch(/\[(accepted|rejected)\]/);
    }
  });

  it('accepted: who, when, and the time to decision; the buttons stay', () => {
    const { text, all, mrkdwn } = render(decided(decision()));
    const state = mrkdwn.find((t) => t.includes('*Accepted*'));
    expect(state).toContain(`*Accepted* by <@${ANNA}>`);
    expect(state).toContain(`<!date^${Math.floor((POSTED + 12 * 60_000) / 1000)}^`);
    expect(state).toContain('first decision 12 min after posting');
    expect(state).not.toContain('Reason');
    expect(all).not.toContain('Pending');
    expect(all).toContain(ActionId.accept);
    expect(all).toContain(ActionId.reject);
    expect(text).toContain('[accepted]');
    expect(text).not.toContain('[rejected]');
  });

  it('rejected with a reason: its label and kind, and the note', () => {
    const { text, mrkdwn } = render(
      decided(decision({ verdict: 'reject', reason: 'no_budget', note: 'Frozen until Q3' })),
    );
    const state = mrkdwn.find((t) => t.includes('*Rejected*'))!;
    expect(state).toContain(`*Rejected* by <@${ANNA}>`);
    expect(state).toContain('*Reason:* No budget (recycle)');
    expect(state).toContain('*Note:* Frozen until Q3');
    expect(state).not.toContain('No reason given');
    expect(text).toContain('[rejected]');
    expect(text).not.toContain('[accepted]');
  });

  it('rejected without a reason says so', () => {
    const { mrkdwn } = render(decided(decision({ verdict: 'reject' })));
    const state = mrkdwn.find((t) => t.includes('*Rejected*'))!;
    expect(state).toContain('_No reason given yet._');
    expect(state).not.toContain('*Reason:*');
    expect(state).not.toContain('*Note:*');
  });

  it('uses the configured reasons’ labels, and shows an unknown key as itself', () => {
    const reasons = reasonsSchema.parse([{ key: 'tiny', label: 'Fewer than 10 staff', kind: 'disqualify' }]);
    const configured = leadPost(
      lead,
      { ...options, reasons },
      decided(decision({ verdict: 'reject', reason: 'tiny' })),
    );
    expect(JSON.stringify(configured.blocks)).toContain('*Reason:* Fewer than 10 staff (disqualify)');
    const unknown = render(decided(decision({ verdict: 'reject', reason: 'retired_key' })));
    // The zero-width spaces keep the key's `_` from starting italics (src/slack/escape.ts).
    expect(unknown.all).toContain('*Reason:* retired\u200b_\u200bkey');
  });

  it('escapes the note and an unknown reason key', () => {
    const { mrkdwn } = render(
      decided(decision({ verdict: 'reject', reason: '<!here>', note: `Call ${HOSTILE} & co` })),
    );
    for (const t of mrkdwn) assertInert(t);
    const state = mrkdwn.find((t) => t.includes('*Rejected*'))!;
    expect(state).toContain('*Note:* Call Ana &lt;!channel&gt; &amp; &lt;@U0123ABCD&gt;');
    expect(state).toContain('&lt;!here&gt;');
  });

  it('lists the other reps once each in an "Also:" line, with their latest standing verdict', () => {
    const at = (min: number) => POSTED + min * 60_000;
    const { mrkdwn, blocks } = render(
      decided(
        decision({ userId: BOB, verdict: 'reject', reason: 'duplicate', decidedAt: at(30) }),
        decision({ userId: ANNA, verdict: 'accept', decidedAt: at(20) }),
        decision({ userId: BOB, verdict: 'accept', decidedAt: at(15) }),
        decision({ userId: CARL, verdict: 'reject', decidedAt: at(10) }),
        decision({ userId: ANNA, verdict: 'reject', decidedAt: at(5) }),
      ),
    );
    expect(mrkdwn.find((t) => t.includes('*Rejected*'))).toContain(`by <@${BOB}>`);
    expect(alsoLine(blocks)).toBe(`Also: <@${ANNA}> accepted · <@${CARL}> rejected`);
    // Time to decision counts from the earliest standing decision.
    expect(mrkdwn.join('\n')).toContain('first decision 5 min after posting');
  });

  it('has no "Also:" line when only the winner’s rep decided', () => {
    const { blocks } = render(
      decided(
        decision({ verdict: 'reject', decidedAt: POSTED + 120_000 }),
        decision({ verdict: 'accept', decidedAt: POSTED + 60_000 }),
      ),
    );
    expect(alsoLine(blocks)).toBeUndefined();
  });

  it('shows user ids that are not Slack ids inert, never as mentions', () => {
    const { mrkdwn, blocks } = render(
      decided(
        decision({ userId: '<!channel>', verdict: 'accept' }),
        decision({ userId: 'reconcile & co', verdict: 'reject', decidedAt: POSTED }),
        decision({ userId: 'u0lowercase', verdict: 'reject', decidedAt: POSTED - 1 }),
      ),
    );
    for (const t of mrkdwn) assertInert(t);
    const all = mrkdwn.join('\n');
    expect(all).toContain('*Accepted* by &lt;!channel&gt;');
    expect(alsoLine(blocks)).toContain('reconcile &amp; co rejected');
    expect(alsoLine(blocks)).toContain('u0lowercase rejected');
    expect(all).not.toContain('<@u0lowercase>');
  });

  it('stays within Block Kit limits with many reps and a long note', () => {
    const standing = Array.from({ length: 60 }, (_, i) =>
      decision({
        userId: `U${String(i).padStart(9, '0')}`,
        verdict: i % 2 ? 'accept' : 'reject',
        reason: 'other',
        note: '&'.repeat(3000),
        decidedAt: POSTED + (60 - i) * 1000,
      }),
    );
    const { text, blocks } = render(decided(...standing));
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const t of mrkdwnTexts(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(blocks).length).toBeLessThan(12_000);
    expect(alsoLine(blocks)!.split(' · ').length).toBeLessThanOrEqual(10);
    assertInert(text);
  });

  it('the fallback text with a state stays escaped', () => {
    const hostile = leadPost({ ...lead, name: HOSTILE }, options, decided(decision({ verdict: 'reject' })));
    assertInert(hostile.text);
    expect(hostile.text).toContain('[rejected]');
  });
});

describe('reason modal and prompt: formatting in the lead name', () => {
  it('shows a name with a URL, #channel, *bold* or ``` as typed', () => {
    const lead = { id: 42, who: FORMATTED };
    expectShownAsTyped(rejectModal(lead, DEFAULT_REASONS, metadata).blocks);
    expectShownAsTyped(reasonPrompt(lead, DEFAULT_REASONS).blocks);
  });
});
