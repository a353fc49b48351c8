import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { blockAction, postSigned, reactionEvent } from '../../sandbox/slack-requests.js';
import { parseLeadBatch } from '../../src/domain/lead.js';
import { ActionId } from '../../src/slack/ids.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { INGEST_TOKEN, LEADS_CHANNEL, lead, SIGNING_SECRET, tempDir, testEnv } from '../harness/app.js';
import { lockFromAnotherProcess } from '../harness/lock.js';
import { type BotProcess, runningPort, spawnCli } from '../harness/process.js';
import { waitFor } from '../harness/waitFor.js';

/**
 * Issue 12's test of "nothing acknowledged lost": a real bot process under mixed load (POST /leads,
 * signed reactions and removals, Accept clicks, sent concurrently) is SIGKILLed at seeded random
 * moments (some while another process holds the write lock) and restarted each time. Slack's retries are played as Slack plays them: whatever got no
 * 2xx is sent again with the same event_id. At the end every 2xx is stored exactly once, nothing
 * answered otherwise is half stored, and no lead is posted twice.
 */

const SEED = 12;
const KILLS = 8;
const POSTED_LEADS = 30;
const REACTORS = 6;
const CLICKERS = 2;
const INGEST_SINGLES = 60;
const INGEST_BATCHES = 12;
const BATCH_SIZE = 3;
const SENDERS = 6;
/** A lead source gives up on an answer after 3 s, as Slack does (a killed bot's sockets close at once). */
const ANSWER_TIMEOUT_MS = 3_000;

type Item =
  | { kind: 'ingest'; key: string; externalIds: string[] }
  | { kind: 'event'; key: string; body: ReturnType<typeof reactionEvent>; next?: Item }
  | { kind: 'click'; key: string; body: ReturnType<typeof blockAction> };

interface Reaction {
  key: string;
  leadId: number;
  user: string;
  reaction: string;
  eventId: string;
  removal?: { key: string; eventId: string };
}

let fake: FakeSlack;
let dir: { dir: string; cleanup: () => void };
let bot: BotProcess | undefined;
beforeEach(async () => {
  fake = await FakeSlack.start();
  dir = tempDir();
});
afterEach(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) {
    bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await fake.close();
  dir.cleanup();
});

