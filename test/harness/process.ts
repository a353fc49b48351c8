import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './waitFor.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface BotProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout/stderr line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/**
 * `leadloop <args>` as a real child process (TypeScript through tsx), with exactly the given
 * environment (nothing inherited but PATH) and working folder.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  user: { uid?: number; gid?: number } = {},
): BotProcess {
  return spawnProcess(process.execPath, ['--import', TSX, CLI, ...args], env, cwd, user);
}

/**
 * Any command as a real child process (e.g. a built artefact's `node dist/cli.js start`), with
 * exactly the given environment (nothing inherited but PATH) and working folder.
 */
export function spawnProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  user: { uid?: number; gid?: number } = {},
): BotProcess {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      into.push(...parts);
    };
  };
  child.stdout?.on('data', collect(stdout));
  child.stderr?.on('data', collect(stderr));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLine: (pattern, timeoutMs = 15_000) =>
      waitFor(`a line matching ${pattern}`, () => [...stdout, ...stderr].find((l) => pattern.test(l)), {
        timeoutMs,
      }),
  };
}

/** The port from the "Leadloop is running … on port N" log line. */
export async function runningPort(bot: BotProcess, timeoutMs?: number): Promise<number> {
  const line = await bot.waitForLine(/Leadloop is running/, timeoutMs);
  const port = /on port (\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`No port in: ${line}`);
  return Number(port);
}
