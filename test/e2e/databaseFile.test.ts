import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { lead, startTestBot, type TestBot } from '../harness/app.js';

/*
 * The database file deleted (or replaced) under the running bot: SQLite goes on writing to the
 * file it has open, which nothing will read again. The bot must stop saying "stored".
 */

let harness: TestBot | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function health(bot: TestBot) {
  const res = await fetch(`${bot.baseUrl}/healthz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; db: string; dbError?: string } };
}

describe('the database file is deleted or replaced while the bot runs', () => {
  it('deleted: /healthz and POST /leads answer 503 saying what happened and what to do, never 202', async () => {
    harness = await startTestBot();
    expect((await harness.ingest(lead({ externalId: 'before' }))).status).toBe(202);
    expect((await health(harness)).status).toBe(200);

    // What `rm data/leadloop.db*` does.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${harness.databasePath}${suffix}`, { force: true });

    const checked = await health(harness);
    expect(checked.status).toBe(503);
    expect(checked.body).toMatchObject({ ok: false, db: 'error' });
    expect(checked.body.dbError).toBe(
      `The database file ${harness.databasePath} was deleted while Leadloop was running, so nothing it receives can be kept: it answers 503 until it is restarted. Stop Leadloop, restore the last backup (leadloop restore <backup file>) and start it again.`,
    );
    const res = await harness.ingest(lead({ externalId: 'after' }));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: 'storage_unavailable', message: checked.body.dbError });
    expect(harness.logs.messages('error')).toContain(checked.body.dbError);
    // Nothing was written for it, not even in the file the bot still has open.
    const stored = harness.bot.store.db.$client.prepare('SELECT external_id AS id FROM leads').all();
    expect(stored).toEqual([{ id: 'before' }]);
  });

  it('replaced by another file (a copy or restore while it runs): 503 as well', async () => {
    harness = await startTestBot();
    const copy = `${harness.databasePath}.copy`;
    copyFileSync(harness.databasePath, copy);
    renameSync(copy, harness.databasePath);
    expect((await health(harness)).body.dbError).toMatch(/was replaced while Leadloop was running/);
    expect((await harness.ingest(lead())).status).toBe(503);
  });
});
