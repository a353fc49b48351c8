import { randomInt } from 'node:crypto';
import { endianness } from 'node:os';
import { and, asc, eq, gte, inArray, isNull, like, lt, sql } from 'drizzle-orm';
import { type Counts, concatNumbers, ZERO_COUNTS } from '../domain/stats.js';
import type { Db } from './db.js';
import {
  campaigns,
  decisions,
  leads,
  statsBucketReps,
  statsBuckets,
  statsBuilding,
  statsFresh,
} from './schema.js';

/**
 * The stats queries. A cohort is the leads posted in [start, end) (ms), optionally of some
 * campaigns. Its numbers come from two places that give the same answer:
 * - whole UTC months and days rolled up in stats_buckets / stats_bucket_reps and still fresh
 *   (triggers unlist a bucket whenever one of its leads or decisions changes);
 * - everything else, read from leads (and decisions) over covering indexes: the ragged ends of
 *   the period (less than a day each), today, and buckets changed since they were built.
 * A bucket is rolled up on first use once it has ended. Which of its pending leads breach the SLA
 * depends on "now", so it keeps their post times and counts them when read. The rollup is a
 * cache: deleting every row of those tables changes no answer, only how long the next one takes.
 * No function here reads the clock.
 */

export interface Cohort {
  start: number;
  end: number;
  campaignIds?: readonly number[];
}

/** Decision times in pieces as they were read (a rollup's, a scan's), each sorted ascending. */
export type TimeChunks = Float64Array[];

/** Index of the first value at or above `limit` in an ascending array: how many are below it. */
function firstAtLeast(sorted: Float64Array, limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) >= limit) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index of the first value above `limit` in an ascending array. */
function firstAbove(sorted: Float64Array, limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) > limit) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The numbers of the leads of one campaign and source in a cohort. */
export interface CohortCell extends Counts {
  campaignId: number;
  source: string | null;
  /** Of `pending`, those waiting longer than the SLA now. */
  pendingBreached: number;
  /** Time to decision (ms) of every decided lead. */
  times: TimeChunks;
  /** Rejected leads by reason (null: no reason given). */
  reasons: Map<string | null, number>;
}

/** One rep's standing decisions on the leads of a cohort. */
export interface RepCell {
  userId: string;
  accepted: number;
  rejected: number;
  /** Per lead decided: time from the post to the rep's first standing decision (ms). */
  times: TimeChunks;
}

export interface OldestPending {
  id: number;
  name: string | null;
  email: string | null;
  company: string | null;
  campaign: string;
  postedAt: number | null;
  channel: string | null;
  ts: string | null;
}

// ---------------------------------------------------------------------------------------------
// Buckets: UTC months (YYYYMM) and days (YYYYMMDD), as the rollup and its triggers key them

const DAY_MS = 86_400_000;

export interface Bucket {
  key: number;
  start: number;
  end: number;
}

export function utcMonthOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

export function utcMonthStart(month: number): number {
  return Date.UTC(Math.floor(month / 100), (month % 100) - 1, 1);
}

export function nextUtcMonth(month: number): number {
  return month % 100 === 12 ? (Math.floor(month / 100) + 1) * 100 + 1 : month + 1;
}

function monthBucket(month: number): Bucket {
  return { key: month, start: utcMonthStart(month), end: utcMonthStart(nextUtcMonth(month)) };
}

function dayBucket(dayStart: number): Bucket {
  const d = new Date(dayStart);
  return {
    key: d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate(),
    start: dayStart,
    end: dayStart + DAY_MS,
  };
}

export interface CohortPlan {
  /** Whole UTC months, then whole UTC days, inside [start, end) that end by `cacheableBefore`. */
  buckets: Bucket[];
  /** The rest of [start, end), to read from the leads. */
  raw: [number, number][];
}

/**
 * Splits [start, end) into whole UTC months and days that may come from the rollup (those that end
 * by `cacheableBefore`), and the rest.
 */
