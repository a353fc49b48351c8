import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { openDatabase } from '../../src/storage/db.js';
import { tempDir, testEnv } from '../harness/app.js';
import { type BotProcess, runningPort, spawnCli } from '../harness/process.js';
import { canRunUnprivileged, openFolder, unprivileged } from '../harness/unprivileged.js';

/*
 * One Leadloop per database, and one clear line for each way start-up can fail on the database
 * or the port: real `leadloop start` processes, as an operator runs them.
 */

let fake: FakeSlack;
let dir: { dir: string; cleanup: () => void };
const running: BotProcess[] = [];
beforeEach(async () => {
  fake = await FakeSlack.start();
  dir = tempDir();
});
afterEach(async () => {
  for (const bot of running.splice(0)) {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
  await fake.close();
  dir.cleanup();
});

function start(env: Record<string, string>, user: { uid?: number; gid?: number } = {}): BotProcess {
  const bot = spawnCli(['start'], env, dir.dir, user);
  running.push(bot);
  return bot;
}

/** A start that must fail: exit code 1 and exactly one line on stderr, with no stack trace. */
async function refusedWith(bot: BotProcess): Promise<string> {
  const { code } = await bot.exited;
  const lines = bot.stderr.filter((l) => l.trim() !== '');
  expect(lines, bot.stderr.join('\n')).toHaveLength(1);
  expect(bot.stderr.join('\n')).not.toMatch(/\n\s+at |Error:/);
  expect(code).toBe(1);
  return lines[0] as string;
}

describe('one Leadloop per database', () => {
  it('a second start on the same database is refused with one line, on another port or the same, and the first runs on', async () => {
    const dbPath = join(dir.dir, 'leadloop.db');
    const first = start(testEnv(fake, dbPath));
    const port = await runningPort(first);

    const elsewhere = await refusedWith(start(testEnv(fake, dbPath)));
    expect(elsewhere).toMatch(
      new RegExp(
        `^Leadloop: Another Leadloop is already running on the database ${dbPath} \\(pid ${first.child.pid} on [^,]+, port ${port}, since `,
      ),
    );
    expect(elsewhere).toContain('stop that one first');
    // The same port: refused for the database, before the port is even tried.
    const samePort = await refusedWith(start(testEnv(fake, dbPath, { PORT: String(port) })));
    expect(samePort).toContain('Another Leadloop is already running');

    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Neither refused start posted or wrote anything: only the first bot ever called Slack's auth.test.
    expect(fake.calls('auth.test')).toHaveLength(1);
  });

  it('after kill -9 the next start takes over at once (no lock-out after a crash), and a clean stop frees it', async () => {
    const dbPath = join(dir.dir, 'leadloop.db');
    const first = start(testEnv(fake, dbPath));
    await runningPort(first);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = start(testEnv(fake, dbPath));
    await runningPort(second);
    expect(second.stdout.join('\n')).toContain(
      `Took over the database lease of the Leadloop that ran as pid ${first.child.pid}`,
    );
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const third = start(testEnv(fake, dbPath));
    await runningPort(third);
    expect(third.stdout.join('\n')).not.toContain('Took over');
  });

  it('a bot whose lease was taken over while it was frozen stops by itself with exit code 1 at its next renewal', async () => {
    const dbPath = join(dir.dir, 'leadloop.db');
    const bot = start(testEnv(fake, dbPath));
    await runningPort(bot);
    // What a bot on another machine writes when it takes over a lease it found 30 s old.
    const db = openDatabase(dbPath, { migrate: false });
    try {
      const now = Date.now();
      const taker = { holder: 'other-run', pid: 4242, host: 'standby', machine: 'standby pid:[1]' };
      const value = JSON.stringify({
        ...taker,
        processStartedAt: now,
        port: 3000,
        startedAt: now,
        renewedAt: now,
      });
      db.$client.prepare("UPDATE app_meta SET value = ? WHERE key = 'instance_lease'").run(value);
    } finally {
      db.$client.close();
    }
    const said = await bot.waitForLine(/lease on the database .* was taken by pid 4242 on standby/);
    expect(JSON.parse(said)).toMatchObject({ level: 'error' });
    expect(await bot.exited).toEqual({ code: 1, signal: null });
  });

  it('a port another program holds is one line saying what to change', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const line = await refusedWith(start(testEnv(fake, join(dir.dir, 'other.db'), { PORT: String(port) })));
      expect(line).toBe(
        `Leadloop: Cannot listen on port ${port}: another program is using it (a Leadloop on another database, or anything else). Stop that program, or set PORT to a free port (e.g. PORT=3001).`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('database problems at start: one line, no stack trace', () => {
  it('a file that is not a database (corrupted, or something else)', async () => {
    const dbPath = join(dir.dir, 'leadloop.db');
    writeFileSync(dbPath, 'PK\u0003\u0004 this is a zip file, or what is left of a database '.repeat(200));
    const line = await refusedWith(start(testEnv(fake, dbPath)));
    expect(line).toBe(
      `Leadloop: The database ${dbPath} is damaged or is not a SQLite database (SQLITE_NOTADB: file is not a database). Restore the last backup (leadloop restore <backup file>), or move the file away to start with an empty database.`,
    );
  });

  it('a folder where the file should be', async () => {
    const dbPath = join(dir.dir, 'leadloop.db');
    mkdirSync(dbPath);
    const line = await refusedWith(start(testEnv(fake, dbPath)));
    expect(line).toMatch(
      /^Leadloop: Cannot open the database .* DATABASE_PATH must name a file \(not a folder\)/,
    );
  });

  // Permissions do not bind root: these run the bot as nobody when the tests run as root.
  describe.runIf(canRunUnprivileged)('as a user without the rights', () => {
    function migratedDatabase(): string {
      openFolder(dir.dir);
      const dbPath = join(dir.dir, 'leadloop.db');
      openDatabase(dbPath).$client.close();
      return dbPath;
    }

    it('a read-only database file', async () => {
      const dbPath = migratedDatabase();
      // The folder is writable, so only the file itself is in the way.
      chmodSync(dir.dir, 0o777);
      chmodSync(dbPath, 0o444);
      const line = await refusedWith(start(testEnv(fake, dbPath), unprivileged()));
      expect(line).toMatch(
        new RegExp(
          `^Leadloop: The database ${dbPath} is read-only for the user running Leadloop \\(SQLITE_READONLY`,
        ),
      );
      expect(line).toContain('writable by that user');
    });

    it('an unreadable database file', async () => {
      const dbPath = migratedDatabase();
      chmodSync(dir.dir, 0o777);
      chmodSync(dbPath, 0o000);
      const line = await refusedWith(start(testEnv(fake, dbPath), unprivileged()));
      expect(line).toMatch(new RegExp(`^Leadloop: Cannot open the database ${dbPath} \\(SQLITE_CANTOPEN`));
      expect(line).toContain('can read and write');
    });
  });
});
