import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isoWeekOf } from '../../src/domain/period.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { digestChart, MAX_CHART_HEIGHT, renderChart, renderDigestChart } from '../../src/report/chart.js';
import { digestFor } from '../../src/services/digest.js';
import { StatsService } from '../../src/services/stats.js';
import { digestMessage } from '../../src/slack/blocks/digest.js';
import { openDatabase } from '../../src/storage/db.js';
import { StatsStore } from '../../src/storage/stats.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { LOG_DIR, REPO_DIR } from '../lib/paths.js';
import { type Check, fmt, type MeasureReport, type Table } from '../lib/report.js';
import { percentile } from '../lib/stats.js';

/**
 * The weekly digest on the large history (issue "The weekly digest"): one week's digest built as
 * DigestSender builds it — digestFor (the two StatsService reports and buildDigest), the Block Kit
 * message (digestMessage) and the chart PNG (renderDigestChart) — timed part by part in a child
 * process of its own, so that its peak memory is the digest's and not the bench's.
 * Two weeks: the last full week of the data (the clock fixed at the data's end, as the Monday
 * cron would see it) and the week with the most campaigns active. The message and the PNG are
 * checked against Slack's limits (as the unit tests budget them).
 * The database is the stats measure's (bench/lib/statsDb.ts): built once, reused after.
 *
 * This file is also the child's entry point: run with BENCH_DIGEST_CHILD=1 it measures, sends
 * the result over IPC and exits.
 */

const TARGET_TOTAL_P95_MS = 1_000;
const FLAG_PEAK_RSS_BYTES = 512 * 1024 * 1024;
/** Slack refuses roughly 12k characters of blocks (msg_blocks_too_long); the unit tests budget 10k. */
const MAX_BLOCKS_JSON_CHARS = 10_000;
const MAX_BLOCKS = 50;
const MAX_SECTION_CHARS = 3_000;
const MAX_HEADER_CHARS = 150;
/** The chart tests' bound: far under Slack's file limit, and quick to upload. */
const MAX_PNG_BYTES = 1_000_000;

const ITERATIONS = 10;
const WARMUPS = 2;
const BREAKDOWN_RUNS = 5;
const CHILD_TIMEOUT_MS = 10 * 60_000;

const TIMEZONE = 'UTC';
/** DECISION_SLA_HOURS's default. */
const SLA_HOURS = 24;
const WORKSPACE_URL = 'https://acme.slack.com/';
const WEEK_MS = 7 * 86_400_000;
/** A Monday, 00:00 UTC: weeks counted from it are ISO weeks in UTC. */
const MONDAY_ANCHOR = Date.UTC(2024, 0, 1);

const CHILD_FLAG = 'BENCH_DIGEST_CHILD';
const THIS_FILE = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// What the child reports

interface ChildConfig {
  dbPath: string;
  /** The fixed clock: the data's end. */
  now: number;
  iterations: number;
  warmups: number;
  breakdownRuns: number;
}

interface Memory {
  phase: string;
  rss: number;
  /** process.resourceUsage().maxRSS, in KiB as Node gives it. */
  maxRssKiB: number;
  /** VmHWM from /proc/self/status, bytes: the peak of this process alone (see peakRss). */
  vmHwm: number;
  heapUsedAfterGc: number;
  heapTotal: number;
  externalAfterGc: number;
  arrayBuffersAfterGc: number;
}

interface PartSamples {
  stats: number[];
  blocks: number[];
  chart: number[];
  total: number[];
}

interface BreakdownStep {
  step: string;
  calls: number;
  ms: number;
}

interface WeekResult {
  label: string;
  /** undefined: digestFor's default, the last full week before the clock. */
  isoWeekAsked: string | undefined;
  isoWeek: string;
  weekLabel: string;
  /** The first build of this week in the process (cold for the first week measured). */
  first: { stats: number; blocks: number; chart: number; total: number };
  samples: PartSamples;
  breakdown: BreakdownStep[];
  digest: {
    posted: number;
    decided: number;
    pending: number;
    breached: number;
    campaigns: number;
    campaignsNew: number;
    campaignsBefore: number;
    postedBefore: number;
  };
  message: {
    blocks: number;
    blocksJsonChars: number;
    messageJsonChars: number;
    fallbackChars: number;
    longestSectionChars: number;
    headerChars: number;
  };
  png: { bytes: number; width: number; height: number; rows: number; hidden: number };
}

