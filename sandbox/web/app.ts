import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';
import { type Clock, systemClock } from '../../src/clock.js';
import { digestCommand } from '../../src/commands/digest.js';
import { asRunConfig, type LogLevel, parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningLeadloop, startLeadloop } from '../../src/main.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { FakeSlack } from '../fake-slack.js';
import { type SeedResult, seedHistory } from './seed.js';
import { type PageServer, startPageServer } from './server.js';
import { Workspace } from './workspace.js';

/**
 * `npm run demo`, as a function tests can start: the real bot (startLeadloop, unchanged) against
 * the fake Slack on loopback, a throwaway database seeded with a month of generated leads, and
 * the sandbox page that shows the workspace and sends every click to the bot as Slack would.
 */

export const DEMO_SIGNING_SECRET = 'demo-signing-secret-0123456789abcdef';
export const DEMO_INGEST_TOKEN = 'demo-ingest-token-0123456789abcdef';
export const DEMO_LEADS_CHANNEL = 'C0DEMOLEADS';
export const DEMO_DIGEST_CHANNELS = ['C0DEMOSALES', 'C0DEMOMKTG1'] as const;

/** The sales reps the page can act as; their ids are the generator's. */
export const DEMO_REPS = [
  { id: 'U0REP0001', name: 'Maya Chen' },
  { id: 'U0REP0002', name: 'Tom Becker' },
  { id: 'U0REP0003', name: 'Priya Nair' },
  { id: 'U0REP0004', name: 'Jonas Berg' },
] as const;

export interface DemoOptions {
  /** The page's port; 0 picks a free one, and a taken one falls back to a free one. */
  port?: number;
  seed?: number;
  /** The bot's clock (tests and the simulation choose the time); the system clock by default. */
  clock?: Clock;
  /** Leads in the seeded month. */
  leads?: number;
  /** Latest seeded leads shown as posts in the leads channel. */
  visible?: number;
  logLevel?: LogLevel;
  /** Where the bot's log lines go (stderr by default). */
  logDestination?: DestinationStream;
  /** Sample leads sent through POST /leads once the bot runs, so the channel shows live posts. */
  liveLeads?: number;
  /** Send last week's digest at start, so the digest channel is not empty. */
  initialDigest?: boolean;
}

export interface RunningDemo {
  /** The sandbox page. */
  url: string;
  /** The bot itself: POST /leads, /slack/events, /healthz. */
  botUrl: string;
  fake: FakeSlack;
  bot: RunningLeadloop;
  /** What the page shows besides the channels: ephemerals, open modals, command answers. */
  workspace: Workspace;
  env: Record<string, string>;
  dir: string;
  seeded: SeedResult;
  /** Ids of the leads sent live at start. */
  liveLeadIds: number[];
  sendDigest(): Promise<string>;
  stop(): Promise<void>;
}

/** Sample leads for the live posts, in the seeded campaigns so their numbers join the month's. */
function liveLeads(campaigns: readonly string[], count: number) {
  const samples = [
    {
      name: 'Ana Silva',
      email: 'ana.silva@acme-logistics.example',
      company: 'Acme Logistics',
      title: 'VP Operations',
      country: 'PT',
      source: 'webinar',
      score: 72,
      notes: 'Asked about pricing for 50 seats',
      url: 'https://crm.example.com/contacts/48213',
    },
    {
      name: 'Ben Okafor',
      email: 'ben@northwind.example',
      company: 'Northwind Traders',
      title: 'Head of Procurement',
      country: 'GB',
      source: 'event',
      score: 55,
    },
    {
      name: 'Chloé Martin',
      email: 'chloe@student.example',
      company: 'University of Lyon',
      title: 'Student',
      country: 'FR',
      source: 'paid-search',
      score: 12,
    },
    {
      name: 'Dev Raman',
      email: 'dev.raman@orion-freight.example',
      company: 'Orion Freight',
      title: 'Fleet Manager',
      country: 'IN',
      source: 'web-form',
      score: 64,
    },
  ];
  return samples.slice(0, count).map((lead, i) => ({
    ...lead,
    externalId: `demo-live-${i + 1}`,
    campaign: campaigns[i % Math.max(1, campaigns.length)] ?? 'Spring webinar',
  }));
}

