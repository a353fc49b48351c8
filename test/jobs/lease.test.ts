import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEASE_RENEW_MS, LEASE_TTL_MS } from '../../src/domain/lease.js';
import { InstanceRunningError } from '../../src/errors.js';
import { InstanceLease, type LeaseIdentity } from '../../src/jobs/lease.js';
import { createLogger } from '../../src/logger.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { LeaseStore } from '../../src/storage/lease.js';
import { LogCapture, tempDir } from '../harness/app.js';
import { VirtualTime } from '../harness/virtualTime.js';

const START = Date.parse('2026-11-25T12:00:00Z');

/* Two bots on two machines (or containers) sharing one database file, in virtual time. */
let temp: ReturnType<typeof tempDir>;
let dbs: Db[];
let time: VirtualTime;
let logs: LogCapture;
let path: string;
beforeEach(() => {
  temp = tempDir();
  path = join(temp.dir, 'leadloop.db');
  dbs = [openDatabase(path), openDatabase(path, { migrate: false })];
  time = new VirtualTime(START);
  logs = new LogCapture();
});
afterEach(() => {
  for (const db of dbs) db.$client.close();
  temp.cleanup();
});

function bot(index: 0 | 1, lost: string[] = []) {
  const identity: LeaseIdentity = {
    pid: 10 + index,
    host: `host-${index}`,
    machine: `host-${index} pid:[1]`,
    processStartedAt: START,
  };
  const db = dbs[index] as Db;
  return new InstanceLease(
    { leases: new LeaseStore(db), clock: time, timers: time, logger: createLogger('debug', logs) },
    { databasePath: path, identity, isAlive: () => true, onLost: (message) => lost.push(message) },
  );
}

describe('InstanceLease', () => {
  it('renews while it runs, so a second bot is refused however long the first runs, and released at stop', async () => {
    const first = bot(0);
    first.acquire();
    first.listening(3000);
    await time.advance(10 * LEASE_TTL_MS);
    const second = bot(1);
    expect(() => second.acquire()).toThrow(InstanceRunningError);
    expect(() => second.acquire()).toThrow(/pid 10 on host-0, port 3000/);
    await first.stop();
    expect(() => second.acquire()).not.toThrow();
    await second.stop();
  });

  it('a bot that does not renew (frozen, suspended) is taken over after the TTL, and stops itself when it wakes', async () => {
    const lost: string[] = [];
    const first = bot(0, lost);
    // Acquired but frozen before its first renewal.
    first.acquire();
    const second = bot(1);
    await time.advance(LEASE_TTL_MS - 1);
    expect(() => second.acquire()).toThrow(InstanceRunningError);
    await time.advance(1);
    second.acquire();
    second.listening(3001);
    expect(logs.messages('warn')).toContain(
      'Took over the database lease of the Leadloop that ran as pid 10 on host-0 (not renewed for 30 s or more).',
    );

    // The first wakes and renews: it learns it lost, says so once, and never renews again.
    first.listening(3000);
    await time.advance(3 * LEASE_RENEW_MS);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain('taken by pid 11 on host-1');
    await first.stop();
    // The loser's stop does not release the winner's lease.
    expect(new LeaseStore(dbs[0] as Db).current()).toMatchObject({ holder: second.holder, port: 3001 });
    await second.stop();
  });
});
