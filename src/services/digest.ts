import type { Clock } from '../clock.js';
import { buildDigest, type Digest } from '../domain/digest.js';
import { isoWeekOf, lastFullWeek, type Period, previousPeriod, resolvePeriod } from '../domain/period.js';
import type { StatsQuery } from '../domain/statsCommand.js';
import type { StatsService } from './stats.js';

const DIGEST_QUERY: StatsQuery = { period: { kind: 'last-week' }, view: 'summary', share: true, help: false };

/** The digest's numbers for a week: by default the last full Monday–Sunday week in TIMEZONE. */
export function digestFor(
  deps: { stats: StatsService; clock: Clock },
  settings: { timezone: string },
  isoWeek?: string,
): Digest {
  const now = deps.clock.now();
  const week: Period = isoWeek
    ? resolvePeriod({ kind: 'iso-week', week: isoWeek }, now, settings.timezone)
    : lastFullWeek(now, settings.timezone);
  const previous = previousPeriod(week, settings.timezone);
  const thisWeek = deps.stats.report(
    DIGEST_QUERY,
    week,
    { start: week.start, end: week.end },
    now,
    undefined,
    {
      reasons: true,
      reasonsByCampaign: true,
      pending: true,
    },
  );
  const lastWeek = deps.stats.report(
    DIGEST_QUERY,
    previous,
    { start: previous.start, end: previous.end },
    now,
    undefined,
    {},
  );
  return buildDigest({
    week,
    previous,
    isoWeek: isoWeekOf(week.start, settings.timezone),
    thisWeek,
    lastWeek,
  });
}
