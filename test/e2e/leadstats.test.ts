import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, reactionEvent, slashCommand } from '../../sandbox/slack-requests.js';
import { LEADS_CHANNEL, SIGNING_SECRET, startTestBot, type TestBot } from '../harness/app.js';
import { HOUR, historicalLeads } from '../harness/fixtures.js';
import { waitFor } from '../harness/waitFor.js';

/*
 * /leadstats through the real app: Slack's signed form POST to /slack/events, Bolt's ack as the
 * HTTP answer, and the answer proper through the response_url at the fake Slack.
 *
 * Seeded once:
 * - Spring Webinar, through the real flow: lead A accepted (✅ by ANNA), lead B rejected (❌ by
 *   BOB, no reason yet), lead C pending (posted a moment ago).
 * - Trade Show, loaded as history: posted 3 days ago and rejected by BOB (not_ready) after 1 h;
 *   posted 2 days ago and still pending (over the 24 h SLA).
 * Totals: 5 posted, 1 accepted, 2 rejected, 2 pending.
 */

const ANNA = 'U0REPANNA1';
const BOB = 'U0REPBOB01';
const ASKER = 'U0MARKETER';

let t: TestBot;
let posts: {
  accepted: { id: number; ts: string };
  rejected: { id: number; ts: string };
  pending: { ts: string };
};
let tags = 0;

beforeAll(async () => {
  t = await startTestBot();
  t.fake.addUser({ id: ANNA, name: 'anna', real_name: 'Anna Schmidt', display_name: 'Anna S.' });

  const campaign = 'Spring Webinar';
  const a = await t.postLead({ name: 'Ana Accepted', email: 'a@acme.io', campaign });
  const b = await t.postLead({ name: 'Bo Rejected', email: 'b@acme.io', campaign });
  const c = await t.postLead({ name: 'Cy Pending', email: 'c@acme.io', company: 'Cyberdyne', campaign });
  const react = (user: string, reaction: string, post: { channel: string; ts: string }) =>
    t.slack(reactionEvent({ type: 'reaction_added', user, reaction, channel: post.channel, ts: post.ts }));
  expect((await react(ANNA, 'white_check_mark', a)).status).toBe(200);
  expect((await react(BOB, 'x', b)).status).toBe(200);
  await waitFor('the decisions', () => {
    const states = [a, b].map((p) => t.bot.store.leadById(p.id)?.state);
    return states[0] === 'accepted' && states[1] === 'rejected';
  });

  const now = Date.now();
  t.bot.store.insertHistory(
    historicalLeads([
      {
        name: 'Dee Decided',
        campaign: 'Trade Show',
        source: 'event',
        postedAt: now - 3 * 24 * HOUR,
        decisions: [{ user: BOB, verdict: 'reject', reason: 'not_ready', after: HOUR }],
      },
      {
        name: 'Eve Waiting',
        company: 'Evil <!channel> Corp',
        campaign: 'Trade Show',
        source: 'event',
        postedAt: now - 2 * 24 * HOUR,
      },
    ]),
  );
  posts = { accepted: a, rejected: b, pending: c };
});

afterAll(async () => {
  await t?.close();
});

interface Reply {
  response_type?: string;
  text?: string;
  blocks?: { type: string; text?: { text: string }; elements?: { text: string }[] }[];
  replace_original?: boolean;
}

/** Every text in a message, joined: what a person would read. */
const readable = (reply: Reply) =>
  [
    reply.text ?? '',
    ...(reply.blocks ?? []).flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)]),
  ].join('\n');

/** Sends `/leadstats <text>` exactly as Slack does; returns the HTTP answer and the response_url tag. */
async function leadstats(text: string, user = ASKER) {
  tags += 1;
  const tag = `leadstats-${tags}`;
  const res = await postSigned(`${t.baseUrl}/slack/events`, SIGNING_SECRET, {
    form: slashCommand({ text, user, responseUrl: t.fake.responseUrl(tag) }),
  });
  return { res, body: await res.text(), tag };
}

/** The one answer that arrives at the response_url. */
async function answer(tag: string): Promise<Reply> {
  await waitFor(`the answer at response_url ${tag}`, () => t.fake.responses(tag).length > 0);
  const responses = t.fake.responses(tag);
  expect(responses).toHaveLength(1);
  return responses[0]!.body as Reply;
}

