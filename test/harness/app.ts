import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { postSigned } from '../../sandbox/slack-requests.js';
import type { Clock, Timers } from '../../src/clock.js';
import { asRunConfig, parseConfig, type RunConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type RunningLeadloop, startLeadloop } from '../../src/main.js';
import { waitFor } from './waitFor.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const INGEST_TOKEN = 'test-ingest-token-0123456789abcdef';
export const LEADS_CHANNEL = 'C0LEADS001';
export const DIGEST_CHANNELS = ['C0SALES001', 'C0MKTG0001'];

/** A fresh folder for one test's database, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment a test bot runs with: everything valid, pointed at the fake Slack. */
export function testEnv(fake: FakeSlack, databasePath: string, extra: Record<string, string> = {}) {
  return {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    LEADS_CHANNEL_ID: LEADS_CHANNEL,
    DIGEST_CHANNEL_IDS: DIGEST_CHANNELS.join(','),
    PORT: '0',
    INGEST_TOKEN,
    DATABASE_PATH: databasePath,
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

/** The app logs levels by name; pino's numbers give their order (and older tests pass numbers). */
const LEVEL_RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** Log lines captured from the app's logger, parsed from pino's JSON. */
export class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    for (const text of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(text));
    done();
  }
  /** Messages at `minLevel` or above: a name ('warn') or pino's number (40). */
  messages(minLevel: string | number = 0): string[] {
    const min = typeof minLevel === 'number' ? minLevel : (LEVEL_RANK[minLevel] ?? 0);
    return this.lines.filter((l) => (LEVEL_RANK[l.level] ?? 0) >= min).map((l) => l.msg);
  }
}

export interface TestBot {
  fake: FakeSlack;
  bot: RunningLeadloop;
  config: RunConfig;
  logs: LogCapture;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  databasePath: string;
  /**
   * Sends a payload to /slack/events signed as Slack signs it: events as JSON, interactions
   * (block_actions, view_submission) as a form with a `payload` field.
   */
  slack(payload: { type: string }): Promise<Response>;
  /** POST /leads with the right token unless headers say otherwise. */
  ingest(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Ingests one lead and waits until it is posted: its id and post. */
  postLead(overrides?: Record<string, unknown>): Promise<{ id: number; channel: string; ts: string }>;
  /** Stops the bot (not the fake), as SIGTERM would. */
  stopBot(): Promise<void>;
  /** Starts the bot again on the same database and fake Slack. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real app, over real HTTP on loopback, against a fake Slack Web API, with a temp-file
 * SQLite database. Nothing inside the app is mocked.
 */
export async function startTestBot(
  options: { env?: Record<string, string>; clock?: Clock; timers?: Timers; fake?: FakeSlack } = {},
): Promise<TestBot> {
  const fake = options.fake ?? (await FakeSlack.start());
  const { dir, cleanup } = tempDir();
  const databasePath = join(dir, 'leadloop.db');
  const config = asRunConfig(parseConfig(testEnv(fake, databasePath, options.env), 'run'));
  const logs = new LogCapture();
  const start = () =>
    startLeadloop(config, {
      logger: createLogger('debug', logs),
      clock: options.clock,
      timers: options.timers,
    });
  let bot = await start();
  let stopped = false;
  const harness: TestBot = {
    fake,
    get bot() {
      return bot;
    },
    config,
    logs,
    get baseUrl() {
      return `http://127.0.0.1:${bot.port}`;
    },
    databasePath,
    slack(payload) {
      const url = `${harness.baseUrl}/slack/events`;
      return payload.type === 'event_callback' || payload.type === 'url_verification'
        ? postSigned(url, SIGNING_SECRET, { json: payload })
        : postSigned(url, SIGNING_SECRET, { form: { payload: JSON.stringify(payload) } });
    },
    ingest(body, headers = {}) {
      return fetch(`${harness.baseUrl}/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async postLead(overrides = {}) {
      const res = await harness.ingest(lead(overrides));
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      const id = Number(((await res.json()) as { results: { id: string }[] }).results[0]?.id);
      return waitFor(`lead ${id} to be posted`, () => {
        const row = bot.store.leadById(id);
        return row?.postStatus === 'posted' && row.postChannel && row.postTs
          ? { id, channel: row.postChannel, ts: row.postTs }
          : undefined;
      });
    },
    async stopBot() {
      if (!stopped) await bot.stop();
      stopped = true;
    },
    async restart() {
      await harness.stopBot();
      bot = await start();
      stopped = false;
    },
    async close() {
      await harness.stopBot();
      if (!options.fake) await fake.close();
      cleanup();
    },
  };
  return harness;
}

export function lead(overrides: Record<string, unknown> = {}) {
  return {
    email: 'ana.silva@acme.io',
    name: 'Ana Silva',
    company: 'Acme Logistics',
    title: 'VP Operations',
    campaign: '2026-Q4 Webinar: Freight AI',
    source: 'webinar',
    score: 72,
    ...overrides,
  };
}
