import type { Writable } from 'node:stream';

/** What a command may touch of the process: passed in, so tests run commands in-process. */
export interface CommandIo {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: Writable;
  stderr: Writable;
}

/**
 * C0 and C1 control characters other than tab and line break. Lead data (names, campaigns,
 * notes, a vendor's raw body) reaches the terminal through commands; an escape sequence in it
 * could recolour, retitle or rewrite the operator's terminal.
 */
const CONTROL = /[^\P{Cc}\t\n]/gu;
/** Bidirectional marks, embeddings, overrides and isolates: they make text read other than it is. */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, '').replace(BIDI, '');
}

/** Every line a command prints goes through here, so no command prints a control character. */
export function line(stream: Writable, text = ''): void {
  stream.write(`${terminalSafe(text)}\n`);
}
