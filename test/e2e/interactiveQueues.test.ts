import { afterEach, describe, expect, it } from 'vitest';
import { blockAction, reactionEvent } from '../../sandbox/slack-requests.js';
import { ActionId } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

const REP = 'U0REPANNA1';
const REP2 = 'U0REPBOB01';

let t: TestBot;
afterEach(async () => {
  await t?.close();
});

/** The first answered call to `method` (status set), once there is one. */
function answered(method: string) {
  return waitFor(`an answered ${method}`, () => t.fake.calls(method).find((c) => c.status !== 0), {
    timeoutMs: 30_000,
  });
}

describe('Slack calls made while a person waits do not share one stalled queue', () => {
  it('a 429 on ephemerals during a Reject click still opens the modal at once', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    // Slack asks the bot to wait 10 s before the next ephemeral: far past a trigger_id's 3 s.
    t.fake.fail('chat.postEphemeral', { status: 429, retryAfter: 10 });
    await t.slack(reactionEvent({ type: 'reaction_added', user: REP, reaction: 'x', ...post }));
    expect((await answered('chat.postEphemeral')).status).toBe(429);

    const triggerId = t.fake.trigger();
    const click = await t.slack(
      blockAction({
        user: REP2,
        actionId: ActionId.reject,
        value: String(post.id),
        channel: post.channel,
        messageTs: post.ts,
        triggerId,
      }),
    );
    expect(click.status).toBe(200);
    const open = await answered('views.open');
    expect(open.args.trigger_id).toBe(triggerId);
    expect(open.response).toMatchObject({ ok: true });
    // The modal went out while the ephemeral was still waiting out its Retry-After.
    expect(t.fake.calls('chat.postEphemeral')).toHaveLength(1);
  });

  it('a 429 on views.open is not retried past the trigger_id and the rep is told to click again', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    t.fake.fail('views.open', { status: 429, retryAfter: 5 });
    await t.slack(
      blockAction({
        user: REP2,
        actionId: ActionId.reject,
        value: String(post.id),
        channel: post.channel,
        messageTs: post.ts,
        triggerId: t.fake.trigger(),
      }),
    );
    const told = await waitFor('the rep to be told', () => t.fake.ephemerals().find((e) => e.user === REP2));
    expect(told.text).toContain('click Reject again');
    expect(t.fake.calls('views.open')).toHaveLength(1);
    expect(t.logs.messages('error')).toEqual([]);
  });
});
