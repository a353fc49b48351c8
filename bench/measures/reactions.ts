import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeSlack, type RecordedCall } from '../../sandbox/fake-slack.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { waitHealthy } from '../lib/http.js';
import { newRunId } from '../lib/leads.js';
import { type LoadResult, runLoad } from '../lib/load.js';
import {
  buildPostedLeadsDatabase,
  DecisionsProbe,
  EVENT_HEADERS,
  type ReactionEvent,
  reactionEvents,
  reactionStepTimings,
  type StepTiming,
  signedHeaders,
  waitUntil,
} from '../lib/reactions.js';
import { type Check, fmt, type MeasureReport } from '../lib/report.js';
import { median } from '../lib/stats.js';
import {
  appEnv,
  type CodeTree,
  LEADS_CHANNEL,
  SIGNING_SECRET,
  startTarget,
  type Target,
} from '../lib/targets.js';

export const TARGET_EVENTS_PER_S = 300;
export const TARGET_P99_MS = 50;
/** Slack's own ceiling: 30,000 events an hour per workspace. */
const SLACK_CEILING_PER_S = 30_000 / 3600;
/** Processing that makes no progress for this long is reported as stuck, not waited for. */
const STALL_MS = 30_000;
/** After the retries and a fresh sentinel event were processed, how long to look for stragglers. */
const RETRY_SETTLE_MS = 300;
/** The open-loop run offers the target rate for this long (or fewer events, when fewer are timed). */
const PACED_SECONDS = 10;
/** Paced at the target rate, processing keeps up when the last decision is in this soon after the last event was due. */
const PACED_MAX_LAG_MS = 1_000;

interface BareRun {
  rep: number;
  load: LoadResult;
  serverCpuUsPerEvent: number;
}

export interface AppRun {
  rep: number;
  /** The timed deliveries: how fast the app acked them. */
  load: LoadResult;
  /** Server CPU (user + system) from the first timed delivery until its decisions and prompts were done, per event. */
  serverCpuUsPerEvent: number;
  processing: {
    /** Every timed event had its decision recorded (before the stall limit). */
    complete: boolean;
    /** Timed events whose decision was recorded when the last ack reached the client. */
    decidedAtLastAck: number;
    /** From the last ack to the last decision recorded (ms, 5 ms polling). */
    lagMs: number;
    /** Timed events ÷ (first delivery sent → last decision recorded). */
    eventsPerS: number;
    /** From the last ack to the last reason prompt (chat.postEphemeral) answered by the fake Slack. */
    promptsLagMs: number;
    /** Open loop: from when the last timed event was due to its last decision (NaN in closed loop). */
    lastDecisionAfterDueMs: number;
    /** Lead posts still waiting for the post updater's chat.update when the last decision was recorded. */
    postsToRenderAtDone: number;
  };
  exactlyOnce: {
    /** Distinct events delivered (warm-up + timed + the sentinel). */
    events: number;
    decisions: number;
    slackEvents: number;
    /** Delivered event ids not in slack_events. */
    missingIds: number;
    /** Decisions repeating another's lead, rep and emoji. */
    duplicates: number;
    /** Rejects delivered, and reason prompts the fake Slack got (a retry must not prompt again). */
    rejects: number;
    prompts: number;
  };
  retries: {
    load: LoadResult;
    /** Decisions that appeared beyond one per distinct event after every timed event was redelivered. */
    newDecisions: number;
  };
  slackCalls: Record<string, number>;
}

interface ConfigResult {
  /** Closed loop: connections, each sending its next event once the previous one is acked; open loop: the cap on connections. */
  concurrency: number;
  /** Open loop: events offered per second, whatever the acks do (as Slack delivers). */
  ratePerS: number | undefined;
  label: string;
  events: number;
  bare: BareRun[];
  app: AppRun[];
}

/**
 * Signed reaction_added deliveries to the real app (HTTP mode, Bolt's receiver, against a fake
 * Slack) over a database of posted leads, as fast as it acks them; then how long the work behind
 * the acks took, whether each event was recorded exactly once, and whether Slack's retries of every
 * event add nothing. A bare node:http server answering the same requests is the same-run floor.
 */
