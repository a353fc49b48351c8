import { describe, expect, it } from 'vitest';
import { attentionNotice } from '../../../src/slack/blocks/attention.js';
import { expectShownAsTyped, FORMATTED } from '../../harness/inertText.js';

describe('attentionNotice', () => {
  it('says how many, since when, the top reasons and the command', () => {
    const m = attentionNotice({
      newCount: 3,
      openCount: 5,
      announcedBefore: true,
      topReasons: [
        { reason: 'no campaign', count: 2 },
        { reason: 'no email or name', count: 1 },
      ],
    });
    expect(m.text).toBe(
      '3 leads from your marketing tools need attention since the last notice (5 leads waiting in all): they came in but could not be stored as leads, so they are not in this channel yet. Run leadloop attention list on the server.',
    );
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('• no campaign (2)\\n• no email or name (1)');
    expect(json).toContain('`leadloop attention list`');
  });

  it('escapes vendor text in reasons so it cannot mention or link', () => {
    const m = attentionNotice({
      newCount: 1,
      openCount: 1,
      announcedBefore: false,
      topReasons: [{ reason: 'email "<!channel> & <https://evil.example|x>" is not an email', count: 1 }],
    });
    expect(m.text.startsWith('1 lead from your marketing tools needs attention: ')).toBe(true);
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;');
    expect(json).not.toContain('<!channel>');
  });
});

describe('attentionNotice: formatting in vendor data', () => {
  it('shows a reason quoting a URL, #channel, *bold* or ``` as typed', () => {
    const m = attentionNotice({
      newCount: 1,
      openCount: 1,
      announcedBefore: false,
      topReasons: [{ reason: `email "${FORMATTED}" is not an email`, count: 1 }],
    });
    expectShownAsTyped(m.blocks);
  });
});
