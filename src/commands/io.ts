import type { Writable } from 'node:stream';

/** What a command may touch of the process: passed in, so tests run commands in-process. */
export interface CommandIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: Writable;
  stderr: Writable;
}

export function line(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