interface ChildResult {
  counts: { leads: number; campaigns: number; dataStart: number; dataEnd: number };
  busiest: { isoWeek: string; campaigns: number; leads: number };
  weeks: WeekResult[];
  memory: Memory[];
  gcExposed: boolean;
}

type ChildMessage = { type: 'result'; result: ChildResult } | { type: 'failed'; message: string };

// ---------------------------------------------------------------------------------------------
// The child

/**
 * The process's own peak RSS. getrusage's maxRSS can report the parent's peak after fork (the
 * bench's), while /proc's VmHWM starts again at exec (as in bench/servers/child.ts).
 */
function vmHwm(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return Number.NaN;
}

function memoryAt(phase: string): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Two passes: the first can leave garbage that only weak callbacks and finalizers release.
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return {
    phase,
    rss: usage.rss,
    maxRssKiB: process.resourceUsage().maxRSS,
    vmHwm: vmHwm(),
    heapUsedAfterGc: usage.heapUsed,
    heapTotal: usage.heapTotal,
    externalAfterGc: usage.external,
    arrayBuffersAfterGc: usage.arrayBuffers,
  };
}

/** The store with each method's time added up into `into` (for the breakdown runs only). */
function timedStore(store: StatsStore, into: Map<string, { calls: number; ms: number }>): StatsStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const t = performance.now();
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } finally {
          const entry = into.get(String(prop)) ?? { calls: 0, ms: 0 };
          entry.calls += 1;
          entry.ms += performance.now() - t;
          into.set(String(prop), entry);
        }
      };
    },
  });
}

