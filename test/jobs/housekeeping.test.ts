import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Housekeeping } from '../../src/jobs/housekeeping.js';
import { createLogger } from '../../src/logger.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { RetentionStore } from '../../src/storage/retention.js';
import { Store } from '../../src/storage/store.js';
import { LogCapture, tempDir } from '../harness/app.js';
import { at, DAY, HOUR, historicalLeads } from '../harness/fixtures.js';
import { VirtualTime } from '../harness/virtualTime.js';

/*
 * The housekeeping job in virtual time: a real database, the job's clock and timers in the
 * test's hands. Five leads received 40 days ago and one 10 days ago; RETENTION_DAYS=30; batches of
 * two with a one-second pause between them.
 */

const START = at('2026-11-25T12:00:00Z');
const PAUSE = 1_000;

let temp: ReturnType<typeof tempDir>;
let db: Db;
let store: Store;
let time: VirtualTime;
let logs: LogCapture;

beforeEach(() => {
  temp = tempDir();
  db = openDatabase(join(temp.dir, 'leadloop.db'));
  store = new Store(db);
  store.insertHistory(
    historicalLeads([
      ...Array.from({ length: 5 }, (_, i) => ({ campaign: 'Old', postedAt: START - 40 * DAY + i * HOUR })),
      { campaign: 'Recent', postedAt: START - 10 * DAY },
    ]),
  );
  const claim = db.$client.prepare('INSERT INTO slack_events (event_id, received_at) VALUES (?, ?)');
  claim.run('Ev-old', START - 2 * DAY);
  claim.run('Ev-new', START - HOUR);
  time = new VirtualTime(START);
  logs = new LogCapture();
});

afterEach(() => {
  if (db.$client.open) db.$client.close();
  temp.cleanup();
});

function job(retentionDays: number | undefined) {
  return new Housekeeping(
    {
      store,
      retention: new RetentionStore(db),
      clock: time,
      timers: time,
      logger: createLogger('debug', logs),
    },
    { retentionDays, batchSize: 2, pauseMs: PAUSE },
  );
}

const named = () =>
  (db.$client.prepare('SELECT name FROM leads ORDER BY id').pluck().all() as (string | null)[]).map(
    (n) => n !== null,
  );
const eventIds = () =>
  db.$client.prepare('SELECT event_id FROM slack_events ORDER BY event_id').pluck().all();

describe('Housekeeping', () => {
  it('erases due leads in batches with a pause between them, at start and then every hour', async () => {
    const housekeeping = job(30);
    housekeeping.start();
    expect(time.scheduled()).toEqual([0]);

    await time.advance(0);
    expect(named()).toEqual([false, false, true, true, true, true]);
    expect(eventIds()).toEqual(['Ev-new']);
    expect(time.scheduled()).toEqual([PAUSE]);

    await time.advance(PAUSE);
    expect(named()).toEqual([false, false, false, false, true, true]);
    await time.advance(PAUSE);
    expect(named()).toEqual([false, false, false, false, false, true]);
    // The round is over: the next one comes an hour after it ended.
    expect(time.scheduled()).toEqual([HOUR]);
    expect(logs.messages()).toContain(
      'Retention: erased the personal fields of 5 lead(s) received before 2026-10-26T12:00:00.000Z (RETENTION_DAYS=30)',
    );

    // The recent lead falls due 20 days later and goes in the first round after that.
    await time.advance(20 * DAY - 2 * HOUR);
    expect(named()).toEqual([false, false, false, false, false, true]);
    await time.advance(2 * HOUR);
    expect(named()).toEqual([false, false, false, false, false, false]);

    await housekeeping.stop();
    expect(time.scheduled()).toEqual([]);
  });

  it('without RETENTION_DAYS only prunes event ids, and keeps every personal field', async () => {
    const housekeeping = job(undefined);
    housekeeping.start();
    await time.advance(0);
    expect(eventIds()).toEqual(['Ev-new']);
    await time.advance(400 * DAY);
    expect(named()).toEqual([true, true, true, true, true, true]);
    expect(eventIds()).toEqual([]);
    await housekeeping.stop();
  });

  it('stops during a pause after the batch it finished, and carries on at the next start', async () => {
    const housekeeping = job(30);
    housekeeping.start();
    await time.advance(0);
    expect(named()).toEqual([false, false, true, true, true, true]);
    await housekeeping.stop();
    expect(time.scheduled()).toEqual([]);
    await time.advance(HOUR);
    expect(named()).toEqual([false, false, true, true, true, true]);

    housekeeping.start();
    await time.advance(2 * PAUSE);
    expect(named()).toEqual([false, false, false, false, false, true]);
    await housekeeping.stop();
  });

  it('logs a failed round and tries again an hour later', async () => {
    const housekeeping = job(30);
    db.$client.close();
    housekeeping.start();
    await time.advance(0);
    expect(logs.messages(50)).toEqual([
      'Pruning handled Slack event ids failed; retrying in an hour',
      'Erasing expired personal fields (RETENTION_DAYS) failed; retrying in an hour',
    ]);
    expect(time.scheduled()).toEqual([HOUR]);
    await housekeeping.stop();
  });
});
