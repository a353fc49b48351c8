import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { type GenerateOptions, type LoadResult, loadHistory } from '../../sandbox/generate.js';
import { openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import type { BenchContext } from './context.js';
import { OUT_DIR, REPO_DIR } from './paths.js';
import { fmt } from './report.js';
import { LEADS_CHANNEL } from './targets.js';

/**
 * The large lead history the stats and digest measures run on: generated once by
 * sandbox/generate.ts's loadHistory into bench/out/stats/leads-<N>.db, with a side file
 * (<db>.json) naming what it was built from. The parameters, the file names and the side file are
 * the ones bench/measures/stats.ts uses, so both measures find and reuse the same database;
 * keep them in step (or make stats.ts import this module).
 */

export const STATS_DAY_MS = 86_400_000;
/** The data ends on a Monday at 17:00 UTC; measures fix their clock at that time. */
export const STATS_DATA_END = Date.UTC(2026, 10, 16, 17, 0);
export const STATS_DATA_DAYS = 730;
export const STATS_DB_DIR = join(OUT_DIR, 'stats');

/** Leads in the database: BENCH_STATS_LEADS, else 1,000,000 (50,000 with --quick). */
export function statsLeads(quick: boolean): number {
  const raw = process.env.BENCH_STATS_LEADS?.trim().replace(/_/g, '');
  if (raw === undefined || raw === '') return quick ? 50_000 : 1_000_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1_000) {
    throw new Error(`BENCH_STATS_LEADS must be a whole number of at least 1000, e.g. 100000; got "${raw}"`);
  }
  return value;
}

/** Two years of leads in 300 campaigns from 40 reps (key order matters: the side file compares JSON). */
export function statsGenerateOptions(leads: number): GenerateOptions {
  return {
    seed: 20_261_116,
    leads,
    start: STATS_DATA_END - STATS_DATA_DAYS * STATS_DAY_MS,
    end: STATS_DATA_END,
    campaigns: 300,
    reps: 40,
    now: STATS_DATA_END,
    channel: LEADS_CHANNEL,
  };
}

export interface StatsDbSideFile {
  params: { options: GenerateOptions; source: string };
  load: LoadResult;
  builtAt: string;
  campaigns: number;
  bytes: number;
}

export interface StatsDb {
  path: string;
  side: StatsDbSideFile;
  /** Found in the cache rather than built by this call. */
  reused: boolean;
}

/**
 * What the database depends on besides the options: the generator and the migrations (the schema
 * the rows were written in). A change to either builds it again.
 */
export function statsSourceFingerprint(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(REPO_DIR, 'sandbox', 'generate.ts')));
  const migrations = join(REPO_DIR, 'drizzle');
  for (const file of readdirSync(migrations)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(join(migrations, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** The cached database for `options` if it is current; otherwise builds it (minutes at 1M leads). */
export function ensureStatsDatabase(
  ctx: BenchContext,
  options: GenerateOptions,
  /** Prefix of the progress lines, e.g. the measure's name. */
  label: string,
): StatsDb {
  mkdirSync(STATS_DB_DIR, { recursive: true });
  const path = join(STATS_DB_DIR, `leads-${options.leads}.db`);
  const sidePath = `${path}.json`;
  const params = { options, source: statsSourceFingerprint() };
  if (existsSync(path) && existsSync(sidePath)) {
    try {
      const side = JSON.parse(readFileSync(sidePath, 'utf8')) as StatsDbSideFile;
      if (JSON.stringify(side.params) === JSON.stringify(params)) {
        ctx.progress(`${label}: reusing ${path} (built ${side.builtAt})`);
        return { path, side, reused: true };
      }
      ctx.progress(
        `${label}: the cached database was built with other parameters or code; building it again`,
      );
    } catch {
      // An unreadable side file: build again.
    }
  }
  // A name of this process's own: another bench building the same database at the same time
  // cannot clobber this build; whichever finishes last leaves its (identical) file in place.
  const building = `${path}.building-${process.pid}`;
  removeDb(building);
  ctx.progress(
    `${label}: generating ${fmt.int(options.leads)} leads over ${STATS_DATA_DAYS} days in ${options.campaigns} campaigns (minutes at 1M)`,
  );
  let load: LoadResult;
  let campaigns: number;
  try {
    const db = openDatabase(building);
    try {
      let nextReport = 0;
      const began = performance.now();
      load = loadHistory(new Store(db), options, ({ leads, total }) => {
        if (leads < nextReport && leads < total) return;
        nextReport = leads + Math.max(50_000, Math.round(total / 10));
        const s = (performance.now() - began) / 1000;
        const eta = (s / leads) * (total - leads);
        ctx.progress(
          `${label}: ${fmt.int(leads)} / ${fmt.int(total)} leads stored, ${s.toFixed(0)} s${leads < total ? `, ~${eta.toFixed(0)} s to go` : ''}`,
        );
      });
      campaigns = (db.$client.prepare('SELECT count(*) AS n FROM campaigns').get() as { n: number }).n;
    } finally {
      // Closing the last connection checkpoints the WAL into the file: the file alone is the database.
      db.$client.close();
    }
  } catch (error) {
    removeDb(building);
    throw error;
  }
  removeDb(path);
  rmSync(sidePath, { force: true });
  renameSync(building, path);
  removeDb(building);
  const side: StatsDbSideFile = {
    params,
    load,
    builtAt: new Date().toISOString(),
    campaigns,
    bytes: statSync(path).size,
  };
  writeFileSync(sidePath, `${JSON.stringify(side, null, 2)}\n`);
  return { path, side, reused: false };
}
