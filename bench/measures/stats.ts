import { createHmac } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { DEFAULT_REASONS } from '../../src/domain/reasons.js';
import { medianOfSortedChunks } from '../../src/domain/stats.js';
import { parseStatsCommand } from '../../src/domain/statsCommand.js';
import { StatsService } from '../../src/services/stats.js';
import { statsMessage } from '../../src/slack/blocks/stats.js';
import { openDatabase } from '../../src/storage/db.js';
import { type Cohort, planCohort, StatsStore } from '../../src/storage/stats.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { waitHealthy } from '../lib/http.js';
import { LOG_DIR, REPO_DIR } from '../lib/paths.js';
import { type Check, fmt, type MeasureReport, type Table } from '../lib/report.js';
import { percentile, type Summary, summarize } from '../lib/stats.js';
import { ensureStatsDatabase, STATS_DATA_END, statsGenerateOptions, statsLeads } from '../lib/statsDb.js';
import { appEnv, LEADS_CHANNEL, startTarget } from '../lib/targets.js';

/**
 * /leadstats on a large history (the issue's target): 1,000,000 leads over two years in 300
 * campaigns with ~900,000 decisions.
 * - Server-side: StatsService.run in this process, with the clock fixed at the end of the data,
 *   for each form of the command, against a hand-written single SQL aggregate over the same rows
 *   (the floor). Block Kit rendering is timed apart. A breakdown splits the 30-day and two-year
 *   windows into the storage calls, their bare SQL, and the JS work after them.
 * - Ack: the real app in a child process on a copy of the database, sent signed slash commands as
 *   Slack sends them: the ack of a long query, and the ack of a cheap `help` sent while one runs.
 * The database is generated once into bench/out/stats/ and reused while its parameters, the
 * generator and the migrations are unchanged (see statsSourceFingerprint in bench/lib/statsDb.ts).
 */

const TARGET_P95_MS = 100;
const TARGET_FLOOR_RATIO = 3;
const TARGET_ACK_MS = 50;

const ITERATIONS = 20;
const WARMUPS = 3;
const BREAKDOWN_RUNS = 5;
const SLA_HOURS = 24;
const REST_MS = 1_000;
const SIGNING_SECRET = 'bench-stats-signing-secret-0123456789';

const _DAY = 86_400_000;
/** The data ends on a Monday at 17:00 UTC; the fixed clock reads that time. */
const DATA_END = STATS_DATA_END;
/** A prefix of the always-on campaign, which also matches its regional variants. */
const CAMPAIGN_PREFIX = 'Website: demo';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// Timing helpers

interface Timed {
  summary: Summary;
  p95: number;
  samples: number[];
}

