import { describe, expect, it } from 'vitest';
import { blocksToHtml, mrkdwnToHtml, textObject } from '../../sandbox/web/render.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { leadPost } from '../../src/slack/blocks/leadPost.js';
import { reasonPrompt, rejectModal } from '../../src/slack/blocks/rejectReason.js';
import { ActionId, BlockId } from '../../src/slack/ids.js';
import type { LeadForPost } from '../../src/storage/store.js';

const NOW = Date.UTC(2026, 10, 20, 16, 0);

function lead(patch: Partial<LeadForPost> = {}): LeadForPost {
  return {
    id: 42,
    email: 'ana.silva@acme.io',
    name: 'Ana Silva',
    company: 'Acme Logistics',
    title: 'VP Operations',
    phone: null,
    country: 'US',
    campaign: '2026-Q4 Webinar: Freight AI',
    source: 'webinar',
    score: 72,
    url: 'https://crm.example.com/contacts/48213',
    notes: null,
    createdAt: NOW - 3_600_000,
    postAttempts: 1,
    postStartedAt: null,
    ...patch,
  };
}

/** Every tag the renderer emitted, by name: nothing outside this set may ever appear. */
function tags(html: string): Set<string> {
  return new Set([...html.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((m) => (m[1] ?? '').toLowerCase()));
}

const ALLOWED = new Set([
  'div',
  'span',
  'b',
  'i',
  's',
  'code',
  'pre',
  'br',
  'a',
  'time',
  'button',
  'select',
  'option',
  'optgroup',
  'label',
  'textarea',
  'input',
  'hr',
  'figure',
  'img',
]);

describe('mrkdwn', () => {
  it('formats bold, italic, strike, code and code blocks', () => {
    expect(mrkdwnToHtml('*Accepted* by _Ana_ ~late~')).toBe('<b>Accepted</b> by <i>Ana</i> <s>late</s>');
    expect(mrkdwnToHtml('run `/leadstats *7d*`')).toBe('run <code>/leadstats *7d*</code>');
    expect(mrkdwnToHtml('```Campaign  Rate\n*A*  50%```')).toBe('<pre>Campaign  Rate\n*A*  50%</pre>');
    expect(mrkdwnToHtml('line one\nline two')).toBe('line one<br>line two');
  });

  it('shows what Slack escaped as text, and escapes it again for HTML', () => {
    const html = mrkdwnToHtml('New lead: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(html).toBe('New lead: &lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(tags(html).size).toBe(0);
  });

  it('makes links of http(s) only, with escaped labels', () => {
    expect(mrkdwnToHtml('<https://acme.slack.com/archives/C1/p1|Ana "the" &lt;b&gt;>')).toBe(
      '<a href="https://acme.slack.com/archives/C1/p1" target="_blank" rel="noopener noreferrer">Ana &quot;the&quot; &lt;b&gt;</a>',
    );
    const evil = mrkdwnToHtml('<javascript:alert(1)|click me>');
    expect(evil).toBe('click me');
    const label = mrkdwnToHtml('<https://x.example/|&lt;img src=x onerror=alert(1)&gt;>');
    expect(label).toContain('&lt;img src=x onerror=alert(1)&gt;</a>');
    expect(tags(label)).toEqual(new Set(['a']));
  });

  it('renders mentions with names, special mentions as inert text, and dates in the zone', () => {
    const names = new Map([['U0REP0001', 'Maya Chen']]);
    expect(mrkdwnToHtml('by <@U0REP0001> and <@U0NOBODY>', { names })).toBe(
      'by <span class="mention">@Maya Chen</span> and <span class="mention">@U0NOBODY</span>',
    );
    expect(mrkdwnToHtml('<!channel> <!here>')).toBe(
      '<span class="mention">@channel</span> <span class="mention">@here</span>',
    );
    const seconds = Math.floor((NOW - 2 * 3_600_000) / 1000);
    expect(
      mrkdwnToHtml(`<!date^${seconds}^{date_short_pretty} at {time}|fallback>`, {
        now: NOW,
        timeZone: 'UTC',
      }),
    ).toBe('<time>Today at 14:00</time>');
    expect(
      // 14:00 UTC is 23:00 in Tokyo, where it is already the next day.
      mrkdwnToHtml(`<!date^${seconds}^{date_short_pretty} at {time}|x>`, {
        now: NOW,
        timeZone: 'Asia/Tokyo',
      }),
    ).toBe('<time>Yesterday at 23:00</time>');
  });

  it('turns the bot’s emoji shortcodes into emoji and leaves unknown ones alone', () => {
    expect(mrkdwnToHtml(':white_check_mark: *Accepted* · :x: · :not_an_emoji:')).toBe(
      '✅ <b>Accepted</b> · ❌ · :not_an_emoji:',
    );
  });

  it('never lets emphasis reach into a link', () => {
    expect(mrkdwnToHtml('*<https://a.example/x_y_z|a_b>*')).toBe(
      '<b><a href="https://a.example/x_y_z" target="_blank" rel="noopener noreferrer">a_b</a></b>',
    );
  });
});

describe('text objects', () => {
  it('escapes plain_text and formats mrkdwn', () => {
    expect(textObject({ type: 'plain_text', text: '<script>x</script>' })).toBe(
      '&lt;script&gt;x&lt;/script&gt;',
    );
    expect(textObject({ type: 'mrkdwn', text: '*a*' })).toBe('<b>a</b>');
    expect(textObject({ type: 'plain_text', text: ':x:', emoji: false })).toBe(':x:');
  });
});

describe('blocks', () => {
  it('renders a real lead post with a hostile lead as text, and its buttons with their ids and values', () => {
    const hostile = lead({
      name: '<script>alert(1)</script>',
      company: '<!channel> & <@U123>',
      campaign: '"><img src=x onerror=alert(1)>',
      notes: '</div><script>x</script>',
    });
    const { blocks } = leadPost(hostile, { acceptEmoji: 'white_check_mark', rejectEmoji: 'x' });
    const html = blocksToHtml(blocks, { now: NOW });
    for (const tag of tags(html)) expect(ALLOWED).toContain(tag);
    expect(html).not.toMatch(/<script|<img src=x/i);
    expect(html).toContain('New lead: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(html).toContain(
      `data-action-id="${ActionId.accept}" data-block-id="${BlockId.leadActions}" data-value="42"`,
    );
    expect(html).toContain(`data-action-id="${ActionId.reject}"`);
    expect(html).toContain('data-url="https://crm.example.com/contacts/48213"');
    expect(html).toContain('⏳ Pending');
  });

  it('renders the accepted state the bot writes', () => {
    const decision = {
      userId: 'U0REP0001',
      verdict: 'accept' as const,
      reason: null,
      note: null,
      decidedAt: NOW,
    };
    const { blocks } = leadPost(
      lead(),
      { acceptEmoji: 'white_check_mark', rejectEmoji: 'x' },
      {
        state: 'accepted',
        winner: decision,
        firstDecidedAt: NOW,
        standing: [decision],
        postedAt: NOW - 600_000,
      },
    );
    const html = blocksToHtml(blocks, { names: new Map([['U0REP0001', 'Maya Chen']]), now: NOW });
    expect(html).toContain(
      '✅ <b>Accepted</b> by <span class="mention">@Maya Chen</span> <time>Today at 16:00</time>',
    );
  });

  it('renders the reason modal as a form named after block and action ids, with grouped reasons', () => {
    const view = rejectModal({ id: 7, who: 'Ana <Silva>' }, DEFAULT_REASONS, { leadId: 7, via: 'button' });
    const html = blocksToHtml(view.blocks);
    expect(html).toContain(`name="${BlockId.modalReason}/${ActionId.modalReason}"`);
    expect(html).toContain(`name="${BlockId.modalNote}/${ActionId.modalNote}"`);
    expect(html).toContain('<optgroup label="Disqualify: not worth working">');
    expect(html).toContain('<option value="bad_fit">Bad fit / not our ICP</option>');
    expect(html).toContain('Ana &lt;Silva&gt;');
    expect(html).toContain(`data-error-for="${BlockId.modalNote}"`);
    expect(html).toContain('(optional)');
  });

  it('renders the reason prompt’s select and note button with the prompt’s block id', () => {
    const { blocks } = reasonPrompt({ id: 9, who: 'Ben' }, DEFAULT_REASONS);
    const html = blocksToHtml(blocks);
    expect(html).toContain(
      `data-kind="static_select" data-action-id="${ActionId.promptReason}" data-block-id="reason_prompt:9"`,
    );
    expect(html).toContain(
      `data-action-id="${ActionId.promptNote}" data-block-id="reason_prompt:9" data-value="9"`,
    );
  });

  it('renders dividers, images and context, and marks blocks it does not know', () => {
    const html = blocksToHtml([
      { type: 'divider' },
      { type: 'image', image_url: 'https://x.example/a.png', alt_text: 'a "chart"' },
      { type: 'image', image_url: 'javascript:alert(1)', alt_text: 'no' },
      { type: 'context', elements: [{ type: 'plain_text', text: 'small' }] },
      { type: 'rich_text', elements: [] },
    ]);
    expect(html).toContain('<hr class="b-divider">');
    expect(html).toContain('<img src="https://x.example/a.png" alt="a &quot;chart&quot;">');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<div class="b-context"><span>small</span></div>');
    expect(html).toContain('[unsupported block: rich_text]');
  });

  it('falls back to the message text when there are no blocks', () => {
    expect(blocksToHtml(undefined, {}, 'Thanks: reason recorded (*Bad fit*).')).toContain('<b>Bad fit</b>');
    expect(blocksToHtml([], {}, '')).toBe('');
  });
});