export function planCohort(start: number, end: number, cacheableBefore: number): CohortPlan {
  const buckets: Bucket[] = [];
  const limit = Math.min(end, cacheableBefore);
  // Months first: the largest whole-month stretch of [start, limit).
  let month = utcMonthOf(start);
  if (utcMonthStart(month) < start) month = nextUtcMonth(month);
  const months: Bucket[] = [];
  for (let b = monthBucket(month); b.end <= limit; b = monthBucket(nextUtcMonth(b.key))) months.push(b);
  const gaps: [number, number][] =
    months.length === 0
      ? [[start, end]]
      : [
          [start, (months[0] as Bucket).start],
          [(months[months.length - 1] as Bucket).end, end],
        ];
  buckets.push(...months);
  // Then whole days in what is left on either side; what remains is read from the leads.
  const raw: [number, number][] = [];
  for (const [from, to] of gaps) {
    if (from >= to) continue;
    const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
    let day = firstDay;
    while (day + DAY_MS <= Math.min(to, limit)) {
      buckets.push(dayBucket(day));
      day += DAY_MS;
    }
    if (day === firstDay) raw.push([from, to]);
    else {
      if (from < firstDay) raw.push([from, firstDay]);
      if (day < to) raw.push([day, to]);
    }
  }
  buckets.sort((a, b) => a.start - b.start);
  raw.sort((a, b) => a[0] - b[0]);
  return { buckets, raw };
}

// ---------------------------------------------------------------------------------------------
// Rollup blobs: sorted float64 arrays, little-endian whatever the machine

const LITTLE_ENDIAN = endianness() === 'LE';

function encodeTimes(sorted: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(sorted.buffer, sorted.byteOffset, sorted.byteLength);
  const buffer = Buffer.alloc(sorted.byteLength);
  for (let i = 0; i < sorted.length; i++) buffer.writeDoubleLE(sorted[i] as number, i * 8);
  return buffer;
}

