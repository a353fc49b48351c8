import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import { parseLeadBatch } from '../../src/domain/lead.js';
import { type Db, openDatabase } from '../../src/storage/db.js';
import { Store } from '../../src/storage/store.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { loadSingleLeads } from '../lib/http.js';
import { batchBodies, newRunId, singleLeadBodies } from '../lib/leads.js';
import { fmt, type MeasureReport } from '../lib/report.js';
import { appEnv, startTarget } from '../lib/targets.js';
import type { Variant } from '../servers/variants.js';

/**
 * Where the time of one POST /leads goes. Two views:
 * - steps: each stage of the ingest path timed alone in this process (JSON.parse, zod validation,
 *   Store.insertLeads with synchronous FULL / NORMAL / OFF, so FULL − OFF is the fsync; group
 *   commits of 10 and 50 single-lead requests, as POST /leads makes under concurrency; one batch of 1000);
 * - ladder: the HTTP path in a child process, adding one layer at a time: bare node:http →
 *   our routes without Bolt and without fsync → with fsync → the real app (Bolt's receiver, poster).
 */
export const breakdown: Measure = {
  name: 'breakdown',
  title: 'Where the time of a single-lead POST /leads goes (diagnostic, no targets)',
  byDefault: true,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { options } = ctx;
    const steps = stepTimings(options.quick ? 500 : 3_000, ctx);
    const concurrency = Math.max(...options.concurrency);
    const fake = await FakeSlack.start({ checkSpec: false });
    const ladder: { variant: string; rps: number; p50: number; p99: number; cpuUs: number }[] = [];
    const rungs: { label: string; variant: Variant; env?: Record<string, string> }[] = [
      { label: 'bare node:http (no parse, no SQLite)', variant: 'bare' },
      { label: 'routes, no Bolt, synchronous=OFF', variant: 'routes', env: { BENCH_SYNCHRONOUS: 'OFF' } },
      { label: 'routes, no Bolt, synchronous=FULL', variant: 'routes', env: { BENCH_SYNCHRONOUS: 'FULL' } },
      { label: 'app (Bolt receiver + poster), FULL', variant: 'app' },
    ];
    try {
      for (const [i, rung] of rungs.entries()) {
        const label = `breakdown-${i}-${rung.variant}${rung.env?.BENCH_SYNCHRONOUS ? `-${rung.env.BENCH_SYNCHRONOUS}` : ''}`;
        ctx.progress(`${label}: ${options.breakdownRequests} requests at c=${concurrency}`);
        const target = await startTarget({
          variant: rung.variant,
          mode: 'process',
          label,
          env: appEnv(fake, rung.env),
          cpuProfile: options.cpuProfile,
        });
        try {
          const r = await loadSingleLeads(target, {
            requests: options.breakdownRequests,
            warmup: options.warmup,
            concurrency,
          });
          if (r.unexpected > 0)
            throw new Error(`${label}: ${r.unexpected} non-202: ${r.samples.join(' | ')}`);
          ladder.push({
            variant: rung.label,
            rps: r.rps,
            p50: r.latencyMs.p50,
            p99: r.latencyMs.p99,
            cpuUs: r.serverCpuUsPerRequest,
          });
        } finally {
          await target.stop();
        }
      }
    } finally {
      await fake.close();
    }

    return {
      name: 'breakdown',
      title: breakdown.title,
      tables: [
        {
          title: 'Steps, timed alone in the bench process (µs per lead)',
          columns: ['step', 'µs/lead', 'max/s if serial'],
          rows: steps.map((s) => [s.step, s.usPerLead.toFixed(1), fmt.int(1e6 / s.usPerLead)]),
        },
        {
          title: `HTTP ladder, server in a child process, c=${concurrency}, ${fmt.int(options.breakdownRequests)} requests, one run each`,
          columns: ['server', 'req/s', 'wall µs/req', 'srv CPU µs/req', 'p50 ms', 'p99 ms'],
          rows: ladder.map((l) => [
            l.variant,
            fmt.int(l.rps),
            fmt.int(1e6 / l.rps),
            fmt.int(l.cpuUs),
            fmt.ms(l.p50),
            fmt.ms(l.p99),
          ]),
        },
      ],
      checks: [],
      notes: [
        'each Store.insertLeads call is one transaction (BEGIN IMMEDIATE … COMMIT), as POST /leads does per request',
        'the load generator shares the 2 cores with the server; "wall µs/req" is 1 / throughput, "srv CPU" excludes time blocked in fsync',
      ],
      data: { steps, concurrency, requests: options.breakdownRequests, ladder },
    };
  },
};

