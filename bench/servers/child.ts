import { readFileSync } from 'node:fs';
import { startVariant, VARIANTS, type Variant } from './variants.js';

/**
 * A server variant in a process of its own, so the load generator does not share its event loop.
 * Protocol over IPC: the child sends { type: 'ready', port }; the parent may send
 * { type: 'usage', id, gc } and gets { type: 'usage', id, usage } (memory, after a GC if asked, and CPU time). SIGTERM (or the parent
 * going away) stops the server the way `leadloop start` does, then exits 0.
 */

export interface ProcessUsage {
  /** CPU time the process used since it started, in microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Peak resident set size of the process so far. */
  maxRss: number;
  gcRan: boolean;
}

export type ParentMessage = { type: 'usage'; id: number; gc: boolean };
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'usage'; id: number; usage: ProcessUsage }
  | { type: 'failed'; message: string };

/**
 * The process's own peak RSS. getrusage's maxRSS is not used: after fork it can report the parent's
 * peak (the bench's), while /proc's VmHWM starts again at exec.
 */
function peakRss(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

const send = (message: ChildMessage) => process.send?.(message);
/** Exits once the message is on its way: process.exit() right after send() can drop it. */
const fail = (message: string, code: number) => {
  if (!process.send) process.exit(code);
  process.send({ type: 'failed', message } satisfies ChildMessage, () => process.exit(code));
};

const variant = process.env.BENCH_VARIANT as Variant;
if (!(VARIANTS as readonly string[]).includes(variant)) {
  fail(`BENCH_VARIANT must be one of ${VARIANTS.join(', ')}`, 2);
} else {
  await serve(variant);
}

async function serve(variant: Variant): Promise<void> {
  try {
    const server = await startVariant(variant, process.env);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('stop failed', error);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop);
    process.on('message', (message: ParentMessage) => {
      if (message.type !== 'usage') return;
      const gc = (globalThis as { gc?: () => void }).gc;
      if (message.gc && gc) {
        // Two passes: the first can leave garbage that only weak callbacks and finalizers release.
        gc();
        gc();
      }
      const usage = process.memoryUsage();
      const cpu = process.cpuUsage();
      send({
        type: 'usage',
        id: message.id,
        usage: {
          cpuUserUs: cpu.user,
          cpuSystemUs: cpu.system,
          rss: usage.rss,
          heapUsed: usage.heapUsed,
          heapTotal: usage.heapTotal,
          external: usage.external,
          arrayBuffers: usage.arrayBuffers,
          maxRss: peakRss(),
          gcRan: message.gc && gc !== undefined,
        },
      });
    });
    send({ type: 'ready', port: server.port });
  } catch (error) {
    fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1);
  }
}
