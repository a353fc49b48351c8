import { FakeSlack } from '../../sandbox/fake-slack.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { countLeads, loadSingleLeads, type SingleLeadRun } from '../lib/http.js';
import type { TargetMode } from '../lib/options.js';
import { type Check, fmt, type MeasureReport } from '../lib/report.js';
import { median } from '../lib/stats.js';
import { appEnv, startTarget } from '../lib/targets.js';
import type { Variant } from '../servers/variants.js';

export const TARGET_LEADS_PER_S = 1500;
export const TARGET_P99_MS = 50;

interface ConfigResult {
  mode: TargetMode;
  concurrency: number;
  server: 'app' | 'bare';
  runs: SingleLeadRun[];
  /** Medians over the runs, each metric on its own. */
  median: { rps: number; p50: number; p90: number; p99: number; max: number; serverCpuUsPerRequest: number };
  /** Over all runs: any non-202 is a bug, not noise. */
  non202: number;
  /** App only: leads found in SQLite after each run, against the 202s it got (plus the warm-up). */
  stored?: { expected: number; found: number }[];
}

function medians(runs: SingleLeadRun[]): ConfigResult['median'] {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.latencyMs.p50)),
    p90: median(runs.map((r) => r.latencyMs.p90)),
    p99: median(runs.map((r) => r.latencyMs.p99)),
    max: median(runs.map((r) => r.latencyMs.max)),
    serverCpuUsPerRequest: median(runs.map((r) => r.serverCpuUsPerRequest)),
  };
}

/**
 * Single-lead POST /leads against the real app, and against a bare node:http server as the
 * machine's floor, interleaved so that noise hits both alike. A fresh server and database per run.
 */
export const ingest: Measure = {
  name: 'ingest',
  title: 'POST /leads throughput, single-lead requests over keep-alive connections',
  byDefault: true,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { options } = ctx;
    const fake = await FakeSlack.start({ checkSpec: false });
    const results: ConfigResult[] = [];
    try {
      for (const mode of options.modes) {
        for (const concurrency of options.concurrency) {
          const byServer: Record<'app' | 'bare', SingleLeadRun[]> = { app: [], bare: [] };
          const stored: { expected: number; found: number }[] = [];
          for (let rep = 1; rep <= options.repeats; rep++) {
            for (const server of ['bare', 'app'] as const) {
              const variant: Variant = server;
              const label = `ingest-${mode}-c${concurrency}-${server}-${rep}`;
              ctx.progress(`${label}: ${options.requests} requests`);
              const target = await startTarget({
                variant,
                mode,
                label,
                env: appEnv(fake),
                cpuProfile: options.cpuProfile,
              });
              try {
                const result = await loadSingleLeads(target, { ...options, concurrency });
                byServer[server].push(result);
                if (server === 'app') {
                  stored.push({
                    expected: (result.statuses['202'] ?? 0) + options.warmup,
                    found: countLeads(target.databasePath),
                  });
                }
                ctx.progress(
                  `  ${fmt.int(result.rps)} req/s, p99 ${fmt.ms(result.latencyMs.p99)} ms, non-202 ${result.unexpected}`,
                );
              } finally {
                await target.stop();
              }
            }
          }
          for (const server of ['bare', 'app'] as const) {
            const runs = byServer[server];
            results.push({
              mode,
              concurrency,
              server,
              runs,
              median: medians(runs),
              non202: runs.reduce((n, r) => n + r.unexpected, 0),
              ...(server === 'app' ? { stored } : {}),
            });
          }
        }
      }
    } finally {
      await fake.close();
    }

    const bareOf = (r: ConfigResult) =>
      results.find((b) => b.server === 'bare' && b.mode === r.mode && b.concurrency === r.concurrency);
    const checks: Check[] = [];
    const notes: string[] = [];
    for (const r of results.filter((x) => x.server === 'app')) {
      const where = `${r.mode} c=${r.concurrency}`;
      checks.push(
        {
          label: `${where} throughput`,
          target: `>= ${fmt.int(TARGET_LEADS_PER_S)} leads/s`,
          actual: `${fmt.int(r.median.rps)} leads/s`,
          pass: r.median.rps >= TARGET_LEADS_PER_S,
        },
        {
          label: `${where} p99 latency`,
          target: `< ${TARGET_P99_MS} ms`,
          actual: `${fmt.ms(r.median.p99)} ms`,
          pass: r.median.p99 < TARGET_P99_MS,
        },
        {
          label: `${where} non-202 / lost`,
          target: '0, every 202 stored',
          actual: `${r.non202} non-202, ${(r.stored ?? []).filter((s) => s.found !== s.expected).length} runs with missing leads`,
          pass: r.non202 === 0 && (r.stored ?? []).every((s) => s.found === s.expected),
        },
      );
      for (const sample of r.runs.flatMap((run) => run.samples).slice(0, 3))
        notes.push(`${where}: ${sample}`);
    }
    notes.push(
      `median of ${options.repeats} run(s) of ${fmt.int(options.requests)} requests after ${fmt.int(options.warmup)} warm-up; ` +
        'process = app in a child process (load generator in the bench process), inproc = app, fake Slack and load generator share one event loop; ' +
        '"vs bare" = app req/s ÷ bare node:http req/s in the same mode and concurrency; ' +
        '"srv CPU" = the server process\'s user+system CPU per request (process mode only; time blocked in fsync is not CPU).',
    );

    return {
      name: 'ingest',
      title: ingest.title,
      tables: [
        {
          columns: [
            'mode',
            'conc',
            'server',
            'req/s',
            'p50 ms',
            'p90 ms',
            'p99 ms',
            'max ms',
            'non-202',
            'vs bare',
            'srv CPU µs/req',
          ],
          rows: results.map((r) => [
            r.mode,
            r.concurrency,
            r.server === 'app' ? 'app' : 'bare http',
            fmt.int(r.median.rps),
            fmt.ms(r.median.p50),
            fmt.ms(r.median.p90),
            fmt.ms(r.median.p99),
            fmt.ms(r.median.max),
            r.non202,
            r.server === 'app' ? fmt.ratio(r.median.rps / (bareOf(r)?.median.rps ?? Number.NaN)) : '',
            fmt.int(r.median.serverCpuUsPerRequest),
          ]),
        },
      ],
      checks,
      notes,
      data: {
        requests: options.requests,
        warmup: options.warmup,
        repeats: options.repeats,
        targets: { leadsPerSecond: TARGET_LEADS_PER_S, p99Ms: TARGET_P99_MS },
        results: results.map((r) => ({
          ...r,
          appOverBare: r.server === 'app' ? r.median.rps / (bareOf(r)?.median.rps ?? Number.NaN) : undefined,
        })),
      },
    };
  },
};
