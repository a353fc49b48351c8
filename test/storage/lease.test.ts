import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { judgeLease, type Lease } from '../../src/domain/lease.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { LeaseStore } from '../../src/storage/lease.js';
import { tempDir } from '../harness/app.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

function lease(holder: string, pid: number, renewedAt = NOW): Lease {
  return {
    holder,
    pid,
    host: 'box',
    machine: 'box pid:[1]',
    processStartedAt: NOW - 1_000,
    port: null,
    startedAt: NOW,
    renewedAt,
  };
}

/* Two connections to one file, as two bots would have. */
let temp: ReturnType<typeof tempDir>;
let first: Db;
let second: Db;
beforeEach(() => {
  temp = tempDir();
  const path = join(temp.dir, 'leadloop.db');
  first = openDatabase(path);
  second = openDatabase(path, { migrate: false });
});
afterEach(() => {
  first.$client.close();
  second.$client.close();
  temp.cleanup();
});

const take = (store: LeaseStore, me: Lease, isAlive = () => true) =>
  store.acquire(me, (current) => judgeLease(current, me, me.renewedAt, isAlive));

describe('LeaseStore', () => {
  it('one holder at a time: the second is refused while the first runs, and renewals keep it', () => {
    const a = new LeaseStore(first);
    const b = new LeaseStore(second);
    expect(take(a, lease('a', 1))).toMatchObject({ take: true, why: 'free' });
    expect(take(b, lease('b', 2))).toMatchObject({ take: false, holder: { holder: 'a', pid: 1 } });
    expect(a.renew('a', { renewedAt: NOW + 5_000, port: 3000 })).toEqual({ renewed: true });
    expect(b.current()).toMatchObject({ holder: 'a', renewedAt: NOW + 5_000, port: 3000 });
  });

  it('a crashed holder is taken over, and the old one learns at its next renewal that it lost', () => {
    const a = new LeaseStore(first);
    const b = new LeaseStore(second);
    take(a, lease('a', 1));
    expect(take(b, lease('b', 2), () => false)).toMatchObject({ take: true, why: 'holder_gone' });
    const renewal = a.renew('a', { renewedAt: NOW + 5_000, port: 3000 });
    expect(renewal).toMatchObject({ renewed: false, current: { holder: 'b' } });
    expect(b.current()?.holder).toBe('b');
  });

  it('release gives the lease back only if it is still ours', () => {
    const a = new LeaseStore(first);
    const b = new LeaseStore(second);
    take(a, lease('a', 1));
    b.release('b');
    expect(a.current()?.holder).toBe('a');
    a.release('a');
    expect(b.current()).toBeUndefined();
    expect(take(b, lease('b', 2))).toMatchObject({ take: true, why: 'free' });
  });

  it('a renewal never waits for another process’s write lock: it fails at once and is retried later', () => {
    const a = new LeaseStore(first);
    take(a, lease('a', 1));
    second.$client.exec('BEGIN IMMEDIATE');
    try {
      expect(() => a.renew('a', { renewedAt: NOW + 5_000, port: null })).toThrow(
        expect.objectContaining({ code: 'SQLITE_BUSY' }),
      );
      // The connection's own busy timeout is back for every other write.
      expect(first.$client.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      second.$client.exec('ROLLBACK');
    }
    expect(a.renew('a', { renewedAt: NOW + 5_000, port: null })).toEqual({ renewed: true });
  });
});
