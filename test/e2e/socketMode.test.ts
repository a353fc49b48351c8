import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { blockAction, reactionEvent, viewSubmission } from '../../sandbox/slack-requests.js';
import { ActionId, BlockId, CallbackId } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

let t: TestBot | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  await t?.close();
  await fake?.close();
  t = undefined;
  fake = undefined;
});

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  it('connects over a WebSocket, serves POST /leads and /healthz on PORT, and handles events and interactions', async () => {
    fake = await FakeSlack.start();
    t = await startTestBot({ fake, env: { SLACK_APP_TOKEN: fake.appToken, SLACK_SIGNING_SECRET: '' } });
    expect(t.config.slack.mode).toBe('socket');
    await fake.socketConnected();
    expect(fake.calls('apps.connections.open')).toHaveLength(1);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${t.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('leadloop_queue_depth 0');
    // Slack's endpoint is not served in Socket Mode: nothing to sign, nothing to forge.
    expect((await fetch(`${t.baseUrl}/slack/events`, { method: 'POST' })).status).toBe(404);

    const post = await t.postLead();
    const event = reactionEvent({
      type: 'reaction_added',
      user: 'U0REPANNA1',
      reaction: 'x',
      channel: post.channel,
      ts: post.ts,
    });
    const ack = await fake.sendEnvelope('events_api', event);
    expect(ack.envelope_id).toMatch(/^env-/);
    await fake.sendEnvelope('events_api', event, { retryAttempt: 1 });
    await waitFor('the reject', () => t?.bot.store.leadById(post.id)?.state === 'rejected');
    await waitFor('the reason prompt', () => fake?.ephemerals().length === 1);

    const missing = await fake.sendEnvelope(
      'interactive',
      viewSubmission({
        user: 'U0REPANNA1',
        callbackId: CallbackId.rejectModal,
        privateMetadata: JSON.stringify({ leadId: post.id, via: 'button' }),
        values: { [BlockId.modalReason]: { [ActionId.modalReason]: { selected_option: null } } },
      }),
    );
    expect(missing.payload).toEqual({
      response_action: 'errors',
      errors: { [BlockId.modalReason]: 'Choose a reason.' },
    });

    await fake.sendEnvelope(
      'interactive',
      blockAction({
        user: 'U0REPBOB01',
        actionId: ActionId.accept,
        value: String(post.id),
        channel: post.channel,
      }),
    );
    await waitFor('the accept', () => t?.bot.store.leadById(post.id)?.state === 'accepted');
    const decisions = t.bot.store.leadDecisions(post.id).history;
    expect(decisions.map((d) => [d.userId, d.verdict])).toEqual([
      ['U0REPANNA1', 'reject'],
      ['U0REPBOB01', 'accept'],
    ]);
  });
});
