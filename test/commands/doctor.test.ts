import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { REQUIRED_BOT_SCOPES } from '../../src/doctor/scopes.js';
import { openDatabase } from '../../src/storage/db.js';
import { DIGEST_CHANNELS, LEADS_CHANNEL, SIGNING_SECRET, tempDir, testEnv } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';
import { spawnCli } from '../harness/process.js';
import { canRunUnprivileged, openFolder, unprivileged } from '../harness/unprivileged.js';

/*
 * `leadloop doctor` in-process, against the fake Slack over real HTTP and real files: a good
 * setup first, then each failure on its own, checking the line that names it and the exit code.
 */

// 48 hex characters, as `openssl rand -hex 24` prints; fixed so the test never meets a fluke.
const STRONG_INGEST_TOKEN = '9f4c2e7a1b8d3f60c5e9a2d7b4f1c8e3a6d0b9f2c7e4a1d5';
const [SALES_CHANNEL = '', MARKETING_CHANNEL = ''] = DIGEST_CHANNELS;

let fake: FakeSlack;
let temp: ReturnType<typeof tempDir>;
let caseNumber = 0;

beforeAll(async () => {
  fake = await FakeSlack.start();
  temp = tempDir();
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake.close();
  temp.cleanup();
});

interface DoctorRun {
  code: number;
  lines: string[];
  stdout: string;
  stderr: string;
  /** The line of the check whose name starts with `name`. */
  line(name: string): string;
}

/** Runs `leadloop doctor` with a good test environment changed by `env` ('' unsets a variable). */
async function doctor(
  env: Record<string, string> = {},
  options: { slack?: FakeSlack } = {},
): Promise<DoctorRun> {
  caseNumber += 1;
  const databasePath = join(temp.dir, `case-${caseNumber}`, 'leadloop.db');
  const { code, stdout, stderr } = await runLeadloop(
    ['doctor'],
    testEnv(options.slack ?? fake, databasePath, { INGEST_TOKEN: STRONG_INGEST_TOKEN, ...env }),
    temp.dir,
  );
  const lines = stdout.split('\n').filter(Boolean);
  return {
    code,
    lines,
    stdout,
    stderr,
    line: (name) => {
      const found = lines.find((l) => l.slice(2).startsWith(name));
      if (!found) throw new Error(`no "${name}" line in:\n${stdout}`);
      return found;
    },
  };
}

/** The lines that did not pass, each reduced to its symbol and check name. */
function notPassed(run: DoctorRun): string[] {
  return run.lines.filter((l) => /^[✗!–] /.test(l)).map((l) => l.slice(0, l.indexOf(':')));
}

