import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { countLeads, loadSingleLeads } from '../lib/http.js';
import { newRunId } from '../lib/leads.js';
import type { LoadResult } from '../lib/load.js';
import { REPO_DIR } from '../lib/paths.js';
import { buildPostedLeadsDatabase, reactionEvents } from '../lib/reactions.js';
import { type Check, fmt, type MeasureReport } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { appEnv, type CodeTree, LEADS_CHANNEL, startTarget } from '../lib/targets.js';
import { type AppRun, type RunEvents, runApp, TARGET_EVENTS_PER_S, TARGET_P99_MS } from './reactions.js';

/** Throughput after a change may be this much below before's (issue 12: "within 10%"). */
const THROUGHPUT_MARGIN = 0.1;
/** The paced run offers the target rate for this long. */
const PACED_SECONDS = 10;

type Side = 'before' | 'after';
type ConfigName = 'ingest' | 'reactions' | 'paced';

interface Sample {
  side: Side;
  rep: number;
  load: LoadResult;
  /** Reactions: decisions recorded per second behind the acks. */
  processedPerS: number | undefined;
  /** Every 2xx stored once (ingest: leads = 202s; reactions: the reaction measure's exactly-once checks). */
  exact: boolean;
  /** The 1-minute load average when the run started, and when it ended. */
  loadAtStart: number;
  loadAtEnd: number;
}

interface SideInfo {
  side: Side;
  code: CodeTree;
  commit: string;
  node: string;
}

function describe(side: Side, code: CodeTree): SideInfo {
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: code.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let commit = 'unknown';
  try {
    commit = run('git', ['rev-parse', '--short', 'HEAD']);
  } catch {
    // Not a git checkout: the folder says which code it is.
  }
  return { side, code, commit, node: run(code.node, ['--version']) };
}

/**
 * The database of posted leads each side's reactions run on, built by that side's own code (its
 * schema and migrations), through the bench helper both checkouts have.
 */
