import type { StatsQuery } from '../domain/statsCommand.js';
import type { StatsOutcome } from '../domain/statsReport.js';
import type { StatsSettings } from '../services/stats.js';

/** What the main thread and the stats worker thread say to each other. */

export interface StatsThreadData {
  databasePath: string;
  settings: StatsSettings;
}

export interface StatsThreadRequest {
  id: number;
  query: StatsQuery;
  now: number;
}

export type StatsThreadReply = { id: number; outcome: StatsOutcome } | { id: number; error: string };
