import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asRunConfig, parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startLeadloop } from '../src/main.js';
import { FakeSlack } from './fake-slack.js';

/**
 * `npm run demo`: the real bot, unchanged, against the local Slack sandbox, with a throwaway
 * database. Nothing to configure; nothing leaves this machine.
 */

const INGEST_TOKEN = 'demo-ingest-token-0123456789abcdef';
const LEADS_CHANNEL = 'C0DEMOLEADS';
const SAMPLE_LEADS = [
  {
    externalId: 'demo-1',
    name: 'Ana Silva',
    email: 'ana.silva@acme.io',
    company: 'Acme Logistics',
    title: 'VP Operations',
    campaign: '2026-Q4 Webinar: Freight AI',
    source: 'webinar',
    score: 72,
    notes: 'Asked about pricing for 50 seats',
    url: 'https://crm.example.com/contacts/48213',
  },
  {
    externalId: 'demo-2',
    name: 'Ben Okafor',
    email: 'ben@northwind.example',
    company: 'Northwind Traders',
    title: 'Head of Procurement',
    campaign: 'Trade show: LogiMAT 2026',
    source: 'event',
    score: 55,
  },
  {
    externalId: 'demo-3',
    name: 'Chloé Martin',
    email: 'chloe@student.example',
    company: 'University of Lyon',
    title: 'Student',
    campaign: 'Paid search: freight software',
    source: 'paid-search',
    score: 12,
  },
];

function plain(blocks: unknown): string {
  const header = (blocks as { type: string; text?: { text: string } }[]).find((b) => b.type === 'header');
  return header?.text?.text ?? '';
}

const fake = await FakeSlack.start();
const dir = mkdtempSync(join(tmpdir(), 'leadloop-demo-'));
const env = {
  SLACK_BOT_TOKEN: fake.botToken,
  SLACK_SIGNING_SECRET: 'demo-signing-secret-0123456789',
  SLACK_API_URL: fake.url,
  LEADS_CHANNEL_ID: LEADS_CHANNEL,
  DIGEST_CHANNEL_IDS: 'C0DEMOSALES,C0DEMOMKTG1',
  PORT: process.env.PORT ?? '3000',
  INGEST_TOKEN,
  DATABASE_PATH: join(dir, 'leadloop.db'),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
const config = asRunConfig(parseConfig(env, 'run'));
const bot = await startLeadloop(config, { logger: createLogger(config.logLevel) });
const base = `http://localhost:${bot.port}`;

fake.onCall((call) => {
  if (call.method === 'chat.postMessage' && call.status === 200) {
    console.log(
      `  #leads  ← ${plain(call.args.blocks)}   (chat.postMessage, ts ${(call.response as { ts: string }).ts})`,
    );
  }
});

console.log(`Leadloop demo: the real bot against a local Slack sandbox (${fake.url}).
Database: ${env.DATABASE_PATH} (deleted on exit)

Posting ${SAMPLE_LEADS.length} sample leads through POST ${base}/leads …`);
const res = await fetch(`${base}/leads`, {
  method: 'POST',
  headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify(SAMPLE_LEADS),
});
console.log(`  POST /leads → ${res.status} ${JSON.stringify(await res.json())}`);
console.log(`
Send your own lead from another terminal:

  curl -s ${base}/leads -H 'Authorization: Bearer ${INGEST_TOKEN}' \\
    -H 'Content-Type: application/json' \\
    -d '{"name":"Dana Lee","company":"Globex","campaign":"Spring webinar","email":"dana@globex.example"}'

Health: curl -s ${base}/healthz
Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await bot.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  console.log('Demo stopped.');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