function pngSize(png: Buffer): { width: number; height: number } {
  if (png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('the chart is not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function runChild(config: ChildConfig): Promise<ChildResult> {
  const memory: Memory[] = [memoryAt('after imports (node + tsx + app modules)')];
  const db = openDatabase(config.dbPath);
  try {
    const raw = db.$client;
    const counts = raw
      .prepare(
        `SELECT (SELECT count(*) FROM leads) AS leads, (SELECT count(*) FROM campaigns) AS campaigns,
                (SELECT min(posted_at) FROM leads) AS dataStart, (SELECT max(posted_at) FROM leads) AS dataEnd`,
      )
      .get() as ChildResult['counts'];
    // The complete ISO week (in UTC) with the most campaigns that had leads posted, and a week
    // before it in the data (its comparison).
    const thisMonday = MONDAY_ANCHOR + Math.floor((config.now - MONDAY_ANCHOR) / WEEK_MS) * WEEK_MS;
    const busiestRow = raw
      .prepare(
        // Integer literals: a bound JS number is a REAL to SQLite, and the division would not truncate.
        `SELECT (posted_at - ${MONDAY_ANCHOR}) / ${WEEK_MS} AS w, count(DISTINCT campaign_id) AS campaigns,
                count(*) AS leads
         FROM leads WHERE posted_at >= ? AND posted_at < ?
         GROUP BY w ORDER BY campaigns DESC, leads DESC LIMIT 1`,
      )
      .get(counts.dataStart + 2 * WEEK_MS, thisMonday) as
      | { w: number; campaigns: number; leads: number }
      | undefined;
    if (!busiestRow) throw new Error('the database has no complete week of leads');
    const busiest = {
      isoWeek: isoWeekOf(MONDAY_ANCHOR + busiestRow.w * WEEK_MS, TIMEZONE),
      campaigns: busiestRow.campaigns,
      leads: busiestRow.leads,
    };
    memory.push(memoryAt('database open, weeks found'));

    const clock = { now: () => config.now };
    const settings = { timezone: TIMEZONE, slaHours: SLA_HOURS, reasons: DEFAULT_REASONS };
    const store = new StatsStore(db);
    const service = new StatsService({ stats: store, clock }, settings);
    const renderOptions = { workspaceUrl: WORKSPACE_URL, timezone: TIMEZONE };

    /**
     * One digest as DigestSender builds it, timed part by part. `beforeChart` runs untimed between
     * the message and the chart (a memory reading on the first build).
     */
    const build = async (isoWeek: string | undefined, beforeChart?: () => void) => {
      const t0 = performance.now();
      const digest = digestFor({ stats: service, clock }, { timezone: TIMEZONE }, isoWeek);
      const t1 = performance.now();
      const message = digestMessage(digest, renderOptions);
      const t2 = performance.now();
      beforeChart?.();
      const t3 = performance.now();
      const png = await renderDigestChart(digest);
      const t4 = performance.now();
      const times = { stats: t1 - t0, blocks: t2 - t1, chart: t4 - t3 };
      return { digest, message, png, times: { ...times, total: times.stats + times.blocks + times.chart } };
    };

    const weeks: WeekResult[] = [];
    for (const [label, isoWeekAsked] of [
      ['last full week', undefined],
      [`most campaigns (${busiest.campaigns} active)`, busiest.isoWeek],
    ] as const) {
      const first = await build(
        isoWeekAsked,
        weeks.length === 0
          ? () => memory.push(memoryAt('after the first digestFor + digestMessage (no chart yet)'))
          : undefined,
      );
      for (let i = 1; i < config.warmups; i++) await build(isoWeekAsked);
      const samples: PartSamples = { stats: [], blocks: [], chart: [], total: [] };
      for (let i = 0; i < config.iterations; i++) {
        const { times } = await build(isoWeekAsked);
        samples.stats.push(times.stats);
        samples.blocks.push(times.blocks);
        samples.chart.push(times.chart);
        samples.total.push(times.total);
      }

      // Where the time goes: the storage calls (their SQL and row mapping), the JS around them,
      // and the chart's two halves; medians over a few more runs.
      const runs: Map<string, number>[] = [];
      const calls = new Map<string, number>();
      for (let i = 0; i < config.breakdownRuns; i++) {
        const byMethod = new Map<string, { calls: number; ms: number }>();
        const timedService = new StatsService({ stats: timedStore(store, byMethod), clock }, settings);
        const t0 = performance.now();
        const digest = digestFor({ stats: timedService, clock }, { timezone: TIMEZONE }, isoWeekAsked);
        const t1 = performance.now();
        const chart = digestChart(digest);
        const t2 = performance.now();
        await renderChart(chart);
        const t3 = performance.now();
        const run = new Map<string, number>();
        let storage = 0;
        for (const [method, entry] of byMethod) {
          run.set(`StatsStore.${method}`, entry.ms);
          calls.set(`StatsStore.${method}`, entry.calls);
          storage += entry.ms;
        }
        run.set('StatsService + buildDigest (JS beyond the storage calls)', t1 - t0 - storage);
        run.set('digestChart (what the chart shows; pure)', t2 - t1);
        run.set('renderChart (Chart.js draw + PNG encode)', t3 - t2);
        runs.push(run);
      }
      const breakdown: BreakdownStep[] = [...(runs[0]?.keys() ?? [])].map((step) => ({
        step,
        calls: calls.get(step) ?? 1,
        ms: median(runs.map((r) => r.get(step) ?? Number.NaN)),
      }));

      const { digest, message, png } = first;
      const blocksJson = JSON.stringify(message.blocks);
      const texts = message.blocks.flatMap((b) => {
        const block = b as { type: string; text?: { text: string }; elements?: { text?: string }[] };
        return [block.text?.text ?? '', ...(block.elements ?? []).map((e) => e.text ?? '')];
      });
      const header = message.blocks.find((b) => b.type === 'header') as
        | { text?: { text: string } }
        | undefined;
      const chart = digestChart(digest);
      weeks.push({
        label,
        isoWeekAsked,
        isoWeek: digest.isoWeek,
        weekLabel: digest.week.label,
        first: first.times,
        samples,
        breakdown,
        digest: {
          posted: digest.totals.posted,
          decided: digest.totals.judgement.decided,
          pending: digest.pending.total,
          breached: digest.pending.breached,
          campaigns: digest.campaigns.length,
          campaignsNew: digest.campaigns.filter((c) => c.before === undefined).length,
          campaignsBefore: digest.campaigns.filter((c) => c.before !== undefined).length,
          postedBefore: digest.totalsBefore.posted,
        },
        message: {
          blocks: message.blocks.length,
          blocksJsonChars: blocksJson.length,
          messageJsonChars: JSON.stringify(message).length,
          fallbackChars: message.text.length,
          longestSectionChars: Math.max(0, ...texts.map((t) => t.length)),
          headerChars: header?.text?.text.length ?? 0,
        },
        png: { bytes: png.length, ...pngSize(png), rows: chart.rows.length, hidden: chart.hidden },
      });
      memory.push(memoryAt(`after the ${label} (${digest.isoWeek})`));
    }
    return {
      counts,
      busiest,
      weeks,
      memory,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    };
  } finally {
    db.$client.close();
  }
}

function isChildEntry(): boolean {
  if (process.env[CHILD_FLAG] !== '1' || !process.send) return false;
  const entry = process.argv[1];
  return entry !== undefined && resolve(entry) === THIS_FILE;
}

if (isChildEntry()) {
  const send = (message: ChildMessage) =>
    new Promise<void>((done) => {
      process.send?.(message, () => done());
    });
  try {
    const config = JSON.parse(process.env.BENCH_DIGEST_CONFIG ?? '') as ChildConfig;
    await send({ type: 'result', result: await runChild(config) });
    process.exit(0);
  } catch (error) {
    await send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// The parent

function runInChild(config: ChildConfig, label: string): Promise<ChildResult> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = join(LOG_DIR, `${label}.log`);
  const log = openSync(logPath, 'w');
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', THIS_FILE], {
      cwd: REPO_DIR,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        [CHILD_FLAG]: '1',
        BENCH_DIGEST_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', log, log, 'ipc'],
    });
  } finally {
    closeSync(log);
  }
  const logTail = () => readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n');
  return new Promise<ChildResult>((resolveResult, reject) => {
    let result: ChildResult | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `did not finish within ${CHILD_TIMEOUT_MS / 60_000} min`;
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'result') result = message.result;
      else failure = message.message;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && code === 0) resolveResult(result);
      else
        reject(
          new Error(
            `the digest child failed (exit ${code ?? signal}): ${failure ?? 'no result'}\nlog ${logPath}:\n${logTail()}`,
          ),
        );
    });
  });
}

