import { setTimeout as sleep } from 'node:timers/promises';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { countLeads, INGEST_HEADERS, waitHealthy } from '../lib/http.js';
import { batchBodies, newRunId } from '../lib/leads.js';
import { runLoad } from '../lib/load.js';
import { fmt, type MeasureReport } from '../lib/report.js';
import { appEnv, startTarget } from '../lib/targets.js';
import type { ProcessUsage } from '../servers/child.js';

const IDLE_WAIT_MS = 2_000;

/**
 * Memory of the app's own process (a child started with --expose-gc): idle on an empty database,
 * then after ingesting many leads in batches. No target is set yet; the numbers are the baseline
 * later issues compare against.
 */
export const memory: Measure = {
  name: 'memory',
  title: 'App process memory: idle, and after a large ingest',
  byDefault: true,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { options } = ctx;
    const fake = await FakeSlack.start({ checkSpec: false });
    // Floors, measured the same way: what Node alone, and Node with the tsx loader, cost.
    const floors = [
      { label: 'node, empty process (no tsx)', variant: 'node' as const },
      { label: 'node + tsx loader + bare node:http', variant: 'bare' as const },
    ];
    const floorTargets = await Promise.all(
      floors.map((f) =>
        startTarget({ variant: f.variant, mode: 'process', label: `memory-floor-${f.variant}` }),
      ),
    );
    const target = await startTarget({
      variant: 'app',
      mode: 'process',
      label: 'memory-app',
      env: appEnv(fake),
      cpuProfile: options.cpuProfile,
    });
    try {
      await waitHealthy(target.port);
      ctx.progress(`memory: idle ${IDLE_WAIT_MS / 1000} s after start`);
      await sleep(IDLE_WAIT_MS);
      const floorUsage = await Promise.all(floorTargets.map((t) => t.usage({ gc: true })));
      await Promise.all(floorTargets.map((t) => t.stop()));
      const idleRaw = await target.usage({ gc: false });
      const idle = await target.usage({ gc: true });

      const bodies = batchBodies(newRunId(), options.memoryLeads, options.memoryBatch);
      ctx.progress(
        `memory: ingesting ${fmt.int(options.memoryLeads)} leads in ${bodies.length} batch request(s)`,
      );
      const load = await runLoad({
        port: target.port,
        path: '/leads',
        headers: INGEST_HEADERS,
        bodies,
        concurrency: 2,
        expectStatus: 202,
      });
      const afterRaw = await target.usage({ gc: false });
      const after = await target.usage({ gc: true });
      const stored = countLeads(target.databasePath);

      const row = (state: string, m: ProcessUsage) => [
        state,
        fmt.mib(m.rss),
        fmt.mib(m.heapUsed),
        fmt.mib(m.heapTotal),
        fmt.mib(m.external),
        fmt.mib(m.maxRss),
      ];
      const tsxShare = (floorUsage[1]?.rss ?? Number.NaN) - (floorUsage[0]?.rss ?? Number.NaN);
      const leadsPerSecond = (options.memoryLeads / load.durationMs) * 1000;
      const growthPer1k =
        options.memoryLeads > 0
          ? ((after.heapUsed - idle.heapUsed) / options.memoryLeads) * 1000
          : Number.NaN;
      return {
        name: 'memory',
        title: memory.title,
        tables: [
          {
            columns: ['state', 'RSS MiB', 'heap used MiB', 'heap total MiB', 'external MiB', 'peak RSS MiB'],
            rows: [
              ...floors.map((f, i) => row(`${f.label} (after GC)`, floorUsage[i] as ProcessUsage)),
              row(`app idle, empty db, +${IDLE_WAIT_MS / 1000} s (before GC)`, idleRaw),
              row(`app idle, empty db, +${IDLE_WAIT_MS / 1000} s (after GC)`, idle),
              row(`app after ${fmt.int(options.memoryLeads)} leads (before GC)`, afterRaw),
              row(`app after ${fmt.int(options.memoryLeads)} leads (after GC)`, after),
            ],
          },
        ],
        checks: [
          {
            label: `${fmt.int(options.memoryLeads)} leads ingested and stored`,
            target: 'all 202, all stored',
            actual: `${load.unexpected} non-202, ${fmt.int(stored)} stored`,
            pass: load.unexpected === 0 && stored === options.memoryLeads,
          },
        ],
        notes: [
          'no memory target is set for this issue; these are the reference numbers',
          `the app runs under tsx here; \`node dist/cli.js\` does not load it: tsx + a bare server cost ${fmt.mib(tsxShare)} MiB RSS over plain Node, so \`node dist/cli.js\` should idle near ${fmt.mib(idle.rss - tsxShare)} MiB RSS (plain Node alone: ${fmt.mib(floorUsage[0]?.rss ?? Number.NaN)} MiB)`,
          `heap used after GC grew ${fmt.int(growthPer1k)} bytes per 1000 leads ingested (the leads live in SQLite, not in the heap)`,
          `the ingest took ${fmt.int(load.durationMs)} ms: ${fmt.int(leadsPerSecond)} leads/s in batches of ${options.memoryBatch} (p99 per batch request ${fmt.ms(load.latencyMs.p99)} ms)`,
          ...load.samples,
        ],
        data: {
          leads: options.memoryLeads,
          batch: options.memoryBatch,
          floors: floors.map((f, i) => ({ label: f.label, usage: floorUsage[i] })),
          idleBeforeGc: idleRaw,
          idle,
          afterIngestBeforeGc: afterRaw,
          afterIngest: after,
          heapGrowthBytesPer1kLeads: growthPer1k,
          batchIngest: {
            durationMs: load.durationMs,
            leadsPerSecond,
            requestLatencyMs: load.latencyMs,
            non202: load.unexpected,
          },
          stored,
        },
      };
    } finally {
      await Promise.all([target, ...floorTargets].map((t) => t.stop()));
      await fake.close();
    }
  },
};
