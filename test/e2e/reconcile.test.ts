import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestBot, type TestBot, tempDir, testEnv } from '../harness/app.js';
import { spawnCli } from '../harness/process.js';

const REP = 'U0REP00001';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

/** The lead's decisions, read on a connection of our own after the CLI has exited. */
function decisionsOf(databasePath: string, leadId: number) {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db
      .prepare('SELECT user_id, verdict, source, reaction, retracted_at FROM decisions WHERE lead_id = ?')
      .all(leadId);
  } finally {
    db.close();
  }
}

async function reconcile(t: TestBot, ...args: string[]) {
  const cli = spawnCli(['reconcile', ...args], testEnv(t.fake, t.databasePath), dir.dir);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout.join('\n'), stderr: cli.stderr.join('\n') };
}

describe('leadloop reconcile (a real process)', () => {
  it('records a reaction made while its event was lost, exactly once across runs', async () => {
    const t = await startTestBot();
    try {
      const post = await t.postLead();
      // The rep reacts during an outage: Slack has the reaction, the bot never gets the event.
      t.fake.addReaction(post.channel, post.ts, 'white_check_mark', REP);
      await t.stopBot();

      const first = await reconcile(t, '--since', '2d');
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toBe(
        'Checked 1 of 1 lead post(s) from the last 2d: recorded 1 missed decision(s), retracted 0.',
      );
      const second = await reconcile(t, '--since', '2d');
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('recorded 0 missed decision(s), retracted 0.');

      expect(decisionsOf(t.databasePath, post.id)).toEqual([
        {
          user_id: REP,
          verdict: 'accept',
          source: 'reconcile',
          reaction: 'white_check_mark',
          retracted_at: null,
        },
      ]);
    } finally {
      await t.close();
    }
  });

  it('refuses a bad --since with exit code 2, an example and the usage', async () => {
    const runs = ['2w', '91d'].map((since) => spawnCli(['reconcile', '--since', since], {}, dir.dir));
    for (const cli of runs) {
      expect((await cli.exited).code).toBe(2);
      const err = cli.stderr.join('\n');
      expect(err).toContain('e.g. --since 7d');
      expect(err).toContain('leadloop reconcile [--since 7d]');
      expect(cli.stdout).toEqual([]);
    }
  });
});
