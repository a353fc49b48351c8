import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { DIGEST_EVENT_TYPE } from '../../src/jobs/digest.js';
import { DIGEST_CHANNELS, startTestBot, type TestBot, tempDir } from '../harness/app.js';
import { type CliRun, runLeadloop } from '../harness/cli.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * The weekly digest end to end: the real app against the fake Slack, with a clock the test moves.
 * Berlin time; the week of 2026-11-16 (W47) and the week before (W46).
 */

const ZONE = 'Europe/Berlin';
const MON_W48_0800 = Date.parse('2026-11-23T07:00:00Z'); // Monday 08:00 in Berlin, before the 09:00 run
const MON_W48_1000 = Date.parse('2026-11-23T09:00:00Z'); // Monday 10:00, after it
const [SALES, MARKETING] = DIGEST_CHANNELS as [string, string];

let t: TestBot | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function movableClock(start: number) {
  let now = start;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

/** Leads posted in W47 (and W46), decided, so the digest has numbers. */
function seed(bot: TestBot) {
  const at = (iso: string) => Date.parse(iso);
  const items = [
    { campaign: 'Webinar A', posted: '2026-11-17T10:00:00Z', verdict: 'accept' as const },
    { campaign: 'Webinar A', posted: '2026-11-18T10:00:00Z', verdict: 'reject' as const, reason: 'bad_fit' },
    { campaign: 'Trade show', posted: '2026-11-19T10:00:00Z', verdict: 'reject' as const, reason: 'student' },
    { campaign: 'Webinar A', posted: '2026-11-10T10:00:00Z', verdict: 'accept' as const },
    { campaign: 'Trade show', posted: '2026-11-20T10:00:00Z' },
  ];
  bot.bot.store.insertHistory(
    items.map((item, i) => ({
      lead: { name: `Lead ${i}`, email: `lead${i}@acme.io`, campaign: item.campaign },
      receivedAt: at(item.posted) - 1000,
      postedAt: at(item.posted),
      channel: bot.config.leadsChannelId,
      ts: `${at(item.posted) / 1000}.00000${i}`,
      decisions: item.verdict
        ? [
            {
              userId: 'U0REPANNA1',
              verdict: item.verdict,
              reason: item.reason,
              decidedAt: at(item.posted) + 3_600_000,
            },
          ]
        : [],
    })),
  );
}

const digestPosts = (fake: FakeSlack) =>
  fake
    .calls('chat.postMessage')
    .filter(
      (c) =>
        (c.response as { ok?: boolean } | undefined)?.ok === true &&
        (c.args.metadata as { event_type?: string } | undefined)?.event_type === DIGEST_EVENT_TYPE,
    );

describe('the weekly digest', () => {
  it('after downtime over the scheduled time, sends the missed week once on start (and never again)', async () => {
    const clock = movableClock(MON_W48_0800 - 7 * 24 * 3_600_000);
    t = await startTestBot({ clock, env: { TIMEZONE: ZONE } });
    seed(t);
    await t.stopBot();
    // Down over Monday 09:00; back at 10:00.
    clock.set(MON_W48_1000);
    await t.restart();
    await waitFor('both digests', () => digestPosts(t!.fake).length === 2);
    const posts = digestPosts(t.fake);
    expect(posts.map((p) => p.args.channel).sort()).toEqual([SALES, MARKETING].sort());
    expect((posts[0]!.args.metadata as { event_payload: { week: string } }).event_payload.week).toBe(
      '2026-W47',
    );
    expect(JSON.stringify(posts[0]!.args.blocks)).toContain('Webinar A');
    await waitFor('the charts', () => t!.fake.files().length === 2);
    expect(t.fake.files()[0]!.bytes.subarray(1, 4).toString()).toBe('PNG');

    // Another restart: nothing was missed, nothing is sent.
    await t.restart();
    await t.bot.stop();
    expect(digestPosts(t.fake)).toHaveLength(2);
    expect(t.fake.specViolations()).toEqual([]);
  });

  it('sends nothing on a first start after the scheduled time (nothing was missed yet)', async () => {
    const clock = movableClock(MON_W48_1000);
    t = await startTestBot({ clock, env: { TIMEZONE: ZONE } });
    seed(t);
    await t.restart();
    expect(digestPosts(t.fake)).toHaveLength(0);
  });

  it('a cron that fires every second sends one digest per week and channel', async () => {
    t = await startTestBot({
      clock: movableClock(MON_W48_1000),
      env: { TIMEZONE: ZONE, DIGEST_CRON: '* * * * * *' },
    });
    seed(t);
    await waitFor('both digests', () => digestPosts(t!.fake).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(digestPosts(t.fake)).toHaveLength(2);
  });

  it('one channel failing does not stop the other; the retry sends only the failed one', () =>
    withSeededBot(async ({ fake, cli }) => {
      // The first digest channel (sales) refuses: the bot is not in it.
      fake.fail('chat.postMessage', { error: 'not_in_channel' });
      // The CLI uses the real clock: ask for the week explicitly.
      const first = await cli('digest', '--send', '--week', '2026-W47');
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(/failed \(not_in_channel\)/);
      expect(digestPosts(fake)).toHaveLength(1);

      const second = await cli('digest', '--send', '--week', '2026-W47');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/already had this digest/);
      expect(second.stdout).toMatch(/sent with its chart/);
      expect(
        digestPosts(fake)
          .map((p) => p.args.channel)
          .sort(),
      ).toEqual([SALES, MARKETING].sort());
    }));

  it('an interrupted send found in the channel history is not sent again', () =>
    withSeededBot(async ({ fake, bot, cli }) => {
      // A send that started 20 minutes ago and never recorded its outcome, but reached Slack.
      const db = bot.bot.store.db.$client;
      const startedAt = interruptedSend(bot);
      // Slack stored it a moment after the send began.
      fake.addMessage(SALES, {
        ts: ((startedAt + 400) / 1000).toFixed(6),
        text: 'digest',
        bot_id: fake.botId,
        metadata: { event_type: DIGEST_EVENT_TYPE, event_payload: { week: '2026-W47' } },
      });
      expect((await cli('digest', '--send', '--week', '2026-W47')).code).toBe(0);
      expect(digestPosts(fake).map((p) => p.args.channel)).toEqual([MARKETING]);
      expect(db.prepare('SELECT status FROM digest_sends WHERE channel = ?').get(SALES)).toEqual({
        status: 'sent',
      });
    }));

  it('an interrupted send that never reached Slack is sent once on the next run', () =>
    withSeededBot(async ({ fake, bot, cli }) => {
      interruptedSend(bot);
      expect((await cli('digest', '--send', '--week', '2026-W47')).code).toBe(0);
      expect((await cli('digest', '--send', '--week', '2026-W47')).code).toBe(0);
      expect(fake.calls('conversations.history').length).toBeGreaterThanOrEqual(1);
      expect(
        digestPosts(fake)
          .map((p) => p.args.channel)
          .sort(),
      ).toEqual([SALES, MARKETING].sort());
    }));

  it('the upload failing still leaves the text digest sent', () =>
    withSeededBot(async ({ fake, cli }) => {
      fake.fail('files.getUploadURLExternal', { error: 'internal_error', times: 2 });
      const run = await cli('digest', '--send', '--week', '2026-W47');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/sent \(without the chart\)/);
      expect(digestPosts(fake)).toHaveLength(2);
    }));

  it('--dry-run prints the digest and writes the chart PNG, with no Slack settings at all', () =>
    withSeededBot(async ({ fake, bot, dir }) => {
      const env = { DATABASE_PATH: bot.databasePath, TIMEZONE: ZONE };
      const run = await runLeadloop(['digest', '--dry-run', '--week', '2026-W47'], env, dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Webinar A');
      const png = join(dir, 'leadloop-digest-2026-W47.png');
      expect(run.stdout).toContain(png);
      expect(existsSync(png)).toBe(true);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
      expect(digestPosts(fake)).toHaveLength(0);
    }));
});

/**
 * A bot on a fake Slack of its own, at Monday 10:00 of W48 with W46 and W47 seeded, and
 * `leadloop <argv>` run against the same fake Slack and database from a scratch folder; all torn
 * down after `body`.
 */
async function withSeededBot(
  body: (ctx: {
    fake: FakeSlack;
    bot: TestBot;
    dir: string;
    cli: (...argv: string[]) => Promise<CliRun>;
  }) => Promise<void>,
): Promise<void> {
  const fake = await FakeSlack.start();
  const dir = tempDir();
  try {
    const bot = await startTestBot({ fake, clock: movableClock(MON_W48_1000), env: { TIMEZONE: ZONE } });
    t = bot;
    seed(bot);
    await body({
      fake,
      bot,
      dir: dir.dir,
      cli: (...argv) => runLeadloop(argv, { ...cliEnv(bot), TIMEZONE: ZONE }, dir.dir),
    });
  } finally {
    await t?.close();
    t = undefined;
    await fake.close();
    dir.cleanup();
  }
}

/** The sales channel's send of W47 claimed 20 minutes ago, its outcome never recorded. */
function interruptedSend(bot: TestBot): number {
  const startedAt = MON_W48_1000 - 20 * 60_000;
  bot.bot.store.db.$client
    .prepare(
      "INSERT INTO digest_sends (week, channel, status, attempts, started_at) VALUES ('2026-W47', ?, 'sending', 1, ?)",
    )
    .run(SALES, startedAt);
  return startedAt;
}

/** The env a CLI run needs to reach the test bot's fake Slack and database. */
function cliEnv(bot: TestBot): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: bot.fake.botToken,
    SLACK_SIGNING_SECRET: 'cli-signing-secret-0123456789',
    SLACK_API_URL: bot.fake.url,
    LEADS_CHANNEL_ID: bot.config.leadsChannelId,
    DIGEST_CHANNEL_IDS: DIGEST_CHANNELS.join(','),
    DATABASE_PATH: bot.databasePath,
  };
}
