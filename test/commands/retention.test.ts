import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import { tempDir } from '../harness/app.js';
import { runLeadloop } from '../harness/cli.js';
import { DAY, HOUR, historicalLeads, MINUTE } from '../harness/fixtures.js';

/*
 * `leadloop retention` in-process on a seeded database: 40 leads over the last 79 days with
 * decisions, reasons and reps' notes. RETENTION_DAYS=30 erases the 25 or so older ones; every
 * `leadloop stats` view prints the same before and after.
 */

let temp: ReturnType<typeof tempDir>;
let databasePath: string;

beforeEach(() => {
  temp = tempDir();
  databasePath = join(temp.dir, 'leadloop.db');
  const now = Date.now();
  const db = openDatabase(databasePath);
  try {
    new Store(db).insertHistory(
      historicalLeads(
        Array.from({ length: 40 }, (_, i) => ({
          name: `Person ${i}`,
          email: `person${i}@example.com`,
          campaign: i % 2 === 0 ? 'Spring Webinar' : 'Trade Show',
          source: i % 3 === 0 ? 'event' : 'webinar',
          postedAt: now - 79 * DAY + i * 2 * DAY,
          decisions:
            i % 4 === 3
              ? []
              : [
                  {
                    user: i % 2 === 0 ? 'U0ANNA0001' : 'U0BOB00001',
                    verdict: i % 4 === 0 ? ('reject' as const) : ('accept' as const),
                    reason: i % 8 === 0 ? 'bad_fit' : undefined,
                    note: `spoke to Person ${i}`,
                    after: (i % 5) * HOUR + MINUTE,
                  },
                ],
        })),
      ),
    );
  } finally {
    db.$client.close();
  }
});
afterEach(() => temp.cleanup());

const leadloop = (env: Record<string, string>, ...argv: string[]) =>
  runLeadloop(argv, { DATABASE_PATH: databasePath, ...env }, temp.dir);

/**
 * Every stats view, as printed and as JSON; the JSON without the instants of the run (now, the
 * period's end) and the pending list, whose waits grow with the clock.
 */
async function allStats(): Promise<unknown[]> {
  const views = ['90d', '90d reasons', '90d reps', 'quarter', 'ytd', '90d campaign spring'];
  return Promise.all(
    views.map(async (words) => {
      const text = await leadloop({}, 'stats', ...words.split(' '));
      const run = await leadloop({}, 'stats', ...words.split(' '), '--json');
      expect([text.code, run.code]).toEqual([0, 0]);
      const { now: _now, period: _period, pending: _pending, ...numbers } = JSON.parse(run.stdout);
      return { text: text.stdout, numbers };
    }),
  );
}

function personalFields() {
  const db = openDatabase(databasePath);
  try {
    return {
      named: db.$client.prepare('SELECT count(*) FROM leads WHERE name IS NOT NULL').pluck().get(),
      notes: db.$client.prepare('SELECT count(*) FROM decisions WHERE note IS NOT NULL').pluck().get(),
    };
  } finally {
    db.$client.close();
  }
}

describe('leadloop retention', () => {
  it('--dry-run counts, then a run erases, and every stats view is unchanged', async () => {
    const stats = await allStats();
    const dry = await leadloop({ RETENTION_DAYS: '30' }, 'retention', '--dry-run');
    expect(dry.code).toBe(0);
    // Received 79, 77, …, 31 days ago (and a minute): 25 leads.
    expect(dry.stdout).toMatch(
      /^25 lead\(s\) received before \S+Z \(RETENTION_DAYS=30\) would have their personal fields erased\. Nothing was changed\.\n$/,
    );
    expect(personalFields()).toEqual({ named: 40, notes: 30 });

    const run = await leadloop({ RETENTION_DAYS: '30' }, 'retention');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Erased the personal fields of 25 lead\(s\) received before \S+Z \(RETENTION_DAYS=30\)\.\n$/,
    );
    // 25 leads erased, of which 19 had a decision with a note.
    expect(personalFields()).toEqual({ named: 15, notes: 11 });
    expect(await allStats()).toEqual(stats);

    const again = await leadloop({ RETENTION_DAYS: '30' }, 'retention');
    expect(again.stdout).toContain('Erased the personal fields of 0 lead(s)');
  });

  it('says how to turn it on when RETENTION_DAYS is unset, and rejects a bad value', async () => {
    const unset = await leadloop({}, 'retention');
    expect(unset.code).toBe(2);
    expect(unset.stderr.split('\n')[0]).toBe(
      'RETENTION_DAYS is not set, so nothing is ever erased: set it in the environment or .env, e.g. RETENTION_DAYS=365.',
    );
    const bad = await leadloop({ RETENTION_DAYS: 'forever' }, 'retention');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'RETENTION_DAYS must be a whole number of days from 1 to 36500, e.g. 365 (leave it unset to keep personal fields forever).',
    );
    expect(personalFields()).toEqual({ named: 40, notes: 30 });
  });
});