function timed(fn: () => unknown, iterations = ITERATIONS, warmups = WARMUPS): Timed {
  for (let i = 0; i < warmups; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  return fromSamples(samples);
}

function fromSamples(samples: number[]): Timed {
  const sorted = Float64Array.from(samples).sort();
  return { summary: summarize(samples), p95: percentile(sorted, 95), samples };
}

const medianOf = (fn: () => unknown, runs = BREAKDOWN_RUNS) => timed(fn, runs, 1).summary.p50;

// ---------------------------------------------------------------------------------------------
// Server-side: every form of the command, against the floor

interface FormResult {
  label: string;
  text: string;
  leadsInWindow: number;
  window: { start: number; end: number; campaigns: number };
  run: Timed;
  floor: Timed;
  render: Timed;
  blocks: number;
}

const floorSql = (campaignIds: number) =>
  `SELECT campaign_id, count(*), sum(state = 'accepted'), sum(state = 'rejected') FROM leads
   WHERE posted_at >= ? AND posted_at < ?${campaignIds > 0 ? ` AND campaign_id IN (${Array(campaignIds).fill('?').join(', ')})` : ''}
   GROUP BY campaign_id`;

function measureForms(
  ctx: BenchContext,
  service: StatsService,
  raw: Database.Database,
  forms: { label: string; text: string }[],
): FormResult[] {
  const results: FormResult[] = [];
  for (const form of forms) {
    const parsed = parseStatsCommand(form.text);
    if (!parsed.ok) throw new Error(`"${form.text}" does not parse: ${parsed.error}`);
    const query = parsed.query;
    const first = service.run(query);
    if (!first.ok) throw new Error(`"${form.text}" fails: ${first.error}`);
    const report = first.report;
    const campaignIds = report.campaignFilter
      ? (
          raw
            .prepare(
              `SELECT id FROM campaigns WHERE name IN (${report.campaignFilter.matched.map(() => '?').join(', ')})`,
            )
            .all(...report.campaignFilter.matched) as { id: number }[]
        ).map((r) => r.id)
      : [];
    const floor = raw.prepare(floorSql(campaignIds.length));
    const params = [report.period.start, report.period.end, ...campaignIds];
    ctx.progress(
      `stats: /leadstats ${form.text || '(default)'}: ${fmt.int(report.totals.posted)} leads in the window`,
    );
    const run = timed(() => service.run(query));
    const floorTime = timed(() => floor.all(...params));
    const renderOptions = { names: new Map<string, string>(), workspaceUrl: 'https://acme.slack.com/' };
    const render = timed(() => statsMessage(report, renderOptions));
    results.push({
      label: form.label,
      text: form.text,
      leadsInWindow: report.totals.posted,
      window: { start: report.period.start, end: report.period.end, campaigns: campaignIds.length },
      run,
      floor: floorTime,
      render,
      blocks: statsMessage(report, renderOptions).blocks.length,
    });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Server-side: where the time of one report goes

interface Step {
  window: string;
  step: string;
  kind: 'storage call' | 'bare SQL' | 'JS';
  ms: number;
  rows: number;
}

function breakdown(
  stats: StatsStore,
  direct: StatsStore,
  raw: Database.Database,
  label: string,
  cohort: Cohort,
): Step[] {
  const now = DATA_END;
  const slaMs = SLA_HOURS * 3_600_000;
  const args = [cohort.start, cohort.end];
  const steps: Step[] = [];
  const add = (step: string, kind: Step['kind'], fn: () => unknown, rows: number) =>
    steps.push({ window: label, step, kind, ms: medianOf(fn), rows });
  const plan = planCohort(cohort.start, cohort.end, now);
  const countLeads = raw.prepare('SELECT count(*) FROM leads WHERE posted_at >= ? AND posted_at < ?').pluck();
  const rawLeads = plan.raw.reduce((n, [from, to]) => n + (countLeads.get(from, to) as number), 0);

  const cells = stats.cohortCells(cohort, now, slaMs);
  add(
    `cohortCells (rollups: ${plan.buckets.filter((b) => b.key < 1_000_000).length} months, ${plan.buckets.filter((b) => b.key >= 1_000_000).length} days; ${fmt.int(rawLeads)} leads read)`,
    'storage call',
    () => stats.cohortCells(cohort, now, slaMs),
    cells.length,
  );
  add(
    'cohortCells, every lead read (no rollups)',
    'storage call',
    () => direct.cohortCells(cohort, now, slaMs),
    cells.length,
  );
  const scanSql = raw
    .prepare(
      `SELECT campaign_id, source, state, state_reason, first_decided_at - posted_at, posted_at FROM leads
       WHERE posted_at >= ? AND posted_at < ?`,
    )
    .raw();
  const scanned = scanSql.all(...args).length;
  add('  its SQL alone, raw arrays', 'bare SQL', () => scanSql.all(...args), scanned);
  const times = cells.flatMap((c) => c.times);
  const decided = times.reduce((n, t) => n + t.length, 0);
  add(
    `overall median: selection over ${fmt.int(times.length)} sorted pieces`,
    'JS',
    () => medianOfSortedChunks(times),
    decided,
  );
  const reps = stats.repCells(cohort, now);
  add('repCells (rollups + ragged ends)', 'storage call', () => stats.repCells(cohort, now), reps.length);
  add(
    'repCells, every decision read (no rollups)',
    'storage call',
    () => direct.repCells(cohort, now),
    reps.length,
  );
  const repSql = raw
    .prepare(
      `SELECT lead_id, user_id, verdict, decided_at, id, lead_posted_at FROM decisions
       WHERE lead_posted_at >= ? AND lead_posted_at < ? AND retracted_at IS NULL`,
    )
    .raw();
  const repRows = repSql.all(...args).length;
  add('  its SQL alone (decisions_cohort_idx), raw arrays', 'bare SQL', () => repSql.all(...args), repRows);
  add('oldestPending (20)', 'storage call', () => stats.oldestPending(cohort, 20), 20);
  return steps;
}

/** The first query after the rollups are gone (a new install, or after every month changed). */
function coldRollup(
  stats: StatsStore,
  raw: Database.Database,
  cohort: Cohort,
): { ms: number; months: number } {
  const writable = new Database(raw.name);
  try {
    writable.prepare('DELETE FROM stats_fresh').run();
  } finally {
    writable.close();
  }
  const t = performance.now();
  stats.cohortCells(cohort, DATA_END, SLA_HOURS * 3_600_000);
  stats.repCells(cohort, DATA_END);
  const ms = performance.now() - t;
  const months = (raw.prepare('SELECT count(*) FROM stats_fresh').pluck().get() as number) ?? 0;
  return { ms, months };
}

interface QueryPlans {
  floor: string[];
  scan: string[];
  reps: string[];
}

function queryPlans(raw: Database.Database, cohort: Cohort): QueryPlans {
  const plan = (sql: string) =>
    (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(cohort.start, cohort.end) as { detail: string }[]).map(
      (r) => r.detail,
    );
  return {
    floor: plan(floorSql(0)),
    scan: plan(
      `SELECT campaign_id, source, state, state_reason, first_decided_at - posted_at, posted_at FROM leads
       WHERE posted_at >= ? AND posted_at < ?`,
    ),
    reps: plan(
      `SELECT lead_id, user_id, verdict, decided_at, id, lead_posted_at FROM decisions
       WHERE lead_posted_at >= ? AND lead_posted_at < ? AND retracted_at IS NULL`,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Ack: the real app, signed slash commands

let commandCount = 0;

/** A slash command as Slack sends it: form-encoded, signed with the app's signing secret. */
function slashCommand(port: number, text: string, responseUrl: string): { url: string; init: RequestInit } {
  commandCount += 1;
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'acme',
    channel_id: LEADS_CHANNEL,
    channel_name: 'leads',
    user_id: 'U0REP0001',
    user_name: 'rep',
    command: '/leadstats',
    text,
    api_app_id: 'A0LEADLOOP',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `${commandCount}.1234567890.abcdef${commandCount}`,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    init: {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
      },
      body,
    },
  };
}

interface AckResult {
  ackMs: number;
  status: number;
  body: string;
  /** performance.now() when the request was sent. */
  sentAt: number;
}

async function sendCommand(port: number, text: string, responseUrl: string): Promise<AckResult> {
  const { url, init } = slashCommand(port, text, responseUrl);
  const sentAt = performance.now();
  const res = await fetch(url, init);
  const ackMs = performance.now() - sentAt;
  const body = await res.text();
  if (res.status !== 200) throw new Error(`/leadstats ${text} answered ${res.status}: ${body.slice(0, 300)}`);
  return { ackMs, status: res.status, body, sentAt };
}

/**
 * Waits for the answer posted to a response_url; returns performance.now() when it was seen, or
 * undefined when none came within `timeoutMs` (the app failed to deliver it: see its log).
 */
async function waitForResponse(fake: FakeSlack, tag: string, timeoutMs: number): Promise<number | undefined> {
  const until = performance.now() + timeoutMs;
  while (fake.responses(tag).length === 0) {
    if (performance.now() > until) return undefined;
    await sleep(1);
  }
  return performance.now();
}

interface AckRun {
  idleHelp: Timed;
  /** Sent as soon as the previous answer arrived. */
  longAck: Timed;
  /** Sent after REST_MS of quiet. */
  longAckRested: Timed;
  longAckAll: Timed;
  longAnswer: Timed;
  /** Long commands acked whose answer never reached the response_url. */
  lost: number;
  /** Lines of the app's log about a failed respond(): "fetch failed: other side closed" and the like. */
  respondErrors: string[];
  answersExpected: number;
  helpDuring: Timed;
  healthDuring: Timed;
  /** Time from the long command's ack to the help ack: how far into the query help was sent. */
  helpSentAfterLongAckMs: number[];
}

async function measureAcks(
  ctx: BenchContext,
  dbPath: string,
  longText: string,
  rounds: number,
  /** How long to wait for an answer before counting it lost. */
  answerTimeoutMs: number,
): Promise<AckRun> {
  const fake = await FakeSlack.start({ checkSpec: false });
  ctx.progress(`stats: starting the app on a copy of ${dbPath}`);
  const target = await startTarget({
    variant: 'app',
    mode: 'process',
    label: 'stats-app',
    env: appEnv(fake, { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
    cpuProfile: ctx.options.cpuProfile,
    prepareDatabase: (path) => copyFileSync(dbPath, path),
  });
  let tags = 0;
  const tag = () => `stats${++tags}`;
  let lost = 0;
  let expected = 0;
  const answer = async (t: string) => {
    expected += 1;
    const at = await waitForResponse(fake, t, answerTimeoutMs);
    if (at === undefined) {
      lost += 1;
      ctx.progress(
        `stats: no answer at response_url ${t} within ${seconds(answerTimeoutMs)}; counted as lost`,
      );
    }
    return at;
  };
  try {
    await waitHealthy(target.port, 60_000);
    const port = target.port;
    // Warm-up: the first long query reads the file into the page cache; JIT for both paths.
    for (let i = 0; i < 2; i++) {
      const t = tag();
      await sendCommand(port, longText, fake.responseUrl(t));
      await answer(t);
      await sendCommand(port, 'help', fake.responseUrl(tag()));
    }
    ctx.progress(`stats: ack of help with the app idle, ${rounds * 2} times`);
    const idle: number[] = [];
    for (let i = 0; i < rounds * 2; i++)
      idle.push((await sendCommand(port, 'help', fake.responseUrl(tag()))).ackMs);

    ctx.progress(`stats: ack and answer of /leadstats ${longText}, ${rounds * 2} times`);
    // Every other round waits a second first: right after an answer, the garbage the last query
    // left (hundreds of MB at 1M leads) is still to be collected, and the next request may pay for it.
    const longAck: number[] = [];
    const longAckRested: number[] = [];
    const longAnswer: number[] = [];
    for (let i = 0; i < rounds * 2; i++) {
      const rested = i % 2 === 1;
      if (rested) await sleep(REST_MS);
      const t = tag();
      const ack = await sendCommand(port, longText, fake.responseUrl(t));
      const answeredAt = await answer(t);
      (rested ? longAckRested : longAck).push(ack.ackMs);
      if (answeredAt !== undefined) longAnswer.push(answeredAt - ack.sentAt);
    }

    ctx.progress(
      `stats: ack of help (and GET /healthz) sent while /leadstats ${longText} runs, ${rounds} times`,
    );
    const helpDuring: number[] = [];
    const healthDuring: number[] = [];
    const sentAfter: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = tag();
      const long = await sendCommand(port, longText, fake.responseUrl(t));
      const ackedAt = long.sentAt + long.ackMs;
      const health = (async () => {
        const sent = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        const ms = performance.now() - sent;
        await res.arrayBuffer();
        return ms;
      })();
      const help = await sendCommand(port, 'help', fake.responseUrl(tag()));
      if (!help.body.includes('Usage'))
        throw new Error(`help acked without the usage: ${help.body.slice(0, 200)}`);
      helpDuring.push(help.ackMs);
      sentAfter.push(help.sentAt - ackedAt);
      healthDuring.push(await health);
      await answer(t);
    }
    return {
      lost,
      respondErrors: [],
      answersExpected: expected,
      idleHelp: fromSamples(idle),
      longAck: fromSamples(longAck),
      longAckRested: fromSamples(longAckRested),
      longAckAll: fromSamples([...longAck, ...longAckRested]),
      longAnswer: fromSamples(longAnswer),
      helpDuring: fromSamples(helpDuring),
      healthDuring: fromSamples(healthDuring),
      helpSentAfterLongAckMs: sentAfter,
    };
  } finally {
    await target.stop();
    await fake.close();
  }
}

/** The error messages the app logged for failed listener work (pino JSON lines). */
function loggedErrors(): string[] {
  const path = join(LOG_DIR, 'stats-app.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"level":"error"'))
    .map((line) => {
      try {
        const entry = JSON.parse(line) as {
          msg?: string;
          err?: { original?: { message?: string }; message?: string };
        };
        return `${entry.msg ?? ''}: ${entry.err?.original?.message ?? entry.err?.message ?? ''}`;
      } catch {
        return line.slice(0, 200);
      }
    });
}

// ---------------------------------------------------------------------------------------------

export const stats: Measure = {
  name: 'stats',
  title: '/leadstats on a large history: server-side time vs a single-SQL floor, and the command ack',
  byDefault: false,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const loadAtStart = loadavg()[0] ?? Number.NaN;
    const options = statsGenerateOptions(statsLeads(ctx.options.quick));
    const built = ensureStatsDatabase(ctx, options, 'stats');
    const { path, side } = built;

    const db = openDatabase(path);
    const raw = new Database(path, { readonly: true, fileMustExist: true });
    const counts = raw
      .prepare(
        `SELECT (SELECT count(*) FROM leads) AS leads, (SELECT count(*) FROM decisions) AS decisions,
                (SELECT count(*) FROM campaigns) AS campaigns, (SELECT count(DISTINCT user_id) FROM decisions) AS reps,
                (SELECT count(*) FROM leads WHERE state = 'pending') AS pending`,
      )
      .get() as { leads: number; decisions: number; campaigns: number; reps: number; pending: number };
    const range = `${isoDay(options.start)}..${isoDay(options.end - 1)}`;
    const forms = [
      { label: 'default (30d)', text: '' },
      { label: 'reasons', text: 'reasons' },
      { label: 'reps', text: 'reps' },
      { label: 'pending', text: 'pending' },
      { label: '7d', text: '7d' },
      { label: '2-year range', text: range },
      { label: 'campaign prefix', text: `campaign "${CAMPAIGN_PREFIX}"` },
      { label: '2-year range, reps (worst)', text: `${range} reps` },
    ];

    let formResults: FormResult[];
    let steps: Step[];
    let plans: QueryPlans;
    let cold: { ms: number; months: number };
    try {
      const statsStore = new StatsStore(db);
      const service = new StatsService(
        { stats: statsStore, clock: { now: () => DATA_END } },
        { timezone: 'UTC', slaHours: SLA_HOURS, reasons: DEFAULT_REASONS },
      );
      formResults = measureForms(ctx, service, raw, forms);
      ctx.progress('stats: breakdown of the 30-day and two-year windows');
      const windowOf = (label: string) => {
        const f = formResults.find((r) => r.label === label);
        if (!f) throw new Error(`no form ${label}`);
        return { start: f.window.start, end: f.window.end };
      };
      const direct = new StatsStore(db, { rollups: false });
      steps = [
        ...breakdown(statsStore, direct, raw, '30 days', windowOf('default (30d)')),
        ...breakdown(statsStore, direct, raw, '2 years', windowOf('2-year range')),
      ];
      plans = queryPlans(raw, windowOf('2-year range'));
      ctx.progress('stats: the first two-year query with no rollups yet (they are built on the way)');
      cold = coldRollup(statsStore, raw, windowOf('2-year range'));
    } finally {
      raw.close();
      db.$client.close();
    }

    const rounds = ctx.options.quick ? 5 : 10;
    const twoYearRun = formResults.find((f) => f.label === '2-year range')?.run.summary.p50 ?? 10_000;
    const acks = await measureAcks(ctx, path, range, rounds, Math.max(15_000, 5 * twoYearRun));
    acks.respondErrors = loggedErrors();

    // ---- report ------------------------------------------------------------------------------
    const load = side.load;
    const databaseTable: Table = {
      title: `Database (${built.reused ? `reused, built ${side.builtAt}` : 'built by this run'}; ${path.slice(REPO_DIR.length + 1)})`,
      columns: [
        'leads',
        'decisions',
        'campaigns',
        'reps',
        'pending',
        'range',
        'file MiB',
        'build',
        'generate',
        'insertHistory',
        'µs/lead',
      ],
      rows: [
        [
          fmt.int(counts.leads),
          fmt.int(counts.decisions),
          fmt.int(counts.campaigns),
          fmt.int(counts.reps),
          fmt.int(counts.pending),
          `${isoDay(options.start)} → ${isoDay(options.end)}`,
          fmt.mib(side.bytes),
          seconds(load.elapsedMs),
          seconds(load.generateMs),
          seconds(load.insertMs),
          fmt.ms((load.elapsedMs * 1000) / load.leads),
        ],
      ],
    };
    const formsTable: Table = {
      title: `StatsService.run in-process, clock at ${new Date(DATA_END).toISOString()} (${ITERATIONS} runs after ${WARMUPS} warm-ups; ms)`,
      columns: [
        'form',
        'text',
        'leads',
        'p50',
        'p95',
        'floor p50',
        'floor p95',
        'p95 ÷ floor',
        'render p50',
        'blocks',
      ],
      rows: formResults.map((f) => [
        f.label,
        f.text === '' ? '(none)' : f.text.length > 34 ? `${f.text.slice(0, 33)}…` : f.text,
        fmt.int(f.leadsInWindow),
        fmt.ms(f.run.summary.p50),
        fmt.ms(f.run.p95),
        fmt.ms(f.floor.summary.p50),
        fmt.ms(f.floor.p95),
        `${(f.run.p95 / f.floor.p95).toFixed(1)}x`,
        fmt.ms(f.render.summary.p50),
        f.blocks,
      ]),
    };
    const stepsTable: Table = {
      title: `Where the time goes (median of ${BREAKDOWN_RUNS}; storage calls include their SQL)`,
      columns: ['window', 'step', 'kind', 'ms', 'rows'],
      rows: steps.map((s) => [s.window, s.step, s.kind, fmt.ms(s.ms), fmt.int(s.rows)]),
    };
    const ackRow = (label: string, t: Timed) => [
      label,
      t.summary.count,
      fmt.ms(t.summary.p50),
      fmt.ms(t.p95),
      fmt.ms(t.summary.max),
    ];
    const ackTable: Table = {
      title: `The app (child process, HTTP mode, fake Slack): signed slash commands, ms`,
      columns: ['what', 'n', 'p50', 'p95', 'max'],
      rows: [
        ackRow('ack: /leadstats help, app idle', acks.idleHelp),
        ackRow(`ack: /leadstats ${range}, all`, acks.longAckAll),
        ackRow('  sent as soon as the previous answer came', acks.longAck),
        ackRow(`  sent after ${REST_MS / 1000} s of quiet`, acks.longAckRested),
        ackRow('  its answer at the response_url', acks.longAnswer),
        ackRow('ack: help sent while that query runs', acks.helpDuring),
        ackRow('GET /healthz sent at the same time', acks.healthDuring),
      ],
    };

    const checks: Check[] = [];
    for (const f of formResults) {
      checks.push({
        label: `${f.label}: p95`,
        target: `< ${TARGET_P95_MS} ms`,
        actual: `${fmt.ms(f.run.p95)} ms`,
        pass: f.run.p95 < TARGET_P95_MS,
      });
    }
    for (const f of formResults) {
      const ratio = f.run.p95 / f.floor.p95;
      checks.push({
        label: `${f.label}: p95 vs floor p95`,
        target: `<= ${TARGET_FLOOR_RATIO}x`,
        actual: `${ratio.toFixed(1)}x (${fmt.ms(f.run.p95)} vs ${fmt.ms(f.floor.p95)} ms)`,
        pass: ratio <= TARGET_FLOOR_RATIO,
      });
    }
    checks.push(
      {
        label: `ack of /leadstats ${range}: p95`,
        target: `< ${TARGET_ACK_MS} ms`,
        actual: `${fmt.ms(acks.longAckAll.p95)} ms`,
        pass: acks.longAckAll.p95 < TARGET_ACK_MS,
      },
      {
        label: 'ack of help while a long query runs: p95',
        target: `< ${TARGET_ACK_MS} ms`,
        actual: `${fmt.ms(acks.helpDuring.p95)} ms`,
        pass: acks.helpDuring.p95 < TARGET_ACK_MS,
      },
      {
        label: 'every acked query answers at its response_url',
        target: '0 lost',
        actual: `${acks.lost} of ${acks.answersExpected} lost`,
        pass: acks.lost === 0,
      },
    );

    const step = (window: string, name: string) =>
      steps.find((s) => s.window === window && s.step.startsWith(name))?.ms ?? Number.NaN;
    const twoYears = formResults.find((f) => f.label === '2-year range');
    const notes = [
      `generator: ${fmt.int(load.leads)} leads and ${fmt.int(load.decisions)} decisions in ${seconds(load.elapsedMs)}: ${seconds(load.generateMs)} generating, ${seconds(load.insertMs)} in Store.insertHistory (${fmt.ms((load.insertMs * 1000) / load.leads)} µs/lead)${built.reused ? '; reused from an earlier run' : ''}`,
      `2 years: cohortCells ${fmt.ms(step('2 years', 'cohortCells ('))} ms from rollups vs ${fmt.ms(step('2 years', 'cohortCells, every'))} ms reading every lead (its SQL alone ${fmt.ms(step('2 years', '  its SQL alone, raw'))} ms); repCells ${fmt.ms(step('2 years', 'repCells ('))} ms vs ${fmt.ms(step('2 years', 'repCells, every'))} ms; overall median ${fmt.ms(step('2 years', 'overall median'))} ms; the floor ${twoYears ? fmt.ms(twoYears.floor.summary.p50) : '—'} ms`,
      `cold start: the first two-year query on a database with no fresh rollups took ${fmt.ms(cold.ms)} ms and rolled up ${cold.months} months and days (once; a later change re-rolls only the day and month it touches)`,
      `query plans (2 years): floor: ${plans.floor.join('; ')} | scan: ${plans.scan.join('; ')} | reps: ${plans.reps.join('; ')}`,
      ...(acks.lost > 0 || acks.respondErrors.length > 0
        ? [
            `${acks.lost} acked /leadstats answer(s) never reached the response_url; the app logged: ${[...new Set(acks.respondErrors)].join(' | ') || 'nothing'}. While the event loop is blocked, the HTTP client cannot drop pooled keep-alive connections the other side has closed meanwhile, so respond() writes to a dead socket and the answer is lost (no retry)`,
          ]
        : []),
      `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]?.toFixed(1)} at the end, on ${cpus().length} cores`,
      `help was sent ${fmt.ms(percentile(Float64Array.from(acks.helpSentAfterLongAckMs).sort(), 50))} ms (median) after the long command's ack; the listener acks, then runs the query synchronously on the event loop, so every request that arrives meanwhile waits for it`,
    ];

    return {
      name: 'stats',
      title: stats.title,
      tables: [databaseTable, formsTable, stepsTable, ackTable],
      checks,
      notes,
      data: {
        options,
        database: { path, reused: built.reused, builtAt: side.builtAt, bytes: side.bytes, counts, load },
        forms: formResults.map((f) => ({
          label: f.label,
          text: f.text,
          leadsInWindow: f.leadsInWindow,
          window: f.window,
          runMs: { ...f.run.summary, p95: f.run.p95 },
          floorMs: { ...f.floor.summary, p95: f.floor.p95 },
          renderMs: { ...f.render.summary, p95: f.render.p95 },
          blocks: f.blocks,
        })),
        breakdown: steps,
        plans,
        acks: {
          idleHelpMs: { ...acks.idleHelp.summary, p95: acks.idleHelp.p95 },
          longAckMs: {
            ...acks.longAckAll.summary,
            p95: acks.longAckAll.p95,
            samples: acks.longAckAll.samples,
          },
          longAckRightAfterMs: { ...acks.longAck.summary, p95: acks.longAck.p95 },
          longAckRestedMs: { ...acks.longAckRested.summary, p95: acks.longAckRested.p95 },
          lostAnswers: acks.lost,
          respondErrors: acks.respondErrors,
          answersExpected: acks.answersExpected,
          longAnswerMs: { ...acks.longAnswer.summary, p95: acks.longAnswer.p95 },
          helpDuringMs: {
            ...acks.helpDuring.summary,
            p95: acks.helpDuring.p95,
            samples: acks.helpDuring.samples,
          },
          healthDuringMs: { ...acks.healthDuring.summary, p95: acks.healthDuring.p95 },
          helpSentAfterLongAckMs: acks.helpSentAfterLongAckMs,
        },
        targets: { p95Ms: TARGET_P95_MS, floorRatio: TARGET_FLOOR_RATIO, ackMs: TARGET_ACK_MS },
      },
    };
  },
};
