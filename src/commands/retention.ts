import { parseArgs } from 'node:util';
import { type Clock, systemTimers } from '../clock.js';
import { parseConfig, readEnvironment } from '../config.js';
import { UsageError } from '../errors.js';
import { DAY_MS, Housekeeping } from '../jobs/housekeeping.js';
import { createLogger } from '../logger.js';
import { openDatabase } from '../storage/db.js';
import { RetentionStore } from '../storage/retention.js';
import { Store } from '../storage/store.js';
import { type CommandIo, line } from './io.js';

export const RETENTION_HELP = `leadloop retention [--dry-run]

Erases now what the running bot erases every hour when RETENTION_DAYS is set: the personal fields
(name, email, phone, title, notes, CRM link, and reps' notes on their decisions) of leads received
more than RETENTION_DAYS days ago. Campaign, source, score, company, country, times, states and
reasons stay, so /leadstats and the digest do not change. Erasure cannot be undone (except by
restoring a backup). Safe while the bot runs: it works in small batches.

  --dry-run   only say how many leads would be erased

Why these fields: docs/decisions/0006-retention.md.`;

export async function retentionCommand(args: string[], io: CommandIo, clock: Clock): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false } } });
  const config = parseConfig(readEnvironment(io.env, io.cwd), 'local');
  const days = config.retentionDays;
  if (days === undefined) {
    throw new UsageError(
      'RETENTION_DAYS is not set, so nothing is ever erased: set it in the environment or .env, e.g. RETENTION_DAYS=365.',
    );
  }
  const cutoff = clock.now() - days * DAY_MS;
  const before = new Date(cutoff).toISOString();
  const db = openDatabase(config.databasePath);
  try {
    const retention = new RetentionStore(db);
    if (values['dry-run']) {
      const due = retention.countDue(cutoff);
      line(
        io.stdout,
        `${due} lead(s) received before ${before} (RETENTION_DAYS=${days}) would have their personal fields erased. Nothing was changed.`,
      );
      return 0;
    }
    const housekeeping = new Housekeeping(
      {
        store: new Store(db),
        retention,
        clock,
        timers: systemTimers,
        logger: createLogger('warn', io.stderr),
      },
      { retentionDays: days, pauseMs: 0 },
    );
    const erased = await housekeeping.eraseExpired();
    line(
      io.stdout,
      `Erased the personal fields of ${erased} lead(s) received before ${before} (RETENTION_DAYS=${days}).`,
    );
    return 0;
  } finally {
    db.$client.close();
  }
}
