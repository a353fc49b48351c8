import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { blockAction, reactionEvent, viewSubmission } from '../../sandbox/slack-requests.js';
import { ActionId, BlockId, CallbackId } from '../../src/slack/ids.js';
import {
  INGEST_TOKEN,
  LEADS_CHANNEL,
  lead,
  startTestBot,
  type TestBot,
  tempDir,
  testEnv,
} from '../harness/app.js';
import { lockFromAnotherProcess } from '../harness/lock.js';
import { runningPort, spawnCli } from '../harness/process.js';
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

const REP = 'U0REPANNA1';
const socketEnv = (slack: FakeSlack) => ({ SLACK_APP_TOKEN: slack.appToken, SLACK_SIGNING_SECRET: '' });
const inboxSize = (bot: TestBot) =>
  (bot.bot.store.db.$client.prepare('SELECT count(*) AS n FROM slack_inbox').get() as { n: number }).n;
const decisionsOf = (bot: TestBot, leadId: number) => bot.bot.store.leadDecisions(leadId).history;

describe('Socket Mode: durable before acknowledged', () => {
  it("a reaction the database cannot take is not acked, and Slack's redelivery is stored once", async () => {
    fake = await FakeSlack.start();
    t = await startTestBot({ fake, env: socketEnv(fake) });
    await fake.socketConnected();
    const post = await t.postLead();
    const event = reactionEvent({
      type: 'reaction_added',
      user: REP,
      reaction: 'white_check_mark',
      channel: post.channel,
      ts: post.ts,
    });
    const lock = await lockFromAnotherProcess(t.databasePath, 6_000);
    // No ack inside Slack's 3 s: Slack sends the envelope again (never acknowledged and lost).
    await expect(fake.sendEnvelope('events_api', event, { timeoutMs: 2_900 })).rejects.toThrow(/No ack/);
    expect(decisionsOf(t, post.id)).toEqual([]);
    expect(
      t.logs.messages('warn').some((m) => m.includes('not acknowledged, so that Slack sends it again')),
    ).toBe(true);

    await lock.released;
    await fake.sendEnvelope('events_api', event, { retryAttempt: 1 });
    await waitFor('the decision', () => decisionsOf(t as TestBot, post.id).length === 1);
    await fake.sendEnvelope('events_api', event, { retryAttempt: 2 });
    await waitFor('the inbox to empty', () => inboxSize(t as TestBot) === 0);
    expect(decisionsOf(t, post.id).map((d) => [d.userId, d.verdict])).toEqual([[REP, 'accept']]);
  }, 30_000);

  it('a reaction kept in the inbox is applied once after a restart', async () => {
    fake = await FakeSlack.start();
    t = await startTestBot({ fake, env: socketEnv(fake) });
    await fake.socketConnected();
    const post = await t.postLead();
    // Slack showed the post (this ts) before chat.postMessage answered: the reaction waits.
    const lateTs = '1800000000.000100';
    const event = reactionEvent({
      type: 'reaction_added',
      user: REP,
      reaction: 'white_check_mark',
      channel: LEADS_CHANNEL,
      ts: lateTs,
    });
    await fake.sendEnvelope('events_api', event);
    await waitFor('the reaction to be kept', () => inboxSize(t as TestBot) === 1);

    await t.restart();
    await waitFor('the new connection', () => fake?.calls('apps.connections.open').length === 2);
    await fake.socketConnected();
    expect(inboxSize(t)).toBe(1);
    t.bot.store.markPosted(post.id, { channel: LEADS_CHANNEL, ts: lateTs, postedAt: Date.now() });
    await waitFor('the kept reaction to count', () => decisionsOf(t as TestBot, post.id).length === 1, {
      timeoutMs: 20_000,
    });
    // Slack's late retry of the same event changes nothing.
    await fake.sendEnvelope('events_api', event, { retryAttempt: 1 });
    await waitFor('the inbox to empty', () => inboxSize(t as TestBot) === 0);
    expect(decisionsOf(t, post.id)).toHaveLength(1);
    expect(t.bot.store.leadById(post.id)?.state).toBe('accepted');
  }, 40_000);
});

describe('Socket Mode: malformed envelopes (a real process)', () => {
  it('are refused unacknowledged, and the bot stays up and handles the next envelope', async () => {
    fake = await FakeSlack.start();
    const dir = tempDir();
    const bot = spawnCli(['start'], testEnv(fake, join(dir.dir, 'db.sqlite'), socketEnv(fake)), dir.dir);
    try {
      const port = await runningPort(bot);
      await fake.socketConnected();
      const reaction = (item: unknown) => ({
        ...reactionEvent({ type: 'reaction_added', user: REP, reaction: 'x', channel: 'C1', ts: '1.2' }),
        event: { type: 'reaction_added', user: REP, reaction: 'x', item, event_ts: '1.3' },
      });
      const malformed: [string, string | undefined][] = [
        ['null', undefined],
        ['[1,2]', undefined],
        ['{"type":"events_api","envelope_id":"bad-1"}', 'bad-1'],
        [
          '{"type":"events_api","envelope_id":"bad-2","payload":{"type":"event_callback","event":null}}',
          'bad-2',
        ],
        [
          JSON.stringify({
            type: 'events_api',
            envelope_id: 'bad-3',
            payload: { type: 'event_callback', event_id: 'Ev1', event: { type: 'ws_message' } },
          }),
          'bad-3',
        ],
        [JSON.stringify({ type: 'events_api', envelope_id: 'bad-4', payload: reaction(null) }), 'bad-4'],
        [JSON.stringify({ type: 'interactive', envelope_id: 'bad-5', payload: { type: null } }), 'bad-5'],
        [JSON.stringify({ type: 'slash_commands', envelope_id: 'bad-6', payload: 'x' }), 'bad-6'],
      ];
      for (const [text, envelopeId] of malformed) {
        expect(await fake.sendRaw(text, { envelopeId, timeoutMs: 300 }), text).toBeUndefined();
      }

      const res = await fetch(`http://127.0.0.1:${port}/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(lead()),
      });
      expect(res.status).toBe(202);
      const posted = await waitFor('the post', () => fake?.messages(LEADS_CHANNEL)[0]);
      const ack = await fake.sendEnvelope(
        'events_api',
        reactionEvent({
          type: 'reaction_added',
          user: REP,
          reaction: 'x',
          channel: LEADS_CHANNEL,
          ts: posted.ts,
        }),
      );
      expect(ack.envelope_id).toMatch(/^env-/);
      await waitFor('the reason prompt', () => fake?.ephemerals().length === 1);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(bot.child.exitCode).toBeNull();
      const output = [...bot.stdout, ...bot.stderr].join('\n');
      expect(output).toContain('Refused a Socket Mode message');
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
      dir.cleanup();
    }
  }, 40_000);
});
