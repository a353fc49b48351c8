import { parseArgs } from 'node:util';
import { unsupportedNode } from '../src/version.js';
import { runSimulation } from './simulate.js';
import { startDemo } from './web/app.js';

/**
 * `npm run demo`: the real bot, unchanged, against the local Slack sandbox, with a throwaway
 * database and a web page that shows the workspace. `npm run demo -- --simulate` plays a week of
 * rep behaviour instead and prints the digest. Nothing to configure; nothing leaves this machine.
 */

const HELP = `npm run demo [-- --port 3000] [--seed 2026]
npm run demo -- --simulate [--seed 7]

  (no option)   start the real bot against a local Slack sandbox, with a month of generated
                leads, and print the address of a web page that shows the workspace: the leads
                channel (click ✅ / ❌, Accept / Reject), /leadstats, the digest, a new-lead form
  --simulate    play a week of sales reps' decisions against the sandbox in a few seconds and
                print that week's digest, as the bot posts it
  --port        the page's port (default: DEMO_PORT, then PORT, then 3000; a taken port falls
                back to a free one)
  --seed        another seed gives other (equally realistic) generated leads
  --help        this text`;

const oldNode = unsupportedNode();
if (oldNode !== undefined) {
  process.stderr.write(`${oldNode}\n`);
  process.exit(1);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}\n`);
  process.exit(2);
}

let values: { help?: boolean; simulate?: boolean; port?: string; seed?: string };
try {
  ({ values } = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h' },
      simulate: { type: 'boolean' },
      port: { type: 'string' },
      seed: { type: 'string' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}

if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const seedText = values.seed;
const seed = seedText === undefined ? undefined : Number(seedText);
if (seed !== undefined && !Number.isInteger(seed)) fail(`--seed takes a whole number, not "${seedText}".`);

if (values.simulate) {
  const result = await runSimulation({ seed, out: process.stdout });
  process.exit(result.exitCode);
}

const portText = values.port ?? process.env.DEMO_PORT ?? process.env.PORT ?? '3000';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`"${portText}" is not a port number.`);

const began = Date.now();
const demo = await startDemo({ port, seed });
console.log(`Leadloop demo: the real bot against a local Slack sandbox, ready in ${((Date.now() - began) / 1000).toFixed(1)} s.

  Open  ${demo.url}

  Seeded ${demo.seeded.leads} leads from ${demo.seeded.campaigns.length} campaigns over the last 30 days (${demo.seeded.decisions} decisions by ${demo.seeded.reps.length} reps).
  The bot: ${demo.botUrl} (POST /leads, /slack/events, /healthz).
  Database: ${demo.env.DATABASE_PATH} (deleted on exit).

  Send a lead from another terminal:
    curl -s ${demo.botUrl}/leads -H 'Authorization: Bearer ${demo.env.INGEST_TOKEN}' \\
      -H 'Content-Type: application/json' \\
      -d '{"name":"Dana Lee","company":"Globex","campaign":"Spring webinar","email":"dana@globex.example"}'

Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  console.log('Demo stopped; its temporary database is gone.');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
