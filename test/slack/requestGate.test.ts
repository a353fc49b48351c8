import { describe, expect, it } from 'vitest';
import { slackSignature } from '../../sandbox/slack-requests.js';
import { judgeSlackRequest } from '../../src/slack/requestGate.js';

const SECRET = 'gate-test-signing-secret-0123456789';
const NOW = 1_800_000_000;

function judge(
  body: string,
  options: { contentType?: string; timestamp?: number; signature?: string; now?: number } = {},
) {
  const timestamp = options.timestamp ?? NOW;
  return judgeSlackRequest({
    raw: Buffer.from(body),
    contentType: options.contentType ?? 'application/json',
    timestamp: String(timestamp),
    signature: options.signature ?? slackSignature(SECRET, timestamp, body),
    signingSecret: SECRET,
    nowSeconds: options.now ?? NOW,
  });
}

const reaction = JSON.stringify({
  type: 'event_callback',
  event_id: 'Ev1',
  event: {
    type: 'reaction_added',
    user: 'U1',
    reaction: 'x',
    item: { channel: 'C1', ts: '1.2' },
    event_ts: '1.3',
  },
});

describe('judgeSlackRequest', () => {
  it('passes what Slack sends: events, interactions, slash commands, the SSL check', () => {
    expect(judge(reaction)).toMatchObject({ ok: true, kind: 'event' });
    expect(judge(JSON.stringify({ type: 'url_verification', challenge: 'c' }))).toMatchObject({
      ok: true,
      kind: 'event',
    });
    const form = 'application/x-www-form-urlencoded';
    const payload = new URLSearchParams({
      payload: JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'a' }] }),
    });
    expect(judge(payload.toString(), { contentType: form })).toMatchObject({ ok: true, kind: 'interaction' });
    const command = new URLSearchParams({ command: '/leadstats', text: 'reps', user_id: 'U1' });
    expect(judge(command.toString(), { contentType: `${form}; charset=utf-8` })).toEqual({
      ok: true,
      kind: 'command',
    });
    // Unsigned by design (Slack's SSL check carries nothing).
    expect(
      judgeSlackRequest({
        raw: Buffer.from('ssl_check=1&token=x'),
        contentType: form,
        timestamp: undefined,
        signature: undefined,
        signingSecret: SECRET,
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: true, kind: 'ssl_check' });
  });

  it('refuses timestamps more than five minutes away, in the past or the future', () => {
    expect(judge(reaction, { timestamp: NOW - 301 })).toMatchObject({ ok: false, status: 401 });
    expect(judge(reaction, { timestamp: NOW + 301 })).toMatchObject({ ok: false, status: 401 });
    expect(judge(reaction, { timestamp: NOW + 600 })).toMatchObject({ ok: false, status: 401 });
    expect(judge(reaction, { timestamp: NOW + 365 * 86_400 })).toMatchObject({ ok: false, status: 401 });
    expect(judge(reaction, { timestamp: NOW + 299 })).toMatchObject({ ok: true, kind: 'event' });
    expect(judge(reaction, { timestamp: NOW - 299 })).toMatchObject({ ok: true, kind: 'event' });
  });

  it('refuses a wrong, missing or malformed signature', () => {
    expect(
      judge(reaction, { signature: slackSignature('another-secret-0123456789', NOW, reaction) }),
    ).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(judge(reaction, { signature: 'v0=abc' })).toMatchObject({ ok: false, status: 401 });
    expect(
      judgeSlackRequest({
        raw: Buffer.from(reaction),
        contentType: 'application/json',
        timestamp: 'soon',
        signature: slackSignature(SECRET, NOW, reaction),
        signingSecret: SECRET,
        nowSeconds: NOW,
      }),
    ).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses signed bodies of a shape Bolt cannot take, with 400', () => {
    const form = 'application/x-www-form-urlencoded';
    for (const body of [
      'null',
      '5',
      '"text"',
      '[]',
      '{}',
      '{"type":"event_callback","event":null}',
      '{not json',
    ]) {
      expect(judge(body), body).toMatchObject({ ok: false, status: 400 });
    }
    for (const payload of ['null', '123', '"x"', '{"type":5}', '{']) {
      expect(
        judge(new URLSearchParams({ payload }).toString(), { contentType: form }),
        payload,
      ).toMatchObject({
        ok: false,
        status: 400,
      });
    }
    expect(judge('text=hi', { contentType: form })).toMatchObject({ ok: false, status: 400 });
    expect(judge('hello', { contentType: 'text/plain' })).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses events and interactions the bot handles when they lack the fields Slack always sends', () => {
    const event = (e: unknown) => JSON.stringify({ type: 'event_callback', event_id: 'Ev2', event: e });
    for (const e of [
      { type: 'reaction_added', user: null, reaction: 'x', item: { channel: 'C1', ts: '1' }, event_ts: '1' },
      { type: 'reaction_removed', user: 'U1', reaction: 'x', item: null, event_ts: '1' },
      { type: 'reaction_added', user: 'U1', reaction: 5, item: { channel: 'C1', ts: '1' }, event_ts: '1' },
    ]) {
      expect(judge(event(e)), JSON.stringify(e)).toMatchObject({ ok: false, status: 400 });
    }
    const form = 'application/x-www-form-urlencoded';
    for (const p of [
      { type: 'block_actions', user: null, actions: [] },
      { type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 5 }] },
      { type: 'view_submission', user: { id: 'U1' }, view: null },
      { type: 'shortcut', user: { id: 'U1' } },
    ]) {
      const body = new URLSearchParams({ payload: JSON.stringify(p) }).toString();
      expect(judge(body, { contentType: form }), JSON.stringify(p)).toMatchObject({ ok: false, status: 400 });
    }
  });

  it('acknowledges and drops events the bot does not subscribe to', () => {
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: 'Ev3',
      event: { type: 'message', user: 4 },
    });
    expect(judge(body)).toEqual({ ok: true, kind: 'unsubscribed_event', eventType: 'message' });
  });

  it('recognises app_rate_limited so it can be acknowledged', () => {
    const body = JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: NOW, team_id: 'T1' });
    expect(judge(body)).toEqual({ ok: true, kind: 'app_rate_limited', minuteRateLimited: NOW });
  });
});
