import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { runCli } from '../../src/commands/index.js';

/** A stream that keeps what is written to it, as text. */
export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `leadloop <argv>` in this process, with exactly `env` (no process environment) in `cwd`, and
 * what it printed. The same entry point as the bin, without a child process.
 */
export async function runLeadloop(argv: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await runCli(argv, { env, cwd, stdout, stderr }, new EventEmitter());
  return { code, stdout: stdout.text, stderr: stderr.text };
}
