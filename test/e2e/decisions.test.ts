import { afterEach, describe, expect, it } from 'vitest';
import { blockAction, reactionEvent, viewSubmission } from '../../sandbox/slack-requests.js';
import { ActionId, BlockId, CallbackId } from '../../src/slack/ids.js';
import { startTestBot, type TestBot } from '../harness/app.js';
import { waitFor } from '../harness/waitFor.js';

const REP = 'U0REPANNA1';
const REP2 = 'U0REPBOB01';
const OUTSIDER = 'U0MARKETER';

let t: TestBot;
afterEach(async () => {
  await t?.close();
});

function decisionsOf(leadId: number) {
  return t.bot.store.db.$client
    .prepare(
      'SELECT user_id, verdict, source, reaction, reason, note, retracted_at FROM decisions WHERE lead_id = ? ORDER BY id',
    )
    .all(leadId) as {
    user_id: string;
    verdict: string;
    source: string;
    reaction: string | null;
    reason: string | null;
    note: string | null;
    retracted_at: number | null;
  }[];
}

const stateOf = (leadId: number) => t.bot.store.leadById(leadId)?.state;

/** The blocks of the latest chat.update of this post, once the post shows the lead's latest version. */
async function renderedPost(leadId: number, ts: string): Promise<string> {
  await waitFor('the post to catch up with the decisions', () => {
    const row = t.bot.store.leadById(leadId);
    return row !== undefined && row.postRenderedVersion === row.postVersion && row.postVersion > 0;
  });
  const updates = t.fake.calls('chat.update').filter((c) => c.args.ts === ts && c.status === 200);
  return JSON.stringify(updates.at(-1)?.args.blocks ?? []);
}

function react(
  type: 'reaction_added' | 'reaction_removed',
  user: string,
  reaction: string,
  post: { channel: string; ts: string },
  eventId?: string,
) {
  return t.slack(reactionEvent({ type, user, reaction, channel: post.channel, ts: post.ts, eventId }));
}

function submitReason(user: string, metadata: unknown, reason: string | undefined, note?: string) {
  return t.slack(
    viewSubmission({
      user,
      callbackId: CallbackId.rejectModal,
      privateMetadata: JSON.stringify(metadata),
      values: {
        [BlockId.modalReason]: {
          [ActionId.modalReason]: {
            type: 'static_select',
            selected_option: reason ? { value: reason } : null,
          },
        },
        [BlockId.modalNote]: { [ActionId.modalNote]: { type: 'plain_text_input', value: note ?? null } },
      },
    }),
  );
}

