import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reactionEvent } from '../../sandbox/slack-requests.js';
import { startTestBot, type TestBot } from '../harness/app.js';
import { expectFullDiskRefusals } from '../harness/fullDisk.js';
import { mountTmpfs, type SmallDisk, tmpfsProbe } from '../harness/tmpfs.js';
import { waitFor } from '../harness/waitFor.js';

/*
 * The disk itself full, not a page limit (test/e2e/durable.test.ts simulates that one everywhere):
 * the database on a small tmpfs whose every free byte another file takes. Mounting needs root; a
 * machine that does not allow it says why in this suite's name, and the simulated test still runs.
 */

const DISK_BYTES = 8 * 1024 * 1024;
const REP = 'U0REPANNA1';

let disk: SmallDisk | undefined;
let t: TestBot | undefined;
beforeEach(() => {
  if (tmpfsProbe.ok) disk = mountTmpfs(DISK_BYTES);
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  disk?.unmount();
  disk = undefined;
});

describe.runIf(tmpfsProbe.ok)(
  `a real full disk (the database on an 8 MiB tmpfs)${tmpfsProbe.ok ? '' : `: cannot run here, ${tmpfsProbe.reason}`}`,
  () => {
    it('POST /leads, Slack and /healthz answer 503 while it is full, nothing is half stored, and once space is freed the retries are stored once', async () => {
      const small = disk as SmallDisk;
      t = await startTestBot({ env: { DATABASE_PATH: join(small.dir, 'leadloop.db') } });
      const bot = t;
      const post = await bot.postLead();
      const client = bot.bot.store.db.$client;
      const count = (sql: string, ...args: unknown[]) =>
        (client.prepare(sql).get(...args) as { n: number }).n;
      const leadsBefore = count('SELECT count(*) AS n FROM leads');
      expect(small.fill()).toBeGreaterThan(0);

      const many = await expectFullDiskRefusals(bot);
      const event = reactionEvent({
        type: 'reaction_added',
        user: REP,
        reaction: 'white_check_mark',
        channel: post.channel,
        ts: post.ts,
      });
      const reaction = await bot.slack(event);
      // A small write may still fit in the write-ahead log's pages; what was acknowledged is
      // stored, and what could not be stored was not acknowledged.
      expect([200, 503]).toContain(reaction.status);
      if (reaction.status === 503) expect(count('SELECT count(*) AS n FROM decisions')).toBe(0);
      expect(count('SELECT count(*) AS n FROM leads')).toBe(leadsBefore);

      small.free();
      // The lead source and Slack send again what got no 2xx; Slack with the same event_id.
      expect((await bot.ingest(many)).status).toBe(202);
      expect((await bot.slack(event)).status).toBe(200);
      await waitFor('the decision', () => count('SELECT count(*) AS n FROM decisions') === 1);
      await waitFor('the inbox to empty', () => count('SELECT count(*) AS n FROM slack_inbox') === 0);
      expect(count('SELECT count(*) AS n FROM decisions')).toBe(1);
      expect(count("SELECT count(*) AS n FROM leads WHERE external_id LIKE 'full-%'")).toBe(300);
      expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
    }, 30_000);
  },
);