interface Step {
  step: string;
  usPerLead: number;
}

function warmCount(count: number): number {
  return Math.min(count, Math.max(200, Math.floor(count / 10)));
}

function timePerOp(count: number, op: (i: number) => void, warm = warmCount(count)): number {
  for (let i = 0; i < warm; i++) op(i);
  const start = performance.now();
  for (let i = warm; i < warm + count; i++) op(i);
  return ((performance.now() - start) * 1000) / count;
}

function stepTimings(count: number, ctx: BenchContext): Step[] {
  ctx.progress(`breakdown: timing the ingest steps, ${count} leads each`);
  const n = count + warmCount(count);
  const raw = singleLeadBodies(newRunId(), n).map((b) => b.toString('utf8'));
  const objects = raw.map((text) => JSON.parse(text) as unknown);
  const leads = objects.map((o) => {
    const parsed = parseLeadBatch(o);
    if (!parsed.ok) throw new Error(`bench lead is invalid: ${JSON.stringify(parsed.issues)}`);
    return parsed.leads;
  });
  const steps: Step[] = [
    { step: 'JSON.parse of one lead body', usPerLead: timePerOp(count, (i) => JSON.parse(raw[i] as string)) },
    {
      step: 'parseLeadBatch (zod) of one lead',
      usPerLead: timePerOp(count, (i) => parseLeadBatch(objects[i])),
    },
  ];
  const withDb = (synchronous: string, use: (db: Db) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-'));
    const db = openDatabase(join(dir, 'leadloop.db'));
    try {
      db.$client.pragma(`synchronous = ${synchronous}`);
      use(db);
    } finally {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  for (const synchronous of ['FULL', 'NORMAL', 'OFF']) {
    withDb(synchronous, (db) => {
      const store = new Store(db);
      steps.push({
        step: `Store.insertLeads, 1 lead per transaction, synchronous=${synchronous}`,
        usPerLead: timePerOp(count, (i) => store.insertLeads(leads[i] ?? [], Date.now())),
      });
    });
  }
  // Group commit: what POST /leads does with the requests that arrive in one event-loop turn.
  for (const group of [10, 50]) {
    withDb('FULL', (db) => {
      const store = new Store(db);
      const groups = Math.floor(count / group);
      steps.push({
        step: `Store.insertLeadBatches, ${group} single-lead batches per transaction, synchronous=FULL`,
        usPerLead:
          timePerOp(
            groups,
            (i) => store.insertLeadBatches(leads.slice(i * group, (i + 1) * group), Date.now()),
            Math.max(1, Math.floor(groups / 10)),
          ) / group,
      });
    });
  }
  const batch = Math.min(1000, count);
  const batches = batchBodies(newRunId(), batch * 4, batch).map((b) => {
    const parsed = parseLeadBatch(JSON.parse(b.toString('utf8')));
    if (!parsed.ok) throw new Error('bench batch is invalid');
    return parsed.leads;
  });
  withDb('FULL', (db) => {
    const store = new Store(db);
    steps.push({
      step: `Store.insertLeads, ${batch} leads per transaction, synchronous=FULL`,
      usPerLead: timePerOp(3, (i) => store.insertLeads(batches[i] ?? [], Date.now()), 1) / batch,
    });
  });
  return steps;
}
