import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../sandbox/fake-slack.js';
import { IN_DOUBT_TIMING } from '../../src/domain/inDoubt.js';
import { DIGEST_EVENT_TYPE } from '../../src/jobs/digest.js';
import { DIGEST_CHANNELS, startTestBot, type TestBot, tempDir } from '../harness/app.js';
import { spawnCli } from '../harness/process.js';
import { VirtualTime } from '../harness/virtualTime.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * `leadloop digest --send` killed (SIGKILL, a real child process) while its first send is in
 * flight, then the bot started on the same database: the interrupted send is resolved within
 * minutes (virtual time for the bot), and the digest is in the channel exactly once.
 */
const [SALES] = DIGEST_CHANNELS as [string, string];

let t: TestBot | undefined;
let scratch: { dir: string; cleanup: () => void } | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  scratch?.cleanup();
  scratch = undefined;
});

const cases: [string, Fault, number][] = [
  // Slack stores the post at once; its answer never comes back before the kill.
  ['after Slack got it', { delayMs: 60_000 }, 1],
  // Slack never acts on it.
  ['before Slack got it', { status: 500, delayMs: 60_000 }, 0],
];

describe('a digest send killed mid-way', () => {
  it.each(cases)(
    '%s: in the channel once, within minutes of the restart',
    async (_when, fault, postedAtKill) => {
      const time = new VirtualTime(Date.now());
      t = await startTestBot({ clock: time, timers: time });
      const bot = t;
      await bot.stopBot();
      scratch = tempDir();
      bot.fake.fail('chat.postMessage', fault);
      const cli = spawnCli(
        ['digest', '--send'],
        {
          SLACK_BOT_TOKEN: bot.fake.botToken,
          SLACK_SIGNING_SECRET: 'cli-signing-secret-0123456789',
          SLACK_API_URL: bot.fake.url,
          LEADS_CHANNEL_ID: bot.config.leadsChannelId,
          DIGEST_CHANNEL_IDS: SALES,
          DATABASE_PATH: bot.databasePath,
        },
        scratch.dir,
      );
      await waitFor('the send to reach Slack', () => bot.fake.calls('chat.postMessage').length === 1, {
        timeoutMs: 20_000,
      });
      cli.child.kill('SIGKILL');
      expect((await cli.exited).signal).toBe('SIGKILL');
      bot.fake.clearFaults();
      const digests = () =>
        bot.fake
          .messages(SALES)
          .filter(
            (m) => (m.metadata as { event_type?: string } | undefined)?.event_type === DIGEST_EVENT_TYPE,
          );
      expect(digests()).toHaveLength(postedAtKill);

      // The bot's clock catches up with the real one (the CLI's), and it starts again.
      await time.advance(Date.now() - time.now());
      await bot.restart();
      const status = () =>
        bot.bot.store.db.$client.prepare('SELECT status FROM digest_sends WHERE channel = ?').get(SALES) as
          | { status: string }
          | undefined;
      expect(status()?.status).toBe('sending');
      await time.advance(IN_DOUBT_TIMING.settleMs);
      await waitFor('the interrupted send to be resolved', () => status()?.status === 'sent');
      expect(digests()).toHaveLength(1);
      // Sent again only if the killed send never reached Slack.
      expect(bot.fake.calls('chat.postMessage')).toHaveLength(2 - postedAtKill);
    },
  );
});
