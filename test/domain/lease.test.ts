import { describe, expect, it } from 'vitest';
import {
  judgeLease,
  LEASE_TTL_MS,
  type Lease,
  leaseLost,
  parseLease,
  refusal,
} from '../../src/domain/lease.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const alive = () => true;
const dead = () => false;

function lease(overrides: Partial<Lease> = {}): Lease {
  return {
    holder: 'run-a',
    pid: 100,
    host: 'box',
    machine: 'box pid:[1]',
    processStartedAt: NOW - 60_000,
    port: 3000,
    startedAt: NOW - 60_000,
    renewedAt: NOW - 1_000,
    ...overrides,
  };
}
const me = lease({
  holder: 'run-b',
  pid: 200,
  processStartedAt: NOW,
  startedAt: NOW,
  renewedAt: NOW,
  port: null,
});

describe('judgeLease', () => {
  it('takes a free lease, and its own', () => {
    expect(judgeLease(undefined, me, NOW, alive)).toMatchObject({ take: true, why: 'free' });
    expect(judgeLease(lease({ holder: 'run-b' }), me, NOW, alive)).toMatchObject({ take: true, why: 'ours' });
  });

  it('refuses a fresh lease whose holder runs, on this machine or another', () => {
    expect(judgeLease(lease(), me, NOW, alive)).toEqual({ take: false, holder: lease() });
    const elsewhere = lease({ machine: 'other pid:[1]' });
    // On another machine (or container) the pid cannot be checked: a dead-looking pid means nothing.
    expect(judgeLease(elsewhere, me, NOW, dead)).toEqual({ take: false, holder: elsewhere });
  });

  it('takes over at once when the holder on this machine is gone (a crash, kill -9)', () => {
    expect(judgeLease(lease(), me, NOW, dead)).toMatchObject({ take: true, why: 'holder_gone' });
  });

  it('takes over from an earlier run with the same pid (pid 1 in a restarted container), not from this very process', () => {
    const earlier = lease({ pid: 200, processStartedAt: NOW - 60_000 });
    expect(judgeLease(earlier, me, NOW, alive)).toMatchObject({ take: true, why: 'holder_gone' });
    const sameProcess = lease({ pid: 200, processStartedAt: NOW });
    expect(judgeLease(sameProcess, me, NOW, alive)).toMatchObject({ take: false });
  });

  it('takes over a lease not renewed for the TTL, wherever its holder was, and after the clock was set back', () => {
    const stale = lease({ machine: 'other pid:[1]', renewedAt: NOW - LEASE_TTL_MS });
    expect(judgeLease(stale, me, NOW, alive)).toMatchObject({ take: true, why: 'expired' });
    const fromTheFuture = lease({ machine: 'other pid:[1]', renewedAt: NOW + 3_600_000 });
    expect(judgeLease(fromTheFuture, me, NOW, alive)).toMatchObject({ take: true, why: 'expired' });
    const almost = lease({ machine: 'other pid:[1]', renewedAt: NOW - LEASE_TTL_MS + 1 });
    expect(judgeLease(almost, me, NOW, alive)).toMatchObject({ take: false });
  });
});

describe('parseLease', () => {
  it('reads a stored lease and treats anything else as none', () => {
    expect(parseLease(JSON.stringify(lease()))).toEqual(lease());
    expect(parseLease(undefined)).toBeUndefined();
    expect(parseLease('not json')).toBeUndefined();
    expect(parseLease('{"holder":"x"}')).toBeUndefined();
  });
});

describe('messages', () => {
  it('the refusal is one line naming the holder, what to do, and when a gone holder can be replaced', () => {
    const text = refusal(lease(), './data/leadloop.db', NOW);
    expect(text).not.toContain('\n');
    expect(text).toBe(
      'Another Leadloop is already running on the database ./data/leadloop.db (pid 100 on box, port 3000, since 2026-11-25T11:59:00.000Z). Only one may run per database: stop that one first (systemctl stop leadloop, docker compose stop, Ctrl-C), or set DATABASE_PATH to another database. If it was on another machine or container and is gone, start again in 29 s.',
    );
  });

  it('the holder that lost its lease says by whom and that it stops', () => {
    const text = leaseLost('./data/leadloop.db', lease({ pid: 7, host: 'other' }));
    expect(text).toContain('taken by pid 7 on other');
    expect(text).toContain('Stopping');
    expect(leaseLost('x.db', undefined)).toContain('was removed');
  });
});