function buildTemplate(info: SideInfo, path: string, leads: number): void {
  if (info.side === 'after') {
    buildPostedLeadsDatabase(path, leads, LEADS_CHANNEL);
    return;
  }
  const script = `const { buildPostedLeadsDatabase } = await import('./bench/lib/reactions.ts');
buildPostedLeadsDatabase(${JSON.stringify(path)}, ${leads}, ${JSON.stringify(LEADS_CHANNEL)});`;
  execFileSync(info.code.node, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: info.code.dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function reactionsOnce(run: Omit<AppRun, 'rep'>): boolean {
  const e = run.exactlyOnce;
  return (
    run.processing.complete &&
    e.decisions === e.events &&
    e.missingIds === 0 &&
    e.duplicates === 0 &&
    run.retries.newDecisions === 0 &&
    run.retries.load.unexpected === 0
  );
}

/**
 * Issue 12's performance test: the ingest bench and the reaction bench against the code before
 * the change (BENCH_BEFORE_DIR, another checkout with its own node_modules, on BENCH_BEFORE_NODE)
 * and this checkout, in one run, runs interleaved (before, after; then after, before) so that a
 * machine that gets busier hits both sides alike. Targets: throughput after within 10% of before,
 * p99 ack under 50 ms at 300 events/s.
 */
export const beforeAfter: Measure = {
  name: 'beforeafter',
  title: 'ingest and reactions, the code before a change and this checkout side by side',
  // It needs another checkout (BENCH_BEFORE_DIR); a plain run has none.
  byDefault: false,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { options } = ctx;
    if (!options.beforeDir) {
      throw new Error(
        'Set BENCH_BEFORE_DIR to a checkout of the code to compare with, e.g. git worktree add /tmp/before 8d92b33 && (cd /tmp/before && npm ci), then BENCH_BEFORE_DIR=/tmp/before npm run bench -- beforeafter',
      );
    }
    const beforeDir = resolve(options.beforeDir);
    if (
      !existsSync(join(beforeDir, 'node_modules', 'tsx')) ||
      !existsSync(join(beforeDir, 'bench', 'servers'))
    ) {
      throw new Error(
        `${beforeDir} has no node_modules/tsx or no bench/servers/: run npm ci in it (with the Node it declares)`,
      );
    }
    const sides: SideInfo[] = [
      describe('before', { dir: beforeDir, node: options.beforeNode ?? process.execPath }),
      describe('after', { dir: REPO_DIR, node: process.execPath }),
    ];
    const concurrency = options.concurrency[0] ?? 10;
    const events = options.reactionEvents;
    const paced = Math.min(events, TARGET_EVENTS_PER_S * PACED_SECONDS);
    const leads = Math.max(options.reactionLeads, Math.ceil((events + options.warmup + 1) / 2));
    for (const s of sides)
      ctx.progress(`beforeafter: ${s.side} = ${s.code.dir} at ${s.commit} on Node ${s.node}`);

    const samples: Record<ConfigName, Sample[]> = { ingest: [], reactions: [], paced: [] };
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-beforeafter-'));
    const fake = await FakeSlack.start({ checkSpec: false });
    try {
      const templates = new Map<Side, string>();
      for (const s of sides) {
        const path = join(dir, `${s.side}.db`);
        ctx.progress(`  ${s.side}: a database of ${fmt.int(leads)} posted leads, built by its own code`);
        buildTemplate(s, path, leads);
        templates.set(s.side, path);
      }
      for (let rep = 1; rep <= options.repeats; rep++) {
        const order = rep % 2 === 1 ? sides : [...sides].reverse();
        for (const s of order) {
          const label = `beforeafter-ingest-${s.side}-${rep}`;
          ctx.progress(`${label}: ${fmt.int(options.requests)} single-lead requests at c=${concurrency}`);
          const loadAtStart = loadavg()[0] ?? Number.NaN;
          const target = await startTarget({
            variant: 'app',
            mode: 'process',
            label,
            env: appEnv(fake),
            code: s.code,
          });
          try {
            const run = await loadSingleLeads(target, { ...options, concurrency });
            const stored = countLeads(target.databasePath) === (run.statuses['202'] ?? 0) + options.warmup;
            samples.ingest.push({
              side: s.side,
              rep,
              load: run,
              processedPerS: undefined,
              exact: stored && run.unexpected === 0,
              loadAtStart,
              loadAtEnd: loadavg()[0] ?? Number.NaN,
            });
            ctx.progress(
              `  ${fmt.int(run.rps)} req/s, p99 ${fmt.ms(run.latencyMs.p99)} ms, load ${loadAtStart.toFixed(2)}`,
            );
          } finally {
            await target.stop();
          }
        }
        for (const [name, ratePerS, count] of [
          ['reactions', undefined, events],
          ['paced', TARGET_EVENTS_PER_S, paced],
        ] as const) {
          for (const s of order) {
            const tag = newRunId();
            const runEvents: RunEvents = {
              timed: reactionEvents(LEADS_CHANNEL, tag, 0, count, leads),
              warm: reactionEvents(LEADS_CHANNEL, tag, count, options.warmup, leads),
              sentinel: reactionEvents(LEADS_CHANNEL, tag, count + options.warmup, 1, leads),
              concurrency,
              ratePerS,
            };
            const label = `beforeafter-${name}-${s.side}-${rep}`;
            ctx.progress(
              `${label}: ${fmt.int(count)} reaction_added events${ratePerS ? ` at ${ratePerS}/s` : ` at c=${concurrency}`}`,
            );
            const loadAtStart = loadavg()[0] ?? Number.NaN;
            const template = templates.get(s.side) as string;
            const run = await runApp(ctx, label, template, runEvents, options.cpuProfile, s.code);
            samples[name].push({
              side: s.side,
              rep,
              load: run.load,
              processedPerS: run.processing.eventsPerS,
              exact: run.load.unexpected === 0 && reactionsOnce(run),
              loadAtStart,
              loadAtEnd: loadavg()[0] ?? Number.NaN,
            });
            ctx.progress(
              `  ${fmt.int(run.load.rps)} acks/s, p99 ${fmt.ms(run.load.latencyMs.p99)} ms, processed ${fmt.int(run.processing.eventsPerS)}/s, load ${loadAtStart.toFixed(2)}`,
            );
          }
        }
      }
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return report(samples, sides, {
      concurrency,
      events,
      paced,
      leads,
      requests: options.requests,
      repeats: options.repeats,
    });
  },
};

interface Scale {
  concurrency: number;
  events: number;
  paced: number;
  leads: number;
  requests: number;
  repeats: number;
}

function report(samples: Record<ConfigName, Sample[]>, sides: SideInfo[], scale: Scale): MeasureReport {
  const of = (name: ConfigName, side: Side) => samples[name].filter((s) => s.side === side);
  const med = (runs: Sample[], f: (s: Sample) => number) => median(runs.map(f));
  const rps = (name: ConfigName, side: Side) => med(of(name, side), (s) => s.load.rps);
  const p99 = (name: ConfigName, side: Side) => med(of(name, side), (s) => s.load.latencyMs.p99);
  const processed = (side: Side) => med(of('reactions', side), (s) => s.processedPerS ?? Number.NaN);
  const labels: Record<ConfigName, string> = {
    ingest: `ingest c=${scale.concurrency}`,
    reactions: `reactions c=${scale.concurrency}`,
    paced: `reactions paced ${TARGET_EVENTS_PER_S}/s`,
  };
  const loadCell = (runs: Sample[]) =>
    `${med(runs, (s) => s.loadAtStart).toFixed(2)} (${runs.map((s) => s.loadAtStart.toFixed(1)).join(' ')})`;

  const rows: (string | number)[][] = [];
  for (const name of ['ingest', 'reactions', 'paced'] as const) {
    for (const info of sides) {
      const runs = of(name, info.side);
      rows.push([
        labels[name],
        `${info.side} (${info.commit}, Node ${info.node})`,
        fmt.int(med(runs, (s) => s.load.rps)),
        fmt.ms(med(runs, (s) => s.load.latencyMs.p50)),
        fmt.ms(med(runs, (s) => s.load.latencyMs.p99)),
        name === 'ingest' ? '' : fmt.int(med(runs, (s) => s.processedPerS ?? Number.NaN)),
        runs.reduce((n, s) => n + s.load.unexpected, 0),
        `${runs.filter((s) => s.exact).length}/${runs.length}`,
        loadCell(runs),
      ]);
    }
  }

  const checks: Check[] = [];
  const margins: (string | number)[][] = [];
  const within = (label: string, before: number, after: number, unit: string) => {
    const ratio = after / before;
    margins.push([
      label,
      fmt.int(before),
      fmt.int(after),
      fmt.ratio(ratio),
      `>= ${fmt.ratio(1 - THROUGHPUT_MARGIN)}`,
      fmt.ratio(ratio - (1 - THROUGHPUT_MARGIN)),
    ]);
    checks.push({
      label: `${label} after vs before`,
      target: `>= ${fmt.ratio(1 - THROUGHPUT_MARGIN)} of before`,
      actual: `${fmt.int(after)} vs ${fmt.int(before)} ${unit} (${fmt.ratio(ratio)})`,
      pass: ratio >= 1 - THROUGHPUT_MARGIN,
    });
  };
  within(`${labels.ingest} throughput`, rps('ingest', 'before'), rps('ingest', 'after'), 'req/s');
  within(`${labels.reactions} acks`, rps('reactions', 'before'), rps('reactions', 'after'), 'acks/s');
  within(`${labels.reactions} processed`, processed('before'), processed('after'), 'decisions/s');
  for (const side of ['before', 'after'] as const) {
    const value = p99('paced', side);
    margins.push([
      `${labels.paced} p99 ack, ${side}`,
      '',
      `${fmt.ms(value)} ms`,
      '',
      `< ${TARGET_P99_MS} ms`,
      `${fmt.ms(TARGET_P99_MS - value)} ms`,
    ]);
  }
  checks.push({
    label: `${labels.paced} p99 ack (after)`,
    target: `< ${TARGET_P99_MS} ms`,
    actual: `${fmt.ms(p99('paced', 'after'))} ms (before: ${fmt.ms(p99('paced', 'before'))} ms)`,
    pass: p99('paced', 'after') < TARGET_P99_MS,
  });
  const afterRuns = (['ingest', 'reactions', 'paced'] as const).flatMap((n) => of(n, 'after'));
  checks.push({
    label: 'after: every 2xx stored once',
    target: 'all runs exact',
    actual: `${afterRuns.filter((s) => s.exact).length}/${afterRuns.length} runs exact`,
    pass: afterRuns.every((s) => s.exact),
  });

  const nodes = new Set(sides.map((s) => s.node));
  const notes = [
    `median of ${scale.repeats} run(s) per side, interleaved (odd runs before first, even runs after first); ` +
      `ingest: ${fmt.int(scale.requests)} single-lead requests; reactions: ${fmt.int(scale.events)} events closed loop, ${fmt.int(scale.paced)} paced, ` +
      `each then redelivered as Slack's retry, on a fresh copy of a ${fmt.int(scale.leads)}-posted-lead database built by that side's own code`,
    '"load avg" = the 1-minute load average when each run started: median (each run); a figure taken beside a high one is noisy',
    '"exact" = runs where every 2xx was stored once (ingest: leads = 202s; reactions: 1 decision per event, retries add none)',
    ...(nodes.size > 1
      ? [
          `the two sides run on different Node versions (${[...nodes].join(' vs ')}): the comparison includes that difference`,
        ]
      : []),
  ];
  return {
    name: 'beforeafter',
    title: beforeAfter.title,
    tables: [
      {
        title: 'Before and after (median of runs)',
        columns: [
          'load',
          'code',
          'req or acks/s',
          'p50 ms',
          'p99 ms',
          'processed/s',
          'non-2xx',
          'exact',
          'load avg at start',
        ],
        rows,
      },
      {
        title: 'Margins',
        columns: ['figure', 'before', 'after', 'after/before', 'target', 'margin'],
        rows: margins,
      },
    ],
    checks,
    notes,
    data: { scale, sides, samples },
  };
}