async function startPage(options: Parameters<typeof startPageServer>[0]): Promise<PageServer> {
  try {
    return await startPageServer(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port === 0) throw error;
    return startPageServer({ ...options, port: 0 });
  }
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const clock = options.clock ?? systemClock;
  // The Web API spec lives beside the repository only on the team's machines; the demo needs none.
  const fake = await FakeSlack.start({ checkSpec: false, now: () => clock.now() });
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-demo-'));
  const cleanup: (() => Promise<void> | void)[] = [
    () => fake.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const env: Record<string, string> = {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: DEMO_SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      LEADS_CHANNEL_ID: DEMO_LEADS_CHANNEL,
      DIGEST_CHANNEL_IDS: DEMO_DIGEST_CHANNELS.join(','),
      PORT: '0',
      INGEST_TOKEN: DEMO_INGEST_TOKEN,
      DATABASE_PATH: join(dir, 'leadloop.db'),
      TIMEZONE: 'UTC',
      LOG_LEVEL: options.logLevel ?? 'warn',
    };
    const config = asRunConfig(parseConfig(env, 'run'));
    const postOptions = {
      acceptEmoji: config.acceptEmojis[0] ?? 'white_check_mark',
      rejectEmoji: config.rejectEmojis[0] ?? 'x',
      reasons: config.rejectReasons,
    };
    for (const rep of DEMO_REPS)
      fake.addUser({
        id: rep.id,
        name: rep.name.split(' ')[0]?.toLowerCase(),
        real_name: rep.name,
        display_name: rep.name,
      });

    const db = openDatabase(config.databasePath);
    let seeded: SeedResult;
    try {
      seeded = seedHistory(new Store(db), fake, {
        seed: options.seed ?? 2026,
        now: clock.now(),
        leads: options.leads ?? 480,
        campaigns: 6,
        reps: DEMO_REPS.length,
        channel: DEMO_LEADS_CHANNEL,
        visible: options.visible ?? 14,
        post: postOptions,
      });
    } finally {
      db.$client.close();
    }

    const logger = createLogger(config.logLevel, options.logDestination);
    const bot = await startLeadloop(config, { logger, clock });
    cleanup.push(() => bot.stop());
    const botUrl = `http://127.0.0.1:${bot.port}`;
    const workspace = new Workspace(fake, { leads: DEMO_LEADS_CHANNEL, digest: DEMO_DIGEST_CHANNELS });
    cleanup.push(() => workspace.close());

    const sendDigest = async () => {
      const out: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk.toString());
          done();
        },
      });
      // The same path as `leadloop digest --send --force`, with the demo's settings.
      const code = await digestCommand(
        ['--send', '--force'],
        { env, cwd: dir, stdout: sink, stderr: sink },
        clock,
      );
      return `${out.join('').trim()}${code === 0 ? '' : ` (exit ${code})`}`;
    };

    const names = new Map<string, string>([
      [DEMO_LEADS_CHANNEL, 'leads'],
      [DEMO_DIGEST_CHANNELS[0], 'sales'],
      [DEMO_DIGEST_CHANNELS[1], 'marketing'],
    ]);
    const page = await startPage({
      fake,
      workspace,
      settings: {
        leadsChannel: DEMO_LEADS_CHANNEL,
        digestChannels: [DEMO_DIGEST_CHANNELS[0]],
        channelNames: names,
        users: DEMO_REPS,
        acceptEmoji: postOptions.acceptEmoji,
        rejectEmoji: postOptions.rejectEmoji,
        visiblePosts: 40,
        botUrl,
      },
      botUrl,
      signingSecret: DEMO_SIGNING_SECRET,
      ingestToken: DEMO_INGEST_TOKEN,
      timeZone: config.timezone,
      clock,
      sendDigest,
      port: options.port ?? 0,
    });
    cleanup.push(() => page.close());

    if (options.initialDigest ?? true) await sendDigest();
    const live = liveLeads(seeded.campaigns, options.liveLeads ?? 3);
    let liveLeadIds: number[] = [];
    if (live.length > 0) {
      const res = await fetch(`${botUrl}/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(live),
      });
      if (res.status !== 202) throw new Error(`POST /leads answered ${res.status}: ${await res.text()}`);
      liveLeadIds = ((await res.json()) as { results: { id: string }[] }).results.map((r) => Number(r.id));
    }

    return {
      url: page.url,
      botUrl,
      fake,
      bot,
      workspace,
      env,
      dir,
      seeded,
      liveLeadIds,
      sendDigest,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