describe('decisions by reaction', () => {
  it('✅ accepts, and the post shows who accepted and how long it took', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    expect((await react('reaction_added', REP, 'white_check_mark', post)).status).toBe(200);
    await waitFor('the accept', () => stateOf(post.id) === 'accepted');
    expect(decisionsOf(post.id)).toEqual([
      expect.objectContaining({
        user_id: REP,
        verdict: 'accept',
        source: 'reaction',
        reaction: 'white_check_mark',
      }),
    ]);
    const blocks = await renderedPost(post.id, post.ts);
    expect(blocks).toContain(`*Accepted* by <@${REP}>`);
    expect(blocks).toContain('first decision');
    expect(blocks).toContain(ActionId.reject); // buttons stay, to change one's mind
    expect(t.fake.specViolations()).toEqual([]);
  });

  it('❌ rejects and asks that rep for a reason in an ephemeral prompt; the chosen reason attaches', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    await react('reaction_added', REP, 'x', post);
    await waitFor('the prompt', () => t.fake.ephemerals().length === 1);
    const prompt = t.fake.ephemerals()[0]!;
    expect(prompt).toMatchObject({ channel: post.channel, user: REP });
    expect(JSON.stringify(prompt.blocks)).toContain(ActionId.promptReason);
    expect(stateOf(post.id)).toBe('rejected');
    expect(await renderedPost(post.id, post.ts)).toContain('No reason given yet');

    const blockId = (prompt.blocks as { type: string; block_id?: string }[]).find(
      (b) => b.type === 'actions',
    )?.block_id;
    const res = await t.slack(
      blockAction({
        user: REP,
        actionId: ActionId.promptReason,
        blockId,
        selected: 'no_budget',
        channel: post.channel,
        container: 'ephemeral',
        responseUrl: t.fake.responseUrl('prompt-1'),
      }),
    );
    expect(res.status).toBe(200);
    await waitFor('the reason', () => decisionsOf(post.id)[0]?.reason === 'no_budget');
    await waitFor('the prompt to be answered', () => t.fake.responses('prompt-1').length === 1);
    expect(t.fake.responses('prompt-1')[0]?.body).toMatchObject({ replace_original: true });
    const blocks = await renderedPost(post.id, post.ts);
    expect(blocks).toContain('*Reason:* No budget (recycle)');
  });

  it('falls back to a DM when the ephemeral prompt cannot be shown', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    t.fake.fail('chat.postEphemeral', { error: 'user_not_in_channel' });
    await react('reaction_added', REP, 'no_entry_sign', post);
    await waitFor('the DM', () => t.fake.calls('chat.postMessage').some((c) => c.args.channel === `D${REP}`));
    expect(t.fake.calls('conversations.open')[0]?.args.users).toBe(REP);
    const dm = t.fake.messages(`D${REP}`)[0];
    expect(JSON.stringify(dm?.blocks)).toContain(ActionId.promptReason);
    expect(stateOf(post.id)).toBe('rejected');
  });

  it('removing the reaction retracts the decision and the post goes back to pending', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    await react('reaction_added', REP, 'white_check_mark', post);
    await waitFor('the accept', () => stateOf(post.id) === 'accepted');
    await react('reaction_removed', REP, 'white_check_mark', post);
    await waitFor('the retraction', () => stateOf(post.id) === 'pending');
    expect(decisionsOf(post.id)).toEqual([
      expect.objectContaining({ verdict: 'accept', retracted_at: expect.any(Number) }),
    ]);
    const blocks = await renderedPost(post.id, post.ts);
    expect(blocks).toContain('Pending');
    expect(blocks).not.toContain('Accepted');
  });

  it('the same event delivered three times is one decision', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const event = reactionEvent({
      type: 'reaction_added',
      user: REP,
      reaction: 'white_check_mark',
      channel: post.channel,
      ts: post.ts,
    });
    for (const retry of [0, 1, 2]) {
      const res = await t.slack(event);
      expect(res.status).toBe(200);
      void retry;
    }
    await waitFor('the accept', () => stateOf(post.id) === 'accepted');
    // Let any late handler finish before counting.
    await waitFor(
      'all three deliveries to be handled',
      () =>
        (t.bot.store.db.$client.prepare('SELECT count(*) AS n FROM slack_events').get() as { n: number })
          .n === 1,
    );
    expect(decisionsOf(post.id)).toHaveLength(1);
  });

  it('ignores reactions on messages that are not lead posts, other emojis, and the bot itself', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const other = t.fake.addMessage(post.channel, { text: 'lunch?' });
    await react('reaction_added', REP, 'white_check_mark', { channel: post.channel, ts: other.ts });
    await react('reaction_added', REP, 'tada', post);
    await react('reaction_added', t.fake.botUserId, 'white_check_mark', post);
    // A decision that does count, sent last: once it is in, the others have been handled.
    await react('reaction_added', REP2, 'x', post);
    await waitFor('the real decision', () => decisionsOf(post.id).length === 1);
    expect(decisionsOf(post.id)[0]?.user_id).toBe(REP2);
    expect(t.bot.store.db.$client.prepare('SELECT count(*) AS n FROM decisions').get()).toEqual({ n: 1 });
  });
});

