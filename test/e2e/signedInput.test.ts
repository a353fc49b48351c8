import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockAction, postSigned, reactionEvent } from '../../sandbox/slack-requests.js';
import { ActionId } from '../../src/slack/ids.js';
import { SIGNING_SECRET, startTestBot, type TestBot } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

/*
 * Signed requests that are not what Slack sends must be refused without crashing the process or
 * recording anything; unsigned, stale or future-dated ones never reach a listener.
 */

let t: TestBot;
let post: { id: number; channel: string; ts: string };
beforeAll(async () => {
  t = await startTestBot();
  post = await t.postLead();
});
afterAll(() => t.close());

const url = () => `${t.baseUrl}/slack/events`;
const decisionsOf = (id: number) => t.bot.store.leadDecisions(id).history.length;

async function healthy() {
  const res = await fetch(`${t.baseUrl}/healthz`);
  expect(res.status).toBe(200);
}

describe('/slack/events refuses what Slack would never send', () => {
  it('signed bodies of JSON null, a number, a string or a null event get a 400, and the bot stays up', async () => {
    for (const json of [null, 5, 'text', [], {}, { type: 'event_callback', event: null }]) {
      const res = await postSigned(url(), SIGNING_SECRET, { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    for (const payload of ['null', '123', '"x"', '{"type":null}']) {
      const res = await postSigned(url(), SIGNING_SECRET, { form: { payload } });
      expect(res.status, payload).toBe(400);
    }
    await healthy();
    expect(t.logs.messages().some((m) => m.includes('Refused a request to /slack/events'))).toBe(true);
  });

  it('a request timestamped 10 minutes or a year in the future is refused like a stale one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const event = reactionEvent({
      type: 'reaction_added',
      user: 'U0FUTURE01',
      reaction: 'white_check_mark',
      channel: post.channel,
      ts: post.ts,
    });
    for (const timestamp of [now + 600, now + 365 * 86_400, now - 600]) {
      const res = await postSigned(url(), SIGNING_SECRET, { json: event }, { timestamp });
      expect(res.status, String(timestamp - now)).toBe(401);
    }
    expect(decisionsOf(post.id)).toBe(0);
  });

  it('app_rate_limited is acknowledged at once, with a warning that names the command to run', async () => {
    const res = await postSigned(url(), SIGNING_SECRET, {
      json: {
        type: 'app_rate_limited',
        token: 't',
        team_id: 'T0001',
        minute_rate_limited: 1_800_000_000,
        api_app_id: 'A1',
      },
    });
    // Bolt left to itself answers 404, once its 3 s unhandled-request timer has run out.
    expect(res.status).toBe(200);
    expect(t.logs.messages().find((m) => m.includes('app_rate_limited'))).toContain(
      'leadloop reconcile --since',
    );
  });

  it('thousands of signed malformed events, interactions and commands: the bot stays up and records nothing', async () => {
    const arbitraryEvent = fc.record({
      type: fc.constantFrom('event_callback', 'url_verification', 'app_rate_limited', 'block_actions'),
      event_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      event: fc.oneof(
        fc.constant(null),
        fc.jsonValue(),
        fc.record({
          type: fc.constantFrom('reaction_added', 'reaction_removed', 'message', 'app_home_opened'),
          user: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          reaction: fc.oneof(fc.constantFrom('x', 'white_check_mark'), fc.jsonValue()),
          item: fc.oneof(
            fc.constant(null),
            fc.jsonValue(),
            fc.record({ channel: fc.jsonValue(), ts: fc.jsonValue() }),
          ),
        }),
      ),
    });
    const arbitraryInteraction = fc.record({
      type: fc.oneof(
        fc.constantFrom('block_actions', 'view_submission', 'view_closed', 'shortcut'),
        fc.jsonValue(),
      ),
      user: fc.oneof(fc.constant(null), fc.jsonValue(), fc.record({ id: fc.jsonValue() })),
      actions: fc.oneof(
        fc.constant(null),
        fc.jsonValue(),
        fc.array(
          fc.record({
            action_id: fc.oneof(fc.constantFrom(ActionId.accept, ActionId.reject), fc.jsonValue()),
            value: fc.oneof(fc.constant(String(post.id)), fc.jsonValue()),
          }),
        ),
      ),
      view: fc.oneof(fc.constant(null), fc.jsonValue()),
      trigger_id: fc.jsonValue(),
    });
    const arbitraryCommand = fc.dictionary(
      fc.constantFrom('command', 'text', 'user_id', 'response_url', 'channel_id', 'trigger_id'),
      fc.string(),
    );
    const body = fc.oneof(
      fc.jsonValue().map((json) => ({ json })),
      arbitraryEvent.map((json) => ({ json })),
      fc
        .oneof(fc.jsonValue(), arbitraryInteraction)
        .map((p) => ({ form: { payload: JSON.stringify(p) ?? 'null' } })),
      arbitraryCommand.map((form) => ({ form })),
    );
    const samples = fc.sample(body, { numRuns: 2000, seed: 20261203 });
    // Well-shaped interactions that no listener handles wait out Bolt's 3 s before their 404, so
    // they are sent many at a time.
    const statuses = new Set<number>();
    const failures: string[] = [];
    for (let i = 0; i < samples.length; i += 400) {
      const batch = samples.slice(i, i + 400);
      const answers = await Promise.all(batch.map((b) => postSigned(url(), SIGNING_SECRET, b)));
      for (const [k, res] of answers.entries()) {
        statuses.add(res.status);
        if (res.status >= 500) failures.push(`${res.status} ${JSON.stringify(batch[k])}`);
        await res.arrayBuffer();
      }
    }
    // Whatever Bolt did with the well-shaped ones, none was a server error or a hang.
    expect(failures.slice(0, 5)).toEqual([]);
    await healthy();
    expect(decisionsOf(post.id)).toBe(0);

    // And the bot still does its job.
    const click = await t.slack(
      blockAction({
        user: 'U0REAL0001',
        actionId: ActionId.accept,
        value: String(post.id),
        channel: post.channel,
        messageTs: post.ts,
      }),
    );
    expect(click.status).toBe(200);
    await waitFor('the real click to be recorded', () => decisionsOf(post.id) === 1 || undefined);
  }, 120_000);
});

describe('the HTTP server bounds slow requests', () => {
  it('has header and request timeouts well under Node’s 300 s default', () => {
    expect(t.bot.server.headersTimeout).toBeLessThanOrEqual(10_000);
    expect(t.bot.server.requestTimeout).toBeLessThanOrEqual(30_000);
  });
});