/** Lead posts the bot made before the test: in the database and in the channel, as the bot leaves them. */
function seedPostedLeads(dbPath: string): { id: number; ts: string }[] {
  const db = openDatabase(dbPath);
  try {
    const store = new Store(db);
    const parsed = parseLeadBatch(
      Array.from({ length: POSTED_LEADS }, (_, i) =>
        lead({ externalId: `posted-${i}`, name: `Posted ${i}` }),
      ),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const now = Date.now();
    return store.insertLeads(parsed.leads, now - 60_000).map((result, i) => {
      const id = Number(result.id);
      const { ts } = fake.addMessage(LEADS_CHANNEL, { text: `Posted ${i}`, bot_id: 'B0LEADLOOP' });
      store.markPosted(id, { channel: LEADS_CHANNEL, ts, postedAt: now - 50_000 + i });
      return { id, ts };
    });
  } finally {
    db.$client.close();
  }
}

describe('SIGKILL at random moments under mixed load (a real process, restarted each time)', () => {
  it(`every request answered 2xx is stored exactly once, nothing else half stored (seed ${SEED}, ${KILLS} kills, some under an external lock)`, async () => {
    const dbPath = join(dir.dir, 'db.sqlite');
    const env = testEnv(fake, dbPath, { LOG_LEVEL: 'info' });
    const posts = seedPostedLeads(dbPath);

    const reactions: Reaction[] = [];
    const clicks: { key: string; leadId: number; user: string }[] = [];
    const items: Item[] = [];
    posts.forEach((post, p) => {
      for (let u = 0; u < REACTORS; u++) {
        const user = `U0RX${String(u).padStart(5, '0')}`;
        const reaction = (p + u) % 3 === 0 ? 'x' : 'white_check_mark';
        const eventTs = (Date.now() / 1000 - 30).toFixed(6);
        const added = reactionEvent({
          type: 'reaction_added',
          user,
          reaction,
          channel: LEADS_CHANNEL,
          ts: post.ts,
          eventTs,
        });
        const r: Reaction = {
          key: `add-${p}-${u}`,
          leadId: post.id,
          user,
          reaction,
          eventId: added.event_id,
        };
        const item: Item = { kind: 'event', key: r.key, body: added };
        // Some reactions are taken back: the removal is sent once Slack saw its reaction acknowledged.
        if (u === 0) {
          const removed = reactionEvent({
            type: 'reaction_removed',
            user,
            reaction,
            channel: LEADS_CHANNEL,
            ts: post.ts,
            eventTs: (Number(eventTs) + 1).toFixed(6),
          });
          r.removal = { key: `remove-${p}-${u}`, eventId: removed.event_id };
          item.next = { kind: 'event', key: r.removal.key, body: removed };
        }
        reactions.push(r);
        items.push(item);
      }
      for (let c = 0; c < CLICKERS; c++) {
        const user = `U0CK${String(c).padStart(5, '0')}`;
        const key = `click-${p}-${c}`;
        clicks.push({ key, leadId: post.id, user });
        items.push({
          kind: 'click',
          key,
          body: blockAction({
            user,
            actionId: ActionId.accept,
            value: String(post.id),
            channel: LEADS_CHANNEL,
            messageTs: post.ts,
          }),
        });
      }
    });
    for (let i = 0; i < INGEST_SINGLES; i++)
      items.push({ kind: 'ingest', key: `single-${i}`, externalIds: [`single-${i}`] });
    for (let b = 0; b < INGEST_BATCHES; b++) {
      const externalIds = Array.from({ length: BATCH_SIZE }, (_, i) => `batch-${b}-${i}`);
      items.push({ kind: 'ingest', key: `batch-${b}`, externalIds });
    }
    const [queue, killDelays] = fc.sample(
      fc.tuple(
        fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }),
        fc.array(fc.record({ delayMs: fc.integer({ min: 150, max: 1_200 }), locked: fc.boolean() }), {
          minLength: KILLS,
          maxLength: KILLS,
        }),
      ),
      { seed: SEED, numRuns: 1 },
    )[0] as [Item[], { delayMs: number; locked: boolean }[]];

    const started = spawnCli(['start'], env, dir.dir);
    bot = started;
    let port = await runningPort(started);

    const acked = new Set<string>();
    const ingestAnswers = new Map<string, number | 'cut short'>();
    const retries = new Map<string, number>();
    let unanswered = 0;
    let inFlight = 0;
    let killsDone = false;

    /** The status, 'refused' when no bot was listening (nothing was sent), or undefined when cut short. */
    async function deliver(item: Item): Promise<number | 'refused' | undefined> {
      const signal = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
      try {
        let res: Response;
        if (item.kind === 'ingest') {
          res = await fetch(`http://127.0.0.1:${port}/leads`, {
            method: 'POST',
            headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(
              item.externalIds.map((externalId) => lead({ externalId, name: externalId })),
            ),
            signal,
          });
        } else {
          const retry = retries.get(item.key) ?? 0;
          res = await postSigned(
            `http://127.0.0.1:${port}/slack/events`,
            SIGNING_SECRET,
            item.kind === 'event' ? { json: item.body } : { form: { payload: JSON.stringify(item.body) } },
            {
              headers:
                retry > 0 ? { 'x-slack-retry-num': String(retry), 'x-slack-retry-reason': 'http_error' } : {},
            },
          );
        }
        await res.arrayBuffer();
        return res.status;
      } catch (error) {
        if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return 'refused';
        unanswered += 1;
        return undefined;
      }
    }

    async function sender(): Promise<void> {
      for (;;) {
        const item = queue.shift();
        if (!item) {
          if (killsDone && inFlight === 0) return;
          await sleep(20);
          continue;
        }
        inFlight += 1;
        const status = await deliver(item);
        inFlight -= 1;
        if (status === 'refused') {
          // The bot is restarting: nothing reached it, so this is sent again whatever it is.
          queue.unshift(item);
          await sleep(50);
          continue;
        }
        const ok = status !== undefined && status >= 200 && status < 300;
        if (item.kind === 'ingest') {
          // A lead source is not Slack: what it got is what this test holds the bot to.
          ingestAnswers.set(item.key, status ?? 'cut short');
        } else if (ok) {
          acked.add(item.key);
          if (item.kind === 'event' && item.next) queue.push(item.next);
        } else {
          // As Slack does: the same delivery again (same event_id), a little later.
          retries.set(item.key, (retries.get(item.key) ?? 0) + 1);
          setTimeout(() => queue.push(item), 100);
          inFlight += 1;
          setTimeout(() => {
            inFlight -= 1;
          }, 100);
        }
        await sleep(5 + Math.floor(Math.random() * 30));
      }
    }

    async function killer(): Promise<number> {
      let kills = 0;
      for (const { delayMs, locked } of killDelays) {
        // Some kills come while another process (a backup, say) holds the write lock: writes then
        // wait, so whatever a bot acknowledged before writing would be lost with it.
        const lock = locked ? await lockFromAnotherProcess(dbPath, delayMs + 200) : undefined;
        await sleep(delayMs);
        const running = bot as BotProcess;
        running.child.kill('SIGKILL');
        expect((await running.exited).signal).toBe('SIGKILL');
        kills += 1;
        await lock?.released;
        const next = spawnCli(['start'], env, dir.dir);
        bot = next;
        port = await runningPort(next, 30_000);
      }
      killsDone = true;
      return kills;
    }

    const [kills] = await Promise.all([killer(), ...Array.from({ length: SENDERS }, () => sender())]);
    expect(kills).toBe(KILLS);
    // The kills did cut requests short, not only refuse them while down (else this proves nothing).
    expect(unanswered).toBeGreaterThan(0);

    const db = new Database(dbPath, { readonly: true });
    try {
      const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
      // Replays of what the kills left in the inbox (after its grace period, or a retry's wait).
      await waitFor('the inbox to empty', () => count('SELECT count(*) AS n FROM slack_inbox') === 0, {
        timeoutMs: 50_000,
        intervalMs: 200,
      });

      const eventSeen = db.prepare('SELECT count(*) AS n FROM slack_events WHERE event_id = ?');
      for (const r of reactions) {
        expect(acked.has(r.key), r.key).toBe(true);
        expect(
          count(
            "SELECT count(*) AS n FROM decisions WHERE lead_id = ? AND user_id = ? AND reaction = ? AND source = 'reaction'",
            r.leadId,
            r.user,
            r.reaction,
          ),
          `decisions for ${r.key}`,
        ).toBe(1);
        expect((eventSeen.get(r.eventId) as { n: number }).n, r.key).toBe(1);
        if (r.removal) {
          expect(acked.has(r.removal.key), r.removal.key).toBe(true);
          expect((eventSeen.get(r.removal.eventId) as { n: number }).n, r.removal.key).toBe(1);
          expect(
            count(
              'SELECT count(*) AS n FROM decisions WHERE lead_id = ? AND user_id = ? AND retracted_at IS NOT NULL',
              r.leadId,
              r.user,
            ),
            `retraction of ${r.key}`,
          ).toBe(1);
        }
      }
      for (const c of clicks) {
        expect(acked.has(c.key), c.key).toBe(true);
        expect(
          count(
            "SELECT count(*) AS n FROM decisions WHERE lead_id = ? AND user_id = ? AND source = 'button' AND verdict = 'accept'",
            c.leadId,
            c.user,
          ),
          `decisions for ${c.key}`,
        ).toBe(1);
      }
      expect(count('SELECT count(*) AS n FROM decisions')).toBe(reactions.length + clicks.length);

      const stored = db.prepare('SELECT count(*) AS n FROM leads WHERE external_id = ?');
      let answered202 = 0;
      for (const item of items) {
        if (item.kind !== 'ingest') continue;
        const found = item.externalIds.map((id) => (stored.get(id) as { n: number }).n);
        const answer = ingestAnswers.get(item.key);
        if (answer === 202) {
          answered202 += 1;
          expect(found, item.key).toEqual(item.externalIds.map(() => 1));
        } else {
          // Not acknowledged: stored whole (committed just before the kill) or not at all.
          expect(
            found.every((n) => n === found[0]) && (found[0] === 0 || found[0] === 1),
            `${item.key}: ${found}`,
          ).toBe(true);
        }
      }
      expect(answered202).toBeGreaterThan(0);

      // And no lead is in the channel twice, whatever the kills cut in the middle of a send.
      const leadIds = fake
        .messages(LEADS_CHANNEL)
        .flatMap((m) =>
          m.metadata ? [(m.metadata as { event_payload: { lead_id: string } }).event_payload.lead_id] : [],
        );
      expect(new Set(leadIds).size).toBe(leadIds.length);
      console.log(
        `killed ${kills} times: ${unanswered} requests cut short, ${[...retries.values()].reduce((a, b) => a + b, 0)} Slack redeliveries, ` +
          `${acked.size} Slack deliveries acknowledged, ${answered202}/${INGEST_SINGLES + INGEST_BATCHES} ingest requests 202, ${leadIds.length} leads posted`,
      );
    } finally {
      db.close();
    }
    const last = bot as BotProcess;
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
  }, 120_000);
});
