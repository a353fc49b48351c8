import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from '@slack/logger';
import type { Clock, Timers } from '../clock.js';
import { judgeLease, LEASE_RENEW_MS, type Lease, leaseLost, refusal } from '../domain/lease.js';
import { InstanceRunningError } from '../errors.js';
import { databaseProblem } from '../storage/dbErrors.js';
import type { LeaseStore } from '../storage/lease.js';
import { QueueWorker } from './worker.js';

/** Who this process is, as a lease records it. */
export interface LeaseIdentity {
  pid: number;
  host: string;
  machine: string;
  processStartedAt: number;
}

/** This process: its pid, and the host and pid namespace (Linux) in which that pid is meaningful. */
export function thisProcess(): LeaseIdentity {
  let namespace = '';
  try {
    namespace = ` ${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    // Not Linux: the host name alone says "same machine".
  }
  return {
    pid: process.pid,
    host: hostname(),
    machine: `${hostname()}${namespace}`,
    processStartedAt: Math.round(performance.timeOrigin),
  };
}

/** Whether a process with this pid exists (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface InstanceLeaseDeps {
  leases: LeaseStore;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

export interface InstanceLeaseOptions {
  databasePath: string;
  /** Called once when another bot has taken the lease: this one must stop. */
  onLost: (message: string) => void;
  identity?: LeaseIdentity;
  isAlive?: (pid: number) => boolean;
}

/**
 * The running bot's claim on its database: taken at start (or refused with one line naming the
 * holder), renewed every few seconds while it runs, given back at a clean stop.
 */
export class InstanceLease extends QueueWorker {
  readonly holder = randomUUID();
  private readonly identity: LeaseIdentity;
  private port: number | null = null;
  private startedAt = 0;
  private lost = false;

  constructor(
    private readonly deps: InstanceLeaseDeps,
    private readonly options: InstanceLeaseOptions,
  ) {
    super('database lease', deps.logger, deps.timers);
    this.identity = options.identity ?? thisProcess();
  }

  /** Takes the lease or throws InstanceRunningError (or a DatabaseOpenError: it is the first write). */
  acquire(): void {
    const now = this.deps.clock.now();
    this.startedAt = now;
    const me = this.lease(now);
    const isAlive = this.options.isAlive ?? processAlive;
    let verdict: ReturnType<typeof judgeLease>;
    try {
      verdict = this.deps.leases.acquire(me, (current) => judgeLease(current, me, now, isAlive));
    } catch (error) {
      throw databaseProblem(this.options.databasePath, error);
    }
    if (!verdict.take)
      throw new InstanceRunningError(refusal(verdict.holder, this.options.databasePath, now));
    const previous = verdict.previous;
    if (previous && (verdict.why === 'expired' || verdict.why === 'holder_gone')) {
      const why = verdict.why === 'expired' ? 'not renewed for 30 s or more' : 'its process is gone';
      this.deps.logger.warn(
        `Took over the database lease of the Leadloop that ran as pid ${previous.pid} on ${previous.host} (${why}).`,
      );
    }
  }

  /** Starts renewing, recording the port the bot now listens on. */
  listening(port: number): void {
    this.port = port;
    this.start();
  }

  protected async step(): Promise<number | undefined> {
    if (this.lost) return undefined;
    let result: ReturnType<LeaseStore['renew']>;
    try {
      result = this.deps.leases.renew(this.holder, { renewedAt: this.deps.clock.now(), port: this.port });
    } catch (error) {
      // Busy (another process writing) or a disk problem: the lease holds for a TTL, so retry.
      this.deps.logger.warn(
        `Could not renew the database lease; retrying in ${LEASE_RENEW_MS / 1000} s`,
        error,
      );
      return LEASE_RENEW_MS;
    }
    if (result.renewed) return LEASE_RENEW_MS;
    this.lost = true;
    this.options.onLost(leaseLost(this.options.databasePath, result.current));
    return undefined;
  }

  override async stop(): Promise<void> {
    await super.stop();
    if (this.lost) return;
    try {
      this.deps.leases.release(this.holder);
    } catch (error) {
      // The next start takes it over once it expires; nothing else depends on this.
      this.deps.logger.warn('Could not release the database lease at stop', error);
    }
  }

  private lease(now: number): Lease {
    return {
      holder: this.holder,
      ...this.identity,
      port: this.port,
      startedAt: this.startedAt,
      renewedAt: now,
    };
  }
}