interface PartSummary {
  p50: number;
  p95: number;
  max: number;
}

function summary(samples: number[]): PartSummary {
  const sorted = Float64Array.from(samples).sort();
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

const PARTS = [
  ['stats', 'stats: digestFor (2 reports + buildDigest)'],
  ['blocks', 'Block Kit: digestMessage'],
  ['chart', 'chart PNG: renderDigestChart'],
  ['total', 'total'],
] as const;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const digest: Measure = {
  name: 'digest',
  title: 'Weekly digest on a large history: stats + Block Kit + chart PNG, time and peak memory',
  byDefault: false,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { ensureStatsDatabase, statsGenerateOptions, statsLeads, STATS_DATA_END } = await import(
      '../lib/statsDb.js'
    );
    const options = statsGenerateOptions(statsLeads(ctx.options.quick));
    const built = ensureStatsDatabase(ctx, options, 'digest');
    const config: ChildConfig = {
      dbPath: built.path,
      now: STATS_DATA_END,
      iterations: ITERATIONS,
      warmups: WARMUPS,
      breakdownRuns: BREAKDOWN_RUNS,
    };
    const loadAtStart = loadavg()[0] ?? Number.NaN;
    ctx.progress(
      `digest: a child process builds the last full week's and the busiest week's digest, ${WARMUPS} warm-ups + ${ITERATIONS} runs each, clock at ${new Date(STATS_DATA_END).toISOString()}`,
    );
    const result = await runInChild(config, 'digest-child');

    // ---- report ------------------------------------------------------------------------------
    const weeks = result.weeks.map((w) => ({
      ...w,
      parts: Object.fromEntries(PARTS.map(([key]) => [key, summary(w.samples[key])])) as Record<
        (typeof PARTS)[number][0],
        PartSummary
      >,
    }));
    const peak = result.memory.reduce(
      (m, x) => ({ vmHwm: Math.max(m.vmHwm, x.vmHwm), maxRssKiB: Math.max(m.maxRssKiB, x.maxRssKiB) }),
      { vmHwm: 0, maxRssKiB: 0 },
    );
    // VmHWM is this process's own; maxRSS may carry the parent's peak over the fork (see vmHwm).
    const peakBytes = Number.isFinite(peak.vmHwm) && peak.vmHwm > 0 ? peak.vmHwm : peak.maxRssKiB * 1024;
    const maxRssInherited = peak.maxRssKiB * 1024 > peakBytes * 1.05;

    const databaseTable: Table = {
      title: `Database (${built.reused ? `reused, built ${built.side.builtAt}` : 'built by this run'}; ${built.path.slice(REPO_DIR.length + 1)})`,
      columns: ['leads', 'campaigns', 'range', 'file MiB', 'clock (data end)', 'timezone', 'SLA h'],
      rows: [
        [
          fmt.int(result.counts.leads),
          fmt.int(result.counts.campaigns),
          `${isoDay(result.counts.dataStart)} → ${isoDay(result.counts.dataEnd)}`,
          fmt.mib(built.side.bytes),
          new Date(STATS_DATA_END).toISOString(),
          TIMEZONE,
          SLA_HOURS,
        ],
      ],
    };
    const timingTable: Table = {
      title: `Digest build in a child process (${WARMUPS} warm-ups then ${ITERATIONS} runs; ms; "first" is the first build of that week in the process, cold for the first week)`,
      columns: ['week', 'part', 'first', 'p50', 'p95', 'max'],
      rows: weeks.flatMap((w) =>
        PARTS.map(([key, name], i) => [
          i === 0 ? `${w.label}: ${w.isoWeek}` : '',
          name,
          fmt.ms(w.first[key]),
          fmt.ms(w.parts[key].p50),
          fmt.ms(w.parts[key].p95),
          fmt.ms(w.parts[key].max),
        ]),
      ),
    };
    const contentTable: Table = {
      title: 'What the digests hold, and their size against the limits',
      columns: [
        'week',
        'leads',
        'decided',
        'pending',
        'campaigns',
        'new',
        'leads wk before',
        'blocks',
        'blocks JSON chars',
        'longest text',
        'PNG KiB',
        'PNG w×h',
        'bars',
        'not drawn',
      ],
      rows: weeks.map((w) => [
        w.isoWeek,
        fmt.int(w.digest.posted),
        fmt.int(w.digest.decided),
        fmt.int(w.digest.pending),
        w.digest.campaigns,
        w.digest.campaignsNew,
        fmt.int(w.digest.postedBefore),
        w.message.blocks,
        fmt.int(w.message.blocksJsonChars),
        fmt.int(w.message.longestSectionChars),
        (w.png.bytes / 1024).toFixed(0),
        `${w.png.width}×${w.png.height}`,
        w.png.rows,
        w.png.hidden,
      ]),
    };
    const breakdownTable: Table = {
      title: `Where the time goes (median of ${BREAKDOWN_RUNS} more runs; storage calls include their SQL; ms)`,
      columns: ['week', 'step', 'calls', 'ms'],
      rows: weeks.flatMap((w) =>
        w.breakdown.map((s, i) => [i === 0 ? w.isoWeek : '', s.step, s.calls, fmt.ms(s.ms)]),
      ),
    };
    const memoryTable: Table = {
      title: `Child process memory (MiB; heap and external after a full GC${result.gcExposed ? '' : ' — gc NOT exposed, so before GC'})`,
      columns: ['phase', 'rss', 'peak (VmHWM)', 'maxRSS (getrusage)', 'heap used', 'heap total', 'external'],
      rows: result.memory.map((m) => [
        m.phase,
        fmt.mib(m.rss),
        fmt.mib(m.vmHwm),
        fmt.mib(m.maxRssKiB * 1024),
        fmt.mib(m.heapUsedAfterGc),
        fmt.mib(m.heapTotal),
        fmt.mib(m.externalAfterGc),
      ]),
    };

    const checks: Check[] = [];
    for (const w of weeks) {
      checks.push({
        label: `${w.label} (${w.isoWeek}): total p95`,
        target: `< ${fmt.int(TARGET_TOTAL_P95_MS)} ms`,
        actual: `${fmt.ms(w.parts.total.p95)} ms (stats ${fmt.ms(w.parts.stats.p95)}, blocks ${fmt.ms(w.parts.blocks.p95)}, chart ${fmt.ms(w.parts.chart.p95)})`,
        pass: w.parts.total.p95 < TARGET_TOTAL_P95_MS,
      });
    }
    for (const w of weeks) {
      const m = w.message;
      checks.push({
        label: `${w.isoWeek}: Block Kit within limits`,
        target: `<= ${MAX_BLOCKS} blocks, JSON < ${fmt.int(MAX_BLOCKS_JSON_CHARS)} chars, texts <= ${fmt.int(MAX_SECTION_CHARS)}`,
        actual: `${m.blocks} blocks, ${fmt.int(m.blocksJsonChars)} chars, longest ${fmt.int(m.longestSectionChars)}`,
        pass:
          m.blocks <= MAX_BLOCKS &&
          m.blocksJsonChars < MAX_BLOCKS_JSON_CHARS &&
          m.longestSectionChars <= MAX_SECTION_CHARS &&
          m.headerChars <= MAX_HEADER_CHARS,
      });
      checks.push({
        label: `${w.isoWeek}: chart PNG within limits`,
        target: `< ${fmt.int(MAX_PNG_BYTES / 1000)} kB, height <= ${MAX_CHART_HEIGHT} px`,
        actual: `${fmt.int(w.png.bytes / 1000)} kB, ${w.png.width}×${w.png.height}`,
        pass: w.png.bytes < MAX_PNG_BYTES && w.png.height <= MAX_CHART_HEIGHT,
      });
    }
    checks.push({
      label: 'child peak RSS (report; flagged above 512 MiB)',
      target: `<= ${fmt.mib(FLAG_PEAK_RSS_BYTES)} MiB`,
      actual: `${fmt.mib(peakBytes)} MiB`,
      pass: peakBytes <= FLAG_PEAK_RSS_BYTES,
    });

    const baseline = result.memory[0];
    const last = result.memory[result.memory.length - 1];
    const notes = [
      `the busiest week by campaigns with leads is ${result.busiest.isoWeek}: ${result.busiest.campaigns} of ${result.counts.campaigns} campaigns, ${fmt.int(result.busiest.leads)} leads`,
      `p95 of ${ITERATIONS} runs is their maximum (nearest rank); the cron's real digest is one cold build: see "first" for the first week measured`,
      `peak RSS ${fmt.mib(peakBytes)} MiB, of which ${baseline ? fmt.mib(baseline.rss) : '—'} MiB was already resident after loading node, tsx and the app's modules; heap after GC ${baseline ? fmt.mib(baseline.heapUsedAfterGc) : '—'} MiB then, ${last ? fmt.mib(last.heapUsedAfterGc) : '—'} MiB at the end`,
      ...(maxRssInherited
        ? [
            `getrusage's maxRSS (${fmt.mib(peak.maxRssKiB * 1024)} MiB) exceeds the child's own VmHWM: after fork it carries the parent's (the bench's) peak, so VmHWM is reported as the peak`,
          ]
        : []),
      `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end; child log: ${join(LOG_DIR, 'digest-child.log').slice(REPO_DIR.length + 1)}`,
    ];

    return {
      name: 'digest',
      title: digest.title,
      tables: [databaseTable, timingTable, contentTable, breakdownTable, memoryTable],
      checks,
      notes,
      data: {
        options,
        database: {
          path: built.path,
          reused: built.reused,
          builtAt: built.side.builtAt,
          bytes: built.side.bytes,
        },
        counts: result.counts,
        busiest: result.busiest,
        weeks: weeks.map((w) => ({
          label: w.label,
          isoWeek: w.isoWeek,
          weekLabel: w.weekLabel,
          firstMs: w.first,
          ms: w.parts,
          samplesMs: w.samples,
          breakdown: w.breakdown,
          digest: w.digest,
          message: w.message,
          png: w.png,
        })),
        memory: result.memory,
        peakRssBytes: peakBytes,
        maxRssKiB: peak.maxRssKiB,
        targets: {
          totalP95Ms: TARGET_TOTAL_P95_MS,
          flagPeakRssBytes: FLAG_PEAK_RSS_BYTES,
          maxBlocks: MAX_BLOCKS,
          maxBlocksJsonChars: MAX_BLOCKS_JSON_CHARS,
          maxPngBytes: MAX_PNG_BYTES,
        },
      },
    };
  },
};