function decodeTimes(blob: Uint8Array): Float64Array {
  const n = blob.byteLength / 8;
  if (LITTLE_ENDIAN && blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, n);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Accumulators

function newCell(campaignId: number, source: string | null): CohortCell {
  return { campaignId, source, ...ZERO_COUNTS, pendingBreached: 0, times: [], reasons: new Map() };
}

class CellSet {
  private readonly byCampaign = new Map<number, Map<string | null, CohortCell>>();
  /** Each cell's times read by scans, in no order until finish() sorts them into a chunk. */
  private readonly scanned = new Map<CohortCell, number[]>();
  /** With `keepPending`: each cell's pending leads' post times, for a rollup. */
  readonly pendingPosted = new Map<CohortCell, number[]>();

  constructor(readonly keepPending = false) {}

  scanList(cell: CohortCell): number[] {
    let list = this.scanned.get(cell);
    if (!list) {
      list = [];
      this.scanned.set(cell, list);
    }
    return list;
  }

  cell(campaignId: number, source: string | null): CohortCell {
    let bySource = this.byCampaign.get(campaignId);
    if (!bySource) {
      bySource = new Map();
      this.byCampaign.set(campaignId, bySource);
    }
    let cell = bySource.get(source);
    if (!cell) {
      cell = newCell(campaignId, source);
      bySource.set(source, cell);
    }
    return cell;
  }

  /** The cells, with SLA breaches counted: pending past the SLA, or first decided after it. */
  finish(slaMs: number): CohortCell[] {
    const cells = [...this.byCampaign.values()].flatMap((bySource) => [...bySource.values()]);
    for (const [cell, list] of this.scanned) cell.times.push(Float64Array.from(list).sort());
    for (const cell of cells) {
      // The late ones are the tail of each sorted chunk past the SLA.
      let late = 0;
      for (const chunk of cell.times) late += chunk.length - firstAbove(chunk, slaMs);
      cell.slaBreaches = cell.pendingBreached + late;
    }
    return cells;
  }
}

function addReason(reasons: Map<string | null, number>, reason: string | null, count: number) {
  reasons.set(reason, (reasons.get(reason) ?? 0) + count);
}

interface RepLeadEntry {
  userId: string;
  verdict: 'accept' | 'reject';
  latestAt: number;
  latestId: number;
  firstAt: number;
  postedAt: number;
}

class RepSet {
  private readonly byUser = new Map<string, RepCell>();
  /** Each rep's times read by scans, in no order until reps() sorts them into a chunk. */
  private readonly scanned = new Map<RepCell, number[]>();

  rep(userId: string): RepCell {
    let rep = this.byUser.get(userId);
    if (!rep) {
      rep = { userId, accepted: 0, rejected: 0, times: [] };
      this.byUser.set(userId, rep);
    }
    return rep;
  }

  /** One rep's standing verdict on one lead. */
  add(entry: RepLeadEntry) {
    const rep = this.rep(entry.userId);
    if (entry.verdict === 'accept') rep.accepted += 1;
    else rep.rejected += 1;
    const list = this.scanned.get(rep) ?? [];
    list.push(entry.firstAt - entry.postedAt);
    this.scanned.set(rep, list);
  }

  reps(): RepCell[] {
    for (const [rep, list] of this.scanned) rep.times.push(Float64Array.from(list).sort());
    this.scanned.clear();
    return [...this.byUser.values()];
  }
}

/** One bucket's numbers as computed from the leads, to be published. */
interface BucketRollup {
  cells: CohortCell[];
  pendingPosted: ReadonlyMap<CohortCell, number[]>;
  reps: RepCell[];
}

/** A fresh bucket's rows of one rollup table, decoded. Shared between queries: never mutated. */
interface BucketCellRow {
  campaignId: number;
  source: string | null;
  posted: number;
  accepted: number;
  rejected: number;
  rejectedNoReason: number;
  pending: number;
  times: Float64Array;
  reasons: [string | null, number][];
  pendingPosted: Float64Array;
}

interface BucketRepRow {
  userId: string;
  accepted: number;
  rejected: number;
  times: Float64Array;
}

/**
 * Decoded rollup rows of fresh buckets, by bucket and version, least recently used out first.
 * A bucket's rows change only with its version (publishBucket draws a new one), so an entry
 * whose version is still the fresh one is still right.
 */
class DecodedBuckets<Row extends { times: Float64Array }> {
  private readonly entries = new Map<number, { version: number; rows: Row[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  get(bucket: number, version: number): Row[] | undefined {
    const entry = this.entries.get(bucket);
    if (!entry || entry.version !== version) return undefined;
    this.entries.delete(bucket);
    this.entries.set(bucket, entry);
    return entry.rows;
  }

  set(bucket: number, version: number, rows: Row[]): void {
    const old = this.entries.get(bucket);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(bucket);
    }
    const bytes = rows.reduce((n, r) => n + r.times.byteLength + 200, 0);
    this.entries.set(bucket, { version, rows, bytes });
    this.bytes += bytes;
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.limitBytes) break;
      this.entries.delete(key);
      this.bytes -= entry.bytes;
    }
  }
}

/** Up to this many bytes of decoded rows per rollup table stay in memory between queries. */
const DECODED_LIMIT_BYTES = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------

export interface StatsStoreOptions {
  /**
   * Read and build month rollups (default true). Off, every number is read from the leads and
   * decisions themselves: tests compare the two, and a read-only database needs no writes.
   */
  rollups?: boolean;
}

export class StatsStore {
  private readonly rollups: boolean;
  private readonly decodedCells = new DecodedBuckets<BucketCellRow>(DECODED_LIMIT_BYTES);
  private readonly decodedReps = new DecodedBuckets<BucketRepRow>(DECODED_LIMIT_BYTES);

  constructor(
    private readonly db: Db,
    options: StatsStoreOptions = {},
  ) {
    this.rollups = options.rollups ?? true;
  }

  /** The cohort's numbers by campaign and source. `now` and `slaMs` decide which pending leads breach the SLA. */
  cohortCells(cohort: Cohort, now: number, slaMs: number): CohortCell[] {
    const breachBefore = now - slaMs;
    const plan = this.plan(cohort, now);
    return this.readFresh(plan, now, (fresh, ranges) => {
      const set = new CellSet();
      for (const [start, end] of ranges) this.scanLeads(set, start, end, cohort.campaignIds, breachBefore);
      this.readBuckets(set, fresh, cohort.campaignIds, breachBefore);
      return set.finish(slaMs);
    });
  }