export const reactions: Measure = {
  name: 'reactions',
  title: 'reaction_added events: ack rate and latency, processing rate, exactly-once over posted leads',
  byDefault: true,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { options } = ctx;
    const events = options.reactionEvents;
    const warmup = options.warmup;
    const leads = options.reactionLeads;
    if (events + warmup + 1 > 2 * leads) {
      throw new Error(
        `BENCH_REACTION_EVENTS + BENCH_WARMUP + 1 = ${events + warmup + 1} events need at least ${Math.ceil((events + warmup + 1) / 2)} leads (BENCH_REACTION_LEADS=${leads})`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-reactions-'));
    const template = join(dir, 'posted-leads.db');
    const results: ConfigResult[] = [];
    let prepareMs: number;
    let steps: StepTiming[];
    try {
      ctx.progress(`reactions: preparing a database of ${fmt.int(leads)} posted leads`);
      const began = performance.now();
      buildPostedLeadsDatabase(template, leads, LEADS_CHANNEL);
      prepareMs = performance.now() - began;
      ctx.progress(`  ready in ${fmt.int(prepareMs)} ms; timing the storage steps of a reaction alone`);
      steps = reactionStepTimings(template, dir, LEADS_CHANNEL, leads, options.quick ? 500 : 2_000);

      // Closed loop at each concurrency ("as fast as the app acks them"), then open loop at the
      // target rate: Slack does not wait for one ack before delivering the next event.
      const configs: Omit<ConfigResult, 'bare' | 'app'>[] = [
        ...options.concurrency.map((concurrency) => ({
          concurrency,
          ratePerS: undefined,
          label: `c=${concurrency}`,
          events,
        })),
        {
          concurrency: Math.max(...options.concurrency),
          ratePerS: TARGET_EVENTS_PER_S,
          label: `paced ${TARGET_EVENTS_PER_S}/s`,
          events: Math.min(events, TARGET_EVENTS_PER_S * PACED_SECONDS),
        },
      ];
      for (const config of configs) {
        const result: ConfigResult = { ...config, bare: [], app: [] };
        results.push(result);
        const { concurrency, ratePerS } = config;
        const name = ratePerS === undefined ? `c${concurrency}` : `paced${ratePerS}`;
        for (let rep = 1; rep <= options.repeats; rep++) {
          const tag = newRunId();
          const runEvents: RunEvents = {
            timed: reactionEvents(LEADS_CHANNEL, tag, 0, config.events, leads),
            warm: reactionEvents(LEADS_CHANNEL, tag, config.events, warmup, leads),
            sentinel: reactionEvents(LEADS_CHANNEL, tag, config.events + warmup, 1, leads),
            concurrency,
            ratePerS,
          };

          const bareLabel = `reactions-${name}-bare-${rep}`;
          ctx.progress(`${bareLabel}: ${fmt.int(config.events)} events`);
          const bare = await runBare(bareLabel, runEvents, options.cpuProfile);
          result.bare.push({ rep, ...bare });
          ctx.progress(
            `  ${fmt.int(bare.load.rps)} acks/s, p99 ${fmt.ms(bare.load.latencyMs.p99)} ms, unexpected ${bare.load.unexpected}`,
          );

          const appLabel = `reactions-${name}-app-${rep}`;
          ctx.progress(`${appLabel}: ${fmt.int(config.events)} events, then each again as a retry`);
          const app = await runApp(ctx, appLabel, template, runEvents, options.cpuProfile);
          result.app.push({ ...app, rep });
          ctx.progress(
            `  ${fmt.int(app.load.rps)} acks/s, p99 ${fmt.ms(app.load.latencyMs.p99)} ms, non-200 ${app.load.unexpected}; ` +
              `processed ${fmt.int(app.processing.eventsPerS)}/s, ${fmt.ms(app.processing.lagMs)} ms after the last ack; ` +
              `decisions ${app.exactlyOnce.decisions}/${app.exactlyOnce.events}, retries added ${app.retries.newDecisions}`,
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return report(results, { events, warmup, leads, repeats: options.repeats, prepareMs, steps });
  },
};

export interface RunEvents {
  timed: ReactionEvent[];
  warm: ReactionEvent[];
  sentinel: ReactionEvent[];
  concurrency: number;
  /** Open loop for the timed events only; warm-up and retries are closed loop. */
  ratePerS: number | undefined;
}

function send(
  target: Target,
  events: readonly ReactionEvent[],
  concurrency: number,
  expectStatus: number,
  more: { retry?: { num: number; reason: string }; ratePerS?: number | undefined } = {},
): Promise<LoadResult> {
  const { retry, ratePerS } = more;
  return runLoad({
    port: target.port,
    path: '/slack/events',
    headers: EVENT_HEADERS,
    bodies: events.map((e) => e.body),
    // Signed now, before the clock starts: the load generator only writes prepared bytes.
    requestHeaders: signedHeaders(SIGNING_SECRET, events, retry),
    concurrency,
    expectStatus,
    ...(ratePerS === undefined ? {} : { ratePerS }),
  });
}

async function cpuUs(target: Target): Promise<number> {
  const usage = await target.usage();
  return usage.cpuUserUs + usage.cpuSystemUs;
}

async function runBare(
  label: string,
  runEvents: RunEvents,
  cpuProfile: boolean,
): Promise<Omit<BareRun, 'rep'>> {
  const { concurrency, ratePerS } = runEvents;
  const target = await startTarget({ variant: 'bare', mode: 'process', label, cpuProfile });
  try {
    if (runEvents.warm.length > 0) await send(target, runEvents.warm, concurrency, 202);
    const before = await cpuUs(target);
    const load = await send(target, runEvents.timed, concurrency, 202, { ratePerS });
    const after = await cpuUs(target);
    return { load, serverCpuUsPerEvent: (after - before) / runEvents.timed.length };
  } finally {
    await target.stop();
  }
}

/** One run against the app (this checkout, or `code`: another one, e.g. the before-after measure's). */
export async function runApp(
  ctx: BenchContext,
  label: string,
  template: string,
  runEvents: RunEvents,
  cpuProfile: boolean,
  code?: CodeTree,
): Promise<Omit<AppRun, 'rep'>> {
  const { timed, warm, sentinel, concurrency, ratePerS } = runEvents;
  const fake = await FakeSlack.start({ checkSpec: false });
  const slackCalls: Record<string, number> = {};
  let prompts = 0;
  const stopCounting = fake.onCall((call: RecordedCall) => {
    const ok = call.status === 200 && (call.response as { ok?: unknown } | undefined)?.ok === true;
    const key = `${call.method}${ok ? '' : ' (not ok)'}`;
    slackCalls[key] = (slackCalls[key] ?? 0) + 1;
    if (call.method === 'chat.postEphemeral' && ok) prompts += 1;
  });
  const target = await startTarget({
    variant: 'app',
    mode: 'process',
    label,
    env: appEnv(fake),
    cpuProfile,
    prepareDatabase: (path) => copyFileSync(template, path),
    ...(code ? { code } : {}),
  });
  const probe = new DecisionsProbe(target.databasePath);
  const rejectsIn = (list: readonly ReactionEvent[]) => list.filter((e) => e.verdict === 'reject').length;
  try {
    await waitHealthy(target.port);
    // Warm-up (JIT, SQLite cache, the fake's connections), then a quiet app: its decisions recorded
    // and its prompts sent. Its post edits are not waited for: the post updater is paced to Slack's
    // chat.update tier (about 50 a minute), so a burst of decisions leaves a backlog of edits that
    // drains for minutes at under one call a second, too little work to disturb the timed run.
    if (warm.length > 0) {
      const load = await send(target, warm, concurrency, 200);
      if (load.unexpected > 0)
        throw new Error(`${label} warm-up: ${load.unexpected} non-200: ${load.samples}`);
      const settled = await waitUntil(
        () => probe.decisions(),
        (n) => n >= warm.length,
        { stallMs: STALL_MS },
      );
      if (settled.at === undefined)
        throw new Error(`${label} warm-up: only ${settled.value}/${warm.length} decisions recorded`);
      await waitUntil(
        () => prompts,
        (n) => n >= rejectsIn(warm),
        { stallMs: STALL_MS },
      );
    }
    const base = probe.decisions();
    const basePrompts = prompts;

    const cpuBefore = await cpuUs(target);
    const load = await send(target, timed, concurrency, 200, { ratePerS });
    const decidedAtLastAck = probe.decisions() - base;
    const decided = await waitUntil(
      () => probe.decisions() - base,
      (n) => n >= timed.length,
      { stallMs: STALL_MS },
    );
    const postsToRenderAtDone = probe.postsToRender();
    const prompted = await waitUntil(
      () => prompts - basePrompts,
      (n) => n >= rejectsIn(timed),
      { stallMs: STALL_MS },
    );
    const cpuAfter = await cpuUs(target);
    const processedAt = decided.at ?? Number.NaN;
    const processing = {
      complete: decided.at !== undefined,
      decidedAtLastAck,
      lagMs: processedAt - load.lastResponseAt,
      eventsPerS: (timed.length / (processedAt - load.startedAt)) * 1000,
      promptsLagMs: (prompted.at ?? Number.NaN) - load.lastResponseAt,
      lastDecisionAfterDueMs:
        ratePerS === undefined
          ? Number.NaN
          : processedAt - (load.startedAt + ((timed.length - 1) * 1000) / ratePerS),
      postsToRenderAtDone,
    };

    // Slack redelivers an event it thinks was lost with the same event_id (signed anew, with
    // X-Slack-Retry-Num). Every timed event again, then one fresh event: once its decision is in,
    // the retries before it have been handled too (and a short wait catches stragglers).
    ctx.progress(`  retries: ${fmt.int(timed.length)} redeliveries`);
    const retryLoad = await send(target, timed, concurrency, 200, {
      retry: { num: 1, reason: 'http_timeout' },
    });
    const sentinelLoad = await send(target, sentinel, 1, 200);
    const delivered = warm.length + timed.length + sentinel.length;
    await waitUntil(
      () => probe.decisions(),
      (n) => n >= base + timed.length + sentinel.length,
      { stallMs: STALL_MS },
    );
    await sleep(RETRY_SETTLE_MS);
    const rejects = rejectsIn(warm) + rejectsIn(timed) + rejectsIn(sentinel);
    await waitUntil(
      () => prompts,
      (n) => n >= rejects,
      { stallMs: 5_000 },
    );
    const decisions = probe.decisions();
    const allIds = [...warm, ...timed, ...sentinel].map((e) => e.eventId);
    return {
      load,
      serverCpuUsPerEvent: (cpuAfter - cpuBefore) / timed.length,
      processing,
      exactlyOnce: {
        events: delivered,
        decisions,
        slackEvents: probe.slackEvents(),
        missingIds: allIds.length - probe.handledOf(allIds),
        duplicates: probe.duplicateDecisions(),
        rejects,
        prompts,
      },
      retries: {
        load: {
          ...retryLoad,
          // The sentinel's answer counts with the retries' statuses.
          unexpected: retryLoad.unexpected + sentinelLoad.unexpected,
        },
        newDecisions: decisions - delivered,
      },
      slackCalls,
    };
  } finally {
    probe.close();
    stopCounting();
    await target.stop();
    await fake.close();
  }
}

interface ReportInput {
  events: number;
  warmup: number;
  leads: number;
  repeats: number;
  prepareMs: number;
  steps: StepTiming[];
}

function report(results: ConfigResult[], input: ReportInput): MeasureReport {
  const med = <T>(runs: readonly T[], f: (run: T) => number) => median(runs.map(f));
  const checks: Check[] = [];
  const notes: string[] = [];
  const ackRows: (string | number)[][] = [];
  const processingRows: (string | number)[][] = [];
  const onceRows: (string | number)[][] = [];

  for (const r of results) {
    const where = r.label;
    const load = r.ratePerS === undefined ? `${where}` : `${where}, ≤${r.concurrency} conn`;
    const bareRps = med(r.bare, (b) => b.load.rps);
    const appRps = med(r.app, (a) => a.load.rps);
    const appP99 = med(r.app, (a) => a.load.latencyMs.p99);
    const ackRow = (
      server: string,
      runs: { load: LoadResult; serverCpuUsPerEvent: number }[],
      vsBare: string,
    ) => [
      load,
      server,
      fmt.int(med(runs, (x) => x.load.rps)),
      fmt.ms(med(runs, (x) => x.load.latencyMs.p50)),
      fmt.ms(med(runs, (x) => x.load.latencyMs.p90)),
      fmt.ms(med(runs, (x) => x.load.latencyMs.p99)),
      fmt.ms(med(runs, (x) => x.load.latencyMs.max)),
      runs.reduce((n, x) => n + x.load.unexpected, 0),
      vsBare,
      fmt.int(med(runs, (x) => x.serverCpuUsPerEvent)),
    ];
    ackRows.push(
      ackRow('bare http', r.bare, ''),
      ackRow('app', r.app, r.ratePerS === undefined ? fmt.ratio(appRps / bareRps) : ''),
    );

    const processedRate = med(r.app, (a) => a.processing.eventsPerS);
    const lagMs = med(r.app, (a) => a.processing.lagMs);
    const stalled = r.app.filter((a) => !a.processing.complete).length;
    processingRows.push([
      load,
      fmt.int(appRps),
      fmt.int(processedRate),
      fmt.ratio(med(r.app, (a) => a.processing.decidedAtLastAck / a.load.requests)),
      fmt.ms(lagMs),
      fmt.ms(med(r.app, (a) => a.processing.promptsLagMs)),
      fmt.int(med(r.app, (a) => a.processing.postsToRenderAtDone)),
      fmt.int(
        med(r.app, (a) => (a.slackCalls['chat.update'] ?? 0) + (a.slackCalls['chat.update (not ok)'] ?? 0)),
      ),
    ]);

    for (const a of r.app) {
      const e = a.exactlyOnce;
      onceRows.push([
        where,
        a.rep,
        e.events,
        e.decisions,
        e.slackEvents,
        e.missingIds,
        e.duplicates,
        fmt.int(a.retries.load.rps),
        fmt.ms(a.retries.load.latencyMs.p99),
        a.retries.load.unexpected,
        a.retries.newDecisions,
        `${e.prompts}/${e.rejects}`,
      ]);
    }
    const onceOk = (a: AppRun) =>
      a.load.unexpected === 0 &&
      a.retries.load.unexpected === 0 &&
      a.exactlyOnce.decisions === a.exactlyOnce.events &&
      a.exactlyOnce.slackEvents === a.exactlyOnce.events &&
      a.exactlyOnce.missingIds === 0 &&
      a.exactlyOnce.duplicates === 0 &&
      a.exactlyOnce.prompts === a.exactlyOnce.rejects &&
      a.retries.newDecisions === 0;
    const badRuns = r.app.filter((a) => !onceOk(a)).length;
    const non2xx = r.app.reduce((n, a) => n + a.load.unexpected + a.retries.load.unexpected, 0);

    if (r.ratePerS === undefined) {
      checks.push({
        label: `${where} acked`,
        target: `>= ${TARGET_EVENTS_PER_S} events/s`,
        actual: `${fmt.int(appRps)} events/s`,
        pass: appRps >= TARGET_EVENTS_PER_S,
      });
    }
    // A closed loop of N connections keeps N events outstanding, so its mean latency is N ÷ acks/s
    // (Little's law) whatever the server does: at c=50 and ~1,000/s that alone is 50 ms. The latency
    // target is checked at the target rate (paced) and on the smallest closed loop; wider loops are
    // saturation runs, reported with their queueing bound.
    const smallestLoop = Math.min(
      ...results.filter((x) => x.ratePerS === undefined).map((x) => x.concurrency),
    );
    if (r.ratePerS !== undefined || r.concurrency === smallestLoop) {
      checks.push({
        label: `${where} p99 ack latency`,
        target: `< ${TARGET_P99_MS} ms`,
        actual: `${fmt.ms(appP99)} ms`,
        pass: appP99 < TARGET_P99_MS,
      });
    } else {
      notes.push(
        `${where} (saturation, ${(appRps / TARGET_EVENTS_PER_S).toFixed(1)}× the target rate): p99 ack ${fmt.ms(appP99)} ms; ` +
          `with ${r.concurrency} events always outstanding the mean alone is ${r.concurrency} ÷ ${fmt.int(appRps)}/s = ${fmt.ms((r.concurrency / appRps) * 1000)} ms (Little's law), so this row is not held to the ${TARGET_P99_MS} ms target`,
      );
    }
    if (r.ratePerS === undefined) {
      checks.push({
        label: `${where} processing keeps up`,
        target: `>= ${TARGET_EVENTS_PER_S} decisions/s, all recorded`,
        actual: `${fmt.int(processedRate)} decisions/s${stalled > 0 ? `, ${stalled} run(s) stalled` : ''}`,
        pass: stalled === 0 && processedRate >= TARGET_EVENTS_PER_S,
      });
    } else {
      // Offered at the target rate, the decisions keep up when the last is in soon after the last event was due.
      const behindMs = med(r.app, (a) => a.processing.lastDecisionAfterDueMs);
      checks.push({
        label: `${where} processing keeps up`,
        target: `last decision < ${fmt.int(PACED_MAX_LAG_MS)} ms after the last event was due`,
        actual: `${fmt.int(behindMs)} ms after (${fmt.int(processedRate)} decisions/s)${stalled > 0 ? `, ${stalled} run(s) stalled` : ''}`,
        pass: stalled === 0 && behindMs < PACED_MAX_LAG_MS,
      });
    }
    checks.push({
      label: `${where} exactly once`,
      target: '1 decision per event, 1 prompt per reject, retries add 0, all 200',
      actual:
        badRuns === 0
          ? `${r.app.length}/${r.app.length} runs exact`
          : `${badRuns}/${r.app.length} runs off (${non2xx} non-200; see table)`,
      pass: badRuns === 0,
    });
    for (const sample of r.app.flatMap((a) => [...a.load.samples, ...a.retries.load.samples]).slice(0, 3))
      notes.push(`${where}: ${sample}`);
  }

  const paced = results.find((r) => r.ratePerS !== undefined);
  notes.push(
    `${fmt.int(input.events)} timed events per closed-loop run (${fmt.int(paced?.events ?? 0)} paced) after ${fmt.int(input.warmup)} warm-up events, median of ${input.repeats} run(s); ` +
      `a fresh app child per run on a copy of a database of ${fmt.int(input.leads)} posted leads (prepared in ${fmt.int(input.prepareMs)} ms); ` +
      `each event is a distinct rep's ✅ or ❌ on a lead post (2 per lead hit, half rejects, each reject answered with a chat.postEphemeral prompt), signed as Slack signs it`,
    "c=N: closed loop, N connections each sending the next event when the previous is acked, so p99 ≈ queueing: mean latency = N ÷ acks/s (Little's law); " +
      `paced: open loop at the target rate on up to ${paced?.concurrency ?? '—'} connections, latency counted from when each event was due`,
    `"acks/s" is the ack rate the client saw; "processed/s" = timed events ÷ (first delivery → last decision in SQLite), polled every 5 ms; ` +
      `"lag" = last ack → last decision (or last prompt answered by the fake Slack); "vs bare" = app ÷ bare node:http answering the same signed requests, same run; ` +
      '"srv CPU" = the server\'s user+system CPU from the first timed event until its decisions and prompts were done, per event',
    `Slack's own ceiling is ${SLACK_CEILING_PER_S.toFixed(1)} events/s per workspace; the target (${TARGET_EVENTS_PER_S}/s) is ~${Math.round(TARGET_EVENTS_PER_S / SLACK_CEILING_PER_S)}x that`,
    'the fake Slack runs in the bench process (sharing its core with the load generator) and has no rate limits: the post updater edits posts as fast as it can, ' +
      "and since the bench's lead posts exist only in the database, those chat.update calls answer message_not_found (the updater marks them rendered and logs a warning)",
    'retries: every timed event delivered again with X-Slack-Retry-Num: 1 (signed anew), then one fresh event; once its decision is recorded the retries have been handled',
  );

  return {
    name: 'reactions',
    title: reactions.title,
    tables: [
      {
        title: 'Acks (median of runs)',
        columns: [
          'load',
          'server',
          'acks/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'non-2xx',
          'vs bare',
          'srv CPU µs/event',
        ],
        rows: ackRows,
      },
      {
        title: 'Processing behind the acks (app, median of runs)',
        columns: [
          'load',
          'acks/s',
          'processed/s',
          'decided at last ack',
          'lag ms',
          'prompts lag ms',
          'posts to re-render at done',
          'chat.update',
        ],
        rows: processingRows,
      },
      {
        title: 'Exactly once, per run (events = warm-up + timed + 1 sentinel)',
        columns: [
          'load',
          'run',
          'events',
          'decisions',
          'slack_events',
          'ids missing',
          'dup decisions',
          'retry acks/s',
          'retry p99 ms',
          'retry non-200',
          'new decisions',
          'prompts/rejects',
        ],
        rows: onceRows,
      },
      {
        title: `Storage steps of one reaction, timed alone in the bench process on a copy of the ${fmt.int(input.leads)}-lead database`,
        columns: ['step', 'µs/op', 'max/s if serial'],
        rows: input.steps.map((st) => [st.step, st.usPerOp.toFixed(1), fmt.int(1e6 / st.usPerOp)]),
      },
    ],
    checks,
    notes,
    data: {
      events: input.events,
      warmup: input.warmup,
      leads: input.leads,
      repeats: input.repeats,
      prepareMs: input.prepareMs,
      steps: input.steps,
      targets: {
        eventsPerS: TARGET_EVENTS_PER_S,
        p99Ms: TARGET_P99_MS,
        pacedMaxLagMs: PACED_MAX_LAG_MS,
        slackCeilingPerS: SLACK_CEILING_PER_S,
      },
      results,
    },
  };
}
