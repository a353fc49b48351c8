import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeSlack } from '../../sandbox/fake-slack.js';
import type { ChildMessage, ParentMessage, ProcessUsage } from '../servers/child.js';
import { NODE_FLOOR_SCRIPT } from '../servers/floor.js';
import { startVariant, type Variant } from '../servers/variants.js';

/** A server variant, or `node`: an empty plain-Node child (no tsx, no server) for memory floors. */
export type TargetVariant = Variant | 'node';

import type { TargetMode } from './options.js';
import { LOG_DIR, PROFILE_DIR, REPO_DIR } from './paths.js';

export const INGEST_TOKEN = 'bench-ingest-token-0123456789abcdef';
export const LEADS_CHANNEL = 'C0LEADS001';
/** The app's signing secret in the bench: Slack signs each request to /slack/events with it. */
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

/** A running server under test, wherever it runs. */
export interface Target {
  label: string;
  variant: TargetVariant;
  mode: TargetMode;
  port: number;
  /** Child process id (process mode only). */
  pid: number | undefined;
  databasePath: string;
  /** Memory and CPU time of the server's process; process mode only (in-process it would include the bench). */
  usage(options?: { gc?: boolean }): Promise<ProcessUsage>;
  /** Stops the server as SIGTERM does and removes its database. Safe to call twice. */
  stop(): Promise<void>;
}

/** The environment the app runs with: valid, production-like (LOG_LEVEL=info), pointed at the fake. */
export function appEnv(fake: FakeSlack, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.url,
    LEADS_CHANNEL_ID: LEADS_CHANNEL,
    DIGEST_CHANNEL_IDS: 'C0SALES001,C0MKTG0001',
    PORT: '0',
    INGEST_TOKEN,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

const live = new Set<Target>();

/** Every target still running; the runner stops them on the way out, whatever happened. */
export async function stopAllTargets(): Promise<void> {
  await Promise.allSettled([...live].map((t) => t.stop()));
}

/** Last resort on a synchronous exit: no child may outlive the bench. */
export function killAllTargetsNow(): void {
  for (const target of live) {
    if (target.pid === undefined) continue;
    try {
      process.kill(target.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export interface StartTargetOptions {
  variant: TargetVariant;
  mode: TargetMode;
  label: string;
  env?: Record<string, string>;
  cpuProfile?: boolean;
  /** Fills the (not yet existing) database file before the server starts, e.g. by copying a prepared one. */
  prepareDatabase?: (databasePath: string) => void;
  /**
   * Another checkout of the project to run the server from (process mode only), e.g. the code
   * before a change (the before-after measure): its own bench/servers/child.ts, node_modules
   * and Node binary. Unset: this checkout, on the bench's own Node.
   */
  code?: CodeTree;
}

export interface CodeTree {
  /** The checkout's root folder (with its own node_modules). */
  dir: string;
  /** The Node binary that runs it. */
  node: string;
}

export async function startTarget(options: StartTargetOptions): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-'));
  const databasePath = join(dir, 'leadloop.db');
  const env = { ...options.env, DATABASE_PATH: databasePath };
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    options.prepareDatabase?.(databasePath);
    const target =
      options.mode === 'process'
        ? await startChild(options, env, databasePath)
        : await startInProcess(options, env, databasePath);
    const stop = target.stop;
    let stopped: Promise<void> | undefined;
    target.stop = () => {
      stopped ??= stop().finally(() => {
        live.delete(target);
        removeDir();
      });
      return stopped;
    };
    live.add(target);
    return target;
  } catch (error) {
    removeDir();
    throw error;
  }
}

async function startInProcess(
  options: StartTargetOptions,
  env: Record<string, string>,
  databasePath: string,
): Promise<Target> {
  if (options.code) throw new Error('another checkout runs as a child process only');
  if (options.variant === 'node') throw new Error('the node floor runs as a child process only');
  // Logs go nowhere: in-process they would interleave with the report.
  const server = await startVariant(options.variant, env, { write: () => {} });
  return {
    label: options.label,
    variant: options.variant,
    mode: 'inproc',
    port: server.port,
    pid: undefined,
    databasePath,
    usage: () => Promise.reject(new Error('usage is measured on child processes only')),
    stop: () => server.stop(),
  };
}

const STOP_GRACE_MS = 20_000;

async function startChild(
  options: StartTargetOptions,
  env: Record<string, string>,
  databasePath: string,
): Promise<Target> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = join(LOG_DIR, `${options.label}.log`);
  const log = openSync(logPath, 'w');
  const execArgv = ['--expose-gc'];
  if (options.cpuProfile) {
    // A folder per server: tsx's loader thread writes a profile of its own beside the main thread's.
    const dir = join(PROFILE_DIR, options.label);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  let child: ChildProcess;
  const code = options.code ?? { dir: REPO_DIR, node: process.execPath };
  try {
    // `--import tsx` resolves from the working folder: each checkout loads its own tsx.
    const entry =
      options.variant === 'node'
        ? ['-e', NODE_FLOOR_SCRIPT]
        : ['--import', 'tsx', join(code.dir, 'bench', 'servers', 'child.ts')];
    child = spawn(code.node, [...execArgv, ...entry], {
      cwd: code.dir,
      // Only what the variant needs: a developer's own SLACK_* or .env must not leak into the bench.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...env,
        BENCH_VARIANT: options.variant,
      },
      stdio: ['ignore', log, log, 'ipc'],
    });
  } finally {
    closeSync(log);
  }
  const logTail = () => readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.label} did not start within 30 s`)), 30_000);
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${options.label} failed to start: ${message.message}`));
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${options.label} exited (code ${code}) before it was ready:\n${logTail()}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  let nextId = 0;
  const pending = new Map<number, (usage: ProcessUsage) => void>();
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'usage') {
      pending.get(message.id)?.(message.usage);
      pending.delete(message.id);
    }
  });

  return {
    label: options.label,
    variant: options.variant,
    mode: 'process',
    port,
    pid: child.pid,
    databasePath,
    usage: ({ gc = false } = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, resolve);
        child.send({ type: 'usage', id, gc } satisfies ParentMessage, (error) => error && reject(error));
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0) {
        throw new Error(
          `${options.label} did not stop cleanly (exit ${code}); see ${logPath}:\n${logTail()}`,
        );
      }
    },
  };
}
