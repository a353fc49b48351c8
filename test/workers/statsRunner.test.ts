import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { parseStatsCommand, type StatsQuery } from '../../src/domain/statsCommand.js';
import { StatsThreadError } from '../../src/errors.js';
import { StatsService } from '../../src/services/stats.js';
import { openDatabase } from '../../src/storage/db.js';
import { StatsStore } from '../../src/storage/stats.js';
import { Store } from '../../src/storage/store.js';
import { StatsThread } from '../../src/workers/statsRunner.js';
import { tempDir } from '../harness/app.js';
import { at, HOUR, historicalLeads } from '../harness/fixtures.js';

const SETTINGS = { timezone: 'Europe/Berlin', slaHours: 24, reasons: DEFAULT_REASONS };
const NOW = at('2026-11-20T12:00:00+01:00');

function query(text: string): StatsQuery {
  const parsed = parseStatsCommand(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.query;
}

describe('StatsThread', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function fixture() {
    const temp = tempDir();
    cleanups.push(temp.cleanup);
    const databasePath = join(temp.dir, 'leadloop.db');
    const db = openDatabase(databasePath);
    cleanups.push(() => db.$client.close());
    new Store(db).insertHistory(
      historicalLeads([
        {
          campaign: 'Spring Webinar',
          source: 'webinar',
          postedAt: at('2026-09-03T10:00:00+02:00'),
          decisions: [{ user: 'U0ANNA0001', verdict: 'accept', after: HOUR }],
        },
        {
          campaign: 'Trade Show',
          source: 'event',
          postedAt: at('2026-11-18T10:00:00+01:00'),
          decisions: [{ user: 'U0BOB00001', verdict: 'reject', reason: 'bad_fit', after: 2 * HOUR }],
        },
        { campaign: 'Trade Show', source: 'event', postedAt: at('2026-11-19T10:00:00+01:00') },
      ]),
    );
    const inline = new StatsService({ stats: new StatsStore(db), clock: { now: () => NOW } }, SETTINGS);
    return { databasePath, inline };
  }

  it('answers in its own thread exactly as the service does in this one, at the caller’s "now"', async () => {
    const { databasePath, inline } = fixture();
    const thread = new StatsThread({ clock: { now: () => NOW } }, { databasePath, settings: SETTINGS });
    cleanups.push(() => thread.close());
    for (const text of ['', 'ytd reasons', 'quarter reps', '90d pending', 'ytd campaign trade']) {
      const [threaded, here] = [await thread.run(query(text)), inline.run(query(text))];
      expect(threaded, text).toEqual(here);
    }
    // Concurrent queries each get their own answer.
    const answers = await Promise.all(['7d', 'ytd'].map((t) => thread.run(query(t))));
    expect(answers.map((a) => a.ok && a.report.totals.posted)).toEqual([2, 3]);
  });

  it('a thread that cannot start fails its queries with a StatsThreadError, and tries again on the next', async () => {
    const temp = tempDir();
    cleanups.push(temp.cleanup);
    // A database path under a regular file: the thread's openDatabase throws at start.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(temp.dir, 'not-a-folder'), '');
    const thread = new StatsThread(
      { clock: { now: () => NOW } },
      { databasePath: join(temp.dir, 'not-a-folder', 'leadloop.db'), settings: SETTINGS },
    );
    cleanups.push(() => thread.close());
    await expect(thread.run(query(''))).rejects.toBeInstanceOf(StatsThreadError);
    await expect(thread.run(query('7d'))).rejects.toThrow(/stats thread/);
  });

  it('refuses queries once closed', async () => {
    const { databasePath } = fixture();
    const thread = new StatsThread({ clock: { now: () => NOW } }, { databasePath, settings: SETTINGS });
    expect((await thread.run(query(''))).ok).toBe(true);
    await thread.close();
    await expect(thread.run(query(''))).rejects.toThrow(/stopped/);
  });
});
