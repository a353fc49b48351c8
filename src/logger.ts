import { type Logger, LogLevel } from '@slack/logger';
import { type DestinationStream, pino } from 'pino';
import type { LogLevel as ConfigLogLevel } from './config.js';

/** Keys pino writes itself: a field by one of these names would make a line with the key twice. */
const RESERVED = new Set(['level', 'time', 'msg']);

/** Structured fields for a log line: `logger.warn('Posting failed', { code, method, channel })`. */
export type LogFields = Record<string, unknown>;

/**
 * One logger for the whole process: pino (JSON lines, cheap) behind the Logger interface that
 * Bolt and the Slack clients take, so Slack's own messages land in the same stream. Levels are
 * written by name (`"level":"warn"`), so `grep`/`jq` and log platforms need no number table.
 */
export function createLogger(level: ConfigLogLevel, destination?: DestinationStream): Logger {
  const base = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return wrap(base, level);
}

function isPlainObject(value: unknown): value is LogFields {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The Logger interface takes any arguments. Strings make the message; an Error goes to `err`
 * (with its stack); a plain object becomes fields of the line; anything else is added to the
 * message as JSON.
 */
function split(messages: unknown[]): { fields: LogFields | undefined; text: string } {
  let fields: LogFields | undefined;
  const words: string[] = [];
  for (const m of messages) {
    if (typeof m === 'string') words.push(m);
    else if (m instanceof Error && fields?.err === undefined) fields = { ...fields, err: m };
    else if (isPlainObject(m) && !Object.keys(m).some((k) => RESERVED.has(k))) fields = { ...fields, ...m };
    else words.push(JSON.stringify(m) ?? String(m));
  }
  const text = words.join(' ');
  const error = fields?.err;
  return { fields, text: text || (error instanceof Error ? error.message : '') };
}

function wrap(log: pino.Logger, initialLevel: string): Logger {
  let level = initialLevel as LogLevel;
  const emit =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...messages: unknown[]) => {
      const { fields, text } = split(messages);
      if (fields) log[method](fields, text);
      else log[method](text);
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    setLevel(next: LogLevel) {
      level = next;
      log.level = next;
    },
    getLevel: () => level,
    // The Slack SDKs rename the logger they are given; one shared stream keeps one name.
    setName() {},
  };
}

export { LogLevel };