  /** Each rep's standing decisions on the cohort's leads (the latest verdict per lead). */
  repCells(cohort: Cohort, now: number): RepCell[] {
    // Rollups are per rep, not per campaign: a campaign filter reads the decisions themselves.
    const plan =
      cohort.campaignIds === undefined ? this.plan(cohort, now) : this.plan(cohort, Number.NEGATIVE_INFINITY);
    return this.readFresh(plan, now, (fresh, ranges) => {
      const set = new RepSet();
      for (const [start, end] of ranges) this.scanReps(set, start, end, cohort.campaignIds);
      for (const row of this.freshRows(fresh, this.decodedReps, (keys) => this.loadRepRows(keys))) {
        const rep = set.rep(row.userId);
        rep.accepted += row.accepted;
        rep.rejected += row.rejected;
        if (row.times.length > 0) rep.times.push(row.times);
      }
      return set.reps();
    });
  }

  /**
   * Runs `read` in one read transaction with the plan's fresh buckets (and their versions) and the
   * ranges to read from the leads. Buckets found stale are rolled up first and the read done again
   * (once: what changes meanwhile is read from the leads).
   */
  private readFresh<T>(
    plan: CohortPlan,
    now: number,
    read: (fresh: Map<number, number>, ranges: [number, number][]) => T,
  ): T {
    let built = false;
    for (;;) {
      const outcome = this.db.transaction(
        (): { done: true; result: T } | { done: false; stale: Bucket[] } => {
          const fresh = this.freshVersions(plan.buckets);
          const stale = plan.buckets.filter((b) => !fresh.has(b.key));
          if (stale.length > 0 && !built) return { done: false, stale };
          const ranges = [...plan.raw, ...stale.map((b): [number, number] => [b.start, b.end])];
          return { done: true, result: read(fresh, ranges) };
        },
      );
      if (outcome.done) return outcome.result;
      this.rollUp(outcome.stale, now);
      built = true;
    }
  }

  /** The oldest pending leads of the cohort, the longest waiting first. */
  oldestPending(cohort: Cohort, limit: number): OldestPending[] {
    return this.db
      .select({
        id: leads.id,
        name: leads.name,
        email: leads.email,
        company: leads.company,
        campaign: campaigns.name,
        postedAt: leads.postedAt,
        channel: leads.postChannel,
        ts: leads.postTs,
      })
      .from(leads)
      .innerJoin(campaigns, eq(campaigns.id, leads.campaignId))
      .where(and(this.cohortWhere(cohort.start, cohort.end, cohort.campaignIds), sql`state = 'pending'`))
      .orderBy(asc(leads.postedAt))
      .limit(limit)
      .all();
  }

  /** Campaigns whose normalised name starts with `keyPrefix` (itself normalised by the caller). */
  campaignsByPrefix(keyPrefix: string): { id: number; key: string; name: string }[] {
    const escaped = keyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db
      .select({ id: campaigns.id, key: campaigns.key, name: campaigns.name })
      .from(campaigns)
      .where(like(campaigns.key, sql`${`${escaped}%`} ESCAPE '\\'`))
      .orderBy(asc(campaigns.key))
      .all();
  }