describe('/leadstats over signed HTTP', () => {
  it('answers words it does not understand in the ack itself, ephemeral, with the usage', async () => {
    const { res, body, tag } = await leadstats('fortnight reasons');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const reply = JSON.parse(body) as Reply;
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe('I don\'t understand "fortnight".');
    const text = readable(reply);
    expect(text).toContain(':warning: I don\'t understand "fortnight".');
    expect(text).toContain('Usage: /leadstats [period] [campaign &lt;name&gt;]');

    // Nothing more follows at the response_url: a later query's answer arrives, this one's never does.
    const later = await leadstats('7d');
    await answer(later.tag);
    expect(t.fake.responses(tag)).toEqual([]);
  });

  it('answers a bad period with what was wrong', async () => {
    const { res, body } = await leadstats('2026-02-30..2026-03-01');
    expect(res.status).toBe(200);
    const reply = JSON.parse(body) as Reply;
    expect(reply.response_type).toBe('ephemeral');
    expect(readable(reply)).toContain('"2026-02-30" is not a date.');
  });

  it('answers help in the ack, even next to a mistake', async () => {
    for (const text of ['help', 'HELP', 'help fortnight']) {
      const { res, body } = await leadstats(text);
      expect(res.status).toBe(200);
      const reply = JSON.parse(body) as Reply;
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toBe('How to use /leadstats');
      expect(readable(reply)).toContain('Usage: /leadstats');
      expect(readable(reply)).not.toContain(':warning:');
    }
  });

  it('acks a query with an empty 200 and answers at the response_url, ephemeral, with the campaign table', async () => {
    const { res, body, tag } = await leadstats('');
    expect(res.status).toBe(200);
    expect(body).toBe('');
    const reply = await answer(tag);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/^Lead acceptance · last 30 days \(.*\): 5 posted, acceptance 33%$/);
    const text = readable(reply);
    expect(text).toContain('5 posted · 1 accepted · 2 rejected (1 without a reason) · 2 pending');
    expect(text).toContain('1 over the 24 h SLA');
    expect(text).toMatch(/Campaign\s+Posted\s+Acc\s+Rej\s+Pend\s+Rate/);
    expect(text).toMatch(/Spring Webinar\s+3\s+1\s+1\s+1\s+50%/);
    expect(text).toMatch(/Trade Show\s+2\s+0\s+1\s+1\s+0%/);
  });

  it('share posts the answer in the channel', async () => {
    const { body, tag } = await leadstats('30d share');
    expect(body).toBe('');
    const reply = await answer(tag);
    expect(reply.response_type).toBe('in_channel');
    expect(readable(reply)).toMatch(/Spring Webinar\s+3/);
  });

  it('a campaign that matches nothing is answered at the response_url, with the usage', async () => {
    const { body, tag } = await leadstats('campaign Autumn');
    expect(body).toBe('');
    const reply = await answer(tag);
    expect(reply.response_type).toBe('ephemeral');
    expect(readable(reply)).toContain('No campaign starts with “Autumn”.');
    expect(readable(reply)).toContain('Usage: /leadstats');
  });

  it('campaign narrows the table', async () => {
    const reply = await answer((await leadstats('campaign trade reasons')).tag);
    const text = readable(reply);
    expect(text).toContain('Campaign: Trade Show');
    expect(text).toContain('2 posted · 0 accepted · 1 rejected');
    expect(text).toMatch(/Not ready \/ timing\s+recycle\s+1\s+100%/);
    expect(text).not.toContain('Spring Webinar');
  });

  it('reps shows display names from users.info, and asks for each rep once', async () => {
    const before = t.fake.calls('users.info').length;
    const reply = await answer((await leadstats('reps')).tag);
    expect(reply.response_type).toBe('ephemeral');
    const text = readable(reply);
    expect(text).toMatch(/Anna S\.\s+1\s+1\s+0\s+100%/);
    // BOB is unknown to the fake: it answers with a name derived from the id.
    expect(text).toMatch(/u0repbob01\s+2\s+0\s+2\s+0%/);
    const asked = t.fake
      .calls('users.info')
      .slice(before)
      .map((c) => c.args.user);
    expect(asked.sort()).toEqual([ANNA, BOB].sort());

    await answer((await leadstats('reps share')).tag);
    expect(t.fake.calls('users.info').length).toBe(before + 2);
  });

  it('pending links each lead to its post, oldest (and over the SLA) first', async () => {
    const reply = await answer((await leadstats('pending')).tag);
    const text = readable(reply);
    expect(text).toContain('*2* pending, *1* of them over the 24 h SLA');
    const waiting = t.bot.store.db.$client
      .prepare("SELECT post_ts AS ts FROM leads WHERE name = 'Eve Waiting'")
      .get() as { ts: string };
    const link = (ts: string, label: string) =>
      `<https://leadloop-sandbox.slack.com/archives/${LEADS_CHANNEL}/p${ts.replace('.', '')}|${label}>`;
    expect(text).toContain(
      `:warning: ${link(waiting.ts, 'Eve Waiting')} (Evil &lt;!channel&gt; Corp) · Trade Show`,
    );
    expect(text).toContain(`${link(posts.pending.ts, 'Cy Pending')} (Cyberdyne) · Spring Webinar · waiting`);
    expect(text.indexOf('Eve Waiting')).toBeLessThan(text.indexOf('Cy Pending'));
    expect(text).not.toContain('<!channel>');
  });

  it('counts a retraction at once', async () => {
    await t.slack(
      reactionEvent({
        type: 'reaction_removed',
        user: ANNA,
        reaction: 'white_check_mark',
        channel: LEADS_CHANNEL,
        ts: posts.accepted.ts,
      }),
    );
    await waitFor('the retraction', () => t.bot.store.leadById(posts.accepted.id)?.state === 'pending');
    const text = readable(await answer((await leadstats('campaign spring webinar')).tag));
    expect(text).toMatch(/Spring Webinar\s+3\s+0\s+1\s+2\s+0%/);
    // Put it back for any test that runs after.
    await t.slack(
      reactionEvent({
        type: 'reaction_added',
        user: ANNA,
        reaction: 'white_check_mark',
        channel: LEADS_CHANNEL,
        ts: posts.accepted.ts,
      }),
    );
    await waitFor('the accept again', () => t.bot.store.leadById(posts.accepted.id)?.state === 'accepted');
  });

  it('refuses a request with a bad signature', async () => {
    const res = await postSigned(`${t.baseUrl}/slack/events`, 'not-the-signing-secret', {
      form: slashCommand({ text: '', responseUrl: t.fake.responseUrl('forged') }),
    });
    expect(res.status).toBe(401);
    expect(t.fake.responses('forged')).toEqual([]);
  });
});