describe('decisions by button', () => {
  it('Accept records at once, and a double click is one decision', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const click = () =>
      t.slack(
        blockAction({
          user: REP,
          actionId: ActionId.accept,
          value: String(post.id),
          channel: post.channel,
          messageTs: post.ts,
        }),
      );
    const [a, b] = await Promise.all([click(), click()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await waitFor('the accept', () => stateOf(post.id) === 'accepted');
    await click();
    expect(decisionsOf(post.id)).toEqual([expect.objectContaining({ verdict: 'accept', source: 'button' })]);
    expect(await renderedPost(post.id, post.ts)).toContain(`*Accepted* by <@${REP}>`);
  });

  it('Reject opens the reason modal; a valid submission rejects with the reason and note', async () => {
    t = await startTestBot();
    const post = await t.postLead({ name: 'Ana <!channel> Silva' });
    await t.slack(
      blockAction({
        user: REP,
        actionId: ActionId.reject,
        value: String(post.id),
        channel: post.channel,
        messageTs: post.ts,
        triggerId: 'trig-1',
      }),
    );
    const [open] = await t.fake.waitForCalls('views.open', 1);
    expect(open?.args.trigger_id).toBe('trig-1');
    const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).toBe(CallbackId.rejectModal);
    expect(JSON.stringify(view.blocks)).toContain('Disqualify');
    expect(JSON.stringify(view.blocks)).toContain('Recycle');
    expect(JSON.stringify(view.blocks)).not.toContain('<!channel>');
    expect(stateOf(post.id)).toBe('pending'); // nothing until submitted

    const res = await submitReason(
      REP,
      JSON.parse(view.private_metadata),
      'bad_fit',
      'Freight forwarder, 3 staff',
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(decisionsOf(post.id)).toEqual([
      expect.objectContaining({
        verdict: 'reject',
        source: 'button',
        reason: 'bad_fit',
        note: 'Freight forwarder, 3 staff',
      }),
    ]);
    const blocks = await renderedPost(post.id, post.ts);
    expect(blocks).toContain('*Reason:* Bad fit / not our ICP (disqualify)');
    expect(blocks).toContain('*Note:* Freight forwarder, 3 staff');
  });

  it('the modal shows problems in place: a missing reason, and "Other" without a note', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const metadata = { leadId: post.id, via: 'button' };
    const missing = await submitReason(REP, metadata, undefined);
    expect(await missing.json()).toEqual({
      response_action: 'errors',
      errors: { [BlockId.modalReason]: 'Choose a reason.' },
    });
    const other = await submitReason(REP, metadata, 'other', '   ');
    expect(await other.json()).toEqual({
      response_action: 'errors',
      errors: { [BlockId.modalNote]: expect.stringContaining('A note is required') },
    });
    const stale = await t.slack(
      viewSubmission({
        user: REP,
        callbackId: CallbackId.rejectModal,
        privateMetadata: '{not json',
        values: {},
      }),
    );
    expect(((await stale.json()) as { response_action: string }).response_action).toBe('errors');
    expect(decisionsOf(post.id)).toEqual([]);
    const ok = await submitReason(REP, metadata, 'other', 'Wants a job, not software');
    expect(ok.status).toBe(200);
    expect(decisionsOf(post.id)[0]).toMatchObject({ reason: 'other', note: 'Wants a job, not software' });
  });

  it('"Add a note…" in the prompt opens the modal, whose reason attaches to the standing reject and clears the prompt', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    await react('reaction_added', REP, 'x', post);
    await waitFor('the prompt', () => t.fake.ephemerals().length === 1);
    await t.slack(
      blockAction({
        user: REP,
        actionId: ActionId.promptNote,
        value: String(post.id),
        channel: post.channel,
        container: 'ephemeral',
        responseUrl: t.fake.responseUrl('prompt-2'),
      }),
    );
    const [open] = await t.fake.waitForCalls('views.open', 1);
    const metadata = JSON.parse((open!.args.view as { private_metadata: string }).private_metadata);
    expect(metadata).toMatchObject({
      leadId: post.id,
      via: 'prompt',
      responseUrl: t.fake.responseUrl('prompt-2'),
    });
    expect((await submitReason(REP, metadata, 'student', 'Thesis project')).status).toBe(200);
    expect(decisionsOf(post.id)).toEqual([
      expect.objectContaining({
        verdict: 'reject',
        source: 'reaction',
        reason: 'student',
        note: 'Thesis project',
      }),
    ]);
    await waitFor(
      'the prompt to be removed',
      () => t.fake.responses('prompt-2')[0]?.body.delete_original === true,
    );
  });
});

describe('several reps', () => {
  it('the latest standing decision wins and both stay in the history', async () => {
    t = await startTestBot();
    const post = await t.postLead();
    const now = Date.now() / 1000;
    await t.slack(
      reactionEvent({
        type: 'reaction_added',
        user: REP,
        reaction: 'white_check_mark',
        channel: post.channel,
        ts: post.ts,
        eventTs: (now - 60).toFixed(6),
      }),
    );
    await waitFor('the accept', () => stateOf(post.id) === 'accepted');
    await t.slack(
      blockAction({ user: REP2, actionId: ActionId.reject, value: String(post.id), channel: post.channel }),
    );
    await t.fake.waitForCalls('views.open', 1);
    await submitReason(REP2, { leadId: post.id, via: 'button' }, 'duplicate');
    expect(stateOf(post.id)).toBe('rejected');
    expect(decisionsOf(post.id).map((d) => [d.user_id, d.verdict])).toEqual([
      [REP, 'accept'],
      [REP2, 'reject'],
    ]);
    const blocks = await renderedPost(post.id, post.ts);
    expect(blocks).toContain(`*Rejected* by <@${REP2}>`);
    expect(blocks).toContain(`Also: <@${REP}> accepted`);

    // The rejecting rep changes their mind: the accept stands again.
    await t.slack(
      blockAction({ user: REP2, actionId: ActionId.accept, value: String(post.id), channel: post.channel }),
    );
    await waitFor('the change of mind', () => stateOf(post.id) === 'accepted');
    expect(decisionsOf(post.id)).toHaveLength(3);
  });
});

describe('with SALES_USER_IDS set', () => {
  it('records nothing from others, and tells them why once per lead', async () => {
    t = await startTestBot({ env: { SALES_USER_IDS: `${REP},${REP2}` } });
    const post = await t.postLead();
    await react('reaction_added', OUTSIDER, 'white_check_mark', post);
    await waitFor('the notice', () => t.fake.ephemerals().length === 1);
    expect(t.fake.ephemerals()[0]).toMatchObject({ user: OUTSIDER, channel: post.channel });
    expect(t.fake.ephemerals()[0]?.text).toContain('SALES_USER_IDS');
    await t.slack(
      blockAction({
        user: OUTSIDER,
        actionId: ActionId.accept,
        value: String(post.id),
        channel: post.channel,
      }),
    );
    await react('reaction_added', REP, 'white_check_mark', post);
    await waitFor('the sales decision', () => stateOf(post.id) === 'accepted');
    expect(decisionsOf(post.id).map((d) => d.user_id)).toEqual([REP]);
    expect(t.fake.ephemerals()).toHaveLength(1);
  });
});
