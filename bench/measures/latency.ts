import { setTimeout as sleep } from 'node:timers/promises';
import { FakeSlack } from '../../sandbox/fake-slack.js';
import type { BenchContext, Measure } from '../lib/context.js';
import { INGEST_HEADERS, waitHealthy } from '../lib/http.js';
import { benchLead, newRunId } from '../lib/leads.js';
import { fmt, type MeasureReport } from '../lib/report.js';
import { summarize } from '../lib/stats.js';
import { appEnv, startTarget } from '../lib/targets.js';

export const TARGET_P50_MS = 200;

interface Sample {
  leadId: string;
  /** From the 202 reaching the client to the fake Slack having the chat.postMessage body. */
  fromAcceptedMs: number;
  /** From sending POST /leads to the same. */
  fromRequestMs: number;
}

/**
 * With the queue empty, how long a lead waits between its 202 and its chat.postMessage. Leads are
 * spaced further apart than the poster's refill interval, so its token bucket is full each time:
 * this measures the wake-up path (notify → query → build → send), not the pacing. The fake answers
 * at once, so Slack's own latency is not in it. Both ends are timed with Date.now() in this process.
 */
export const latency: Measure = {
  name: 'latency',
  title: 'Time from 202 to chat.postMessage at the fake Slack (empty queue)',
  byDefault: true,
  async run(ctx: BenchContext): Promise<MeasureReport> {
    const { options } = ctx;
    const fake = await FakeSlack.start({ checkSpec: false });
    const target = await startTarget({
      variant: 'app',
      mode: 'process',
      label: 'latency-app',
      env: appEnv(fake),
      cpuProfile: options.cpuProfile,
    });
    const samples: Sample[] = [];
    const runId = newRunId();
    const url = `http://127.0.0.1:${target.port}/leads`;
    try {
      await waitHealthy(target.port);
      // One untimed lead first: the first post pays for lazy work (connection to the fake, JIT).
      const total = options.latencySamples + 1;
      ctx.progress(
        `latency: ${options.latencySamples} leads, ${options.latencySpacingMs} ms apart (~${Math.ceil((total * options.latencySpacingMs) / 1000)} s)`,
      );
      for (let i = 0; i < total; i++) {
        const sentAt = Date.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: INGEST_HEADERS,
          body: JSON.stringify(benchLead(runId, i)),
        });
        const acceptedAt = Date.now();
        const body = (await res.json()) as { results?: { id: string }[] };
        const leadId = body.results?.[0]?.id;
        if (res.status !== 202 || leadId === undefined) {
          throw new Error(`POST /leads answered ${res.status} ${JSON.stringify(body)}`);
        }
        const calls = await fake.waitForCalls('chat.postMessage', i + 1, { timeoutMs: 10_000 });
        const call = calls[i];
        const metadata = call?.args.metadata as { event_payload?: { lead_id?: unknown } } | undefined;
        const postedId = String(metadata?.event_payload?.lead_id);
        if (!call || postedId !== leadId) {
          throw new Error(`post #${i + 1} was for lead ${postedId}, expected lead ${leadId}`);
        }
        if (i > 0)
          samples.push({ leadId, fromAcceptedMs: call.at - acceptedAt, fromRequestMs: call.at - sentAt });
        await sleep(Math.max(0, sentAt + options.latencySpacingMs - Date.now()));
      }
    } finally {
      await target.stop();
      await fake.close();
    }

    const fromAccepted = summarize(samples.map((s) => s.fromAcceptedMs));
    const fromRequest = summarize(samples.map((s) => s.fromRequestMs));
    const row = (label: string, s: typeof fromAccepted, min: number) => [
      label,
      s.count,
      fmt.ms(min),
      fmt.ms(s.p50),
      fmt.ms(s.p90),
      fmt.ms(s.max),
    ];
    return {
      name: 'latency',
      title: latency.title,
      tables: [
        {
          columns: ['interval', 'samples', 'min ms', 'p50 ms', 'p90 ms', 'max ms'],
          rows: [
            row('202 → chat.postMessage', fromAccepted, Math.min(...samples.map((x) => x.fromAcceptedMs))),
            row(
              'request sent → chat.postMessage',
              fromRequest,
              Math.min(...samples.map((x) => x.fromRequestMs)),
            ),
          ],
        },
      ],
      checks: [
        {
          label: '202 → chat.postMessage p50',
          target: `< ${TARGET_P50_MS} ms`,
          actual: `${fmt.ms(fromAccepted.p50)} ms`,
          pass: fromAccepted.p50 < TARGET_P50_MS,
        },
      ],
      notes: [
        'Date.now() resolution (1 ms); 0 means the post reached the fake in the same millisecond the client saw the 202',
      ],
      data: {
        spacingMs: options.latencySpacingMs,
        targetP50Ms: TARGET_P50_MS,
        fromAcceptedMs: fromAccepted,
        fromRequestMs: fromRequest,
        samples,
      },
    };
  },
};
