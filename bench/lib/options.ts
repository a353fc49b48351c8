/**
 * The bench's scale, from the environment, with `--quick` for a smoke run. Every knob has a
 * default that keeps a full run to a few minutes on a 2-core machine.
 */

export type TargetMode = 'process' | 'inproc';
export const TARGET_MODES: readonly TargetMode[] = ['process', 'inproc'];

export interface BenchOptions {
  quick: boolean;
  /** Timed single-lead requests per ingest run. */
  requests: number;
  /** Untimed requests before each timed run, so the JIT and SQLite's cache are warm. */
  warmup: number;
  concurrency: number[];
  repeats: number;
  /** process: the app in a child process; inproc: in the bench's own process, sharing its event loop. */
  modes: TargetMode[];
  memoryLeads: number;
  memoryBatch: number;
  latencySamples: number;
  latencySpacingMs: number;
  /** Requests per variant in the breakdown's HTTP ladder. */
  breakdownRequests: number;
  /** Write a V8 CPU profile of each child server to bench/out/prof/. */
  cpuProfile: boolean;
  /** Timed reaction_added events per reactions run (each also sent again as a retry). */
  reactionEvents: number;
  /** Posted leads in the database the reactions measure runs on. */
  reactionLeads: number;
  /** The before-after measure's "before": another checkout of the project, and the Node that runs it. */
  beforeDir: string | undefined;
  beforeNode: string | undefined;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(
      `${name} must be a whole number of at least ${min}, e.g. ${name}=${fallback}; got "${raw}"`,
    );
  }
  return value;
}

function intList(env: Env, name: string, fallback: number[]): number[] {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(`${name} must be whole numbers separated by commas, e.g. ${name}=10,50; got "${raw}"`);
  }
  return values;
}

function modes(env: Env, fallback: TargetMode[]): TargetMode[] {
  const raw = env.BENCH_MODES?.trim();
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((s) => s.trim());
  const bad = values.filter((v) => !(TARGET_MODES as readonly string[]).includes(v));
  if (bad.length > 0) {
    throw new Error(
      `BENCH_MODES must be ${TARGET_MODES.join(' and/or ')}, e.g. BENCH_MODES=process; got "${raw}"`,
    );
  }
  return values as TargetMode[];
}

export function readOptions(env: Env, quick: boolean): BenchOptions {
  return {
    quick,
    requests: int(env, 'BENCH_REQUESTS', quick ? 2_000 : 20_000, 1),
    warmup: int(env, 'BENCH_WARMUP', quick ? 200 : 1_000, 0),
    concurrency: intList(env, 'BENCH_CONCURRENCY', quick ? [10] : [10, 50]),
    repeats: int(env, 'BENCH_REPEATS', quick ? 1 : 3, 1),
    // In-process doubles the longest part of the run and answers a side question; opt in with BENCH_MODES.
    modes: modes(env, ['process']),
    memoryLeads: int(env, 'BENCH_MEMORY_LEADS', quick ? 5_000 : 100_000, 0),
    memoryBatch: Math.min(1000, int(env, 'BENCH_MEMORY_BATCH', 1000, 1)),
    latencySamples: int(env, 'BENCH_LATENCY_SAMPLES', quick ? 5 : 30, 1),
    latencySpacingMs: int(env, 'BENCH_LATENCY_SPACING_MS', 1_100, 1_000),
    breakdownRequests: int(env, 'BENCH_BREAKDOWN_REQUESTS', quick ? 1_000 : 5_000, 1),
    cpuProfile: env.BENCH_CPU_PROFILE === '1',
    reactionEvents: int(env, 'BENCH_REACTION_EVENTS', quick ? 1_000 : 20_000, 1),
    reactionLeads: int(env, 'BENCH_REACTION_LEADS', 100_000, 1),
    beforeDir: env.BENCH_BEFORE_DIR?.trim() || undefined,
    beforeNode: env.BENCH_BEFORE_NODE?.trim() || undefined,
  };
}

export const ENV_HELP = `Scale (environment):
  BENCH_REQUESTS=20000          timed single-lead requests per ingest run
  BENCH_WARMUP=1000             untimed requests before each ingest run
  BENCH_CONCURRENCY=10,50       keep-alive connections per ingest run, one run set per value
  BENCH_REPEATS=3               runs per configuration; the median is reported
  BENCH_MODES=process           process: app in a child process; inproc: in the bench's own process
                                (sharing the load generator's event loop); both: BENCH_MODES=process,inproc
  BENCH_MEMORY_LEADS=100000     leads ingested (batches of BENCH_MEMORY_BATCH=1000) before the memory reading
  BENCH_LATENCY_SAMPLES=30      leads timed from 202 to chat.postMessage
  BENCH_LATENCY_SPACING_MS=1100 time between those leads (>= 1000 keeps the poster's token bucket full)
  BENCH_BREAKDOWN_REQUESTS=5000 requests per server variant in the breakdown
  BENCH_REACTION_EVENTS=20000   timed signed reaction_added events per reactions run (then each again as a retry)
  BENCH_REACTION_LEADS=100000   posted leads in the reactions database (events need at most 2 per lead)
  BENCH_CPU_PROFILE=1           write V8 CPU profiles of the child servers to bench/out/prof/
  BENCH_BEFORE_DIR=/tmp/before  before-after: the checkout to compare with (git worktree add /tmp/before <commit>,
                                then npm ci in it); BENCH_BEFORE_NODE=/usr/bin/node runs it on another Node
--quick lowers every default for a smoke run (environment values still win).`;
