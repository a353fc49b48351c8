import { describe, expect, it } from 'vitest';
import { judgeSocketMessage } from '../../src/slack/socketGate.js';

const reaction = {
  type: 'event_callback',
  event_id: 'Ev1',
  event: {
    type: 'reaction_added',
    user: 'U1',
    reaction: 'x',
    item: { channel: 'C1', ts: '1.2' },
    event_ts: '1.3',
  },
};
const frame = (type: string, payload: unknown, envelopeId = 'e1') =>
  JSON.stringify({ type, envelope_id: envelopeId, payload });

describe('judgeSocketMessage', () => {
  it('passes the connection messages and envelopes of what Slack sends', () => {
    expect(judgeSocketMessage('{"type":"hello","num_connections":1}')).toEqual({
      ok: true,
      kind: 'connection',
    });
    expect(judgeSocketMessage('{"type":"disconnect","reason":"refresh_requested"}')).toEqual({
      ok: true,
      kind: 'connection',
    });
    expect(judgeSocketMessage(frame('events_api', reaction))).toMatchObject({
      ok: true,
      kind: 'envelope',
      envelopeId: 'e1',
      body: { kind: 'event', body: reaction },
    });
    const click = { type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'a' }] };
    expect(judgeSocketMessage(frame('interactive', click))).toMatchObject({
      ok: true,
      body: { kind: 'interaction', body: click },
    });
    const command = { command: '/leadstats', text: 'reps', user_id: 'U1' };
    expect(judgeSocketMessage(frame('slash_commands', command))).toMatchObject({
      ok: true,
      body: { kind: 'command' },
    });
    expect(
      judgeSocketMessage(frame('events_api', { type: 'app_rate_limited', minute_rate_limited: 1 })),
    ).toEqual({
      ok: true,
      kind: 'app_rate_limited',
      minuteRateLimited: 1,
    });
  });

  it('refuses, with a reason, frames the socket client or Bolt would crash on or be driven by', () => {
    const refused = [
      'not json',
      'null',
      '5',
      '[]',
      '{}',
      '{"type":"events_api","envelope_id":"e1"}',
      '{"type":"events_api","payload":{}}',
      frame('events_api', { type: 'event_callback', event: null }),
      frame('events_api', { ...reaction, event: { ...reaction.event, item: null } }),
      // Unsubscribed types: the client would emit them under their own name (`close`, `ws_message`).
      frame('events_api', { type: 'event_callback', event_id: 'Ev2', event: { type: 'close' } }),
      frame('events_api', { type: 'url_verification', challenge: 'c' }),
      frame('interactive', { type: null }),
      frame('slash_commands', 'x'),
      frame('something_new', reaction),
    ];
    for (const text of refused) {
      const verdict = judgeSocketMessage(text);
      expect(verdict.ok, text).toBe(false);
      expect(verdict.ok ? '' : verdict.reason, text).not.toBe('');
    }
  });
});