  campaignNames(ids: readonly number[]): Map<number, string> {
    if (ids.length === 0) return new Map();
    const rows = this.db
      .select({ id: campaigns.id, name: campaigns.name })
      .from(campaigns)
      .where(inArray(campaigns.id, [...ids]))
      .all();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * Rolls up buckets found stale. Each is claimed, computed from a read snapshot and published in
   * two short write transactions, so writers never wait for the computation; a bucket that
   * changed meanwhile lost its claim (triggers) and is simply not published.
   */
  private rollUp(stale: readonly Bucket[], now: number): void {
    for (const bucket of stale) {
      try {
        this.db.transaction(
          () => {
            this.db
              .insert(statsBuilding)
              .values({ bucket: bucket.key, claimedAt: now })
              .onConflictDoUpdate({ target: statsBuilding.bucket, set: { claimedAt: now } })
              .run();
          },
          { behavior: 'immediate' },
        );
        const rollup = this.db.transaction(() => this.computeBucket(bucket));
        this.db.transaction(
          () => {
            const claimed = this.db
              .select({ bucket: statsBuilding.bucket })
              .from(statsBuilding)
              .where(eq(statsBuilding.bucket, bucket.key))
              .get();
            if (claimed) this.publishBucket(bucket, rollup, now);
          },
          { behavior: 'immediate' },
        );
      } catch (error) {
        // A cache that cannot be written (a read-only file, a full disk, a long write elsewhere)
        // only costs speed: the bucket is read from the leads instead.
        if (!isUnwritable(error)) throw error;
      }
    }
  }

  // -------------------------------------------------------------------------------------------

  private cohortWhere(start: number, end: number, campaignIds: readonly number[] | undefined) {
    return and(
      gte(leads.postedAt, start),
      lt(leads.postedAt, end),
      campaignIds ? inArray(leads.campaignId, [...campaignIds]) : undefined,
    );
  }

  /** Without rollups (or with none allowed before `cacheableBefore`), the whole period is read. */
  private plan(cohort: Cohort, cacheableBefore: number): CohortPlan {
    if (!this.rollups)
      return { buckets: [], raw: cohort.start < cohort.end ? [[cohort.start, cohort.end]] : [] };
    return planCohort(cohort.start, cohort.end, cacheableBefore);
  }

  /** The fresh buckets among these, with the version of their rows. */
  private freshVersions(buckets: readonly Bucket[]): Map<number, number> {
    if (buckets.length === 0) return new Map();
    const rows = this.db
      .select({ bucket: statsFresh.bucket, version: statsFresh.version })
      .from(statsFresh)
      .where(
        inArray(
          statsFresh.bucket,
          buckets.map((b) => b.key),
        ),
      )
      .all();
    return new Map(rows.map((r) => [r.bucket, r.version]));
  }

  /** Adds the leads posted in [start, end) to `set`, over the covering cohort index. */
  private scanLeads(
    set: CellSet,
    start: number,
    end: number,
    campaignIds: readonly number[] | undefined,
    breachBefore: number,
  ) {
    const rows = this.db
      .select({
        campaignId: leads.campaignId,
        source: leads.source,
        state: leads.state,
        reason: leads.stateReason,
        ms: sql<number | null>`${leads.firstDecidedAt} - ${leads.postedAt}`,
        postedAt: leads.postedAt,
      })
      .from(leads)
      .where(this.cohortWhere(start, end, campaignIds))
      .values() as [number, string | null, string, string | null, number | null, number][];
    let cell: CohortCell | undefined;
    for (const [campaignId, source, state, reason, ms, postedAt] of rows) {
      if (cell === undefined || cell.campaignId !== campaignId || cell.source !== source)
        cell = set.cell(campaignId, source);
      cell.posted += 1;
      if (state === 'accepted') cell.accepted += 1;
      else if (state === 'rejected') {
        cell.rejected += 1;
        if (reason === null) cell.rejectedNoReason += 1;
        addReason(cell.reasons, reason, 1);
      } else {
        cell.pending += 1;
        if (postedAt < breachBefore) cell.pendingBreached += 1;
        if (set.keepPending) {
          const list = set.pendingPosted.get(cell) ?? [];
          list.push(postedAt);
          set.pendingPosted.set(cell, list);
        }
      }
      if (ms !== null) set.scanList(cell).push(ms);
    }
  }

  /** Adds the rollup rows of fresh buckets to `set`, counting their pending leads posted before `breachBefore`. */
  private readBuckets(
    set: CellSet,
    fresh: ReadonlyMap<number, number>,
    campaignIds: readonly number[] | undefined,
    breachBefore: number,
  ) {
    const only = campaignIds ? new Set(campaignIds) : undefined;
    for (const row of this.freshRows(fresh, this.decodedCells, (keys) => this.loadCellRows(keys))) {
      if (only && !only.has(row.campaignId)) continue;
      const cell = set.cell(row.campaignId, row.source);
      cell.posted += row.posted;
      cell.accepted += row.accepted;
      cell.rejected += row.rejected;
      cell.rejectedNoReason += row.rejectedNoReason;
      cell.pending += row.pending;
      cell.pendingBreached += firstAtLeast(row.pendingPosted, breachBefore);
      if (row.times.length > 0) cell.times.push(row.times);
      for (const [reason, count] of row.reasons) addReason(cell.reasons, reason, count);
    }
  }

  /**
   * The rows of the fresh buckets, from memory where the version still matches, the rest read
   * (inside the caller's read transaction, so rows and versions agree) and kept for next time.
   */
  private freshRows<Row extends { times: Float64Array }>(
    fresh: ReadonlyMap<number, number>,
    decoded: DecodedBuckets<Row>,
    load: (buckets: number[]) => Map<number, Row[]>,
  ): Row[] {
    const out: Row[] = [];
    const missing: number[] = [];
    for (const [bucket, version] of fresh) {
      const rows = decoded.get(bucket, version);
      if (rows) out.push(...rows);
      else missing.push(bucket);
    }
    if (missing.length > 0) {
      for (const [bucket, rows] of load(missing)) {
        decoded.set(bucket, fresh.get(bucket) as number, rows);
        out.push(...rows);
      }
    }
    return out;
  }

  private loadCellRows(buckets: number[]): Map<number, BucketCellRow[]> {
    const rows = this.db
      .select({
        bucket: statsBuckets.bucket,
        campaignId: statsBuckets.campaignId,
        source: statsBuckets.source,
        posted: statsBuckets.posted,
        accepted: statsBuckets.accepted,
        rejected: statsBuckets.rejected,
        rejectedNoReason: statsBuckets.rejectedNoReason,
        pending: statsBuckets.pending,
        times: statsBuckets.times,
        reasons: statsBuckets.reasons,
        pendingPosted: statsBuckets.pendingPosted,
      })
      .from(statsBuckets)
      .where(inArray(statsBuckets.bucket, buckets))
      .all();
    return groupByBucket(
      buckets,
      rows.map(({ times, reasons, pendingPosted, ...row }) => ({
        ...row,
        times: decodeTimes(times),
        reasons: JSON.parse(reasons) as [string | null, number][],
        pendingPosted: decodeTimes(pendingPosted),
      })),
    );
  }

  private loadRepRows(buckets: number[]): Map<number, BucketRepRow[]> {
    const rows = this.db
      .select({
        bucket: statsBucketReps.bucket,
        userId: statsBucketReps.userId,
        accepted: statsBucketReps.accepted,
        rejected: statsBucketReps.rejected,
        times: statsBucketReps.times,
      })
      .from(statsBucketReps)
      .where(inArray(statsBucketReps.bucket, buckets))
      .all();
    return groupByBucket(
      buckets,
      rows.map(({ times, ...row }) => ({ ...row, times: decodeTimes(times) })),
    );
  }

  /** Adds each rep's standing verdict on each lead posted in [start, end) to `set`. */
  private scanReps(set: RepSet, start: number, end: number, campaignIds?: readonly number[]) {
    const columns = {
      leadId: decisions.leadId,
      userId: decisions.userId,
      verdict: decisions.verdict,
      decidedAt: decisions.decidedAt,
      id: decisions.id,
      postedAt: decisions.leadPostedAt,
    };
    type Row = [number, string, 'accept' | 'reject', number, number, number];
    // Without a campaign filter, one range of the covering index decisions_cohort_idx.
    const rows = (
      campaignIds === undefined
        ? this.db
            .select(columns)
            .from(decisions)
            .where(
              and(
                gte(decisions.leadPostedAt, start),
                lt(decisions.leadPostedAt, end),
                isNull(decisions.retractedAt),
              ),
            )
            .values()
        : this.db
            .select(columns)
            .from(leads)
            .innerJoin(decisions, eq(decisions.leadId, leads.id))
            .where(and(this.cohortWhere(start, end, campaignIds), isNull(decisions.retractedAt)))
            .values()
    ) as Row[];
    // Per lead, per rep: the latest standing verdict and the first standing decision.
    const byLead = new Map<number, RepLeadEntry[]>();
    for (const [leadId, userId, verdict, decidedAt, id, postedAt] of rows) {
      let entries = byLead.get(leadId);
      if (!entries) {
        entries = [];
        byLead.set(leadId, entries);
      }
      const seen = entries.find((e) => e.userId === userId);
      if (!seen) {
        entries.push({ userId, verdict, latestAt: decidedAt, latestId: id, firstAt: decidedAt, postedAt });
        continue;
      }
      if (decidedAt > seen.latestAt || (decidedAt === seen.latestAt && id > seen.latestId)) {
        seen.verdict = verdict;
        seen.latestAt = decidedAt;
        seen.latestId = id;
      }
      if (decidedAt < seen.firstAt) seen.firstAt = decidedAt;
    }
    for (const entries of byLead.values()) for (const entry of entries) set.add(entry);
  }

  /** One bucket's rollup, from the leads and decisions (inside a read transaction: one snapshot). */
  private computeBucket(bucket: Bucket): BucketRollup {
    const cells = new CellSet(true);
    this.scanLeads(cells, bucket.start, bucket.end, undefined, Number.NEGATIVE_INFINITY);
    const reps = new RepSet();
    this.scanReps(reps, bucket.start, bucket.end);
    return { cells: cells.finish(0), pendingPosted: cells.pendingPosted, reps: reps.reps() };
  }

  /** Replaces the bucket's rollup rows and lists it as fresh; inside a write transaction. */
  private publishBucket(bucket: Bucket, rollup: BucketRollup, now: number) {
    const version = randomInt(2 ** 47);
    this.db.delete(statsBuckets).where(eq(statsBuckets.bucket, bucket.key)).run();
    this.db.delete(statsBucketReps).where(eq(statsBucketReps.bucket, bucket.key)).run();
    for (const cell of rollup.cells) {
      this.db
        .insert(statsBuckets)
        .values({
          bucket: bucket.key,
          campaignId: cell.campaignId,
          source: cell.source,
          posted: cell.posted,
          accepted: cell.accepted,
          rejected: cell.rejected,
          rejectedNoReason: cell.rejectedNoReason,
          pending: cell.pending,
          times: encodeTimes(concatNumbers(cell.times).sort()),
          reasons: JSON.stringify([...cell.reasons]),
          pendingPosted: encodeTimes(Float64Array.from(rollup.pendingPosted.get(cell) ?? []).sort()),
        })
        .run();
    }
    for (const rep of rollup.reps) {
      this.db
        .insert(statsBucketReps)
        .values({
          bucket: bucket.key,
          userId: rep.userId,
          accepted: rep.accepted,
          rejected: rep.rejected,
          times: encodeTimes(concatNumbers(rep.times).sort()),
        })
        .run();
    }
    this.db.delete(statsBuilding).where(eq(statsBuilding.bucket, bucket.key)).run();
    this.db
      .insert(statsFresh)
      .values({ bucket: bucket.key, builtAt: now, version })
      .onConflictDoUpdate({ target: statsFresh.bucket, set: { builtAt: now, version } })
      .run();
  }
}

/** Errors that stop a rollup from being written but not the answer from being read. */
const UNWRITABLE = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_FULL'];

function isUnwritable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && UNWRITABLE.some((prefix) => code.startsWith(prefix));
}

/** Rows by their bucket, every bucket asked for present (a bucket may have no rows). */
function groupByBucket<Row extends { bucket: number }>(
  buckets: readonly number[],
  rows: readonly Row[],
): Map<number, Omit<Row, 'bucket'>[]> {
  const out = new Map<number, Omit<Row, 'bucket'>[]>(buckets.map((b) => [b, []]));
  for (const { bucket, ...row } of rows) out.get(bucket)?.push(row);
  return out;
}