describe('leadloop doctor with a good setup', () => {
  it('passes every check, one line each, and exits 0', async () => {
    const run = await doctor();

    expect(run.lines).toEqual([
      `✓ Slack token: valid for workspace "Sandbox" as @leadloop (Web API at ${fake.url})`,
      `✓ Scopes: all ${REQUIRED_BOT_SCOPES.length} bot scopes from manifest.yml are granted`,
      `✓ Leads channel ${LEADS_CHANNEL}: the bot is a member`,
      `✓ Digest channel ${SALES_CHANNEL}: the bot is a member`,
      `✓ Digest channel ${MARKETING_CHANNEL}: the bot is a member`,
      '✓ HTTP mode: SLACK_SIGNING_SECRET is set; Slack sends events to /slack/events on port 0 (SLACK_APP_TOKEN is unset)',
      expect.stringMatching(
        /^✓ Database: .*case-\d+\/leadloop\.db does not exist yet; leadloop start \(or leadloop migrate\) will create it$/,
      ),
      '✓ Ingest token: POST /leads is on; INGEST_TOKEN has 48 characters, about 192 bits',
      '✓ Settings: valid (PORT 0, TIMEZONE UTC, DIGEST_CRON "0 9 * * 1", DECISION_SLA_HOURS 24)',
      'All 9 checks passed. Leadloop is ready: leadloop start.',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(fake.specViolations()).toEqual([]);
  });

  it('changes nothing: no database file is created', async () => {
    const before = readdirSync(temp.dir).length;
    const run = await doctor();
    expect(run.code).toBe(0);
    // The case folder did not exist and still does not: doctor only tested that it could create it.
    expect(readdirSync(temp.dir)).toHaveLength(before);
  });

  it('checks a channel that is both the leads and a digest channel once', async () => {
    const run = await doctor({ DIGEST_CHANNEL_IDS: `${LEADS_CHANNEL},${SALES_CHANNEL}` });
    expect(run.lines.filter((l) => l.includes(LEADS_CHANNEL))).toEqual([
      `✓ Leads and digest channel ${LEADS_CHANNEL}: the bot is a member`,
    ]);
    expect(fake.calls('conversations.history').map((c) => c.args.channel)).toEqual([
      LEADS_CHANNEL,
      SALES_CHANNEL,
    ]);
    expect(run.code).toBe(0);
  });

  it('passes Socket Mode when Slack accepts the app-level token', async () => {
    const run = await doctor({ SLACK_APP_TOKEN: fake.appToken, SLACK_SIGNING_SECRET: '' });
    expect(run.line('Socket Mode')).toBe('✓ Socket Mode: SLACK_APP_TOKEN (xapp-…) can open a connection');
    expect(run.code).toBe(0);
  });

  it('reports an existing, migrated database as writable and up to date, and leaves it as it was', async () => {
    const databasePath = join(temp.dir, 'existing', 'leadloop.db');
    const db = openDatabase(databasePath);
    const tables = () =>
      db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const before = tables();
    db.$client.close();

    const run = await doctor({ DATABASE_PATH: databasePath });
    expect(run.line('Database')).toBe(`✓ Database: ${databasePath} is writable and up to date`);
    expect(run.code).toBe(0);
    const reopened = openDatabase(databasePath);
    expect(
      reopened.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all(),
    ).toEqual(before);
    reopened.$client.close();
  });

  it('warns, without failing, when INGEST_TOKEN is unset: POST /leads is off', async () => {
    const run = await doctor({ INGEST_TOKEN: '' });
    expect(run.line('Ingest token')).toBe(
      '! Ingest token: INGEST_TOKEN is unset, so POST /leads is off (leadloop import still works) → to send leads over HTTP, generate one with openssl rand -hex 24, set it as INGEST_TOKEN and in the systems that send leads',
    );
    expect(run.lines.at(-1)).toBe('All 9 checks passed (1 warning). Leadloop is ready: leadloop start.');
    expect(run.code).toBe(0);
  });
});

describe('leadloop doctor with one thing wrong', () => {
  it('a token Slack does not accept: says so, and does not check what needs it', async () => {
    const run = await doctor({ SLACK_BOT_TOKEN: 'xoxb-copied-from-the-wrong-app' });
    expect(run.line('Slack token')).toBe(
      '✗ Slack token: Slack does not accept SLACK_BOT_TOKEN (xoxb-…): invalid_auth → copy the Bot User OAuth Token (xoxb-…) from your app’s OAuth & Permissions page into SLACK_BOT_TOKEN',
    );
    expect(notPassed(run)).toEqual([
      '✗ Slack token',
      '– Scopes',
      `– Leads channel ${LEADS_CHANNEL}`,
      `– Digest channel ${SALES_CHANNEL}`,
      `– Digest channel ${MARKETING_CHANNEL}`,
    ]);
    expect(run.lines.at(-1)).toBe(
      '1 of 9 checks failed, 4 not checked until then. Fix them and run leadloop doctor again.',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('copied-from-the-wrong-app');
  });

  it.each([
    [
      'token_revoked',
      'no longer works (token_revoked): the app was uninstalled or reinstalled since it was copied',
    ],
    ['account_inactive', 'is deactivated (account_inactive): the app was removed from the workspace'],
  ])('a token Slack refuses with %s', async (error, says) => {
    fake.fail('auth.test', { error });
    const run = await doctor();
    expect(run.line('Slack token')).toContain(says);
    expect(run.line('Slack token')).toContain(
      '→ reinstall the app (OAuth & Permissions › Reinstall to Workspace)',
    );
    expect(run.code).toBe(1);
  });

  it('a bot token that is not a bot token at all: the config.ts problem, naming the variable', async () => {
    const run = await doctor({ SLACK_BOT_TOKEN: 'xoxp-a-user-token' });
    expect(run.line('Slack token')).toMatch(
      /^✗ Slack token: SLACK_BOT_TOKEN must be a bot token starting with "xoxb-"/,
    );
    expect(fake.calls('auth.test')).toEqual([]);
    // The rest of the configuration is still checked.
    expect(run.line('Database')).toMatch(/^✓ /);
    expect(run.code).toBe(1);
  });

  it('missing scopes: lists them and says to reinstall from the manifest', async () => {
    const narrow = await FakeSlack.start({
      scopes: REQUIRED_BOT_SCOPES.filter((s) => s !== 'reactions:read' && s !== 'users:read'),
    });
    try {
      const run = await doctor({}, { slack: narrow });
      expect(run.line('Scopes')).toBe(
        '✗ Scopes: missing reactions:read, users:read → add them from manifest.yml (OAuth & Permissions › Scopes, or recreate the app from the manifest) and reinstall the app (OAuth & Permissions › Reinstall)',
      );
      expect(notPassed(run)).toEqual(['✗ Scopes']);
      expect(run.code).toBe(1);
    } finally {
      await narrow.close();
    }
  });

  it('the bot is not in the leads channel', async () => {
    fake.setMembership(LEADS_CHANNEL, false);
    const run = await doctor();
    expect(run.line('Leads channel')).toBe(
      `✗ Leads channel ${LEADS_CHANNEL}: the bot is not a member → invite the bot: /invite @leadloop in that channel`,
    );
    expect(notPassed(run)).toEqual([`✗ Leads channel ${LEADS_CHANNEL}`]);
    expect(run.code).toBe(1);
  });

  it('the bot is not in one of the digest channels', async () => {
    fake.setMembership(MARKETING_CHANNEL, false);
    const run = await doctor();
    expect(notPassed(run)).toEqual([`✗ Digest channel ${MARKETING_CHANNEL}`]);
    expect(run.line(`Digest channel ${MARKETING_CHANNEL}`)).toContain(
      'the bot is not a member → invite the bot',
    );
    expect(run.line(`Digest channel ${SALES_CHANNEL}`)).toMatch(/^✓ /);
    expect(run.code).toBe(1);
  });

  it('checks ATTENTION_CHANNEL_ID too when it is its own channel', async () => {
    fake.setMembership('C0ATTN0001', false);
    const run = await doctor({ ATTENTION_CHANNEL_ID: 'C0ATTN0001' });
    expect(notPassed(run)).toEqual(['✗ Attention channel C0ATTN0001']);
    expect(run.line('Attention channel C0ATTN0001')).toContain('the bot is not a member → invite the bot');
    const shared = await doctor({ ATTENTION_CHANNEL_ID: SALES_CHANNEL });
    expect(shared.line(`Digest and attention channel ${SALES_CHANNEL}`)).toMatch(/^✓ /);
  });

  it('a channel Slack cannot find (a wrong ID, or a private channel the bot is not in)', async () => {
    fake.fail('conversations.history', { error: 'channel_not_found' });
    const run = await doctor();
    expect(notPassed(run)).toHaveLength(1);
    expect(run.lines.find((l) => l.startsWith('✗'))).toMatch(
      /: Slack finds no such channel that the bot can see → check the ID \(channel details › About › Channel ID\); if it is a private channel, invite the bot/,
    );
    expect(run.code).toBe(1);
  });

  it('a channel ID that is not one: the config problem, and the digest channels are still checked', async () => {
    const run = await doctor({ LEADS_CHANNEL_ID: '#leads' });
    expect(run.line('Leads channel')).toMatch(
      /^✗ Leads channel: LEADS_CHANNEL_ID must be a channel ID such as C0123456789/,
    );
    expect(run.line(`Digest channel ${SALES_CHANNEL}`)).toMatch(/^✓ /);
    expect(run.code).toBe(1);
  });

  it('HTTP mode without a signing secret', async () => {
    const run = await doctor({ SLACK_SIGNING_SECRET: '' });
    expect(run.line('HTTP mode')).toBe(
      '✗ HTTP mode: SLACK_SIGNING_SECRET is required in HTTP mode (Slack app settings › Basic Information › Signing Secret); or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode instead.',
    );
    expect(notPassed(run)).toEqual(['✗ HTTP mode']);
    expect(run.code).toBe(1);
  });

  it('Socket Mode without a usable app-level token: not an app token at all', async () => {
    // A bot token pasted into SLACK_APP_TOKEN: Socket Mode is what was asked for, with no app token.
    const run = await doctor({ SLACK_APP_TOKEN: fake.botToken, SLACK_SIGNING_SECRET: '' });
    expect(run.line('Socket Mode')).toMatch(
      /^✗ Socket Mode: SLACK_APP_TOKEN must be an app-level token starting with "xapp-" with the connections:write scope/,
    );
    expect(notPassed(run)).toEqual(['✗ Socket Mode']);
    expect(run.stdout).not.toContain(fake.botToken);
    expect(run.code).toBe(1);
  });

  it('Socket Mode without a usable app-level token: one Slack refuses', async () => {
    const run = await doctor({ SLACK_APP_TOKEN: 'xapp-1-revoked', SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(run.line('Socket Mode')).toBe(
      '✗ Socket Mode: Slack refused SLACK_APP_TOKEN (xapp-…): invalid_auth → create an App-Level Token with the connections:write scope (Basic Information › App-Level Tokens), put it in SLACK_APP_TOKEN, and turn on Socket Mode in the app settings',
    );
    expect(run.code).toBe(1);
  });

  it('a database path that cannot be created: its folder is a file', async () => {
    const blocker = join(temp.dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const run = await doctor({ DATABASE_PATH: join(blocker, 'leadloop.db') });
    expect(run.line('Database')).toBe(
      `✗ Database: cannot create ${join(blocker, 'leadloop.db')}: ${blocker} is a file, not a folder → set DATABASE_PATH to a file in a writable folder, e.g. ./data/leadloop.db`,
    );
    expect(notPassed(run)).toEqual(['✗ Database']);
    expect(run.code).toBe(1);
  });

  it('a database path that is a folder', async () => {
    const folder = join(temp.dir, 'a-folder');
    mkdirSync(folder);
    const run = await doctor({ DATABASE_PATH: folder });
    expect(run.line('Database')).toMatch(
      /^✗ Database: .*a-folder is a folder, not a database file → set DATABASE_PATH to a file inside it/,
    );
    expect(run.code).toBe(1);
  });

  it('a database file that is not a SQLite database', async () => {
    const file = join(temp.dir, 'notes.txt');
    writeFileSync(file, 'these are not the leads you are looking for\n'.repeat(200));
    const run = await doctor({ DATABASE_PATH: file });
    expect(run.line('Database')).toBe(
      `✗ Database: ${file} is not a SQLite database → point DATABASE_PATH at Leadloop’s database, or at a new file (e.g. ./data/leadloop.db)`,
    );
    expect(run.code).toBe(1);
  });

  // As a user who may not write there (nobody, when the tests run as root), in a child process.
  it.runIf(canRunUnprivileged)('a database in a read-only folder', async () => {
    openFolder(temp.dir);
    const folder = join(temp.dir, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    try {
      const env = testEnv(fake, join(folder, 'leadloop.db'), { INGEST_TOKEN: STRONG_INGEST_TOKEN });
      const child = spawnCli(['doctor'], env, temp.dir, unprivileged());
      const { code } = await child.exited;
      const line = child.stdout.find((l) => l.slice(2).startsWith('Database'));
      expect(line).toMatch(/^✗ Database: cannot create .*read-only is not writable \(EACCES\) → make /);
      expect(code).toBe(1);
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  it('a weak ingest token: says why, never shows it, and suggests how to make one', async () => {
    const weak = 'leadloop-ingest-token-for-2026';
    const run = await doctor({ INGEST_TOKEN: weak });
    expect(run.line('Ingest token')).toBe(
      '✗ Ingest token: INGEST_TOKEN is too easy to guess: it contains the word "token" → generate one with openssl rand -hex 24, set it as INGEST_TOKEN and in the systems that send leads',
    );
    expect(notPassed(run)).toEqual(['✗ Ingest token']);
    expect(run.stdout).not.toContain(weak);
    expect(run.code).toBe(1);
  });

  it('an ingest token shorter than PRODUCT.md allows: the config problem', async () => {
    const run = await doctor({ INGEST_TOKEN: 'short' });
    expect(run.line('Ingest token')).toMatch(/^✗ Ingest token: INGEST_TOKEN must be at least 24 characters/);
    expect(run.code).toBe(1);
  });

  it('Slack unreachable: fails fast with the address, never a stack trace', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const apiUrl = `http://127.0.0.1:${port}/api/`;

    const run = await doctor({ SLACK_API_URL: apiUrl, SLACK_APP_TOKEN: 'xapp-1-any' });
    expect(run.line('Slack token')).toBe(
      `✗ Slack token: cannot reach Slack at ${apiUrl} (ECONNREFUSED) → check SLACK_API_URL (leave it unset for Slack itself) and the network`,
    );
    expect(run.line('Socket Mode')).toContain(`cannot reach Slack at ${apiUrl} (ECONNREFUSED)`);
    expect(run.stdout + run.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/);
    expect(run.code).toBe(1);
  });

  it('a Slack that does not answer in time', async () => {
    fake.fail('auth.test', { delayMs: 10_000 });
    const run = await doctor();
    expect(run.line('Slack token')).toBe(
      `✗ Slack token: no answer from ${fake.url} within 5 s → check SLACK_API_URL (leave it unset for Slack itself) and the network`,
    );
    expect(run.code).toBe(1);
  }, 15_000);

  it('other invalid settings each get a line naming the variable, and the other checks still run', async () => {
    const run = await doctor({ PORT: 'eighty', TIMEZONE: 'Mars/Olympus' });
    expect(run.lines.filter((l) => l.startsWith('✗ Settings'))).toEqual([
      '✗ Settings: PORT must be a port number from 0 to 65535, e.g. 3000.',
      '✗ Settings: TIMEZONE must be an IANA time zone name, e.g. Europe/Berlin or America/New_York.',
    ]);
    expect(run.line('Slack token')).toMatch(/^✓ /);
    expect(run.line('Leads channel')).toMatch(/^✓ /);
    expect(run.stderr).not.toContain('cannot start');
    expect(run.code).toBe(1);
  });
});

describe('leadloop doctor on the command line', () => {
  it('has help, listed in the usage', async () => {
    const help = await runLeadloop(['help'], {}, temp.dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('  doctor                 check the configuration');
    const doctorHelp = await runLeadloop(['doctor', '--help'], {}, temp.dir);
    expect(doctorHelp.code).toBe(0);
    expect(doctorHelp.stdout).toContain(
      'A warning does not fail the run: INGEST_TOKEN unset only means POST /leads is off.',
    );
  });

  it('rejects options it does not know', async () => {
    const run = await runLeadloop(['doctor', '--fix'], {}, temp.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--fix'");
  });
});
