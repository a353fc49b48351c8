import { Worker } from 'node:worker_threads';
import type { Clock } from '../clock.js';
import type { StatsQuery } from '../domain/statsCommand.js';
import type { StatsOutcome } from '../domain/statsReport.js';
import { StatsThreadError } from '../errors.js';
import type { StatsThreadData, StatsThreadReply, StatsThreadRequest } from './statsProtocol.js';

/** Anything that answers a stats query: StatsService itself, or the worker thread below. */
export interface StatsRunner {
  run(query: StatsQuery): StatsOutcome | Promise<StatsOutcome>;
}

/**
 * Runs /leadstats queries in a worker thread, so the event loop that acks Slack's requests never
 * waits for one: an ack, a reaction or POST /leads arriving during a two-year query is answered
 * at once. The thread starts on the first query and again after it dies (the queries it was
 * running fail with a StatsThreadError; the next one gets a new thread).
 */
export class StatsThread implements StatsRunner {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (o: StatsOutcome) => void; reject: (e: Error) => void }
  >();
  private closed = false;

  constructor(
    private readonly deps: { clock: Clock },
    private readonly data: StatsThreadData,
  ) {}

  run(query: StatsQuery): Promise<StatsOutcome> {
    if (this.closed) return Promise.reject(new StatsThreadError('The stats thread is stopped.'));
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    const request: StatsThreadRequest = { id, query, now: this.deps.clock.now() };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A query under way keeps the process alive; an idle thread does not.
      worker.ref();
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new StatsThreadError('The stats thread was stopped before it answered.'));
    if (worker) await worker.terminate();
  }

  private spawn(): Worker {
    const worker = startWorker(new URL('./statsThread.js', import.meta.url), this.data);
    worker.on('message', (reply: StatsThreadReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if ('outcome' in reply) waiter.resolve(reply.outcome);
      else waiter.reject(new StatsThreadError(`The stats query failed in its thread: ${reply.error}`));
    });
    worker.on('error', (error) => {
      this.failAll(new StatsThreadError(`The stats thread crashed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new StatsThreadError(`The stats thread exited (code ${code}) before it answered.`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error) {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiters) w.reject(error);
  }
}

/**
 * Built (dist/) the thread is a .js file Node runs as is. From a checkout (npm run leadloop, the
 * tests) it is the .ts source, and the thread first registers tsx, the same loader that runs the
 * main thread there.
 */
function startWorker(compiled: URL, workerData: StatsThreadData): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(compiled, { workerData });
  const source = compiled.href.replace(/\.js$/, '.ts');
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
