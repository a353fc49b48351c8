import { z } from 'zod';

/**
 * One Leadloop per database: the running bot holds a lease, a row in the database renewed every
 * few seconds. Pure rules here: whether a starting bot may take the lease, and what it says when
 * it may not. See docs/decisions/0008-one-instance-per-database.md.
 */

/** A lease not renewed for this long belongs to a bot that is gone (crashed, frozen, unplugged). */
export const LEASE_TTL_MS = 30_000;
/** The holder renews this often: several renewals fit in one TTL, so a slow one costs nothing. */
export const LEASE_RENEW_MS = 5_000;

export const leaseSchema = z.object({
  /** Random per run: tells this run from an earlier one with the same pid (pid 1 in a container). */
  holder: z.string().min(1),
  pid: z.number().int(),
  /** The host name, for people. */
  host: z.string(),
  /** Host and pid namespace: where `pid` means a process that can be checked for life. */
  machine: z.string(),
  /** When the holder's process started (ms since the epoch, from the OS clock). */
  processStartedAt: z.number(),
  port: z.number().int().nullable(),
  startedAt: z.number(),
  renewedAt: z.number(),
});

export type Lease = z.infer<typeof leaseSchema>;

/** A stored value that is not a lease (hand-edited, from a future version) is treated as no lease. */
export function parseLease(value: string | undefined): Lease | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = leaseSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type LeaseVerdict =
  | { take: true; why: 'free' | 'expired' | 'holder_gone' | 'ours'; previous: Lease | undefined }
  | { take: false; holder: Lease };

/**
 * Whether `me` may take the lease that `current` holds at `now`. It may when there is none, when
 * it is ours, when it was not renewed for a TTL, or when its holder shares our machine and its
 * process is gone (a crash on this machine is taken over at once, not after the TTL). A holder's
 * pid equal to ours, from a process started before ours, is an earlier run of this same
 * container (pid 1 again after a restart).
 */
export function judgeLease(
  current: Lease | undefined,
  me: Lease,
  now: number,
  isAlive: (pid: number) => boolean,
  ttlMs: number = LEASE_TTL_MS,
): LeaseVerdict {
  if (current === undefined) return { take: true, why: 'free', previous: undefined };
  if (current.holder === me.holder) return { take: true, why: 'ours', previous: current };
  // Either way round: a clock set back must not keep a dead holder's lease fresh for hours.
  if (Math.abs(now - current.renewedAt) >= ttlMs) return { take: true, why: 'expired', previous: current };
  if (current.machine === me.machine) {
    const earlierRunOfUs = current.pid === me.pid && current.processStartedAt < me.processStartedAt;
    if (earlierRunOfUs || (current.pid !== me.pid && !isAlive(current.pid)))
      return { take: true, why: 'holder_gone', previous: current };
  }
  return { take: false, holder: current };
}

/** The one line a second `leadloop start` prints before it exits. */
export function refusal(
  holder: Lease,
  databasePath: string,
  now: number,
  ttlMs: number = LEASE_TTL_MS,
): string {
  const where = `pid ${holder.pid} on ${holder.host}${holder.port === null ? '' : `, port ${holder.port}`}`;
  const waitS = Math.max(1, Math.ceil((holder.renewedAt + ttlMs - now) / 1000));
  return `Another Leadloop is already running on the database ${databasePath} (${where}, since ${new Date(holder.startedAt).toISOString()}). Only one may run per database: stop that one first (systemctl stop leadloop, docker compose stop, Ctrl-C), or set DATABASE_PATH to another database. If it was on another machine or container and is gone, start again in ${waitS} s.`;
}

/** What the holder logs when it finds its lease taken: it stops at once, so two never run on. */
export function leaseLost(databasePath: string, taker: Lease | undefined): string {
  const by = taker === undefined ? 'removed' : `taken by pid ${taker.pid} on ${taker.host}`;
  return `This Leadloop's lease on the database ${databasePath} was ${by} (it did not renew it for ${LEASE_TTL_MS / 1000} s: frozen, suspended or cut off from the disk). Stopping so that only one Leadloop runs on it; start this one again only after stopping the other.`;
}
